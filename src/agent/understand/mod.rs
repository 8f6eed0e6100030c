//! Understanding one caller utterance, as Retell transcribes it, into a typed `Heard`.
//! What words mean is data (`lexicon`); each kind of value has its own small parser. `hear`
//! reads numbers first (phone, dates, times) and marks their words taken, so a year is
//! never a time or a name and a phone digit never a day.

mod birth;
mod calendar;
mod choice;
mod consent;
mod days;
mod heard;
mod intent;
mod language;
mod lexicon;
mod names;
mod new_patient;
mod numbers;
mod phone;
mod phonetic;
mod providers;
mod questions;
mod services;
mod signals;
mod spelled;
mod text;
mod times;

#[cfg(test)]
mod hear_tests;
#[cfg(test)]
mod proptests;

pub use heard::{
    Choice, Consent, Context, DayPart, Expecting, Heard, Intent, Language, PersonName, Question,
    Relation, Service, Topic,
};
pub use services::resolve_service;

use chrono::NaiveDate;

/// Understands one utterance in its context. Never panics; allocation is a few small
/// vectors per call.
pub fn hear(raw: &str, ctx: &Context) -> Heard {
    let words = text::words(raw);
    let lower = words.views();
    let mut heard = Heard {
        text: words.text.clone(),
        ..Heard::default()
    };
    if lower.is_empty() {
        heard.unintelligible = true;
        return heard;
    }
    let n = lower.len();
    let mut taken = vec![false; n];
    let take = |taken: &mut [bool], range: std::ops::Range<usize>| {
        let end = range.end.min(n);
        for t in &mut taken[range.start.min(end)..end] {
            *t = true;
        }
    };
    let choosing = matches!(
        ctx.expecting,
        Expecting::Choice | Expecting::WhichAppointment
    );

    heard.language = language::language(raw, &lower);

    // Numbers first: a phone number, then dates, then a time.
    if let Some((phone, range)) = phone::phone_number(&lower) {
        heard.phone = Some(phone);
        take(&mut taken, range);
    }
    let birth_cue = text::has_any(&words.text, birth::BIRTH_CUES);
    let birth_context = birth_cue || ctx.expecting.wants_birth_date();
    let mentions = calendar::mentions(&lower, &taken, birth_context);
    for m in &mentions {
        take(&mut taken, m.at..m.at + m.used);
    }
    let sorted = birth::sort(
        &mentions,
        ctx.today,
        birth_context,
        ctx.expecting == Expecting::BirthDate,
    );
    heard.birth_date = sorted.birth;
    let mut days: Vec<(usize, NaiveDate)> = sorted.days;
    if heard.birth_date.is_none()
        && birth_context
        && let Some((date, mention_at)) = birth_from_parts(&lower, &mut taken, &mentions, ctx.today)
    {
        heard.birth_date = Some(date);
        days.retain(|(at, _)| Some(*at) != mention_at);
    }
    let relative = days::relative(&lower, &taken, ctx.today, choosing);
    for (at, _) in &relative.days {
        take(&mut taken, *at..*at + 1);
    }
    days.extend(relative.days);
    days.sort_by_key(|(at, _)| *at);
    let mut week_of = None;
    // "I can't do Mondays or Wednesdays": a day joined to a ruled-out one is out too.
    let mut ruled_out_at: Option<usize> = None;
    for (at, day) in days {
        let joined_to_ruled_out = ruled_out_at.is_some_and(|prev| {
            at > prev
                && at - prev <= 3
                && lower[prev + 1..at]
                    .iter()
                    .all(|w| matches!(*w, "or" | "and" | "nor" | "either" | "also"))
        });
        // "the week of December 7th" is a week, not a day.
        let before = |k: usize| at.checked_sub(k).map_or("", |i| lower[i]);
        if before(1) == "of" && before(2) == "week"
            || before(1) == "the" && before(2) == "of" && before(3) == "week"
        {
            week_of = week_of.or(Some(calendar::monday_of(day)));
        } else if days::ruled_out(&lower, at) || joined_to_ruled_out {
            ruled_out_at = Some(at);
            if !heard.not_days.contains(&day) {
                heard.not_days.push(day);
            }
        } else if !heard.days.contains(&day) {
            heard.days.push(day);
        }
    }
    heard.week_of = week_of
        .or(relative.week_of)
        .filter(|_| heard.days.is_empty());
    heard.part = times::day_part(&words.text);
    heard.time = times::time_of_day(&lower, &taken, choosing, heard.part);

    heard.choice = choice::choice(&lower, &words.text, choosing);
    heard.services = services::services(&lower);
    heard.consent = consent::consent(&lower, words.question_mark);
    heard.new_patient = new_patient::new_patient(&words.text);
    let signals = signals::signals(&words.text, n, words.question_mark);
    heard.goodbye = signals.goodbye;
    heard.thanks = signals.thanks;
    heard.greeting = signals.greeting;
    heard.wants_person = signals.wants_person;
    heard.wants_message = signals.wants_message;
    heard.repeat = signals.repeat;
    heard.earlier = signals.earlier;
    heard.later = signals.later;
    heard.soonest = signals.soonest;
    heard.correction = signals.correction;

    heard.intent = intent::intent(&words.text);
    let understood = heard.intent.is_some()
        || !heard.services.is_empty()
        || heard.consent.is_some()
        || !heard.days.is_empty()
        || heard.time.is_some()
        || heard.wants_person
        || heard.wants_message
        || heard.repeat
        || heard.goodbye
        || heard.language.is_some();
    heard.questions = questions::questions(&words.text, words.question_mark, understood);
    // "I chipped a tooth": a need for care is a request to come in, unless it was a
    // question about what the clinic offers.
    // "My insurance changed and I wanted to see about a cleaning" names a topic in a
    // statement: still a request to come in.
    let statement = !words.question_mark && !questions::opens_question(&words.text);
    let only_unanswerable = heard
        .questions
        .iter()
        .all(|q| matches!(q, Question::Unanswerable(_)));
    if heard.intent.is_none()
        && !heard.services.is_empty()
        && (heard.questions.is_empty() || statement && only_unanswerable)
    {
        heard.intent = Some(Intent::Book);
    }

    // Names last, from words nothing else took; a question is not a name.
    let asking = heard.asks_about_the_office();
    let raw_words: Vec<&str> = words.raw.iter().map(String::as_str).collect();
    let found = names::names(
        &lower,
        &raw_words,
        &words.sentence_end,
        &taken,
        ctx.expecting.wants_name() && !asking,
    );
    heard.name = found.name;
    heard.caller_name = found.caller;
    heard.patient_relation = found.relation;
    heard.provider = providers::provider(&lower, ctx.providers, &found.words);
    heard.unintelligible = words.marker && n <= 2 && heard.consent.is_none();
    heard
}

/// A birth date said in parts: numbers only ("oh three fifteen eighty two") or a month and
/// day with the year said apart ("born in '82 on March 15").
fn birth_from_parts(
    words: &[&str],
    taken: &mut [bool],
    mentions: &[calendar::Mention],
    today: NaiveDate,
) -> Option<(NaiveDate, Option<usize>)> {
    if let Some(m) = mentions.iter().find(|m| m.year.is_none())
        && let Some((year, at, used)) = birth::lone_year(words, taken)
        && let Some(date) = year.in_past(today, m.month, m.day).filter(|d| *d <= today)
    {
        for t in taken.iter_mut().skip(at).take(used) {
            *t = true;
        }
        return Some((date, Some(m.at)));
    }
    let (date, at, used) = birth::spoken_numbers(words, taken, today)?;
    for t in taken.iter_mut().skip(at).take(used) {
        *t = true;
    }
    Some((date, None))
}
