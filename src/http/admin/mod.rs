//! The web console under `/admin`: staff sign in and see their clinic's day, calls and
//! records. Server-rendered (askama), htmx for the parts that update by themselves, every
//! asset embedded in the binary.

mod activity;
mod auth;
mod calendar;
mod calls;
mod inbox;
mod invite;
mod keys;
mod lab;
mod lab_bookings;
mod login;
mod operator;
mod patients;
mod readiness;
mod retell;
mod schedule;
mod setup;
mod statistics;
mod team;
mod today;
mod transcript;
mod view;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::sign_out))
        .route("/assets/htmx.min.js", get(htmx))
        .route("/assets/console.css", get(css))
        .route("/{slug}", get(today::redirect))
        .route("/{slug}/today", get(today::page))
        .route("/{slug}/today/board", get(today::board))
        .route("/{slug}/calendar", get(calendar::page))
        .route("/{slug}/calendar/book", post(calendar::book))
        .route(
            "/{slug}/appointments/{id}/move",
            post(calendar::move_appointment),
        )
        .route("/{slug}/appointments/{id}/cancel", post(calendar::cancel))
        .route("/{slug}/calls", get(calls::list))
        .route("/{slug}/calls/{call_id}", get(calls::detail))
        .route("/{slug}/patients", get(patients::search))
        .route("/{slug}/patients/{id}", get(patients::detail))
        .route(
            "/{slug}/patients/{id}/contact",
            post(patients::update_contact),
        )
        .route("/{slug}/inbox", get(inbox::page))
        .route(
            "/{slug}/inbox/messages/{id}/done",
            post(inbox::message_done),
        )
        .route("/{slug}/inbox/calls/{call_id}/done", post(inbox::call_done))
        .route("/{slug}/activity", get(activity::page))
        .route("/{slug}/statistics", get(statistics::page))
        // Readiness, the Retell connection and the operators' page.
        .route("/{slug}/setup", get(readiness::page))
        .route("/{slug}/setup/retell", get(retell::page))
        .route("/{slug}/setup/retell/agents", post(retell::add_agent))
        .route(
            "/{slug}/setup/retell/agents/remove",
            post(retell::remove_agent),
        )
        .route("/operator", get(operator::page))
        .route("/operator/clinics", post(operator::add))
        .route("/operator/default", post(operator::set_default))
        .route("/operator/remove", post(operator::remove))
        .merge(setup::routes())
        // The team and the Booking API keys (owners), and accepting an invitation.
        .route("/{slug}/setup/team", get(team::page))
        .route("/{slug}/setup/team/invitations", post(team::invite))
        .route(
            "/{slug}/setup/team/invitations/{id}/revoke",
            post(team::revoke_invitation),
        )
        .route(
            "/{slug}/setup/team/members/{id}/role",
            post(team::change_role),
        )
        .route("/{slug}/setup/team/members/{id}/remove", post(team::remove))
        .route("/{slug}/setup/keys", get(keys::page).post(keys::create))
        .route("/{slug}/setup/keys/{prefix}/revoke", post(keys::revoke))
        .route("/invite/{token}", get(invite::page).post(invite::accept))
        // The test lab.
        .route("/assets/lab.js", get(lab::script))
        .route("/{slug}/lab", get(lab::page))
        .route("/{slug}/lab/calls", post(lab::start))
        .route("/{slug}/lab/calls/{call_id}", get(lab_bookings::activity))
        .route("/{slug}/lab/calls/{call_id}/end", post(lab::end))
        .route("/{slug}/lab/bookings", get(lab_bookings::recent))
        .route(
            "/{slug}/lab/appointments/{id}/undo",
            post(lab_bookings::undo),
        )
        .layer(axum::middleware::map_response(no_store))
}

/// What a console request can end in besides its page.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Not signed in (or the session ended): to the sign-in page.
    #[error("sign in")]
    SignIn,
    /// The same, for a part of a page htmx fetched: the whole page goes to the sign-in page,
    /// rather than the form landing inside the page.
    #[error("sign in")]
    SignInWholePage,
    /// Not there, or not this user's to see: the same answer either way.
    #[error("not found")]
    NotFound,
    /// A state-changing request without the session's CSRF token.
    #[error("forbidden")]
    Forbidden,
    #[error("invalid request: {0}")]
    BadRequest(String),
    #[error("internal error")]
    Internal(String),
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            AdminError::SignIn => return Redirect::to("/admin/login").into_response(),
            AdminError::SignInWholePage => {
                let page = Html("<p>Signed out. <a href=\"/admin/login\">Sign in</a></p>");
                return (
                    StatusCode::UNAUTHORIZED,
                    [("hx-redirect", "/admin/login")],
                    page,
                )
                    .into_response();
            }
            AdminError::NotFound => (StatusCode::NOT_FOUND, "Not found", "There is nothing here."),
            AdminError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Refused",
                "This form has expired. Go back, reload the page and try again.",
            ),
            AdminError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "Invalid request", message.as_str())
            }
            AdminError::Internal(detail) => {
                tracing::error!(error = %detail, "[console] internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Please try again.",
                )
            }
        };
        let page = ErrorPage { title, message };
        (status, render(&page)).into_response()
    }
}

impl From<crate::booking::ServiceError> for AdminError {
    fn from(err: crate::booking::ServiceError) -> Self {
        use crate::booking::ServiceError;
        match err {
            ServiceError::NotFound(_) => AdminError::NotFound,
            ServiceError::Store(store) => AdminError::Internal(store.to_string()),
            other => AdminError::BadRequest(other.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for AdminError {
    fn from(err: crate::store::StoreError) -> Self {
        AdminError::Internal(err.to_string())
    }
}

/// A template as an HTML response; a template that fails to render is an internal error.
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "[console] a template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Console pages hold patients' names: a browser must not keep them, so Back after signing out
/// on a shared front-desk computer shows nothing. Assets say their own caching.
async fn no_store(mut response: Response) -> Response {
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    response
}

async fn htmx() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../../assets/htmx.min.js"),
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../assets/console.css"),
    )
}
