//! Who the patient is: the caller's own number on file, else name and birth date (or a spoken
//! number and birth date); a new patient is registered once the caller says they are new.

use crate::agent::tools::contract::{
    CreatePatient, FindPatient, PatientMatch, Registered, ToolCall, ToolResult,
};
use crate::agent::tools::{ToolError, ToolOutput};
use crate::agent::understand::{Consent, Heard};

use super::state::{Dialogue, Facts, Identity, Phase, Task};
use super::step::Out;

/// Takes in names, birth date and phone while the patient is not yet known.
pub fn absorb(d: &mut Dialogue, heard: &Heard) {
    let id = &mut d.identity;
    if heard.new_patient.is_some() {
        id.new_patient = heard.new_patient;
    }
    if id.verified.is_some() {
        return;
    }
    if id.said.len() < 2000 {
        id.said.push_str(&heard.text);
    }
    if heard.patient_relation.is_some() && id.relation.is_none() {
        id.relation = heard.patient_relation;
        // The caller's own record is not the patient's.
        id.caller_checked = true;
    }
    if let Some(name) = &heard.name {
        let asked_for_name = d.phase == Phase::Identifying;
        match (&name.first, &name.last) {
            (Some(first), Some(last)) => {
                id.first = Some(first.clone());
                id.last = Some(last.clone());
            }
            // A lone name after the first name was given: the last name.
            (Some(single), None) if asked_for_name && id.first.is_some() && id.last.is_none() => {
                id.last = Some(single.clone());
            }
            (Some(first), None) => id.first = Some(first.clone()),
            (None, Some(last)) => id.last = Some(last.clone()),
            (None, None) => {}
        }
    }
    if heard.birth_date.is_some() {
        id.birth_date = heard.birth_date;
    }
    if heard.phone.is_some() {
        id.phone = heard.phone.clone();
    }
}

/// The question for what is still missing.
pub fn question(id: &Identity) -> &'static str {
    let someone_else = id.relation.is_some();
    match (
        id.first.is_some(),
        id.last.is_some(),
        id.birth_date.is_some(),
    ) {
        (false, false, false) if someone_else => {
            "Could I have the patient's first and last name, and their date of birth?"
        }
        (false, false, false) => "Could I have your first and last name, and your date of birth?",
        (true, false, false) if someone_else => "And their last name and date of birth?",
        (true, false, false) => "And your last name and date of birth?",
        (true, false, true) => "And the last name?",
        (false, true, false) => "And the first name and date of birth?",
        (false, true, true) => "And the first name?",
        (false, false, true) => "And the full name?",
        (true, true, false) if someone_else => "And their date of birth?",
        (true, true, false) => "And your date of birth?",
        (true, true, true) => "Could you give me the full name and date of birth again?",
    }
}

/// True when the patient is verified; otherwise asks the next question or calls a tool.
pub fn identify(d: &mut Dialogue, facts: &Facts, out: &mut Out) -> bool {
    let id = &mut d.identity;
    if id.verified.is_some() {
        return true;
    }
    if !id.caller_checked {
        id.caller_checked = true;
        if let Some(caller) = &facts.caller {
            out.call(ToolCall::FindPatient(FindPatient {
                phone: Some(caller.as_str().to_owned()),
                ..FindPatient::default()
            }));
            return false;
        }
    }
    if let (Some(phone), Some(birth_date), false) = (&id.phone, id.birth_date, id.has_name()) {
        out.call(ToolCall::FindPatient(FindPatient {
            phone: Some(phone.as_str().to_owned()),
            birth_date: Some(birth_date),
            ..FindPatient::default()
        }));
        return false;
    }
    if id.phone.is_some() && !id.has_name() && id.birth_date.is_none() {
        // A number said aloud: with the birth date, that is enough to find the record.
        out.say(if id.relation.is_some() {
            "And their date of birth?"
        } else {
            "And your date of birth?"
        });
        d.phase = Phase::Identifying;
        return false;
    }
    if !id.has_name() || id.birth_date.is_none() {
        let asked = question(id);
        id.repeats = if id.last_question == Some(asked) {
            id.repeats + 1
        } else {
            0
        };
        id.last_question = Some(asked);
        match id.repeats {
            0 => out.say(asked),
            // The same question again: say how it may be answered.
            1 if id.birth_date.is_none() && id.has_name() => out.say(
                "Sorry, I didn't get that. Could you say the date of birth as the month, the day and the year? For example, May third, nineteen eighty-two.",
            ),
            1 => out.say(format!("Sorry, I didn't get that. {asked}")),
            _ => {
                id.repeats = 0;
                out.say("I'm sorry, I'm having trouble getting that right.");
                super::flow_handoff::offer_help(d, facts, out);
                return false;
            }
        }
        d.phase = Phase::Identifying;
        return false;
    }
    out.call(ToolCall::FindPatient(FindPatient {
        first_name: id.first.clone(),
        last_name: id.last.clone(),
        birth_date: id.birth_date,
        phone: None,
    }));
    false
}

