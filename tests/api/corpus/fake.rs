//! A clinic in memory behind the receptionist's `Tools`: the demo clinic's providers, hours and
//! services, its patients and appointments, and the real `CallGuard` deciding every booking,
//! move and cancellation against the transcript as Retell would send it.

use std::collections::HashMap;

use ascendia::agent::Ending;
use ascendia::agent::receptionist::Tools;
use ascendia::agent::tools::contract::*;
use ascendia::agent::tools::{
    Action, CallGuard, ToolError, ToolOutput, spoken_date, spoken_time, with_article,
};
use ascendia::booking::{AppointmentId, AppointmentTypeId, PatientId, ProviderId};
use ascendia::retell::frames::Utterance;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use futures_util::future::BoxFuture;

use super::{Appt, LOPEZ, Msg, PATEL, Person, SERVICES, Scenario, World, provider_hours};

#[derive(Debug, Clone)]
pub struct FakePatient {
    pub id: PatientId,
    pub person: Person,
}

#[derive(Debug, Clone)]
pub struct FakeAppointment {
    pub id: AppointmentId,
    pub patient: PatientId,
    pub service: String,
    pub provider: String,
    pub start: NaiveDateTime,
    pub minutes: u32,
    pub scheduled: bool,
}

/// A write the guard let through, and the transcript it was checked against.
#[derive(Debug, Clone)]
pub struct Write {
    pub action: String,
    pub transcript: Vec<Utterance>,
}

