//! The operators' page (users with the operator flag; anyone else gets a 404): every clinic
//! with its readiness and call volume; adding a clinic (empty or from the demo template),
//! choosing the default clinic, removing one with `ascendia org remove`'s safeguards.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::auth::{Staff, check_csrf};
use super::{AdminError, render};
use crate::booking::setup::{self, ClinicFile};
use crate::http::AppState;
use crate::store::StoreError;
use crate::tenancy::{NewOrganization, Organization, Slug, TimeZone, clinic_name};

/// Paths under `/admin` a clinic's slug would be hidden behind.
const RESERVED_SLUGS: &[&str] = &["operator", "login", "logout", "assets"];

/// A signed-in operator; anyone else is told there is nothing here.
pub struct Operator(Staff);

impl FromRequestParts<AppState> for Operator {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.session.user.operator {
            Ok(Self(staff))
        } else {
            Err(AdminError::NotFound)
        }
    }
}

pub struct ClinicRow {
    pub name: String,
    pub slug: String,
    pub met: usize,
    pub total: usize,
    pub unmet: Vec<&'static str>,
    pub calls_7: i64,
    pub calls_30: i64,
    pub default: bool,
    /// Why the last removal of this clinic was refused.
    pub remove_error: Option<String>,
}

/// The add form as typed, with each field's error.
#[derive(Default)]
pub struct AddView {
    pub name: String,
    pub slug: String,
    pub time_zone: String,
    pub demo: bool,
    pub name_error: Option<String>,
    pub slug_error: Option<String>,
    pub zone_error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/operator.html")]
struct OperatorPage {
    email: String,
    csrf: String,
    clinics: Vec<ClinicRow>,
    add: AddView,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct Notice {
    added: Option<String>,
    removed: Option<String>,
    default: Option<String>,
}

async fn rows(state: &AppState) -> Result<Vec<ClinicRow>, AdminError> {
    let orgs = state.store.list_orgs().await?;
    // As the registry and `org list` decide it: the one set, else the oldest.
    let default = state
        .store
        .default_org_id()
        .await?
        .filter(|id| orgs.iter().any(|o| o.id == *id))
        .or(orgs.first().map(|o| o.id));
    let now = Utc::now();
    let (week, month) = (
        (now - Duration::days(7)).timestamp_millis(),
        (now - Duration::days(30)).timestamp_millis(),
    );
    let mut rows = Vec::with_capacity(orgs.len());
    for org in &orgs {
        let list = super::readiness::checklist(state, org).await?;
        let (calls_7, calls_30) = state.store.call_volume(org.id, week, month).await?;
        rows.push(ClinicRow {
            name: org.name.clone(),
            slug: org.slug.to_string(),
            met: list.met(),
            total: list.total(),
            unmet: list.unmet().map(|i| i.title).collect(),
            calls_7,
            calls_30,
            default: Some(org.id) == default,
            remove_error: None,
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.slug.cmp(&b.slug)));
    Ok(rows)
}

async fn operator_page(
    state: &AppState,
    operator: &Operator,
    add: AddView,
) -> Result<OperatorPage, AdminError> {
    Ok(OperatorPage {
        email: operator.0.session.user.email.to_string(),
        csrf: operator.0.session.csrf_token.clone(),
        clinics: rows(state).await?,
        add,
        notice: None,
    })
}

fn fresh_form() -> AddView {
    AddView {
        time_zone: "America/New_York".into(),
        demo: true,
        ..AddView::default()
    }
}

pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    Query(notice): Query<Notice>,
) -> Result<Response, AdminError> {
    let mut page = operator_page(&state, &operator, fresh_form()).await?;
    // Only slugs are echoed, and askama escapes them.
    page.notice = if let Some(slug) = notice.added {
        Some(format!("Added clinic {slug}."))
    } else if let Some(slug) = notice.removed {
        Some(format!("Removed clinic {slug}."))
    } else {
        notice
            .default
            .map(|slug| format!("Calls without a clinic in their URL now go to {slug}."))
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: Option<String>,
    name: Option<String>,
    slug: Option<String>,
    time_zone: Option<String>,
    template: Option<String>,
}

async fn record(
    state: &AppState,
    operator: &Operator,
    org: &Organization,
    action: &str,
    detail: &str,
) {
    super::auth::record_action(state, org.id, &operator.0.session.user, action, detail).await;
}

/// The running server serves a changed clinic list now; other instances follow on the
/// generation bump within their refresh interval.
async fn reload(state: &AppState) {
    if let Err(err) = state.registry.refresh().await {
        tracing::warn!(error = %err, "[console] could not refresh the clinic registry");
    }
}

pub async fn add(
    State(state): State<AppState>,
    operator: Operator,
    Form(form): Form<AddForm>,
) -> Result<Response, AdminError> {
    check_csrf(&operator.0.session.csrf_token, form.csrf.as_deref())?;
    let mut view = AddView {
        name: form.name.unwrap_or_default(),
        slug: form.slug.unwrap_or_default().trim().to_owned(),
        time_zone: form.time_zone.unwrap_or_default().trim().to_owned(),
        demo: form.template.as_deref() != Some("empty"),
        ..AddView::default()
    };
    let name = clinic_name(&view.name).map_err(|e| view.name_error = Some(e.to_string()));
    let slug = match Slug::parse(&view.slug) {
        Ok(slug) if RESERVED_SLUGS.contains(&slug.as_str()) => {
            view.slug_error = Some(format!(
                "'{slug}' is taken by the console's own pages: choose another"
            ));
            None
        }
        Ok(slug) => match state.store.org_by_slug(&slug).await? {
            Some(_) => {
                view.slug_error = Some(format!("a clinic with slug '{slug}' already exists"));
                None
            }
            None => Some(slug),
        },
        Err(err) => {
            view.slug_error = Some(err.to_string());
            None
        }
    };
    let zone = TimeZone::parse(&view.time_zone).map_err(|e| view.zone_error = Some(e.to_string()));
    let (Ok(name), Some(slug), Ok(zone)) = (name, slug, zone) else {
        return refused(&state, &operator, view).await;
    };
    let new =
        NewOrganization::new(&name, slug, zone).map_err(|e| AdminError::Internal(e.to_string()))?;
    let org = match state.store.create_org(new).await {
        Ok(org) => org,
        // Taken between the check and the insert.
        Err(err @ StoreError::DuplicateSlug(_)) => {
            view.slug_error = Some(err.to_string());
            return refused(&state, &operator, view).await;
        }
        Err(err) => return Err(err.into()),
    };
    if view.demo {
        let mut file = ClinicFile::parse(setup::DEMO_CLINIC)
            .map_err(|e| AdminError::Internal(format!("demo clinic file: {e}")))?;
        // The template's setup, under the clinic's own name and clock.
        file.name = org.name.clone();
        file.time_zone = org.time_zone.name().to_owned();
        file.instructions = None;
        setup::import(&state.store, &org, &file)
            .await
            .map_err(|e| AdminError::Internal(format!("importing the demo template: {e}")))?;
    }
    reload(&state).await;
    let detail = format!(
        "{} ({}), {}",
        org.slug,
        org.time_zone.name(),
        if view.demo {
            "from the demo template"
        } else {
            "empty"
        }
    );
    record(&state, &operator, &org, "added the clinic", &detail).await;
    Ok(Redirect::to(&format!("/admin/operator?added={}", org.slug)).into_response())
}

async fn refused(
    state: &AppState,
    operator: &Operator,
    add: AddView,
) -> Result<Response, AdminError> {
    let page = operator_page(state, operator, add).await?;
    let mut response = render(&page);
    *response.status_mut() = StatusCode::BAD_REQUEST;
    Ok(response)
}

#[derive(Deserialize)]
pub struct SlugForm {
    csrf: Option<String>,
    slug: Option<String>,
    /// For a removal: the slug typed again, to remove a clinic with its records.
    confirm: Option<String>,
}

async fn clinic(state: &AppState, slug: Option<&str>) -> Result<Organization, AdminError> {
    let slug = Slug::parse(slug.unwrap_or_default().trim()).map_err(|_| AdminError::NotFound)?;
    state
        .store
        .org_by_slug(&slug)
        .await?
        .ok_or(AdminError::NotFound)
}

pub async fn set_default(
    State(state): State<AppState>,
    operator: Operator,
    Form(form): Form<SlugForm>,
) -> Result<Response, AdminError> {
    check_csrf(&operator.0.session.csrf_token, form.csrf.as_deref())?;
    let org = clinic(&state, form.slug.as_deref()).await?;
    state.store.set_default_org(org.id).await?;
    reload(&state).await;
    record(
        &state,
        &operator,
        &org,
        "made the clinic the default",
        org.slug.as_str(),
    )
    .await;
    Ok(Redirect::to(&format!("/admin/operator?default={}", org.slug)).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    operator: Operator,
    Form(form): Form<SlugForm>,
) -> Result<Response, AdminError> {
    check_csrf(&operator.0.session.csrf_token, form.csrf.as_deref())?;
    let org = clinic(&state, form.slug.as_deref()).await?;
    let confirm = form.confirm.unwrap_or_default();
    let confirm = confirm.trim();
    // Typing the slug is what forces; anything else typed forces nothing.
    let outcome = if confirm.is_empty() {
        state.store.remove_org(&org, false).await
    } else if confirm == org.slug.as_str() {
        state.store.remove_org(&org, true).await
    } else {
        return remove_refused(
            &state,
            &operator,
            &org,
            format!(
                "Type the slug exactly ({}) to remove the clinic with its records.",
                org.slug
            ),
        )
        .await;
    };
    match outcome {
        Ok(calls) => {
            reload(&state).await;
            // The clinic's own activity record went with it: the log keeps the removal.
            tracing::info!(
                org_id = %org.id,
                slug = %org.slug,
                user_id = %operator.0.session.user.id,
                forced = !confirm.is_empty(),
                call_records = calls,
                "[console] operator removed a clinic"
            );
            Ok(Redirect::to(&format!("/admin/operator?removed={}", org.slug)).into_response())
        }
        Err(StoreError::OrgHasData {
            calls, patients, ..
        }) => {
            let message = format!(
                "{} has {calls} call record(s) and {patients} patient(s). To remove it with them, type its slug ({}) and remove again.",
                org.name, org.slug
            );
            remove_refused(&state, &operator, &org, message).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn remove_refused(
    state: &AppState,
    operator: &Operator,
    org: &Organization,
    message: String,
) -> Result<Response, AdminError> {
    let mut page = operator_page(state, operator, fresh_form()).await?;
    if let Some(row) = page
        .clinics
        .iter_mut()
        .find(|r| r.slug == org.slug.as_str())
    {
        row.remove_error = Some(message);
    }
    let mut response = render(&page);
    *response.status_mut() = StatusCode::CONFLICT;
    Ok(response)
}
