//! Booking and moving: the service, the day, two or three offers, the caller's pick, the
//! read-back, and the caller's yes. The proposal and its confirmation go through the tools'
//! confirmation rule, like the LLM agent's.
//!
//! One file, longer than most: the booking dialogue is one sequence of phases, best read top to
//! bottom.

use chrono::{Datelike, Duration, Timelike};

use crate::agent::tools::contract::{
    ActionKind, AppointmentInfo, BookAppointment, ConfirmAction, FindSlots, NotConfirmed, Refusal,
    RescheduleAppointment, SlotInfo, Slots, TimeOfDay, ToolCall, ToolResult,
};
use crate::agent::tools::{ToolError, ToolOutput, spoken_date, spoken_time, with_article};
use crate::agent::understand::{Choice, Consent, DayPart, Heard, Intent, Service, resolve_service};

use super::state::{Dialogue, Facts, Phase, Search, Task, When};
use super::step::Out;
use super::wording::{self, list};

/// Service, provider and day from what the caller said.
pub fn absorb(d: &mut Dialogue, heard: &Heard, facts: &Facts) {
    let request = &mut d.request;
    if !heard.services.is_empty() && request.task != Some(Task::Reschedule) {
        let names: Vec<&str> = facts
            .office
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        match resolve_service(&heard.services, &names, d.identity.new_patient) {
            Some(i) => {
                request.service = Some(names[i].to_owned());
                request.services_heard = heard.services.clone();
                request.unmatched_service = false;
            }
            None => request.unmatched_service = request.service.is_none(),
        }
        if heard.services.contains(&Service::Emergency) && !request.when.is_known() {
            request.when.soonest = true;
        }
    }
    if let Some(provider) = heard.provider.and_then(|i| facts.office.providers.get(i)) {
        if request.provider.as_deref() != Some(provider.name.as_str()) {
            request.offered.clear();
        }
        request.provider = Some(provider.name.clone());
    }
    let when = &mut request.when;
    // "What time do you close on Fridays?" names a day to ask about, not to come in.
    // "What's open tomorrow?" asks for a time, though it sounds like the hours.
    let asks_hours = heard.asks(crate::agent::understand::Question::Hours) && !heard.soonest;
    if !asks_hours && (!heard.days.is_empty() || heard.week_of.is_some() || heard.soonest) {
        request.said_next = heard.has("next");
        let when = &mut request.when;
        *when = When {
            days: heard.days.clone(),
            week_of: heard.week_of,
            part: heard.part,
            time: heard.time,
            soonest: heard.soonest && heard.days.is_empty() && heard.week_of.is_none(),
            // Days ruled out stay ruled out.
            not_weekdays: std::mem::take(&mut when.not_weekdays),
            ..When::default()
        };
        // "Move it to next Tuesday" when it already is on the coming Tuesday: a week on.
        if let Some(old) = request.target.as_ref().map(|t| t.date)
            && request.task == Some(Task::Reschedule)
            && request.said_next
            && when.days == [old]
        {
            when.days = vec![old + Duration::days(7)];
        }
        request.offered.clear();
    } else if !asks_hours && (heard.part.is_some() || heard.time.is_some()) {
        if heard.part.is_some() {
            when.part = heard.part;
            when.time = heard.time;
        }
        if heard.time.is_some() {
            when.time = heard.time;
        }
        request.offered.clear();
    }
    // "Push it back a week", "same time next week": a week after the appointment moved.
    if heard.days.is_empty()
        && heard.has_any(&[
            "back a week",
            "a week later",
            "one week later",
            "by a week",
            "push it a week",
            "move it a week",
            "same time next week",
            "same day next week",
            "the following week",
        ])
    {
        request.week_later = true;
        request.when.week_of = None;
    }
    // "Something later in the day": the afternoon, not an hour on.
    if heard.has_any(&["later in the day", "later that day", "later on in the day"]) {
        request.when.part = Some(DayPart::Afternoon);
        request.when.time = None;
    }
    // "The last appointment of the day": the latest times.
    if heard.has_any(&[
        "last appointment",
        "last thing",
        "last one of the day",
        "latest you have",
        "latest you've got",
        "end of the day",
        "as late as",
    ]) {
        request.when.latest = true;
    }
    // "After school": from three.
    if heard.has_any(&["after school", "once school is out"]) {
        request.when.after = chrono::NaiveTime::from_hms_opt(15, 0, 0);
        request.when.part = None;
    }
    // "Anything but Monday", "I can't do Mondays": those weekdays are out, whatever else.
    let when = &mut request.when;
    for day in &heard.not_days {
        when.days.retain(|d| d != day);
        if !when.not_weekdays.contains(&day.weekday()) {
            when.not_weekdays.push(day.weekday());
        }
    }
    // "After 2", "before ten": a bound, not a time to book.
    let routine = heard.has_any(&["before work", "after work", "before school", "after lunch"]);
    if let Some(time) = heard.time.filter(|_| when.time == heard.time && !routine) {
        // "From 2 on", but not "a week from Tuesday".
        let from = heard.has("from")
            && !heard.has_any(&[
                "week from",
                "weeks from",
                "day from",
                "days from",
                "month from",
                "from now",
                "from today",
                "from tomorrow",
            ]);
        if (heard.has_any(&["after", "later than"]) || from) && !heard.has("at") {
            when.after = Some(time);
            when.time = None;
        } else if heard.has_any(&["before", "earlier than", "by"]) && !heard.has("at") {
            when.before = Some(time);
            when.time = None;
        }
    }
}

