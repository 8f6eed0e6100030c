//! What each tool does, over the booking engine, for the call's clinic only.

use chrono::{Duration, Timelike};

use super::confirm::Action;
use super::contract::*;
use super::speech::{spoken_date, spoken_slot, spoken_time, with_article};
use super::{ToolContext, ToolError, ToolOutput, idempotency_key};
use crate::agent::Ending;
use crate::booking::AppointmentFilter;
use crate::booking::{
    AppointmentId, AppointmentStatus, AppointmentType, BookRequest, Catalogue, NewMessage,
    NewPatient, Patient, PatientId, PatientLookup, PhoneNumber, Provider, ProviderId,
    RescheduleRequest, ServiceError, SlotSearch, parse_start,
};
use crate::calls::ToolCallRecord;

/// Runs one tool, and files it in the call's record (off the answer's path).
pub async fn call(ctx: &mut ToolContext<'_>, request: &ToolCall) -> Result<ToolOutput, ToolError> {
    let result = run(ctx, request).await;
    let record = ToolCallRecord {
        at: chrono::Utc::now(),
        name: request.name().to_owned(),
        arguments: request.arguments().to_string(),
        result: match &result {
            Ok(output) => output.result.to_json().to_string(),
            Err(err) => err.as_result().to_string(),
        },
        successful: result.is_ok(),
    };
    let call_log = ctx.call_log.clone();
    let (org, call_id) = (ctx.org.id, ctx.call_id.to_owned());
    tokio::spawn(async move {
        if let Err(err) = call_log.tool_call(org, &call_id, &record).await {
            tracing::warn!(%call_id, error = %err, "could not record a tool call");
        }
    });
    result
}

async fn run(ctx: &mut ToolContext<'_>, request: &ToolCall) -> Result<ToolOutput, ToolError> {
    let result = match request {
        ToolCall::CurrentDatetime => ToolResult::Now(current_datetime(ctx)),
        ToolCall::OfficeInfo => ToolResult::Office(office_info(ctx).await?),
        ToolCall::FindPatient(args) => ToolResult::Patient(find_patient(ctx, args).await?),
        ToolCall::CreatePatient(args) => ToolResult::Registered(create_patient(ctx, args).await?),
        ToolCall::ListAppointments => ToolResult::Appointments(list_appointments(ctx).await?),
        ToolCall::FindSlots(args) => ToolResult::Slots(find_slots(ctx, args).await?),
        ToolCall::BookAppointment(args) => ToolResult::Proposed(propose_booking(ctx, args).await?),
        ToolCall::RescheduleAppointment(args) => {
            ToolResult::Proposed(propose_move(ctx, args).await?)
        }
        ToolCall::CancelAppointment(args) => ToolResult::Proposed(propose_cancel(ctx, args).await?),
        ToolCall::ConfirmAction(args) => ToolResult::Done(confirm(ctx, args).await?),
        ToolCall::TakeMessage(args) => ToolResult::MessageTaken(take_message(ctx, args).await?),
        ToolCall::TransferToFrontDesk => return transfer(ctx).await,
        ToolCall::EndCall => {
            return Ok(ToolOutput {
                result: ToolResult::Ending { ending: true },
                ending: Some(Ending::EndCall),
            });
        }
    };
    Ok(ToolOutput::value(result))
}

fn bad(err: impl std::fmt::Display) -> ToolError {
    ToolError::BadArguments(err.to_string())
}

fn service(err: ServiceError) -> ToolError {
    match err {
        ServiceError::Store(store) => {
            tracing::warn!(error = %store, "a tool could not reach the clinic's data");
            ToolError::Unavailable(store.to_string())
        }
        ServiceError::Conflict(_) | ServiceError::Unavailable(_) => {
            ToolError::Refused(Refusal::SlotTaken)
        }
        ServiceError::NotFound("appointment") => ToolError::Refused(Refusal::NoSuchAppointment),
        other => ToolError::Refused(Refusal::Rule {
            reason: other.to_string(),
        }),
    }
}

