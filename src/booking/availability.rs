//! Open slots and slot checks, computed in the clinic's time zone from office hours, provider
//! schedules, dated exceptions and existing appointments. Pure: the caller loads the data.
//!
//! A slot is offered only if, for its whole length, the provider works (inside office hours,
//! unless it is an extra-hours exception), no blockout or closure covers it, and the provider,
//! the operatory and the patient are all free. Booking re-runs the same check.
//!
//! One file, longer than most: it is one algorithm (its tests are in `availability_tests.rs`).

use std::collections::HashMap;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _,
    Timelike, Utc,
};
use chrono_tz::Tz;
use serde::Serialize;

use super::model::{
    Appointment, BookingRules, ExceptionKind, Minutes, OfficeHours, Operatory, Provider,
    ProviderKind, ScheduleException, WeeklyBlock,
};
use super::{OperatoryId, PatientId, ProviderId};

/// Time that something is taken: an appointment, or an operatory blockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub provider: Option<ProviderId>,
    pub operatory: Option<OperatoryId>,
    pub patient: Option<PatientId>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Busy {
    /// The time an appointment holds, if it holds any (cancelled and no-show ones do not).
    pub fn of(appointment: &Appointment) -> Option<Self> {
        appointment.status.occupies_time().then_some(Self {
            provider: Some(appointment.provider),
            operatory: Some(appointment.operatory),
            patient: Some(appointment.patient),
            start: appointment.start,
            end: appointment.end,
        })
    }
}

/// Half-open intervals sorted by start, with the running maximum of ends: an overlap test is
/// one binary search.
#[derive(Debug, Default, Clone)]
struct Intervals {
    starts: Vec<i64>,
    max_end: Vec<i64>,
}

impl Intervals {
    fn build(mut spans: Vec<(i64, i64)>) -> Self {
        spans.sort_unstable();
        let mut max_end = Vec::with_capacity(spans.len());
        let mut running = i64::MIN;
        for &(_, end) in &spans {
            running = running.max(end);
            max_end.push(running);
        }
        Self {
            starts: spans.into_iter().map(|(s, _)| s).collect(),
            max_end,
        }
    }

    /// Whether any interval overlaps `[start, end)`.
    fn overlaps(&self, start: i64, end: i64) -> bool {
        let before_end = self.starts.partition_point(|&s| s < end);
        before_end > 0 && self.max_end[before_end - 1] > start
    }
}

fn index<K: std::hash::Hash + Eq>(spans: HashMap<K, Vec<(i64, i64)>>) -> HashMap<K, Intervals> {
    spans
        .into_iter()
        .map(|(k, v)| (k, Intervals::build(v)))
        .collect()
}

#[derive(Debug, Default, Clone)]
struct BusyIndex {
    provider: HashMap<ProviderId, Intervals>,
    operatory: HashMap<OperatoryId, Intervals>,
    patient: HashMap<PatientId, Intervals>,
}

impl BusyIndex {
    fn build(busy: impl IntoIterator<Item = Busy>) -> Self {
        let mut provider: HashMap<ProviderId, Vec<(i64, i64)>> = HashMap::new();
        let mut operatory: HashMap<OperatoryId, Vec<(i64, i64)>> = HashMap::new();
        let mut patient: HashMap<PatientId, Vec<(i64, i64)>> = HashMap::new();
        for b in busy {
            let span = (b.start.timestamp(), b.end.timestamp());
            if let Some(p) = b.provider {
                provider.entry(p).or_default().push(span);
            }
            if let Some(o) = b.operatory {
                operatory.entry(o).or_default().push(span);
            }
            if let Some(p) = b.patient {
                patient.entry(p).or_default().push(span);
            }
        }
        Self {
            provider: index(provider),
            operatory: index(operatory),
            patient: index(patient),
        }
    }
}

fn free<K: std::hash::Hash + Eq>(
    index: &HashMap<K, Intervals>,
    key: &K,
    start: i64,
    end: i64,
) -> bool {
    index.get(key).is_none_or(|i| !i.overlaps(start, end))
}

