//! The caller's language: asked for ("do you speak Spanish", "en español, por favor"),
//! written in another script (Chinese, Arabic, Russian...), or spoken with that language's
//! own function words ("necesito una cita"). A Spanish name in English ("my name is José
//! García") stays English: names are not function words.

use super::heard::Language;
use super::lexicon::{LANGUAGE_NAMES, LANGUAGE_REQUESTS, LANGUAGE_WORDS};

/// Words of a language request that are themselves Spanish.
const SPANISH_ASKING: &[&str] = &["habla", "hablan", "hablas", "hablo", "en", "alguien"];

/// The language of a script, for characters only one language here writes with.
fn script(c: char) -> Option<Language> {
    match c as u32 {
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => Some(Language::Chinese),
        0x3040..=0x30FF => Some(Language::Japanese),
        0xAC00..=0xD7AF | 0x1100..=0x11FF => Some(Language::Korean),
        0x0600..=0x06FF | 0x0750..=0x077F => Some(Language::Arabic),
        0x0400..=0x04FF => Some(Language::Russian),
        0x0900..=0x097F => Some(Language::Hindi),
        // Vietnamese letters with stacked marks (ạ, ầ, ự...).
        0x1EA0..=0x1EF9 | 0x01A0 | 0x01A1 | 0x01AF | 0x01B0 => Some(Language::Vietnamese),
        _ => None,
    }
}

/// "do you speak Spanish", "Spanish please", "en español": the language asked for.
fn requested(words: &[&str]) -> Option<Language> {
    words.iter().enumerate().find_map(|(i, w)| {
        let (_, language) = LANGUAGE_NAMES.iter().find(|(name, _)| name == w)?;
        let near = |j: Option<usize>| {
            j.and_then(|j| words.get(j))
                .is_some_and(|n| LANGUAGE_REQUESTS.contains(n))
        };
        let alone = words.len() <= 2;
        if !(alone || near(i.checked_sub(1)) || near(i.checked_sub(2)) || near(Some(i + 1))) {
            return None;
        }
        // "no hablo inglés", "en inglés": asked in Spanish, so Spanish.
        let in_spanish = words.iter().any(|w| SPANISH_ASKING.contains(w));
        Some(if in_spanish {
            Language::Spanish
        } else {
            *language
        })
    })
}

pub fn language(raw: &str, words: &[&str]) -> Option<Language> {
    if let Some(language) = requested(words) {
        return Some(language);
    }
    // Two or more characters of one script (one may be a stray symbol).
    let mut by_script: Option<(Language, usize)> = None;
    for language in raw.chars().filter_map(script) {
        match &mut by_script {
            Some((l, n)) if *l == language => *n += 1,
            Some(_) => {}
            None => by_script = Some((language, 1)),
        }
    }
    if let Some((language, n)) = by_script
        && (n >= 2 || words.len() <= 2)
    {
        return Some(language);
    }
    if raw.contains(['¿', '¡']) {
        return Some(Language::Spanish);
    }
    // The language whose own words are most of the utterance.
    let (language, count) = LANGUAGE_WORDS
        .iter()
        .map(|(language, table)| {
            let count = words.iter().filter(|w| table.contains(w)).count();
            (*language, count)
        })
        .max_by_key(|(_, count)| *count)?;
    let enough = count >= 2 && count * 3 >= words.len();
    // "sí, por favor": short answers.
    let short = words.len() <= 3
        && count >= 1
        && language == Language::Spanish
        && words
            .iter()
            .any(|w| matches!(*w, "sí" | "gracias" | "hola" | "por" | "favor"));
    (enough || short).then_some(language)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::understand::text;

    fn lang(s: &str) -> Option<Language> {
        let w = text::words(s);
        language(s, &w.views())
    }

    #[test]
    fn spanish_spoken_or_asked_for() {
        assert_eq!(
            lang("Hola, necesito una cita para limpieza"),
            Some(Language::Spanish)
        );
        assert_eq!(lang("¿Habla español?"), Some(Language::Spanish));
        assert_eq!(lang("sí, por favor"), Some(Language::Spanish));
        assert_eq!(lang("no hablo inglés"), Some(Language::Spanish));
        assert_eq!(lang("Do you speak Spanish?"), Some(Language::Spanish));
        assert_eq!(lang("Spanish please"), Some(Language::Spanish));
        assert_eq!(
            lang("Is there someone who speaks Spanish"),
            Some(Language::Spanish)
        );
        assert_eq!(lang("My name is José García"), None);
        assert_eq!(lang("I'd like to book a cleaning"), None);
        assert_eq!(lang("I live in Los Angeles"), None);
    }

    #[test]
    fn other_languages() {
        assert_eq!(lang("我想预约洗牙"), Some(Language::Chinese));
        assert_eq!(
            lang("Здравствуйте, мне нужен врач"),
            Some(Language::Russian)
        );
        assert_eq!(lang("مرحبا أريد موعد"), Some(Language::Arabic));
        assert_eq!(
            lang("Xin chào, tôi muốn đặt lịch hẹn"),
            Some(Language::Vietnamese)
        );
        assert_eq!(
            lang("Olá, preciso marcar uma consulta"),
            Some(Language::Portuguese)
        );
        assert_eq!(
            lang("Bonjour, je voudrais un rendez-vous"),
            Some(Language::French)
        );
        assert_eq!(
            lang("Do you have someone who speaks Mandarin?"),
            Some(Language::Chinese)
        );
        assert_eq!(lang("English please"), Some(Language::English));
    }
}