fn trimmed(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn current_datetime(ctx: &ToolContext<'_>) -> NowInfo {
    let local = ctx.org.time_zone.local(ctx.now);
    NowInfo {
        date: local.date_naive(),
        time: local.format("%H:%M").to_string(),
        weekday: local.format("%A").to_string(),
        spoken: format!(
            "{} at {}",
            spoken_date(local.date_naive()),
            spoken_time(local.time())
        ),
        time_zone: ctx.org.time_zone.name().to_owned(),
    }
}

async fn catalogue(ctx: &ToolContext<'_>) -> Result<Catalogue, ToolError> {
    ctx.scheduler.catalogue(ctx.org).await.map_err(service)
}

async fn office_info(ctx: &ToolContext<'_>) -> Result<OfficeInfo, ToolError> {
    let c = catalogue(ctx).await?;
    Ok(OfficeInfo {
        name: ctx.org.name.clone(),
        address: c.settings.address.clone(),
        phone: c.settings.phone.as_ref().map(ToString::to_string),
        hours: c
            .office_hours
            .iter()
            .map(|h| HoursInfo {
                day: h.weekday.to_string(),
                open: spoken_time(h.hours.start),
                close: spoken_time(h.hours.end),
            })
            .collect(),
        providers: c
            .providers
            .iter()
            .filter(|p| p.active)
            .map(|p| NamedRef {
                id: p.id.to_string(),
                name: p.name.clone(),
                kind: Some(p.kind),
                minutes: None,
            })
            .collect(),
        services: c
            .appointment_types
            .iter()
            .filter(|t| t.active)
            .map(|t| NamedRef {
                id: t.id.to_string(),
                name: t.name.clone(),
                kind: None,
                minutes: Some(t.duration.get()),
            })
            .collect(),
        cancellation_policy: c.settings.cancellation_policy.clone(),
        can_transfer: c.settings.transfer_number.is_some(),
    })
}

fn patient_ref(patient: &Patient) -> PatientRef {
    PatientRef {
        id: patient.id.to_string(),
        first_name: patient.first_name.clone(),
        last_name: patient.last_name.clone(),
    }
}

async fn find_patient(
    ctx: &mut ToolContext<'_>,
    args: &FindPatient,
) -> Result<PatientMatch, ToolError> {
    let not_verified = |next| PatientMatch {
        found: true,
        verified: false,
        patient: None,
        next: Some(next),
    };
    // The verified patient is whoever the latest search proved: a caller who turns out to be
    // someone else loses what the earlier match allowed.
    ctx.guard.set_patient(None);
    let found = if let Some(phone) = trimmed(&args.phone) {
        let phone = PhoneNumber::parse(phone).map_err(bad)?;
        let matches = ctx
            .scheduler
            .find_patients(ctx.org, PatientLookup::Phone(&phone))
            .await
            .map_err(service)?;
        let from_caller = ctx.caller.as_ref() == Some(&phone);
        // A number alone proves nothing unless it is the one calling; a birth date does.
        let matches: Vec<Patient> = matches
            .into_iter()
            .filter(|p| args.birth_date.is_none_or(|d| p.birth_date == d))
            .collect();
        if !from_caller && args.birth_date.is_none() && !matches.is_empty() {
            return Ok(not_verified("ask for the date of birth to verify"));
        }
        matches
    } else {
        let last_name = trimmed(&args.last_name)
            .ok_or_else(|| bad("give a phone, or a last name and birth_date"))?;
        let birth_date = args
            .birth_date
            .ok_or_else(|| bad("give a phone, or a last name and birth_date"))?;
        ctx.scheduler
            .find_patients(
                ctx.org,
                PatientLookup::Name {
                    last_name,
                    first_name: trimmed(&args.first_name),
                    birth_date,
                },
            )
            .await
            .map_err(service)?
    };
    Ok(match found.as_slice() {
        [] => PatientMatch {
            found: false,
            verified: false,
            patient: None,
            next: None,
        },
        [one] => {
            ctx.guard.set_patient(Some(one.id));
            PatientMatch {
                found: true,
                verified: true,
                patient: Some(patient_ref(one)),
                next: None,
            }
        }
        _ => not_verified("several records match: ask for the first name"),
    })
}

async fn create_patient(
    ctx: &mut ToolContext<'_>,
    args: &CreatePatient,
) -> Result<Registered, ToolError> {
    let phone = match trimmed(&args.phone) {
        Some(phone) => Some(PhoneNumber::parse(phone).map_err(bad)?),
        None => ctx.caller.clone(),
    };
    let today = ctx.org.time_zone.local(ctx.now).date_naive();
    let new = NewPatient::new(
        &args.first_name,
        &args.last_name,
        args.birth_date,
        phone,
        trimmed(&args.email),
        today,
    )
    .map_err(bad)?;
    let lookup = PatientLookup::Name {
        last_name: &new.last_name,
        first_name: Some(&new.first_name),
        birth_date: new.birth_date,
    };
    // Asked twice (a retry), or already a patient: the same record, not a second one.
    let existing = ctx
        .scheduler
        .find_patients(ctx.org, lookup)
        .await
        .map_err(service)?;
    let patient = match existing.into_iter().next() {
        Some(patient) => patient,
        None => ctx
            .scheduler
            .create_patient(ctx.org, new, ctx.now)
            .await
            .map_err(service)?,
    };
    ctx.guard.set_patient(Some(patient.id));
    Ok(Registered {
        created: true,
        verified: true,
        patient: patient_ref(&patient),
    })
}

fn verified(ctx: &ToolContext<'_>) -> Result<PatientId, ToolError> {
    ctx.guard
        .patient
        .ok_or(ToolError::Refused(Refusal::NotVerified))
}

fn find_type<'a>(c: &'a Catalogue, wanted: &str) -> Result<&'a AppointmentType, ToolError> {
    let wanted_lower = wanted.trim().to_lowercase();
    let active = || c.appointment_types.iter().filter(|t| t.active);
    active()
        .find(|t| t.id.to_string() == wanted || t.name.to_lowercase() == wanted_lower)
        .or_else(|| active().find(|t| t.name.to_lowercase().contains(&wanted_lower)))
        .or_else(|| active().find(|t| wanted_lower.contains(&t.name.to_lowercase())))
        .filter(|_| !wanted_lower.is_empty())
        .ok_or_else(|| {
            ToolError::Refused(Refusal::UnknownService {
                services: active().map(|t| t.name.clone()).collect(),
            })
        })
}