/// Everything the engine needs about one clinic for the dates in question.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: Tz,
    office_hours: Vec<OfficeHours>,
    providers: Vec<Provider>,
    operatories: Vec<Operatory>,
    weekly: Vec<WeeklyBlock>,
    exceptions: Vec<ScheduleException>,
    busy: BusyIndex,
    /// Active chairs in auto-fill order: hygienists prefer hygiene chairs, dentists the
    /// others; then the clinic's order.
    chairs_for_dentist: Vec<OperatoryId>,
    chairs_for_hygienist: Vec<OperatoryId>,
}

#[derive(Debug, Clone)]
pub struct CalendarData {
    pub office_hours: Vec<OfficeHours>,
    pub providers: Vec<Provider>,
    pub operatories: Vec<Operatory>,
    pub weekly: Vec<WeeklyBlock>,
    pub exceptions: Vec<ScheduleException>,
    pub busy: Vec<Busy>,
}

/// A bookable time: its instant, what the clinic's clock reads then, and who and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local_start: NaiveDateTime,
    #[serde(rename = "provider_id")]
    pub provider: ProviderId,
    #[serde(rename = "operatory_id")]
    pub operatory: OperatoryId,
}

#[derive(Debug, Clone)]
pub struct SlotQuery {
    pub duration: Minutes,
    pub provider_kind: Option<ProviderKind>,
    pub provider: Option<ProviderId>,
    pub patient: Option<PatientId>,
    /// Clinic-local dates, inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub now: DateTime<Utc>,
    pub rules: BookingRules,
    pub limit: Option<usize>,
}

/// One proposed booking, to be checked against the calendar.
#[derive(Debug, Clone)]
pub struct SlotRequest {
    pub provider: ProviderId,
    pub operatory: Option<OperatoryId>,
    pub patient: Option<PatientId>,
    pub start: DateTime<Utc>,
    pub duration: Minutes,
    pub provider_kind: Option<ProviderKind>,
    pub now: DateTime<Utc>,
    pub rules: BookingRules,
}

