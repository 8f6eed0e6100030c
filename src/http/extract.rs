//! Request bodies and query strings read in the API's own words: every rejection is our JSON
//! `ApiError`, and text holding a NUL character (which PostgreSQL cannot store, and no client
//! means) is a `validation` error before anything runs.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ApiError;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::Validation(
                "send the body as JSON, with Content-Type: application/json".into(),
            ));
        }
        let body = body_bytes(req, state).await?;
        json_body(&body).map(Self)
    }
}

/// The body's bytes, within the route's body limit.
pub async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge("the body is too large".into())
        } else {
            ApiError::Validation("the body could not be read".into())
        }
    })
}

/// A JSON body as `T`, refusing NUL characters anywhere in it.
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| ApiError::Validation(format!("the body is not valid JSON: {err}")))?;
    if holds_nul(&value) {
        return Err(nul_error());
    }
    serde_json::from_value(value)
        .map_err(|err| ApiError::Validation(format!("invalid body: {err}")))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || holds_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn nul_error() -> ApiError {
    ApiError::Validation("text may not contain NUL characters".into())
}

/// Refuses text from a path or header that holds a NUL character.
pub fn no_nul(text: &str) -> Result<&str, ApiError> {
    if text.contains('\0') {
        Err(nul_error())
    } else {
        Ok(text)
    }
}

pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::Validation("the query string is not well formed".into()))?;
        if pairs
            .iter()
            .any(|(key, value)| key.contains('\0') || value.contains('\0'))
        {
            return Err(nul_error());
        }
        serde_urlencoded::from_str(query)
            .map(Self)
            .map_err(|err| ApiError::Validation(format!("invalid query: {err}")))
    }
}

/// One path segment as text, percent-decoded; not UTF-8 or holding a NUL is a `validation`
/// error in our words.
pub struct ApiPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ApiPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(segment) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::Validation("the path is not valid text".into()))?;
        no_nul(&segment)?;
        Ok(Self(segment))
    }
}
