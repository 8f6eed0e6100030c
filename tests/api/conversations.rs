//! Scripted callers against the built-in receptionist, over the real WebSocket: what it says,
//! and what is in the database afterwards. The demo clinic (examples/clinics/demo.toml): Maria
//! Lopez (hygienist) Mon-Fri 8-14 in Hygiene 1; Dr. Sarah Chen Mon-Thu 8-12 and 13-17, Fri 8-14;
//! Dr. James Patel Mon, Wed, Fri 9-14 in Op 2; cleaning 60 minutes, filling 60.

use crate::common;

use ascendia::booking::{Appointment, AppointmentStatus};
use ascendia::client::{CallOptions, script};
use chrono::{NaiveDate, NaiveTime, Utc, Weekday};
use common::demo::{UNKNOWN_CALLER, ZONE, appointments, book, find, next, patient, spoken, talk};
use common::{TIMEOUT, TestApp};

async fn id_of(
    app: &TestApp,
    kind: &str,
) -> (
    ascendia::booking::AppointmentTypeId,
    Vec<ascendia::booking::Provider>,
) {
    let org = app.org("demo").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let kind = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name == kind)
        .expect("type")
        .id;
    (kind, catalogue.providers)
}

/// The clinic's wall-clock date and time of an appointment.
fn local(_app: &TestApp, a: &Appointment) -> (NaiveDate, NaiveTime) {
    let zone: chrono_tz::Tz = ZONE.parse().expect("zone");
    let t = a.start.with_timezone(&zone);
    (t.date_naive(), t.time())
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

#[tokio::test]
async fn a_new_patient_books_a_cleaning_next_tuesday_afternoon() {
    let app = TestApp::spawn().await;
    let tuesday = next(Weekday::Tue);
    let transcript = talk(
        &app,
        UNKNOWN_CALLER,
        &format!(
            "
        say Hi, I'd like to book a cleaning next Tuesday afternoon.
        expect first and last name
        say My name is Ann Rivera, born January 5th, 1980.
        expect Are you a new patient
        say Yes, I'm new.
        expect Welcome, Ann
        expect {} at 12 PM or 1 PM with Maria Lopez
        say The second one please.
        expect with Maria Lopez on {} at 1 PM
        say Yes.
        expect You're all set
        say No, that's all, thanks. Bye!
        expect Goodbye
        expect-end-call
    ",
            spoken(tuesday),
            spoken(tuesday)
        ),
    )
    .await;
    assert!(transcript.turns.len() >= 6);
    let ann = find(&app, "Ann", "Rivera", (1980, 1, 5))
        .await
        .expect("registered");
    assert_eq!(
        ann.phone.as_ref().map(|p| p.as_str()),
        Some(UNKNOWN_CALLER),
        "the caller's number"
    );
    let booked = appointments(&app, ann.id).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(local(&app, &booked[0]), (tuesday, at(13, 0)));
    assert_eq!(booked[0].status, AppointmentStatus::Scheduled);
    assert_eq!(booked[0].source, "voice");
}

#[tokio::test]
async fn a_known_caller_is_recognised_by_number_and_books() {
    let app = TestApp::spawn().await;
    let bob = patient(&app, "Bob", "Stone", (1975, 6, 1), "+1 555 201 0200").await;
    let wednesday = next(Weekday::Wed);
    talk(
        &app,
        "+15552010200",
        &format!(
            "
        say I need a filling, do you have anything Wednesday morning?
        expect number we have on file for Bob
        expect {}
        say The first one.
        expect Shall I book it
        say Yes please.
        expect You're all set for a filling
    ",
            spoken(wednesday)
        ),
    )
    .await;
    let booked = appointments(&app, bob).await;
    assert_eq!(booked.len(), 1);
    let (date, time) = local(&app, &booked[0]);
    assert_eq!(date, wednesday);
    assert!(time < at(12, 0), "a morning slot: {time}");
}

#[tokio::test]
async fn an_existing_patient_is_found_by_name_and_birth_date_in_words() {
    let app = TestApp::spawn().await;
    let cara = patient(&app, "Cara", "Mendez", (1984, 3, 14), "+1 555 201 0300").await;
    let thursday = next(Weekday::Thu);
    talk(
        &app,
        UNKNOWN_CALLER,
        &format!(
            "
        say Hello, can I book a checkup for Thursday?
        expect first and last name
        say It's Cara Mendez.
        expect date of birth
        say March fourteenth nineteen eighty four
        expect Thank you, Cara
        expect {}
        say The 9 AM one.
        expect-not isn't available
        expect Shall I book it
        say Yes
        expect all set
    ",
            spoken(thursday)
        ),
    )
    .await;
    let booked = appointments(&app, cara).await;
    assert_eq!(
        booked.len(),
        1,
        "booked for the existing record, no duplicate patient"
    );
    assert_eq!(local(&app, &booked[0]).0, thursday);
}

#[tokio::test]
async fn a_caller_identified_by_phone_number_in_words_and_birth_date() {
    let app = TestApp::spawn().await;
    let dee = patient(&app, "Dee", "Okafor", (1990, 7, 4), "+1 555 201 0123").await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say When is my next appointment?
        expect first and last name
        say My number is five five five, two oh one, oh one two three, and I was born July 4th 1990.
        expect Thank you, Dee
        expect don't see any upcoming appointments
    ",
    )
    .await;
    assert!(appointments(&app, dee).await.is_empty());
}

