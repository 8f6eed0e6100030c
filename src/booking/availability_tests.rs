//! The availability engine's tests: unit cases and properties. One file, as the engine is.

use chrono::{NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday};
use chrono_tz::Tz;

use super::*;
use crate::booking::model::{AppointmentStatus, ExceptionKind, ScheduleException, TimeRange};
use crate::booking::{AppointmentId, AppointmentTypeId};

const NY: Tz = chrono_tz::America::New_York;

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

fn hours(from: (u32, u32), to: (u32, u32)) -> TimeRange {
    TimeRange::new(hm(from.0, from.1), hm(to.0, to.1)).expect("valid range")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn local(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    resolve(NY, date.and_time(hm(h, m))).expect("exists")
}

fn provider(kind: ProviderKind) -> Provider {
    Provider {
        id: ProviderId::new_random(),
        name: "Dr. Test".into(),
        kind,
        active: true,
    }
}

fn operatory(sort_order: i32, is_hygiene: bool) -> Operatory {
    Operatory {
        id: OperatoryId::new_random(),
        name: format!("Op {sort_order}"),
        active: true,
        is_hygiene,
        sort_order,
    }
}

fn every_day(range: TimeRange) -> Vec<OfficeHours> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
    .map(|weekday| OfficeHours {
        weekday,
        hours: range,
    })
    .collect()
}

fn block(provider: &Provider, weekday: Weekday, range: TimeRange) -> WeeklyBlock {
    WeeklyBlock {
        provider: provider.id,
        weekday,
        hours: range,
        operatory: None,
    }
}

fn minutes(m: u32) -> Minutes {
    Minutes::new(m).expect("valid minutes")
}

/// Monday 2026-12-07 in New York; "now" is the Monday before, so lead time never bites.
const MONDAY: (i32, u32, u32) = (2026, 12, 7);

fn monday() -> NaiveDate {
    day(MONDAY.0, MONDAY.1, MONDAY.2)
}

fn rules(lead: u32) -> BookingRules {
    BookingRules {
        lead_minutes: lead,
        horizon_days: 90,
        slot_step_minutes: 15,
    }
}

fn query(duration: u32, from: NaiveDate, to: NaiveDate, now: DateTime<Utc>) -> SlotQuery {
    SlotQuery {
        duration: minutes(duration),
        provider_kind: None,
        provider: None,
        patient: None,
        from,
        to,
        now,
        rules: rules(0),
        limit: None,
    }
}

struct Clinic {
    dentist: Provider,
    op1: Operatory,
    op2: Operatory,
    data: CalendarData,
}

/// One dentist working Monday 8:00 to 12:00 in a clinic open 8:00 to 17:00, two chairs.
fn clinic() -> Clinic {
    let dentist = provider(ProviderKind::Dentist);
    let op1 = operatory(1, false);
    let op2 = operatory(2, true);
    let data = CalendarData {
        office_hours: every_day(hours((8, 0), (17, 0))),
        providers: vec![dentist.clone()],
        operatories: vec![op2.clone(), op1.clone()],
        weekly: vec![block(&dentist, Weekday::Mon, hours((8, 0), (12, 0)))],
        exceptions: Vec::new(),
        busy: Vec::new(),
    };
    Clinic {
        dentist,
        op1,
        op2,
        data,
    }
}

fn week_before() -> DateTime<Utc> {
    local(monday() - Duration::days(7), 9, 0)
}

fn local_times(slots: &[Slot]) -> Vec<String> {
    slots
        .iter()
        .map(|s| s.local_start.format("%H:%M").to_string())
        .collect()
}

#[test]
fn offers_every_step_that_fits_the_working_block() {
    let c = clinic();
    let calendar = Calendar::new(NY, c.data);
    let slots = calendar.open_slots(&query(60, monday(), monday(), week_before()));
    assert_eq!(slots.len(), 13, "08:00 to 11:00 every 15 minutes");
    assert_eq!(slots[0].local_start, monday().and_time(hm(8, 0)));
    assert_eq!(slots[0].start, local(monday(), 8, 0));
    assert_eq!(slots[12].local_start, monday().and_time(hm(11, 0)));
    assert!(slots.iter().all(|s| s.provider == c.dentist.id));
    // The dentist takes the first non-hygiene chair in the clinic's order.
    assert!(slots.iter().all(|s| s.operatory == c.op1.id));
}

