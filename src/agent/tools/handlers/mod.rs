//! What each tool does, over the booking engine, for the call's clinic only.

mod appointments;
mod office;
mod patients;

use appointments::{
    confirm, find_slots, list_appointments, propose_booking, propose_cancel, propose_move,
};
use office::{current_datetime, office_info, take_message, transfer};
use patients::{create_patient, find_patient};

use super::contract::*;
use super::{ToolContext, ToolError, ToolOutput};
use crate::agent::Ending;
use crate::booking::ServiceError;
use crate::calls::ToolCallRecord;

/// Runs one tool, and files it in the call's record (off the answer's path).
pub async fn call(ctx: &mut ToolContext<'_>, request: &ToolCall) -> Result<ToolOutput, ToolError> {
    let result = run(ctx, request).await;
    crate::telemetry::metrics::tool_call(request.name(), tool_outcome(&result));
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

fn tool_outcome(result: &Result<ToolOutput, ToolError>) -> crate::telemetry::metrics::ToolOutcome {
    use crate::telemetry::metrics::ToolOutcome;
    match result {
        Ok(_) => ToolOutcome::Ok,
        Err(ToolError::Refused(_)) => ToolOutcome::Refused,
        Err(_) => ToolOutcome::Error,
    }
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
