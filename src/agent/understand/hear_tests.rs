//! Whole utterances through `hear`: the receptionist's old cases, and what real callers said.

use chrono::{NaiveDate, NaiveTime};

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a Wednesday")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn hm(h: u32, m: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0)
}

fn providers() -> Vec<String> {
    ["Dr. Sarah Chen", "Maria Lopez", "Dr. Raj Patel"]
        .map(String::from)
        .to_vec()
}

fn in_context(said: &str, expecting: Expecting) -> Heard {
    let providers = providers();
    let ctx = Context {
        today: today(),
        expecting,
        providers: &providers,
    };
    hear(said, &ctx)
}

fn h(said: &str) -> Heard {
    in_context(said, Expecting::Nothing)
}

fn name_of(heard: &Heard) -> (Option<&str>, Option<&str>) {
    heard
        .name
        .as_ref()
        .map_or((None, None), |n| (n.first.as_deref(), n.last.as_deref()))
}

#[test]
fn booking_requests_with_day_and_part() {
    let heard = h("I'd like to book a cleaning next Tuesday afternoon.");
    assert_eq!(heard.intent, Some(Intent::Book));
    assert_eq!(heard.days, [date(2026, 12, 1)]);
    assert_eq!(heard.part, Some(DayPart::Afternoon));
    assert_eq!(heard.services, [Service::Cleaning]);
    let heard = h("Can I come in tomorrow morning for a checkup?");
    assert_eq!(heard.intent, Some(Intent::Book));
    assert_eq!(heard.days, [date(2026, 11, 26)]);
    assert_eq!(heard.part, Some(DayPart::Morning));
    assert_eq!(heard.services, [Service::Checkup]);
    assert!(heard.name.is_none());
}

#[test]
fn choices_corrections_and_times() {
    let heard = in_context("The second one, please.", Expecting::Choice);
    assert_eq!((heard.choice, heard.day()), (Some(Choice::Nth(2)), None));
    let heard = h("Actually, make it Thursday.");
    assert_eq!(heard.days, [date(2026, 11, 26)]);
    assert!(heard.correction);
    assert!(h("Do you have anything earlier?").earlier);
    assert_eq!(h("How about 10:30?").time, hm(10, 30));
    assert_eq!(h("Two thirty pm works").time, hm(14, 30));
    assert_eq!(h("the 9 am").time, hm(9, 0));
    assert_eq!(h("at three").time, hm(15, 0));
}

#[test]
fn bare_hours_while_choosing() {
    for said in ["nine", "Nine works.", "Let's do nine.", "the 9 o'clock"] {
        assert_eq!(in_context(said, Expecting::Choice).time, hm(9, 0), "{said}");
    }
    let heard = in_context("Tuesday at 3:30 works.", Expecting::Choice);
    assert_eq!(
        (heard.day(), heard.time),
        (Some(date(2026, 12, 1)), hm(15, 30))
    );
    assert_eq!(heard.consent, Some(Consent::Yes));
}

#[test]
fn cancellations_name_the_day() {
    let heard = h("I need to cancel my appointment on the 14th.");
    assert_eq!(heard.intent, Some(Intent::Cancel));
    assert_eq!(heard.days, [date(2026, 12, 14)]);
    let heard = h("Cancel my cleaning on December 3rd");
    assert_eq!(heard.days, [date(2026, 12, 3)]);
    assert_eq!(
        h("I want to reschedule my appointment").intent,
        Some(Intent::Reschedule)
    );
}

#[test]
fn names_birth_dates_and_phone_numbers_in_words() {
    let heard = h("My name is Ann Rivera, born January 5th, 1980.");
    assert_eq!(name_of(&heard), (Some("Ann"), Some("Rivera")));
    assert_eq!(heard.birth_date, Some(date(1980, 1, 5)));
    assert!(heard.days.is_empty());
    let heard = in_context("Ann Rivera", Expecting::Name);
    assert_eq!(name_of(&heard), (Some("Ann"), Some("Rivera")));
    let heard = in_context("It's Rivera, R I V E R A.", Expecting::Name);
    assert_eq!(name_of(&heard), (Some("Rivera"), None));
    let heard = in_context("Ann, last name Rivera, R-I-V-E-R-A", Expecting::Name);
    assert_eq!(name_of(&heard), (Some("Ann"), Some("Rivera")));
    assert_eq!(
        h("March fourteenth nineteen eighty four").birth_date,
        Some(date(1984, 3, 14))
    );
    assert_eq!(h("It's 3/14/1984").birth_date, Some(date(1984, 3, 14)));
    assert_eq!(
        h("the fifth of january two thousand and five").birth_date,
        Some(date(2005, 1, 5))
    );
    let heard = h("five five five, two oh one, oh one two three");
    assert_eq!(
        heard.phone.as_ref().map(|p| p.as_str()),
        Some("+15552010123")
    );
    assert!(heard.days.is_empty() && heard.time.is_none());
    let heard = h("It's 555-201-0123");
    assert_eq!(
        heard.phone.as_ref().map(|p| p.as_str()),
        Some("+15552010123")
    );
}

