//! The clinic's team, for owners: members and their roles, removing a member, and
//! invitations (a one-time link shown once, since no email is sent). A clinic never loses
//! its last owner. Every change is recorded as a staff action.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{ClinicStaff, check_csrf};
use super::view::{Frame, dated_clock};
use super::{AdminError, render};
use crate::http::AppState;
use crate::staff::{Email, Role, TeamChange, TeamMember, UserId};

const ROLES: [&str; 3] = ["staff", "manager", "owner"];

pub struct MemberView {
    pub id: String,
    pub email: String,
    pub role: &'static str,
    pub you: bool,
    /// A refused change to this member, shown in their row.
    pub error: Option<String>,
}

pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub role: &'static str,
    pub expires: String,
}

/// A new invitation's link: on the page that answers the form, and never again.
pub struct NewLink {
    pub email: String,
    pub role: &'static str,
    pub url: String,
}

#[derive(Template)]
#[template(path = "admin/team.html")]
struct TeamPage {
    frame: Frame,
    tab: &'static str,
    roles: [&'static str; 3],
    members: Vec<MemberView>,
    invitations: Vec<InvitationView>,
    invite_email: String,
    invite_role: String,
    email_error: Option<String>,
    role_error: Option<String>,
    link: Option<NewLink>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn team_page(state: &AppState, staff: &ClinicStaff) -> Result<TeamPage, AdminError> {
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let me = staff.staff.session.user.id;
    let members = state
        .staff
        .team(org.id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            id: m.user.id.to_string(),
            email: m.user.email.to_string(),
            role: m.role.as_str(),
            you: m.user.id == me,
            error: None,
        })
        .collect();
    let invitations = state
        .staff
        .pending_invitations(org.id, Utc::now())
        .await?
        .into_iter()
        .map(|i| InvitationView {
            id: i.id.to_string(),
            email: i.email.to_string(),
            role: i.role.as_str(),
            expires: dated_clock(i.expires_at, zone),
        })
        .collect();
    Ok(TeamPage {
        frame: Frame::new(staff, "setup"),
        tab: "team",
        roles: ROLES,
        members,
        invitations,
        invite_email: String::new(),
        invite_role: Role::Staff.as_str().to_owned(),
        email_error: None,
        role_error: None,
        link: None,
        notice: None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Query(done): Query<Done>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    let mut page = team_page(&state, &staff).await?;
    page.notice = match done.done.as_deref() {
        Some("role") => Some("Role changed.".into()),
        Some("removed") => Some("Removed from the clinic.".into()),
        Some("revoked") => Some("Invitation revoked.".into()),
        _ => None,
    };
    Ok(render(&page))
}

fn with_status(page: &TeamPage, status: StatusCode) -> Response {
    let mut response = render(page);
    *response.status_mut() = status;
    response
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

#[derive(Deserialize)]
pub struct InviteForm {
    csrf: Option<String>,
    email: Option<String>,
    role: Option<String>,
}

/// Where the invitation link points: this server as the browser reached it (the page's own
/// origin), or a relative link when the request names no usable host.
fn invitation_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let path = format!("/admin/invite/{token}");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    match host {
        Some(host) => {
            let scheme = if state.console.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}{path}")
        }
        None => path,
    }
}

pub async fn invite(
    State(state): State<AppState>,
    staff: ClinicStaff,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    let (raw_email, raw_role) = (
        form.email.unwrap_or_default(),
        form.role.unwrap_or_default(),
    );
    let mut page = team_page(&state, &staff).await?;
    page.invite_email = raw_email.trim().to_owned();
    page.invite_role = raw_role.clone();
    let role = Role::parse(&raw_role);
    if role.is_err() {
        page.role_error = Some("Choose staff, manager or owner.".into());
    }
    let email = match Email::parse(&raw_email) {
        Ok(email) => {
            if page.members.iter().any(|m| m.email == email.as_str()) {
                page.email_error = Some(format!("{email} is already a member of this clinic."));
            } else if state
                .staff
                .account(&email)
                .await?
                .is_some_and(|user| user.operator)
            {
                page.email_error = Some(format!(
                    "{email} is an operator and already sees every clinic."
                ));
            }
            Some(email)
        }
        Err(_) => {
            page.email_error = Some("Enter an email address, like name@clinic.example.".into());
            None
        }
    };
    let (Some(email), Ok(role), None) = (email, role, &page.email_error) else {
        return Ok(with_status(&page, StatusCode::BAD_REQUEST));
    };
    let by = &staff.staff.session.user;
    let new = state
        .staff
        .invite(org.id, by, email, role, Utc::now())
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    let invitation = &new.invitation;
    staff
        .record(
            &state,
            "invited a team member",
            &format!("{} as {}", invitation.email, role.as_str()),
        )
        .await;
    // The page again, listing the invitation, with its link this once.
    let mut page = team_page(&state, &staff).await?;
    page.link = Some(NewLink {
        email: invitation.email.to_string(),
        role: role.as_str(),
        url: invitation_url(&state, &headers, &new.token),
    });
    Ok(render(&page))
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let id: Uuid = id.parse().map_err(|_| AdminError::NotFound)?;
    let org = &staff.org;
    let email = state
        .staff
        .revoke_invitation(org.id, id, Utc::now())
        .await?
        .ok_or(AdminError::NotFound)?;
    staff
        .record(&state, "revoked an invitation", email.as_str())
        .await;
    Ok(Redirect::to(&format!("/admin/{}/setup/team?done=revoked", org.slug)).into_response())
}

/// The member the URL names, from the clinic's team; 404 for anyone else.
async fn member(
    state: &AppState,
    staff: &ClinicStaff,
    raw: &str,
) -> Result<TeamMember, AdminError> {
    let id = UserId(raw.parse().map_err(|_| AdminError::NotFound)?);
    state
        .staff
        .team(staff.org.id)
        .await?
        .into_iter()
        .find(|m| m.user.id == id)
        .ok_or(AdminError::NotFound)
}

/// The team page with a refusal in the member's row.
async fn refused(
    state: &AppState,
    staff: &ClinicStaff,
    member: &TeamMember,
    status: StatusCode,
    message: String,
) -> Result<Response, AdminError> {
    let mut page = team_page(state, staff).await?;
    let id = member.user.id.to_string();
    if let Some(row) = page.members.iter_mut().find(|m| m.id == id) {
        row.error = Some(message);
    }
    Ok(with_status(&page, status))
}

fn last_owner(member: &TeamMember) -> String {
    format!(
        "{} is the clinic's last owner: make another member an owner first.",
        member.user.email
    )
}

/// Back to the team page; but after a change to oneself that ends one's owner rights the
/// page is no longer one's to see: on to the clinic's day (or, removed, the console's start).
fn after_change(staff: &ClinicStaff, member: &TeamMember, done: &str) -> Response {
    let slug = &staff.org.slug;
    let me = &staff.staff.session.user;
    let to = match (member.user.id == me.id && !me.operator, done) {
        (true, "removed") => "/admin".to_owned(),
        (true, _) => format!("/admin/{slug}/today"),
        (false, _) => format!("/admin/{slug}/setup/team?done={done}"),
    };
    Redirect::to(&to).into_response()
}

#[derive(Deserialize)]
pub struct RoleForm {
    csrf: Option<String>,
    role: Option<String>,
}

pub async fn change_role(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let member = member(&state, &staff, &id).await?;
    let Ok(role) = Role::parse(form.role.as_deref().unwrap_or_default()) else {
        let message = "Choose staff, manager or owner.".to_owned();
        return refused(&state, &staff, &member, StatusCode::BAD_REQUEST, message).await;
    };
    if role == member.role {
        return Ok(after_change(&staff, &member, "role"));
    }
    match state
        .staff
        .change_role(staff.org.id, member.user.id, role)
        .await?
    {
        TeamChange::Done => {
            let detail = format!(
                "{}: {} → {}",
                member.user.email,
                member.role.as_str(),
                role.as_str()
            );
            staff.record(&state, "changed a role", &detail).await;
            Ok(after_change(&staff, &member, "role"))
        }
        TeamChange::NotMember => Err(AdminError::NotFound),
        TeamChange::LastOwner => {
            let message = last_owner(&member);
            refused(&state, &staff, &member, StatusCode::CONFLICT, message).await
        }
    }
}

pub async fn remove(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let member = member(&state, &staff, &id).await?;
    match state
        .staff
        .remove_member(staff.org.id, member.user.id)
        .await?
    {
        TeamChange::Done => {
            let detail = format!("{} ({})", member.user.email, member.role.as_str());
            staff.record(&state, "removed a team member", &detail).await;
            Ok(after_change(&staff, &member, "removed"))
        }
        TeamChange::NotMember => Err(AdminError::NotFound),
        TeamChange::LastOwner => {
            let message = last_owner(&member);
            refused(&state, &staff, &member, StatusCode::CONFLICT, message).await
        }
    }
}
