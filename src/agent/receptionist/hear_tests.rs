use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a Wednesday")
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn hm(h: u32, m: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0)
}

#[test]
fn booking_requests_with_day_and_part() {
    let h = hear(
        "I'd like to book a cleaning next Tuesday afternoon.",
        today(),
        false,
    );
    assert_eq!(h.intent, Some(Intent::Book));
    assert_eq!(h.date, date(2026, 12, 1));
    assert_eq!(h.part, Some(DayPart::Afternoon));
    assert_eq!(h.service_words, ["cleaning"]);
    let h = hear(
        "Can I come in tomorrow morning for a checkup?",
        today(),
        false,
    );
    assert_eq!(
        (h.intent, h.date, h.part),
        (
            Some(Intent::Book),
            date(2026, 11, 26),
            Some(DayPart::Morning)
        )
    );
    assert_eq!(h.service_words, ["exam"], "a checkup is an exam");
}

#[test]
fn choices_corrections_and_times() {
    let h = hear("The second one, please.", today(), false);
    assert_eq!((h.choice, h.date), (Some(2), None));
    let h = hear("Actually, make it Thursday.", today(), false);
    assert_eq!(h.date, date(2026, 11, 26));
    let h = hear("Do you have anything earlier?", today(), false);
    assert!(h.earlier);
    let h = hear("How about 10:30?", today(), false);
    assert_eq!(h.time, hm(10, 30));
    let h = hear("Two thirty pm works", today(), false);
    assert_eq!(h.time, hm(14, 30));
    let h = hear("the 9 am", today(), false);
    assert_eq!(h.time, hm(9, 0));
    let h = hear("at three", today(), false);
    assert_eq!(h.time, hm(15, 0));
}

#[test]
fn cancellations_name_the_day() {
    let h = hear(
        "I need to cancel my appointment on the 14th.",
        today(),
        false,
    );
    assert_eq!(h.intent, Some(Intent::Cancel));
    assert_eq!(h.date, date(2026, 12, 14));
    let h = hear("Cancel my cleaning on December 3rd", today(), false);
    assert_eq!(h.date, date(2026, 12, 3));
    let h = hear("I want to reschedule my appointment", today(), false);
    assert_eq!(h.intent, Some(Intent::Reschedule));
}

#[test]
fn names_birth_dates_and_phone_numbers_in_words() {
    let h = hear(
        "My name is Ann Rivera, born January 5th, 1980.",
        today(),
        false,
    );
    assert_eq!(h.first_name.as_deref(), Some("Ann"));
    assert_eq!(h.last_name.as_deref(), Some("Rivera"));
    assert_eq!(h.birth_date, date(1980, 1, 5));
    let h = hear("Ann Rivera", today(), true);
    assert_eq!(
        (h.first_name.as_deref(), h.last_name.as_deref()),
        (Some("Ann"), Some("Rivera"))
    );
    let h = hear("It's Rivera, R I V E R A.", today(), true);
    assert_eq!(h.first_name.as_deref(), Some("Rivera"));
    let h = hear("Ann, last name Rivera, R-I-V-E-R-A", today(), true);
    assert_eq!(h.last_name.as_deref(), Some("Rivera"));
    let h = hear("March fourteenth nineteen eighty four", today(), false);
    assert_eq!(h.birth_date, date(1984, 3, 14));
    let h = hear("It's 3/14/1984", today(), false);
    assert_eq!(h.birth_date, date(1984, 3, 14));
    let h = hear("the fifth of january two thousand and five", today(), false);
    assert_eq!(h.birth_date, date(2005, 1, 5));
    let h = hear(
        "five five five, two oh one, oh one two three",
        today(),
        false,
    );
    assert_eq!(
        h.phone.as_ref().map(PhoneNumber::as_str),
        Some("+15552010123")
    );
    let h = hear("It's 555-201-0123", today(), false);
    assert_eq!(
        h.phone.as_ref().map(PhoneNumber::as_str),
        Some("+15552010123")
    );
}

#[test]
fn yes_no_goodbye_and_questions() {
    assert!(hear("Yes, please.", today(), false).yes);
    assert!(hear("Yeah that works", today(), false).yes);
    assert!(hear("No, that doesn't work.", today(), false).no);
    assert!(hear("No, that's all, thanks. Bye!", today(), false).goodbye);
    assert!(hear("(unintelligible audio)", today(), false).unintelligible);
    assert!(hear("", today(), false).unintelligible);
    assert!(hear("Can I talk to a real person?", today(), false).wants_person);
    assert!(hear("What are your hours on Friday?", today(), false).asks_hours);
    assert!(hear("Where are you located?", today(), false).asks_address);
    let h = hear("Can you fix my car?", today(), false);
    assert_eq!(h.intent, None);
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
    ] {
        assert_eq!(
            hear(said, today(), false).intent,
            Some(Intent::Book),
            "{said}"
        );
    }
    assert_eq!(
        hear("Are you open on Saturday?", today(), false).intent,
        None
    );
    assert!(hear("Are you open on Saturday?", today(), false).asks_hours);
}
