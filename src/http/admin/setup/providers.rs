//! Providers and their weekly schedules: one row a provider, a day's hours in each weekday's
//! box. A chair chosen for the provider holds for all their hours; "09:00-12:00 @ Op 2" puts
//! one range in another chair. A renamed provider keeps their appointments.

use std::collections::HashMap;

use chrono::Weekday;

use super::fields::{Field, FormData, Problems, named_rows, shown_rows};
use super::hours::{WEEKDAYS, day_label};
use super::page::{Layout, SetupForm};
use super::types::{KINDS, kind_from_name, kind_name};
use crate::booking::ProviderKind;
use crate::booking::setup::{
    ClinicFile, ProviderEntry, Renames, ScheduleEntry, SetupError, parse_hours, weekday_from_name,
};

pub struct Providers;

fn day_index(day: Weekday) -> usize {
    day.num_days_from_monday() as usize
}

/// A provider's schedule as seven boxes and the chair most of it uses.
fn boxes(provider: &ProviderEntry) -> (String, [String; 7]) {
    let mut blocks: Vec<(usize, &str, Option<&str>)> = Vec::new();
    for entry in &provider.schedule {
        for day in &entry.days {
            if let Ok(weekday) = weekday_from_name(day) {
                blocks.push((day_index(weekday), &entry.hours, entry.operatory.as_deref()));
            }
        }
    }
    let mut chairs = blocks.iter().map(|(_, _, chair)| *chair);
    let first = chairs.next().flatten();
    let one_chair = blocks.iter().all(|(_, _, chair)| *chair == first);
    let mut days: [String; 7] = Default::default();
    for (day, hours, chair) in blocks {
        let text = match chair {
            Some(chair) if !one_chair => format!("{hours} @ {chair}"),
            _ => hours.to_owned(),
        };
        if let Some(slot) = days.get_mut(day) {
            if !slot.is_empty() {
                slot.push_str(", ");
            }
            slot.push_str(&text);
        }
    }
    let chair = if one_chair {
        first.unwrap_or_default()
    } else {
        ""
    };
    (chair.to_owned(), days)
}

impl SetupForm for Providers {
    const TAB: &'static str = "providers";
    const TITLE: &'static str = "Providers";
    const INTRO: &'static str = "Who sees patients, and when. Each weekday's box holds that day's hours (08:00-12:00, 13:00-17:00); an empty box is a day off. A provider who leaves is unticked, not deleted: their appointments keep them.";
    type Section = (Vec<ProviderEntry>, Renames);

    fn to_form(file: &ClinicFile) -> FormData {
        let mut form = FormData(Vec::new());
        for (i, provider) in file.providers.iter().enumerate() {
            let name = |field: &str| format!("providers[{i}].{field}");
            let (chair, days) = boxes(provider);
            form.put(name("name"), provider.name.clone());
            form.put(name("was"), provider.name.clone());
            form.put(name("kind"), kind_name(provider.kind));
            form.put(name("operatory"), chair);
            for (day, hours) in WEEKDAYS.iter().zip(days) {
                form.put(name(day), hours);
            }
            if provider.active {
                form.put(name("active"), "yes");
            }
        }
        form
    }

    fn layout(form: &FormData, file: &ClinicFile) -> Layout {
        let (rows, count) = shown_rows(form, "providers");
        let mut chairs: Vec<(&str, &str)> = vec![("", "Any chair")];
        chairs.extend(
            file.operatories
                .iter()
                .filter(|o| o.active)
                .map(|o| (o.name.as_str(), o.name.as_str())),
        );
        let mut columns = vec!["Name", "Kind", "Chair"];
        columns.extend(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
        columns.push("Working");
        Layout {
            columns,
            rows: (0..count)
                .map(|i| {
                    let name = |field: &str| format!("providers[{i}].{field}");
                    let new = i >= rows;
                    let mut row = vec![
                        Field::text(
                            if new { "New provider" } else { "Name" },
                            &name("name"),
                            form.get(&name("name")),
                        )
                        .with_hidden(&name("was"), form.get(&name("was"))),
                        Field::select("Kind", &name("kind"), form.get(&name("kind")), KINDS),
                        Field::select(
                            "Chair",
                            &name("operatory"),
                            form.get(&name("operatory")),
                            &chairs,
                        ),
                    ];
                    row.extend(
                        WEEKDAYS.iter().map(|day| {
                            Field::text(&day_label(day), &name(day), form.get(&name(day)))
                        }),
                    );
                    row.push(Field::check(
                        "Working",
                        &name("active"),
                        new || form.ticked(&name("active")),
                    ));
                    row
                })
                .collect(),
            rows_hint: "To add a provider, fill in the last row.",
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, problems: &mut Problems) -> Option<(Self::Section, Renames)> {
        let mut renames = Renames::default();
        // A new row with hours but no name is a mistake to point out, not an empty row.
        let filled = |i: usize| {
            WEEKDAYS
                .iter()
                .any(|day| !form.get(&format!("providers[{i}].{day}")).is_empty())
        };
        let rows = named_rows(
            form,
            "providers",
            "untick \"Working\" when a provider leaves",
            problems,
            &mut renames.providers,
            filled,
        );
        let mut providers = Vec::new();
        for row in rows {
            let field = |f: &str| row.field("providers", f);
            let name = row.name.as_str();
            let kind = kind_from_name(form.get(&field("kind"))).unwrap_or(ProviderKind::Dentist);
            let chair = form.optional(&field("operatory"));
            // One schedule entry for each (hours, chair), listing its days in week order.
            let mut schedule: Vec<ScheduleEntry> = Vec::new();
            for day in WEEKDAYS {
                for range in form
                    .get(&field(day))
                    .split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                {
                    let (hours, operatory) = match range.split_once('@') {
                        Some((hours, chair)) => (hours.trim(), Some(chair.trim().to_owned())),
                        None => (range, chair.clone()),
                    };
                    if let Err(message) = parse_hours(hours) {
                        problems.add(&field(day), message);
                        continue;
                    }
                    match schedule
                        .iter_mut()
                        .find(|e| e.hours == hours && e.operatory == operatory)
                    {
                        Some(entry) => entry.days.push(day.to_owned()),
                        None => schedule.push(ScheduleEntry {
                            days: vec![day.to_owned()],
                            hours: hours.to_owned(),
                            operatory,
                        }),
                    }
                }
            }
            providers.push(ProviderEntry {
                name: name.to_owned(),
                kind,
                active: form.ticked(&field("active")),
                schedule,
            });
        }
        Some(((providers, renames.clone()), renames))
    }

    fn put((providers, renames): Self::Section, file: &mut ClinicFile) -> Result<(), SetupError> {
        let old_to_new: HashMap<&String, &String> = renames
            .providers
            .iter()
            .map(|(new, old)| (old, new))
            .collect();
        for exception in &mut file.exceptions {
            if let Some(new) = exception
                .provider
                .as_ref()
                .and_then(|old| old_to_new.get(old))
            {
                exception.provider = Some((*new).clone());
            }
        }
        file.providers = providers;
        Ok(())
    }

    /// A schedule's problem (a chair that is not there) shows at the provider's chair.
    fn field_for(place: &str) -> String {
        match place.split_once(".schedule[") {
            Some((provider, _)) => format!("{provider}.operatory"),
            None => place.to_owned(),
        }
    }
}
