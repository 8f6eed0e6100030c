//! `GET /api/calls` and `GET /api/calls/{call_id}`: a clinic's call history, for its own API
//! key only. Dates are the clinic's.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::api_auth::ApiOrg;
use super::extract::{ApiPath, ApiQuery};
use super::{ApiError, AppState};
use crate::booking::days_in_ms;
use crate::booking::{Message, parse_date};
use crate::calls::{CallDetail, CallSummary};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallsQuery {
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize)]
pub struct CallPage {
    items: Vec<CallSummary>,
    /// Pass as `offset` for the next page; absent on the last.
    next_offset: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiQuery(query): ApiQuery<CallsQuery>,
) -> Result<Json<CallPage>, ApiError> {
    let zone = org.0.time_zone.tz();
    let from = query
        .from
        .as_deref()
        .map(|d| parse_date(d, "from"))
        .transpose()?;
    let to = query
        .to
        .as_deref()
        .map(|d| parse_date(d, "to"))
        .transpose()?;
    let (from, to) = days_in_ms(from, to, zone)
        .map_err(|date| ApiError::Validation(format!("date {date} is out of range")))?;
    if to <= from {
        return Err(ApiError::Validation(
            "'to' must be on or after 'from'".into(),
        ));
    }
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Validation("limit is 1 to 200".into()));
    }
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::Validation("offset cannot be negative".into()));
    }
    let mut items = state
        .call_log
        .list(org.0.id, from, to, limit + 1, offset)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(Json(CallPage {
        next_offset: more.then(|| offset.saturating_add(limit)),
        items,
    }))
}

/// A call's record with the messages taken during it.
#[derive(Serialize)]
pub struct CallView {
    #[serde(flatten)]
    detail: CallDetail,
    messages: Vec<Message>,
}

pub async fn detail(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiPath(call_id): ApiPath,
) -> Result<Json<CallView>, ApiError> {
    let call_id = call_id.as_str();
    let detail = state
        .call_log
        .detail(org.0.id, call_id)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| ApiError::NotFound("no such call in this clinic".into()))?;
    let messages = state.scheduler.call_messages(&org.0, call_id).await?;
    Ok(Json(CallView { detail, messages }))
}
