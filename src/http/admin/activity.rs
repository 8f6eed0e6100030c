//! What staff did in the clinic, newest first: owners only.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::auth::ClinicStaff;
use super::view::{Frame, day_and_clock};
use super::{AdminError, render};
use crate::http::AppState;
use crate::staff::Role;

#[derive(Template)]
#[template(path = "admin/activity.html")]
struct ActivityPage {
    frame: Frame,
    actions: Vec<(String, String, String, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    staff.require(Role::Owner)?;
    let zone = staff.org.time_zone.tz();
    let actions = state
        .staff
        .actions(staff.org.id, 200)
        .await?
        .into_iter()
        .map(|a| (day_and_clock(a.at, zone), a.email, a.action, a.detail))
        .collect();
    Ok(render(&ActivityPage {
        frame: Frame::new(&staff, "activity"),
        actions,
    }))
}