pub fn advance(d: &mut Dialogue, facts: &Facts, out: &mut Out) {
    match &d.phase {
        Phase::Choosing { offers } => {
            out.say(format!(
                "I have {}. Which works best?",
                wording::offer_list(offers)
            ));
            return;
        }
        Phase::Confirming { .. } => {
            if let Some(request) = repropose(d) {
                out.call(request);
                return;
            }
        }
        _ => {}
    }
    let rescheduling = d.request.task == Some(Task::Reschedule);
    if rescheduling
        && std::mem::take(&mut d.request.week_later)
        && let Some(old) = d.request.target.as_ref().map(|t| t.date)
    {
        d.request.when.days = vec![old + Duration::days(7)];
        d.request.offered.clear();
    }
    // "A checkup" is a new-patient exam once the caller turns out to be new.
    if !rescheduling && !d.request.services_heard.is_empty() {
        let names: Vec<&str> = facts
            .office
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        if let Some(i) = resolve_service(&d.request.services_heard, &names, d.identity.new_patient)
        {
            let first_visit = resolve_service(&[Service::NewPatientExam], &names, Some(true));
            let asked_for_it = d.request.services_heard.contains(&Service::NewPatientExam);
            if first_visit == Some(i)
                && !asked_for_it
                && d.request.service.as_deref() != Some(names[i])
            {
                out.say(format!(
                    "For a first visit, we start with {}.",
                    with_article(names[i])
                ));
            }
            d.request.service = Some(names[i].to_owned());
        }
    }
    if d.request.service.is_none() && d.identity.new_patient == Some(true) {
        // A new patient who did not say what for: the clinic's first visit for new patients.
        let names: Vec<&str> = facts
            .office
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        if let Some(i) = resolve_service(&[Service::NewPatientExam], &names, Some(true)) {
            out.say(format!(
                "For a first visit, we start with {}.",
                with_article(names[i])
            ));
            d.request.service = Some(names[i].to_owned());
        }
    }
    if d.request.service.is_none() && d.request.asked_service >= 2 {
        out.say("I'm sorry, I'm not sure which visit you need.");
        d.request.asked_service = 0;
        super::flow_handoff::offer_help(d, facts, out);
        return;
    }
    if d.request.service.is_none() {
        d.request.asked_service += 1;
        let names = wording::service_names(facts);
        if std::mem::take(&mut d.request.unmatched_service) {
            out.say(format!(
                "I'm sorry, I don't think we offer that here. We offer {}.",
                list(&names, "and")
            ));
            out.say("Would one of those work for you?");
        } else {
            out.say(format!(
                "What would you like to come in for? We offer {}.",
                list(&names, "and")
            ));
        }
        d.phase = Phase::AskedService;
        return;
    }
    if !d.request.when.is_known() && !d.request.asked_day {
        d.request.asked_day = true;
        match (&d.request.target, rescheduling) {
            (Some(target), true) => {
                out.say(format!(
                    "Your {} is on {}.",
                    target.appointment_type.to_lowercase(),
                    target.spoken
                ));
                out.say("What day would you like to move it to?");
            }
            _ => out.say("What day works best for you?"),
        }
        d.phase = Phase::AskedDay;
        return;
    }
    search(d, Search::Offer, facts, out);
}

