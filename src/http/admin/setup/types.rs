//! Appointment types: a length in minutes or an Open Dental time pattern, and the kind of
//! provider who sees them. A renamed type keeps its appointments.

use super::fields::{Field, FormData, Problems, named_rows, shown_rows};
use super::page::{Layout, SetupForm};
use crate::booking::ProviderKind;
use crate::booking::setup::{ClinicFile, Renames, SetupError, TypeEntry};

pub struct Types;

pub const KINDS: &[(&str, &str)] = &[("dentist", "Dentist"), ("hygienist", "Hygienist")];

pub fn kind_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Dentist => "dentist",
        ProviderKind::Hygienist => "hygienist",
    }
}

pub fn kind_from_name(raw: &str) -> Option<ProviderKind> {
    match raw {
        "dentist" => Some(ProviderKind::Dentist),
        "hygienist" => Some(ProviderKind::Hygienist),
        _ => None,
    }
}

impl SetupForm for Types {
    const TAB: &'static str = "types";
    const TITLE: &'static str = "Appointment types";
    const INTRO: &'static str = "What callers can book. Give the length in minutes, or an Open Dental pattern (X: the provider is busy, /: an assistant's time; each character is 5 minutes). A type no longer offered is unticked, not deleted.";
    type Section = Vec<TypeEntry>;

    fn to_form(file: &ClinicFile) -> FormData {
        let mut form = FormData(Vec::new());
        for (i, t) in file.appointment_types.iter().enumerate() {
            let name = |field: &str| format!("appointment_types[{i}].{field}");
            form.put(name("name"), t.name.clone());
            form.put(name("was"), t.name.clone());
            // The pattern gives the length when there is one.
            let minutes = match &t.pattern {
                Some(_) => String::new(),
                None => t.minutes.map(|m| m.to_string()).unwrap_or_default(),
            };
            form.put(name("minutes"), minutes);
            form.put(name("pattern"), t.pattern.clone().unwrap_or_default());
            form.put(
                name("provider_kind"),
                t.provider_kind.map(kind_name).unwrap_or_default(),
            );
            if t.active {
                form.put(name("active"), "yes");
            }
        }
        form
    }

    fn layout(form: &FormData, _: &ClinicFile) -> Layout {
        let (rows, count) = shown_rows(form, "appointment_types");
        let kinds = [("", "Any provider"), KINDS[0], KINDS[1]];
        Layout {
            columns: vec!["Name", "Minutes", "Pattern", "Seen by", "Offered"],
            rows: (0..count)
                .map(|i| {
                    let name = |field: &str| format!("appointment_types[{i}].{field}");
                    let new = i >= rows;
                    vec![
                        Field::text(
                            if new { "New type" } else { "Name" },
                            &name("name"),
                            form.get(&name("name")),
                        )
                        .with_hidden(&name("was"), form.get(&name("was"))),
                        Field::number("Minutes", &name("minutes"), form.get(&name("minutes"))),
                        Field::text("Pattern", &name("pattern"), form.get(&name("pattern"))),
                        Field::select(
                            "Seen by",
                            &name("provider_kind"),
                            form.get(&name("provider_kind")),
                            &kinds,
                        ),
                        Field::check(
                            "Offered",
                            &name("active"),
                            new || form.ticked(&name("active")),
                        ),
                    ]
                })
                .collect(),
            rows_hint: "To add a type, fill in the last row.",
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, problems: &mut Problems) -> Option<(Self::Section, Renames)> {
        let mut renames = Renames::default();
        let rows = named_rows(
            form,
            "appointment_types",
            "untick \"Offered\" to stop offering a type",
            problems,
            &mut renames.appointment_types,
            |_| false,
        );
        let mut types = Vec::new();
        for row in rows {
            let field = |f: &str| row.field("appointment_types", f);
            let minutes = if form.get(&field("minutes")).is_empty() {
                None
            } else {
                problems.number(form, &field("minutes"))
            };
            let kind = form.get(&field("provider_kind"));
            let provider_kind = kind_from_name(kind);
            if !kind.is_empty() && provider_kind.is_none() {
                problems.add(
                    &field("provider_kind"),
                    format!("'{kind}' is not a kind of provider"),
                );
            }
            types.push(TypeEntry {
                name: row.name.clone(),
                minutes,
                provider_kind,
                pattern: form.optional(&field("pattern")),
                active: form.ticked(&field("active")),
            });
        }
        Some((types, renames))
    }

    fn put(types: Self::Section, file: &mut ClinicFile) -> Result<(), SetupError> {
        file.appointment_types = types;
        Ok(())
    }
}
