//! One scripted call per way real callers tripped the receptionist, over the real WebSocket
//! with the demo clinic, and what the database holds afterwards. The demo clinic: Maria Lopez
//! (hygienist) Mon-Fri 8-14; Dr. Sarah Chen Mon-Thu 8-12 and 13-17, Fri 8-14; Dr. James Patel
//! Mon, Wed, Fri 9-14; transfer number +1 555 201 0199.

use crate::common;

use ascendia::booking::{
    Appointment, AppointmentStatus, Patient, PatientId, PatientLookup, PhoneNumber,
};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use common::TestApp;
use common::demo::{UNKNOWN_CALLER, find, next, patient, spoken, talk};

/// The patient's appointments still on the books.
async fn appointments(app: &TestApp, patient: PatientId) -> Vec<Appointment> {
    common::demo::appointments(app, patient)
        .await
        .into_iter()
        .filter(|a| a.status == AppointmentStatus::Scheduled)
        .collect()
}

fn clinic_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive()
}

/// The weekday in the clinic's next calendar week ("Wednesday next week").
fn next_week(weekday: Weekday) -> NaiveDate {
    let today = clinic_today();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
        + Duration::days(7);
    monday + Duration::days(i64::from(weekday.num_days_from_monday()))
}

/// Everyone registered with this phone number.
async fn patients_with_phone(app: &TestApp, phone: &str) -> Vec<Patient> {
    let org = app.org("demo").await;
    let phone = PhoneNumber::parse(phone).expect("phone");
    app.state
        .scheduler
        .find_patients(&org, PatientLookup::Phone(&phone))
        .await
        .expect("lookup")
}

async fn provider_name(app: &TestApp, appointment: &Appointment) -> String {
    let org = app.org("demo").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    catalogue
        .providers
        .iter()
        .find(|p| p.id == appointment.provider)
        .map(|p| p.name.clone())
        .unwrap_or_default()
}

fn local_date(a: &Appointment) -> NaiveDate {
    a.start
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive()
}

#[tokio::test]
async fn yes_im_a_new_patient_is_not_a_name_and_spelled_names_and_two_digit_years_are() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say Hi, um, I'd like to book a cleaning next Tuesday morning.
        expect first and last name
        say Yes, I'm a new patient.
        expect-not Welcome
        expect name
        say It's Siobhan O'Brien, that's S I O B H A N, born March fifteenth, eighty-two.
        expect-not Are you a new patient
        expect Welcome, Siobhan
        expect Which works best
        say the first one
        expect Shall I book it
        say yeah, go ahead
        expect all set
    ",
    )
    .await;
    let siobhan = find(&app, "Siobhan", "O'Brien", (1982, 3, 15))
        .await
        .expect("registered with the spelled name and the 1982 birth date");
    assert_eq!(appointments(&app, siobhan.id).await.len(), 1);
    let registered = patients_with_phone(&app, UNKNOWN_CALLER).await;
    assert_eq!(registered.len(), 1, "one patient, no 'A': {registered:?}");
}

