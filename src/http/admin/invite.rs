//! Accepting an invitation, before anyone is signed in: `/admin/invite/{token}` names the
//! clinic, the email and the role, and asks for a new password (no account with that email
//! yet) or the account's password. Accepting makes the account if needed, adds the
//! membership, uses the invitation up (all in one transaction), and signs the person in.
//!
//! CSRF: there is no session yet. The token in the path is a 256-bit secret, so a page on
//! another site cannot post to an invitation it does not know. One that does know it (its
//! author's own invitation) could still post it from a victim's browser and sign that browser
//! into the author's new account; so the form also carries a random token that must match a
//! cookie set when the form was shown (SameSite=Lax: not sent with another site's POST), as
//! the sign-in form does. That ties the POST to the browser that opened the link, with no
//! reliance on Origin headers, which some browsers and proxies leave out.

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::auth::{SESSION_COOKIE, check_csrf, cookie, set_cookie};
use super::{AdminError, render};
use crate::http::AppState;
use crate::staff::{ABSOLUTE_EXPIRY, AcceptError, Acceptance, Invitation, SignInError};

const INVITE_CSRF_COOKIE: &str = "ascendia_invite_csrf";

const GONE: &str = "This invitation has expired; ask the clinic's owner for a new one.";

#[derive(Template)]
#[template(path = "admin/invite.html")]
struct InvitePage<'a> {
    token: &'a str,
    csrf: &'a str,
    clinic: &'a str,
    email: &'a str,
    role: &'a str,
    /// The email has an account: its password, rather than a new one.
    existing: bool,
    error: Option<&'a str>,
    password_error: Option<&'a str>,
    again_error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct GonePage<'a> {
    title: &'a str,
    message: &'a str,
}

fn gone(status: StatusCode) -> Response {
    let mut response = render(&GonePage {
        title: "Invitation expired",
        message: GONE,
    });
    *response.status_mut() = status;
    response
}

/// The invitation for a link's token and its clinic's name, or the page saying it is over.
async fn usable(state: &AppState, token: &str) -> Result<(Invitation, String), Response> {
    // Our tokens are 64 hex digits: anything else is not looked up.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(gone(StatusCode::NOT_FOUND));
    }
    let invitation = match state.staff.invitation(token).await {
        Ok(Some(invitation)) => invitation,
        Ok(None) => return Err(gone(StatusCode::NOT_FOUND)),
        Err(err) => return Err(AdminError::from(err).into_response()),
    };
    if !invitation.usable(Utc::now()) {
        return Err(gone(StatusCode::GONE));
    }
    let Some(clinic) = state
        .registry
        .snapshot()
        .org(invitation.org)
        .map(|o| o.name.clone())
    else {
        return Err(gone(StatusCode::GONE));
    };
    Ok((invitation, clinic))
}

struct Problems<'a> {
    error: Option<&'a str>,
    password: Option<&'a str>,
    again: Option<&'a str>,
}

const NONE: Problems<'static> = Problems {
    error: None,
    password: None,
    again: None,
};

/// The form, with a fresh form token in its cookie.
async fn form_page(
    state: &AppState,
    token: &str,
    invitation: &Invitation,
    clinic: &str,
    problems: Problems<'_>,
    status: StatusCode,
) -> Response {
    let existing = match state.staff.account(&invitation.email).await {
        Ok(account) => account.is_some(),
        Err(err) => return AdminError::from(err).into_response(),
    };
    let csrf = crate::staff::random_token();
    let mut response = render(&InvitePage {
        token,
        csrf: &csrf,
        clinic,
        email: invitation.email.as_str(),
        role: invitation.role.as_str(),
        existing,
        error: problems.error,
        password_error: problems.password,
        again_error: problems.again,
    });
    *response.status_mut() = status;
    let secure = state.console.secure_cookies;
    if let Ok(value) = set_cookie(INVITE_CSRF_COOKIE, &csrf, 3600, secure).parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match usable(&state, &token).await {
        Ok((invitation, clinic)) => {
            form_page(&state, &token, &invitation, &clinic, NONE, StatusCode::OK).await
        }
        Err(page) => page,
    }
}

#[derive(Deserialize)]
pub struct AcceptForm {
    csrf: Option<String>,
    password: Option<String>,
    /// Only in the form for a new account.
    again: Option<String>,
}

pub async fn accept(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AcceptForm>,
) -> Result<Response, AdminError> {
    let expected = cookie(&headers, INVITE_CSRF_COOKIE).ok_or(AdminError::Forbidden)?;
    check_csrf(&expected, form.csrf.as_deref())?;
    let (invitation, clinic) = match usable(&state, &token).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let password = form.password.unwrap_or_default();
    let accepted = state
        .staff
        .accept_invitation(
            &token,
            &invitation,
            &password,
            form.again.as_deref(),
            &peer.ip().to_string(),
            Utc::now(),
        )
        .await;
    let (problems, status) = match accepted {
        Ok(Acceptance::Accepted(signed_in)) => {
            let user = &signed_in.session.user;
            let detail = format!("{} as {}", user.email, invitation.role.as_str());
            if let Err(err) = state
                .staff
                .record(invitation.org, user, "accepted an invitation", &detail)
                .await
            {
                tracing::error!(error = %err, "[console] a staff action was not recorded");
            }
            let slug = state
                .registry
                .snapshot()
                .org(invitation.org)
                .map(|o| o.slug.to_string())
                .unwrap_or_default();
            let mut response = Redirect::to(&format!("/admin/{slug}/today")).into_response();
            let max_age = ABSOLUTE_EXPIRY.as_secs() as i64;
            let secure = state.console.secure_cookies;
            if let Ok(value) = set_cookie(SESSION_COOKIE, &signed_in.token, max_age, secure).parse()
            {
                response.headers_mut().append(SET_COOKIE, value);
            }
            // The form token has done its work.
            if let Ok(value) = set_cookie(INVITE_CSRF_COOKIE, "", 0, secure).parse() {
                response.headers_mut().append(SET_COOKIE, value);
            }
            return Ok(response);
        }
        Ok(Acceptance::Gone) => return Ok(gone(StatusCode::GONE)),
        Ok(Acceptance::Retry) => (
            Problems {
                error: Some(
                    "The account for this email changed meanwhile: please fill in the form again.",
                ),
                ..NONE
            },
            StatusCode::CONFLICT,
        ),
        Err(AcceptError::PasswordsDiffer) => (
            Problems {
                again: Some("The passwords differ."),
                ..NONE
            },
            StatusCode::BAD_REQUEST,
        ),
        Err(AcceptError::Weak(_)) => (
            Problems {
                password: Some("A password is 10 to 200 characters."),
                ..NONE
            },
            StatusCode::BAD_REQUEST,
        ),
        Err(AcceptError::SignIn(SignInError::Invalid)) => (
            Problems {
                password: Some("That is not this account's password."),
                ..NONE
            },
            StatusCode::UNAUTHORIZED,
        ),
        Err(AcceptError::SignIn(SignInError::Throttled)) => (
            Problems {
                error: Some("Too many wrong passwords; wait a few minutes and try again."),
                ..NONE
            },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(AcceptError::SignIn(err)) => return Err(AdminError::Internal(err.to_string())),
    };
    Ok(form_page(&state, &token, &invitation, &clinic, problems, status).await)
}
