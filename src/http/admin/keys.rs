//! The clinic's Booking API keys, for owners: create one (its secret shown on the page that
//! answers the form, and never again: only its hash is kept), list them, revoke one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::{ClinicStaff, check_csrf};
use super::view::{Frame, dated_clock};
use super::{AdminError, render};
use crate::http::AppState;
use crate::staff::Role;

/// The longest label, in characters.
const MAX_LABEL: usize = 60;

pub struct KeyView {
    pub prefix: String,
    pub label: String,
    pub created: String,
    pub active: bool,
    pub revoked: String,
}

pub struct CreatedKey {
    pub prefix: String,
    pub label: String,
    pub secret: String,
}

#[derive(Template)]
#[template(path = "admin/keys.html")]
struct KeysPage {
    frame: Frame,
    tab: &'static str,
    keys: Vec<KeyView>,
    label: String,
    label_error: Option<String>,
    max_label: usize,
    created: Option<CreatedKey>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn keys_page(state: &AppState, staff: &ClinicStaff) -> Result<KeysPage, AdminError> {
    let zone = staff.org.time_zone.tz();
    let keys = state
        .registry
        .api_keys(staff.org.id)
        .await?
        .into_iter()
        // Newest first: the one just made is on top.
        .rev()
        .map(|k| KeyView {
            prefix: k.prefix,
            label: k.label.unwrap_or_default(),
            created: dated_clock(k.created_at, zone),
            active: k.revoked_at.is_none(),
            revoked: k
                .revoked_at
                .map(|t| dated_clock(t, zone))
                .unwrap_or_default(),
        })
        .collect();
    Ok(KeysPage {
        frame: Frame::new(staff, "setup"),
        tab: "keys",
        keys,
        label: String::new(),
        label_error: None,
        max_label: MAX_LABEL,
        created: None,
        notice: None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Query(done): Query<Done>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    let mut page = keys_page(&state, &staff).await?;
    if done.done.as_deref() == Some("revoked") {
        page.notice = Some("Key revoked: it no longer opens the Booking API.".into());
    }
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct CreateForm {
    csrf: Option<String>,
    label: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Form(form): Form<CreateForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let label = form.label.unwrap_or_default().trim().to_owned();
    let problem = if label.chars().count() > MAX_LABEL {
        Some(format!("A label is at most {MAX_LABEL} characters."))
    } else if label.chars().any(char::is_control) {
        Some("A label is one line of plain text.".to_owned())
    } else {
        None
    };
    if let Some(problem) = problem {
        let mut page = keys_page(&state, &staff).await?;
        page.label = label;
        page.label_error = Some(problem);
        let mut response = render(&page);
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(response);
    }
    let key = state
        .registry
        .create_api_key(staff.org.id, Some(label))
        .await?;
    let label = key.label.clone().unwrap_or_default();
    let detail = if label.is_empty() {
        key.prefix.clone()
    } else {
        format!("{} ({label})", key.prefix)
    };
    staff.record(&state, "created an API key", &detail).await;
    let mut page = keys_page(&state, &staff).await?;
    page.created = Some(CreatedKey {
        prefix: key.prefix.clone(),
        label,
        secret: key.secret,
    });
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn revoke(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, prefix)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    if !state.registry.revoke_api_key(org.id, prefix.trim()).await? {
        return Err(AdminError::NotFound);
    }
    staff
        .record(&state, "revoked an API key", prefix.trim())
        .await;
    Ok(Redirect::to(&format!("/admin/{}/setup/keys?done=revoked", org.slug)).into_response())
}