#[tokio::test]
async fn no_im_a_new_patient_answers_the_question() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say I need a cleaning next Thursday
        expect first and last name
        say Oluwaseun Adeyemi, born 3/15/82
        expect Are you a new patient
        say No, I'm a new patient.
        expect Welcome, Oluwaseun
    ",
    )
    .await;
    assert!(
        find(&app, "Oluwaseun", "Adeyemi", (1982, 3, 15))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn a_parent_books_for_their_daughter() {
    let app = TestApp::spawn().await;
    let parent = patient(&app, "Grace", "Walsh", (1984, 2, 2), "+1 555 201 3000").await;
    talk(
        &app,
        "+15552013000",
        "
        say Hi, I'd like to book a cleaning for my daughter Emma next Tuesday.
        expect their last name and date of birth
        say Emma Walsh, born June 3rd, 2015.
        expect first visit
        say Yes, it's her first visit.
        expect Welcome, Emma
        expect Which works best
        say the first one
        expect Shall I book it
        say yes please
        expect all set
    ",
    )
    .await;
    let emma = find(&app, "Emma", "Walsh", (2015, 6, 3))
        .await
        .expect("the child is the patient");
    assert_eq!(appointments(&app, emma.id).await.len(), 1);
    assert!(
        appointments(&app, parent).await.is_empty(),
        "not the parent"
    );
}

#[tokio::test]
async fn a_dentist_asked_for_by_an_asr_variant_and_corrected_at_the_read_back() {
    let app = TestApp::spawn().await;
    let ivy = patient(&app, "Ivy", "Nakamura", (1970, 4, 4), "+1 555 201 3100").await;
    let wednesday = next_week(Weekday::Wed);
    let transcript = talk(
        &app,
        "+15552013100",
        "
        say I need a filling with Dr. Chan, Wednesday next week.
        expect with Dr. Sarah Chen
        expect-not Patel
        say the first one
        expect Shall I book it
        say No, actually, with Doctor Patel please.
        expect Dr. James Patel
        say the first one
        expect with Dr. James Patel
        say yes
        expect all set
    ",
    )
    .await;
    assert!(
        transcript
            .turns
            .get(1)
            .is_some_and(|t| t.text.contains(&spoken(wednesday))),
        "Wednesday of next week"
    );
    let booked = appointments(&app, ivy).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(provider_name(&app, &booked[0]).await, "Dr. James Patel");
    assert_eq!(local_date(&booked[0]), wednesday);
}

#[tokio::test]
async fn nine_works_picks_the_nine_oclock_and_move_it_to_friday_instead_moves_it() {
    let app = TestApp::spawn().await;
    let omar = patient(&app, "Omar", "Haddad", (1991, 9, 9), "+1 555 201 3200").await;
    let tuesday = next_week(Weekday::Tue);
    talk(
        &app,
        "+15552013200",
        "
        say Can I get a cleaning Tuesday next week in the morning?
        expect 9 AM
        say Nine works.
        expect at 9 AM. Shall I book it
        say mm-hmm, yes
        expect all set
        say Actually, can you move it to Friday instead?
        expect Which works best
        say the first one
        expect move Omar's cleaning
        expect Shall I go ahead
        say yes
        expect is now on Friday
    ",
    )
    .await;
    let booked = appointments(&app, omar).await;
    assert_eq!(booked.len(), 1, "moved, not booked twice: {booked:?}");
    assert_eq!(local_date(&booked[0]).weekday(), Weekday::Fri);
    assert_ne!(local_date(&booked[0]), tuesday);
}

#[tokio::test]
async fn a_broken_tooth_gets_the_soonest_emergency_visit_and_a_checkup_is_no_new_patient_exam() {
    let app = TestApp::spawn().await;
    let lin = patient(&app, "Xiaoming", "Li", (1988, 8, 8), "+1 555 201 3300").await;
    talk(
        &app,
        "+15552013300",
        "
        say Hi, I broke a tooth last night and it really hurts.
        expect-not new patient exam
        expect Which works best
        say the first one
        expect an emergency visit
        say yes
        expect all set
        say I also need a regular checkup next month sometime, the week of the 14th is fine
        expect-not new patient exam
    ",
    )
    .await;
    let booked = appointments(&app, lin).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].end - booked[0].start, Duration::minutes(30));
}

#[tokio::test]
async fn a_yes_to_the_offered_transfer_transfers() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say I want to check on my appointment
        expect first and last name
        say Dana Kowalski, born April 1st 1969
        expect couldn't find a record
        say Kowalski, K O W A L S K I, April first nineteen sixty-nine
        expect transfer you
        say Yes
        expect-transfer +15552010199
    ",
    )
    .await;
}