#[test]
fn birth_dates_many_ways() {
    let b = |said: &str| in_context(said, Expecting::BirthDate).birth_date;
    assert_eq!(b("January 5th, 1980"), Some(date(1980, 1, 5)));
    assert_eq!(b("1/5/1980"), Some(date(1980, 1, 5)));
    assert_eq!(b("March fifteenth, eighty-two"), Some(date(1982, 3, 15)));
    assert_eq!(b("3/15/82"), Some(date(1982, 3, 15)));
    assert_eq!(
        b("the fifteenth of March nineteen eighty two"),
        Some(date(1982, 3, 15))
    );
    assert_eq!(b("oh three fifteen eighty two"), Some(date(1982, 3, 15)));
    assert_eq!(b("born in '82 on March 15"), Some(date(1982, 3, 15)));
    assert_eq!(
        h("I was born in '82 on March 15").birth_date,
        Some(date(1982, 3, 15))
    );
    assert!(h("I was born in '82 on March 15").days.is_empty());
    assert_eq!(b("June 3rd, oh five"), Some(date(2005, 6, 3)));
    // A birth date is never in the future, nor an appointment day.
    assert_eq!(b("December 1st, 26"), Some(date(1926, 12, 1)));
    assert!(in_context("March 15", Expecting::BirthDate).days.is_empty());
}

#[test]
fn consent_in_context() {
    let heard = in_context("No, I'm a new patient.", Expecting::NewPatient);
    assert_eq!(heard.new_patient, Some(true));
    assert_eq!(heard.consent, Some(Consent::No));
    let heard = in_context("Yes, I'm a new patient.", Expecting::NewPatient);
    assert_eq!(heard.new_patient, Some(true));
    assert_eq!(heard.name, None);
    let heard = in_context("Yes, I'm a new patient.", Expecting::Name);
    assert_eq!(heard.name, None);
    assert_eq!(
        in_context("yes please", Expecting::Confirm).consent,
        Some(Consent::Yes)
    );
}

#[test]
fn yes_no_goodbye_and_questions() {
    assert_eq!(h("Yes, please.").consent, Some(Consent::Yes));
    assert_eq!(h("Yeah that works").consent, Some(Consent::Yes));
    assert_eq!(h("No, that doesn't work.").consent, Some(Consent::No));
    assert!(h("No, that's all, thanks. Bye!").goodbye);
    assert!(h("(unintelligible audio)").unintelligible);
    assert!(h("[inaudible]").unintelligible);
    assert!(h("").unintelligible);
    assert!(!h("Yes (inaudible)").unintelligible);
    assert!(h("Can I talk to a real person?").wants_person);
    assert!(h("What are your hours on Friday?").asks(Question::Hours));
    assert!(h("Where are you located?").asks(Question::Address));
    assert_eq!(h("Can you fix my car?").intent, None);
}

#[test]
fn other_ways_to_ask_for_a_booking() {
    for said in [
        "Do you have any openings Monday?",
        "What's your availability on Friday?",
        "Can you fit me in this week?",
        "Is there anything on Thursday afternoon?",
        "I chipped a tooth and I'm in pain",
        "I need a filling",
        "my tooth hurts",
        "I need to come in",
        "I'd like to see the dentist",
    ] {
        assert_eq!(h(said).intent, Some(Intent::Book), "{said}");
    }
    let heard = h("Are you open on Saturday?");
    assert_eq!(heard.intent, None);
    assert!(heard.asks(Question::Hours));
    let heard = h("Do you do implants?");
    assert_eq!(heard.intent, None);
    assert!(heard.asks(Question::Services));
    assert_eq!(heard.services, [Service::Implant]);
}

#[test]
fn appointment_days_many_ways() {
    let d = |said: &str| h(said).days;
    assert_eq!(d("today"), [today()]);
    assert_eq!(d("the day after tomorrow"), [date(2026, 11, 27)]);
    assert_eq!(d("next Tuesday"), [date(2026, 12, 1)]);
    assert_eq!(d("Wednesday next week"), [date(2026, 12, 2)]);
    assert_eq!(d("Friday of next week"), [date(2026, 12, 4)]);
    assert_eq!(
        d("next week, Thursday or Friday"),
        [date(2026, 12, 3), date(2026, 12, 4)]
    );
    assert_eq!(
        d("Thursday or Friday"),
        [date(2026, 11, 26), date(2026, 11, 27)]
    );
    assert_eq!(d("a week from Tuesday"), [date(2026, 12, 8)]);
    assert_eq!(d("in two weeks"), [date(2026, 12, 9)]);
    assert_eq!(d("the 15th of March"), [date(2027, 3, 15)]);
    assert_eq!(d("12/3"), [date(2026, 12, 3)]);
    assert_eq!(d("December 3rd at 2"), [date(2026, 12, 3)]);
    assert_eq!(h("December 3rd at 2").time, hm(14, 0));
    let heard = h("Can I come in next week?");
    assert!(heard.days.is_empty());
    assert_eq!(heard.week_of, Some(date(2026, 11, 30)));
}

