//! The clinic's Retell connection (managers and owners): the URLs to paste into its Retell
//! agent, the agent ids mapped to it (for webhooks of calls this server never saw), and
//! whether its webhooks can be verified. Keys are never shown, only whether they are set.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::{ClinicStaff, check_csrf};
use super::view::Frame;
use super::{AdminError, render};
use crate::config::{webhook_url_of, websocket_base_of};
use crate::http::AppState;
use crate::staff::Role;
use crate::store::StoreError;
use crate::tenancy::AgentId;

#[derive(Template)]
#[template(path = "admin/setup_retell.html")]
struct RetellPage {
    frame: Frame,
    tab: &'static str,
    websocket_url: String,
    webhook_url: String,
    /// `public_url` is not configured: the URLs come from this request's address.
    from_request: bool,
    agents: Vec<String>,
    /// The add form: what was typed, and why it was refused.
    agent_input: String,
    agent_error: Option<String>,
    own_key: bool,
    server_key: bool,
    websocket_call: bool,
    webhook_event: bool,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The request's Host when it looks like a host name or address (with a port); anything else
/// in the header is not echoed back.
fn request_host(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let plausible = !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    plausible.then(|| host.to_owned())
}

async fn retell_page(
    state: &AppState,
    staff: &ClinicStaff,
    headers: &HeaderMap,
) -> Result<RetellPage, AdminError> {
    let org = &staff.org;
    let slug = org.slug.as_str();
    let (base, from_request) = match &state.console.public_url {
        Some(url) => (url.clone(), false),
        None => (
            format!(
                "http://{}",
                request_host(headers).unwrap_or_else(|| "HOST:PORT".into())
            ),
            true,
        ),
    };
    let facts = state.store.readiness_facts(org.id).await?;
    Ok(RetellPage {
        frame: Frame::new(staff, "setup"),
        tab: "retell",
        websocket_url: format!("{}/{slug}", websocket_base_of(&base)),
        webhook_url: webhook_url_of(&base),
        from_request,
        agents: state.store.agent_ids(org.id).await?,
        agent_input: String::new(),
        agent_error: None,
        own_key: state.webhooks.has_own_key(slug),
        server_key: state.webhooks.server_key.is_some(),
        websocket_call: facts.websocket_call,
        webhook_event: facts.webhook_event,
        notice: None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Result<Response, AdminError> {
    staff.require(Role::Manager)?;
    let mut page = retell_page(&state, &staff, &headers).await?;
    page.notice = match done.done.as_deref() {
        Some("added") => Some("Agent id added."),
        Some("removed") => Some("Agent id removed."),
        _ => None,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct AgentForm {
    csrf: Option<String>,
    agent_id: Option<String>,
}

fn back(staff: &ClinicStaff, done: &str) -> Response {
    Redirect::to(&format!(
        "/admin/{}/setup/retell?done={done}",
        staff.org.slug
    ))
    .into_response()
}

pub async fn add_agent(
    State(state): State<AppState>,
    staff: ClinicStaff,
    headers: HeaderMap,
    Form(form): Form<AgentForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Manager)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let typed = form.agent_id.unwrap_or_default();
    let refused = match AgentId::parse(&typed) {
        Ok(agent) => match state.store.set_agent(staff.org.id, agent.as_str()).await {
            Ok(()) => {
                staff
                    .record(&state, "mapped a Retell agent", agent.as_str())
                    .await;
                return Ok(back(&staff, "added"));
            }
            Err(StoreError::AgentTaken(_)) => format!(
                "Agent {} already belongs to another clinic: remove it there first.",
                agent.as_str()
            ),
            Err(other) => return Err(other.into()),
        },
        Err(err) => err.to_string(),
    };
    let mut page = retell_page(&state, &staff, &headers).await?;
    page.agent_input = typed;
    page.agent_error = Some(refused);
    let mut response = render(&page);
    *response.status_mut() = StatusCode::BAD_REQUEST;
    Ok(response)
}

pub async fn remove_agent(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Form(form): Form<AgentForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Manager)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let agent = form.agent_id.unwrap_or_default();
    // Only the clinic's own ids can go; another's (or none) is not found.
    if !state.store.remove_agent(staff.org.id, agent.trim()).await? {
        return Err(AdminError::NotFound);
    }
    staff
        .record(&state, "unmapped a Retell agent", agent.trim())
        .await;
    Ok(back(&staff, "removed"))
}