#[tokio::test]
async fn a_spanish_speaking_caller_hears_spanish_and_is_put_through() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say Hola, buenos días, necesito una cita para una limpieza, por favor.
        expect Un momento
        expect-transfer +15552010199
    ",
    )
    .await;
}

#[tokio::test]
async fn an_insurance_question_is_answered_honestly_and_a_message_is_taken() {
    let app = TestApp::spawn().await;
    let transcript = talk(
        &app,
        UNKNOWN_CALLER,
        "
        say Do you guys take Delta Dental?
        expect don't have information
        expect transfer you
        say No, that's okay.
        expect message
        say Sure.
        expect your name
        say Mohammed Al-Rashid
        expect pass on
        say Please ask whether my Delta Dental PPO plan is accepted.
        expect passed your message
    ",
    )
    .await;
    assert!(!transcript.turns.is_empty());
    let org = app.org("demo").await;
    let page = app
        .state
        .scheduler
        .messages(&org, &ascendia::booking::MessageQuery::default())
        .await
        .expect("messages");
    assert_eq!(page.items.len(), 1);
    let message = &page.items[0];
    assert_eq!(message.caller_name, "Mohammed Al-Rashid");
    assert_eq!(
        message.callback.as_ref().map(|p| p.as_str()),
        Some(UNKNOWN_CALLER)
    );
    assert!(message.reason.to_lowercase().contains("delta dental"));
}

#[tokio::test]
async fn no_with_more_words_at_the_read_back_books_nothing() {
    let app = TestApp::spawn().await;
    let kai = patient(&app, "Kai", "Papadopoulos", (1979, 1, 1), "+1 555 201 3400").await;
    talk(
        &app,
        "+15552013400",
        &format!(
            "
        say I'd like a cleaning on {}
        expect Which works best
        say the second one
        expect Shall I book it
        say No, hmm, don't book it yet, I need to check with work first.
        expect-not all set
        say Okay, bye.
        expect-end-call
    ",
            spoken(next(Weekday::Thu))
        ),
    )
    .await;
    assert!(appointments(&app, kai).await.is_empty());
}

#[tokio::test]
async fn the_record_on_file_for_a_number_is_not_a_caller_who_says_they_are_someone_else() {
    let app = TestApp::spawn().await;
    let tomasz = patient(&app, "Tomasz", "Kowalski", (1985, 4, 12), "+1 555 201 3500").await;
    common::demo::book(
        &app,
        tomasz,
        "Cleaning",
        "Maria Lopez",
        next(Weekday::Thu),
        9,
    )
    .await;
    // A roommate on Tomasz's phone hears nothing of his appointments.
    talk(
        &app,
        "+15552013500",
        "
        say hi i'm tomasz's roommate, not tomasz, does he have anything coming up this week
        expect-not on file for Tomasz
        expect-not Maria Lopez
        expect-not 9 AM
        expect date of birth
    ",
    )
    .await;
    // Priya on the same phone books for herself, and hears her own name in the read-back.
    talk(
        &app,
        "+15552013500",
        &format!(
            "
        say hi this is Priya Shah, i need to book a cleaning on {}
        expect-not on file for Tomasz
        expect date of birth
        say march third, nineteen ninety
        expect new patient
        say yes
        expect Welcome, Priya
        say the first one
        expect for Priya
        say yes
        expect all set
    ",
            spoken(next(Weekday::Tue))
        ),
    )
    .await;
    let priya = find(&app, "Priya", "Shah", (1990, 3, 3))
        .await
        .expect("Priya registered");
    assert_eq!(appointments(&app, priya.id).await.len(), 1);
    assert_eq!(
        appointments(&app, tomasz).await.len(),
        1,
        "Tomasz's own only"
    );
}

