//! The clinic file in the console: download it; upload one, see what it would change (the
//! same check as `org import --check`), then apply it.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;

use super::super::auth::ClinicStaff;
use super::super::view::Frame;
use super::super::{AdminError, render};
use super::fields::{FormData, frame, save};
use crate::booking::setup::{self, ClinicFile, Renames};
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

/// Parses and checks a file; the problems (each naming its place) when it does not.
fn checked(text: &str) -> Result<ClinicFile, Vec<String>> {
    let file = ClinicFile::parse(text).map_err(|e| vec![e.to_string()])?;
    setup::check(&file).map_err(|e| vec![e.to_string()])?;
    Ok(file)
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
    let new = match checked(&text) {
        Ok(file) => file,
        Err(problems) => return page_with(&staff, None, problems, Vec::new(), false),
    };
    let current = setup::export(&state.store, &staff.org)
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    page_with(
        &staff,
        Some(text),
        Vec::new(),
        changes(&current, &new),
        false,
    )
}

/// Applies a checked file: it replaces the clinic's whole setup, in one transaction.
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
    let new = match checked(&text) {
        Ok(file) => file,
        Err(problems) => return page_with(&staff, None, problems, Vec::new(), false),
    };
    match save(
        &state,
        &staff,
        "uploaded a clinic file",
        &Renames::default(),
        |file| {
            *file = new;
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

/// What applying `new` over `current` changes, in words.
fn changes(current: &ClinicFile, new: &ClinicFile) -> Vec<String> {
    let json = |file: &ClinicFile| serde_json::to_value(file).unwrap_or(Value::Null);
    let (before, after) = (json(current), json(new));
    let mut said = Vec::new();
    for key in ["name", "time_zone", "greeting", "instructions"] {
        if before.get(key) != after.get(key) {
            said.push(format!("{} changes", key.replace('_', " ")));
        }
    }
    for section in ["settings", "office_hours", "phrases"] {
        let empty = serde_json::Map::new();
        let field = |v: &Value| {
            v.get(section)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (b, a) = (field(&before), field(&after));
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if b.get(key) != a.get(key) {
                said.push(format!("{section}.{key} changes"));
            }
        }
    }
    for (section, what) in [
        ("operatories", "chair"),
        ("providers", "provider"),
        ("appointment_types", "appointment type"),
    ] {
        let named = |v: &Value| -> Vec<(String, Value)> {
            v.get(section)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .map(|item| {
                            let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
                            (name.to_owned(), item.clone())
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (b, a) = (named(&before), named(&after));
        for (name, item) in &a {
            match b.iter().find(|(n, _)| n == name) {
                None => said.push(format!("adds {what} '{name}'")),
                Some((_, old)) if old != item => said.push(format!("changes {what} '{name}'")),
                Some(_) => {}
            }
        }
        for (name, item) in &b {
            let active = item.get("active").and_then(Value::as_bool).unwrap_or(true);
            if active && !a.iter().any(|(n, _)| n == name) {
                said.push(format!(
                    "{what} '{name}' is not in the file: no longer used"
                ));
            }
        }
    }
    if current.exceptions != new.exceptions {
        said.push(format!(
            "exceptions: {} now, {} after",
            current.exceptions.len(),
            new.exceptions.len()
        ));
    }
    if said.is_empty() {
        said.push("Nothing: the file is the clinic's setup as it is.".into());
    }
    said
}
