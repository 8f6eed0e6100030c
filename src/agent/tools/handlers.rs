//! What each tool does, over the booking engine, for the call's clinic only.

use chrono::{Duration, Timelike};
use serde_json::{Value, json};

use super::speech::{spoken_date, spoken_slot, spoken_time};
use super::{ToolContext, ToolError, ToolOutput, idempotency_key};
use crate::agent::Ending;
use crate::booking::{
    AppointmentId, AppointmentStatus, AppointmentType, BookRequest, Catalogue, NewPatient, Patient,
    PatientLookup, PhoneNumber, Provider, ProviderId, RescheduleRequest, ServiceError, SlotSearch,
    parse_date, parse_start,
};
use crate::store::AppointmentFilter;
use crate::store::call_records::ToolCallRecord;

/// Runs a tool by name with JSON arguments, and files it in the call's record (off the
/// answer's path).
pub async fn call(
    ctx: &mut ToolContext<'_>,
    name: &str,
    args: &Value,
) -> Result<ToolOutput, ToolError> {
    let result = run(ctx, name, args).await;
    let record = ToolCallRecord {
        at: crate::store::stamp(chrono::Utc::now()),
        name: name.chars().take(64).collect(),
        arguments: args.to_string(),
        result: match &result {
            Ok(output) => output.result.to_string(),
            Err(err) => err.as_result().to_string(),
        },
        successful: result.is_ok(),
    };
    let store = ctx.scheduler.store().clone();
    let (org, call_id) = (ctx.org.id, ctx.call_id.to_owned());
    tokio::spawn(async move {
        if let Err(err) = store.record_tool_call(org, &call_id, &record).await {
            tracing::warn!(%call_id, error = %err, "could not record a tool call");
        }
    });
    result
}

async fn run(ctx: &mut ToolContext<'_>, name: &str, args: &Value) -> Result<ToolOutput, ToolError> {
    match name {
        "current_datetime" => Ok(ToolOutput::value(current_datetime(ctx))),
        "office_info" => office_info(ctx).await.map(ToolOutput::value),
        "find_patient" => find_patient(ctx, args).await.map(ToolOutput::value),
        "create_patient" => create_patient(ctx, args).await.map(ToolOutput::value),
        "list_appointments" => list_appointments(ctx).await.map(ToolOutput::value),
        "find_slots" => find_slots(ctx, args).await.map(ToolOutput::value),
        "book_appointment" => book(ctx, args).await.map(ToolOutput::value),
        "reschedule_appointment" => reschedule(ctx, args).await.map(ToolOutput::value),
        "cancel_appointment" => cancel(ctx, args).await.map(ToolOutput::value),
        "transfer_to_front_desk" => transfer(ctx).await,
        "end_call" => Ok(ToolOutput {
            result: json!({"ending": true}),
            ending: Some(Ending::EndCall),
        }),
        other => Err(ToolError::Unknown(other.chars().take(64).collect())),
    }
}

fn text<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn required<'a>(args: &'a Value, key: &str) -> Result<&'a str, ToolError> {
    text(args, key).ok_or_else(|| ToolError::BadArguments(format!("'{key}' is required")))
}

fn bad(err: impl std::fmt::Display) -> ToolError {
    ToolError::BadArguments(err.to_string())
}

fn service(err: ServiceError) -> ToolError {
    match err {
        ServiceError::Store(store) => ToolError::Unavailable(store.to_string()),
        other => ToolError::Refused(other.to_string()),
    }
}

fn current_datetime(ctx: &ToolContext<'_>) -> Value {
    let local = ctx.org.time_zone.local(ctx.now);
    json!({
        "date": local.date_naive(),
        "time": local.format("%H:%M").to_string(),
        "weekday": local.format("%A").to_string(),
        "spoken": format!("{} at {}", spoken_date(local.date_naive()), spoken_time(local.time())),
        "time_zone": ctx.org.time_zone.name(),
    })
}

async fn catalogue(ctx: &ToolContext<'_>) -> Result<Catalogue, ToolError> {
    ctx.scheduler.catalogue(ctx.org).await.map_err(service)
}