/// Asks for open times matching what the caller wants.
pub fn search(d: &mut Dialogue, kind: Search, facts: &Facts, out: &mut Out) {
    let Some(service) = d.request.service.clone() else {
        advance(d, facts, out);
        return;
    };
    let request = &mut d.request;
    request.search = kind;
    let when = &request.when;
    let today = facts.today;
    let (from, to) = match kind {
        Search::Offer => match (when.days.first(), when.days.last(), when.week_of) {
            (Some(first), Some(last), _) => (*first.min(last), *first.max(last)),
            (_, _, Some(monday)) => (monday, monday + Duration::days(6)),
            _ => (today, today + Duration::days(13)),
        },
        Search::After => {
            let last = when.days.last().copied().unwrap_or(today);
            (last + Duration::days(1), last + Duration::days(14))
        }
        Search::Earlier => (today, request.offered.first().map_or(today, |o| o.date)),
        Search::Later => {
            let last = request.offered.last().map_or(today, |o| o.date);
            (last, last + Duration::days(13))
        }
    };
    let narrow = when.time.is_some()
        || when.latest
        || !when.not_weekdays.is_empty()
        || when.after.is_some()
        || when.before.is_some()
        || when.days.len() > 1
        || kind != Search::Offer;
    let part = match (kind, when.part) {
        (Search::Earlier | Search::Later, _) | (_, None) => TimeOfDay::Any,
        (_, Some(DayPart::Morning)) => TimeOfDay::Morning,
        (_, Some(DayPart::Afternoon)) => TimeOfDay::Afternoon,
        (_, Some(DayPart::Evening)) => TimeOfDay::Evening,
    };
    out.call(ToolCall::FindSlots(FindSlots {
        appointment_type: service,
        from: from.max(today),
        to: Some(to.max(from).max(today)),
        provider: request.provider.clone(),
        time_of_day: part,
        around: when
            .time
            .filter(|_| kind == Search::Offer)
            .map(|t| t.format("%H:%M").to_string()),
        limit: Some(if narrow { 10 } else { 3 }),
    }));
}

