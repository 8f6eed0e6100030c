//! Realistic callers, generated: the way people actually talk on the phone and the way speech
//! recognition writes it down, against the built-in receptionist and the corpus's fake clinic
//! in memory. Independent of the corpus's own phrasings: rambling first turns with the intent
//! buried in a story, several facts in one turn, questions answered with questions, times and
//! dates and birth dates said every which way, names of many origins (spelled with "as in" or
//! dashes), hedged and informal yeses, no's full of yes-words, rejected offers, corrections at
//! every step, questions mid-booking, someone else's appointment, emergencies, wanting a person,
//! goodbyes, silence and off-topic talk; and the transcription noise on top (no punctuation,
//! fillers, repeated words, homophones).
//!
//! Every call checks what the clinic's records hold afterwards (booked at the time chosen,
//! moved, cancelled, a message, a transfer, nothing) and the safety rules (no change without a
//! clear yes right after the read-back, no details before verification).
//!
//! `cargo test --test api realistic_callers -- --nocapture` prints the pass rate by kind of
//! caller; `REALISTIC_ONLY=17` plays one call and prints it; `REALISTIC_SHOW=all` prints every
//! failing call (by default the first two per kind).

use crate::corpus;

use std::collections::BTreeMap;
use std::sync::Arc;

use ascendia::agent::Ending;
use ascendia::agent::receptionist::{Dialogue, Event, Facts, executor};
use ascendia::agent::tools::spoken_date;
use ascendia::agent::understand::{self, Context};
use ascendia::booking::{PhoneNumber, Phrases};
use ascendia::retell::frames::{Role, Utterance};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike, Weekday};

use corpus::fake::FakeClinic;
use corpus::words::{cardinal, month_name, ordinal, ordinal_digits, parse_offers, year};
use corpus::{CHEN, End, LOPEZ, PATEL, Person, Recorder, Rng, SeedAppointment, Turn};

const SEED: u64 = 0x0005_EA1C_A11E_2026;
/// Calls per kind of caller.
const PER_KIND: usize = 24;
/// Caller turns before a call counts as going in circles.
const MAX_TURNS: usize = 30;
const MAX_TOOLS_PER_TURN: usize = 6;
/// The pass rate this harness must keep: measured 494 of 504 (98.0%) on this seed
/// (deterministic); a few calls of slack for parser changes, no more.
const MIN_PASS_RATE: f64 = 0.95;

const GREETING: &str = "Thank you for calling Demo Dental. How can I help you today?";

// ---- Kinds of caller -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Rambling,
    PackedTurn,
    DayForms,
    TimeChoice,
    BirthForms,
    Names,
    HedgedYes,
    NoWithYesWords,
    RejectOffers,
    Corrections,
    Reschedule,
    Cancel,
    CheckAppointment,
    MidFlowQuestion,
    SomeoneElse,
    NewOrNot,
    Emergency,
    WantsHuman,
    Goodbye,
    OffTopicSilence,
    Message,
}

const KINDS: &[Kind] = &[
    Kind::Rambling,
    Kind::PackedTurn,
    Kind::DayForms,
    Kind::TimeChoice,
    Kind::BirthForms,
    Kind::Names,
    Kind::HedgedYes,
    Kind::NoWithYesWords,
    Kind::RejectOffers,
    Kind::Corrections,
    Kind::Reschedule,
    Kind::Cancel,
    Kind::CheckAppointment,
    Kind::MidFlowQuestion,
    Kind::SomeoneElse,
    Kind::NewOrNot,
    Kind::Emergency,
    Kind::WantsHuman,
    Kind::Goodbye,
    Kind::OffTopicSilence,
    Kind::Message,
];

// ---- What the caller wants, and what must happen -------------------------------------------

/// When in the day the caller wants to come in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TimeWish {
    Any,
    Morning,
    Afternoon,
    After(u32, u32),
    Before(u32, u32),
    /// Within an hour of this time.
    Around(u32, u32),
}

impl TimeWish {
    fn ok(self, t: NaiveTime) -> bool {
        let m = t.hour() * 60 + t.minute();
        match self {
            TimeWish::Any => true,
            TimeWish::Morning => t.hour() < 12,
            TimeWish::Afternoon => t.hour() >= 12,
            TimeWish::After(h, mm) => m >= h * 60 + mm,
            TimeWish::Before(h, mm) => m < h * 60 + mm,
            TimeWish::Around(h, mm) => (m as i64 - (h * 60 + mm) as i64).abs() <= 60,
        }
    }
}

