//! Services and symptoms named in an utterance ("my tooth hurts" is an emergency, "a
//! check-up" a checkup), and `resolve_service`, which maps them to the clinic's catalogue.

use super::heard::Service;
use super::lexicon::{CATALOGUE_WORDS, SERVICES};
use super::text::{find_phrase, phrase_len};

/// Words just before a symptom that deny it: "no pain", "it doesn't hurt".
const DENIALS: &[&str] = &[
    "no", "not", "without", "doesn't", "don't", "isn't", "never", "nothing",
];

impl Service {
    fn from_key(key: &str) -> Service {
        match key {
            "cleaning" => Service::Cleaning,
            "deep cleaning" => Service::DeepCleaning,
            "checkup" => Service::Checkup,
            "new patient exam" => Service::NewPatientExam,
            "emergency" => Service::Emergency,
            "filling" => Service::Filling,
            "crown" => Service::Crown,
            "bridge" => Service::Bridge,
            "extraction" => Service::Extraction,
            "root canal" => Service::RootCanal,
            "whitening" => Service::Whitening,
            "consultation" => Service::Consultation,
            "implant" => Service::Implant,
            "dentures" => Service::Dentures,
            "orthodontics" => Service::Orthodontics,
            "veneers" => Service::Veneers,
            other => Service::Other(other.trim_start_matches("other:").to_owned()),
        }
    }

    /// The canonical name, lowercase ("root canal", "night guard").
    pub fn as_str(&self) -> &str {
        match self {
            Service::Cleaning => "cleaning",
            Service::DeepCleaning => "deep cleaning",
            Service::Checkup => "checkup",
            Service::NewPatientExam => "new patient exam",
            Service::Emergency => "emergency",
            Service::Filling => "filling",
            Service::Crown => "crown",
            Service::Bridge => "bridge",
            Service::Extraction => "extraction",
            Service::RootCanal => "root canal",
            Service::Whitening => "whitening",
            Service::Consultation => "consultation",
            Service::Implant => "implant",
            Service::Dentures => "dentures",
            Service::Orthodontics => "orthodontics",
            Service::Veneers => "veneers",
            Service::Other(name) => name,
        }
    }
}