/// A patient search or registration answered.
pub fn answered(
    d: &mut Dialogue,
    request: &ToolCall,
    result: Result<ToolOutput, ToolError>,
    facts: &Facts,
    out: &mut Out,
) {
    let result = result.map(|o| o.result);
    match (request, result) {
        (ToolCall::FindPatient(args), Ok(ToolResult::Patient(found))) => {
            found_patient(d, args, found, facts, out)
        }
        (_, Ok(ToolResult::Registered(Registered { patient, .. }))) => {
            out.say(format!(
                "Welcome, {}! I've set {} up as a new patient.",
                patient.first_name,
                if d.identity.relation.is_some() {
                    "them"
                } else {
                    "you"
                }
            ));
            d.identity.verified = Some(patient);
            d.identity.new_patient = Some(true);
            d.advance(facts, out);
        }
        (ToolCall::CreatePatient(_), Err(err)) => {
            tracing::info!(error = %err, "could not register a patient");
            out.say("I'm sorry, I couldn't set up the record.");
            d.identity.last = None;
            d.identity.birth_date = None;
            out.say("Could you tell me the full name and date of birth again?");
            d.phase = Phase::Identifying;
        }
        _ => {
            out.say("I'm sorry, I can't reach our records right now.");
            super::flow_handoff::offer_help(d, facts, out);
        }
    }
}

fn found_patient(
    d: &mut Dialogue,
    args: &FindPatient,
    found: PatientMatch,
    facts: &Facts,
    out: &mut Out,
) {
    let by_caller_id = args.phone.is_some() && args.birth_date.is_none();
    let someone_else = |first: &str| {
        let first = first.to_lowercase();
        let said = &d.identity.said;
        d.identity
            .first
            .as_ref()
            .is_some_and(|f| f.to_lowercase() != first)
            || said.contains(&format!(" not {first} "))
            || said.contains(&format!(" {first}'s "))
    };
    if found.verified
        && let Some(patient) = found.patient
        && !(by_caller_id && someone_else(&patient.first_name))
    {
        if by_caller_id {
            out.say(format!(
                "I see you're calling from the number we have on file for {}.",
                patient.first_name
            ));
        } else {
            out.say(format!("Thank you, {}.", patient.first_name));
        }
        d.identity.verified = Some(patient);
        d.advance(facts, out);
        return;
    }
    if by_caller_id || (args.phone.is_some() && !d.identity.has_name()) {
        // Not on file by number: ask for name and birth date.
        d.identity.phone = None;
        if identify(d, facts, out) {
            d.advance(facts, out);
        }
        return;
    }
    let id = &d.identity;
    if d.request.task == Some(Task::Book) {
        if id.new_patient == Some(true) {
            register(d, out);
            return;
        }
        let who = format!(
            "{} {}",
            id.first.as_deref().unwrap_or(""),
            id.last.as_deref().unwrap_or("")
        );
        let born = id
            .birth_date
            .map(|b| b.format("%B %-d, %Y").to_string())
            .unwrap_or_default();
        out.say(format!("I don't see a record for {who}, born {born}."));
        out.say(if id.relation.is_some() {
            "Is this their first visit with us?"
        } else {
            "Are you a new patient with us?"
        });
        d.phase = Phase::AskedNewPatient;
        return;
    }
    missed(d, facts, out);
}