/// A constraint the caller added by turning offers down.
#[derive(Debug, Clone, PartialEq)]
enum Constraint {
    LaterThan(NaiveDate, NaiveTime),
    EarlierThan(NaiveDate, NaiveTime),
    Time(TimeWish),
    WeekOf(NaiveDate),
    Weekday(Weekday),
    Provider(&'static str),
}

impl Constraint {
    fn ok(&self, d: NaiveDate, t: NaiveTime, provider: &str) -> bool {
        match self {
            Constraint::LaterThan(day, time) => (d, t) > (*day, *time),
            Constraint::EarlierThan(day, time) => (d, t) < (*day, *time),
            Constraint::Time(w) => w.ok(t),
            Constraint::WeekOf(monday) => d >= *monday && d < *monday + Duration::days(7),
            Constraint::Weekday(w) => d.weekday() == *w,
            Constraint::Provider(p) => provider == *p,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Want {
    Booked {
        patient: Person,
        services: Vec<&'static str>,
        /// Acceptable days; empty for any.
        days: Vec<NaiveDate>,
        /// At the latest ("as soon as possible").
        by: Option<NaiveDate>,
        time: TimeWish,
        provider: Option<&'static str>,
    },
    Moved {
        patient: Person,
        days: Vec<NaiveDate>,
    },
    Cancelled {
        patient: Person,
        date: NaiveDate,
    },
    Transferred,
    Message {
        reason_has: &'static str,
    },
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
struct Expect {
    want: Want,
    /// A transfer is an acceptable outcome too (an emergency, a caller unsure who they are).
    or_transfer: bool,
    /// The receptionist must have said each of these (lowercase) somewhere.
    said: Vec<String>,
    /// The call must end with the receptionist's goodbye.
    ends: bool,
}

// ---- The caller's plan -------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Confirm {
    /// A clear yes, however informal.
    Yes(String),
    /// Not a clear yes: nothing may be written after it.
    Unclear(String),
    /// A no (with or without yes-words).
    No(String),
    /// Another of the times offered instead.
    OtherOffer(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Pick {
    /// Turn the offers down and ask for something else.
    Reject(RejectHow),
    /// Choose an offer that fits, said in this style.
    Choose(PickStyle),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RejectHow {
    Later,
    Earlier,
    Morning,
    Afternoon,
    After4,
    FollowingWeek,
    OtherWeekday(Weekday),
    Patel,
    NoneWork,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PickStyle {
    Ordinal,
    Time,
    Day,
    DayTime,
    Relative,
    Part,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Instead of answering the first identity question.
    Identity,
    /// Instead of picking from the first offers.
    Offers,
    /// Instead of answering the first "what day".
    Day,
    /// Instead of answering "are you a new patient".
    NewPatient,
    /// Right after the booking is done.
    Done,
}

#[derive(Debug, Clone, PartialEq)]
struct Plan {
    opening: String,
    /// The goal again, said differently each time, when the receptionist seems lost.
    restate: Vec<String>,
    silent_first: bool,
    /// Never says anything (silence until the call ends).
    mute: bool,
    /// Name, birth date, or both, for the patient.
    name: String,
    dob: String,
    /// Both at once when both are asked.
    together: bool,
    spelled: String,
    new_patient: String,
    service: String,
    days: Vec<String>,
    picks: Vec<Pick>,
    confirms: Vec<Confirm>,
    /// Said once at a stage instead of the answer, then the caller goes on.
    interject: Vec<(Stage, String)>,
    which: String,
    message_name: String,
    message_reason: String,
    goodbye: String,
    /// Says yes to a transfer offer.
    transfer_yes: bool,
    /// Says yes to taking a message.
    message_yes: bool,
    wish: TimeWish,
    /// Answers questions about a visit (not so a caller who only wants to ask, leave a
    /// message or talk to a person: they say what they want again).
    wants_visit: bool,
    /// After the interjection, the caller only wants that (a person).
    insists: bool,
    /// Transcription style: 0 clean, 1 lowercase without punctuation, 2 with fillers and repeats.
    asr: usize,
}

struct Call {
    id: usize,
    kind: Kind,
    today: NaiveDate,
    caller_phone: String,
    can_transfer: bool,
    patients: Vec<Person>,
    appointments: Vec<SeedAppointment>,
    plan: Plan,
    expect: Expect,
    notes: Vec<String>,
}

impl Call {
    fn label(&self) -> String {
        format!("#{} {:?} ({})", self.id, self.kind, self.notes.join("; "))
    }

    /// The corpus's scenario shape, for the fake clinic and the shared safety checks.
    fn scenario(&self, given: Option<Person>) -> corpus::Scenario {
        corpus::Scenario {
            id: self.id,
            category: corpus::Category::NewPatientBooks,
            today: self.today,
            caller_phone: self.caller_phone.clone(),
            can_transfer: self.can_transfer,
            patients: self.patients.clone(),
            appointments: self.appointments.clone(),
            script: corpus::Script {
                opening: self.plan.opening.clone(),
                identity: given,
                together: self.plan.together,
                name_phrase: String::new(),
                dob_phrase: String::new(),
                spelled_phrase: String::new(),
                child: false,
                new_patient_answer: String::new(),
                service_phrase: String::new(),
                day_phrases: vec![],
                pick: corpus::PickStyle::Nth(1),
                filler: false,
                confirms: vec![],
                after_done: None,
                transfer_yes: true,
                message_yes: true,
                message_name: String::new(),
                message_reason: String::new(),
                which: String::new(),
                goodbye: String::new(),
                wants_booking: true,
            },
            expect: corpus::Expect::Nothing,
            notes: vec![],
        }
    }
}

// ---- Words -----------------------------------------------------------------------------------

fn wd(d: NaiveDate) -> String {
    d.format("%A").to_string()
}

fn next_weekday(from: NaiveDate, w: Weekday) -> NaiveDate {
    let mut d = from + Duration::days(1);
    while d.weekday() != w {
        d += Duration::days(1);
    }
    d
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

fn working_days_after(today: NaiveDate, n: usize) -> NaiveDate {
    let mut d = today;
    let mut k = 0;
    while k < n {
        d += Duration::days(1);
        if d.weekday().num_days_from_monday() < 5 {
            k += 1;
        }
    }
    d
}

/// A time as callers say it. `style` picks the form; returns None when the form does not fit.
fn say_time(t: NaiveTime, style: usize) -> Option<String> {
    let (h, m) = (t.hour(), t.minute());
    let h12 = match h % 12 {
        0 => 12,
        x => x,
    };
    let pm = h >= 12;
    let ampm = if pm { "pm" } else { "am" };
    let words = if m == 0 {
        cardinal(h12)
    } else {
        format!("{} {}", cardinal(h12), cardinal(m))
    };
    let digits = if m == 0 {
        format!("{h12}")
    } else {
        format!("{h12}:{m:02}")
    };
    Some(match style % 12 {
        0 => digits,
        1 => format!("{digits} {ampm}"),
        2 => format!("{digits} {}", if pm { "p.m." } else { "a.m." }),
        3 => words,
        4 if m == 0 => format!("{} o'clock", cardinal(h12)),
        4 => format!("{} {}", cardinal(h12), cardinal(m)),
        5 if m == 30 => format!("half past {}", cardinal(h12)),
        5 if m == 15 => format!("quarter past {}", cardinal(h12)),
        5 if m == 45 => format!("quarter to {}", cardinal(h12 % 12 + 1)),
        5 if m == 0 && h == 12 => "noon".into(),
        5 => return None,
        6 => format!(
            "{words} in the {}",
            if pm { "afternoon" } else { "morning" }
        ),
        7 if m != 0 => format!("{h12}{m:02}"),
        7 => format!("{h12} o'clock"),
        8 if m != 0 => format!("{h12} {m:02}"),
        8 => format!("{words} {ampm}"),
        9 => format!("{}{}", digits, ampm),
        10 if m == 0 => format!("{words} {}", if pm { "p m" } else { "a m" }),
        10 => format!("{}-{}", cardinal(h12), cardinal(m)),
        _ => format!("{digits} {ampm}"),
    })
}

/// A birth date in one of many spoken and transcribed forms.
fn say_birth(d: NaiveDate, form: usize) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    let month = month_name(m);
    let yy = (y % 100) as u32;
    let oh = |n: u32| {
        if n < 10 {
            format!("oh {}", cardinal(n))
        } else {
            cardinal(n)
        }
    };
    match form % 18 {
        0 => format!("{m}/{day}/{yy:02}"),
        1 => format!("{m:02}/{day:02}/{y}"),
        2 => format!("{month} {} {}", ordinal(day), year(y, false)),
        3 => format!("{} of {month} {y}", ordinal_digits(day)),
        4 => format!("{} {} {}", oh(m), oh(day), oh(yy)),
        5 => format!("{month} {day} {yy:02}"),
        6 => format!("{month} the {}, {}", ordinal(day), cardinal(yy)),
        7 => format!("{m}-{day}-{yy:02}"),
        8 => format!("{month} {} {}", cardinal(day), year(y, false)),
        9 => format!("{}, {month} {}", year(y, false), ordinal(day)),
        10 => format!("{month} {}, {y}", ordinal_digits(day)),
        11 => format!("{} {} {}", cardinal(m), cardinal(day), cardinal(yy)),
        12 => format!("{month} {day}, {y}"),
        13 => format!("the {} of {month}, {}", ordinal(day), year(y, false)),
        14 => format!("{day} {month} {y}"),
        15 => format!("{month} {}, {}", ordinal_digits(day), cardinal(yy)),
        16 => {
            let digits = format!("{m:02}{day:02}{y}");
            digits
                .chars()
                .map(|c| cardinal(c.to_digit(10).unwrap_or(0)))
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => format!("{m}.{day}.{y}"),
    }
}

fn birth_lead(rng: &mut Rng) -> &'static str {
    rng.pick::<&'static str>(&[
        "",
        "it's ",
        "my date of birth is ",
        "my birthday is ",
        "born ",
        "DOB is ",
        "I was born on ",
        "uh, ",
        "date of birth ",
    ])
}

/// (first, last, note) — names of many origins, as speech recognition writes them.
const NAMES: &[(&str, &str)] = &[
    ("Linh", "Nguyen"),
    ("Oluwaseun", "Adeyemi"),
    ("Siobhan", "O'Connor"),
    ("Wojciech", "Krzyzanowski"),
    ("Priya", "Raghunathan"),
    ("Wei", "Zhang"),
    ("Mary Beth", "Thompson"),
    ("Anne-Marie", "Dubois"),
    ("Kwame", "Mensah"),
    ("Giulia", "De Luca"),
    ("Dmitri", "Volkov"),
    ("Fatima", "Al-Hassan"),
    ("Sean", "MacDonald"),
    ("Hiroshi", "Tanaka"),
    ("Min-jun", "Kim"),
    ("Nomvula", "Dlamini"),
    ("Ekaterina", "Ivanova"),
    ("Mohammed", "Rahman"),
    ("Ngozi", "Okonkwo"),
    ("Tomas", "Ruiz"),
    ("Grace", "Hill"),
    ("Aarav", "Sharma"),
    ("Bridget", "Smith-Jones"),
    ("Carlos", "de la Cruz"),
    ("Thanh", "Pham"),
    ("Robert", "Miller"),
    ("Jennifer", "Lee"),
    ("Marcus", "Washington"),
];

const CHILDREN: &[(&str, &str, &str)] = &[
    ("Liam", "son", "he"),
    ("Emma", "daughter", "she"),
    ("Noah", "son", "he"),
    ("Sofia", "daughter", "she"),
    ("Ethan", "son", "he"),
    ("Ava", "daughter", "she"),
];

fn spell_letters(name: &str, dashes: bool) -> String {
    let letters: Vec<String> = name
        .chars()
        .filter_map(|c| match c {
            '\'' => Some("apostrophe".to_owned()),
            '-' => Some("hyphen".to_owned()),
            ' ' => None,
            c => Some(c.to_uppercase().collect()),
        })
        .collect();
    letters.join(if dashes { "-" } else { " " })
}

fn as_in(name: &str) -> String {
    const WORDS: &[(char, &str)] = &[
        ('a', "Apple"),
        ('b', "Boy"),
        ('c', "Cat"),
        ('d', "David"),
        ('e', "Edward"),
        ('f', "Frank"),
        ('g', "George"),
        ('h', "Henry"),
        ('i', "Igloo"),
        ('j', "John"),
        ('k', "King"),
        ('l', "Larry"),
        ('m', "Mary"),
        ('n', "Nancy"),
        ('o', "Ocean"),
        ('p', "Peter"),
        ('r', "Robert"),
        ('s', "Sam"),
        ('t', "Tom"),
        ('u', "Umbrella"),
        ('v', "Victor"),
        ('w', "William"),
        ('y', "Yellow"),
        ('z', "Zebra"),
    ];
    let mut out = Vec::new();
    for (i, c) in name.chars().enumerate() {
        let lower = c.to_ascii_lowercase();
        let upper: String = c.to_uppercase().collect();
        match WORDS.iter().find(|(k, _)| *k == lower) {
            // Callers say "as in" for the first letter or two, then just letters.
            Some((_, w)) if i < 2 => out.push(format!("{upper} as in {w}")),
            _ if c == '\'' => out.push("apostrophe".into()),
            _ if c == '-' => out.push("hyphen".into()),
            _ if c == ' ' => {}
            _ => out.push(upper),
        }
    }
    out.join(", ")
}

fn say_name(rng: &mut Rng, p: &Person, notes: &mut Vec<String>) -> String {
    let full = format!("{} {}", p.first, p.last);
    let form = rng.below(12);
    notes.push(format!("name form {form}"));
    match form {
        0 => full,
        1 => format!("my name is {full}"),
        2 => format!("it's {full}"),
        3 => format!("this is {full}"),
        4 => format!("{full}, last name is {}", spell_letters(&p.last, false)),
        5 => format!("{full}, that's {}", spell_letters(&p.last, true)),
        6 => format!("first name {}, last name {}", p.first, p.last),
        7 => format!("{full}. {} is {}", p.last, as_in(&p.last)),
        8 => format!("yeah it's uh {full}"),
        9 => format!("last name {}, first name {}", p.last, p.first),
        10 => format!("{}, {} {}", p.first, p.first, p.last),
        _ => format!("sure, it's {full}"),
    }
}

// ---- Services and days -----------------------------------------------------------------------

struct ServiceWish {
    said: String,
    services: Vec<&'static str>,
    dentist: bool,
    minutes: u32,
}

fn service_wish(rng: &mut Rng, new_patient: bool) -> ServiceWish {
    let options: &[(&str, &[&str], bool, u32)] = &[
        ("a cleaning", &["Cleaning"], false, 60),
        ("a teeth cleaning", &["Cleaning"], false, 60),
        ("my six month cleaning", &["Cleaning"], false, 60),
        ("to get my teeth cleaned", &["Cleaning"], false, 60),
        ("a routine cleaning", &["Cleaning"], false, 60),
        ("a filling", &["Filling"], true, 60),
        ("to get a cavity filled", &["Filling"], true, 60),
        ("a crown", &["Crown"], true, 90),
        ("to get a crown done", &["Crown"], true, 90),
    ];
    let (said, services, dentist, minutes) = *rng.pick(options);
    let mut services = services.to_vec();
    if new_patient && services == ["Cleaning"] {
        services.push("New patient exam");
    }
    ServiceWish {
        said: said.into(),
        services,
        dentist,
        minutes,
    }
}

fn cleaning() -> ServiceWish {
    ServiceWish {
        said: "a cleaning".into(),
        services: vec!["Cleaning", "New patient exam"],
        dentist: false,
        minutes: 60,
    }
}

/// An open start for the service on `day` that fits `wish`, in the fake clinic's hours.
fn feasible(today: NaiveDate, dentist: bool, minutes: u32, day: NaiveDate, wish: TimeWish) -> bool {
    if day <= today {
        return false;
    }
    let providers: &[&str] = if dentist { &[CHEN, PATEL] } else { &[LOPEZ] };
    providers.iter().any(|p| {
        corpus::provider_hours(p, day.weekday())
            .iter()
            .any(|(from, to)| {
                let mut t = from * 60;
                while t + minutes <= to * 60 {
                    let time = NaiveTime::from_hms_opt(t / 60, t % 60, 0).expect("time");
                    if wish.ok(time) {
                        return true;
                    }
                    t += 15;
                }
                false
            })
    })
}

struct DayWish {
    said: String,
    days: Vec<NaiveDate>,
    by: Option<NaiveDate>,
    time: TimeWish,
}

fn time_wish_phrase(rng: &mut Rng, dentist: bool) -> (String, TimeWish) {
    let options: Vec<(&str, TimeWish)> = vec![
        ("", TimeWish::Any),
        ("in the morning", TimeWish::Morning),
        ("morning", TimeWish::Morning),
        ("first thing in the morning", TimeWish::Before(10, 0)),
        ("in the afternoon", TimeWish::Afternoon),
        ("after lunch", TimeWish::Afternoon),
        ("before 10", TimeWish::Before(10, 0)),
        ("before ten am", TimeWish::Before(10, 0)),
        ("around 10", TimeWish::Around(10, 0)),
        ("around ten thirty", TimeWish::Around(10, 30)),
        ("at 11", TimeWish::Around(11, 0)),
        ("sometime after 12", TimeWish::After(12, 0)),
        ("at noon", TimeWish::Around(12, 0)),
    ];
    let mut options = options;
    if dentist {
        options.extend([
            ("after 3", TimeWish::After(15, 0)),
            ("after three pm", TimeWish::After(15, 0)),
            ("end of the day", TimeWish::After(14, 0)),
            ("late afternoon", TimeWish::After(14, 0)),
        ]);
    }
    let (said, wish) = *rng.pick(&options);
    (said.to_owned(), wish)
}

/// A day said in one of many ways, with the days it may mean. Retries until the clinic can
/// actually offer something that fits.
fn day_wish(rng: &mut Rng, today: NaiveDate, sw: &ServiceWish, with_time: bool) -> DayWish {
    for _ in 0..60 {
        let (time_said, time) = if with_time && rng.chance(45) {
            time_wish_phrase(rng, sw.dentist)
        } else {
            (String::new(), TimeWish::Any)
        };
        let next_monday = monday_of(today) + Duration::days(7);
        let weekday = *rng.pick(&[
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]);
        let coming = next_weekday(today, weekday);
        let form = rng.below(24);
        let in_days = |n: i64| today + Duration::days(n);
        let (said, days, by): (String, Vec<NaiveDate>, Option<NaiveDate>) = match form {
            0 => (
                format!("next {}", wd(coming)),
                vec![coming, coming + Duration::days(7)],
                None,
            ),
            1 => (format!("this coming {}", wd(coming)), vec![coming], None),
            // "This Monday" said on a Monday may mean today.
            2 => (format!("this {}", wd(coming)), vec![today, coming], None),
            3 => (wd(coming), vec![coming], None),
            4 => (
                format!("a week from {}", wd(coming)),
                vec![coming + Duration::days(7)],
                None,
            ),
            5 => ("the day after tomorrow".into(), vec![in_days(2)], None),
            6 => ("tomorrow".into(), vec![in_days(1)], None),
            7 => {
                let d = in_days(3 + rng.below(12) as i64);
                (format!("the {}", ordinal_digits(d.day())), vec![d], None)
            }
            8 => {
                let d = in_days(3 + rng.below(12) as i64);
                (format!("the {}", ordinal(d.day())), vec![d], None)
            }
            9 => {
                let d = in_days(3 + rng.below(20) as i64);
                (
                    format!("{} {}", month_name(d.month()), d.day()),
                    vec![d],
                    None,
                )
            }
            10 => {
                let d = in_days(3 + rng.below(20) as i64);
                (format!("{}/{}", d.month(), d.day()), vec![d], None)
            }
            11 => {
                let d = in_days(3 + rng.below(20) as i64);
                (
                    format!("{} {}", month_name(d.month()), ordinal(d.day())),
                    vec![d],
                    None,
                )
            }
            12 => {
                let d = in_days(3 + rng.below(12) as i64);
                (
                    format!("{} the {}", wd(d), ordinal_digits(d.day())),
                    vec![d],
                    None,
                )
            }
            13 => (
                "sometime next week".into(),
                (0..5).map(|i| next_monday + Duration::days(i)).collect(),
                None,
            ),
            14 => (
                "early next week".into(),
                (0..3).map(|i| next_monday + Duration::days(i)).collect(),
                None,
            ),
            15 => (
                "later next week".into(),
                (2..5).map(|i| next_monday + Duration::days(i)).collect(),
                None,
            ),
            16 => {
                let d = next_monday + Duration::days(weekday.num_days_from_monday() as i64);
                (format!("next week {}", wd(d)), vec![d], None)
            }
            17 => {
                let d = next_monday + Duration::days(weekday.num_days_from_monday() as i64);
                (format!("{} next week", wd(d)), vec![d], None)
            }
            18 => (
                "as soon as possible".into(),
                vec![],
                Some(working_days_after(today, 3)),
            ),
            19 => (
                "the earliest you have".into(),
                vec![],
                Some(working_days_after(today, 3)),
            ),
            20 => (
                "whatever's soonest".into(),
                vec![],
                Some(working_days_after(today, 3)),
            ),
            21 => {
                let a = coming;
                let b = next_weekday(a, *rng.pick(&[Weekday::Tue, Weekday::Wed, Weekday::Thu]));
                // The second weekday may be the coming one, before the first.
                let b_coming = next_weekday(today, b.weekday());
                (
                    format!("{} or {}", wd(a), wd(b)),
                    vec![a, b, b_coming],
                    None,
                )
            }
            22 => {
                let d = in_days(3 + rng.below(20) as i64);
                (
                    format!(
                        "the {} of {}",
                        ordinal_digits(d.day()),
                        month_name(d.month())
                    ),
                    vec![d],
                    None,
                )
            }
            _ => ("in two weeks".into(), (12..17).map(in_days).collect(), None),
        };
        let possible = if days.is_empty() {
            true
        } else {
            days.iter()
                .any(|d| feasible(today, sw.dentist, sw.minutes, *d, time))
                && days.iter().all(|d| *d > today)
        };
        // Every acceptable day must be a working day for "this Tuesday"-style single days.
        let single_ok = days.len() != 1 || feasible(today, sw.dentist, sw.minutes, days[0], time);
        if possible && single_ok {
            let said = if time_said.is_empty() {
                said
            } else if rng.chance(50) {
                format!("{said} {time_said}")
            } else {
                format!("{time_said} {said}")
            };
            return DayWish {
                said,
                days,
                by,
                time,
            };
        }
    }
    let d = next_weekday(today, Weekday::Wed);
    DayWish {
        said: "Wednesday".into(),
        days: vec![d],
        by: None,
        time: TimeWish::Any,
    }
}

// ---- Speech recognition noise -----------------------------------------------------------------

const HOMOPHONES: &[(&str, &str)] = &[(" to ", " two "), (" for ", " four "), (" too ", " to ")];

fn asr(rng: &mut Rng, text: &str, style: usize) -> String {
    let mut out = text.to_owned();
    if style >= 1 {
        // Lowercase, no punctuation but what numbers need.
        let chars: Vec<char> = out.chars().collect();
        out = chars
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                let inside = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
                    && *i > 0
                    && chars[i - 1].is_ascii_digit();
                !matches!(c, ',' | '.' | '?' | '!' | ';') || (**c == '.' && inside)
            })
            .map(|(_, c)| *c)
            .collect::<String>()
            .to_lowercase();
        // "4.12.85" loses its dots: keep those as spaces.
        out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if style >= 2 {
        let mut words: Vec<String> = out.split_whitespace().map(str::to_owned).collect();
        if words.len() > 3 {
            // A filler somewhere, a repeated word somewhere.
            let at = rng.below(words.len());
            let filler = *rng.pick(&["um", "uh", "uh", "um", "er", "hmm"]);
            words.insert(at, filler.to_owned());
            if rng.chance(50) {
                let at = rng.below(words.len());
                let w = words[at].clone();
                if w.chars().all(char::is_alphabetic) {
                    words.insert(at, w);
                }
            }
        }
        out = words.join(" ");
        if rng.chance(25) {
            let padded = format!(" {out} ");
            let (from, to) = *rng.pick(HOMOPHONES);
            if let Some(at) = padded.find(from) {
                let mut p = padded.clone();
                p.replace_range(at..at + from.len(), to);
                out = p.trim().to_owned();
            }
        }
    }
    out
}

// ---- Generating calls -------------------------------------------------------------------------

fn adult(rng: &mut Rng, id: usize, today: NaiveDate) -> Person {
    let (first, last) = NAMES[(id * 5 + rng.below(NAMES.len())) % NAMES.len()];
    let birth = today - Duration::days((19 + rng.below(60) as i64) * 365 + rng.below(360) as i64);
    Person {
        first: first.into(),
        last: last.into(),
        birth,
        phone: corpus::phone(700 + id, 0),
    }
}

fn greet(rng: &mut Rng) -> &'static str {
    rng.pick::<&'static str>(&[
        "",
        "Hi, ",
        "Hello, ",
        "Hi there, ",
        "Yeah hi, ",
        "Good morning, ",
        "Hey, ",
        "Hi, yes, ",
    ])
}

fn clear_yes(rng: &mut Rng) -> String {
    rng.pick(&[
        "Yes.",
        "Yeah, that's good.",
        "Yep, sounds good.",
        "Sure, why not.",
        "Mm-hmm.",
        "Yes please.",
        "Yeah go ahead.",
        "Perfect, thank you.",
        "That works.",
        "Yes, that's correct.",
        "Sounds great.",
        "Yeah, that's fine.",
        "Absolutely.",
        "Yup.",
        "Okay, great.",
        "Yes ma'am.",
    ])
    .to_string()
}

fn goodbye(rng: &mut Rng) -> String {
    rng.pick(&[
        "No, that's all, thanks. Bye!",
        "That's it, thanks, bye.",
        "No that's all.",
        "Nope, I'm good, thank you.",
        "That's everything, have a good one.",
        "No thank you, bye bye.",
        "I think that's it. Thanks!",
        "Nah, that's it. Thanks so much.",
        "No, you've been very helpful. Goodbye.",
        "All set, thanks.",
    ])
    .to_string()
}

fn base_plan(rng: &mut Rng) -> Plan {
    let asr_style = *rng.pick(&[0, 0, 1, 1, 2]);
    Plan {
        opening: String::new(),
        restate: vec![],
        silent_first: false,
        mute: false,
        name: String::new(),
        dob: String::new(),
        together: rng.chance(55),
        spelled: String::new(),
        new_patient: rng
            .pick(&[
                "Yes, I'm new.",
                "Yeah, first time.",
                "Yes, I've never been there.",
                "Yep, brand new.",
                "I am, yes.",
                "Yes, this would be my first visit.",
            ])
            .to_string(),
        service: String::new(),
        days: vec![],
        picks: vec![Pick::Choose(*rng.pick(&[
            PickStyle::Ordinal,
            PickStyle::Time,
            PickStyle::Time,
            PickStyle::Day,
            PickStyle::DayTime,
            PickStyle::Relative,
            PickStyle::Part,
            PickStyle::Any,
        ]))],
        confirms: vec![Confirm::Yes(clear_yes(rng))],
        interject: vec![],
        which: String::new(),
        message_name: String::new(),
        message_reason: String::new(),
        goodbye: goodbye(rng),
        transfer_yes: true,
        message_yes: true,
        wish: TimeWish::Any,
        wants_visit: true,
        insists: false,
        asr: asr_style,
    }
}

fn identity(rng: &mut Rng, plan: &mut Plan, p: &Person, notes: &mut Vec<String>) {
    plan.name = say_name(rng, p, notes);
    let form = rng.below(18);
    plan.dob = format!("{}{}", birth_lead(rng), say_birth(p.birth, form));
    notes.push(format!("dob '{}'", plan.dob));
    plan.spelled = format!(
        "{}, {}, and the birthday is {}",
        p.last,
        spell_letters(&p.last, false),
        say_birth(p.birth, 2)
    );
}

/// Where the patient's record is before the call.
#[derive(Debug, Clone, Copy, PartialEq)]
enum OnFile {
    /// Under the number calling: verified without questions.
    ByPhone,
    /// Under another number: found by name and birth date.
    ByName,
    New,
}

fn on_file(rng: &mut Rng) -> OnFile {
    *rng.pick(&[OnFile::ByPhone, OnFile::ByName, OnFile::New])
}

fn booking(rng: &mut Rng, id: usize, today: NaiveDate, kind: Kind) -> Call {
    let mut notes = vec![format!("today {}", today.format("%a %m-%d"))];
    let mut plan = base_plan(rng);
    let caller_phone = corpus::phone(700 + id, 1);
    let mut me = adult(rng, id, today);
    let file = match kind {
        Kind::BirthForms => OnFile::ByName,
        Kind::Names => *rng.pick(&[OnFile::ByName, OnFile::New]),
        Kind::DayForms | Kind::TimeChoice | Kind::HedgedYes | Kind::NoWithYesWords => *rng.pick(&[
            OnFile::ByPhone,
            OnFile::ByPhone,
            OnFile::ByName,
            OnFile::New,
        ]),
        _ => on_file(rng),
    };
    notes.push(format!("{file:?}"));
    let mut patients = vec![];
    match file {
        OnFile::ByPhone => {
            me.phone = caller_phone.clone();
            patients.push(me.clone());
        }
        OnFile::ByName => patients.push(me.clone()),
        OnFile::New => me.phone = caller_phone.clone(),
    }
    let new = file == OnFile::New;
    let sw = service_wish(rng, new);
    let dw = day_wish(rng, today, &sw, true);
    plan.wish = dw.time;
    notes.push(format!("service '{}', day '{}'", sw.said, dw.said));
    identity(rng, &mut plan, &me, &mut notes);
    plan.service = sw.said.clone();
    plan.days = vec![dw.said.clone()];
    let g = greet(rng);
    let day_in_opening = rng.chance(55);
    let day_part = if day_in_opening {
        format!(" {}", dw.said)
    } else {
        String::new()
    };
    plan.opening = match rng.below(8) {
        0 => format!("{g}I'd like to book {}{day_part}.", sw.said),
        1 => format!(
            "{g}I need to make an appointment for {}{day_part}.",
            sw.said
        ),
        2 => format!("{g}can I get in for {}{day_part}?", sw.said),
        3 => format!("{g}I was hoping to schedule {}{day_part}.", sw.said),
        4 => format!("{g}I'm calling to set up {}{day_part}.", sw.said),
        5 => format!("{g}do you have anything{day_part} for {}?", sw.said),
        6 => format!("{g}I need {}, um{day_part} if possible.", sw.said),
        _ => format!("{g}yeah I wanted to come in for {}{day_part}.", sw.said),
    };
    plan.restate = vec![
        format!("I want to book {}.", sw.said),
        format!("I'm trying to make an appointment, for {}.", sw.said),
        "An appointment, please.".into(),
    ];
    let expect = Expect {
        want: Want::Booked {
            patient: me.clone(),
            services: sw.services.clone(),
            days: dw.days.clone(),
            by: dw.by,
            time: dw.time,
            provider: None,
        },
        or_transfer: false,
        said: vec![],
        ends: false,
    };
    let mut call = Call {
        id,
        kind,
        today,
        caller_phone,
        can_transfer: rng.chance(70),
        patients,
        appointments: vec![],
        plan,
        expect,
        notes,
    };
    specialise(rng, &mut call, &me, &sw, &dw);
    call
}

/// Turns a plain booking into the kind of caller wanted.
fn specialise(rng: &mut Rng, call: &mut Call, me: &Person, sw: &ServiceWish, dw: &DayWish) {
    let today = call.today;
    let plan = &mut call.plan;
    let notes = &mut call.notes;
    match call.kind {
        Kind::Rambling => {
            let story = rng.pick(&[
                "so um I was calling because my, uh, my dentist retired and",
                "yeah hi so I just moved here from out of state and, um,",
                "okay so, this is kind of a long story but my insurance changed and uh",
                "hi, um, so I haven't been to the dentist in like two years, I know, I know, and",
                "hey so my wife goes to you guys and she said you're great, so",
                "so I was at work and my coworker was telling me about you all and, um, basically",
                "hi yes hello, so, uh, my tooth has been kind of sensitive, nothing serious, and I figured",
            ]);
            let need = rng.pick(&[
                "I need to get in for",
                "I'd like to come in for",
                "I wanted to see about getting",
                "I should probably book",
                "I was hoping to set up",
            ]);
            let tail = rng.pick(&[
                "",
                ", it's been a while",
                ", if you guys have any openings",
                ", you know how it is",
            ]);
            let when = if rng.chance(60) {
                format!(", maybe {}", dw.said)
            } else {
                plan.days = vec![dw.said.clone()];
                String::new()
            };
            plan.opening = format!("{story} {need} {}{when}{tail}.", sw.said);
        }
        Kind::PackedTurn => {
            let facts = [
                format!("this is {} {}", me.first, me.last),
                format!("date of birth {}", say_birth(me.birth, rng.below(18))),
                format!("I need {}", sw.said),
                format!("{} if you have it", dw.said),
            ];
            let order: &[usize] = rng.pick::<&[usize]>(&[
                &[0, 1, 2, 3][..],
                &[2, 3, 0, 1],
                &[0, 2, 1, 3],
                &[2, 0, 1, 3],
            ]);
            let parts: Vec<&str> = order.iter().map(|i| facts[*i].as_str()).collect();
            plan.opening = format!("{}{}.", greet(rng), parts.join(", "));
        }
        // The day answer, sometimes as a question back.
        Kind::DayForms if rng.chance(35) => {
            plan.opening = format!("{}I'd like to book {}.", greet(rng), sw.said);
            let q = rng.pick(&[
                "what do you have {d}?",
                "do you have anything {d}?",
                "um what's open {d}?",
                "is there anything {d}?",
            ]);
            plan.days = vec![q.replace("{d}", &dw.said)];
        }
        Kind::TimeChoice => {
            plan.picks = vec![Pick::Choose(*rng.pick(&[
                PickStyle::Time,
                PickStyle::Time,
                PickStyle::Time,
                PickStyle::DayTime,
                PickStyle::Relative,
                PickStyle::Part,
                PickStyle::Day,
            ]))];
        }
        Kind::BirthForms | Kind::Names => {}
        Kind::HedgedYes => {
            if rng.chance(50) {
                let hedge = rng
                    .pick(&[
                        "I guess so.",
                        "I suppose.",
                        "That's fine I suppose.",
                        "Probably, yeah.",
                        "Um, I think so.",
                        "Yeah I guess that works.",
                        "Sure, I guess.",
                        "Maybe, yeah.",
                    ])
                    .to_string();
                notes.push(format!("hedge '{hedge}'"));
                plan.confirms = vec![Confirm::Unclear(hedge), Confirm::Yes(clear_yes(rng))];
            } else {
                let yes = rng
                    .pick(&[
                        "Yeah that should work.",
                        "Sure why not.",
                        "Mm-hmm.",
                        "Yep sounds good.",
                        "Yeah yeah that's fine.",
                        "Uh huh.",
                        "Works for me.",
                        "You bet.",
                        "Okey dokey.",
                        "Yeah let's do it.",
                        "Great, thanks.",
                        "Cool, thanks.",
                        "That'll work.",
                        "Yes, that's perfect, thank you so much.",
                        "Yeah, book it.",
                        "Alright, sounds good.",
                    ])
                    .to_string();
                notes.push(format!("yes '{yes}'"));
                plan.confirms = vec![Confirm::Yes(yes)];
            }
        }
        Kind::NoWithYesWords => {
            let no = rng
                .pick(&[
                    "Yeah no that doesn't work for me.",
                    "Uh, actually no.",
                    "Hmm, not really.",
                    "I don't think so.",
                    "No, that's not right.",
                    "Yeah, no, sorry.",
                    "Okay actually no, wait.",
                    "Oh, no no no.",
                ])
                .to_string();
            notes.push(format!("no '{no}'"));
            plan.confirms = vec![Confirm::No(no), Confirm::Yes(clear_yes(rng))];
            if rng.chance(50) {
                // Then another day.
                let dw2 = day_wish(rng, today, sw, false);
                notes.push(format!("then '{}'", dw2.said));
                plan.days = vec![dw.said.clone(), dw2.said.clone()];
                if let Want::Booked { days, by, time, .. } = &mut call.expect.want {
                    *days = dw2.days.clone();
                    *by = dw2.by;
                    *time = TimeWish::Any;
                }
                plan.wish = TimeWish::Any;
            } else {
                let leave = rng
                    .pick(&[
                        "Never mind, I'll call back later.",
                        "Actually let me check my schedule and call you back.",
                        "Forget it, I'll call back. Bye.",
                    ])
                    .to_string();
                plan.days = vec![dw.said.clone(), leave];
                call.expect.want = Want::Nothing;
            }
        }
        Kind::RejectOffers => {
            let how = if sw.dentist {
                *rng.pick(&[
                    RejectHow::Later,
                    RejectHow::Earlier,
                    RejectHow::Morning,
                    RejectHow::After4,
                    RejectHow::FollowingWeek,
                    RejectHow::OtherWeekday(Weekday::Thu),
                    RejectHow::Patel,
                    RejectHow::NoneWork,
                ])
            } else {
                *rng.pick(&[
                    RejectHow::Later,
                    RejectHow::Earlier,
                    RejectHow::Morning,
                    RejectHow::Afternoon,
                    RejectHow::FollowingWeek,
                    RejectHow::OtherWeekday(Weekday::Tue),
                    RejectHow::NoneWork,
                ])
            };
            // Rejecting is about the offers: no day or time wish to start with.
            plan.wish = TimeWish::Any;
            let when = *rng.pick(&["next week", "this week", "sometime soon", ""]);
            plan.opening = format!("{}I'd like to book {} {when}.", greet(rng), sw.said);
            plan.days = vec!["Whenever you have something.".into()];
            notes.push(format!("reject {how:?}, '{when}'"));
            plan.picks = vec![
                Pick::Reject(how),
                Pick::Choose(*rng.pick(&[PickStyle::Ordinal, PickStyle::Time, PickStyle::Any])),
            ];
            if let Want::Booked { days, by, time, .. } = &mut call.expect.want {
                days.clear();
                *by = None;
                *time = TimeWish::Any;
            }
            if how == RejectHow::After4 && sw.minutes > 60 {
                // A crown cannot start after 4: make it a filling.
                plan.opening = plan.opening.replace(&sw.said, "a filling");
                if let Want::Booked { services, .. } = &mut call.expect.want {
                    *services = vec!["Filling"];
                }
            }
        }
        Kind::Corrections => {
            let variant = rng.below(5);
            notes.push(format!("correction {variant}"));
            match variant {
                0 => {
                    // The day, corrected in the same breath.
                    let (a, b) = (Weekday::Tue, Weekday::Thu);
                    let (a, b) = if rng.chance(50) { (a, b) } else { (b, a) };
                    let good = next_weekday(today, b);
                    let form = rng.pick(&[
                        "{s} on {a}, no wait, {b}, sorry.",
                        "{s} on {a}. Actually, make that {b}.",
                        "{s}, it's {b} not {a}, sorry, I mean {b}.",
                        "{s} on {a} - sorry, I meant {b}.",
                    ]);
                    plan.opening = format!(
                        "{}I'd like {}",
                        greet(rng),
                        form.replace("{s}", &sw.said)
                            .replace("{a}", &wd(next_weekday(today, a)))
                            .replace("{b}", &wd(good))
                    );
                    plan.days = vec![wd(good)];
                    if let Want::Booked { days, by, time, .. } = &mut call.expect.want {
                        *days = vec![good, good + Duration::days(7)];
                        *by = None;
                        *time = TimeWish::Any;
                    }
                    plan.wish = TimeWish::Any;
                }
                1 => {
                    // The birth date, corrected in the same breath.
                    let wrong = me.birth + Duration::days(1);
                    plan.dob = rng
                        .pick(&[
                            "{w}, sorry, no, {r}.",
                            "it's {w} - wait, no, {r}.",
                            "{w}. Sorry, I mean {r}.",
                        ])
                        .replace("{w}", &say_birth(wrong, 12))
                        .replace("{r}", &say_birth(me.birth, 12));
                    plan.together = false;
                }
                2 => {
                    // The service, changed when asked for the day.
                    let filling = ServiceWish {
                        said: "a filling".into(),
                        services: vec!["Filling"],
                        dentist: true,
                        minutes: 60,
                    };
                    let (from, to) = if sw.services.contains(&"Filling") {
                        ("a filling", cleaning())
                    } else {
                        (sw.said.as_str(), filling)
                    };
                    plan.opening = format!("{}I'd like to book {from}.", greet(rng));
                    let dw2 = day_wish(rng, today, &to, false);
                    plan.days = vec![dw2.said.clone()];
                    plan.interject.push((
                        Stage::Day,
                        rng.pick(&[
                            "Actually, make that {t} instead.",
                            "Oh wait, sorry, I need {t}, not {f}.",
                            "Actually can we change it to {t}?",
                        ])
                        .replace("{t}", &to.said)
                        .replace("{f}", from),
                    ));
                    plan.wish = TimeWish::Any;
                    if let Want::Booked {
                        services,
                        days,
                        by,
                        time,
                        ..
                    } = &mut call.expect.want
                    {
                        *services = to.services.clone();
                        *days = dw2.days;
                        *by = dw2.by;
                        *time = TimeWish::Any;
                    }
                }
                3 => {
                    // Another of the offered times, at the read-back.
                    let dw2 = day_wish(rng, today, sw, false);
                    plan.confirms = vec![
                        Confirm::OtherOffer(
                            rng.pick(&[
                                "Oh wait, sorry, I meant the {t}.",
                                "Actually, can I do the {t} instead?",
                                "No, sorry, the {t} one.",
                                "Hmm, actually the {t} would be better.",
                            ])
                            .to_string(),
                        ),
                        Confirm::Yes(clear_yes(rng)),
                    ];
                    plan.picks = vec![Pick::Choose(PickStyle::Ordinal)];
                    plan.wish = TimeWish::Any;
                    plan.opening =
                        format!("{}I'd like to book {} {}.", greet(rng), sw.said, dw2.said);
                    plan.days = vec![dw2.said.clone()];
                    if let Want::Booked { days, by, time, .. } = &mut call.expect.want {
                        *days = dw2.days;
                        *by = dw2.by;
                        *time = TimeWish::Any;
                    }
                }
                _ => {
                    // The day, corrected at the read-back.
                    let dw2 = day_wish(rng, today, sw, false);
                    plan.confirms = vec![
                        Confirm::No(
                            rng.pick(&[
                                "No wait, can we do {d} instead?",
                                "Sorry, actually I need it {d}.",
                                "Hmm, no, {d} would be better.",
                            ])
                            .replace("{d}", &dw2.said),
                        ),
                        Confirm::Yes(clear_yes(rng)),
                    ];
                    plan.days = vec![dw.said.clone(), dw2.said.clone()];
                    notes.push(format!("then '{}'", dw2.said));
                    plan.wish = TimeWish::Any;
                    if let Want::Booked { days, by, time, .. } = &mut call.expect.want {
                        *days = dw2.days;
                        *by = dw2.by;
                        *time = TimeWish::Any;
                    }
                }
            }
        }
        Kind::MidFlowQuestion => {
            let (q, answer) = *rng.pick(&[
                ("What are your hours?", "open"),
                ("Where are you located?", "main street"),
                ("Do you take Delta Dental?", "don't have information"),
                (
                    "How much is a cleaning without insurance?",
                    "don't have information",
                ),
                ("Is there parking?", "don't have information"),
                ("What time do you close on Fridays?", "2 pm"),
                ("Who are the dentists there?", "chen"),
                (
                    "What's your phone number, in case I get cut off?",
                    "555-201-0100",
                ),
            ]);
            let stage = *rng.pick(&[Stage::Identity, Stage::Offers, Stage::Day, Stage::Done]);
            let stage = if stage == Stage::Identity
                && call.patients.iter().any(|p| p.phone == call.caller_phone)
            {
                Stage::Offers
            } else {
                stage
            };
            let lead = *rng.pick(&[
                "Oh, before I forget, ",
                "Quick question, ",
                "Sorry, ",
                "",
                "Oh and ",
            ]);
            let line = format!("{lead}{}", q.to_lowercase());
            notes.push(format!("asks '{line}' at {stage:?}"));
            if stage == Stage::Day {
                plan.opening = format!("{}I'd like to book {}.", greet(rng), sw.said);
            }
            plan.interject.push((stage, line));
            call.expect.said.push(answer.to_owned());
        }
        Kind::Goodbye => {
            call.expect.ends = true;
            if rng.chance(25) {
                // Only a question, then goodbye.
                let (q, answer) = *rng.pick(&[
                    ("what time are you open till today?", "open"),
                    ("where are you guys located?", "main street"),
                    ("are you open on Fridays?", "friday"),
                ]);
                plan.opening = format!("{}{q}", greet(rng));
                plan.restate = vec![plan.goodbye.clone()];
                call.expect.want = Want::Nothing;
                call.expect.said.push(answer.into());
                notes.push("question only".into());
            }
        }
        Kind::OffTopicSilence => {
            let variant = rng.below(4);
            notes.push(format!("variant {variant}"));
            match variant {
                0 => plan.silent_first = true,
                1 => {
                    let off = rng.pick(&[
                        "Do you guys sell electric toothbrushes?",
                        "Can you recommend a good orthodontist for my nephew in another city?",
                        "What's the weather like over there?",
                        "Is this the pharmacy?",
                    ]);
                    let book = plan.opening.clone();
                    plan.opening = off.to_string();
                    plan.restate = vec![format!("Actually, {}", book.to_lowercase())];
                    plan.transfer_yes = false;
                    plan.message_yes = false;
                }
                2 => {
                    plan.interject.push((
                        Stage::Offers,
                        rng.pick(&["(silence)", "hold on, my kid is yelling, sorry. okay go on"])
                            .to_string(),
                    ));
                }
                _ => {
                    plan.mute = true;
                    call.expect.want = Want::Nothing;
                    call.expect.ends = true;
                }
            }
        }
        _ => {}
    }
}

fn reschedule_or_cancel(rng: &mut Rng, id: usize, today: NaiveDate, kind: Kind) -> Call {
    let mut notes = vec![format!("today {}", today.format("%a %m-%d"))];
    let mut plan = base_plan(rng);
    let caller_phone = corpus::phone(700 + id, 1);
    let mut me = adult(rng, id, today);
    let by_phone = rng.chance(60);
    if by_phone {
        me.phone = caller_phone.clone();
    }
    notes.push(format!("on file by phone: {by_phone}"));
    let old = if rng.chance(30) {
        // Tomorrow, when it is a working day.
        let t = today + Duration::days(1);
        if t.weekday().num_days_from_monday() < 5 {
            t
        } else {
            next_weekday(today + Duration::days(1), Weekday::Tue)
        }
    } else {
        next_weekday(
            today + Duration::days(1),
            *rng.pick(&[Weekday::Mon, Weekday::Tue, Weekday::Wed]),
        )
    };
    let mut appointments = vec![SeedAppointment {
        patient: 0,
        service: "Cleaning",
        provider: LOPEZ,
        date: old,
        hour: 10 + rng.below(2) as u32,
    }];
    let two = rng.chance(35);
    if two {
        appointments.push(SeedAppointment {
            patient: 0,
            service: "Filling",
            provider: CHEN,
            date: old + Duration::days(2),
            hour: 9,
        });
    }
    identity(rng, &mut plan, &me, &mut notes);
    let old_day = wd(old);
    let is_tomorrow = old == today + Duration::days(1);
    plan.which = rng
        .pick(&[
            "The one on {d}.",
            "The cleaning.",
            "{d}'s appointment.",
            "The cleaning on {d}.",
            "The first one.",
        ])
        .replace("{d}", &old_day);
    let expect;
    if kind == Kind::Reschedule {
        let sw = cleaning();
        let mut dw = day_wish(rng, today, &sw, false);
        dw.days.retain(|d| *d != old);
        if dw.days.is_empty() && dw.by.is_none() {
            let d = next_weekday(old, Weekday::Thu);
            dw = DayWish {
                said: format!("{} {}", month_name(d.month()), d.day()),
                days: vec![d],
                by: None,
                time: TimeWish::Any,
            };
        }
        let form = rng.below(7);
        notes.push(format!("reschedule form {form}, day '{}'", dw.said));
        let when = dw.said.clone();
        let mut days = dw.days.clone();
        if let Some(by) = dw.by {
            days = (0..=((by - today).num_days()))
                .map(|i| today + Duration::days(i))
                .filter(|d| *d != old)
                .collect();
        }
        plan.days = vec![when.clone()];
        plan.opening = match form {
            0 => "I need to move my appointment.".into(),
            1 if is_tomorrow => format!("I can't make it tomorrow, can we do {when} instead?"),
            1 => format!("I can't make it {old_day}, can we do {when} instead?"),
            2 => {
                days = vec![old + Duration::days(7)];
                plan.days = vec!["Same time the week after.".into()];
                rng.pick(&[
                    "Can I push my cleaning back a week?",
                    "I need to push my appointment back a week.",
                    "Could we move my cleaning a week later?",
                ])
                .to_string()
            }
            3 => format!(
                "Hi, something came up and I need a different day for my appointment on {old_day}."
            ),
            4 => format!("I need to reschedule my appointment to {when}."),
            5 => "yeah hi I have an appointment coming up and I'm not gonna be able to make it, can we change it?".into(),
            _ => format!("Can I change my appointment from {old_day} to {when}?"),
        };
        plan.restate = vec!["I need to reschedule my appointment.".into()];
        expect = Want::Moved {
            patient: me.clone(),
            days,
        };
    } else {
        let form = rng.below(7);
        notes.push(format!("cancel form {form}"));
        plan.opening = match form {
            0 => "I have to cancel.".into(),
            1 => format!("I need to cancel my appointment on {old_day}."),
            2 => format!("Please take me off the schedule for {old_day}."),
            3 => format!("I won't be able to make it in {old_day}, can you cancel it?"),
            4 => "cancel my cleaning please".into(),
            5 => "yeah hi I'm not going to be able to come to my appointment, I need to cancel it"
                .into(),
            _ => "Hi, I'd like to cancel an appointment.".into(),
        };
        plan.restate = vec!["I want to cancel my appointment.".into()];
        plan.confirms = vec![Confirm::Yes(
            rng.pick(&[
                "Yes, cancel it.",
                "Yeah please.",
                "Yes go ahead.",
                "That's right.",
                "Yep.",
                "Yes, please cancel it.",
            ])
            .to_string(),
        )];
        expect = Want::Cancelled {
            patient: me.clone(),
            date: old,
        };
    }
    Call {
        id,
        kind,
        today,
        caller_phone,
        can_transfer: rng.chance(70),
        patients: vec![me],
        appointments,
        plan,
        expect: Expect {
            want: expect,
            or_transfer: false,
            said: vec![],
            ends: false,
        },
        notes,
    }
}

fn other_call(rng: &mut Rng, id: usize, today: NaiveDate, kind: Kind) -> Call {
    let mut call = match kind {
        Kind::Reschedule | Kind::Cancel => return reschedule_or_cancel(rng, id, today, kind),
        Kind::CheckAppointment => {
            let mut call = reschedule_or_cancel(rng, id, today, Kind::Cancel);
            call.kind = kind;
            call.plan.opening = rng
                .pick(&[
                    "When is my next appointment?",
                    "Hi, I forgot what time my appointment is.",
                    "Can you tell me when I'm scheduled?",
                    "Do I have an appointment coming up?",
                    "yeah I just wanted to check when my next cleaning is",
                    "I think I have an appointment this week but I'm not sure what day",
                ])
                .to_string();
            call.plan.restate = vec!["I just want to know when my appointment is.".into()];
            call.plan.wants_visit = false;
            let date = call.appointments[0].date;
            call.expect = Expect {
                want: Want::Nothing,
                or_transfer: false,
                said: vec![spoken_date(date).to_lowercase()],
                ends: false,
            };
            return call;
        }
        _ => booking(rng, id, today, Kind::DayForms),
    };
    call.kind = kind;
    let me = match &call.expect.want {
        Want::Booked { patient, .. } => patient.clone(),
        _ => unreachable!("a booking"),
    };
    let notes = &mut call.notes;
    let plan = &mut call.plan;
    match kind {
        Kind::SomeoneElse => {
            let variant = rng.below(3);
            let caller_phone = call.caller_phone.clone();
            let mut patient = me.clone();
            let (opening, new_answer, birth_lead, poss) = match variant {
                0 => {
                    let (first, rel, pron) = *rng.pick(CHILDREN);
                    patient.first = first.into();
                    patient.birth = today - Duration::days((4 + rng.below(10) as i64) * 365 + 40);
                    (
                        rng.pick(&[
                            "I'm calling to make an appointment for my {rel} {first}, {pron} needs a cleaning.",
                            "Hi, I need to book a cleaning for my {rel}.",
                            "can I get my {rel} in for a cleaning? {pron}'s {age}",
                        ])
                        .replace("{rel}", rel)
                        .replace("{first}", first)
                        .replace("{pron}", pron)
                        .replace("{age}", &cardinal(((today - patient.birth).num_days() / 365) as u32)),
                        format!("Yes, it's {} first time.", if pron == "he" { "his" } else { "her" }),
                        format!("{pron} was born "),
                        if pron == "he" { "His" } else { "Her" },
                    )
                }
                1 => {
                    let (rel, pron, first) =
                        *rng.pick(&[("husband", "he", "David"), ("wife", "she", "Maria")]);
                    patient.first = first.into();
                    patient.birth -= Duration::days(400 + rng.below(300) as i64);
                    (
                        rng.pick(&[
                            "I'd like to make an appointment for my {rel}, {pron} needs a cleaning.",
                            "Hi, my {rel} needs a cleaning, can I book that for {obj}?",
                        ])
                        .replace("{rel}", rel)
                        .replace("{pron}", pron)
                        .replace("{obj}", if pron == "he" { "him" } else { "her" }),
                        "Yes, first time.".into(),
                        "".into(),
                        if pron == "he" { "His" } else { "Her" },
                    )
                }
                _ => {
                    let (rel, pron, first) =
                        *rng.pick(&[("mom", "she", "Helen"), ("father", "he", "George")]);
                    patient.first = first.into();
                    patient.birth = today - Duration::days(76 * 365 + 100);
                    (
                        rng.pick(&[
                            "I need to book my {rel} in for a cleaning, {pron}'s seventy six.",
                            "Hi, I'm calling for my {rel}, {pron} needs to get {poss} teeth cleaned.",
                        ])
                        .replace("{rel}", rel)
                        .replace("{pron}", pron)
                        .replace("{poss}", if pron == "he" { "his" } else { "her" }),
                        "Yes, this is the first time.".into(),
                        "".into(),
                        if pron == "he" { "His" } else { "Her" },
                    )
                }
            };
            notes.push(format!("for someone else {variant}"));
            patient.phone = caller_phone.clone();
            // The patient is new; the caller may be on file under this number.
            call.patients.retain(|p| p.phone == caller_phone);
            plan.opening = format!("{}{opening}", greet(rng));
            plan.service = "a cleaning".into();
            plan.new_patient = new_answer;
            let mut n = Vec::new();
            identity(rng, plan, &patient, &mut n);
            plan.name = rng
                .pick(&["{n}", "{pn} name is {n}", "it's {n}", "{n}, {n2}"])
                .replace("{pn}", poss)
                .replace("{n2}", &spell_letters(&patient.last, false))
                .replace("{n}", &format!("{} {}", patient.first, patient.last));
            plan.dob = format!("{birth_lead}{}", say_birth(patient.birth, rng.below(18)));
            plan.spelled = format!(
                "{}, {}, born {}",
                patient.last,
                spell_letters(&patient.last, false),
                say_birth(patient.birth, 2)
            );
            let dw = day_wish(rng, today, &cleaning(), false);
            plan.days = vec![dw.said.clone()];
            plan.wish = TimeWish::Any;
            call.expect.want = Want::Booked {
                patient,
                services: vec!["Cleaning", "New patient exam"],
                days: dw.days,
                by: dw.by,
                time: TimeWish::Any,
                provider: None,
            };
        }
        Kind::NewOrNot => {
            let variant = rng.below(3);
            notes.push(format!("new-or-not {variant}"));
            let caller_phone = call.caller_phone.clone();
            match variant {
                0 => {
                    // Not on file, unsure.
                    call.patients.clear();
                    plan.opening = format!(
                        "{}I think I've been there before, years ago. I need a cleaning.",
                        greet(rng)
                    );
                    plan.new_patient = rng
                        .pick(&[
                            "Um, I'm not sure, it's been like five years.",
                            "Maybe? It was a long time ago.",
                            "I don't remember, honestly.",
                        ])
                        .to_string();
                    call.expect.or_transfer = true;
                }
                1 => {
                    // On file by name, came years ago.
                    let mut p = me.clone();
                    p.phone = corpus::phone(700 + call.id, 2);
                    call.patients = vec![p];
                    plan.opening = format!(
                        "{}I used to come there but I haven't been in a while. I need a cleaning.",
                        greet(rng)
                    );
                }
                _ => {
                    call.patients.clear();
                    plan.opening = format!(
                        "{}I've never been to your office before, I just moved here. I need a cleaning and a checkup.",
                        greet(rng)
                    );
                }
            }
            let _ = caller_phone;
            plan.service = "a cleaning".into();
            plan.days = vec!["whenever is soonest".into()];
            plan.wish = TimeWish::Any;
            if let Want::Booked {
                services,
                days,
                by,
                time,
                ..
            } = &mut call.expect.want
            {
                *services = vec!["Cleaning", "New patient exam"];
                days.clear();
                *by = None;
                *time = TimeWish::Any;
            }
        }
        Kind::Emergency => {
            let (said, services): (&str, &[&str]) = *rng.pick(&[
                ("my tooth is killing me", &["Emergency visit"][..]),
                ("I chipped my front tooth", &["Emergency visit"]),
                (
                    "I cracked a tooth on a popcorn kernel and it really hurts",
                    &["Emergency visit"],
                ),
                (
                    "my face is kind of swollen on one side and my tooth hurts",
                    &["Emergency visit"],
                ),
                (
                    "a filling fell out and it's super sensitive",
                    &["Emergency visit", "Filling"],
                ),
                (
                    "I have this throbbing toothache, I couldn't sleep last night",
                    &["Emergency visit"],
                ),
                ("my crown came off", &["Emergency visit", "Crown"]),
                (
                    "I think I have an abscess, my gum is all swollen",
                    &["Emergency visit"],
                ),
                (
                    "my wisdom tooth is hurting really bad",
                    &["Emergency visit"],
                ),
                (
                    "I knocked out a tooth playing basketball",
                    &["Emergency visit"],
                ),
            ]);
            notes.push(format!("emergency '{said}'"));
            plan.opening = format!(
                "{}{}{}",
                greet(rng),
                said,
                rng.pick(&[
                    "",
                    ", can someone see me?",
                    ", do you have anything today?",
                    ". I need to get in as soon as possible.",
                ])
            );
            plan.service = "It's an emergency, it really hurts.".into();
            plan.days = vec![
                rng.pick(&[
                    "As soon as possible.",
                    "Today if you can.",
                    "Whatever's soonest.",
                    "The earliest you have.",
                ])
                .to_string(),
            ];
            plan.wish = TimeWish::Any;
            call.expect.or_transfer = true;
            if let Want::Booked {
                services: s,
                days,
                by,
                time,
                ..
            } = &mut call.expect.want
            {
                *s = services.to_vec();
                days.clear();
                *by = Some(working_days_after(today, 3));
                *time = TimeWish::Any;
            }
        }
        Kind::WantsHuman => {
            let ask = rng
                .pick(&[
                    "Can I talk to a real person?",
                    "Representative.",
                    "Operator.",
                    "I want to speak to someone at the front desk.",
                    "Is there a human I can talk to?",
                    "agent please",
                    "Let me talk to somebody.",
                    "Can you put me through to the receptionist?",
                    "I'd rather talk to a person, please.",
                    "Can I speak with someone in the office?",
                    "representative representative",
                    "I don't want to talk to a robot.",
                ])
                .to_string();
            let stage = *rng.pick(&[
                None,
                Some(Stage::Identity),
                Some(Stage::Day),
                Some(Stage::Offers),
            ]);
            notes.push(format!("asks '{ask}' at {stage:?}"));
            match stage {
                None => plan.opening = ask,
                Some(stage) => plan.interject.push((stage, ask)),
            }
            if stage == Some(Stage::Day) {
                plan.opening = format!("{}I'd like to book {}.", greet(rng), plan.service);
            }
            if stage == Some(Stage::Identity)
                && call.patients.iter().any(|p| p.phone == call.caller_phone)
            {
                plan.interject = vec![(Stage::Offers, plan.interject[0].1.clone())];
            }
            call.can_transfer = rng.chance(80);
            plan.insists = true;
            if stage.is_none() {
                plan.wants_visit = false;
                plan.restate = vec![
                    plan.opening.clone(),
                    plan.opening.clone(),
                    plan.opening.clone(),
                ];
            }
            plan.message_name = format!("{} {}", me.first, me.last);
            plan.message_reason = "Please call me back, I want to book an appointment.".into();
            call.expect.want = if call.can_transfer {
                Want::Transferred
            } else {
                Want::Message { reason_has: "" }
            };
        }
        Kind::Message => {
            let (ask, reason, key) = *rng.pick(&[
                (
                    "Can you have someone call me back about my bill?",
                    "It's about a charge on my bill.",
                    "bill",
                ),
                (
                    "I'd like to leave a message for Dr. Chen.",
                    "Tell her the medication she prescribed is making me dizzy.",
                    "dizzy",
                ),
                (
                    "I have a question about my insurance claim, can someone call me back?",
                    "It's about my insurance claim from last month.",
                    "insurance",
                ),
                (
                    "Can you tell the office I'll be ten minutes late?",
                    "I'm running ten minutes late for my appointment.",
                    "late",
                ),
                (
                    "I need someone to send my x-rays to my new dentist, who do I talk to?",
                    "Please send my x-rays to my new dentist.",
                    "x-rays",
                ),
            ]);
            notes.push(format!("message '{key}'"));
            plan.opening = format!("{}{}", greet(rng), ask);
            plan.message_name = format!("{} {}", me.first, me.last);
            plan.message_reason = reason.into();
            plan.transfer_yes = false;
            plan.wants_visit = false;
            plan.restate = vec![
                "I don't need an appointment, I just need to leave a message.".into(),
                "Can I just leave a message?".into(),
            ];
            call.can_transfer = false;
            call.expect.want = Want::Message { reason_has: key };
        }
        _ => {}
    }
    call
}

fn generate(seed: u64, per_kind: usize, todays: &[NaiveDate]) -> Vec<Call> {
    let mut calls = Vec::new();
    for i in 0..per_kind * KINDS.len() {
        let kind = KINDS[i % KINDS.len()];
        let mut rng = Rng::new(seed ^ ((i as u64 + 1).wrapping_mul(0x9E37_79B9)));
        let today = todays[rng.below(todays.len())];
        let call = match kind {
            Kind::Rambling
            | Kind::PackedTurn
            | Kind::DayForms
            | Kind::TimeChoice
            | Kind::BirthForms
            | Kind::Names
            | Kind::HedgedYes
            | Kind::NoWithYesWords
            | Kind::RejectOffers
            | Kind::Corrections
            | Kind::MidFlowQuestion
            | Kind::Goodbye
            | Kind::OffTopicSilence => booking(&mut rng, i, today, kind),
            _ => other_call(&mut rng, i, today, kind),
        };
        calls.push(call);
    }
    calls
}

// ---- The caller, answering what the receptionist actually says ---------------------------------

struct Line {
    text: Option<String>,
    yes: bool,
}

struct Caller {
    plan: Plan,
    today: NaiveDate,
    rng: Rng,
    opened: bool,
    said_interject: Vec<Stage>,
    days_said: usize,
    picks_used: usize,
    confirms_used: usize,
    lost: usize,
    restated: usize,
    heard_last: String,
    repeats: u32,
    silences: u32,
    /// The offers last heard, and the one picked.
    offers: Vec<(NaiveDate, NaiveTime)>,
    picked: Option<(NaiveDate, NaiveTime)>,
    constraints: Vec<Constraint>,
    done: bool,
    goodbyes: u32,
    gave_up: Option<String>,
    name_given: bool,
}

impl Caller {
    fn new(plan: Plan, today: NaiveDate, seed: u64) -> Self {
        Self {
            plan,
            today,
            rng: Rng::new(seed),
            opened: false,
            said_interject: vec![],
            days_said: 0,
            picks_used: 0,
            confirms_used: 0,
            lost: 0,
            restated: 0,
            heard_last: String::new(),
            repeats: 0,
            silences: 0,
            offers: vec![],
            picked: None,
            constraints: vec![],
            done: false,
            goodbyes: 0,
            gave_up: None,
            name_given: false,
        }
    }

