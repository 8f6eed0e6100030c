use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Every HTTP error: a status and a JSON body `{"error": {"code", "message"}}` with a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Busy(String),
    #[error("this endpoint takes a WebSocket upgrade: {0}")]
    WebSocketRequired(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "not_found",
            ApiError::Validation(_) => "validation",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Busy(_) => "busy",
            ApiError::WebSocketRequired(_) => "websocket_required",
            ApiError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::WebSocketRequired(_) => StatusCode::UPGRADE_REQUIRED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Errors that axum answers by itself (an unknown method, a body over the limit) carry no JSON;
/// under `/api` they are rewritten as `ApiError`s so every client reads one shape.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    // Our own answers already have a body: JSON, or the console's HTML pages.
    let ours = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
        });
    if ours || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::MethodNotAllowed("this route does not take that method".into())
        }
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge("the body is too large".into()),
        StatusCode::NOT_FOUND => ApiError::NotFound("no such route".into()),
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized("not authorised".into()),
        status if status.is_client_error() => ApiError::Validation(format!(
            "the request was refused ({})",
            status.canonical_reason().unwrap_or("bad request")
        )),
        status => ApiError::Internal(format!("an unexpected {status} answer")),
    };
    let mut rewritten = error.into_response();
    // Keep the original status (e.g. 415), with our body.
    *rewritten.status_mut() = status;
    rewritten
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let body = json!({ "error": { "code": self.code(), "message": self.to_string() } });
        (self.status(), Json(body)).into_response()
    }
}

impl From<crate::booking::ServiceError> for ApiError {
    fn from(err: crate::booking::ServiceError) -> Self {
        use crate::booking::{ServiceError, SlotProblem};
        match err {
            ServiceError::Invalid(message) => ApiError::Validation(message),
            ServiceError::NotFound(_) => ApiError::NotFound(err.to_string()),
            ServiceError::Conflict(message) => ApiError::Conflict(message),
            ServiceError::Unavailable(problem) => match problem {
                SlotProblem::ProviderBusy
                | SlotProblem::PatientBusy
                | SlotProblem::OperatoryBusy
                | SlotProblem::NoFreeOperatory => ApiError::Conflict(problem.to_string()),
                SlotProblem::UnknownProvider => ApiError::NotFound(problem.to_string()),
                _ => ApiError::Validation(problem.to_string()),
            },
            ServiceError::Store(store) => ApiError::Internal(store.to_string()),
        }
    }
}

impl From<crate::booking::BookingError> for ApiError {
    fn from(err: crate::booking::BookingError) -> Self {
        ApiError::Validation(err.to_string())
    }
}
