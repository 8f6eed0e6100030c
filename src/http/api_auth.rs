//! Booking API authentication: the clinic is the one the bearer key belongs to, and nothing
//! a client sends can name another.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::{ApiError, AppState};
use crate::tenancy::Organization;

/// The clinic a Booking API request acts for.
pub struct ApiOrg(pub Arc<Organization>);

impl FromRequestParts<AppState> for ApiOrg {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized("send Authorization: Bearer <API key>".into()))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::Unauthorized("send Authorization: Bearer <API key>".into()))?;
        let org = state
            .registry
            .by_api_key(token)
            .await
            .map_err(|err| ApiError::Internal(err.to_string()))?
            .ok_or_else(|| ApiError::Unauthorized("invalid API key".into()))?;
        tracing::info!("[Booking API] Request from org: {}", org.id);
        Ok(Self(Arc::new(org)))
    }
}