/// What a slot search found.
pub fn slots_found(
    d: &mut Dialogue,
    result: Result<ToolOutput, ToolError>,
    facts: &Facts,
    out: &mut Out,
) {
    let found = match result.map(|o| o.result) {
        Ok(ToolResult::Slots(found)) => found,
        Err(ToolError::Refused(Refusal::UnknownService { services })) => {
            d.request.service = None;
            out.say(format!(
                "I'm sorry, I'm not sure which service you mean. We offer {}.",
                list(&lowercase(&services), "and")
            ));
            out.say("Which would you like?");
            d.phase = Phase::AskedService;
            return;
        }
        Err(ToolError::Refused(Refusal::UnknownProvider { providers })) => {
            d.request.provider = None;
            out.say(format!(
                "I'm sorry, I couldn't find that provider. Our providers are {}.",
                list(&providers, "and")
            ));
            search(d, Search::Offer, facts, out);
            return;
        }
        _ => {
            out.say("I'm sorry, I can't reach the schedule right now.");
            super::flow_handoff::offer_help(d, facts, out);
            return;
        }
    };
    let label = found.appointment_type.to_lowercase();
    let offers = candidates(d, &found);
    let kind = d.request.search;
    let when = d.request.when.clone();
    // A named time: take it if it is open, else the closest ones.
    let mut offers = offers;
    if when.latest
        && kind == Search::Offer
        && let Some(first_day) = offers.first().map(|o| o.date)
    {
        // The end of the first day with openings.
        offers.retain(|o| o.date == first_day);
        let keep_from = offers.len().saturating_sub(3);
        offers.drain(..keep_from);
    }
    if let Some(time) = when.time.filter(|_| kind == Search::Offer) {
        if let Some(exact) = offers.iter().find(|o| o.time == time).cloned() {
            propose(d, exact, out);
            return;
        }
        offers.sort_by_key(|o| (o.time - time).num_minutes().abs());
        offers.truncate(3);
        offers.sort_by_key(|o| (o.date, o.time));
        if !offers.is_empty() {
            out.say(format!("{} isn't available.", spoken_time(time)));
        }
    }
    offers.truncate(3);
    if offers.is_empty() {
        match kind {
            Search::Offer if !when.days.is_empty() || when.week_of.is_some() => {
                let day = match (when.days.first(), when.week_of) {
                    (Some(day), _) => spoken_date(*day),
                    (None, Some(monday)) => format!("the week of {}", spoken_date(monday)),
                    _ => String::new(),
                };
                let part = when
                    .part
                    .map(|p| format!(" in the {}", p.as_str()))
                    .unwrap_or_default();
                out.say(format!(
                    "I'm sorry, there's nothing open for {} on {day}{part}.",
                    with_article(&label)
                ));
                if when.week_of.is_some() && when.days.is_empty() {
                    d.request.when.days =
                        vec![when.week_of.unwrap_or(facts.today) + Duration::days(6)];
                }
                search(d, Search::After, facts, out);
            }
            Search::Earlier | Search::Later => {
                out.say(if kind == Search::Earlier {
                    "I'm sorry, that's the earliest I have."
                } else {
                    "I'm sorry, I don't have anything later than that."
                });
                let previous = d.request.offered.clone();
                out.say(format!(
                    "I have {}. Would one of those work?",
                    wording::offer_list(&previous)
                ));
                d.phase = Phase::Choosing { offers: previous };
            }
            _ => {
                out.say(format!(
                    "I'm sorry, I don't have any openings for {} in the next two weeks.",
                    with_article(&label)
                ));
                out.say("The front desk may be able to fit you in or put you on the waiting list.");
                d.request = Default::default();
                super::flow_handoff::offer_help(d, facts, out);
            }
        }
        return;
    }
    match kind {
        Search::After => out.say("The next openings are:"),
        Search::Earlier => out.say("Sure, earlier,"),
        Search::Later => out.say("Sure, later,"),
        Search::Offer => {}
    }
    out.say(format!(
        "I have {}. Which works best for you?",
        wording::offer_list(&offers)
    ));
    d.request.offered = offers.clone();
    d.phase = Phase::Choosing { offers };
}

/// The slots worth offering: on the days asked, around the offers already made, not the
/// appointment being moved.
fn candidates(d: &Dialogue, found: &Slots) -> Vec<SlotInfo> {
    let when = &d.request.when;
    let first = d.request.offered.first().map(|o| o.start.clone());
    let last = d.request.offered.last().map(|o| o.start.clone());
    found
        .slots
        .iter()
        .filter(|s| {
            when.days.len() < 2 || d.request.search != Search::Offer || when.days.contains(&s.date)
        })
        .filter(|s| match d.request.search {
            Search::Earlier => first.as_ref().is_none_or(|f| s.start < *f),
            Search::Later => last.as_ref().is_none_or(|l| s.start > *l),
            _ => true,
        })
        .filter(|s| {
            d.request
                .target
                .as_ref()
                .is_none_or(|t| t.spoken != s.spoken)
        })
        .filter(|s| !when.not_weekdays.contains(&s.date.weekday()))
        .filter(|s| !d.request.rejected.iter().any(|r| r.start == s.start))
        .filter(|s| when.after.is_none_or(|t| s.time >= t))
        .filter(|s| when.before.is_none_or(|t| s.time < t))
        .cloned()
        .collect()
}

