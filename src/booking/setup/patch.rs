//! A clinic file as an operator wrote it, applied over the clinic's setup: what the file
//! leaves out stays as it is; what it says replaces what the clinic has. A list replaces the
//! whole list (a provider left out of `providers` is deactivated); an empty text ("") clears
//! a setting, as `0` does `transcript_retention_days`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SetupError;
use super::file::{
    ClinicFile, ExceptionEntry, OperatoryEntry, ProviderEntry, SettingsSection, TypeEntry,
    agent_choice, empty_is_none, zero_is_none,
};
use crate::booking::AgentKind;
use crate::tenancy::default_greeting;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicPatch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    /// `Some(None)`: the file says "" (the default greeting, no instructions).
    #[serde(default, deserialize_with = "said::text")]
    pub greeting: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::text")]
    pub instructions: Option<Option<String>>,
    pub settings: Option<SettingsPatch>,
    pub office_hours: Option<BTreeMap<String, String>>,
    pub phrases: Option<BTreeMap<String, String>>,
    pub operatories: Option<Vec<OperatoryEntry>>,
    pub providers: Option<Vec<ProviderEntry>>,
    pub appointment_types: Option<Vec<TypeEntry>>,
    pub exceptions: Option<Vec<ExceptionEntry>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default, deserialize_with = "said::text")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::text")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::text")]
    pub transfer_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::text")]
    pub cancellation_policy: Option<Option<String>>,
    pub lead_minutes: Option<u32>,
    pub horizon_days: Option<u32>,
    pub slot_step_minutes: Option<u32>,
    #[serde(default, deserialize_with = "said::agent")]
    pub agent: Option<Option<AgentKind>>,
    #[serde(default, deserialize_with = "said::text")]
    pub llm_base_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::text")]
    pub llm_model: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::text")]
    pub llm_fallback_model: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::text")]
    pub llm_api_key_env: Option<Option<String>>,
    #[serde(default, deserialize_with = "said::days")]
    pub transcript_retention_days: Option<Option<u32>>,
    pub languages: Option<Vec<String>>,
}

/// A key that is present, read with the clinic file's own rule for "unset".
mod said {
    use serde::Deserializer;

    use super::{AgentKind, agent_choice, empty_is_none, zero_is_none};

    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
        empty_is_none::deserialize(d).map(Some)
    }

    pub fn agent<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<AgentKind>>, D::Error> {
        agent_choice::deserialize(d).map(Some)
    }

    pub fn days<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
        zero_is_none::deserialize(d).map(Some)
    }
}

fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *target = value;
    }
}

impl ClinicPatch {
    pub fn parse(text: &str) -> Result<Self, SetupError> {
        toml::from_str(text).map_err(|err| SetupError::Parse(err.to_string()))
    }

    /// The file a new clinic starts from: it must name the clinic and its time zone.
    pub fn new_clinic(&self) -> Result<ClinicFile, SetupError> {
        let required = |value: &Option<String>, key: &str| match value.as_deref().map(str::trim) {
            Some(value) if !value.is_empty() => Ok(value.to_owned()),
            _ => Err(super::invalid(
                key,
                "a new clinic's file must give its name and time_zone",
            )),
        };
        Ok(ClinicFile {
            name: required(&self.name, "name")?,
            time_zone: required(&self.time_zone, "time_zone")?,
            greeting: None,
            instructions: None,
            settings: SettingsSection::default(),
            office_hours: BTreeMap::new(),
            phrases: BTreeMap::new(),
            operatories: Vec::new(),
            providers: Vec::new(),
            appointment_types: Vec::new(),
            exceptions: Vec::new(),
        })
    }

