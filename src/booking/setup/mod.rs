//! A clinic's setup as a TOML file operators edit: `org import` reads it, `org export` writes
//! it. The whole file is validated before anything is written, and applied in one
//! transaction. Rows are matched by name, so ids (and the appointments that use them) survive
//! a re-import; providers, chairs and types missing from a list are deactivated, not deleted.
//! An operator's file (`ClinicPatch`) changes only what it says; `ClinicFile` is the whole
//! setup, as exported.

mod changes;
mod export;
mod file;
mod import;
mod patch;
mod validate;

pub use changes::changes;
pub use export::export;
pub use file::{
    ClinicFile, ExceptionEntry, OperatoryEntry, ProviderEntry, ScheduleEntry, SettingsSection,
    TypeEntry,
};
pub use import::{Applied, ImportSummary, Renames, apply_file, edit, import};
pub use patch::{ClinicPatch, SettingsPatch};
pub use validate::{check, parse_hours, weekday_from_name};

use crate::store::StoreError;

/// The demo clinic every fresh install starts with.
pub const DEMO_CLINIC: &str = include_str!("../../../examples/clinics/demo.toml");

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `place` is the field's path in the clinic file (`office_hours.monday`,
    /// `providers[1].schedule[0].hours`): the CLI prints it, the console puts the message
    /// next to that field.
    #[error("{place}: {message}")]
    Invalid { place: String, message: String },
    #[error("clinic file: {0}")]
    Parse(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(place: impl Into<String>, message: impl Into<String>) -> SetupError {
    SetupError::Invalid {
        place: place.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_languages(list: &str) -> Result<(), SetupError> {
        let file = ClinicFile::parse(&format!(
            "name = \"Lakeside\"\ntime_zone = \"America/Chicago\"\n[settings]\nlead_minutes = 60\nhorizon_days = 30\nslot_step_minutes = 15\nlanguages = {list}\n"
        ))?;
        check(&file)
    }

    /// The demo file's commented-out examples, uncommented: a valid file using every field.
    fn demo_with_every_example() -> String {
        let example = |line: &str| {
            let rest = line.strip_prefix("# ")?;
            let key = rest.split(" = ").next()?;
            let is_key =
                rest.contains(" = ") && key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            let is_table = rest.starts_with("[[") && rest.ends_with("]]");
            (is_key || is_table).then(|| rest.to_owned())
        };
        DEMO_CLINIC
            .lines()
            .map(|line| example(line).unwrap_or_else(|| line.to_owned()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_demo_file_shows_every_field_and_its_examples_are_valid() {
        let full = demo_with_every_example();
        let file = ClinicFile::parse(&full).expect("the uncommented demo parses");
        check(&file).expect("and is valid");
        assert!(file.greeting.is_some() && file.settings.agent.is_some());
        assert!(file.settings.transcript_retention_days.is_some());
        assert_eq!(file.exceptions.len(), 3);
        assert_eq!(file.phrases.len(), crate::booking::PHRASE_KEYS.len());
        // Every key an export writes appears in the demo file.
        let exported = file.to_toml().expect("toml");
        for line in exported.lines() {
            if let Some((key, _)) = line.split_once(" = ") {
                assert!(
                    full.contains(&format!("\n{key} = ")),
                    "the demo file shows `{key}`"
                );
            }
        }
    }

    #[test]
    fn front_desk_languages_are_codes() {
        let ok = with_languages(r#"["es", "ZH", "yue"]"#);
        assert!(ok.is_ok(), "{ok:?}");
        for bad in [r#"["spanish"]"#, r#"["e"]"#, r#"["es-MX"]"#, r#"[""]"#] {
            assert!(
                matches!(with_languages(bad), Err(SetupError::Invalid { place, .. }) if place == "settings.languages"),
                "{bad}"
            );
        }
    }
}