#[tokio::test]
async fn a_patient_reschedules_to_thursday_morning() {
    let app = TestApp::spawn().await;
    let eve = patient(&app, "Eve", "Lang", (1988, 2, 2), "+1 555 201 0400").await;
    let tuesday = next(Weekday::Tue);
    let thursday = next(Weekday::Thu);
    let original = book(&app, eve, "Cleaning", "Maria Lopez", tuesday, 10).await;
    talk(
        &app,
        "+15552010400",
        &format!(
            "
        say Hi, I need to reschedule my appointment.
        expect on file for Eve
        expect Your cleaning is on {} at 10 AM
        expect What day would you like to move it to
        say {} morning please
        expect {}
        say the first one
        expect cleaning from {} at 10 AM
        say yes
        expect Done. Your cleaning is now on {}
    ",
            spoken(tuesday),
            spoken(thursday).split(',').next().unwrap_or(""),
            spoken(thursday),
            spoken(tuesday),
            spoken(thursday)
        ),
    )
    .await;
    let after = appointments(&app, eve).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, original.id, "moved, not rebooked");
    assert_eq!(local(&app, &after[0]), (thursday, at(8, 0)));
}

#[tokio::test]
async fn a_patient_cancels_the_appointment_on_a_named_day() {
    let app = TestApp::spawn().await;
    let fay = patient(&app, "Fay", "Wu", (1970, 9, 9), "+1 555 201 0500").await;
    let monday = next(Weekday::Mon);
    let friday = next(Weekday::Fri);
    book(&app, fay, "Cleaning", "Maria Lopez", monday, 9).await;
    let keep = book(&app, fay, "Filling", "Dr. Sarah Chen", friday, 10).await;
    let day = monday.format("%B %-d").to_string();
    talk(
        &app,
        "+15552010500",
        &format!(
            "
        say I need to cancel my appointment on {day}.
        expect cleaning on {}
        say Yes, cancel it.
        expect is cancelled
        expect 24 hours' notice
        say That's all, bye.
        expect-end-call
    ",
            spoken(monday)
        ),
    )
    .await;
    let after = appointments(&app, fay).await;
    let cancelled: Vec<_> = after
        .iter()
        .filter(|a| a.status == AppointmentStatus::Cancelled)
        .collect();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(local(&app, cancelled[0]).0, monday);
    assert!(
        after
            .iter()
            .any(|a| a.id == keep.id && a.status == AppointmentStatus::Scheduled)
    );
}

#[tokio::test]
async fn a_caller_who_changes_their_mind_keeps_the_appointment() {
    let app = TestApp::spawn().await;
    let gus = patient(&app, "Gus", "Hale", (1966, 1, 1), "+1 555 201 0600").await;
    book(&app, gus, "Cleaning", "Maria Lopez", next(Weekday::Wed), 11).await;
    talk(
        &app,
        "+15552010600",
        "
        say I want to cancel my cleaning
        expect Just to confirm
        say No, actually keep it.
        expect leave it as it is
    ",
    )
    .await;
    let after = appointments(&app, gus).await;
    assert_eq!(after[0].status, AppointmentStatus::Scheduled);
}