fn lowercase(names: &[String]) -> Vec<String> {
    names.iter().map(|n| n.to_lowercase()).collect()
}

/// The offers on the day the caller named: that date, else that weekday ("Tuesday" for
/// the Tuesday offered, even a week on), else that day of the month ("the 13th").
fn on_day_said<'a>(offers: &'a [SlotInfo], heard: &Heard) -> Vec<&'a SlotInfo> {
    let Some(day) = heard.days.first() else {
        return offers.iter().collect();
    };
    let rules: [&dyn Fn(&SlotInfo) -> bool; 3] = [
        &|o| o.date == *day,
        &|o| o.date.weekday() == day.weekday(),
        &|o| o.date.day() == day.day(),
    ];
    rules
        .iter()
        .map(|rule| offers.iter().filter(|o| rule(o)).collect::<Vec<_>>())
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

/// The offer the caller's words pick, if any.
fn pick(offers: &[SlotInfo], heard: &Heard) -> Option<SlotInfo> {
    if let Some(choice) = heard.choice {
        let index = match choice {
            Choice::Nth(n) => n.checked_sub(1)?,
            Choice::Last => offers.len().checked_sub(1)?,
            // "Either one is fine": the first.
            Choice::Any => 0,
        };
        return offers.get(index).cloned();
    }
    let on_day = on_day_said(offers, heard);
    let only = |found: Vec<&SlotInfo>| match found.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    };
    if let Some(time) = heard.time {
        let exact: Vec<&SlotInfo> = on_day.iter().copied().filter(|o| o.time == time).collect();
        if !exact.is_empty() {
            return only(exact);
        }
        // "One works" for 1 PM: the clock hour, whichever half of the day was heard.
        let same_clock = |o: &&SlotInfo| {
            o.time.hour12().1 == time.hour12().1 && o.time.minute() == time.minute()
        };
        return only(on_day.iter().copied().filter(same_clock).collect());
    }
    if let Some(part) = heard.part {
        let in_part = on_day
            .iter()
            .copied()
            .filter(|o| {
                let hour = o.time.hour();
                match part {
                    DayPart::Morning => hour < 12,
                    DayPart::Afternoon => (12..17).contains(&hour),
                    DayPart::Evening => hour >= 17,
                }
            })
            .collect();
        return only(in_part);
    }
    if !heard.days.is_empty() {
        return only(on_day);
    }
    if heard.consent == Some(Consent::Yes) && offers.len() == 1 {
        return offers.first().cloned();
    }
    None
}

