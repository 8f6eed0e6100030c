//! Signing in and out, and where `/admin` leads: the one clinic a member works for, or a list
//! to pick from.

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, Staff, check_csrf, cookie, set_cookie};
use super::{AdminError, render};
use crate::http::AppState;
use crate::staff::{ABSOLUTE_EXPIRY, SignInError};

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    error: Option<&'a str>,
    /// What was typed, kept after a failed attempt.
    email: &'a str,
}

#[derive(Template)]
#[template(path = "admin/clinics.html")]
struct ClinicsPage {
    email: String,
    csrf: String,
    clinics: Vec<(String, String)>,
    /// Operators also get the page of every clinic.
    operator: bool,
}

fn secure(state: &AppState) -> bool {
    state.console.secure_cookies
}

/// A fresh login form with its own CSRF cookie (there is no session yet to hold one).
pub async fn form(State(state): State<AppState>) -> Response {
    login_page(&state, None, "")
}

fn login_page(state: &AppState, error: Option<&str>, email: &str) -> Response {
    let csrf = crate::staff::random_token();
    let mut response = render(&LoginPage {
        csrf: &csrf,
        error,
        email,
    });
    if let Ok(value) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, secure(state)).parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
    csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Result<Response, AdminError> {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).ok_or(AdminError::Forbidden)?;
    check_csrf(&expected, Some(&form.csrf))?;
    let address = peer.ip().to_string();
    match state
        .staff
        .sign_in(&form.email, &form.password, &address, Utc::now())
        .await
    {
        Ok(signed_in) => {
            let mut response = Redirect::to("/admin").into_response();
            let max_age = ABSOLUTE_EXPIRY.as_secs() as i64;
            if let Ok(value) =
                set_cookie(SESSION_COOKIE, &signed_in.token, max_age, secure(&state)).parse()
            {
                response.headers_mut().append(SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(err @ (SignInError::Invalid | SignInError::Throttled)) => {
            let mut page = login_page(&state, Some(&err.to_string()), &form.email);
            *page.status_mut() = match err {
                SignInError::Throttled => axum::http::StatusCode::TOO_MANY_REQUESTS,
                _ => axum::http::StatusCode::UNAUTHORIZED,
            };
            Ok(page)
        }
        Err(err) => Err(AdminError::Internal(err.to_string())),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn sign_out(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.session.csrf_token, form.csrf.as_deref())?;
    state.staff.sign_out(&staff.token).await?;
    tracing::info!(user_id = %staff.session.user.id, "[console] signed out");
    let mut response = Redirect::to("/admin/login").into_response();
    if let Ok(value) = set_cookie(SESSION_COOKIE, "", 0, secure(&state)).parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

/// `/admin`: the clinic's day for a member of one clinic, else the clinics to choose from.
pub async fn home(State(state): State<AppState>, staff: Result<Staff, AdminError>) -> Response {
    let Ok(staff) = staff else {
        return Redirect::to("/admin/login").into_response();
    };
    let user = &staff.session.user;
    let snapshot = state.registry.snapshot();
    let mut clinics: Vec<(String, String)> = if user.operator {
        snapshot
            .orgs()
            .map(|o| (o.slug.to_string(), o.name.clone()))
            .collect()
    } else {
        match state.staff.memberships(user.id).await {
            Ok(memberships) => memberships
                .iter()
                .filter_map(|m| snapshot.org(m.org))
                .map(|o| (o.slug.to_string(), o.name.clone()))
                .collect(),
            Err(err) => return AdminError::from(err).into_response(),
        }
    };
    clinics.sort_by(|a, b| a.1.cmp(&b.1));
    if let [(slug, _)] = clinics.as_slice() {
        return Redirect::to(&format!("/admin/{slug}/today")).into_response();
    }
    render(&ClinicsPage {
        email: user.email.to_string(),
        csrf: staff.session.csrf_token.clone(),
        clinics,
        operator: user.operator,
    })
}