async fn office_info(ctx: &ToolContext<'_>) -> Result<Value, ToolError> {
    let c = catalogue(ctx).await?;
    let hours: Vec<Value> = c
        .office_hours
        .iter()
        .map(|h| {
            json!({
                "day": h.weekday.to_string(),
                "open": spoken_time(h.hours.start),
                "close": spoken_time(h.hours.end),
            })
        })
        .collect();
    Ok(json!({
        "name": ctx.org.name,
        "address": c.settings.address,
        "phone": c.settings.phone,
        "hours": hours,
        "providers": c.providers.iter().filter(|p| p.active)
            .map(|p| json!({"id": p.id, "name": p.name, "kind": p.kind})).collect::<Vec<_>>(),
        "services": c.appointment_types.iter().filter(|t| t.active)
            .map(|t| json!({"id": t.id, "name": t.name, "minutes": t.duration.get()})).collect::<Vec<_>>(),
        "cancellation_policy": c.settings.cancellation_policy,
    }))
}

fn patient_json(patient: &Patient) -> Value {
    json!({"id": patient.id, "first_name": patient.first_name, "last_name": patient.last_name})
}

async fn find_patient(ctx: &mut ToolContext<'_>, args: &Value) -> Result<Value, ToolError> {
    let birth_date = text(args, "birth_date")
        .map(|d| parse_date(d, "birth_date"))
        .transpose()
        .map_err(bad)?;
    let found = if let Some(phone) = text(args, "phone") {
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
            .filter(|p| birth_date.is_none_or(|d| p.birth_date == d))
            .collect();
        if !from_caller && birth_date.is_none() && !matches.is_empty() {
            return Ok(json!({"found": true, "verified": false,
                "next": "ask for the date of birth to verify"}));
        }
        matches
    } else {
        let last_name = required(args, "last_name")?;
        let birth_date = birth_date.ok_or_else(|| {
            ToolError::BadArguments("give a phone, or a last name and birth_date".into())
        })?;
        ctx.scheduler
            .find_patients(
                ctx.org,
                PatientLookup::Name {
                    last_name,
                    first_name: text(args, "first_name"),
                    birth_date,
                },
            )
            .await
            .map_err(service)?
    };
    Ok(match found.as_slice() {
        [] => json!({"found": false, "verified": false}),
        [one] => {
            ctx.verification.patient = Some(one.id);
            json!({"found": true, "verified": true, "patient": patient_json(one)})
        }
        _ => {
            json!({"found": true, "verified": false, "next": "several records match: ask for the first name"})
        }
    })
}

async fn create_patient(ctx: &mut ToolContext<'_>, args: &Value) -> Result<Value, ToolError> {
    let phone = match text(args, "phone") {
        Some(phone) => Some(PhoneNumber::parse(phone).map_err(bad)?),
        None => ctx.caller.clone(),
    };
    let today = ctx.org.time_zone.local(ctx.now).date_naive();
    let new = NewPatient::new(
        required(args, "first_name")?,
        required(args, "last_name")?,
        parse_date(required(args, "birth_date")?, "birth_date").map_err(bad)?,
        phone,
        text(args, "email"),
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
    ctx.verification.patient = Some(patient.id);
    Ok(json!({"created": true, "verified": true, "patient": patient_json(&patient)}))
}

fn verified(ctx: &ToolContext<'_>) -> Result<crate::booking::PatientId, ToolError> {
    ctx.verification.patient.ok_or_else(|| {
        ToolError::Refused("the caller is not verified: find the patient first".into())
    })
}

fn find_type<'a>(c: &'a Catalogue, wanted: &str) -> Result<&'a AppointmentType, ToolError> {
    let wanted_lower = wanted.to_lowercase();
    let active = || c.appointment_types.iter().filter(|t| t.active);
    active()
        .find(|t| t.id.to_string() == wanted || t.name.to_lowercase() == wanted_lower)
        .or_else(|| active().find(|t| t.name.to_lowercase().contains(&wanted_lower)))
        .or_else(|| active().find(|t| wanted_lower.contains(&t.name.to_lowercase())))
        .ok_or_else(|| {
            let names: Vec<&str> = active().map(|t| t.name.as_str()).collect();
            ToolError::Refused(format!(
                "no service called '{wanted}'; services: {}",
                names.join(", ")
            ))
        })
}