/// The caller's answer to the offers. True when the turn is decided.
pub fn answer_choice(
    d: &mut Dialogue,
    offers: Vec<SlotInfo>,
    heard: &Heard,
    facts: &Facts,
    out: &mut Out,
) -> bool {
    // "The earlier one", "the later one" pick; they do not ask for other times.
    if heard.choice.is_some()
        && heard.consent != Some(Consent::No)
        && !heard.has_any(&["anything", "something", "any time", "anytime"])
        && let Some(offer) = pick(&offers, heard)
    {
        propose(d, offer, out);
        return true;
    }
    // "What about the following week?": the week after the one offered.
    if heard.days.is_empty()
        && heard.week_of.is_none()
        && heard.has_any(&[
            "following week",
            "the week after",
            "week after that",
            "a week later",
            "the next week",
        ])
        && let Some(first) = offers.first()
    {
        let monday =
            first.date - Duration::days(first.date.weekday().num_days_from_monday() as i64);
        d.request.rejected.extend(offers.iter().cloned());
        d.request.when = When {
            week_of: Some(monday + Duration::days(7)),
            not_weekdays: std::mem::take(&mut d.request.when.not_weekdays),
            ..When::default()
        };
        d.request.offered.clear();
        search(d, Search::Offer, facts, out);
        return true;
    }
    // "None of those work, what else do you have?": the next ones.
    let something_else = heard.has_any(&[
        "anything else",
        "what else",
        "something else",
        "other times",
        "other options",
        "any other",
        "else do you have",
        "else you have",
        "else available",
    ]);
    if heard.earlier || heard.later || something_else && heard.intent.is_none() {
        if something_else {
            d.request.rejected.extend(offers.iter().cloned());
        }
        d.request.offered = offers;
        search(
            d,
            if heard.earlier {
                Search::Earlier
            } else {
                Search::Later
            },
            facts,
            out,
        );
        return true;
    }
    let other_provider = heard
        .provider
        .and_then(|i| facts.office.providers.get(i))
        .is_some_and(|p| offers.iter().any(|o| o.provider != p.name));
    if !other_provider && let Some(offer) = pick(&offers, heard) {
        propose(d, offer, out);
        return true;
    }
    let new_wish = !heard.days.is_empty()
        || !heard.not_days.is_empty()
        || heard.week_of.is_some()
        || heard.time.is_some()
        || heard.part.is_some()
        || heard.soonest
        || other_provider
        || heard
            .intent
            .is_some_and(|i| i != crate::agent::understand::Intent::Book);
    if new_wish {
        // A new day, time or dentist: search again (absorbed by the caller of this).
        d.phase = Phase::Open;
        return false;
    }
    if heard.consent == Some(Consent::No) && heard.questions.is_empty() {
        out.say("No problem.");
        out.say("What day and time would work better for you?");
        d.request.rejected.extend(offers.iter().cloned());
        d.request.when = When::default();
        d.request.asked_day = true;
        d.phase = Phase::AskedDay;
        return true;
    }
    if heard.questions.is_empty() && heard.intent.is_none() {
        // Not understood which: name them one by one.
        let numbered: Vec<String> = offers
            .iter()
            .zip(["the first", "the second", "the third"])
            .map(|(o, nth)| format!("{nth}, {}", o.spoken))
            .collect();
        out.say(format!(
            "Sorry, which one would you like: {}?",
            list(&numbered, "or")
        ));
        d.phase = Phase::Choosing { offers };
        return true;
    }
    d.phase = Phase::Choosing { offers };
    false
}

/// Asks the tools to hold `offer` for the caller's yes; the read-back comes back to be said.
pub fn propose(d: &mut Dialogue, offer: SlotInfo, out: &mut Out) {
    let request = proposal_for(d, &offer);
    d.phase = Phase::Confirming {
        token: String::new(),
        offer: Some(offer),
    };
    match request {
        Some(request) => out.call(request),
        None => d.phase = Phase::Open,
    }
}

fn proposal_for(d: &Dialogue, offer: &SlotInfo) -> Option<ToolCall> {
    match (d.request.task, &d.request.target) {
        (Some(Task::Reschedule), Some(target)) => {
            Some(ToolCall::RescheduleAppointment(RescheduleAppointment {
                appointment_id: target.id.clone(),
                start: offer.start.clone(),
                provider_id: Some(offer.provider_id.clone()),
            }))
        }
        _ => Some(ToolCall::BookAppointment(BookAppointment {
            appointment_type: d.request.service.clone()?,
            provider_id: offer.provider_id.clone(),
            start: offer.start.clone(),
            note: None,
        })),
    }
}

/// The proposal again, so the read-back is heard again before a yes counts.
pub fn repropose(d: &Dialogue) -> Option<ToolCall> {
    match &d.phase {
        Phase::Confirming {
            offer: Some(offer), ..
        } => proposal_for(d, offer),
        Phase::Confirming { offer: None, .. } => super::flow_manage::cancel_proposal(d),
        _ => None,
    }
}

/// "The second", "the other one", "the last one" at the read-back: that offer instead.
fn another_offer(offered: &[SlotInfo], current: &SlotInfo, heard: &Heard) -> Option<SlotInfo> {
    if offered.len() < 2
        || heard.has_any(&[
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ])
    {
        return None;
    }
    let index = if heard.has_any(&["the first", "first one"]) {
        0
    } else if heard.has_any(&["the second", "second one"]) {
        1
    } else if heard.has_any(&["the third", "third one"]) {
        2
    } else if heard.has_any(&["the last one", "the last"]) {
        offered.len() - 1
    } else if heard.has_any(&["the other one", "other one"]) && offered.len() == 2 {
        usize::from(offered[0] == *current)
    } else {
        return None;
    };
    offered.get(index).filter(|o| *o != current).cloned()
}

