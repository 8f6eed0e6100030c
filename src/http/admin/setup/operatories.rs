//! Chairs (operatories): named, hygiene or not, in use or not. A renamed chair keeps its
//! appointments, and the schedules and exceptions that name it follow the new name.

use std::collections::HashMap;

use super::fields::{Field, FormData, Problems, named_rows, shown_rows};
use super::page::{Layout, SetupForm};
use crate::booking::setup::{ClinicFile, OperatoryEntry, Renames, SetupError};

pub struct Operatories;

impl SetupForm for Operatories {
    const TAB: &'static str = "operatories";
    const TITLE: &'static str = "Chairs";
    const INTRO: &'static str = "The clinic's chairs (operatories). Hygiene chairs take hygiene visits. A chair no longer used is unticked, not deleted: its past appointments keep it.";
    type Section = (Vec<OperatoryEntry>, Renames);

    fn to_form(file: &ClinicFile) -> FormData {
        let mut form = FormData(Vec::new());
        for (i, chair) in file.operatories.iter().enumerate() {
            form.put(format!("operatories[{i}].name"), chair.name.clone());
            form.put(format!("operatories[{i}].was"), chair.name.clone());
            if chair.hygiene {
                form.put(format!("operatories[{i}].hygiene"), "yes");
            }
            if chair.active {
                form.put(format!("operatories[{i}].active"), "yes");
            }
        }
        form
    }

    fn layout(form: &FormData, _: &ClinicFile) -> Layout {
        let (rows, count) = shown_rows(form, "operatories");
        Layout {
            columns: vec!["Name", "Hygiene", "In use"],
            rows: (0..count)
                .map(|i| {
                    let name = |field: &str| format!("operatories[{i}].{field}");
                    let new = i >= rows;
                    vec![
                        Field::text(
                            if new { "New chair" } else { "Name" },
                            &name("name"),
                            form.get(&name("name")),
                        )
                        .with_hidden(&name("was"), form.get(&name("was"))),
                        Field::check("Hygiene", &name("hygiene"), form.ticked(&name("hygiene"))),
                        Field::check(
                            "In use",
                            &name("active"),
                            new || form.ticked(&name("active")),
                        ),
                    ]
                })
                .collect(),
            rows_hint: "To add a chair, fill in the last row.",
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, problems: &mut Problems) -> Option<(Self::Section, Renames)> {
        let mut renames = Renames::default();
        let rows = named_rows(
            form,
            "operatories",
            "untick \"In use\" to stop using a chair",
            problems,
            &mut renames.operatories,
            |_| false,
        );
        let chairs = rows
            .iter()
            .map(|row| OperatoryEntry {
                name: row.name.clone(),
                hygiene: form.ticked(&row.field("operatories", "hygiene")),
                active: form.ticked(&row.field("operatories", "active")),
            })
            .collect();
        Some(((chairs, renames.clone()), renames))
    }

    fn put((chairs, renames): Self::Section, file: &mut ClinicFile) -> Result<(), SetupError> {
        let old_to_new: HashMap<&String, &String> = renames
            .operatories
            .iter()
            .map(|(new, old)| (old, new))
            .collect();
        let follow = |chair: &mut Option<String>| {
            if let Some(new) = chair.as_ref().and_then(|old| old_to_new.get(old)) {
                *chair = Some((*new).clone());
            }
        };
        for provider in &mut file.providers {
            provider
                .schedule
                .iter_mut()
                .for_each(|entry| follow(&mut entry.operatory));
        }
        file.exceptions
            .iter_mut()
            .for_each(|entry| follow(&mut entry.operatory));
        file.operatories = chairs;
        Ok(())
    }
}
