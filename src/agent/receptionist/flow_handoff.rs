//! When the receptionist hands over: a transfer to the front desk, a message taken for it, and
//! callers who speak another language.

use crate::agent::Ending;
use crate::agent::tools::contract::{TakeMessage, ToolCall, ToolResult};
use crate::agent::tools::{Refusal, ToolError, ToolOutput};
use crate::agent::understand::{Heard, Language};

use super::state::{Dialogue, Facts, Message, MessagePart, Phase};
use super::step::Out;
use super::wording;

pub fn transfer(d: &mut Dialogue, out: &mut Out) {
    d.phase = Phase::Open;
    out.call(ToolCall::TransferToFrontDesk);
}

pub fn transferred(
    d: &mut Dialogue,
    result: Result<ToolOutput, ToolError>,
    facts: &Facts,
    out: &mut Out,
) {
    match result {
        Ok(ToolOutput {
            ending: Some(ending @ Ending::Transfer(_)),
            ..
        }) => {
            let line = match d.language {
                Some(language) if language != Language::English => {
                    language.transfer_line().to_owned()
                }
                _ => facts.phrases.or(
                    "transfer",
                    "Of course. Let me transfer you to the front desk now.",
                ),
            };
            out.say(line);
            out.end(ending);
        }
        Err(ToolError::Refused(Refusal::NoTransferNumber)) | Ok(_) | Err(_) => {
            if d.language.is_some_and(|l| l != Language::English) {
                take_callback_in_language(d, facts, out);
                return;
            }
            out.say("I'm sorry, I can't transfer you right now.");
            offer_message(d, out);
        }
    }
}

/// A clinic not yet set up for booking: say so, then offer a person or a message.
pub fn cannot_book_yet(d: &mut Dialogue, facts: &Facts, out: &mut Out) {
    out.say(format!(
        "I'm sorry, {} can't book appointments by phone just yet.",
        facts.clinic
    ));
    d.request = Default::default();
    offer_help(d, facts, out);
}

/// When the receptionist cannot help: a person if there is a line, else a message.
pub fn offer_help(d: &mut Dialogue, facts: &Facts, out: &mut Out) {
    if facts.office.can_transfer {
        out.say("Would you like me to transfer you to the front desk?");
        d.phase = Phase::OfferedTransfer;
    } else {
        offer_message(d, out);
    }
}

fn offer_message(d: &mut Dialogue, out: &mut Out) {
    out.say("I can take a message for the front desk, and they'll call you back. Would you like to leave one?");
    d.phase = Phase::OfferedMessage;
}

/// A "no" to the transfer: a message instead.
pub fn offer_message_instead(d: &mut Dialogue, out: &mut Out) {
    out.say("No problem.");
    offer_message(d, out);
}

pub fn message_question(part: MessagePart) -> &'static str {
    match part {
        MessagePart::Name => "Sure. Could I have your name, please?",
        MessagePart::Callback => "And what's the best number to call you back on?",
        MessagePart::Reason => "And what would you like me to pass on to the front desk?",
    }
}

/// Starts taking a message, using what is already known.
pub fn start_message(d: &mut Dialogue, heard: &Heard, facts: &Facts, out: &mut Out) {
    let known_name = d
        .identity
        .verified
        .as_ref()
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .or_else(|| match (&d.identity.first, &d.identity.last) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (Some(first), None) => Some(first.clone()),
            _ => None,
        });
    let said_name = heard.name.as_ref().map(full_name).filter(|n| !n.is_empty());
    d.message = Message {
        name: said_name.or(known_name),
        // A number said aloud is the one to call back, over the one calling.
        callback: heard
            .phone
            .clone()
            .or_else(|| d.identity.phone.clone())
            .or_else(|| facts.caller.clone()),
        reason: None,
        language: d.language,
        ..Message::default()
    };
    // "Can you have someone call me back about my bill": the reason is already said.
    if heard.wants_message {
        d.message.reason = said_reason(&heard.text);
    }
    next_message_part(d, out);
}

fn next_message_part(d: &mut Dialogue, out: &mut Out) {
    let m = &d.message;
    let part = if m.name.is_none() {
        MessagePart::Name
    } else if m.callback.is_none() {
        MessagePart::Callback
    } else if m.reason.is_none() {
        MessagePart::Reason
    } else {
        out.call(ToolCall::TakeMessage(TakeMessage {
            caller_name: m.name.clone().unwrap_or_default(),
            callback_number: m.callback.as_ref().map(|p| p.as_str().to_owned()),
            reason: m.reason.clone().unwrap_or_default(),
            language: m.language.map(|l| l.code().to_owned()),
            urgent: false,
        }));
        d.phase = Phase::Open;
        return;
    };
    out.say(message_question(part));
    d.phase = Phase::Message(part);
}