/// Name and birth date found nobody, for a task that needs an existing record.
fn missed(d: &mut Dialogue, facts: &Facts, out: &mut Out) {
    d.identity.misses += 1;
    d.identity.last = None;
    d.identity.birth_date = None;
    if d.identity.misses >= 2 {
        out.say(if d.identity.relation.is_some() {
            "I'm sorry, I still can't find their record."
        } else {
            "I'm sorry, I still can't find your record."
        });
        super::flow_handoff::offer_help(d, facts, out);
        return;
    }
    out.say("I couldn't find a record with that name and date of birth.");
    out.say("Could you spell the last name for me, and give the date of birth again?");
    d.phase = Phase::Identifying;
}

fn register(d: &mut Dialogue, out: &mut Out) {
    let id = &d.identity;
    match (&id.first, &id.last, id.birth_date) {
        (Some(first), Some(last), Some(birth_date)) => {
            out.call(ToolCall::CreatePatient(CreatePatient {
                first_name: first.clone(),
                last_name: last.clone(),
                birth_date,
                phone: id.phone.as_ref().map(|p| p.as_str().to_owned()),
                email: None,
            }))
        }
        _ => {
            out.say(question(id));
            d.phase = Phase::Identifying;
        }
    }
}

/// The answer to "Are you a new patient with us?".
pub fn answer_new_patient(d: &mut Dialogue, heard: &Heard, facts: &Facts, out: &mut Out) {
    let corrected = heard.name.is_some() || heard.birth_date.is_some();
    // A name spelled out is a correction, whatever else the letters sound like ("k" for okay).
    let spelled = heard.name.as_ref().is_some_and(|n| n.spelled);
    if corrected && heard.new_patient.is_none() && (heard.consent != Some(Consent::Yes) || spelled)
    {
        // A corrected name or birth date: search again.
        d.phase = Phase::Identifying;
        absorb(d, heard);
        if identify(d, facts, out) {
            d.advance(facts, out);
        }
        return;
    }
    // "No, I'm new" answers the question with its own words.
    let new = heard.new_patient.or(match heard.consent {
        Some(Consent::Yes) => Some(true),
        Some(Consent::No) => Some(false),
        _ => None,
    });
    // "I am", "I think so", "not sure, it's been years": no record was found under that
    // name and birth date, so a new one is the way on (the front desk merges duplicates).
    let unsure = heard.has_any(&[
        "not sure",
        "don't know",
        "don't remember",
        "can't remember",
        "do not remember",
        "no idea",
        "maybe",
        "might have",
        "i think so",
        "i believe so",
        "i guess",
        "probably",
        "long time ago",
        "while ago",
    ]);
    let new = match new {
        None if unsure || heard.has_any(&["i am", "i do", "it is"]) => {
            if unsure {
                out.say("No problem, I'll set you up as a new patient.");
            }
            Some(true)
        }
        other => other,
    };
    match new {
        Some(true) => {
            d.identity.new_patient = Some(true);
            register(d, out);
        }
        Some(false) => {
            d.identity.new_patient = Some(false);
            missed(d, facts, out);
        }
        None if d.identity.new_asked >= 1 => {
            // Asked twice: a person can sort it out.
            d.identity.new_asked = 0;
            out.say("I'm sorry, I'm not sure I understood.");
            super::flow_handoff::offer_help(d, facts, out);
        }
        None => {
            d.identity.new_asked += 1;
            out.say(if d.identity.relation.is_some() {
                "Sorry, is this their first visit with us? You can say yes or no."
            } else {
                "Sorry, are you a new patient with us? You can say yes or no."
            });
            d.phase = Phase::AskedNewPatient;
        }
    }
}