    fn say(&mut self, text: impl Into<String>) -> Option<Line> {
        let text = text.into();
        if text == "(silence)" {
            return Some(Line {
                text: None,
                yes: false,
            });
        }
        let style = self.plan.asr;
        Some(Line {
            text: Some(asr(&mut self.rng, &text, style)),
            yes: false,
        })
    }

    fn interjection(&mut self, stage: Stage) -> Option<String> {
        if self.said_interject.contains(&stage) {
            return None;
        }
        let found = self
            .plan
            .interject
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, t)| t.clone())?;
        self.said_interject.push(stage);
        if self.plan.insists {
            self.plan.wants_visit = false;
            self.plan.restate = vec![found.clone(), found.clone(), found.clone()];
        }
        Some(found)
    }

    fn fits(&self, o: &(NaiveDate, NaiveTime), provider: &str) -> bool {
        self.plan.wish.ok(o.1) && self.constraints.iter().all(|c| c.ok(o.0, o.1, provider))
    }

    fn pick_offer(&mut self, agent: &str) -> Option<Line> {
        let offers = parse_offers(agent, self.today);
        if offers.is_empty() {
            return self.lost(agent);
        }
        // The provider named with the offers ("... with Maria Lopez").
        let provider = [CHEN, PATEL, LOPEZ]
            .into_iter()
            .find(|p| agent.contains(p))
            .unwrap_or("");
        self.offers = offers.clone();
        let plan = self
            .plan
            .picks
            .get(self.picks_used)
            .cloned()
            .unwrap_or(Pick::Choose(PickStyle::Ordinal));
        self.picks_used += 1;
        if let Pick::Reject(how) = plan {
            let first = offers[0];
            let last = *offers.iter().max().expect("offers");
            let (text, constraint) = match how {
                RejectHow::Later => (
                    *self.rng.pick(&[
                        "Do you have anything later?",
                        "Those are all too early for me, anything later?",
                        "Hmm, is there something later in the day?",
                    ]),
                    Constraint::LaterThan(last.0, last.1),
                ),
                RejectHow::Earlier => (
                    *self.rng.pick(&[
                        "Do you have anything earlier?",
                        "Is there anything sooner than that?",
                    ]),
                    Constraint::EarlierThan(first.0, first.1),
                ),
                RejectHow::Morning => (
                    *self.rng.pick(&[
                        "Anything in the morning?",
                        "None of those work, do you have something in the morning?",
                        "I can only do mornings.",
                    ]),
                    Constraint::Time(TimeWish::Morning),
                ),
                RejectHow::Afternoon => (
                    *self.rng.pick(&[
                        "Do you have anything in the afternoon?",
                        "I work in the mornings, anything after 12?",
                    ]),
                    Constraint::Time(TimeWish::After(12, 0)),
                ),
                RejectHow::After4 => (
                    *self.rng.pick(&[
                        "Do you have anything after 4?",
                        "I can't come before four, anything after 4 pm?",
                    ]),
                    Constraint::Time(TimeWish::After(16, 0)),
                ),
                RejectHow::FollowingWeek => (
                    *self.rng.pick(&[
                        "What about the following week?",
                        "That week's bad for me, how about the week after?",
                    ]),
                    Constraint::WeekOf(monday_of(first.0) + Duration::days(7)),
                ),
                RejectHow::OtherWeekday(w) => (
                    if w == Weekday::Thu {
                        *self.rng.pick(&[
                            "None of those work, what about Thursday?",
                            "Do you have anything on a Thursday?",
                        ])
                    } else {
                        *self.rng.pick(&[
                            "None of those work, what about Tuesday?",
                            "Do you have anything on a Tuesday?",
                        ])
                    },
                    Constraint::Weekday(w),
                ),
                RejectHow::Patel => (
                    *self.rng.pick(&[
                        "Is there anything with Dr. Patel instead?",
                        "Could I see Doctor Patel?",
                    ]),
                    Constraint::Provider(PATEL),
                ),
                RejectHow::NoneWork => (
                    *self.rng.pick(&[
                        "Hmm, none of those really work for me. What else do you have?",
                        "No, those don't work. Anything else?",
                    ]),
                    Constraint::LaterThan(last.0, last.1),
                ),
            };
            self.constraints.push(constraint);
            return self.say(text);
        }
        let style = match plan {
            Pick::Choose(style) => style,
            Pick::Reject(_) => PickStyle::Ordinal,
        };
        let fit: Vec<usize> = (0..offers.len())
            .filter(|i| self.fits(&offers[*i], provider))
            .collect();
        let Some(&chosen) = fit.first().or(if self.lost > 0 { Some(&0) } else { None }) else {
            // Nothing fits what was asked: say so once, then take the first.
            self.lost += 1;
            return self.say(match self.plan.wish {
                TimeWish::Morning => "Hmm, do you have anything in the morning?".to_owned(),
                TimeWish::Afternoon | TimeWish::After(..) => {
                    "Do you have anything later in the day?".to_owned()
                }
                TimeWish::Before(..) => "Do you have anything earlier in the day?".to_owned(),
                _ => "None of those work, do you have anything else?".to_owned(),
            });
        };
        // The one that fits, chosen among several for variety.
        let chosen = if fit.len() > 1 && self.rng.chance(40) {
            fit[1]
        } else {
            chosen
        };
        let o = offers[chosen];
        let unique_time = offers.iter().filter(|x| x.1 == o.1).count() == 1;
        let unique_day = offers.iter().filter(|x| x.0 == o.0).count() == 1;
        let same_day = offers.iter().all(|x| x.0 == offers[0].0);
        let part = |t: NaiveTime| t.hour() < 12;
        let unique_part = offers.iter().filter(|x| part(x.1) == part(o.1)).count() == 1;
        let mut text = None;
        let lead = *self.rng.pick(&[
            "",
            "",
            "um ",
            "let's do ",
            "I'll take ",
            "can I get ",
            "I'll go with ",
            "",
            "yeah ",
        ]);
        match style {
            PickStyle::Time | PickStyle::Any if unique_time => {
                for _ in 0..6 {
                    if let Some(t) = say_time(o.1, self.rng.below(12)) {
                        let form = *self.rng.pick(&[
                            "{l}{t}",
                            "{l}the {t}",
                            "{t} works",
                            "{l}the {t} one",
                            "{t} is good",
                            "the one at {t}",
                            "{t} please",
                        ]);
                        text = Some(form.replace("{l}", lead).replace("{t}", &t));
                        break;
                    }
                }
            }
            PickStyle::Day if unique_day && !same_day => {
                let d = wd(o.0);
                text = Some(
                    self.rng
                        .pick(&["the {d} one", "{d} works", "{l}{d}", "{d} is better for me"])
                        .replace("{d}", &d)
                        .replace("{l}", lead),
                );
            }
            PickStyle::DayTime => {
                if let Some(t) = say_time(o.1, self.rng.below(4)) {
                    text = Some(format!("{lead}{} at {t}", wd(o.0)));
                }
            }
            PickStyle::Relative
                if offers.len() >= 2 && (chosen == 0 || chosen == offers.len() - 1) =>
            {
                let early = chosen == 0;
                text = Some(
                    if offers.len() == 2 {
                        if early {
                            "the earlier one"
                        } else {
                            "the later one"
                        }
                    } else if early {
                        *self
                            .rng
                            .pick(&["the earliest one", "the first one", "the earliest"])
                    } else {
                        *self
                            .rng
                            .pick(&["the latest one", "the last one", "the last"])
                    }
                    .to_owned(),
                );
            }
            PickStyle::Part if unique_part && same_day => {
                text = Some(
                    if part(o.1) {
                        "the morning one"
                    } else {
                        "the afternoon one"
                    }
                    .to_owned(),
                );
            }
            _ => {}
        }
        let text = text.unwrap_or_else(|| {
            let nth = ["the first one", "the second one", "the third one"][chosen.min(2)];
            let form =
                *self
                    .rng
                    .pick(&["{n}", "{n} please", "um {n}", "{n} works", "I'll take {n}"]);
            form.replace("{n}", nth)
        });
        self.picked = Some(o);
        self.say(text)
    }