#[test]
fn existing_appointments_block_their_whole_length_and_cancelled_ones_do_not() {
    let mut c = clinic();
    c.data.busy.push(Busy {
        provider: Some(c.dentist.id),
        operatory: Some(c.op1.id),
        patient: None,
        start: local(monday(), 9, 0),
        end: local(monday(), 10, 0),
    });
    let calendar = Calendar::new(NY, c.data);
    let slots = calendar.open_slots(&query(60, monday(), monday(), week_before()));
    assert_eq!(
        local_times(&slots),
        ["08:00", "10:00", "10:15", "10:30", "10:45", "11:00"]
    );

    let appointment = |status| Appointment {
        id: AppointmentId::new_random(),
        patient: PatientId::new_random(),
        provider: ProviderId::new_random(),
        operatory: OperatoryId::new_random(),
        appointment_type: AppointmentTypeId::new_random(),
        start: local(monday(), 9, 0),
        end: local(monday(), 10, 0),
        status,
        note: None,
        source: "test".into(),
        idempotency_key: None,
        call_id: None,
        created_at: week_before(),
        updated_at: week_before(),
    };
    assert!(Busy::of(&appointment(AppointmentStatus::Cancelled)).is_none());
    assert!(Busy::of(&appointment(AppointmentStatus::NoShow)).is_none());
    assert!(Busy::of(&appointment(AppointmentStatus::Scheduled)).is_some());
}

#[test]
fn the_patient_must_be_free_too() {
    let mut c = clinic();
    let patient = PatientId::new_random();
    c.data.busy.push(Busy {
        provider: Some(ProviderId::new_random()),
        operatory: Some(c.op2.id),
        patient: Some(patient),
        start: local(monday(), 8, 30),
        end: local(monday(), 11, 0),
    });
    let calendar = Calendar::new(NY, c.data);
    let mut q = query(30, monday(), monday(), week_before());
    assert_eq!(calendar.open_slots(&q).len(), 15);
    q.patient = Some(patient);
    assert_eq!(
        local_times(&calendar.open_slots(&q)),
        ["08:00", "11:00", "11:15", "11:30"]
    );
}

#[test]
fn a_busy_chair_moves_the_booking_to_the_next_free_one() {
    let mut c = clinic();
    c.data.busy.push(Busy {
        provider: Some(ProviderId::new_random()),
        operatory: Some(c.op1.id),
        patient: None,
        start: local(monday(), 8, 0),
        end: local(monday(), 12, 0),
    });
    let calendar = Calendar::new(NY, c.data);
    let slots = calendar.open_slots(&query(60, monday(), monday(), week_before()));
    assert_eq!(slots.len(), 13);
    assert!(slots.iter().all(|s| s.operatory == c.op2.id));
}

#[test]
fn a_schedule_block_with_an_operatory_books_only_that_operatory() {
    let mut c = clinic();
    c.data.weekly[0].operatory = Some(c.op2.id);
    let calendar = Calendar::new(NY, c.data);
    let request = SlotRequest {
        provider: c.dentist.id,
        operatory: None,
        patient: None,
        start: local(monday(), 9, 0),
        duration: minutes(60),
        provider_kind: None,
        now: week_before(),
        rules: rules(0),
    };
    assert_eq!(
        calendar.check(&request),
        Ok(Placement {
            operatory: c.op2.id,
            auto_filled: AutoFill::ScheduleBlock
        })
    );
    let elsewhere = SlotRequest {
        operatory: Some(c.op1.id),
        ..request
    };
    assert_eq!(
        calendar.check(&elsewhere),
        Err(SlotProblem::OperatoryUnavailable)
    );
}

