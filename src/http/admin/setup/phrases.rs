//! The receptionist's wording: the clinic's own words for what it says often.

use std::collections::BTreeMap;

use super::fields::{Field, FormData, Problems};
use super::page::{Layout, SetupForm};
use crate::booking::PHRASE_KEYS;
use crate::booking::setup::{ClinicFile, Renames, SetupError};

pub struct Phrases;

impl SetupForm for Phrases {
    const TAB: &'static str = "phrases";
    const TITLE: &'static str = "Wording";
    const INTRO: &'static str = "The clinic's own words for what the receptionist says often. Empty: the receptionist's usual wording.";
    type Section = BTreeMap<String, String>;

    fn to_form(file: &ClinicFile) -> FormData {
        FormData(
            PHRASE_KEYS
                .iter()
                .map(|(key, _)| {
                    (
                        format!("phrases.{key}"),
                        file.phrases.get(*key).cloned().unwrap_or_default(),
                    )
                })
                .collect(),
        )
    }

    fn layout(form: &FormData, _: &ClinicFile) -> Layout {
        Layout {
            fields: PHRASE_KEYS
                .iter()
                .map(|(key, when)| {
                    let name = format!("phrases.{key}");
                    let label = key.replace('_', " ");
                    Field::area(&super::hours::day_label(&label), &name, form.get(&name))
                        .hint(&format!("Said {}", when.trim_start_matches("said ")))
                })
                .collect(),
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, _: &mut Problems) -> Option<(Self::Section, Renames)> {
        let phrases = PHRASE_KEYS
            .iter()
            .filter_map(|(key, _)| {
                form.optional(&format!("phrases.{key}"))
                    .map(|text| ((*key).to_owned(), text))
            })
            .collect();
        Some((phrases, Renames::default()))
    }

    fn put(phrases: Self::Section, file: &mut ClinicFile) -> Result<(), SetupError> {
        file.phrases = phrases;
        Ok(())
    }
}