/// The caller's answer to the read-back. True when the turn is decided.
pub fn answer_confirm(
    d: &mut Dialogue,
    token: String,
    offer: Option<SlotInfo>,
    heard: &Heard,
    facts: &Facts,
    out: &mut Out,
) -> bool {
    // "No wait, don't cancel it, can we move it to Friday instead?"
    if offer.is_none() && heard.intent == Some(Intent::Reschedule) && d.request.target.is_some() {
        d.request.task = Some(Task::Reschedule);
        d.phase = Phase::Open;
        return false;
    }
    // "No, not that one, the second": another of the times offered.
    if let Some(other) = offer
        .as_ref()
        .and_then(|o| another_offer(&d.request.offered, o, heard))
    {
        propose(d, other, out);
        return true;
    }
    // The same reading of the answer as the tools' confirmation rule.
    let kind = match (&offer, d.request.task) {
        (None, _) => ActionKind::Cancel,
        (Some(_), Some(Task::Reschedule)) => ActionKind::Reschedule,
        (Some(_), _) => ActionKind::Book,
    };
    let consent = crate::agent::tools::consent_to(kind, &heard.text);
    let other_task = heard.intent.is_some_and(|i| {
        !matches!(
            (i, kind),
            (Intent::Book, ActionKind::Book)
                | (Intent::Reschedule, ActionKind::Reschedule)
                | (Intent::Cancel, ActionKind::Cancel)
        )
    });
    // Details that repeat the read-back ("yes, Friday at nine is great") are no change.
    let other_day =
        !heard.days.is_empty() && offer.as_ref().is_none_or(|o| !heard.days.contains(&o.date));
    let other_time = heard
        .time
        .is_some_and(|t| offer.as_ref().is_none_or(|o| o.time != t));
    let other_provider = heard
        .provider
        .and_then(|i| facts.office.providers.get(i))
        .is_some_and(|p| offer.as_ref().is_none_or(|o| o.provider != p.name));
    let other_part = heard.part.is_some_and(|part| {
        offer.as_ref().is_none_or(|o| {
            let hour = o.time.hour();
            !match part {
                DayPart::Morning => hour < 12,
                DayPart::Afternoon => (12..17).contains(&hour),
                DayPart::Evening => hour >= 17,
            }
        })
    });
    let changes = other_day
        || other_part
        || !heard.not_days.is_empty()
        || heard.week_of.is_some()
        || other_time
        || other_provider
        || heard.earlier
        || heard.later
        || other_task;
    if changes && let Some(offered) = &offer {
        // "No, with Dr. Chen", "Actually, make it Friday", "three is better": a new search,
        // on the day read back unless another was named.
        if heard.days.is_empty() && heard.week_of.is_none() {
            d.request.when.days = vec![offered.date];
            d.request.when.soonest = false;
        }
        if heard.earlier || heard.later {
            d.request.offered = offer.into_iter().collect();
            search(
                d,
                if heard.earlier {
                    Search::Earlier
                } else {
                    Search::Later
                },
                facts,
                out,
            );
            return true;
        }
        d.phase = Phase::Open;
        return false;
    }
    match consent {
        Some(Consent::Yes) if !changes => {
            d.phase = Phase::Confirming {
                token: token.clone(),
                offer,
            };
            out.call(ToolCall::ConfirmAction(ConfirmAction { token }));
            true
        }
        Some(Consent::No)
            if heard.wants_message
                || heard.goodbye
                || heard.has_any(&["call back", "i'll call", "check with", "get back to you"]) =>
        {
            // "No thanks, I'll call back."
            out.say("No problem, I haven't booked anything.");
            d.request = Default::default();
            wording::anything_else(facts, out);
            d.phase = Phase::AnythingElse;
            true
        }
        Some(Consent::No) => {
            if offer.is_none() {
                out.say("Okay, I'll leave it as it is.");
                d.request = Default::default();
                wording::anything_else(facts, out);
                d.phase = Phase::AnythingElse;
            } else {
                out.say("No problem.");
                out.say("What day and time would work better for you?");
                d.request.when = When::default();
                d.request.asked_day = true;
                d.phase = Phase::AskedDay;
            }
            true
        }
        Some(Consent::Hold) => {
            out.say("Of course, take your time. Just let me know when you're ready.");
            d.phase = Phase::Confirming { token, offer };
            true
        }
        _ => {
            d.phase = Phase::Confirming { token, offer };
            if heard.questions.is_empty() && !changes {
                out.say("Sorry, I just need a yes or a no.");
                if let Some(request) = repropose(d) {
                    out.call(request);
                }
                return true;
            }
            false
        }
    }
}