    fn lost(&mut self, agent: &str) -> Option<Line> {
        self.lost += 1;
        if self.lost > 3 {
            self.gave_up = Some(format!("the caller did not know how to answer: {agent:?}"));
            return None;
        }
        let restate = self.plan.restate.get(self.restated).cloned();
        self.restated += 1;
        match restate {
            Some(r) => self.say(r),
            None => self.say(self.plan.opening.clone()),
        }
    }

    fn confirm(&mut self, agent: &str) -> Option<Line> {
        let answer = self
            .plan
            .confirms
            .get(self.confirms_used)
            .cloned()
            .unwrap_or(Confirm::Yes("Yes.".into()));
        self.confirms_used += 1;
        match answer {
            Confirm::Yes(text) => {
                let mut line = self.say(text)?;
                line.yes = true;
                // What was read back is what is booked.
                let read = parse_offers(agent, self.today);
                if let Some(last) = read.last()
                    && self.picked.is_some()
                {
                    self.picked = Some(*last);
                }
                Some(line)
            }
            Confirm::Unclear(text) => self.say(text),
            Confirm::No(text) => {
                // A new day after a no is the next one planned.
                self.days_said = self.days_said.max(1);
                self.say(text)
            }
            Confirm::OtherOffer(form) => {
                let read = parse_offers(agent, self.today);
                let other = self
                    .offers
                    .iter()
                    .find(|o| read.last() != Some(o) && o.1 != read.last().map_or(o.1, |r| r.1))
                    .copied();
                match other {
                    Some(o) => {
                        self.picked = Some(o);
                        let t = say_time(o.1, 1).unwrap_or_default();
                        self.say(form.replace("{t}", &t))
                    }
                    None => {
                        let mut line = self.say("Yes.")?;
                        line.yes = true;
                        Some(line)
                    }
                }
            }
        }
    }