    /// Writes what the file says over `file`; the result still needs validating.
    pub fn apply(self, file: &mut ClinicFile) {
        set(&mut file.name, self.name);
        set(&mut file.time_zone, self.time_zone);
        set(&mut file.greeting, self.greeting);
        set(&mut file.instructions, self.instructions);
        if let Some(s) = self.settings {
            let to = &mut file.settings;
            set(&mut to.address, s.address);
            set(&mut to.phone, s.phone);
            set(&mut to.transfer_number, s.transfer_number);
            set(&mut to.cancellation_policy, s.cancellation_policy);
            set(&mut to.lead_minutes, s.lead_minutes);
            set(&mut to.horizon_days, s.horizon_days);
            set(&mut to.slot_step_minutes, s.slot_step_minutes);
            set(&mut to.agent, s.agent);
            set(&mut to.llm_base_url, s.llm_base_url);
            set(&mut to.llm_model, s.llm_model);
            set(&mut to.llm_fallback_model, s.llm_fallback_model);
            set(&mut to.llm_api_key_env, s.llm_api_key_env);
            set(
                &mut to.transcript_retention_days,
                s.transcript_retention_days,
            );
            set(&mut to.languages, s.languages);
        }
        set(&mut file.office_hours, self.office_hours);
        set(&mut file.phrases, self.phrases);
        set(&mut file.operatories, self.operatories);
        set(&mut file.providers, self.providers);
        set(&mut file.appointment_types, self.appointment_types);
        set(&mut file.exceptions, self.exceptions);
        // An exported file spells out the default greeting: it stays the default (and follows
        // a later rename) unless the file changed it.
        if file.greeting.as_deref() == Some(default_greeting(&file.name).as_str()) {
            file.greeting = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lakeside() -> ClinicFile {
        let mut file = ClinicFile::parse(super::super::DEMO_CLINIC).expect("demo file");
        file.name = "Lakeside Dental".into();
        file.greeting = Some("Lakeside, this is Ava.".into());
        file.instructions = Some("Parking behind the building.".into());
        file.settings.address = Some("1 Lake Road".into());
        file
    }

    #[test]
    fn what_the_file_leaves_out_stays_as_it_is() {
        let mut file = lakeside();
        let before = file.clone();
        ClinicPatch::parse("[office_hours]\nmonday = \"09:00-12:00\"\n")
            .expect("patch")
            .apply(&mut file);
        assert_eq!(
            file.office_hours.len(),
            1,
            "office hours are replaced whole"
        );
        assert_eq!(file.greeting, before.greeting);
        assert_eq!(file.instructions, before.instructions);
        assert_eq!(file.settings, before.settings);
        assert_eq!(file.providers, before.providers);
        assert_eq!(file.name, before.name);
    }

    #[test]
    fn an_empty_text_clears_and_a_key_replaces() {
        let mut file = lakeside();
        ClinicPatch::parse(
            "greeting = \"\"\n[settings]\naddress = \"\"\nlead_minutes = 30\nagent = \"llm\"\ntranscript_retention_days = 0\n",
        )
        .expect("patch")
        .apply(&mut file);
        assert_eq!(file.greeting, None);
        assert_eq!(
            file.instructions.as_deref(),
            Some("Parking behind the building.")
        );
        assert_eq!(file.settings.address, None);
        assert_eq!(file.settings.lead_minutes, 30);
        assert_eq!(file.settings.agent, Some(AgentKind::Llm));
        assert_eq!(file.settings.transcript_retention_days, None);
        assert_eq!(file.settings.horizon_days, 90, "settings not named stay");
    }

    #[test]
    fn unknown_keys_and_bad_agents_are_refused_naming_them() {
        let err = ClinicPatch::parse("[settings]\nlead_minute = 3\n").expect_err("typo");
        assert!(err.to_string().contains("lead_minute"), "{err}");
        let err = ClinicPatch::parse("[settings]\nagent = \"gpt\"\n").expect_err("agent");
        assert!(err.to_string().contains("'gpt' is not an agent"), "{err}");
    }

    #[test]
    fn a_new_clinic_needs_its_name_and_zone() {
        let err = ClinicPatch::parse("name = \"Lakeside\"\n")
            .expect("patch")
            .new_clinic()
            .expect_err("no zone");
        assert!(err.to_string().starts_with("time_zone:"), "{err}");
    }

    #[test]
    fn an_export_reads_back_as_the_same_file_and_appends_tables() {
        let mut file = lakeside();
        file.exceptions.clear();
        file.providers[0].schedule.clear();
        let text = file.to_toml().expect("toml");
        assert!(
            !text.contains("= []\n") || text.contains("languages = []"),
            "{text}"
        );
        assert!(text.contains("greeting = "), "{text}");
        assert!(
            text.contains("llm_model = \"\""),
            "every setting is written: {text}"
        );
        assert_eq!(ClinicFile::parse(&text).expect("reads back"), file);
        let appended =
            format!("{text}\n[[exceptions]]\ndate = \"2027-01-01\"\nkind = \"closed\"\n");
        let mut again = file.clone();
        ClinicPatch::parse(&appended)
            .expect("appended table")
            .apply(&mut again);
        assert_eq!(again.exceptions.len(), 1);
    }
}