pub struct FakeClinic {
    pub now: NaiveDateTime,
    pub caller: Option<String>,
    pub can_transfer: bool,
    pub providers: Vec<(ProviderId, &'static str)>,
    pub services: Vec<(AppointmentTypeId, &'static str, u32, bool)>,
    pub patients: Vec<FakePatient>,
    pub appointments: Vec<FakeAppointment>,
    pub messages: Vec<Msg>,
    pub guard: CallGuard,
    /// What Retell has recorded so far: the harness keeps it up to date before each turn.
    pub transcript: Vec<Utterance>,
    pub writes: Vec<Write>,
    pub transferred: bool,
    next_id: HashMap<String, u32>,
}

fn refused(r: Refusal) -> ToolError {
    ToolError::Refused(r)
}

fn slot_spoken(start: NaiveDateTime) -> String {
    format!(
        "{} at {}",
        spoken_date(start.date()),
        spoken_time(start.time())
    )
}

fn start_string(start: NaiveDateTime) -> String {
    start.format("%Y-%m-%dT%H:%M:%S").to_string()
}

impl FakeClinic {
    pub fn new(sc: &Scenario) -> Self {
        let now = sc
            .today
            .and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("time"));
        let providers = vec![
            (ProviderId::new_random(), super::CHEN),
            (ProviderId::new_random(), PATEL),
            (ProviderId::new_random(), LOPEZ),
        ];
        let services = SERVICES
            .iter()
            .map(|(name, minutes, dentist)| {
                (AppointmentTypeId::new_random(), *name, *minutes, *dentist)
            })
            .collect();
        let patients: Vec<FakePatient> = sc
            .patients
            .iter()
            .map(|p| FakePatient {
                id: PatientId::new_random(),
                person: p.clone(),
            })
            .collect();
        let appointments = sc
            .appointments
            .iter()
            .map(|a| FakeAppointment {
                id: AppointmentId::new_random(),
                patient: patients[a.patient].id,
                service: a.service.to_owned(),
                provider: a.provider.to_owned(),
                start: a
                    .date
                    .and_time(NaiveTime::from_hms_opt(a.hour, 0, 0).expect("time")),
                minutes: SERVICES
                    .iter()
                    .find(|s| s.0 == a.service)
                    .map_or(60, |s| s.1),
                scheduled: true,
            })
            .collect();
        Self {
            now,
            caller: Some(sc.caller_phone.clone()),
            can_transfer: sc.can_transfer,
            providers,
            services,
            patients,
            appointments,
            messages: Vec::new(),
            guard: CallGuard::default(),
            transcript: Vec::new(),
            writes: Vec::new(),
            transferred: false,
            next_id: HashMap::new(),
        }
    }

    pub fn office(&self) -> OfficeInfo {
        OfficeInfo {
            can_book: true,
            name: "Demo Dental".into(),
            address: Some("100 Main Street, Springfield".into()),
            phone: Some("+15552010100".into()),
            hours: ["Mon", "Tue", "Wed", "Thu"]
                .iter()
                .map(|d| HoursInfo {
                    day: (*d).into(),
                    open: "8 AM".into(),
                    close: "5 PM".into(),
                })
                .chain(std::iter::once(HoursInfo {
                    day: "Fri".into(),
                    open: "8 AM".into(),
                    close: "2 PM".into(),
                }))
                .collect(),
            providers: self
                .providers
                .iter()
                .map(|(id, name)| NamedRef {
                    id: id.to_string(),
                    name: (*name).into(),
                    kind: None,
                    minutes: None,
                })
                .collect(),
            services: self
                .services
                .iter()
                .map(|(id, name, minutes, _)| NamedRef {
                    id: id.to_string(),
                    name: (*name).into(),
                    kind: None,
                    minutes: Some(*minutes),
                })
                .collect(),
            cancellation_policy: Some(
                "Please give us 24 hours' notice if you need to cancel.".into(),
            ),
            can_transfer: self.can_transfer,
        }
    }

    /// The records after the call, for the checks.
    pub fn world(&self) -> World {
        World {
            patients: self
                .patients
                .iter()
                .map(|p| {
                    let appts = self
                        .appointments
                        .iter()
                        .filter(|a| a.patient == p.id)
                        .map(|a| Appt {
                            id: a.id.to_string(),
                            service: a.service.clone(),
                            provider: a.provider.clone(),
                            date: a.start.date(),
                            time: a.start.time(),
                            scheduled: a.scheduled,
                        })
                        .collect();
                    (p.person.clone(), appts)
                })
                .collect(),
            messages: self.messages.clone(),
        }
    }

    fn digits(phone: &str) -> String {
        let d: String = phone.chars().filter(char::is_ascii_digit).collect();
        if d.len() == 10 { format!("1{d}") } else { d }
    }

    fn find_type(
        &self,
        wanted: &str,
    ) -> Result<(AppointmentTypeId, &'static str, u32, bool), ToolError> {
        let w = wanted.trim().to_lowercase();
        self.services
            .iter()
            .find(|s| s.0.to_string() == wanted || s.1.to_lowercase() == w)
            .or_else(|| {
                self.services
                    .iter()
                    .find(|s| !w.is_empty() && s.1.to_lowercase().contains(&w))
            })
            .copied()
            .ok_or_else(|| {
                refused(Refusal::UnknownService {
                    services: self.services.iter().map(|s| s.1.to_owned()).collect(),
                })
            })
    }

    fn find_provider(&self, wanted: &str) -> Result<(ProviderId, &'static str), ToolError> {
        let w = wanted.trim().to_lowercase();
        self.providers
            .iter()
            .find(|p| {
                !w.is_empty() && (p.0.to_string() == wanted || p.1.to_lowercase().contains(&w))
            })
            .copied()
            .ok_or_else(|| {
                refused(Refusal::UnknownProvider {
                    providers: self.providers.iter().map(|p| p.1.to_owned()).collect(),
                })
            })
    }

    fn verified(&self) -> Result<PatientId, ToolError> {
        self.guard.patient.ok_or(refused(Refusal::NotVerified))
    }

    fn patient_ref(p: &FakePatient) -> PatientRef {
        PatientRef {
            id: p.id.to_string(),
            first_name: p.person.first.clone(),
            last_name: p.person.last.clone(),
        }
    }

    /// Open starts for a service with a provider on a day, 15 minutes apart.
    fn open(&self, provider: &str, minutes: u32, day: NaiveDate) -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        for (from, to) in provider_hours(provider, day.weekday()) {
            let mut t = day.and_time(NaiveTime::from_hms_opt(from, 0, 0).expect("time"));
            let end = day.and_time(NaiveTime::from_hms_opt(to, 0, 0).expect("time"));
            while t + Duration::minutes(minutes as i64) <= end {
                let busy = self.appointments.iter().any(|a| {
                    a.scheduled
                        && a.provider == provider
                        && a.start < t + Duration::minutes(minutes as i64)
                        && t < a.start + Duration::minutes(a.minutes as i64)
                });
                if !busy && t >= self.now + Duration::minutes(120) {
                    out.push(t);
                }
                t += Duration::minutes(15);
            }
        }
        out
    }

