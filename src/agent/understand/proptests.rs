//! Property tests: dates, days, names and consent rendered many ways parse back; no input
//! panics. Long because it holds the renderers the properties need.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use proptest::prelude::*;

use super::*;

// The parser's own number words: a wrong word there would fail its unit tests.
use super::numbers::{ORDINALS, TENS, UNITS};

const MONTHS: [&str; 12] = [
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

/// 0..100 in words, hyphenated as people write it: "eighty-two".
fn cardinal(n: u32) -> String {
    match n {
        0..=19 => UNITS[n as usize].to_owned(),
        _ if n.is_multiple_of(10) => TENS[(n / 10) as usize].to_owned(),
        _ => format!("{}-{}", TENS[(n / 10) as usize], UNITS[(n % 10) as usize]),
    }
}

/// 1..=31 as an ordinal word: "twenty-first".
fn ordinal(n: u32) -> String {
    match n {
        0..=19 => ORDINALS[n as usize].to_owned(),
        20 => "twentieth".to_owned(),
        30 => "thirtieth".to_owned(),
        _ => format!(
            "{}-{}",
            TENS[(n / 10) as usize],
            ORDINALS[(n % 10) as usize]
        ),
    }
}

/// "15th", "1st", "22nd".
fn numbered(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A year as said: "nineteen eighty-two", "nineteen oh five", "two thousand five",
/// "twenty twelve".
fn year_words(y: i32) -> String {
    let (century, rest) = ((y / 100) as u32, (y % 100) as u32);
    match (century, rest) {
        (20, 0..=9) => format!(
            "two thousand {}",
            if rest == 0 {
                String::new()
            } else {
                cardinal(rest)
            }
        )
        .trim()
        .to_owned(),
        (_, 0) => format!("{} hundred", cardinal(century)),
        (_, 1..=9) => format!("{} oh {}", cardinal(century), cardinal(rest)),
        _ => format!("{} {}", cardinal(century), cardinal(rest)),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date")
}

fn ctx(expecting: Expecting, today: NaiveDate) -> Context<'static> {
    Context {
        today,
        expecting,
        providers: &[],
    }
}

fn birth_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(100 * 365)).prop_map(|days_ago| today() - Duration::days(days_ago + 1))
}