#[test]
fn providers_named() {
    assert_eq!(h("Can I see Dr. Chen?").provider, Some(0));
    assert_eq!(h("with Dr. Chan please").provider, Some(0));
    assert_eq!(h("Doctor Patel").provider, Some(2));
    assert_eq!(h("the hygienist Maria").provider, Some(1));
    // The caller's own name is not a provider.
    assert_eq!(h("My name is Maria Gonzalez").provider, None);
}

#[test]
fn someone_else_is_the_patient() {
    let heard = h("I'd like to book a cleaning for my daughter Emma");
    assert_eq!(heard.patient_relation, Some(Relation::Daughter));
    assert_eq!(name_of(&heard), (Some("Emma"), None));
    let heard = h("It's for my son, his name is Liam Walsh");
    assert_eq!(heard.patient_relation, Some(Relation::Son));
    assert_eq!(name_of(&heard), (Some("Liam"), Some("Walsh")));
}

#[test]
fn languages() {
    assert_eq!(
        h("Hola, necesito una cita para limpieza").language,
        Some(Language::Spanish)
    );
    assert_eq!(h("Do you speak Spanish?").language, Some(Language::Spanish));
    assert_eq!(h("My name is José García").language, None);
    let heard = h("Hola, necesito una cita para limpieza");
    assert_eq!(heard.intent, Some(Intent::Book));
    assert_eq!(heard.services, [Service::Cleaning]);
}

#[test]
fn messages_and_unanswerable_questions() {
    assert!(h("Can I leave a message?").wants_message);
    assert!(h("Have someone call me back").wants_message);
    assert!(h("Do you take Delta Dental?").asks(Question::Unanswerable(Topic::Insurance)));
    assert!(h("How much is a cleaning?").asks(Question::Unanswerable(Topic::Price)));
    assert!(h("Is there parking?").asks(Question::Unanswerable(Topic::Parking)));
    assert!(h("Do you do payment plans?").asks(Question::Unanswerable(Topic::Payment)));
    assert!(!h("Do you do payment plans?").asks(Question::Services));
}

#[test]
fn narrower_readings() {
    let heard = h("The week of December 7th.");
    assert!(heard.days.is_empty());
    assert_eq!(heard.week_of, Some(date(2026, 12, 7)));
    let heard = h("I can do any time after 3 on Friday.");
    assert!(!heard.soonest);
    assert_eq!(heard.time, hm(15, 0));
    assert!(h("I'm calling about my bill.").asks(Question::Unanswerable(Topic::Payment)));
    let heard = h("What's your cancellation policy?");
    assert_eq!(heard.intent, None);
    assert!(heard.asks(Question::Unanswerable(Topic::Other)));
    let heard = h("How much does a crown cost?");
    assert_eq!(heard.intent, None, "a price question is not a booking");
    assert!(!h("I can't make it on Thursday").correction);
    let heard = h("Do you speak Spanish?");
    assert!(heard.questions.is_empty());
    assert_eq!(
        h("I think I came in like two years ago").new_patient,
        Some(false)
    );
}

#[test]
fn days_ruled_out_and_holidays() {
    let heard = in_context("Not Monday, but Tuesday works.", Expecting::Day);
    assert_eq!(heard.days, [date(2026, 12, 1)]);
    assert_eq!(heard.not_days, [date(2026, 11, 30)]);
    let heard = h("I can't make it Tuesday, can we do another day");
    assert_eq!(heard.intent, Some(Intent::Reschedule));
    assert_eq!((heard.days.len(), heard.not_days.len()), (0, 1));
    assert_eq!(h("Anything but Friday").not_days, [date(2026, 11, 27)]);
    let both = h("I can't do Mondays or Wednesdays");
    assert_eq!((both.days.len(), both.not_days.len()), (0, 2));
    assert_eq!(
        in_context("I was born on Christmas day 1980", Expecting::BirthDate).birth_date,
        Some(date(1980, 12, 25))
    );
    assert_eq!(
        in_context(
            "zero three one five one nine eight two",
            Expecting::BirthDate
        )
        .birth_date,
        Some(date(1982, 3, 15))
    );
    assert_eq!(
        in_context("Friday's better.", Expecting::Choice).days,
        [date(2026, 11, 27)]
    );
}