fn find_provider<'a>(c: &'a Catalogue, wanted: &str) -> Result<&'a Provider, ToolError> {
    let wanted_lower = wanted.to_lowercase();
    c.providers
        .iter()
        .filter(|p| p.active)
        .find(|p| {
            p.id.to_string() == wanted
                || p.name.to_lowercase() == wanted_lower
                || p.name.to_lowercase().contains(&wanted_lower)
        })
        .ok_or_else(|| ToolError::Refused(format!("no provider called '{wanted}'")))
}

fn provider_name(c: &Catalogue, id: ProviderId) -> String {
    c.providers
        .iter()
        .find(|p| p.id == id)
        .map_or_else(String::new, |p| p.name.clone())
}

async fn list_appointments(ctx: &ToolContext<'_>) -> Result<Value, ToolError> {
    let patient = verified(ctx)?;
    let c = catalogue(ctx).await?;
    let zone = ctx.org.time_zone.tz();
    let appointments = ctx
        .scheduler
        .appointments(ctx.org, AppointmentFilter::Patient(patient))
        .await
        .map_err(service)?;
    let upcoming: Vec<Value> = appointments
        .iter()
        .filter(|a| a.status == AppointmentStatus::Scheduled && a.start >= ctx.now)
        .map(|a| {
            let kind = c
                .appointment_types
                .iter()
                .find(|t| t.id == a.appointment_type)
                .map_or("appointment", |t| t.name.as_str());
            json!({
                "id": a.id,
                "appointment_type": kind,
                "provider": provider_name(&c, a.provider),
                "start": a.start,
                "date": a.start.with_timezone(&zone).date_naive(),
                "spoken": spoken_slot(a.start, zone),
            })
        })
        .collect();
    Ok(json!({ "appointments": upcoming }))
}

/// Morning, afternoon or evening, in the clinic's local hours.
fn in_part_of_day(hour: u32, part: &str) -> bool {
    match part {
        "morning" => hour < 12,
        "afternoon" => (12..17).contains(&hour),
        "evening" => hour >= 17,
        _ => true,
    }
}

async fn find_slots(ctx: &ToolContext<'_>, args: &Value) -> Result<Value, ToolError> {
    let c = catalogue(ctx).await?;
    let kind = find_type(&c, required(args, "appointment_type")?)?;
    let provider = text(args, "provider")
        .map(|p| find_provider(&c, p))
        .transpose()?;
    let today = ctx.org.time_zone.local(ctx.now).date_naive();
    let from = parse_date(required(args, "from")?, "from")
        .map_err(bad)?
        .max(today);
    let to = match text(args, "to") {
        Some(to) => parse_date(to, "to").map_err(bad)?,
        None => from + Duration::days(13),
    }
    .max(from);
    let part = text(args, "time_of_day").unwrap_or("any");
    let limit = args
        .get("limit")
        .and_then(Value::as_u64)
        .map_or(3, |l| l.clamp(1, 10) as usize);
    let search = SlotSearch {
        appointment_type: kind.id,
        from,
        to: to.min(from + Duration::days(crate::booking::service::MAX_SEARCH_DAYS - 1)),
        provider: provider.map(|p| p.id),
        patient: ctx.verification.patient,
        limit: None,
    };
    let zone = ctx.org.time_zone.tz();
    let slots = ctx
        .scheduler
        .open_slots(ctx.org, &search, ctx.now)
        .await
        .map_err(service)?;
    // Offer times people can tell apart: at least an hour between offers on one day.
    let mut picked: Vec<&crate::booking::Slot> = Vec::new();
    for slot in slots
        .iter()
        .filter(|s| in_part_of_day(s.local_start.hour(), part))
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
    let offered: Vec<Value> = picked
        .iter()
        .map(|s| {
            json!({
                "start": s.start,
                "date": s.local_start.date(),
                "time": s.local_start.format("%H:%M").to_string(),
                "spoken": spoken_slot(s.start, zone),
                "provider_id": s.provider,
                "provider": provider_name(&c, s.provider),
            })
        })
        .collect();
    Ok(json!({"appointment_type": kind.name, "minutes": kind.duration.get(), "slots": offered}))
}

