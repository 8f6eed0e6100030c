//! A made-up caller for scripts, new on every run: `{first_name}`, `{last_name}` and
//! `{birth_date}` in a script's lines take its values, so a script that registers a new
//! patient passes every time it is played against the same database.

use super::script::Step;

const FIRST_NAMES: &[&str] = &[
    "Ann", "Maya", "Lucas", "Omar", "Priya", "Sofia", "Diego", "Amara", "Noah", "Elena", "Kenji",
    "Fatima", "Liam", "Zara", "Mateo", "Ingrid", "Tariq", "Chloe", "Rafael", "Nadia",
];
const LAST_NAMES: &[&str] = &[
    "Rivera",
    "Okafor",
    "Nguyen",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Schmidt",
    "Johansson",
    "Moreau",
    "Alvarez",
    "Mensah",
    "Rossi",
    "Novak",
    "Brennan",
    "Larsen",
    "Demir",
    "Costa",
    "Fischer",
    "Yilmaz",
    "Murphy",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persona {
    pub first_name: String,
    pub last_name: String,
    /// As a caller says it: "March 14th, 1972".
    pub birth_date: String,
    /// A fictional North American number (555).
    pub phone: String,
}

impl Persona {
    pub fn random() -> Self {
        Self::from_seed(*uuid::Uuid::new_v4().as_bytes())
    }

    pub fn from_seed(seed: [u8; 16]) -> Self {
        let pick = |list: &[&str], byte: u8| list[usize::from(byte) % list.len()].to_owned();
        let day = u32::from(seed[3]) % 28 + 1;
        let suffix = match day {
            1 | 21 => "st",
            2 | 22 => "nd",
            3 | 23 => "rd",
            _ => "th",
        };
        let year = 1950 + u32::from(u16::from_le_bytes([seed[4], seed[5]]) % 56);
        let line = u16::from_le_bytes([seed[6], seed[7]]) % 10_000;
        Self {
            first_name: pick(FIRST_NAMES, seed[0]),
            last_name: pick(LAST_NAMES, seed[1]),
            birth_date: format!("{} {day}{suffix}, {year}", pick(MONTHS, seed[2])),
            phone: format!("+1555555{line:04}"),
        }
    }

    fn fill(&self, text: &str) -> String {
        text.replace("{first_name}", &self.first_name)
            .replace("{last_name}", &self.last_name)
            .replace("{birth_date}", &self.birth_date)
    }

    /// The script with this caller's details in its lines.
    pub fn fill_in(&self, steps: Vec<(usize, Step)>) -> Vec<(usize, Step)> {
        steps
            .into_iter()
            .map(|(line, step)| {
                let step = match step {
                    Step::Say(text) => Step::Say(self.fill(&text)),
                    Step::Expect(text) => Step::Expect(self.fill(&text)),
                    Step::ExpectNot(text) => Step::ExpectNot(self.fill(&text)),
                    other => other,
                };
                (line, step)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_the_callers_details() {
        let persona = Persona::from_seed([0, 0, 2, 20, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(persona.birth_date, "March 21st, 1950");
        assert_eq!(persona.phone, "+15555550007");
        let steps = super::super::script::parse(
            "say I'm {first_name} {last_name}, born {birth_date}.\nexpect Welcome, {first_name}\nsilence",
        )
        .expect("script");
        let filled = persona.fill_in(steps);
        assert_eq!(
            filled[0].1,
            Step::Say("I'm Ann Rivera, born March 21st, 1950.".into())
        );
        assert_eq!(filled[1].1, Step::Expect("Welcome, Ann".into()));
        assert_eq!(filled[2].1, Step::Silence);
    }

    #[test]
    fn callers_differ_from_run_to_run() {
        let people: std::collections::HashSet<_> = (0..20)
            .map(|_| {
                let p = Persona::random();
                (p.first_name, p.last_name, p.birth_date)
            })
            .collect();
        assert!(people.len() > 15);
    }
}
