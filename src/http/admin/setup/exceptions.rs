//! Dated exceptions to the weekly schedule: closures, extra hours, blockouts. Listed with a
//! remove button each; added one at a time.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::super::AdminError;
use super::super::auth::ClinicStaff;
use super::fields::{Field, FormData, Problems, frame, save};
use super::page::{Layout, SetupForm};
use crate::booking::ExceptionKind;
use crate::booking::setup::{ClinicFile, ExceptionEntry, Renames, SetupError};
use crate::http::AppState;

pub struct Exceptions;

const KINDS: &[(&str, &str)] = &[
    ("closed", "Closed"),
    ("extra_hours", "Extra hours"),
    ("blockout", "Blockout"),
];

fn kind_name(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Closed => "closed",
        ExceptionKind::ExtraHours => "extra_hours",
        ExceptionKind::Blockout => "blockout",
    }
}

/// What identifies an exception for its remove button: all of it.
fn key(entry: &ExceptionEntry) -> String {
    [
        entry.date.to_string(),
        kind_name(entry.kind).to_owned(),
        entry.provider.clone().unwrap_or_default(),
        entry.operatory.clone().unwrap_or_default(),
        entry.hours.clone().unwrap_or_default(),
        entry.note.clone().unwrap_or_default(),
    ]
    .join("|")
}

fn describe(entry: &ExceptionEntry) -> String {
    let kind = KINDS
        .iter()
        .find(|(k, _)| *k == kind_name(entry.kind))
        .map_or("", |(_, label)| label);
    let mut text = format!("{}: {kind}", entry.date.format("%a %b %-d, %Y"));
    if let Some(hours) = &entry.hours {
        text.push_str(&format!(" {hours}"));
    }
    text.push_str(&match &entry.provider {
        Some(provider) => format!(", {provider}"),
        None => ", whole clinic".to_owned(),
    });
    if let Some(chair) = &entry.operatory {
        text.push_str(&format!(", {chair}"));
    }
    if let Some(note) = &entry.note {
        text.push_str(&format!(" ({note})"));
    }
    text
}

impl SetupForm for Exceptions {
    const TAB: &'static str = "exceptions";
    const TITLE: &'static str = "Exceptions";
    const INTRO: &'static str = "Days that differ from the weekly schedule: the clinic or a provider closed (all day, or some hours), a provider's extra hours, a blockout (a meeting, a chair out of use).";
    type Section = ExceptionEntry;

    fn to_form(_: &ClinicFile) -> FormData {
        FormData(vec![("exception.kind".into(), "closed".into())])
    }

    fn layout(form: &FormData, file: &ClinicFile) -> Layout {
        let mut providers: Vec<(&str, &str)> = vec![("", "Whole clinic")];
        providers.extend(
            file.providers
                .iter()
                .map(|p| (p.name.as_str(), p.name.as_str())),
        );
        let mut chairs: Vec<(&str, &str)> = vec![("", "Any chair")];
        chairs.extend(
            file.operatories
                .iter()
                .map(|o| (o.name.as_str(), o.name.as_str())),
        );
        let text = |label: &str, name: &str| Field::text(label, name, form.get(name));
        Layout {
            fields: vec![
                Field {
                    kind: "date",
                    ..text("Date", "exception.date")
                },
                Field::select("Kind", "exception.kind", form.get("exception.kind"), KINDS),
                Field::select(
                    "Provider",
                    "exception.provider",
                    form.get("exception.provider"),
                    &providers,
                ),
                Field::select(
                    "Chair",
                    "exception.operatory",
                    form.get("exception.operatory"),
                    &chairs,
                ),
                text("Hours", "exception.hours")
                    .hint("Like 12:00-13:00. Empty for a closure: all day."),
                text("Note", "exception.note"),
            ],
            listing: file
                .exceptions
                .iter()
                .map(|e| (describe(e), key(e)))
                .collect(),
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, problems: &mut Problems) -> Option<(ExceptionEntry, Renames)> {
        let raw = form.get("exception.date");
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d");
        if date.is_err() {
            problems.add(
                "exception.date",
                format!("'{raw}' is not a date like 2026-12-24"),
            );
        }
        let kind = match form.get("exception.kind") {
            "closed" => Some(ExceptionKind::Closed),
            "extra_hours" => Some(ExceptionKind::ExtraHours),
            "blockout" => Some(ExceptionKind::Blockout),
            other => {
                problems.add(
                    "exception.kind",
                    format!("'{other}' is not a kind of exception"),
                );
                None
            }
        };
        Some((
            ExceptionEntry {
                date: date.ok()?,
                kind: kind?,
                provider: form.optional("exception.provider"),
                hours: form.optional("exception.hours"),
                operatory: form.optional("exception.operatory"),
                note: form.optional("exception.note"),
            },
            Renames::default(),
        ))
    }

    fn put(entry: ExceptionEntry, file: &mut ClinicFile) -> Result<(), SetupError> {
        file.exceptions.push(entry);
        file.exceptions.sort_by_key(|e| e.date);
        Ok(())
    }

    /// Only the one being added can be wrong: `exceptions[N].hours` is the form's hours.
    fn field_for(place: &str) -> String {
        match place.split_once("].") {
            Some((section, field)) if section.starts_with("exceptions[") => {
                format!("exception.{field}")
            }
            _ => place.to_owned(),
        }
    }
}

/// Removes one exception, named by everything it says.
pub async fn remove(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AdminError> {
    frame(&staff)?;
    let form = FormData(pairs);
    form.check_csrf(&staff)?;
    let wanted = form.get("key").to_owned();
    let mut found = false;
    let outcome = save(
        &state,
        &staff,
        "removed an exception",
        &Renames::default(),
        |file| {
            if let Some(i) = file.exceptions.iter().position(|e| key(e) == wanted) {
                file.exceptions.remove(i);
                found = true;
            }
            Ok(())
        },
    )
    .await?;
    match outcome {
        Ok(_) if found => Ok(Redirect::to(&format!(
            "/admin/{}/setup/exceptions?saved=1",
            staff.org.slug
        ))
        .into_response()),
        // Already gone (removed in another tab): nothing to do.
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/{}/setup/exceptions", staff.org.slug)).into_response(),
        ),
        Err(problems) => Err(AdminError::BadRequest(problems.general.join("; "))),
    }
}