    fn respond(&mut self, agent_said: &str) -> Option<Line> {
        let agent = agent_said.to_lowercase();
        if self.plan.mute {
            return Some(Line {
                text: None,
                yes: false,
            });
        }
        if agent == self.heard_last {
            self.repeats += 1;
            if self.repeats >= 2 {
                self.gave_up = Some(format!(
                    "the receptionist said the same thing three times: {agent_said:?}"
                ));
                return None;
            }
        } else {
            self.repeats = 0;
        }
        self.heard_last = agent.clone();
        if !self.opened {
            if self.plan.silent_first && self.silences == 0 {
                self.silences += 1;
                return Some(Line {
                    text: None,
                    yes: false,
                });
            }
            self.opened = true;
            return self.say(self.plan.opening.clone());
        }
        let has = |s: &str| agent.contains(s);
        if !self.plan.wants_visit
            && (has("to confirm") || has("which works") || has("would one of those work"))
        {
            return self.lost(agent_said);
        }
        // A read-back.
        if has("to confirm") || has("shall i book it") || has("shall i go ahead") {
            self.lost = 0;
            return self.confirm(agent_said);
        }
        if has("take your time") || has("let me know when you're ready") {
            return self.say("Okay.");
        }
        if !parse_offers(agent_said, self.today).is_empty()
            && (has("which works") || has("would one of those") || has("which one would you like?"))
        {
            self.lost = 0;
            if let Some(line) = self.interjection(Stage::Offers) {
                return self.say(line);
            }
            return self.pick_offer(agent_said);
        }
        if has("you're all set") || has("is now on") || has("is cancelled") {
            self.done = true;
            if let Some(line) = self.interjection(Stage::Done) {
                return self.say(line);
            }
            self.goodbyes += 1;
            return self.say(self.plan.goodbye.clone());
        }
        if has("a new patient with us") || has("first visit with us") || has("been here before") {
            if let Some(line) = self.interjection(Stage::NewPatient) {
                return self.say(line);
            }
            return self.say(self.plan.new_patient.clone());
        }
        let spell = has("spell");
        let wants_name =
            has("name") && !has("your name again") && !has("could i have your name, please");
        let wants_dob = has("date of birth") || has("birthday") || has("born");
        if (spell || wants_name || wants_dob) && !has("message") {
            self.lost = 0;
            if let Some(line) = self.interjection(Stage::Identity) {
                return self.say(line);
            }
            if spell {
                return self.say(self.plan.spelled.clone());
            }
            let name = self.plan.name.clone();
            let dob = self.plan.dob.clone();
            if wants_name && wants_dob {
                if self.plan.together || self.name_given {
                    self.name_given = true;
                    return self.say(format!("{name}, {dob}"));
                }
                self.name_given = true;
                return self.say(name);
            }
            if wants_dob {
                return self.say(dob);
            }
            self.name_given = true;
            return self.say(name);
        }
        let visit_question = has("what would you like to come in for")
            || has("which would you like")
            || has("would one of those work")
            || has("which works")
            || has("what day")
            || has("to confirm")
            || has("new patient with us");
        if !self.plan.wants_visit && visit_question {
            return self.lost(agent_said);
        }
        if has("what would you like to come in for")
            || has("which would you like")
            || has("would one of those work for you")
            || has("which visit")
        {
            if self.plan.service.is_empty() {
                return self.lost(agent_said);
            }
            return self.say(self.plan.service.clone());
        }
        if has("what day") || has("when would you like") || has("what time would") {
            if let Some(line) = self.interjection(Stage::Day) {
                return self.say(line);
            }
            let i = self.days_said.min(self.plan.days.len().saturating_sub(1));
            self.days_said += 1;
            let day = self
                .plan
                .days
                .get(i)
                .cloned()
                .unwrap_or_else(|| "Whenever is soonest.".into());
            return self.say(day);
        }
        if has("which one would you like to")
            || has("which one do you mean")
            || has("which appointment")
        {
            return self.say(self.plan.which.clone());
        }
        if has("transfer you") {
            if self.plan.transfer_yes {
                return self.say("Yes, please.");
            }
            let again = self.plan.restate.first().cloned().unwrap_or_default();
            return self.say(format!("No thanks. {again}"));
        }
        if has("leave one") || has("leave a message") {
            if self.plan.message_yes {
                return self.say("Yes, please.");
            }
            let again = self.plan.restate.first().cloned().unwrap_or_default();
            return self.say(format!("No, that's okay. {again}"));
        }
        if has("could i have your name") || has("your name again") {
            if self.plan.message_name.is_empty() {
                return self.say(self.plan.name.clone());
            }
            return self.say(self.plan.message_name.clone());
        }
        if has("number to call you back") || has("say the number again") {
            return self.say("It's 555 301 0199.");
        }
        if has("pass on to the front desk") {
            if self.plan.message_reason.is_empty() {
                return self.say("Just have someone call me back please.");
            }
            return self.say(self.plan.message_reason.clone());
        }
        if has("would you like to book") {
            return self.say("No, thank you.");
        }
        if has("anything else") || has("what else can i") {
            if let Some(line) = self.interjection(Stage::Done) {
                return self.say(line);
            }
            self.goodbyes += 1;
            if self.goodbyes > 2 {
                self.gave_up = Some("the caller said goodbye twice; the call did not end".into());
                return None;
            }
            return self.say(self.plan.goodbye.clone());
        }
        if has("still there") || has("still here") {
            return self.say(
                self.plan
                    .restate
                    .first()
                    .cloned()
                    .unwrap_or(self.plan.opening.clone()),
            );
        }
        self.lost(agent_said)
    }
}