fn find_provider<'a>(c: &'a Catalogue, wanted: &str) -> Result<&'a Provider, ToolError> {
    let wanted_lower = wanted.trim().to_lowercase();
    let active = || c.providers.iter().filter(|p| p.active);
    active()
        .find(|p| {
            !wanted_lower.is_empty()
                && (p.id.to_string() == wanted
                    || p.name.to_lowercase() == wanted_lower
                    || p.name.to_lowercase().contains(&wanted_lower))
        })
        .ok_or_else(|| {
            ToolError::Refused(Refusal::UnknownProvider {
                providers: active().map(|p| p.name.clone()).collect(),
            })
        })
}

fn provider_name(c: &Catalogue, id: ProviderId) -> String {
    c.providers
        .iter()
        .find(|p| p.id == id)
        .map_or_else(String::new, |p| p.name.clone())
}

fn type_name(c: &Catalogue, appointment: &crate::booking::Appointment) -> String {
    c.appointment_types
        .iter()
        .find(|t| t.id == appointment.appointment_type)
        .map_or_else(|| "appointment".to_owned(), |t| t.name.clone())
}

async fn list_appointments(ctx: &ToolContext<'_>) -> Result<Appointments, ToolError> {
    let patient = verified(ctx)?;
    let c = catalogue(ctx).await?;
    let zone = ctx.org.time_zone.tz();
    let appointments = ctx
        .scheduler
        .appointments(ctx.org, AppointmentFilter::Patient(patient))
        .await
        .map_err(service)?;
    let appointments = appointments
        .iter()
        .filter(|a| a.status == AppointmentStatus::Scheduled && a.start >= ctx.now)
        .map(|a| AppointmentInfo {
            id: a.id.to_string(),
            appointment_type: type_name(&c, a),
            provider: provider_name(&c, a.provider),
            start: a.start.to_rfc3339(),
            date: a.start.with_timezone(&zone).date_naive(),
            spoken: spoken_slot(a.start, zone),
        })
        .collect();
    Ok(Appointments { appointments })
}