fn full_name(name: &crate::agent::understand::PersonName) -> String {
    [name.first.as_deref(), name.last.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn heard_reason(heard: &Heard) -> String {
    heard.text.trim().to_owned()
}

/// What follows "about", "regarding"... in a request for a message, if anything does.
fn said_reason(text: &str) -> Option<String> {
    [
        " about ",
        " regarding ",
        " concerning ",
        " because ",
        " to tell them ",
        " that ",
    ]
    .iter()
    .filter_map(|cue| text.find(cue).map(|at| text[at + cue.len()..].trim()))
    .find(|rest| rest.split_whitespace().count() >= 2)
    .map(str::to_owned)
}

/// An answer while taking a message. True when the turn is decided.
pub fn answer_message(d: &mut Dialogue, part: MessagePart, heard: &Heard, out: &mut Out) -> bool {
    match part {
        MessagePart::Name => match &heard.name {
            Some(name) => {
                d.message.name = Some(full_name(name));
                if let Some(reason) = said_reason(&heard.text) {
                    d.message.reason = Some(reason);
                }
                if heard.phone.is_some() {
                    d.message.callback = heard.phone.clone();
                }
            }
            None if d.message.name_asked < 2 => {
                d.message.name_asked += 1;
                out.say("Sorry, could I have your name again?");
                d.phase = Phase::Message(part);
                return true;
            }
            // Not understood twice: the message goes on without it, the number is enough.
            None => d.message.name = Some("(name not understood)".to_owned()),
        },
        MessagePart::Callback => match &heard.phone {
            Some(phone) => d.message.callback = Some(phone.clone()),
            None => {
                out.say("Sorry, could you say the number again, digit by digit?");
                d.phase = Phase::Message(part);
                return true;
            }
        },
        // A number said instead of a reason corrects the callback; the reason is still owed.
        MessagePart::Reason if heard.phone.is_some() && heard.word_count() <= 16 => {
            d.message.callback = heard.phone.clone();
            out.say("Thank you, I'll use that number.");
        }
        MessagePart::Reason => d.message.reason = Some(heard_reason(heard)),
    }
    next_message_part(d, out);
    true
}

pub fn message_taken(
    d: &mut Dialogue,
    result: Result<ToolOutput, ToolError>,
    facts: &Facts,
    out: &mut Out,
) {
    let language = d.language.filter(|l| *l != Language::English);
    match (result.map(|o| o.result), language) {
        (Ok(ToolResult::MessageTaken(_)), Some(language)) => {
            out.say(language.callback_line());
            out.say(language.goodbye_line());
            out.end(Ending::EndCall);
        }
        (Ok(ToolResult::MessageTaken(_)), None) => {
            out.say(
                "Thank you. I've passed your message to the front desk, and they'll call you back.",
            );
            d.message = Message::default();
            wording::anything_else(facts, out);
            d.phase = Phase::AnythingElse;
        }
        _ => {
            out.say(format!(
                "I'm sorry, I couldn't save your message. Please call {} back during office hours.",
                facts.clinic
            ));
            wording::anything_else(facts, out);
            d.phase = Phase::AnythingElse;
        }
    }
}

/// A caller speaking another language: told so in that language, then a person or a callback.
/// True when the turn is decided.
pub fn other_language(d: &mut Dialogue, heard: &Heard, facts: &Facts, out: &mut Out) -> bool {
    let Some(language) = heard.language.filter(|l| *l != Language::English) else {
        return false;
    };
    d.language = Some(language);
    let desk_speaks =
        facts.languages.is_empty() || facts.languages.iter().any(|l| l == language.code());
    if facts.office.can_transfer && desk_speaks {
        out.say(language.one_moment_line());
        out.call(ToolCall::TransferToFrontDesk);
        return true;
    }
    take_callback_in_language(d, facts, out);
    true
}

fn take_callback_in_language(d: &mut Dialogue, facts: &Facts, out: &mut Out) {
    let Some(language) = d.language else {
        return;
    };
    let Some(callback) = d.identity.phone.clone().or_else(|| facts.caller.clone()) else {
        // No number to call back: the one thing left is to say when to call.
        out.say(language.call_back_later_line());
        out.end(Ending::EndCall);
        return;
    };
    d.message = Message {
        name: Some(
            d.identity
                .first
                .clone()
                .unwrap_or_else(|| "Unknown caller".to_owned()),
        ),
        callback: Some(callback),
        reason: Some(format!(
            "The caller speaks {} and asked for help; please call back with someone who speaks it.",
            language.english_name()
        )),
        language: Some(language),
        ..Message::default()
    };
    next_message_part(d, out);
}