#[tokio::test]
async fn a_patient_with_two_appointments_picks_which_to_cancel() {
    let app = TestApp::spawn().await;
    let hal = patient(&app, "Hal", "Ito", (1980, 8, 8), "+1 555 201 0700").await;
    book(&app, hal, "Cleaning", "Maria Lopez", next(Weekday::Mon), 9).await;
    book(
        &app,
        hal,
        "Filling",
        "Dr. Sarah Chen",
        next(Weekday::Thu),
        14,
    )
    .await;
    talk(
        &app,
        "+15552010700",
        "
        say cancel my appointment please
        expect Which one would you like to cancel
        say the thursday one
        expect filling on
        say yes
        expect is cancelled
    ",
    )
    .await;
    let after = appointments(&app, hal).await;
    let cancelled: Vec<_> = after
        .iter()
        .filter(|a| a.status == AppointmentStatus::Cancelled)
        .collect();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(local(&app, cancelled[0]).0, next(Weekday::Thu));
}

#[tokio::test]
async fn a_patient_asks_when_their_appointment_is() {
    let app = TestApp::spawn().await;
    let ida = patient(&app, "Ida", "Moss", (1992, 12, 12), "+1 555 201 0800").await;
    let friday = next(Weekday::Fri);
    book(&app, ida, "Cleaning", "Maria Lopez", friday, 9).await;
    talk(
        &app,
        "+15552010800",
        &format!(
            "
        say Hi, when is my next appointment?
        expect You have a cleaning with Maria Lopez on {} at 9 AM
    ",
            spoken(friday)
        ),
    )
    .await;
}

#[tokio::test]
async fn no_openings_on_a_closed_day_offers_the_next_ones() {
    let app = TestApp::spawn().await;
    patient(&app, "Jo", "Park", (1985, 5, 5), "+1 555 201 0900").await;
    let saturday = next(Weekday::Sat);
    talk(
        &app,
        "+15552010900",
        &format!(
            "
        say Can I get a cleaning on Saturday?
        expect nothing open for a cleaning on {}
        expect The next openings are
        expect Which works best
    ",
            spoken(saturday)
        ),
    )
    .await;
}

#[tokio::test]
async fn no_openings_at_all_says_so_and_books_nothing() {
    let app = TestApp::spawn().await;
    // A clinic whose hygienist has no hours: nobody can do a cleaning.
    let file = common::DEMO_CLINIC.replace("days = [\"monday\", \"tuesday\", \"wednesday\", \"thursday\", \"friday\"]\nhours = \"08:00-14:00\"\noperatory = \"Hygiene 1\"", "days = [\"sunday\"]\nhours = \"08:00-09:00\"\noperatory = \"Hygiene 1\"");
    assert_ne!(file, common::DEMO_CLINIC);
    app.import_clinic("demo", &file).await;
    let kim = patient(&app, "Kim", "Bell", (1979, 4, 4), "+1 555 201 1000").await;
    talk(
        &app,
        "+15552011000",
        "
        say I'd like a cleaning as soon as possible
        expect don't have any openings for a cleaning in the next two weeks
        expect transfer you
    ",
    )
    .await;
    assert!(appointments(&app, kim).await.is_empty());
}

#[tokio::test]
async fn a_correction_mid_flow_moves_the_offers_to_thursday() {
    let app = TestApp::spawn().await;
    let lee = patient(&app, "Lee", "Chan", (1991, 1, 31), "+1 555 201 1100").await;
    let tuesday = next(Weekday::Tue);
    let thursday = next(Weekday::Thu);
    talk(
        &app,
        "+15552011100",
        &format!(
            "
        say I'd like to book a cleaning on Tuesday.
        expect {}
        say Actually, make it Thursday.
        expect {}
        expect-not {}
        say the first one
        expect on {}
        say yes
        expect all set
    ",
            spoken(tuesday),
            spoken(thursday),
            spoken(tuesday),
            spoken(thursday)
        ),
    )
    .await;
    let booked = appointments(&app, lee).await;
    assert_eq!(local(&app, &booked[0]).0, thursday);
}

