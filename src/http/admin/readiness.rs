//! The clinic's setup home: the readiness checklist, each unmet item with its next step and a
//! link to the setup page that fixes it (managers and owners).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::auth::ClinicStaff;
use super::view::Frame;
use super::{AdminError, render};
use crate::clinics::readiness::{self, Checklist};
use crate::http::AppState;
use crate::staff::Role;
use crate::tenancy::Organization;

pub struct ItemView {
    pub title: &'static str,
    pub met: bool,
    pub next_step: &'static str,
    pub link: String,
}

#[derive(Template)]
#[template(path = "admin/setup.html")]
struct SetupHome {
    frame: Frame,
    tab: &'static str,
    met: usize,
    total: usize,
    items: Vec<ItemView>,
}

/// The clinic's checklist as this server sees it (its webhook keys included).
pub async fn checklist(state: &AppState, org: &Organization) -> Result<Checklist, AdminError> {
    let webhook_key = state.webhooks.has_key_for(org.slug.as_str());
    Ok(readiness::for_clinic(&state.store, org, webhook_key).await?)
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    staff.require(Role::Manager)?;
    let list = checklist(&state, &staff.org).await?;
    let slug = staff.org.slug.as_str();
    Ok(render(&SetupHome {
        frame: Frame::new(&staff, "setup"),
        tab: "overview",
        met: list.met(),
        total: list.total(),
        items: list
            .items
            .iter()
            .map(|item| ItemView {
                title: item.title,
                met: item.met,
                next_step: item.next_step,
                link: format!("/admin/{slug}/setup/{}", item.fixed_on.segment()),
            })
            .collect(),
    }))
}
