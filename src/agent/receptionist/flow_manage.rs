//! The caller's own appointments: which one to move or cancel, cancelling it after a yes, and
//! saying when they are.

use crate::agent::tools::contract::{AppointmentInfo, CancelAppointment, ToolCall, ToolResult};
use crate::agent::tools::{ToolError, ToolOutput, with_article};
use crate::agent::understand::{Choice, Heard};

use super::flow_book;
use super::state::{Dialogue, Facts, Phase, Task};
use super::step::Out;
use super::wording::{self, list};

pub fn advance(d: &mut Dialogue, facts: &Facts, out: &mut Out) {
    let task = d.request.task;
    if task == Some(Task::Check) || d.request.target.is_none() {
        out.call(ToolCall::ListAppointments);
        return;
    }
    match task {
        Some(Task::Reschedule) => {
            if let Some(target) = &d.request.target {
                d.request.service = Some(target.appointment_type.clone());
            }
            flow_book::advance(d, facts, out);
        }
        Some(Task::Cancel) => match cancel_proposal(d) {
            Some(request) => {
                d.phase = Phase::Confirming {
                    token: String::new(),
                    offer: None,
                };
                out.call(request);
            }
            None => d.advance(facts, out),
        },
        _ => d.advance(facts, out),
    }
}

pub fn cancel_proposal(d: &Dialogue) -> Option<ToolCall> {
    let target = d.request.target.as_ref()?;
    Some(ToolCall::CancelAppointment(CancelAppointment {
        appointment_id: target.id.clone(),
        reason: None,
    }))
}

/// The caller's upcoming appointments arrived.
pub fn listed(
    d: &mut Dialogue,
    result: Result<ToolOutput, ToolError>,
    facts: &Facts,
    out: &mut Out,
) {
    let Ok(ToolResult::Appointments(listed)) = result.map(|o| o.result) else {
        out.say("I'm sorry, I can't reach the schedule right now.");
        super::flow_handoff::offer_help(d, facts, out);
        return;
    };
    let candidates = listed.appointments;
    if d.request.task == Some(Task::Check) {
        if candidates.is_empty() {
            out.say("I don't see any upcoming appointments for you.");
        } else {
            let items: Vec<String> = candidates
                .iter()
                .map(|a| {
                    format!(
                        "{} with {} on {}",
                        with_article(&a.appointment_type),
                        a.provider,
                        a.spoken
                    )
                })
                .collect();
            out.say(format!("You have {}.", list(&items, "and")));
        }
        d.request = Default::default();
        wording::anything_else(facts, out);
        d.phase = Phase::AnythingElse;
        return;
    }
    // A day said with the request ("cancel my appointment on the 14th") picks it.
    let said_day = d
        .request
        .when
        .days
        .iter()
        .find_map(|day| only(candidates.iter().filter(|c| c.date == *day)));
    let target = said_day.or_else(|| only(candidates.iter()));
    if let Some(target) = target {
        if said_day.is_some() && d.request.task == Some(Task::Reschedule) {
            let old = target.date;
            if candidates.len() == 1 && d.request.when.days == [old] && d.request.said_next {
                // "Move it to next Tuesday" when it already is on the coming Tuesday: a week on.
                d.request.when.days = vec![old + chrono::Duration::days(7)];
            } else {
                // That day was the old one; any other day said is the new one.
                d.request.when.days.retain(|day| *day != old);
                if d.request.when.days.is_empty() {
                    d.request.when = Default::default();
                }
            }
        }
        d.request.target = Some(target.clone());
        advance(d, facts, out);
        return;
    }
    if candidates.is_empty() {
        out.say("I don't see any upcoming appointments for you.");
        out.say("Would you like to book one?");
        d.request = Default::default();
        d.phase = Phase::OfferedBooking;
        return;
    }
    let verb = if d.request.task == Some(Task::Cancel) {
        "cancel"
    } else {
        "move"
    };
    let items: Vec<String> = candidates
        .iter()
        .map(|c| format!("your {} on {}", c.appointment_type.to_lowercase(), c.spoken))
        .collect();
    out.say(format!("I see {}.", list(&items, "and")));
    out.say(format!("Which one would you like to {verb}?"));
    d.phase = Phase::WhichAppointment { candidates };
}

fn only<'a>(mut items: impl Iterator<Item = &'a AppointmentInfo>) -> Option<&'a AppointmentInfo> {
    let first = items.next()?;
    items.next().is_none().then_some(first)
}

/// The caller's answer to "which one?". True when the turn is decided.
pub fn answer_which(
    d: &mut Dialogue,
    candidates: Vec<AppointmentInfo>,
    heard: &Heard,
    facts: &Facts,
    out: &mut Out,
) -> bool {
    let picked = match heard.choice {
        Some(Choice::Nth(n)) => n.checked_sub(1).and_then(|i| candidates.get(i)),
        Some(Choice::Last) => candidates.last(),
        Some(Choice::Any) => only(candidates.iter()),
        None => heard
            .days
            .iter()
            .find_map(|day| only(candidates.iter().filter(|c| c.date == *day)))
            .or_else(|| {
                // "the cleaning"
                only(candidates.iter().filter(|c| {
                    heard
                        .text
                        .contains(&format!(" {} ", c.appointment_type.to_lowercase()))
                }))
            }),
    };
    match picked {
        Some(target) => {
            d.request.target = Some(target.clone());
            d.request.when = Default::default();
            advance(d, facts, out);
            true
        }
        None => {
            d.phase = Phase::WhichAppointment { candidates };
            if heard.questions.is_empty() && heard.intent.is_none() {
                out.say("Sorry, which one do you mean? You can say the day.");
                return true;
            }
            false
        }
    }
}