async fn find_slots(ctx: &ToolContext<'_>, args: &FindSlots) -> Result<Slots, ToolError> {
    let c = catalogue(ctx).await?;
    let kind = find_type(&c, &args.appointment_type)?;
    let provider = trimmed(&args.provider)
        .map(|p| find_provider(&c, p))
        .transpose()?;
    let today = ctx.org.time_zone.local(ctx.now).date_naive();
    let from = args.from.max(today);
    let to = args
        .to
        .unwrap_or(from + Duration::days(13))
        .max(from)
        .min(from + Duration::days(crate::booking::service::MAX_SEARCH_DAYS - 1));
    let limit = args.limit.map_or(3, |l| l.clamp(1, 10) as usize);
    let search = SlotSearch {
        appointment_type: kind.id,
        from,
        to,
        provider: provider.map(|p| p.id),
        patient: ctx.guard.patient,
        limit: None,
    };
    let zone = ctx.org.time_zone.tz();
    let slots = ctx
        .scheduler
        .open_slots(ctx.org, &search, ctx.now)
        .await
        .map_err(service)?;
    let around = trimmed(&args.around)
        .map(|t| {
            chrono::NaiveTime::parse_from_str(t, "%H:%M")
                .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M:%S"))
                .map_err(|_| bad(format!("'around' must be HH:MM, not '{t}'")))
        })
        .transpose()?;
    let in_part = slots
        .iter()
        .filter(|s| args.time_of_day.contains(s.local_start.hour()));
    let mut picked: Vec<&crate::booking::Slot> = Vec::new();
    if let Some(around) = around {
        // A time the caller named: the closest open times, however close together.
        picked = in_part.collect();
        picked.sort_by_key(|s| ((s.local_start.time() - around).num_minutes().abs(), s.start));
        picked.truncate(limit);
        picked.sort_by_key(|s| s.start);
    }
    // Offer times people can tell apart: at least an hour between offers on one day.
    for slot in slots
        .iter()
        .filter(|s| args.time_of_day.contains(s.local_start.hour()))
        .filter(|_| around.is_none())
    {
        let close = picked.iter().any(|p| {
            p.local_start.date() == slot.local_start.date()
                && (slot.start - p.start).num_minutes().abs() < 60
        });
        if !close {
            picked.push(slot);
        }
        if picked.len() == limit {
            break;
        }
    }
    Ok(Slots {
        appointment_type: kind.name.clone(),
        minutes: kind.duration.get(),
        slots: picked
            .iter()
            .map(|s| SlotInfo {
                start: s.start.to_rfc3339(),
                date: s.local_start.date(),
                time: s.local_start.time(),
                spoken: spoken_slot(s.start, zone),
                provider_id: s.provider.to_string(),
                provider: provider_name(&c, s.provider),
            })
            .collect(),
    })
}