#[tokio::test]
async fn asking_for_something_earlier_offers_earlier_times() {
    let app = TestApp::spawn().await;
    let mae = patient(&app, "Mae", "Ross", (1987, 7, 7), "+1 555 201 1200").await;
    let friday = next(Weekday::Fri);
    talk(
        &app,
        "+15552011200",
        "
        say Book me a cleaning Friday afternoon please
        expect at 12 PM or 1 PM
        say Do you have anything earlier?
        expect Sure, earlier
        say the first one
        expect Shall I book it
        say yes
        expect all set
    ",
    )
    .await;
    let booked = appointments(&app, mae).await;
    let (date, time) = local(&app, &booked[0]);
    assert!(
        date < friday || time < at(12, 0),
        "earlier than the first offer: {date} {time}"
    );
}

#[tokio::test]
async fn a_caller_names_the_exact_time() {
    let app = TestApp::spawn().await;
    let ned = patient(&app, "Ned", "Fox", (1960, 10, 10), "+1 555 201 1300").await;
    let wednesday = next(Weekday::Wed);
    talk(
        &app,
        "+15552011300",
        &format!(
            "
        say Can I come in next Wednesday at 10 am for a filling?
        expect To confirm, that's a filling for
        expect {} at 10 AM
        say yes
        expect all set
    ",
            spoken(wednesday)
        ),
    )
    .await;
    let booked = appointments(&app, ned).await;
    assert_eq!(local(&app, &booked[0]), (wednesday, at(10, 0)));
}

#[tokio::test]
async fn a_taken_time_offers_the_nearest_ones() {
    let app = TestApp::spawn().await;
    let other = patient(&app, "Ola", "Kim", (1970, 1, 2), "+1 555 201 1400").await;
    let wednesday = next(Weekday::Wed);
    book(&app, other, "Cleaning", "Maria Lopez", wednesday, 10).await;
    patient(&app, "Pia", "Lund", (1971, 1, 2), "+1 555 201 1401").await;
    talk(
        &app,
        "+15552011401",
        "
        say I'd like a cleaning Wednesday at 10 am
        expect 10 AM isn't available
        expect Which works best
    ",
    )
    .await;
}

#[tokio::test]
async fn saying_no_to_the_read_back_asks_for_another_time() {
    let app = TestApp::spawn().await;
    let quinn = patient(&app, "Quinn", "Ray", (1993, 3, 3), "+1 555 201 1500").await;
    let monday = next(Weekday::Mon);
    talk(
        &app,
        "+15552011500",
        &format!(
            "
        say cleaning on Monday morning please
        expect Which works best
        say the first one
        expect Shall I book it
        say No.
        expect What day and time would work better
        say {} at 11 am
        expect-not isn't available
        expect Shall I book it
        say yes
        expect all set
    ",
            spoken(monday).split(',').next().unwrap_or("")
        ),
    )
    .await;
    let booked = appointments(&app, quinn).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(local(&app, &booked[0]), (monday, at(11, 0)));
}

#[tokio::test]
async fn unintelligible_audio_repeats_the_question() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say I want to book a cleaning
        expect first and last name
        say (unintelligible audio)
        expect didn't quite catch
        expect first and last name, and your date of birth
    ",
    )
    .await;
}

#[tokio::test]
async fn repeated_unintelligible_audio_hands_over_to_the_front_desk() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say (unintelligible audio)
        expect didn't quite catch
        say (inaudible)
        expect didn't quite catch
        say (unintelligible audio)
        expect trouble hearing you
        expect-transfer +15552010199
    ",
    )
    .await;
}

#[tokio::test]
async fn a_caller_who_hangs_up_early_books_nothing() {
    let app = TestApp::spawn().await;
    let ray = patient(&app, "Ray", "Bo", (1982, 2, 8), "+1 555 201 1600").await;
    talk(
        &app,
        "+15552011600",
        "
        say book a cleaning Tuesday
        expect Which works best
        say the first one
        expect Shall I book it
        hangup
    ",
    )
    .await;
    assert!(appointments(&app, ray).await.is_empty());
    // The server is fine and answers the next call.
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say what time is it
        expect here at Demo Dental
    ",
    )
    .await;
}

