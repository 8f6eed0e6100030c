//! The clinic file in the console: download it; upload one, see what it would change (the
//! same check as `org import --check`), then apply it.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use super::super::auth::ClinicStaff;
use super::super::view::Frame;
use super::super::{AdminError, render};
use super::fields::{FormData, frame, save};
use crate::booking::setup::{self, ClinicPatch, Renames, SetupError};
use crate::http::AppState;

/// The largest clinic file accepted: far beyond any real clinic's.
const MAX_FILE_BYTES: usize = 512 * 1024;

#[derive(Template)]
#[template(path = "admin/setup_file.html")]
struct FilePage {
    frame: Frame,
    tab: &'static str,
    /// The uploaded file, carried to the apply button once it checked out.
    uploaded: Option<String>,
    problems: Vec<String>,
    changes: Vec<String>,
    applied: bool,
}

fn page_with(
    staff: &ClinicStaff,
    uploaded: Option<String>,
    problems: Vec<String>,
    changes: Vec<String>,
    applied: bool,
) -> Result<Response, AdminError> {
    let status = if problems.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FilePage {
        frame: frame(staff)?,
        tab: "file",
        uploaded,
        problems,
        changes,
        applied,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct Shown {
    applied: Option<String>,
}

pub async fn page(
    staff: ClinicStaff,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> Result<Response, AdminError> {
    page_with(
        &staff,
        None,
        Vec::new(),
        Vec::new(),
        shown.applied.is_some(),
    )
}

pub async fn download(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    frame(&staff)?;
    let file = setup::export(&state.store, &staff.org)
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    let toml = file
        .to_toml()
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.toml\"", staff.org.slug),
            ),
        ],
        toml,
    )
        .into_response())
}

/// Parses a file; the problem (naming its place) when it does not.
fn parsed(text: &str) -> Result<ClinicPatch, Vec<String>> {
    ClinicPatch::parse(text).map_err(|e| vec![e.to_string()])
}

/// Checks an uploaded file and shows what applying it would change; writes nothing.
pub async fn preview(
    State(state): State<AppState>,
    staff: ClinicStaff,
    mut multipart: Multipart,
) -> Result<Response, AdminError> {
    frame(&staff)?;
    let (mut csrf, mut text) = (None, String::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AdminError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AdminError::BadRequest(e.body_text()))?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(AdminError::BadRequest(
                "a clinic file is at most 512 KB".into(),
            ));
        }
        let value = String::from_utf8(bytes.to_vec())
            .map_err(|_| AdminError::BadRequest("a clinic file is UTF-8 text".into()))?;
        match name.as_str() {
            "csrf" => csrf = Some(value),
            // The chosen file wins over the pasted text.
            "file" if !value.trim().is_empty() => text = value,
            "text" if text.is_empty() => text = value,
            _ => {}
        }
    }
    super::super::auth::check_csrf(&staff.staff.session.csrf_token, csrf.as_deref())?;
    if text.trim().is_empty() {
        return page_with(
            &staff,
            None,
            vec!["Choose a clinic file (or paste one).".into()],
            Vec::new(),
            false,
        );
    }
    let patch = match parsed(&text) {
        Ok(patch) => patch,
        Err(problems) => return page_with(&staff, None, problems, Vec::new(), false),
    };
    match setup::apply_file(&state.store, &staff.org, patch, false).await {
        Ok(applied) => page_with(&staff, Some(text), Vec::new(), applied.changes, false),
        Err(err @ (SetupError::Invalid { .. } | SetupError::Parse(_))) => {
            page_with(&staff, None, vec![err.to_string()], Vec::new(), false)
        }
        Err(err) => Err(AdminError::Internal(err.to_string())),
    }
}

/// Applies a checked file over the clinic's setup (what it leaves out stays), in one
/// transaction.
pub async fn apply(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AdminError> {
    frame(&staff)?;
    let form = FormData(pairs);
    form.check_csrf(&staff)?;
    let text = form
        .0
        .iter()
        .find(|(n, _)| n == "content")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let patch = match parsed(&text) {
        Ok(patch) => patch,
        Err(problems) => return page_with(&staff, None, problems, Vec::new(), false),
    };
    match save(
        &state,
        &staff,
        "uploaded a clinic file",
        &Renames::default(),
        |file| {
            patch.apply(file);
            Ok(())
        },
    )
    .await?
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/{}/setup/file?applied=1", staff.org.slug))
                .into_response(),
        ),
        Err(mut problems) => {
            problems.place_on(std::iter::empty());
            page_with(&staff, None, problems.general, Vec::new(), false)
        }
    }
}
