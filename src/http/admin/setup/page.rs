//! One driver for the setup pages that are a single form: a page names its tab, turns the
//! clinic file into form values and back, and lays out its fields; showing, re-showing with
//! errors and saving are the same for all of them.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::auth::ClinicStaff;
use super::super::view::Frame;
use super::super::{AdminError, render};
use super::fields::{Field, FormData, Problems, frame, save};
use crate::booking::setup::{self, ClinicFile, Renames, SetupError};
use crate::http::AppState;

/// The inputs of a page: fields one under another, then rows in a table.
#[derive(Default)]
pub struct Layout {
    pub fields: Vec<Field>,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Field>>,
    pub rows_hint: &'static str,
    /// What is already there, each (description, key) with a remove button.
    pub listing: Vec<(String, String)>,
}

pub trait SetupForm {
    /// The tab in setup_nav.html, and the page's path under `/admin/{slug}/setup/`.
    const TAB: &'static str;
    const TITLE: &'static str;
    const INTRO: &'static str;
    /// What the form changes, as it reads in a clinic file.
    type Section: Send + 'static;

    /// The clinic's current setup as the form's values.
    fn to_form(file: &ClinicFile) -> FormData;
    /// The inputs, holding the form's values; `file` is the current setup (for choices such
    /// as the chairs a provider may use).
    fn layout(form: &FormData, file: &ClinicFile) -> Layout;
    /// The form as the part of the clinic file it edits; what cannot be read goes into
    /// `problems` by place.
    fn parse(form: &FormData, problems: &mut Problems) -> Option<(Self::Section, Renames)>;
    /// Puts the section into the file (inside the saving transaction).
    fn put(section: Self::Section, file: &mut ClinicFile) -> Result<(), SetupError>;
    /// Where a validation error's place shows on this form (most are the same).
    fn field_for(place: &str) -> String {
        place.to_owned()
    }
}

#[derive(Template)]
#[template(path = "admin/setup_form.html")]
struct FormPage {
    frame: Frame,
    tab: &'static str,
    title: &'static str,
    intro: &'static str,
    saved: bool,
    general: Vec<String>,
    fields: Vec<Field>,
    columns: Vec<&'static str>,
    rows: Vec<Vec<Field>>,
    rows_hint: &'static str,
    listing: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct Shown {
    saved: Option<String>,
}

async fn current(state: &AppState, staff: &ClinicStaff) -> Result<ClinicFile, AdminError> {
    setup::export(&state.store, &staff.org)
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))
}

fn draw<P: SetupForm>(
    staff: &ClinicStaff,
    form: &FormData,
    file: &ClinicFile,
    saved: bool,
    mut problems: Problems,
) -> Result<Response, AdminError> {
    let mut layout = P::layout(form, file);
    problems.map_places(P::field_for);
    problems.place_on(
        layout
            .fields
            .iter_mut()
            .chain(layout.rows.iter_mut().flatten()),
    );
    let status = if problems.general.is_empty()
        && layout
            .fields
            .iter()
            .chain(layout.rows.iter().flatten())
            .all(|f| f.error.is_none())
    {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        frame: frame(staff)?,
        tab: P::TAB,
        title: P::TITLE,
        intro: P::INTRO,
        saved,
        general: problems.general,
        fields: layout.fields,
        columns: layout.columns,
        rows: layout.rows,
        rows_hint: layout.rows_hint,
        listing: layout.listing,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show<P: SetupForm>(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Query(shown): Query<Shown>,
) -> Result<Response, AdminError> {
    frame(&staff)?;
    let file = current(&state, &staff).await?;
    draw::<P>(
        &staff,
        &P::to_form(&file),
        &file,
        shown.saved.is_some(),
        Problems::default(),
    )
}

pub async fn submit<P: SetupForm>(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AdminError> {
    frame(&staff)?;
    let form = FormData(pairs);
    form.check_csrf(&staff)?;
    let mut problems = Problems::default();
    let parsed = P::parse(&form, &mut problems);
    let (section, renames) = match parsed {
        Some(parsed) if problems.is_empty() => parsed,
        _ => {
            let file = current(&state, &staff).await?;
            return draw::<P>(&staff, &form, &file, false, problems);
        }
    };
    match save(&state, &staff, P::TITLE, &renames, |file| {
        P::put(section, file)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/{}/setup/{}?saved=1",
            staff.org.slug,
            P::TAB
        ))
        .into_response()),
        Err(problems) => {
            let file = current(&state, &staff).await?;
            draw::<P>(&staff, &form, &file, false, problems)
        }
    }
}