// ---- Playing a call ---------------------------------------------------------------------------

struct Played {
    turns: Vec<Turn>,
    fake: FakeClinic,
    picked: Option<(NaiveDate, NaiveTime)>,
    constraints: Vec<Constraint>,
    stuck: Option<String>,
}

async fn play(call: &Call) -> Played {
    let sc = call.scenario(None);
    let mut fake = FakeClinic::new(&sc);
    let office = Arc::new(fake.office());
    let facts = Facts {
        clinic: "Demo Dental".into(),
        today: call.today,
        now: fake.now,
        caller: Some(PhoneNumber::parse(&call.caller_phone).expect("caller number")),
        phrases: Phrases::default(),
        office: Arc::clone(&office),
        languages: Vec::new(),
    };
    let providers: Vec<String> = office.providers.iter().map(|p| p.name.clone()).collect();
    let mut dialogue = Dialogue::default();
    let mut caller = Caller::new(call.plan.clone(), call.today, SEED ^ call.id as u64);
    let mut transcript = vec![Utterance::agent(GREETING)];
    let mut turns = vec![Turn {
        sentences: vec![GREETING.into()],
        ..Turn::default()
    }];
    let mut verified = false;
    let mut stuck = None;
    let mut silent = 0;
    for n in 0.. {
        if turns.last().is_some_and(|t| t.ended.is_some()) {
            break;
        }
        if n == MAX_TURNS {
            stuck = Some(format!("no end after {MAX_TURNS} caller turns"));
            break;
        }
        let last = turns.last().map(Turn::agent).unwrap_or_default();
        let Some(line) = caller.respond(&last) else {
            stuck = caller.gave_up.clone();
            break;
        };
        let event = match &line.text {
            Some(text) => {
                silent = 0;
                transcript.push(Utterance::user(text.clone()));
                let ctx = Context {
                    today: call.today,
                    expecting: dialogue.phase.expecting(&dialogue.identity),
                    providers: &providers,
                };
                Event::Heard(Box::new(understand::hear(text, &ctx)))
            }
            None => {
                silent += 1;
                Event::Silence { in_a_row: silent }
            }
        };
        fake.transcript = transcript.clone();
        let mut voice = Recorder::default();
        let ending = executor::run(&mut dialogue, event, &facts, &mut fake, &mut voice)
            .await
            .expect("the receptionist answers");
        let before_verified = if verified {
            0
        } else {
            voice.verified_at.unwrap_or(voice.sentences.len())
        };
        verified |= voice.verified_at.is_some();
        let spoken = voice.sentences.join(" ");
        if !spoken.trim().is_empty() {
            transcript.push(Utterance::agent(spoken));
        }
        turns.push(Turn {
            user: Some(line.text.unwrap_or_else(|| "(silence)".into())),
            user_yes: line.yes,
            sentences: voice.sentences,
            before_verified,
            tools: voice.tools,
            ended: match ending {
                Ending::Continue => None,
                Ending::EndCall => Some(End::Call),
                Ending::Transfer(_) => Some(End::Transfer),
            },
        });
    }
    Played {
        turns,
        fake,
        picked: caller.picked,
        constraints: caller.constraints,
        stuck,
    }
}

