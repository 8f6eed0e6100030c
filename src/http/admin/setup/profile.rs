//! The clinic's profile: name, zone, contact numbers, what the receptionist says and knows,
//! and the booking rules.

use super::fields::{Field, FormData, Problems};
use super::page::{Layout, SetupForm};
use crate::booking::setup::{ClinicFile, Renames, SetupError};

pub struct Profile;

/// The profile's part of a clinic file.
pub struct Section {
    name: String,
    time_zone: String,
    greeting: Option<String>,
    instructions: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    transfer_number: Option<String>,
    cancellation_policy: Option<String>,
    lead_minutes: u32,
    horizon_days: u32,
    slot_step_minutes: u32,
    transcript_retention_days: Option<u32>,
    languages: Vec<String>,
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

impl SetupForm for Profile {
    const TAB: &'static str = "profile";
    const TITLE: &'static str = "Clinic profile";
    const INTRO: &'static str =
        "What the receptionist says about the clinic, and when callers may book.";
    type Section = Section;

    fn to_form(file: &ClinicFile) -> FormData {
        let s = &file.settings;
        FormData(
            [
                ("name", file.name.clone()),
                ("time_zone", file.time_zone.clone()),
                ("greeting", text(&file.greeting)),
                ("instructions", text(&file.instructions)),
                ("settings.address", text(&s.address)),
                ("settings.phone", text(&s.phone)),
                ("settings.transfer_number", text(&s.transfer_number)),
                ("settings.cancellation_policy", text(&s.cancellation_policy)),
                ("settings.lead_minutes", s.lead_minutes.to_string()),
                ("settings.horizon_days", s.horizon_days.to_string()),
                (
                    "settings.slot_step_minutes",
                    s.slot_step_minutes.to_string(),
                ),
                (
                    "settings.transcript_retention_days",
                    s.transcript_retention_days
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ),
                ("settings.languages", s.languages.join(", ")),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        )
    }

    fn layout(form: &FormData, _: &ClinicFile) -> Layout {
        let text = |label: &str, name: &str| Field::text(label, name, form.get(name));
        let number = |label: &str, name: &str| Field::number(label, name, form.get(name));
        let area = |label: &str, name: &str| Field::area(label, name, form.get(name));
        Layout {
            fields: vec![
                text("Clinic name", "name"),
                text("Time zone", "time_zone")
                    .hint("An IANA zone such as America/Chicago: the clinic's own clock."),
                text("Address", "settings.address"),
                text("Phone", "settings.phone"),
                text("Transfer number", "settings.transfer_number")
                    .hint("Where callers are put through to the front desk."),
                area("Greeting", "greeting").hint(
                    "The first words of every call. Empty: \"Thank you for calling {clinic}...\"",
                ),
                area("Instructions", "instructions").hint(
                    "What the receptionist should know: parking, insurance, anything callers ask.",
                ),
                area("Cancellation policy", "settings.cancellation_policy"),
                number("Lead time (minutes)", "settings.lead_minutes")
                    .hint("The soonest a caller may book, from now."),
                number("Booking horizon (days)", "settings.horizon_days"),
                number("Slot step (minutes)", "settings.slot_step_minutes")
                    .hint("Start times offered: every 5 to 240 minutes, in 5-minute units."),
                number(
                    "Keep transcripts (days)",
                    "settings.transcript_retention_days",
                )
                .hint("Empty: keep them."),
                text("Front desk languages", "settings.languages").hint(
                    "Codes of the languages the front desk speaks besides English, e.g. es, zh.",
                ),
            ],
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, problems: &mut Problems) -> Option<(Section, Renames)> {
        let lead_minutes = problems.number(form, "settings.lead_minutes");
        let horizon_days = problems.number(form, "settings.horizon_days");
        let slot_step_minutes = problems.number(form, "settings.slot_step_minutes");
        let transcript_retention_days = if form.get("settings.transcript_retention_days").is_empty()
        {
            Some(None)
        } else {
            problems
                .number(form, "settings.transcript_retention_days")
                .map(Some)
        };
        Some((
            Section {
                name: form.get("name").to_owned(),
                time_zone: form.get("time_zone").to_owned(),
                greeting: form.optional("greeting"),
                instructions: form.optional("instructions"),
                address: form.optional("settings.address"),
                phone: form.optional("settings.phone"),
                transfer_number: form.optional("settings.transfer_number"),
                cancellation_policy: form.optional("settings.cancellation_policy"),
                lead_minutes: lead_minutes?,
                horizon_days: horizon_days?,
                slot_step_minutes: slot_step_minutes?,
                transcript_retention_days: transcript_retention_days?,
                languages: form
                    .get("settings.languages")
                    .split([',', ' '])
                    .filter(|code| !code.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            Renames::default(),
        ))
    }

    fn put(s: Section, file: &mut ClinicFile) -> Result<(), SetupError> {
        file.name = s.name;
        file.time_zone = s.time_zone;
        file.greeting = s.greeting;
        file.instructions = s.instructions;
        let settings = &mut file.settings;
        settings.address = s.address;
        settings.phone = s.phone;
        settings.transfer_number = s.transfer_number;
        settings.cancellation_policy = s.cancellation_policy;
        settings.lead_minutes = s.lead_minutes;
        settings.horizon_days = s.horizon_days;
        settings.slot_step_minutes = s.slot_step_minutes;
        settings.transcript_retention_days = s.transcript_retention_days;
        settings.languages = s.languages;
        Ok(())
    }
}
