//! The office: the time, its facts, messages for the front desk, transfers.

use super::{bad, service, trimmed};
use crate::agent::Ending;
use crate::agent::tools::contract::*;
use crate::agent::tools::speech::{spoken_date, spoken_time};
use crate::agent::tools::{ToolContext, ToolError, ToolOutput};
use crate::booking::{Catalogue, NewMessage, PhoneNumber};
use crate::clinics::readiness::{self, ClinicFacts};

pub(super) fn current_datetime(ctx: &ToolContext<'_>) -> NowInfo {
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

pub(super) async fn catalogue(ctx: &ToolContext<'_>) -> Result<Catalogue, ToolError> {
    ctx.scheduler.catalogue(ctx.org).await.map_err(service)
}

/// The readiness checklist's rule: office hours, a provider with a weekly schedule and an
/// appointment type.
pub(super) fn can_book(c: &Catalogue) -> bool {
    let facts = ClinicFacts {
        office_hours: !c.office_hours.is_empty(),
        scheduled_provider: c
            .providers
            .iter()
            .any(|p| p.active && c.weekly_blocks.iter().any(|b| b.provider == p.id)),
        active_appointment_type: c.appointment_types.iter().any(|t| t.active),
        ..ClinicFacts::default()
    };
    readiness::checklist(&facts, false).can_book()
}

pub(super) async fn office_info(ctx: &ToolContext<'_>) -> Result<OfficeInfo, ToolError> {
    let c = catalogue(ctx).await?;
    Ok(OfficeInfo {
        can_book: can_book(&c),
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

/// A message for the front desk, filed with this call. The caller's own number is the
/// callback when none was given.
pub(super) async fn take_message(
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

pub(super) async fn transfer(ctx: &ToolContext<'_>) -> Result<ToolOutput, ToolError> {
    let c = catalogue(ctx).await?;
    match c.settings.transfer_number {
        Some(number) => Ok(ToolOutput {
            result: ToolResult::Transferring { transferring: true },
            ending: Some(Ending::Transfer(number.to_string())),
        }),
        None => Err(ToolError::Refused(Refusal::NoTransferNumber)),
    }
}
