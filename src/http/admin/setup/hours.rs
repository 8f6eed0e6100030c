//! Office hours: when the clinic is open, day by day.

use std::collections::BTreeMap;

use super::fields::{Field, FormData, Problems};
use super::page::{Layout, SetupForm};
use crate::booking::setup::{ClinicFile, Renames, SetupError, weekday_from_name};

pub struct Hours;

pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub fn day_label(day: &str) -> String {
    let mut label = day.to_owned();
    if let Some(first) = label.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    label
}

impl SetupForm for Hours {
    const TAB: &'static str = "hours";
    const TITLE: &'static str = "Office hours";
    const INTRO: &'static str = "When the clinic is open. Providers are booked only inside these hours and their own schedules. Several ranges are separated by commas; an empty day is closed.";
    type Section = BTreeMap<String, String>;

    fn to_form(file: &ClinicFile) -> FormData {
        // A file may name a day in any case or by its short name.
        let mut pairs: Vec<(String, String)> = WEEKDAYS
            .iter()
            .map(|day| (format!("office_hours.{day}"), String::new()))
            .collect();
        for (day, hours) in &file.office_hours {
            if let Ok(weekday) = weekday_from_name(day) {
                let index = weekday.num_days_from_monday() as usize;
                if let Some(slot) = pairs.get_mut(index) {
                    slot.1 = hours.clone();
                }
            }
        }
        FormData(pairs)
    }

    fn layout(form: &FormData, _: &ClinicFile) -> Layout {
        Layout {
            fields: WEEKDAYS
                .iter()
                .map(|day| {
                    let name = format!("office_hours.{day}");
                    let field = Field::text(&day_label(day), &name, form.get(&name));
                    if *day == "monday" {
                        field.hint("For example 08:00-12:00, 13:00-17:00")
                    } else {
                        field
                    }
                })
                .collect(),
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, _: &mut Problems) -> Option<(Self::Section, Renames)> {
        let hours = WEEKDAYS
            .iter()
            .map(|day| (*day, form.get(&format!("office_hours.{day}"))))
            .filter(|(_, hours)| !hours.is_empty())
            .map(|(day, hours)| (day.to_owned(), hours.to_owned()))
            .collect();
        Some((hours, Renames::default()))
    }

    fn put(hours: Self::Section, file: &mut ClinicFile) -> Result<(), SetupError> {
        file.office_hours = hours;
        Ok(())
    }
}