#[tokio::test]
async fn off_topic_questions_are_declined_politely_then_a_booking_goes_ahead() {
    let app = TestApp::spawn().await;
    let sam = patient(&app, "Sam", "Gale", (1990, 9, 19), "+1 555 201 1700").await;
    talk(
        &app,
        "+15552011700",
        "
        say Can you fix my car?
        expect can't help with that
        say Okay then, I'd like a filling tomorrow
        expect-not can't help
    ",
    )
    .await;
    let _ = sam;
}

#[tokio::test]
async fn office_questions_are_answered_from_the_clinics_settings() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say What are your hours?
        expect Monday 8 AM to 5 PM
        expect Friday 8 AM to 2 PM
        say And where are you located?
        expect 100 Main Street, Springfield
        say Who are your dentists? What services do you offer?
        expect Dr. Sarah Chen
        expect cleaning
    ",
    )
    .await;
}

#[tokio::test]
async fn a_question_mid_booking_is_answered_and_the_booking_resumes() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say I need a cleaning
        expect first and last name
        say Sorry, what's your address?
        expect 100 Main Street
        expect first and last name
    ",
    )
    .await;
}

#[tokio::test]
async fn a_caller_who_cannot_be_verified_is_not_told_anything_and_is_offered_the_front_desk() {
    let app = TestApp::spawn().await;
    let tia = patient(&app, "Tia", "Vance", (1975, 5, 25), "+1 555 201 1800").await;
    book(&app, tia, "Cleaning", "Maria Lopez", next(Weekday::Tue), 9).await;
    let transcript = talk(
        &app,
        UNKNOWN_CALLER,
        "
        say I want to cancel my appointment
        expect first and last name
        say Tia Vance, born May 26th 1975
        expect couldn't find a record
        say Vance, V A N C E, born May 27th 1975
        expect still can't find your record
        expect transfer
    ",
    )
    .await;
    let said: String = transcript
        .turns
        .iter()
        .map(|t| t.text.clone())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        !said.contains("cleaning"),
        "nothing about her appointments: {said}"
    );
    assert!(
        appointments(&app, tia)
            .await
            .iter()
            .all(|a| a.status == AppointmentStatus::Scheduled)
    );
}

#[tokio::test]
async fn asking_for_a_person_transfers_to_the_front_desk() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say Can I speak to a real person please?
        expect transfer you to the front desk
        expect-transfer +15552010199
    ",
    )
    .await;
}

#[tokio::test]
async fn silence_gets_a_check_in_and_the_question_again() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say I'd like to book a cleaning
        expect first and last name
        silence
        expect still there
        expect first and last name, and your date of birth
    ",
    )
    .await;
}

#[tokio::test]
async fn two_callers_race_for_one_slot_and_the_second_is_offered_others() {
    let app = TestApp::spawn().await;
    let uma = patient(&app, "Uma", "Ode", (1981, 1, 1), "+1 555 201 1900").await;
    let vic = patient(&app, "Vic", "Ode", (1982, 2, 2), "+1 555 201 1901").await;
    let tuesday = next(Weekday::Tue);
    // Both are offered Tuesday 8 AM; Uma says yes first.
    let url = |id: &str| app.ws(&format!("/llm-websocket/demo/{id}"));
    let mut vic_call = ascendia::client::CallClient::connect(&url("race-vic"), {
        let mut o = CallOptions::default();
        o.call.from_number = Some("+15552011901".into());
        o
    })
    .await
    .expect("connect");
    vic_call.greeting(TIMEOUT).await.expect("greeting");
    let offer = vic_call
        .say("cleaning Tuesday at 8 am", TIMEOUT)
        .await
        .expect("offer");
    assert!(offer.text.contains("Shall I book it"), "{}", offer.text);
    let mut uma_options = CallOptions::default();
    uma_options.call.from_number = Some("+15552011900".into());
    let _ = script::run_with(
        &url("race-uma"),
        uma_options,
        &[
            (1, script::Step::Say("cleaning Tuesday at 8 am".into())),
            (2, script::Step::Say("yes".into())),
        ],
        TIMEOUT,
        |_| {},
    )
    .await
    .expect("uma books");
    let answer = vic_call.say("yes", TIMEOUT).await.expect("answer");
    assert!(
        answer.text.contains("that time was just taken"),
        "{}",
        answer.text
    );
    assert!(answer.text.contains("Which works best"), "{}", answer.text);
    vic_call.hang_up().await;
    assert_eq!(
        local(&app, &appointments(&app, uma).await[0]),
        (tuesday, at(8, 0))
    );
    assert!(appointments(&app, vic).await.is_empty());
}

