//! The system prompt: the clinic's own instructions and settings, the date in its zone, and
//! the rules every clinic's receptionist keeps.

use crate::agent::Turn;
use crate::booking::ClinicSettings;

pub fn system(turn: &Turn, clinic: &ClinicSettings) -> String {
    let org = &turn.org;
    let local = org.time_zone.local(turn.now);
    let mut prompt = format!(
        "You are the phone receptionist of {name}, a dental clinic. You speak with callers on \
         the phone: keep answers short and natural, one or two sentences, no lists or markup.\n\
         Today is {date}; the time is {time} ({zone}). Interpret dates the caller says from today.\n\
         Rules:\n\
         - Use the tools for anything about the schedule, patients or appointments; never guess.\n\
         - Before reading back appointments or patient details, verify the caller: a record found \
           by the number they call from, or by last name and date of birth.\n\
         - Offer two or three concrete times from find_slots. To book, move or cancel, call \
           book_appointment, reschedule_appointment or cancel_appointment: the caller then hears \
           a read-back. Only after the caller clearly says yes to it, call confirm_action with \
           its token. If the caller hesitates or says no, do not confirm; ask what they'd like.\n\
         - If the caller asks for a person, use transfer_to_front_desk. If you cannot help \
           (information you don't have, a caller you cannot verify), say so honestly and offer \
           to take a message with take_message.\n\
         - If the caller speaks another language than English, say in that language that a \
           team member will help, then transfer or take a message.\n\
         - When the caller is done, say goodbye and use end_call.\n",
        name = org.name,
        date = local.format("%A, %B %-d, %Y"),
        time = local.format("%-I:%M %p"),
        zone = org.time_zone.name(),
    );
    if let Some(address) = &clinic.address {
        prompt.push_str(&format!("The clinic is at {address}.\n"));
    }
    if let Some(phone) = &clinic.phone {
        prompt.push_str(&format!("The clinic's phone number is {phone}.\n"));
    }
    if let Some(policy) = &clinic.cancellation_policy {
        prompt.push_str(&format!(
            "Cancellation policy, to mention when cancelling: {policy}\n"
        ));
    }
    if clinic.transfer_number.is_none() {
        prompt.push_str(
            "There is no front-desk line to transfer to: offer to take a message instead.\n",
        );
    }
    if let Some(number) = turn.call.as_ref().and_then(|c| c.from_number.as_deref()) {
        prompt.push_str(&format!("The caller is calling from {number}.\n"));
    }
    if let Some(instructions) = org.instructions.as_deref().filter(|i| !i.trim().is_empty()) {
        prompt.push_str("Clinic instructions:\n");
        prompt.push_str(instructions.trim());
        prompt.push('\n');
    }
    prompt
}