// ---- Checks -----------------------------------------------------------------------------------

fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The same person, however the name was split into first and last.
fn same(a: &Person, b: &Person) -> bool {
    a.birth == b.birth
        && fold(&format!("{}{}", a.first, a.last)) == fold(&format!("{}{}", b.first, b.last))
}

fn check(call: &Call, played: &Played) -> Result<(), String> {
    let world = played.fake.world();
    let ended = played.turns.last().and_then(|t| t.ended.clone());
    let everything = played
        .turns
        .iter()
        .map(Turn::agent)
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if call.expect.or_transfer && ended == Some(End::Transfer) {
        return untouched(call, &world, None);
    }
    if let Some(stuck) = &played.stuck
        && !matches!(
            call.expect.want,
            Want::Booked { .. } | Want::Moved { .. } | Want::Cancelled { .. }
        )
    {
        return Err(stuck.clone());
    }
    match &call.expect.want {
        Want::Booked {
            patient,
            services,
            days,
            by,
            time,
            provider,
        } => {
            let Some((_, appts)) = world.patients.iter().find(|(q, _)| same(q, patient)) else {
                return Err(format!(
                    "no patient record for {} {} born {} (records: {:?}){}",
                    patient.first,
                    patient.last,
                    patient.birth,
                    world
                        .patients
                        .iter()
                        .map(|(p, _)| format!("{} {} {}", p.first, p.last, p.birth))
                        .collect::<Vec<_>>(),
                    played
                        .stuck
                        .as_ref()
                        .map(|s| format!("; {s}"))
                        .unwrap_or_default()
                ));
            };
            let new: Vec<_> = appts.iter().filter(|a| a.scheduled).collect();
            let [a] = new.as_slice() else {
                return Err(format!(
                    "expected one new appointment, found {appts:?}{}",
                    played
                        .stuck
                        .as_ref()
                        .map(|s| format!("; {s}"))
                        .unwrap_or_default()
                ));
            };
            if !services.contains(&a.service.as_str()) {
                return Err(format!(
                    "booked {:?}, expected one of {services:?}",
                    a.service
                ));
            }
            if let Some(p) = provider
                && a.provider != *p
            {
                return Err(format!("booked with {}, expected {p}", a.provider));
            }
            if !days.is_empty() && !days.contains(&a.date) {
                return Err(format!("booked on {}, expected one of {days:?}", a.date));
            }
            if let Some(by) = by
                && a.date > *by
            {
                return Err(format!("booked on {}, expected by {by}", a.date));
            }
            if !time.ok(a.time) {
                return Err(format!("booked at {}, expected {time:?}", a.time));
            }
            for c in &played.constraints {
                if !c.ok(a.date, a.time, &a.provider) {
                    return Err(format!(
                        "booked {} {} with {}, but the caller asked for {c:?}",
                        a.date, a.time, a.provider
                    ));
                }
            }
            if let Some((d, t)) = played.picked
                && (a.date, a.time) != (d, t)
            {
                return Err(format!(
                    "booked {} {}, but the caller picked {d} {t}",
                    a.date, a.time
                ));
            }
            untouched(call, &world, Some(patient))?;
        }
        Want::Moved { patient, days } => {
            let appts = world
                .patients
                .iter()
                .find(|(q, _)| same(q, patient))
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            let seed = &call.appointments[0];
            let moved: Vec<_> = appts.iter().filter(|a| a.service == seed.service).collect();
            let [a] = moved.as_slice() else {
                return Err(format!("expected the cleaning moved: {appts:?}"));
            };
            if !a.scheduled
                || appts.len() != call.appointments.len()
                || appts.iter().any(|a| !a.scheduled)
            {
                return Err(format!("appointments added or cancelled: {appts:?}"));
            }
            if !days.contains(&a.date) {
                return Err(format!(
                    "moved to {} {}, expected one of {days:?}{}",
                    a.date,
                    a.time,
                    played
                        .stuck
                        .as_ref()
                        .map(|s| format!("; {s}"))
                        .unwrap_or_default()
                ));
            }
            if let Some((d, t)) = played.picked
                && (a.date, a.time) != (d, t)
            {
                return Err(format!(
                    "moved to {} {}, but the caller picked {d} {t}",
                    a.date, a.time
                ));
            }
        }
        Want::Cancelled { patient, date } => {
            let appts = world
                .patients
                .iter()
                .find(|(q, _)| same(q, patient))
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            let gone: Vec<_> = appts.iter().filter(|a| !a.scheduled).collect();
            if gone.len() != 1 || gone[0].date != *date {
                return Err(format!(
                    "expected the appointment on {date} cancelled: {appts:?}{}",
                    played
                        .stuck
                        .as_ref()
                        .map(|s| format!("; {s}"))
                        .unwrap_or_default()
                ));
            }
            if appts.len() != call.appointments.len() {
                return Err(format!("appointments added: {appts:?}"));
            }
        }
        Want::Transferred => {
            if ended != Some(End::Transfer) {
                return Err(format!(
                    "expected a transfer, the call ended with {ended:?}"
                ));
            }
            untouched(call, &world, None)?;
        }
        Want::Message { reason_has } => {
            if !world
                .messages
                .iter()
                .any(|m| m.reason.to_lowercase().contains(reason_has))
            {
                return Err(format!(
                    "expected a message about {reason_has:?}, messages: {:?}",
                    world.messages
                ));
            }
            untouched(call, &world, None)?;
        }
        Want::Nothing => {
            untouched(call, &world, None)?;
            if !world.messages.is_empty() {
                return Err(format!("a message was taken: {:?}", world.messages));
            }
            if ended == Some(End::Transfer) {
                return Err("transferred, expected no transfer".into());
            }
        }
    }
    for s in &call.expect.said {
        if !everything.contains(s) {
            return Err(format!("the receptionist never said {s:?}"));
        }
    }
    if call.expect.ends && ended != Some(End::Call) {
        return Err(format!(
            "expected the receptionist to end the call, it ended with {ended:?}{}",
            played
                .stuck
                .as_ref()
                .map(|s| format!("; {s}"))
                .unwrap_or_default()
        ));
    }
    Ok(())
}

