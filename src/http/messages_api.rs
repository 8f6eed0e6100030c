//! `GET /api/messages` and `POST /api/messages/{id}/handled`: the messages the receptionist
//! took for the front desk, for the clinic's own API key only. Dates are the clinic's, and the
//! paging is `/api/calls`'s.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::Deserialize;

use super::api_auth::ApiOrg;
use super::extract::{ApiPath, ApiQuery};
use super::{ApiError, AppState};
use crate::booking::{Message, MessageId, MessagePage, MessageQuery, MessageStatus, parse_date};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    from: Option<String>,
    to: Option<String>,
    /// `new` or `handled`; both when absent.
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiQuery(query): ApiQuery<MessagesQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let date = |raw: &Option<String>, what| raw.as_deref().map(|d| parse_date(d, what)).transpose();
    let query = MessageQuery {
        from: date(&query.from, "from")?,
        to: date(&query.to, "to")?,
        status: query
            .status
            .as_deref()
            .map(MessageStatus::parse)
            .transpose()?,
        limit: query.limit,
        offset: query.offset,
    };
    Ok(Json(state.scheduler.messages(&org.0, &query).await?))
}

pub async fn handled(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiPath(raw): ApiPath,
) -> Result<Json<Message>, ApiError> {
    let id: MessageId = raw.parse()?;
    Ok(Json(
        state
            .scheduler
            .mark_message_handled(&org.0, id, Utc::now())
            .await?,
    ))
}