/// The services said, in the order said, without repeats.
pub fn services(words: &[&str]) -> Vec<Service> {
    let mut claimed = vec![false; words.len()];
    let mut found: Vec<(usize, Service)> = Vec::new();
    for (key, phrases) in SERVICES {
        for phrase in *phrases {
            let len = phrase_len(phrase);
            for at in find_phrase(words, phrase) {
                if claimed[at..at + len].iter().any(|c| *c) {
                    continue;
                }
                claimed[at..at + len].iter_mut().for_each(|c| *c = true);
                let denied = (at.saturating_sub(2)..at).any(|i| DENIALS.contains(&words[i]));
                // "check up on my appointment" is not a checkup.
                let check_up_on = *phrase == "check up" && words.get(at + 2) == Some(&"on");
                if *key == "emergency" && denied || check_up_on {
                    continue;
                }
                found.push((at, Service::from_key(key)));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<Service> = Vec::new();
    for (_, service) in found {
        if !out.contains(&service) {
            out.push(service);
        }
    }
    out
}

/// The catalogue words for a service, by canonical key.
fn catalogue_words(key: &str) -> &'static [&'static str] {
    CATALOGUE_WORDS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(&[], |(_, words)| *words)
}

/// `name` (lowercase, spaces at both ends) contains one of `words` as whole words.
fn names_any(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| super::text::has(name, w))
}

/// The catalogue entry for one service.
fn resolve_one(service: &Service, names: &[String], new_patient: Option<bool>) -> Option<usize> {
    let find = |pred: &dyn Fn(&str) -> bool| names.iter().position(|n| pred(n));
    let is_new = |n: &str| names_any(n, catalogue_words("new patient exam"));
    let is_emergency = |n: &str| names_any(n, catalogue_words("emergency"));
    let is_exam = |n: &str| names_any(n, catalogue_words("checkup"));
    let is_cleaning = |n: &str| {
        names_any(n, catalogue_words("cleaning")) && !names_any(n, catalogue_words("deep cleaning"))
    };
    match service {
        Service::Emergency => find(&|n| is_emergency(n)),
        Service::NewPatientExam => {
            find(&|n| is_new(n)).or_else(|| find(&|n| is_exam(n) && !is_emergency(n)))
        }
        Service::Checkup if new_patient == Some(true) => {
            find(&|n| is_new(n)).or_else(|| find(&|n| is_exam(n) && !is_emergency(n)))
        }
        Service::Checkup => find(&|n| is_exam(n) && !is_new(n) && !is_emergency(n))
            .or_else(|| find(&|n| is_cleaning(n) && !is_new(n))),
        Service::Cleaning => {
            find(&|n| is_cleaning(n) && !is_new(n)).or_else(|| find(&|n| is_cleaning(n)))
        }
        Service::Other(name) => find(&|n| n.contains(name.as_str())),
        other => {
            let key = other.as_str();
            find(&|n| super::text::has(n, key))
                .or_else(|| find(&|n| names_any(n, catalogue_words(key))))
        }
    }
}

/// The clinic's appointment type for what the caller asked, from `catalogue` (names as the
/// clinic writes them): an emergency if one was described, else the first service said that
/// the clinic offers.
pub fn resolve_service(
    services: &[Service],
    catalogue: &[&str],
    new_patient: Option<bool>,
) -> Option<usize> {
    let names: Vec<String> = catalogue
        .iter()
        .map(|n| super::text::words(n).text)
        .collect();
    // Pain comes first: "my crown broke" needs the urgent visit, not a crown appointment.
    let urgent = services.iter().filter(|s| **s == Service::Emergency);
    let rest = services.iter().filter(|s| **s != Service::Emergency);
    urgent
        .chain(rest)
        .find_map(|s| resolve_one(s, &names, new_patient))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(said: &str) -> Vec<Service> {
        let w = super::super::text::words(said);
        services(&w.views())
    }

    #[test]
    fn symptoms_are_emergencies() {
        for said in [
            "I have a toothache",
            "my tooth hurts",
            "I have a broken tooth",
            "I chipped my tooth",
            "it's cracked",
            "my face is swollen",
            "I think I have an abscess",
            "my tooth got knocked out",
            "my gums are bleeding",
            "I lost a filling",
            "I'm in a lot of pain",
        ] {
            assert_eq!(s(said), [Service::Emergency], "{said}");
        }
        assert_eq!(s("no pain, just a cleaning"), [Service::Cleaning]);
    }

    #[test]
    fn services_by_synonym() {
        assert_eq!(s("a check-up"), [Service::Checkup]);
        assert_eq!(s("just a routine visit"), [Service::Checkup]);
        assert_eq!(s("I need my teeth cleaned"), [Service::Cleaning]);
        assert_eq!(
            s("a cleaning and an exam"),
            [Service::Cleaning, Service::Checkup]
        );
        assert_eq!(s("I need a root canal"), [Service::RootCanal]);
        assert_eq!(s("my wisdom teeth"), [Service::Extraction]);
        assert_eq!(s("a new patient exam"), [Service::NewPatientExam]);
        assert_eq!(s("I'm interested in Invisalign"), [Service::Orthodontics]);
        assert_eq!(s("a night guard"), [Service::Other("night guard".into())]);
        assert_eq!(s("can you check up on my appointment"), []);
    }

    #[test]
    fn resolves_to_the_catalogue() {
        let catalogue = [
            "New Patient Exam",
            "Cleaning",
            "Periodic Exam",
            "Emergency Visit",
            "Crown Prep",
            "Deep Cleaning",
        ];
        let r = |s: &[Service], new| resolve_service(s, &catalogue, new);
        assert_eq!(r(&[Service::Emergency], None), Some(3));
        assert_eq!(r(&[Service::Checkup], Some(true)), Some(0));
        assert_eq!(r(&[Service::Checkup], Some(false)), Some(2));
        assert_eq!(r(&[Service::Checkup], None), Some(2));
        assert_eq!(r(&[Service::NewPatientExam], None), Some(0));
        assert_eq!(r(&[Service::Cleaning], None), Some(1));
        assert_eq!(r(&[Service::DeepCleaning], None), Some(5));
        assert_eq!(r(&[Service::Crown], None), Some(4));
        assert_eq!(r(&[Service::Whitening], None), None);
        assert_eq!(r(&s("my crown broke"), None), Some(3));
        assert_eq!(r(&[Service::Whitening, Service::Cleaning], None), Some(1));
        // No exam type: a checkup is a cleaning visit.
        let small = ["New Patient Visit", "Adult Cleaning", "Limited Exam"];
        assert_eq!(resolve_service(&[Service::Checkup], &small, None), Some(1));
        assert_eq!(
            resolve_service(&[Service::Emergency], &small, None),
            Some(2)
        );
    }
}