/// No appointment changed but the one expected.
fn untouched(call: &Call, world: &corpus::World, except: Option<&Person>) -> Result<(), String> {
    for (p, appts) in &world.patients {
        if except.is_some_and(|e| same(e, p)) {
            continue;
        }
        let seeds = call
            .appointments
            .iter()
            .filter(|a| same(&call.patients[a.patient], p))
            .count();
        let scheduled = appts.iter().filter(|a| a.scheduled).count();
        if scheduled != seeds || appts.iter().any(|a| !a.scheduled) {
            return Err(format!(
                "{} {}'s appointments changed: {appts:?}",
                p.first, p.last
            ));
        }
    }
    Ok(())
}

/// Every write followed the read-back and the caller's clear yes.
fn writes_safe(played: &Played) -> Vec<String> {
    let yeses: Vec<&str> = played
        .turns
        .iter()
        .filter(|t| t.user_yes)
        .filter_map(|t| t.user.as_deref())
        .collect();
    let mut violations = Vec::new();
    for write in &played.fake.writes {
        let t = &write.transcript;
        let ok = matches!(t.as_slice(), [.., agent, user]
            if agent.role == Role::Agent
                && user.role == Role::User
                && yeses.contains(&user.content.as_str())
                && (agent.content.contains("To confirm") || agent.content.contains("Just to confirm")));
        if !ok {
            violations.push(format!(
                "{} written after {:?}",
                write.action,
                t.iter()
                    .rev()
                    .take(2)
                    .map(|u| &u.content)
                    .collect::<Vec<_>>()
            ));
        }
    }
    violations
}

fn todays() -> Vec<NaiveDate> {
    (0..9)
        .map(|i| NaiveDate::from_ymd_opt(2026, 3, 26).expect("date") + Duration::days(i))
        .collect()
}

fn given(call: &Call) -> Option<Person> {
    match &call.expect.want {
        Want::Booked { patient, .. }
        | Want::Moved { patient, .. }
        | Want::Cancelled { patient, .. } => Some(patient.clone()),
        _ => call.patients.first().cloned(),
    }
}

#[tokio::test]
async fn realistic_callers_are_understood() {
    let calls = generate(SEED, PER_KIND, &todays());
    let only: Option<usize> = std::env::var("REALISTIC_ONLY")
        .ok()
        .and_then(|v| v.parse().ok());
    let show_all = std::env::var("REALISTIC_SHOW").is_ok_and(|v| v == "all");
    let mut rows: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    let mut shown: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut safety = Vec::new();
    let mut failures = Vec::new();
    for call in &calls {
        if only.is_some_and(|o| o != call.id) {
            continue;
        }
        let played = play(call).await;
        let sc = call.scenario(given(call));
        let mut violations = corpus::check_safety(&sc, &played.turns, MAX_TOOLS_PER_TURN);
        violations.extend(writes_safe(&played));
        let outcome = check(call, &played);
        let row = rows.entry(call.kind).or_default();
        row.1 += 1;
        if outcome.is_ok() {
            row.0 += 1;
        }
        let conversation = corpus::render(&sc, &played.turns).replacen(
            &format!("--- {} ---", sc.label()),
            &format!("--- {} ---", call.label()),
            1,
        );
        if only.is_some() {
            eprintln!("{conversation}\noutcome: {outcome:?}\nsafety: {violations:?}");
        }
        if !violations.is_empty() {
            safety.push(format!(
                "SAFETY {}: {}\n{conversation}",
                call.label(),
                violations.join("; ")
            ));
        }
        if let Err(why) = outcome {
            failures.push(format!("{}: {why}", call.label()));
            let n = shown.entry(call.kind).or_default();
            *n += 1;
            if only.is_none() && (show_all || *n <= 2) {
                eprintln!("OUTCOME {}: {why}\n{conversation}", call.label());
            }
        }
    }
    let mut report = String::from("realistic callers (in memory): outcome pass rate by kind\n");
    let (mut passed, mut total) = (0, 0);
    for (kind, (p, n)) in &rows {
        passed += p;
        total += n;
        report.push_str(&format!(
            "  {:<20} {p:>3}/{n:<3} {:>5.1}%\n",
            format!("{kind:?}"),
            100.0 * *p as f64 / *n as f64
        ));
    }
    report.push_str(&format!(
        "  {:<20} {passed:>3}/{total:<3} {:>5.1}%\n",
        "TOTAL",
        100.0 * passed as f64 / total.max(1) as f64
    ));
    eprintln!("{report}");
    for f in &failures {
        eprintln!("  failed {f}");
    }
    for s in &safety {
        eprintln!("{s}");
    }
    assert!(
        safety.is_empty(),
        "{} calls broke a safety rule",
        safety.len()
    );
    let rate = passed as f64 / total.max(1) as f64;
    assert!(
        only.is_some() || rate >= MIN_PASS_RATE,
        "pass rate {:.1}% is below {:.1}%",
        rate * 100.0,
        MIN_PASS_RATE * 100.0
    );
}

#[test]
fn realistic_callers_are_deterministic() {
    let a = generate(SEED, PER_KIND, &todays());
    let b = generate(SEED, PER_KIND, &todays());
    assert_eq!(a.len(), PER_KIND * KINDS.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.plan, y.plan);
        assert_eq!(x.expect, y.expect);
    }
}