async fn book(ctx: &mut ToolContext<'_>, args: &Value) -> Result<Value, ToolError> {
    let patient = verified(ctx)?;
    let c = catalogue(ctx).await?;
    let kind = find_type(&c, required(args, "appointment_type")?)?;
    let provider = find_provider(&c, required(args, "provider_id")?)?;
    let zone = ctx.org.time_zone.tz();
    let start = parse_start(required(args, "start")?, zone).map_err(bad)?;
    let key = idempotency_key(ctx.call_id, "book_appointment", args);
    let booked = ctx
        .scheduler
        .book(
            ctx.org,
            BookRequest {
                patient,
                appointment_type: kind.id,
                provider: provider.id,
                start,
                operatory: None,
                note: text(args, "note").map(str::to_owned),
                source: "voice".into(),
                idempotency_key: Some(key),
                call_id: Some(ctx.call_id.to_owned()),
            },
            ctx.now,
        )
        .await
        .map_err(service)?;
    let a = booked.appointment;
    Ok(json!({
        "booked": true,
        "appointment_id": a.id,
        "appointment_type": kind.name,
        "provider": provider.name,
        "start": a.start,
        "spoken": spoken_slot(a.start, zone),
    }))
}

/// One of the verified caller's own appointments; another patient's is "not found".
async fn own_appointment(
    ctx: &ToolContext<'_>,
    args: &Value,
) -> Result<crate::booking::Appointment, ToolError> {
    let patient = verified(ctx)?;
    let id: AppointmentId = required(args, "appointment_id")?.parse().map_err(bad)?;
    match ctx.scheduler.appointment(ctx.org, id).await {
        Ok(a) if a.patient == patient => Ok(a),
        Ok(_) | Err(ServiceError::NotFound(_)) => Err(ToolError::Refused(
            "no such appointment for this caller".into(),
        )),
        Err(err) => Err(service(err)),
    }
}

async fn reschedule(ctx: &mut ToolContext<'_>, args: &Value) -> Result<Value, ToolError> {
    let appointment = own_appointment(ctx, args).await?;
    let c = catalogue(ctx).await?;
    let zone = ctx.org.time_zone.tz();
    let start = parse_start(required(args, "start")?, zone).map_err(bad)?;
    let provider = text(args, "provider_id")
        .map(|p| find_provider(&c, p).map(|p| p.id))
        .transpose()?;
    let moved = ctx
        .scheduler
        .reschedule(
            ctx.org,
            appointment.id,
            RescheduleRequest {
                start,
                provider,
                operatory: None,
            },
            ctx.now,
        )
        .await
        .map_err(service)?;
    Ok(json!({
        "rescheduled": true,
        "appointment_id": moved.id,
        "provider": provider_name(&c, moved.provider),
        "spoken": spoken_slot(moved.start, zone),
    }))
}

async fn cancel(ctx: &mut ToolContext<'_>, args: &Value) -> Result<Value, ToolError> {
    let appointment = own_appointment(ctx, args).await?;
    let c = catalogue(ctx).await?;
    let cancelled = ctx
        .scheduler
        .cancel(
            ctx.org,
            appointment.id,
            text(args, "reason").map(str::to_owned),
            ctx.now,
        )
        .await
        .map_err(service)?;
    Ok(json!({
        "cancelled": cancelled.status == AppointmentStatus::Cancelled,
        "spoken": spoken_slot(cancelled.start, ctx.org.time_zone.tz()),
        "cancellation_policy": c.settings.cancellation_policy,
    }))
}

async fn transfer(ctx: &ToolContext<'_>) -> Result<ToolOutput, ToolError> {
    let c = catalogue(ctx).await?;
    match c.settings.transfer_number {
        Some(number) => Ok(ToolOutput {
            result: json!({"transferring": true}),
            ending: Some(Ending::Transfer(number.to_string())),
        }),
        None => Err(ToolError::Refused(
            "this clinic has no transfer number: offer to take a message instead".into(),
        )),
    }
}
