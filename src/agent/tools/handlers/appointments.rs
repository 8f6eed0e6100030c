//! Appointments: listing, open slots, proposals read back to the caller, and carrying out
//! the one the caller confirmed.

use crate::telemetry::metrics;
use chrono::{Duration, Timelike};

use super::office::catalogue;
use super::patients::verified;
use super::{bad, service, trimmed};
use crate::agent::tools::confirm::Action;
use crate::agent::tools::contract::*;
use crate::agent::tools::speech::{spoken_slot, with_article};
use crate::agent::tools::{ToolContext, ToolError, idempotency_key};
use crate::booking::AppointmentFilter;
use crate::booking::{
    AppointmentId, AppointmentStatus, AppointmentType, BookRequest, Catalogue, PatientId, Provider,
    ProviderId, RescheduleRequest, ServiceError, SlotSearch, bounded_date, parse_start,
};

pub(super) fn find_type<'a>(
    c: &'a Catalogue,
    wanted: &str,
) -> Result<&'a AppointmentType, ToolError> {
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

pub(super) fn find_provider<'a>(c: &'a Catalogue, wanted: &str) -> Result<&'a Provider, ToolError> {
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

pub(super) fn provider_name(c: &Catalogue, id: ProviderId) -> String {
    c.providers
        .iter()
        .find(|p| p.id == id)
        .map_or_else(String::new, |p| p.name.clone())
}

pub(super) fn type_name(c: &Catalogue, appointment: &crate::booking::Appointment) -> String {
    c.appointment_types
        .iter()
        .find(|t| t.id == appointment.appointment_type)
        .map_or_else(|| "appointment".to_owned(), |t| t.name.clone())
}

pub(super) async fn list_appointments(ctx: &ToolContext<'_>) -> Result<Appointments, ToolError> {
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

pub(super) async fn find_slots(
    ctx: &ToolContext<'_>,
    args: &FindSlots,
) -> Result<Slots, ToolError> {
    let c = catalogue(ctx).await?;
    if !super::office::can_book(&c) {
        return Err(ToolError::Refused(Refusal::NotBookable));
    }
    let kind = find_type(&c, &args.appointment_type)?;
    let provider = trimmed(&args.provider)
        .map(|p| find_provider(&c, p))
        .transpose()?;
    let today = ctx.org.time_zone.local(ctx.now).date_naive();
    let from = bounded_date(args.from, "from").map_err(bad)?.max(today);
    let to = args
        .to
        .map(|to| bounded_date(to, "to"))
        .transpose()
        .map_err(bad)?
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
pub(super) async fn propose_booking(
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
pub(super) async fn patient_first_name(
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
pub(super) async fn own_appointment(
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

pub(super) async fn propose_move(
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

pub(super) async fn propose_cancel(
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
pub(super) async fn confirm(
    ctx: &mut ToolContext<'_>,
    args: &ConfirmAction,
) -> Result<Done, ToolError> {
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
            if booked.created {
                metrics::booked(ctx.org.slug.as_str(), metrics::Source::Voice);
            }
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
            metrics::rescheduled(ctx.org.slug.as_str(), metrics::Source::Voice);
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
            metrics::cancelled(ctx.org.slug.as_str(), metrics::Source::Voice);
            Ok(Done {
                cancellation_policy: c.settings.cancellation_policy.clone(),
                ..done(ActionKind::Cancel, &cancelled)
            })
        }
    }
}
