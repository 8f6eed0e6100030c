//! Who is asking: the session cookie's staff member, and the clinic the URL names, which they
//! must be a member of (operators: any). Anything else about another clinic is a 404 that says
//! nothing of it. Every state-changing form carries the session's CSRF token.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use chrono::Utc;

use super::AdminError;
use crate::http::AppState;
use crate::staff::{Role, StaffSession};
use crate::tenancy::Organization;

pub const SESSION_COOKIE: &str = "ascendia_session";
pub const LOGIN_CSRF_COOKIE: &str = "ascendia_login_csrf";

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /admin, Secure behind https.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// A signed-in staff member (any clinic).
pub struct Staff {
    pub session: StaffSession,
    pub token: String,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let sign_in = if parts.headers.contains_key("hx-request") {
            AdminError::SignInWholePage
        } else {
            AdminError::SignIn
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(sign_in);
        };
        let session = state
            .staff
            .session(&token, Utc::now())
            .await
            .map_err(|e| AdminError::Internal(e.to_string()))?
            .ok_or(sign_in)?;
        Ok(Self { session, token })
    }
}

/// A staff member in one clinic they may see, named by the URL's slug.
pub struct ClinicStaff {
    pub staff: Staff,
    pub org: Arc<Organization>,
    pub role: Role,
}

/// Adds to a clinic's staff activity. The action itself is done by then, so a record that
/// fails to write is logged rather than turned into an error page.
pub async fn record_action(
    state: &AppState,
    org: crate::tenancy::OrgId,
    user: &crate::staff::StaffUser,
    action: &str,
    detail: &str,
) {
    if let Err(err) = state.staff.record(org, user, action, detail).await {
        tracing::error!(error = %err, "[console] a staff action was not recorded");
    }
}

impl ClinicStaff {
    /// Records what this member did in the clinic (see `record_action`).
    pub async fn record(&self, state: &AppState, action: &str, detail: &str) {
        record_action(state, self.org.id, &self.staff.session.user, action, detail).await;
    }

    /// Refuses (404, as for a clinic one may not see) below `role`.
    pub fn require(&self, role: Role) -> Result<(), AdminError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AdminError::NotFound)
        }
    }
}

impl FromRequestParts<AppState> for ClinicStaff {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let staff = Staff::from_request_parts(parts, state).await?;
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AdminError::NotFound)?;
        let slug = params
            .iter()
            .find(|(key, _)| key == "slug")
            .map(|(_, value)| value.as_str())
            .ok_or(AdminError::NotFound)?;
        let org = state.registry.by_slug(slug).ok_or(AdminError::NotFound)?;
        let role = if staff.session.user.operator {
            Role::Owner
        } else {
            state
                .staff
                .memberships(staff.session.user.id)
                .await
                .map_err(|e| AdminError::Internal(e.to_string()))?
                .into_iter()
                .find(|m| m.org == org.id)
                .map(|m| m.role)
                .ok_or(AdminError::NotFound)?
        };
        Ok(Self { staff, org, role })
    }
}

/// Compares a submitted CSRF token with the session's, in constant time.
pub fn check_csrf(expected: &str, submitted: Option<&str>) -> Result<(), AdminError> {
    use sha2::Digest;
    let submitted = submitted.ok_or(AdminError::Forbidden)?;
    if expected.is_empty() {
        return Err(AdminError::Forbidden);
    }
    // Equal-length digests compared without early exit.
    let (a, b) = (
        sha2::Sha256::digest(expected),
        sha2::Sha256::digest(submitted),
    );
    if a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
    {
        Ok(())
    } else {
        Err(AdminError::Forbidden)
    }
}