/// Checks a booking can be made as asked, and holds it for the caller's yes.
async fn propose_booking(
    ctx: &mut ToolContext<'_>,
    args: &BookAppointment,
) -> Result<Proposed, ToolError> {
    let patient = verified(ctx)?;
    let c = catalogue(ctx).await?;
    let kind = find_type(&c, &args.appointment_type)?;
    let provider = find_provider(&c, &args.provider_id)?;
    let zone = ctx.org.time_zone.tz();
    let start = parse_start(&args.start, zone).map_err(bad)?;
    // Only a time that is open now is read back.
    let day = start.with_timezone(&zone).date_naive();
    let search = SlotSearch {
        appointment_type: kind.id,
        from: day,
        to: day,
        provider: Some(provider.id),
        patient: Some(patient),
        limit: None,
    };
    let open = ctx
        .scheduler
        .open_slots(ctx.org, &search, ctx.now)
        .await
        .map_err(service)?;
    if !open.iter().any(|s| s.start == start) {
        return Err(ToolError::Refused(Refusal::SlotTaken));
    }
    let readback = format!(
        "To confirm, that's {} for {} with {} on {}. Shall I book it?",
        with_article(&kind.name),
        patient_first_name(ctx, patient).await?,
        provider.name,
        spoken_slot(start, zone)
    );
    let action = Action::Book {
        appointment_type: kind.id,
        provider: provider.id,
        start,
        note: trimmed(&args.note).map(str::to_owned),
    };
    let token = ctx.guard.propose(action, readback.clone());
    Ok(Proposed {
        awaiting_confirmation: true,
        readback,
        token,
    })
}

/// Named in read-backs, so a caller booking under the wrong record hears whose it is.
async fn patient_first_name(
    ctx: &ToolContext<'_>,
    patient: PatientId,
) -> Result<String, ToolError> {
    Ok(ctx
        .scheduler
        .patient(ctx.org, patient)
        .await
        .map_err(service)?
        .first_name)
}

/// One of the verified caller's own appointments; another patient's is "not found".
async fn own_appointment(
    ctx: &ToolContext<'_>,
    id: &str,
) -> Result<crate::booking::Appointment, ToolError> {
    let patient = verified(ctx)?;
    let id: AppointmentId = id.trim().parse().map_err(bad)?;
    match ctx.scheduler.appointment(ctx.org, id).await {
        Ok(a) if a.patient == patient && a.status == AppointmentStatus::Scheduled => Ok(a),
        Ok(_) | Err(ServiceError::NotFound(_)) => {
            Err(ToolError::Refused(Refusal::NoSuchAppointment))
        }
        Err(err) => Err(service(err)),
    }
}

async fn propose_move(
    ctx: &mut ToolContext<'_>,
    args: &RescheduleAppointment,
) -> Result<Proposed, ToolError> {
    let appointment = own_appointment(ctx, &args.appointment_id).await?;
    let c = catalogue(ctx).await?;
    let zone = ctx.org.time_zone.tz();
    let start = parse_start(&args.start, zone).map_err(bad)?;
    let provider = trimmed(&args.provider_id)
        .map(|p| find_provider(&c, p).map(|p| p.id))
        .transpose()?;
    let readback = format!(
        "To confirm, I'll move {}'s {} from {} to {} with {}. Shall I go ahead?",
        patient_first_name(ctx, appointment.patient).await?,
        type_name(&c, &appointment).to_lowercase(),
        spoken_slot(appointment.start, zone),
        spoken_slot(start, zone),
        provider_name(&c, provider.unwrap_or(appointment.provider)),
    );
    let action = Action::Reschedule {
        appointment: appointment.id,
        start,
        provider,
    };
    let token = ctx.guard.propose(action, readback.clone());
    Ok(Proposed {
        awaiting_confirmation: true,
        readback,
        token,
    })
}

async fn propose_cancel(
    ctx: &mut ToolContext<'_>,
    args: &CancelAppointment,
) -> Result<Proposed, ToolError> {
    let appointment = own_appointment(ctx, &args.appointment_id).await?;
    let c = catalogue(ctx).await?;
    let readback = format!(
        "Just to confirm, you'd like to cancel {}'s {} on {}?",
        patient_first_name(ctx, appointment.patient).await?,
        type_name(&c, &appointment).to_lowercase(),
        spoken_slot(appointment.start, ctx.org.time_zone.tz())
    );
    let action = Action::Cancel {
        appointment: appointment.id,
        reason: trimmed(&args.reason).map(str::to_owned),
    };
    let token = ctx.guard.propose(action, readback.clone());
    Ok(Proposed {
        awaiting_confirmation: true,
        readback,
        token,
    })
}