#[tokio::test]
async fn a_clinic_only_knows_its_own_callers() {
    let app = TestApp::spawn().await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    patient(&app, "Wes", "Yu", (1990, 1, 1), "+1 555 201 2000").await;
    let steps = script::parse(
        "
        say when is my next appointment
        expect-not on file for Wes
        expect first and last name
        say Wes Yu, January 1st 1990
        expect-not Thank you, Wes
    ",
    )
    .expect("script");
    let mut options = CallOptions::default();
    options.call.from_number = Some("+15552012000".into());
    script::run_with(
        &app.ws("/llm-websocket/twin/iso-call"),
        options,
        &steps,
        TIMEOUT,
        |_| {},
    )
    .await
    .expect("clinic twin does not know demo's patient");
}

#[tokio::test]
async fn a_confirmation_runs_once_and_only_for_a_verified_caller_who_said_yes() {
    use ascendia::agent::tools::contract::{BookAppointment, ConfirmAction};
    use ascendia::agent::tools::{
        self, CallGuard, Refusal, ToolCall, ToolContext, ToolError, ToolResult,
    };
    use ascendia::retell::frames::Utterance;
    let app = TestApp::spawn().await;
    let xia = patient(&app, "Xia", "Zed", (1990, 1, 1), "+1 555 201 2100").await;
    let org = app.org("demo").await;
    let (_, providers) = id_of(&app, "Cleaning").await;
    let maria = providers
        .iter()
        .find(|p| p.name == "Maria Lopez")
        .expect("maria")
        .id;
    let start = ascendia::booking::parse_start(
        &format!("{}T09:00", next(Weekday::Tue)),
        org.time_zone.tz(),
    )
    .expect("start");
    let propose = ToolCall::BookAppointment(BookAppointment {
        appointment_type: "Cleaning".into(),
        provider_id: maria.to_string(),
        start: start.to_rfc3339(),
        note: None,
    });
    let mut guard = CallGuard::verified(xia);
    let mut transcript = vec![Utterance::user("a cleaning on Tuesday at nine")];
    let run = async |request: &ToolCall, transcript: &[Utterance], guard: &mut CallGuard| {
        let mut ctx = ToolContext {
            scheduler: &app.state.scheduler,
            call_log: &app.state.call_log,
            org: &org,
            call_id: "retry-call",
            caller: None,
            now: Utc::now(),
            transcript,
            guard,
        };
        tools::call(&mut ctx, request).await
    };
    let proposed = match run(&propose, &transcript, &mut guard).await {
        Ok(out) => match out.result {
            ToolResult::Proposed(p) => p,
            other => panic!("a proposal: {other:?}"),
        },
        Err(err) => panic!("proposed: {err}"),
    };
    assert!(
        appointments(&app, xia).await.is_empty(),
        "a proposal books nothing"
    );
    let confirm = ToolCall::ConfirmAction(ConfirmAction {
        token: proposed.token.clone(),
    });
    // Before the caller answered: refused.
    transcript.push(Utterance::agent(proposed.readback.clone()));
    assert!(matches!(
        run(&confirm, &transcript, &mut guard).await,
        Err(ToolError::Refused(Refusal::NotConfirmed { .. }))
    ));
    transcript.push(Utterance::user("Yes, that's perfect."));
    let first = run(&confirm, &transcript, &mut guard).await;
    assert!(
        matches!(first, Ok(ref out) if matches!(out.result, ToolResult::Done(_))),
        "{first:?}"
    );
    // The same confirmation again (a retry) books nothing more.
    assert!(matches!(
        run(&confirm, &transcript, &mut guard).await,
        Err(ToolError::Refused(Refusal::NotConfirmed { .. }))
    ));
    assert_eq!(appointments(&app, xia).await.len(), 1);
    // Unverified: refused.
    let mut nobody = CallGuard::default();
    assert!(matches!(
        run(&ToolCall::ListAppointments, &transcript, &mut nobody).await,
        Err(ToolError::Refused(Refusal::NotVerified))
    ));
}