#[test]
fn check_explains_what_is_wrong() {
    let mut c = clinic();
    let patient = PatientId::new_random();
    c.data.busy.push(Busy {
        provider: Some(c.dentist.id),
        operatory: Some(c.op1.id),
        patient: Some(patient),
        start: local(monday(), 9, 0),
        end: local(monday(), 10, 0),
    });
    c.data.busy.push(Busy {
        provider: Some(ProviderId::new_random()),
        operatory: Some(c.op2.id),
        patient: Some(patient),
        start: local(monday(), 8, 30),
        end: local(monday(), 8, 45),
    });
    let calendar = Calendar::new(NY, c.data);
    let base = SlotRequest {
        provider: c.dentist.id,
        operatory: None,
        patient: None,
        start: local(monday(), 8, 0),
        duration: minutes(60),
        provider_kind: None,
        now: week_before(),
        rules: rules(0),
    };
    assert!(calendar.check(&base).is_ok());
    let at = |h, m| local(monday(), h, m);
    let cases = [
        (
            SlotRequest {
                start: at(9, 30),
                ..base.clone()
            },
            SlotProblem::ProviderBusy,
        ),
        (
            SlotRequest {
                start: at(11, 30),
                ..base.clone()
            },
            SlotProblem::OutsideWorkingHours,
        ),
        (
            SlotRequest {
                start: at(7, 30),
                ..base.clone()
            },
            SlotProblem::OutsideWorkingHours,
        ),
        (
            SlotRequest {
                provider: ProviderId::new_random(),
                ..base.clone()
            },
            SlotProblem::UnknownProvider,
        ),
        (
            SlotRequest {
                provider_kind: Some(ProviderKind::Hygienist),
                ..base.clone()
            },
            SlotProblem::WrongProviderKind,
        ),
        (
            SlotRequest {
                now: at(7, 30),
                rules: rules(60),
                ..base.clone()
            },
            SlotProblem::TooSoon,
        ),
        (
            SlotRequest {
                now: at(9, 0),
                ..base.clone()
            },
            SlotProblem::TooSoon,
        ),
        (
            SlotRequest {
                now: local(monday() - Duration::days(120), 9, 0),
                ..base.clone()
            },
            SlotProblem::BeyondHorizon,
        ),
        (
            SlotRequest {
                patient: Some(patient),
                ..base.clone()
            },
            SlotProblem::PatientBusy,
        ),
    ];
    for (request, problem) in cases {
        assert_eq!(calendar.check(&request), Err(problem), "{request:?}");
    }
}

#[test]
fn closures_blockouts_and_extra_hours() {
    let mut c = clinic();
    let tuesday = monday() + Duration::days(1);
    let next_monday = monday() + Duration::days(7);
    c.data.exceptions = vec![
        ScheduleException {
            date: monday(),
            provider: None,
            kind: ExceptionKind::Blockout,
            hours: Some(hours((9, 0), (10, 0))),
            operatory: None,
            note: Some("staff meeting".into()),
        },
        ScheduleException {
            date: tuesday,
            provider: Some(c.dentist.id),
            kind: ExceptionKind::ExtraHours,
            hours: Some(hours((13, 0), (14, 0))),
            operatory: None,
            note: None,
        },
        ScheduleException {
            date: next_monday,
            provider: None,
            kind: ExceptionKind::Closed,
            hours: None,
            operatory: None,
            note: Some("holiday".into()),
        },
    ];
    let calendar = Calendar::new(NY, c.data);
    let q = |d| query(60, d, d, week_before());
    assert_eq!(
        local_times(&calendar.open_slots(&q(monday()))),
        ["08:00", "10:00", "10:15", "10:30", "10:45", "11:00"]
    );
    assert_eq!(local_times(&calendar.open_slots(&q(tuesday))), ["13:00"]);
    assert!(calendar.open_slots(&q(next_monday)).is_empty());
}

#[test]
fn an_operatory_blockout_takes_only_that_chair() {
    let mut c = clinic();
    c.data.exceptions.push(ScheduleException {
        date: monday(),
        provider: None,
        kind: ExceptionKind::Blockout,
        hours: Some(hours((8, 0), (12, 0))),
        operatory: Some(c.op1.id),
        note: None,
    });
    let calendar = Calendar::new(NY, c.data);
    let slots = calendar.open_slots(&query(60, monday(), monday(), week_before()));
    assert_eq!(slots.len(), 13);
    assert!(slots.iter().all(|s| s.operatory == c.op2.id));
}