proptest! {
    // No regression files in the source tree: failures print their input. 256 cases unless
    // PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn birth_dates_parse_back(date in birth_date(), form in 0usize..5) {
        let (m, d, y) = (date.month(), date.day(), date.year());
        let month = MONTHS[m as usize - 1];
        let short = (y % 100) as u32;
        let short_maps_back = calendar::Year::Short(short).in_past(today(), m, d) == Some(date);
        let said = match form {
            0 => format!("{month} {}, {y}", numbered(d)),
            1 => format!("{m}/{d}/{y}"),
            2 => format!("the {} of {month} {}", ordinal(d), year_words(y)),
            3 if short_maps_back => format!("{month} {}, {}", ordinal(d), if short < 10 { format!("oh {}", cardinal(short)) } else { cardinal(short) }),
            _ => format!("born {month} {} {}", ordinal(d), year_words(y)),
        };
        let heard = hear(&said, &ctx(Expecting::BirthDate, today()));
        prop_assert_eq!(heard.birth_date, Some(date), "{}", said);
        prop_assert!(heard.days.is_empty(), "{}", said);
        // Not expecting one, a full date with a past year is still a birth date.
        if form != 3 {
            let heard = hear(&said, &ctx(Expecting::Nothing, today()));
            prop_assert_eq!(heard.birth_date, Some(date), "{}", said);
        }
    }

    #[test]
    fn appointment_days_parse_back(start in 0i64..(365 * 4), ahead in 0i64..120, form in 0usize..9) {
        let today = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date") + Duration::days(start);
        let day = today + Duration::days(ahead);
        let weekday = |d: NaiveDate| match d.weekday() {
            Weekday::Mon => "Monday",
            Weekday::Tue => "Tuesday",
            Weekday::Wed => "Wednesday",
            Weekday::Thu => "Thursday",
            Weekday::Fri => "Friday",
            Weekday::Sat => "Saturday",
            Weekday::Sun => "Sunday",
        };
        let month = MONTHS[day.month() as usize - 1];
        let next_monday = today - Duration::days(today.weekday().num_days_from_monday() as i64) + Duration::days(7);
        let (said, expected) = match form {
            0 if ahead == 0 => ("today".to_owned(), day),
            0 if ahead == 1 => ("tomorrow".to_owned(), day),
            0 if ahead == 2 => ("the day after tomorrow".to_owned(), day),
            // The coming weekday: 1 to 7 days ahead.
            1 | 0 => {
                let d = today + Duration::days(ahead % 7 + 1);
                (format!("next {}", weekday(d)), d)
            }
            2 => {
                let d = today + Duration::days(ahead % 7 + 1);
                (weekday(d).to_owned(), d)
            }
            3 => (format!("{month} {}", numbered(day.day())), day),
            4 => (format!("the {} of {month}", ordinal(day.day())), day),
            5 => (format!("{}/{}", day.month(), day.day()), day),
            6 => {
                let d = next_monday + Duration::days(ahead % 7);
                (format!("{} next week", weekday(d)), d)
            }
            7 => {
                let weeks = ahead % 8 + 1;
                let d = today + Duration::days(weeks * 7);
                (format!("in {} weeks", cardinal(weeks as u32)), d)
            }
            _ => (format!("{month} {}", ordinal(day.day())), day),
        };
        let said = format!("Could I come in {said}?");
        let heard = hear(&said, &ctx(Expecting::Day, today));
        prop_assert_eq!(heard.days, vec![expected], "{} (today {})", said, today);
        prop_assert_eq!(heard.birth_date, None);
    }

    #[test]
    fn names_parse_back(first in 0usize..FIRST_NAMES.len(), last in 0usize..LAST_NAMES.len(), form in 0usize..6) {
        let (f, l) = (FIRST_NAMES[first], LAST_NAMES[last]);
        let spelled = |name: &str| -> String {
            name.chars()
                .map(|c| match c {
                    '\'' => "apostrophe".to_owned(),
                    '-' => "hyphen".to_owned(),
                    c => c.to_uppercase().collect(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (said, expecting, want_first, want_last) = match form {
            0 => (format!("My name is {f} {l}."), Expecting::Nothing, Some(f), Some(l)),
            1 => (format!("{f} {l}"), Expecting::Name, Some(f), Some(l)),
            2 => (format!("Hi, this is {f} {l}, calling about an appointment"), Expecting::Nothing, Some(f), Some(l)),
            3 => (format!("first name {f}, last name {l}"), Expecting::NameAndBirthDate, Some(f), Some(l)),
            4 if !l.contains(' ') => (format!("{f} {l}, {}", spelled(l)), Expecting::Name, Some(f), Some(l)),
            _ => (spelled(f), Expecting::Name, Some(f), None),
        };
        let heard = hear(&said, &ctx(expecting, today()));
        let name = heard.name.clone().unwrap_or_default();
        let lower = |s: Option<&str>| s.map(str::to_lowercase);
        prop_assert_eq!(lower(name.first.as_deref()), lower(want_first), "{}", said);
        prop_assert_eq!(lower(name.last.as_deref()), lower(want_last), "{}", said);
        if form <= 3 {
            prop_assert_eq!(name.first.as_deref(), want_first, "{}", said);
            prop_assert_eq!(name.last.as_deref(), want_last, "{}", said);
        }
        prop_assert_eq!(heard.language, None, "{}", said);
        prop_assert!(heard.days.is_empty() && heard.time.is_none(), "{}", said);
    }

    #[test]
    fn hedged_or_negated_answers_are_never_yes(
        lead in 0usize..LEADS.len(),
        yes in 0usize..AFFIRMATIONS.len(),
        tail in 0usize..TAILS.len(),
        before in any::<bool>(),
    ) {
        let said = if before {
            format!("{}{}, {}", LEADS[lead], TAILS[tail], AFFIRMATIONS[yes])
        } else {
            format!("{}{}, {}", LEADS[lead], AFFIRMATIONS[yes], TAILS[tail])
        };
        let heard = hear(&said, &ctx(Expecting::Confirm, today()));
        prop_assert_ne!(heard.consent, Some(Consent::Yes), "{}", said);
        // Said after the affirmation, a negation or hedge is always heard as one.
        prop_assert!(before || heard.consent.is_some(), "{}", said);
    }

    #[test]
    fn plain_affirmations_are_yes(lead in 0usize..LEADS.len(), yes in 0usize..AFFIRMATIONS.len()) {
        let said = format!("{}{}.", LEADS[lead], AFFIRMATIONS[yes]);
        let heard = hear(&said, &ctx(Expecting::Confirm, today()));
        prop_assert_eq!(heard.consent, Some(Consent::Yes), "{}", said);
    }

    #[test]
    fn arbitrary_text_never_panics(said in ".{0,200}", expecting in 0usize..13) {
        let _ = hear(&said, &ctx(EXPECTING[expecting], today()));
    }

    #[test]
    fn word_soup_never_panics(words in prop::collection::vec(0usize..SOUP.len(), 0..30), expecting in 0usize..13) {
        let said: Vec<&str> = words.iter().map(|&i| SOUP[i]).collect();
        let providers = vec!["Dr. Sarah Chen".to_owned(), "Maria".to_owned()];
        let ctx = Context { today: today(), expecting: EXPECTING[expecting], providers: &providers };
        let _ = hear(&said.join(" "), &ctx);
    }
}

const EXPECTING: [Expecting; 13] = [
    Expecting::Nothing,
    Expecting::Name,
    Expecting::BirthDate,
    Expecting::Phone,
    Expecting::NameAndBirthDate,
    Expecting::NewPatient,
    Expecting::Service,
    Expecting::Day,
    Expecting::Choice,
    Expecting::Confirm,
    Expecting::WhichAppointment,
    Expecting::AnythingElse,
    Expecting::Message,
];

const LEADS: &[&str] = &[
    "", "um, ", "uh ", "oh ", "well, ", "so ", "okay, ", "Uh, ", "oh, um, ",
];
const AFFIRMATIONS: &[&str] = &[
    "yes",
    "yeah",
    "yep",
    "sure",
    "sure, go ahead",
    "yeah that's right",
    "sounds good",
    "perfect, book it",
    "yes please",
    "that works",
    "mm-hmm",
    "correct",
    "sure, why not",
    "no problem, go ahead",
    "that's fine",
    "absolutely",
    "okay",
    "go ahead",
    "that's correct",
    "uh huh",
    "Yes, that works for me",
    "alright",
];
const TAILS: &[&str] = &[
    "no",
    "nope",
    "no, don't book it yet",
    "that's not right",
    "not that one",
    "don't",
    "I'd rather not",
    "no thanks",
    "wait",
    "hold on",
    "not yet",
    "actually",
    "let me think",
    "hmm I'm not sure",
    "maybe",
    "I guess",
    "but can it be later",
    "one sec",
    "let me check my calendar",
    "actually can we do Thursday instead",
    "but not with Dr. Chen",
    "I don't know",
    "hang on a second",
    "wait, is that the morning?",
    "or maybe something earlier",
    "never mind",
    "I think",
    "probably",
    "but I need to check with my wife",
    "no wait",
    "can we change it",
    "is that right?",
    "hmm",
];

const FIRST_NAMES: &[&str] = &[
    "Ann",
    "Siobhan",
    "Oluwaseun",
    "Xiaoming",
    "Mohammed",
    "Priya",
    "Giulia",
    "Dmitri",
    "Kofi",
    "Yuki",
    "Hiroshi",
    "Ngozi",
    "Chidi",
    "Aisha",
    "Fatima",
    "Omar",
    "José",
    "María",
    "Björn",
    "Søren",
    "Zoë",
    "Seán",
    "Ewa",
    "Krzysztof",
    "Thanh",
    "Minh",
    "Jae-won",
    "Haruto",
    "Anahí",
    "Ximena",
    "Nasrin",
    "Reza",
    "Tariq",
    "Leilani",
    "Ayodele",
    "Olga",
    "Svetlana",
    "Ingrid",
    "Mateo",
    "Santiago",
    "Emeka",
    "Tendai",
    "Thandiwe",
    "Bao",
    "Linh",
    "Rahul",
    "Deepika",
    "Arjun",
    "Niamh",
    "Saoirse",
    "Gráinne",
    "Liam",
    "Emma",
    "Noah",
    "Olivia",
    "Wei",
    "Jin",
];
const LAST_NAMES: &[&str] = &[
    "Nguyen",
    "O'Brien",
    "García-López",
    "Adeyemi",
    "Li",
    "Al-Rashid",
    "van der Berg",
    "De la Cruz",
    "Nakamura",
    "Kowalski",
    "Papadopoulos",
    "Rivera",
    "Chen",
    "Okafor",
    "Mbeki",
    "Tanaka",
    "Kim",
    "Johansson",
    "Müller",
    "Schmidt",
    "Rossi",
    "Haddad",
    "Cohen",
    "Singh",
    "Sharma",
    "Ivanova",
    "Wójcik",
    "Dubois",
    "Lefèvre",
    "Silva",
    "Santos",
    "Pereira",
    "Mensah",
    "Boateng",
    "Abubakar",
    "Yilmaz",
    "Öztürk",
    "Hosseini",
    "Mahmoud",
    "Tran",
    "Pham",
    "Le",
    "Ali",
    "Khan",
    "Begum",
    "Okonkwo",
    "MacDonald",
    "McCarthy",
    "Fitzgerald",
    "Kaur",
    "Gupta",
    "Walsh",
    "D'Angelo",
    "Ó Súilleabháin",
    "bin Laden",
];

const SOUP: &[&str] = &[
    "yes",
    "no",
    "my",
    "name",
    "is",
    "Ann",
    "R",
    "I",
    "V",
    "E",
    "A",
    "-",
    "'",
    "at",
    "nine",
    "thirty",
    "the",
    "second",
    "of",
    "March",
    "1982",
    "3/15/82",
    "12/3",
    "next",
    "week",
    "Tuesday",
    "tomorrow",
    "today",
    "in",
    "two",
    "weeks",
    "a",
    "week",
    "from",
    "noon",
    "half",
    "past",
    "quarter",
    "to",
    "am",
    "pm",
    "o'clock",
    "10:30",
    "555-201-0123",
    "five",
    "oh",
    "double",
    "born",
    "daughter",
    "for",
    "his",
    "is",
    "Dr.",
    "Chen",
    "Chan",
    "with",
    "cancel",
    "reschedule",
    "book",
    "cleaning",
    "tooth",
    "hurts",
    "¿",
    "español",
    "ñ",
    "é",
    "中文",
    "😀",
    "(inaudible)",
    "[",
    "]",
    "(",
    ")",
    ",",
    ".",
    "?",
    "!",
    "s-i-o-b-h-a-n",
    "apostrophe",
    "hyphen",
    "twenty",
    "first",
    "thirty-first",
    "nineteen",
    "eighty-two",
    "'82",
    "van",
    "der",
    "de",
    "la",
    "uh",
    "huh",
    "um",
    "İ",
    "ß",
    "ﬁ",
    "a.m.",
    "p.m.",
    "2:30pm",
    "10am",
    "99999999999999999999",
    "0/0/0",
    "13/45/2000",
    "31/31",
    ":",
    "/",
    "--",
    "'s",
    "o'",
    "mc",
];