#[tokio::test]
async fn a_clinic_words_its_own_lines() {
    let app = TestApp::spawn().await;
    let file = common::DEMO_CLINIC.replace(
        "[phrases]\n",
        "[phrases]\nanything_else = \"Anything more we can do for you today?\"\ngoodbye = \"Bye now, and keep smiling!\"\n",
    );
    app.import_clinic("demo", &file).await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say What are your hours?
        expect We're open Monday
        expect Anything more we can do for you today?
        say No, bye.
        expect Bye now, and keep smiling!
        expect-not Thank you for calling
        expect-end-call
    ",
    )
    .await;
}

#[tokio::test]
async fn a_toothache_books_an_emergency_visit() {
    let app = TestApp::spawn().await;
    let zed = patient(&app, "Zed", "Holt", (1977, 7, 17), "+1 555 201 2200").await;
    talk(
        &app,
        "+15552012200",
        "
        say Hi, I chipped a tooth and I'm in pain. Do you have any openings?
        expect on file for Zed
        expect-not What day
        expect Which works best
        say the first one
        expect To confirm, that's an emergency visit for Zed
        say yes
        expect all set
    ",
    )
    .await;
    let booked = appointments(&app, zed).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(
        booked[0].end - booked[0].start,
        chrono::Duration::minutes(30),
        "an emergency visit"
    );
}

#[tokio::test]
async fn a_reconnect_from_another_number_does_not_inherit_the_callers_verification() {
    let app = TestApp::spawn().await;
    let ida = patient(&app, "Ida", "Moss", (1992, 12, 12), "+1 555 201 0800").await;
    let friday = next(Weekday::Fri);
    book(&app, ida, "Cleaning", "Maria Lopez", friday, 9).await;
    let url = app.ws("/llm-websocket/demo/taken-over");
    let connect = |from: &str| {
        let mut options = CallOptions::default();
        options.call.from_number = Some(from.into());
        ascendia::client::CallClient::connect(&url, options)
    };
    let mut ida_call = connect("+15552010800").await.expect("connect");
    ida_call.greeting(TIMEOUT).await.expect("greeting");
    let answer = ida_call
        .say("when is my next appointment?", TIMEOUT)
        .await
        .expect("answer");
    assert!(
        answer.text.contains("You have a cleaning"),
        "{}",
        answer.text
    );
    // Someone else who learnt the call id connects while the call is live.
    let mut other = connect("+15559990000").await.expect("connect");
    other.greeting(TIMEOUT).await.expect("greeting");
    let answer = other
        .say("when is my next appointment?", TIMEOUT)
        .await
        .expect("answer");
    assert!(!answer.text.contains("cleaning"), "{}", answer.text);
    assert!(!answer.text.contains("Ida"), "{}", answer.text);
    other.hang_up().await;
    ida_call.hang_up().await;
}

#[tokio::test]
async fn a_clinic_not_set_up_to_book_says_so_and_creates_no_patient() {
    let app = TestApp::spawn().await;
    let org = app
        .add_org("Lakeside Dental", "lakeside", "America/Denver")
        .await;
    let steps = script::parse(
        "
        expect Lakeside Dental
        say Hi, I'd like to book a cleaning next week. My name is Ann Rivera, born January 5th, 1980.
        expect can't book appointments by phone
        expect message
        expect-not We offer
        ",
    )
    .expect("script");
    let mut options = CallOptions::default();
    options.call.from_number = Some(UNKNOWN_CALLER.to_owned());
    script::run_with(
        &app.ws("/llm-websocket/lakeside/call-not-ready"),
        options,
        &steps,
        TIMEOUT,
        |_| {},
    )
    .await
    .expect("the caller hears the clinic cannot book yet");
    let lookup = ascendia::booking::PatientLookup::Name {
        last_name: "Rivera",
        first_name: Some("Ann"),
        birth_date: NaiveDate::from_ymd_opt(1980, 1, 5).expect("date"),
    };
    let found = app
        .state
        .scheduler
        .find_patients(&org, lookup)
        .await
        .expect("lookup");
    assert!(
        found.is_empty(),
        "no patient record for a booking that cannot be"
    );
}