/// Runs the proposal the caller just said yes to, exactly as it was read back.
async fn confirm(ctx: &mut ToolContext<'_>, args: &ConfirmAction) -> Result<Done, ToolError> {
    let patient = verified(ctx)?;
    let action = ctx
        .guard
        .confirm(&args.token, ctx.transcript)
        .map_err(|reason| ToolError::Refused(Refusal::NotConfirmed { reason }))?;
    let c = catalogue(ctx).await?;
    let zone = ctx.org.time_zone.tz();
    let done = |kind: ActionKind, a: &crate::booking::Appointment| Done {
        action: kind,
        appointment_id: a.id.to_string(),
        appointment_type: type_name(&c, a),
        provider: provider_name(&c, a.provider),
        start: a.start.to_rfc3339(),
        spoken: spoken_slot(a.start, zone),
        cancellation_policy: None,
        booked: kind == ActionKind::Book,
        rescheduled: kind == ActionKind::Reschedule,
        cancelled: kind == ActionKind::Cancel,
    };
    match action {
        Action::Book {
            appointment_type,
            provider,
            start,
            note,
        } => {
            let key = idempotency_key(ctx.call_id, "confirm_action", &args.token);
            let booked = ctx
                .scheduler
                .book(
                    ctx.org,
                    BookRequest {
                        patient,
                        appointment_type,
                        provider,
                        start,
                        operatory: None,
                        note,
                        source: "voice".into(),
                        idempotency_key: Some(key),
                        call_id: Some(ctx.call_id.to_owned()),
                    },
                    ctx.now,
                )
                .await
                .map_err(service)?;
            Ok(done(ActionKind::Book, &booked.appointment))
        }
        Action::Reschedule {
            appointment,
            start,
            provider,
        } => {
            let moved = ctx
                .scheduler
                .reschedule(
                    ctx.org,
                    appointment,
                    RescheduleRequest {
                        start,
                        provider,
                        operatory: None,
                    },
                    ctx.now,
                )
                .await
                .map_err(service)?;
            Ok(done(ActionKind::Reschedule, &moved))
        }
        Action::Cancel {
            appointment,
            reason,
        } => {
            let cancelled = ctx
                .scheduler
                .cancel(ctx.org, appointment, reason, ctx.now)
                .await
                .map_err(service)?;
            Ok(Done {
                cancellation_policy: c.settings.cancellation_policy.clone(),
                ..done(ActionKind::Cancel, &cancelled)
            })
        }
    }
}

/// A message for the front desk, filed with this call. The caller's own number is the
/// callback when none was given.
async fn take_message(
    ctx: &ToolContext<'_>,
    args: &TakeMessage,
) -> Result<MessageTaken, ToolError> {
    let callback = match trimmed(&args.callback_number) {
        Some(number) => Some(PhoneNumber::parse(number).map_err(bad)?),
        None => ctx.caller.clone(),
    };
    let message = NewMessage::new(
        Some(ctx.call_id),
        &args.caller_name,
        callback,
        &args.reason,
        trimmed(&args.language),
        args.urgent,
    )
    .map_err(bad)?;
    ctx.scheduler
        .take_message(ctx.org, message, ctx.now)
        .await
        .map_err(service)?;
    Ok(MessageTaken {
        message_taken: true,
    })
}

async fn transfer(ctx: &ToolContext<'_>) -> Result<ToolOutput, ToolError> {
    let c = catalogue(ctx).await?;
    match c.settings.transfer_number {
        Some(number) => Ok(ToolOutput {
            result: ToolResult::Transferring { transferring: true },
            ending: Some(Ending::Transfer(number.to_string())),
        }),
        None => Err(ToolError::Refused(Refusal::NoTransferNumber)),
    }
}