#[test]
fn lead_time_horizon_and_the_clinics_today() {
    let c = clinic();
    let calendar = Calendar::new(NY, c.data);
    // 02:30 UTC on Tuesday is still Monday 21:30 in New York.
    let late_monday = Utc
        .with_ymd_and_hms(2026, 12, 8, 2, 30, 0)
        .single()
        .expect("valid");
    assert_eq!(calendar.today(late_monday), monday());

    // At 9:20 with a 60-minute lead, the first slot is 10:30.
    let mut q = query(60, monday(), monday(), local(monday(), 9, 20));
    q.rules = rules(60);
    assert_eq!(
        local_times(&calendar.open_slots(&q)),
        ["10:30", "10:45", "11:00"]
    );

    // Past dates are never offered; the horizon cuts the range (today is 2026-11-30).
    let mut q = query(
        60,
        monday() - Duration::days(7),
        monday() + Duration::days(28),
        week_before(),
    );
    q.rules.horizon_days = 14;
    let slots = calendar.open_slots(&q);
    let dates: std::collections::BTreeSet<_> = slots.iter().map(|s| s.local_start.date()).collect();
    assert_eq!(
        dates.into_iter().collect::<Vec<_>>(),
        [
            monday() - Duration::days(7),
            monday(),
            monday() + Duration::days(7)
        ]
    );
    assert!(slots.iter().all(|s| s.start >= week_before()));
}

#[test]
fn limit_and_provider_filters() {
    let mut c = clinic();
    let hygienist = provider(ProviderKind::Hygienist);
    c.data.providers.push(hygienist.clone());
    c.data
        .weekly
        .push(block(&hygienist, Weekday::Mon, hours((8, 0), (12, 0))));
    let calendar = Calendar::new(NY, c.data);
    let mut q = query(60, monday(), monday(), week_before());
    assert_eq!(calendar.open_slots(&q).len(), 26);
    q.provider_kind = Some(ProviderKind::Hygienist);
    let slots = calendar.open_slots(&q);
    assert_eq!(slots.len(), 13);
    assert!(
        slots
            .iter()
            .all(|s| s.provider == hygienist.id && s.operatory == c.op2.id)
    );
    q.provider_kind = None;
    q.provider = Some(c.dentist.id);
    q.limit = Some(3);
    assert_eq!(
        local_times(&calendar.open_slots(&q)),
        ["08:00", "08:15", "08:30"]
    );
}

#[test]
fn dst_spring_forward_day_in_new_york() {
    // 2026-03-08 is a Sunday: clocks jump from 02:00 to 03:00.
    let sunday = day(2026, 3, 8);
    let mut c = clinic();
    c.data.weekly = vec![block(&c.dentist, Weekday::Sun, hours((1, 0), (4, 0)))];
    c.data.office_hours = every_day(hours((0, 0), (23, 0)));
    let calendar = Calendar::new(NY, c.data);
    let now = Utc
        .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("valid");
    let slots = calendar.open_slots(&query(60, sunday, sunday, now));
    // 01:00 EST to 04:00 EDT is two real hours; 01:45 ends at 03:45 EDT.
    assert_eq!(
        local_times(&slots),
        ["01:00", "01:15", "01:30", "01:45", "03:00"]
    );
    for slot in &slots {
        assert_eq!(slot.end - slot.start, Duration::minutes(60));
    }
    assert_eq!(
        slots[0].start,
        Utc.with_ymd_and_hms(2026, 3, 8, 6, 0, 0)
            .single()
            .expect("valid")
    );
    assert_eq!(
        slots[4].start,
        Utc.with_ymd_and_hms(2026, 3, 8, 7, 0, 0)
            .single()
            .expect("valid")
    );
    // 15-minute slots: none inside the missing hour.
    let short = calendar.open_slots(&query(15, sunday, sunday, now));
    assert!(
        short
            .iter()
            .all(|s| s.local_start.time() < hm(2, 0) || s.local_start.time() >= hm(3, 0))
    );
    assert_eq!(short.len(), 8);
}