/// A proposal or a confirmation answered.
pub fn proposal_answered(
    d: &mut Dialogue,
    request: ToolCall,
    result: Result<ToolOutput, ToolError>,
    facts: &Facts,
    out: &mut Out,
) {
    let offer = match &d.phase {
        Phase::Confirming { offer, .. } => offer.clone(),
        _ => None,
    };
    match result.map(|o| o.result) {
        Ok(ToolResult::Proposed(proposed)) => {
            out.say(proposed.readback);
            d.phase = Phase::Confirming {
                token: proposed.token,
                offer,
            };
        }
        Ok(ToolResult::Done(done)) => {
            let label = done.appointment_type.to_lowercase();
            match done.action {
                ActionKind::Book => out.say(format!(
                    "You're all set for {} with {} on {}.",
                    with_article(&label),
                    done.provider,
                    done.spoken
                )),
                ActionKind::Reschedule => out.say(format!(
                    "Done. Your {label} is now on {} with {}.",
                    done.spoken, done.provider
                )),
                ActionKind::Cancel => {
                    out.say(format!("Your {label} on {} is cancelled.", done.spoken));
                    if let Some(policy) = &done.cancellation_policy {
                        out.say(policy.clone());
                    }
                }
            }
            d.last_done = (done.action != ActionKind::Cancel).then(|| AppointmentInfo {
                id: done.appointment_id.clone(),
                appointment_type: done.appointment_type.clone(),
                provider: done.provider.clone(),
                start: done.start.clone(),
                date: offer.as_ref().map_or(facts.today, |o| o.date),
                spoken: done.spoken.clone(),
            });
            d.request = Default::default();
            wording::anything_else(facts, out);
            d.phase = Phase::AnythingElse;
        }
        Err(ToolError::Refused(Refusal::SlotTaken)) => {
            out.say("I'm sorry, that time was just taken.");
            if let Some(offer) = offer {
                d.request.when = When {
                    days: vec![offer.date],
                    ..When::default()
                };
            }
            d.phase = Phase::Open;
            search(d, Search::Offer, facts, out);
        }
        Err(ToolError::Refused(Refusal::NotConfirmed { reason })) => {
            if reason == NotConfirmed::CallerDeclined {
                out.say("No problem, I haven't changed anything.");
                d.phase = Phase::Open;
                d.advance(facts, out);
                return;
            }
            // The read-back was cut off or not heard: say it again.
            match repropose(d) {
                Some(again)
                    if !matches!(request, ToolCall::ConfirmAction(_))
                        || offer.is_some()
                        || d.request.target.is_some() =>
                {
                    out.call(again)
                }
                _ => {
                    d.phase = Phase::Open;
                    d.advance(facts, out);
                }
            }
        }
        Err(ToolError::Refused(Refusal::NoSuchAppointment)) => {
            out.say("I'm sorry, I can't find that appointment anymore.");
            d.request = Default::default();
            wording::anything_else(facts, out);
            d.phase = Phase::AnythingElse;
        }
        Err(ToolError::Refused(refusal)) => {
            tracing::info!(reason = %refusal, "a proposal was refused");
            out.say("I'm sorry, I can't book that time.");
            d.phase = Phase::Open;
            search(d, Search::Offer, facts, out);
        }
        _ => {
            out.say("I'm sorry, I couldn't complete that right now.");
            super::flow_handoff::offer_help(d, facts, out);
        }
    }
}