#[tokio::test]
async fn bounds_half_hours_and_days_ruled_out_shape_the_offers() {
    let app = TestApp::spawn().await;
    patient(&app, "Chinedu", "Okafor", (1975, 5, 5), "+1 555 201 3600").await;
    let thursday = next(Weekday::Thu);
    let transcript = talk(
        &app,
        "+15552013600",
        &format!(
            "
        say um do you have a filling anything {} after 2
        expect Which works best
        expect-not 8 AM
        expect-not 9 AM
        say actually, never mind that. Can I get a cleaning on {} at eleven thirty instead
        expect 11:30 AM
        say no, hmm, I can't do Mondays or Wednesdays actually, what else is there
        expect 11:30 AM
        expect-not Monday
        expect-not Wednesday
    ",
            spoken(thursday),
            spoken(next(Weekday::Wed))
        ),
    )
    .await;
    assert!(!transcript.turns.is_empty());
}

#[tokio::test]
async fn hours_for_one_day_a_spoken_callback_number_and_a_warning_for_a_swollen_face() {
    let app = TestApp::spawn().await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say what time do you close on friday
        expect Friday 8 AM to 2 PM
        expect-not Monday
        say are you open on saturday
        expect closed on Saturday
        say can I leave a message? this is Grace O'Connor and my number is five five five two three four nine eight seven six
        expect pass on
        say please call me back about my bill from last month
        expect passed your message
    ",
    )
    .await;
    let org = app.org("demo").await;
    let page = app
        .state
        .scheduler
        .messages(&org, &ascendia::booking::MessageQuery::default())
        .await
        .expect("messages");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].caller_name, "Grace O'Connor");
    assert_eq!(
        page.items[0].callback.as_ref().map(|p| p.as_str()),
        Some("+15552349876"),
        "the number said, not the one calling"
    );
    assert!(page.items[0].reason.contains("bill"));

    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say my face is really swollen on one side and i have a fever and i can barely open my mouth
        expect 911
    ",
    )
    .await;
}

#[tokio::test]
async fn earliest_unknown_services_a_spelled_correction_and_calling_back_later() {
    let app = TestApp::spawn().await;
    let tomasz = patient(&app, "Tomasz", "Kowalski", (1985, 4, 12), "+1 555 201 3700").await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say um what about invisalign
        expect don't think we offer that
        say oh okay. i'll call back later when i have my calendar
        expect-not pass on
        expect-not your name
    ",
    )
    .await;
    talk(
        &app,
        UNKNOWN_CALLER,
        "
        say i need a cleaning, what's the earliest you have
        expect first and last name
        say thomas kowalski, april twelfth nineteen eighty five
        expect new patient
        say k o w a l s k i, and it's tomasz, t o m a s z
        expect-not Welcome
        expect Thank you, Tomasz
        expect Which works best
    ",
    )
    .await;
    let same_name = patients_with_phone(&app, "+1 555 201 3700").await;
    assert_eq!(same_name.len(), 1, "no second Tomasz");
    assert_eq!(same_name[0].id, tomasz);
    assert!(
        patients_with_phone(&app, UNKNOWN_CALLER).await.is_empty(),
        "nobody registered"
    );
}

#[tokio::test]
async fn pushing_an_appointment_back_a_week_offers_that_day_a_week_on() {
    let app = TestApp::spawn().await;
    let ruth = patient(&app, "Ruth", "Abebe", (1968, 2, 9), "+1 555 201 3800").await;
    let thursday = next(Weekday::Thu);
    common::demo::book(&app, ruth, "Cleaning", "Maria Lopez", thursday, 9).await;
    let week_on = thursday + chrono::Duration::days(7);
    talk(
        &app,
        "+15552013800",
        &format!(
            "
        say hi, something came up, can I push my appointment back a week?
        expect {}
        say the first one
        expect move Ruth's cleaning
        say yes please
        expect is now on {}
    ",
            spoken(week_on),
            spoken(week_on)
        ),
    )
    .await;
    let booked = appointments(&app, ruth).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(local_date(&booked[0]), week_on);
}