    fn slots(&self, args: &FindSlots) -> Result<Slots, ToolError> {
        let kind = self.find_type(&args.appointment_type)?;
        let provider = match args
            .provider
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(self.find_provider(p)?),
            None => None,
        };
        let today = self.now.date();
        let from = args.from.max(today);
        let to = args
            .to
            .unwrap_or(from + Duration::days(13))
            .max(from)
            .min(from + Duration::days(60));
        let limit = args.limit.map_or(3, |l| l.clamp(1, 10) as usize);
        let mut all: Vec<(NaiveDateTime, usize)> = Vec::new();
        let mut day = from;
        while day <= to {
            for (i, (_, name)) in self.providers.iter().enumerate() {
                if provider.is_some_and(|p| p.1 != *name) || super::is_dentist(name) != kind.3 {
                    continue;
                }
                for start in self.open(name, kind.2, day) {
                    all.push((start, i));
                }
            }
            day += Duration::days(1);
        }
        all.sort();
        let mut picked: Vec<(NaiveDateTime, usize)> = Vec::new();
        for (start, p) in all
            .into_iter()
            .filter(|(s, _)| args.time_of_day.contains(s.hour()))
        {
            let close = picked
                .iter()
                .any(|(q, _)| q.date() == start.date() && (start - *q).num_minutes().abs() < 60);
            if !close {
                picked.push((start, p));
            }
            if picked.len() == limit {
                break;
            }
        }
        Ok(Slots {
            appointment_type: kind.1.into(),
            minutes: kind.2,
            slots: picked
                .iter()
                .map(|(start, p)| SlotInfo {
                    start: start_string(*start),
                    date: start.date(),
                    time: start.time(),
                    spoken: slot_spoken(*start),
                    provider_id: self.providers[*p].0.to_string(),
                    provider: self.providers[*p].1.into(),
                })
                .collect(),
        })
    }

    fn own(&self, id: &str) -> Result<usize, ToolError> {
        let patient = self.verified()?;
        self.appointments
            .iter()
            .position(|a| a.id.to_string() == id.trim() && a.patient == patient && a.scheduled)
            .ok_or(refused(Refusal::NoSuchAppointment))
    }

    fn parse_start(s: &str) -> Result<NaiveDateTime, ToolError> {
        NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S")
            .map_err(|e| ToolError::BadArguments(e.to_string()))
    }

    fn handle(&mut self, request: &ToolCall) -> Result<ToolOutput, ToolError> {
        let value = |r| Ok(ToolOutput::value(r));
        match request {
            ToolCall::CurrentDatetime => value(ToolResult::Now(NowInfo {
                date: self.now.date(),
                time: self.now.format("%H:%M").to_string(),
                weekday: self.now.format("%A").to_string(),
                spoken: slot_spoken(self.now),
                time_zone: "America/New_York".into(),
            })),
            ToolCall::OfficeInfo => value(ToolResult::Office(self.office())),
            ToolCall::FindPatient(args) => {
                let not_verified = |next| PatientMatch {
                    found: true,
                    verified: false,
                    patient: None,
                    next: Some(next),
                };
                let found: Vec<usize> =
                    if let Some(phone) = args.phone.as_deref().filter(|p| !p.trim().is_empty()) {
                        let digits = Self::digits(phone);
                        let from_caller =
                            self.caller.as_deref().map(Self::digits) == Some(digits.clone());
                        let matches: Vec<usize> = (0..self.patients.len())
                            .filter(|i| Self::digits(&self.patients[*i].person.phone) == digits)
                            .filter(|i| {
                                args.birth_date
                                    .is_none_or(|d| self.patients[*i].person.birth == d)
                            })
                            .collect();
                        if !from_caller && args.birth_date.is_none() && !matches.is_empty() {
                            return value(ToolResult::Patient(not_verified(
                                "ask for the date of birth to verify",
                            )));
                        }
                        matches
                    } else {
                        let last = args
                            .last_name
                            .as_deref()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .ok_or_else(|| {
                                ToolError::BadArguments(
                                    "give a phone, or a last name and birth_date".into(),
                                )
                            })?;
                        let birth = args.birth_date.ok_or_else(|| {
                            ToolError::BadArguments(
                                "give a phone, or a last name and birth_date".into(),
                            )
                        })?;
                        (0..self.patients.len())
                            .filter(|i| {
                                let p = &self.patients[*i].person;
                                p.last.to_lowercase() == last.to_lowercase()
                                    && p.birth == birth
                                    && args.first_name.as_deref().is_none_or(|f| {
                                        f.trim().to_lowercase() == p.first.to_lowercase()
                                    })
                            })
                            .collect()
                    };
                value(ToolResult::Patient(match found.as_slice() {
                    [] => PatientMatch {
                        found: false,
                        verified: false,
                        patient: None,
                        next: None,
                    },
                    [one] => {
                        self.guard.patient = Some(self.patients[*one].id);
                        PatientMatch {
                            found: true,
                            verified: true,
                            patient: Some(Self::patient_ref(&self.patients[*one])),
                            next: None,
                        }
                    }
                    _ => not_verified("several records match: ask for the first name"),
                }))
            }
            ToolCall::CreatePatient(args) => {
                if args.first_name.trim().is_empty()
                    || args.last_name.trim().is_empty()
                    || args.birth_date >= self.now.date()
                {
                    return Err(ToolError::BadArguments("invalid patient".into()));
                }
                let person = Person {
                    first: args.first_name.trim().to_owned(),
                    last: args.last_name.trim().to_owned(),
                    birth: args.birth_date,
                    phone: args
                        .phone
                        .clone()
                        .or(self.caller.clone())
                        .unwrap_or_default(),
                };
                let existing = self
                    .patients
                    .iter()
                    .position(|p| super::same_person(&p.person, &person));
                let index = match existing {
                    Some(i) => i,
                    None => {
                        self.patients.push(FakePatient {
                            id: PatientId::new_random(),
                            person,
                        });
                        self.patients.len() - 1
                    }
                };
                self.guard.patient = Some(self.patients[index].id);
                value(ToolResult::Registered(Registered {
                    created: true,
                    verified: true,
                    patient: Self::patient_ref(&self.patients[index]),
                }))
            }
            ToolCall::ListAppointments => {
                let patient = self.verified()?;
                let appointments = self
                    .appointments
                    .iter()
                    .filter(|a| a.patient == patient && a.scheduled && a.start >= self.now)
                    .map(|a| AppointmentInfo {
                        id: a.id.to_string(),
                        appointment_type: a.service.clone(),
                        provider: a.provider.clone(),
                        start: start_string(a.start),
                        date: a.start.date(),
                        spoken: slot_spoken(a.start),
                    })
                    .collect();
                value(ToolResult::Appointments(Appointments { appointments }))
            }
            ToolCall::FindSlots(args) => value(ToolResult::Slots(self.slots(args)?)),
            ToolCall::BookAppointment(args) => {
                let patient = self.verified()?;
                let kind = self.find_type(&args.appointment_type)?;
                let provider = self.find_provider(&args.provider_id)?;
                let start = Self::parse_start(&args.start)?;
                if !self.open(provider.1, kind.2, start.date()).contains(&start)
                    || super::is_dentist(provider.1) != kind.3
                {
                    return Err(refused(Refusal::SlotTaken));
                }
                let readback = format!(
                    "To confirm, that's {} with {} on {}. Shall I book it?",
                    with_article(kind.1),
                    provider.1,
                    slot_spoken(start)
                );
                let token = self.guard.propose(
                    Action::Book {
                        appointment_type: kind.0,
                        provider: provider.0,
                        start: start.and_utc(),
                        note: None,
                    },
                    readback.clone(),
                );
                let _ = patient;
                value(ToolResult::Proposed(Proposed {
                    awaiting_confirmation: true,
                    readback,
                    token,
                }))
            }
            ToolCall::RescheduleAppointment(args) => {
                let i = self.own(&args.appointment_id)?;
                let start = Self::parse_start(&args.start)?;
                let provider = match args.provider_id.as_deref().filter(|p| !p.trim().is_empty()) {
                    Some(p) => Some(self.find_provider(p)?),
                    None => None,
                };
                let a = &self.appointments[i];
                let readback = format!(
                    "To confirm, I'll move your {} from {} to {} with {}. Shall I go ahead?",
                    a.service.to_lowercase(),
                    slot_spoken(a.start),
                    slot_spoken(start),
                    provider.map_or(a.provider.as_str(), |p| p.1)
                );
                let token = self.guard.propose(
                    Action::Reschedule {
                        appointment: a.id,
                        start: start.and_utc(),
                        provider: provider.map(|p| p.0),
                    },
                    readback.clone(),
                );
                value(ToolResult::Proposed(Proposed {
                    awaiting_confirmation: true,
                    readback,
                    token,
                }))
            }
            ToolCall::CancelAppointment(args) => {
                let i = self.own(&args.appointment_id)?;
                let a = &self.appointments[i];
                let readback = format!(
                    "Just to confirm, you'd like to cancel your {} on {}?",
                    a.service.to_lowercase(),
                    slot_spoken(a.start)
                );
                let token = self.guard.propose(
                    Action::Cancel {
                        appointment: a.id,
                        reason: None,
                    },
                    readback.clone(),
                );
                value(ToolResult::Proposed(Proposed {
                    awaiting_confirmation: true,
                    readback,
                    token,
                }))
            }
            ToolCall::ConfirmAction(args) => {
                let patient = self.verified()?;
                let action = self
                    .guard
                    .confirm(&args.token, &self.transcript)
                    .map_err(|reason| refused(Refusal::NotConfirmed { reason }))?;
                let (kind, i) = match action {
                    Action::Book {
                        appointment_type,
                        provider,
                        start,
                        ..
                    } => {
                        let service = self
                            .services
                            .iter()
                            .find(|s| s.0 == appointment_type)
                            .expect("type");
                        let provider = self
                            .providers
                            .iter()
                            .find(|p| p.0 == provider)
                            .expect("provider");
                        let start = start.naive_utc();
                        if !self
                            .open(provider.1, service.2, start.date())
                            .contains(&start)
                        {
                            return Err(refused(Refusal::SlotTaken));
                        }
                        self.appointments.push(FakeAppointment {
                            id: AppointmentId::new_random(),
                            patient,
                            service: service.1.into(),
                            provider: provider.1.into(),
                            start,
                            minutes: service.2,
                            scheduled: true,
                        });
                        (ActionKind::Book, self.appointments.len() - 1)
                    }
                    Action::Reschedule {
                        appointment,
                        start,
                        provider,
                    } => {
                        let i = self
                            .appointments
                            .iter()
                            .position(|a| a.id == appointment)
                            .ok_or(refused(Refusal::NoSuchAppointment))?;
                        let provider_name = provider
                            .and_then(|p| self.providers.iter().find(|q| q.0 == p))
                            .map_or(self.appointments[i].provider.clone(), |p| p.1.to_owned());
                        let a = &mut self.appointments[i];
                        a.start = start.naive_utc();
                        a.provider = provider_name;
                        (ActionKind::Reschedule, i)
                    }
                    Action::Cancel { appointment, .. } => {
                        let i = self
                            .appointments
                            .iter()
                            .position(|a| a.id == appointment)
                            .ok_or(refused(Refusal::NoSuchAppointment))?;
                        self.appointments[i].scheduled = false;
                        (ActionKind::Cancel, i)
                    }
                };
                *self.next_id.entry(format!("{kind:?}")).or_default() += 1;
                self.writes.push(Write {
                    action: format!("{kind:?}"),
                    transcript: self.transcript.clone(),
                });
                let a = &self.appointments[i];
                value(ToolResult::Done(Done {
                    action: kind,
                    appointment_id: a.id.to_string(),
                    appointment_type: a.service.clone(),
                    provider: a.provider.clone(),
                    start: start_string(a.start),
                    spoken: slot_spoken(a.start),
                    cancellation_policy: (kind == ActionKind::Cancel).then(|| {
                        "Please give us 24 hours' notice if you need to cancel.".to_owned()
                    }),
                    booked: kind == ActionKind::Book,
                    rescheduled: kind == ActionKind::Reschedule,
                    cancelled: kind == ActionKind::Cancel,
                }))
            }
            ToolCall::TakeMessage(args) => {
                if args.caller_name.trim().is_empty() || args.reason.trim().is_empty() {
                    return Err(ToolError::BadArguments(
                        "a message needs a name and a reason".into(),
                    ));
                }
                self.messages.push(Msg {
                    name: args.caller_name.clone(),
                    reason: args.reason.clone(),
                    language: args.language.clone(),
                });
                value(ToolResult::MessageTaken(MessageTaken {
                    message_taken: true,
                }))
            }
            ToolCall::TransferToFrontDesk => {
                if self.can_transfer {
                    self.transferred = true;
                    Ok(ToolOutput {
                        result: ToolResult::Transferring { transferring: true },
                        ending: Some(Ending::Transfer("+15552010199".into())),
                    })
                } else {
                    Err(refused(Refusal::NoTransferNumber))
                }
            }
            ToolCall::EndCall => Ok(ToolOutput {
                result: ToolResult::Ending { ending: true },
                ending: Some(Ending::EndCall),
            }),
        }
    }
}

impl Tools for FakeClinic {
    fn call<'a>(
        &'a mut self,
        request: &'a ToolCall,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolError>> {
        Box::pin(async move { self.handle(request) })
    }
}