/// Where a checked booking goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub operatory: OperatoryId,
    pub auto_filled: AutoFill,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoFill {
    /// The caller named the operatory.
    Requested,
    /// The provider's schedule block names it.
    ScheduleBlock,
    /// The first active (free) operatory, in the clinic's order.
    FirstActive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotProblem {
    #[error("no such provider")]
    UnknownProvider,
    #[error("that provider is not taking appointments")]
    ProviderInactive,
    #[error("that provider does not do this kind of appointment")]
    WrongProviderKind,
    #[error("that time is in the past or within the clinic's booking lead time")]
    TooSoon,
    #[error("that time is beyond how far ahead the clinic books")]
    BeyondHorizon,
    #[error("appointments start on a 5-minute mark of the clinic's clock (9:00, 9:05, ...)")]
    OffTheFiveMinuteMark,
    #[error("the provider is not working for all of that time")]
    OutsideWorkingHours,
    #[error("the provider already has an appointment then")]
    ProviderBusy,
    #[error("the patient already has an appointment then")]
    PatientBusy,
    #[error("that operatory is taken then")]
    OperatoryBusy,
    #[error("that operatory cannot be used")]
    OperatoryUnavailable,
    #[error("no operatory is free then")]
    NoFreeOperatory,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: u32,
    end: u32,
    operatory: Option<OperatoryId>,
    /// Weekly blocks are clipped to office hours; extra-hours exceptions are not.
    extra: bool,
}

fn minute_of(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

fn time_at(minute: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(minute / 60, minute % 60, 0)
}

/// Removes `[cut_start, cut_end)` from every window.
fn subtract(windows: Vec<Window>, cut_start: u32, cut_end: u32) -> Vec<Window> {
    let mut out = Vec::with_capacity(windows.len() + 1);
    for w in windows {
        if cut_end <= w.start || cut_start >= w.end {
            out.push(w);
            continue;
        }
        if w.start < cut_start {
            out.push(Window {
                end: cut_start,
                ..w
            });
        }
        if cut_end < w.end {
            out.push(Window {
                start: cut_end,
                ..w
            });
        }
    }
    out
}

impl Calendar {
    pub fn new(zone: Tz, data: CalendarData) -> Self {
        let mut busy = data.busy;
        // Operatory-specific blockouts take that chair, whoever would work in it.
        for exception in &data.exceptions {
            if exception.kind == ExceptionKind::Blockout
                && let (Some(op), Some(hours)) = (exception.operatory, exception.hours)
                && let (Some(start), Some(end)) = (
                    resolve(zone, exception.date.and_time(hours.start)),
                    resolve(zone, exception.date.and_time(hours.end)),
                )
            {
                busy.push(Busy {
                    provider: None,
                    operatory: Some(op),
                    patient: None,
                    start,
                    end,
                });
            }
        }
        let mut operatories = data.operatories;
        operatories.sort_by_key(|o| (o.sort_order, o.name.clone()));
        let chairs = |wants_hygiene: bool| {
            let mut active: Vec<&Operatory> = operatories.iter().filter(|o| o.active).collect();
            active.sort_by_key(|o| o.is_hygiene != wants_hygiene);
            active.into_iter().map(|o| o.id).collect()
        };
        let chairs_for_dentist = chairs(false);
        let chairs_for_hygienist = chairs(true);
        Self {
            chairs_for_dentist,
            chairs_for_hygienist,
            zone,
            office_hours: data.office_hours,
            providers: data.providers,
            operatories,
            weekly: data.weekly,
            exceptions: data.exceptions,
            busy: BusyIndex::build(busy),
        }
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Whether the provider is one of this clinic's (active or not).
    pub fn has_provider(&self, id: ProviderId) -> bool {
        self.providers.iter().any(|p| p.id == id)
    }

    /// Whether the operatory is one of this clinic's (active or not).
    pub fn has_operatory(&self, id: OperatoryId) -> bool {
        self.operatories.iter().any(|o| o.id == id)
    }

    /// The clinic's calendar date at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.zone).date_naive()
    }

    fn windows(&self, provider: ProviderId, date: NaiveDate) -> Vec<Window> {
        let todays = || {
            self.exceptions
                .iter()
                .filter(|e| e.date == date && e.provider.is_none_or(|p| p == provider))
        };
        if todays().any(|e| e.kind == ExceptionKind::Closed && e.hours.is_none()) {
            return Vec::new();
        }
        let weekday = date.weekday();
        let mut windows = Vec::new();
        for block in self
            .weekly
            .iter()
            .filter(|b| b.provider == provider && b.weekday == weekday)
        {
            for office in self.office_hours.iter().filter(|h| h.weekday == weekday) {
                let start = minute_of(block.hours.start).max(minute_of(office.hours.start));
                let end = minute_of(block.hours.end).min(minute_of(office.hours.end));
                if start < end {
                    windows.push(Window {
                        start,
                        end,
                        operatory: block.operatory,
                        extra: false,
                    });
                }
            }
        }
        for extra in
            todays().filter(|e| e.kind == ExceptionKind::ExtraHours && e.provider == Some(provider))
        {
            if let Some(hours) = extra.hours {
                windows.push(Window {
                    start: minute_of(hours.start),
                    end: minute_of(hours.end),
                    operatory: extra.operatory,
                    extra: true,
                });
            }
        }
        for cut in todays().filter(|e| {
            (e.kind == ExceptionKind::Closed
                || (e.kind == ExceptionKind::Blockout && e.operatory.is_none()))
                && e.hours.is_some()
        }) {
            if let Some(hours) = cut.hours {
                windows = subtract(windows, minute_of(hours.start), minute_of(hours.end));
            }
        }
        windows.sort_by_key(|w| (w.start, w.end));
        debug_assert!(windows.iter().all(|w| w.extra || w.start < w.end));
        windows
    }

    /// A window's real start and end instants on `date`.
    fn bounds(&self, date: NaiveDate, window: &Window) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let start = boundary(self.zone, date.and_time(time_at(window.start)?), false)?;
        let end = boundary(self.zone, date.and_time(time_at(window.end)?), true)?;
        Some((start, end))
    }

    fn eligible(&self, provider: &Provider, kind: Option<ProviderKind>) -> bool {
        provider.active && kind.is_none_or(|k| k == provider.kind)
    }

    fn pick_operatory(
        &self,
        window: &Window,
        kind: ProviderKind,
        start: i64,
        end: i64,
    ) -> Option<(OperatoryId, AutoFill)> {
        if let Some(op) = window.operatory {
            let usable = self.operatories.iter().any(|o| o.id == op && o.active);
            return (usable && free(&self.busy.operatory, &op, start, end))
                .then_some((op, AutoFill::ScheduleBlock));
        }
        let order = match kind {
            ProviderKind::Dentist => &self.chairs_for_dentist,
            ProviderKind::Hygienist => &self.chairs_for_hygienist,
        };
        order
            .iter()
            .find(|id| free(&self.busy.operatory, id, start, end))
            .map(|id| (*id, AutoFill::FirstActive))
    }

    /// Open slots, earliest first (then by provider), at most `limit`.
    pub fn open_slots(&self, query: &SlotQuery) -> Vec<Slot> {
        let today = self.today(query.now);
        let last_day = today + Duration::days(i64::from(query.rules.horizon_days));
        let step = query.rules.slot_step_minutes.max(5);
        let length = query.duration.get();
        let mut slots = Vec::new();
        let mut date = query.from.max(today);
        let to = query.to.min(last_day);
        while date <= to {
            let mut todays = Vec::new();
            for provider in self
                .providers
                .iter()
                .filter(|p| self.eligible(p, query.provider_kind))
            {
                if query.provider.is_some_and(|id| id != provider.id) {
                    continue;
                }
                for window in self.windows(provider.id, date) {
                    let Some(bounds) = self.bounds(date, &window) else {
                        continue;
                    };
                    let local_length = i64::from(window.end - window.start);
                    // Most windows hold no clock change: local minutes are real minutes.
                    let uniform = (bounds.1 - bounds.0).num_minutes() == local_length;
                    // A DST day can hold an hour more than its local minutes show.
                    let last = if uniform { window.end } else { window.end + 60 };
                    let mut minute = window.start.div_ceil(step) * step;
                    while minute + length <= last {
                        let local = time_at(minute).map(|t| date.and_time(t));
                        let start = if uniform {
                            Some(bounds.0 + Duration::minutes(i64::from(minute - window.start)))
                        } else {
                            local.and_then(|l| resolve(self.zone, l))
                        };
                        if let Some(slot) = local.zip(start).and_then(|(local, start)| {
                            self.candidate(provider, &window, local, start, query, bounds.1)
                        }) {
                            todays.push(slot);
                        }
                        minute += step;
                    }
                }
            }
            todays.sort_by_key(|s| (s.start, s.provider));
            todays.dedup_by_key(|s| (s.start, s.provider));
            slots.extend(todays);
            if query.limit.is_some_and(|limit| slots.len() >= limit) {
                break;
            }
            date += Duration::days(1);
        }
        if let Some(limit) = query.limit {
            slots.truncate(limit);
        }
        slots
    }

    fn candidate(
        &self,
        provider: &Provider,
        window: &Window,
        local_start: NaiveDateTime,
        start: DateTime<Utc>,
        query: &SlotQuery,
        window_end: DateTime<Utc>,
    ) -> Option<Slot> {
        let earliest = query.now + Duration::minutes(i64::from(query.rules.lead_minutes));
        if start < earliest {
            return None;
        }
        let end = start + query.duration.duration();
        // Local minutes and real minutes differ on DST days: the real end must fit.
        if end > window_end {
            return None;
        }
        let (s, e) = (start.timestamp(), end.timestamp());
        if !free(&self.busy.provider, &provider.id, s, e) {
            return None;
        }
        if query
            .patient
            .is_some_and(|p| !free(&self.busy.patient, &p, s, e))
        {
            return None;
        }
        let (operatory, _) = self.pick_operatory(window, provider.kind, s, e)?;
        Some(Slot {
            start,
            end,
            local_start,
            provider: provider.id,
            operatory,
        })
    }

    /// Checks one booking against every rule `open_slots` applies, and places it.
    pub fn check(&self, request: &SlotRequest) -> Result<Placement, SlotProblem> {
        let provider = self
            .providers
            .iter()
            .find(|p| p.id == request.provider)
            .ok_or(SlotProblem::UnknownProvider)?;
        if !provider.active {
            return Err(SlotProblem::ProviderInactive);
        }
        if request.provider_kind.is_some_and(|k| k != provider.kind) {
            return Err(SlotProblem::WrongProviderKind);
        }
        if request.start < request.now + Duration::minutes(i64::from(request.rules.lead_minutes)) {
            return Err(SlotProblem::TooSoon);
        }
        let local = request.start.with_timezone(&self.zone).naive_local();
        // Any 5-minute mark is bookable, not only the slot grid offered to callers: the
        // clinic's own systems may place an appointment where its staff decide.
        if !local.minute().is_multiple_of(5) || local.second() != 0 || local.nanosecond() != 0 {
            return Err(SlotProblem::OffTheFiveMinuteMark);
        }
        let date = local.date();
        if date > self.today(request.now) + Duration::days(i64::from(request.rules.horizon_days)) {
            return Err(SlotProblem::BeyondHorizon);
        }
        let end = request.start + request.duration.duration();
        let window = self
            .windows(provider.id, date)
            .into_iter()
            .find(|w| {
                self.bounds(date, w)
                    .is_some_and(|(from, until)| from <= request.start && end <= until)
            })
            .ok_or(SlotProblem::OutsideWorkingHours)?;
        let (s, e) = (request.start.timestamp(), end.timestamp());
        if !free(&self.busy.provider, &provider.id, s, e) {
            return Err(SlotProblem::ProviderBusy);
        }
        if request
            .patient
            .is_some_and(|p| !free(&self.busy.patient, &p, s, e))
        {
            return Err(SlotProblem::PatientBusy);
        }
        match request.operatory {
            Some(op) => {
                let usable = self.operatories.iter().any(|o| o.id == op && o.active);
                if !usable || window.operatory.is_some_and(|tied| tied != op) {
                    return Err(SlotProblem::OperatoryUnavailable);
                }
                if !free(&self.busy.operatory, &op, s, e) {
                    return Err(SlotProblem::OperatoryBusy);
                }
                Ok(Placement {
                    operatory: op,
                    auto_filled: AutoFill::Requested,
                })
            }
            None => self
                .pick_operatory(&window, provider.kind, s, e)
                .map(|(operatory, auto_filled)| Placement {
                    operatory,
                    auto_filled,
                })
                .ok_or(SlotProblem::NoFreeOperatory),
        }
    }
}

/// A clinic-local wall-clock time as an instant. A time skipped by a DST jump does not exist
/// (`None`); a time that occurs twice resolves to the earlier.
pub fn resolve(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earliest, _) => Some(earliest.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// A window bound as an instant: inside a DST gap it moves to the end of the gap; when the
/// local time occurs twice, a start takes the earlier and an end the later.
fn boundary(zone: Tz, local: NaiveDateTime, is_end: bool) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, later) => {
            Some(if is_end { later } else { earlier }.with_timezone(&Utc))
        }
        LocalResult::None => (1..=180).find_map(|minutes| {
            zone.from_local_datetime(&(local + Duration::minutes(minutes)))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        }),
    }
}

#[cfg(test)]
#[path = "availability_tests.rs"]
mod tests;