#[test]
fn dst_fall_back_day_in_new_york() {
    // 2026-11-01 is a Sunday: 01:00 to 02:00 happens twice.
    let sunday = day(2026, 11, 1);
    let mut c = clinic();
    c.data.weekly = vec![block(&c.dentist, Weekday::Sun, hours((0, 0), (3, 0)))];
    c.data.office_hours = every_day(hours((0, 0), (23, 0)));
    let calendar = Calendar::new(NY, c.data);
    let now = Utc
        .with_ymd_and_hms(2026, 10, 25, 12, 0, 0)
        .single()
        .expect("valid");
    let slots = calendar.open_slots(&query(60, sunday, sunday, now));
    // 00:00 to 03:00 local is four real hours; each offered start is a distinct instant.
    let starts: std::collections::BTreeSet<_> = slots.iter().map(|s| s.start).collect();
    assert_eq!(starts.len(), slots.len());
    let last_end = slots.iter().map(|s| s.end).max().expect("slots");
    assert!(
        last_end
            <= Utc
                .with_ymd_and_hms(2026, 11, 1, 8, 0, 0)
                .single()
                .expect("valid")
    );
    assert!(local_times(&slots).contains(&"02:00".to_string()));
}

/// A tiny deterministic generator, so the property test needs no extra crate and replays.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[test]
fn property_no_offered_slot_overlaps_a_busy_provider_operatory_or_patient() {
    let mut rng = Lcg(0x5eed);
    for round in 0..300 {
        let providers: Vec<Provider> = (0..1 + rng.next(3))
            .map(|i| {
                provider(if i % 2 == 0 {
                    ProviderKind::Dentist
                } else {
                    ProviderKind::Hygienist
                })
            })
            .collect();
        let operatories: Vec<Operatory> = (0..1 + rng.next(3))
            .map(|i| operatory(i as i32, rng.next(2) == 0))
            .collect();
        let patients: Vec<PatientId> = (0..3).map(|_| PatientId::new_random()).collect();
        let weekly = providers
            .iter()
            .map(|p| {
                let start = 7 + rng.next(3) as u32;
                block(
                    p,
                    Weekday::Mon,
                    hours((start, 0), (start + 4 + rng.next(4) as u32, 30)),
                )
            })
            .collect();
        let busy: Vec<Busy> = (0..rng.next(12))
            .map(|_| {
                let start = local(monday(), 7 + rng.next(9) as u32, 5 * rng.next(12) as u32);
                Busy {
                    provider: Some(providers[rng.next(providers.len() as u64) as usize].id),
                    operatory: Some(operatories[rng.next(operatories.len() as u64) as usize].id),
                    patient: Some(patients[rng.next(3) as usize]),
                    start,
                    end: start + Duration::minutes(5 * (1 + rng.next(24) as i64)),
                }
            })
            .collect();
        let calendar = Calendar::new(
            NY,
            CalendarData {
                office_hours: every_day(hours((8, 0), (17, 0))),
                providers: providers.clone(),
                operatories,
                weekly,
                exceptions: Vec::new(),
                busy: busy.clone(),
            },
        );
        let patient = patients[rng.next(3) as usize];
        let mut q = query(
            5 * (1 + rng.next(18) as u32),
            monday(),
            monday(),
            week_before(),
        );
        q.patient = Some(patient);
        q.rules.slot_step_minutes = [5, 10, 15, 30][rng.next(4) as usize];
        for slot in calendar.open_slots(&q) {
            for b in &busy {
                let overlaps = b.start < slot.end && slot.start < b.end;
                assert!(
                    !(overlaps
                        && (b.provider == Some(slot.provider)
                            || b.operatory == Some(slot.operatory)
                            || b.patient == Some(patient))),
                    "round {round}: {slot:?} overlaps {b:?}"
                );
            }
            assert!(slot.start >= local(monday(), 8, 0) && slot.end <= local(monday(), 17, 0));
            // Every offered slot passes the booking check, in the chair it was offered in.
            let request = SlotRequest {
                provider: slot.provider,
                operatory: Some(slot.operatory),
                patient: Some(patient),
                start: slot.start,
                duration: q.duration,
                provider_kind: None,
                now: q.now,
                rules: q.rules,
            };
            assert!(calendar.check(&request).is_ok(), "round {round}: {slot:?}");
        }
    }
}
