//! The dialogue's transition: given what it knows, one event (the caller spoke, was silent, or
//! a tool answered) becomes what to say and which tool to call next. No I/O happens here; the
//! executor runs the commands and feeds each tool's answer back in as the next event.
//!
//! One file, longer than most: the transition table, kept whole so every phase is in view.

use crate::agent::Ending;
use crate::agent::tools::ToolError;
use crate::agent::tools::ToolOutput;
use crate::agent::tools::contract::ToolCall;
use crate::agent::understand::{Heard, Intent, Question, Topic};

use super::state::{Dialogue, Facts, Phase, Request, Task};
use super::{flow_book, flow_handoff, flow_identify, flow_manage, wording};

/// What the executor does, in order. A tool call is always last: its answer is the next event.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Say(String),
    Call(ToolCall),
    End(Ending),
}

#[derive(Debug)]
pub enum Event {
    Heard(Box<Heard>),
    /// The caller has been silent; `in_a_row` reminders so far (1 on the first).
    Silence {
        in_a_row: u32,
    },
    /// A tool answered (boxed: it is far larger than the other events).
    Tool(Box<(ToolCall, Result<ToolOutput, ToolError>)>),
}

/// Commands being collected for one step.
#[derive(Debug, Default)]
pub struct Out {
    pub commands: Vec<Command>,
}

impl Out {
    pub fn say(&mut self, sentence: impl Into<String>) {
        self.commands.push(Command::Say(sentence.into()));
    }

    pub fn call(&mut self, request: ToolCall) {
        self.commands.push(Command::Call(request));
    }

    pub fn end(&mut self, ending: Ending) {
        self.commands.push(Command::End(ending));
    }

    /// Whether this step already asked a tool or ended the call.
    pub fn settled(&self) -> bool {
        matches!(
            self.commands.last(),
            Some(Command::Call(_) | Command::End(_))
        )
    }
}

impl Dialogue {
    pub fn step(&mut self, event: Event, facts: &Facts) -> Vec<Command> {
        let mut out = Out::default();
        match event {
            Event::Heard(heard) => self.hear(&heard, facts, &mut out),
            Event::Silence { in_a_row } => self.silence(in_a_row, facts, &mut out),
            Event::Tool(answer) => {
                let (request, result) = *answer;
                self.tool_answered(request, result, facts, &mut out)
            }
        }
        out.commands
    }

    fn silence(&mut self, in_a_row: u32, facts: &Facts, out: &mut Out) {
        match in_a_row {
            0 | 1 => out.say("Are you still there? Take your time."),
            2 => out.say("I'm still here whenever you're ready."),
            _ => {
                out.say(format!(
                    "It seems we've lost the connection. Please call {} back any time. Goodbye.",
                    facts.clinic
                ));
                out.end(Ending::EndCall);
                return;
            }
        }
        if self.phase != Phase::Open {
            self.ask_again(facts, out);
        }
    }

    fn hear(&mut self, heard: &Heard, facts: &Facts, out: &mut Out) {
        if heard.unintelligible {
            self.misheard += 1;
            if self.misheard >= 3 {
                out.say("I'm sorry, I'm having trouble hearing you.");
                flow_handoff::transfer(self, out);
                return;
            }
            out.say("Sorry, I didn't quite catch that.");
            if self.phase == Phase::Open {
                out.say("Could you say it again?");
            } else {
                self.ask_again(facts, out);
            }
            return;
        }
        self.misheard = 0;
        if flow_handoff::other_language(self, heard, facts, out) {
            return;
        }
        let confirming = matches!(self.phase, Phase::Confirming { .. });
        let declined_more = self.phase == Phase::AnythingElse
            && heard.consent == Some(crate::agent::understand::Consent::No)
            && heard.intent.is_none()
            && heard.questions.is_empty()
            && !heard.wants_person
            && !heard.wants_message;
        if (heard.goodbye && !(confirming && heard.consent.is_some())) || declined_more {
            self.say_goodbye(facts, out);
            return;
        }
        // "Can I leave a message for the front desk?" asks for a message, not a person.
        let wants_message = heard.wants_message
            && heard.consent != Some(crate::agent::understand::Consent::No)
            && !matches!(self.phase, Phase::Message(_));
        if wants_message {
            flow_handoff::start_message(self, heard, facts, out);
            return;
        }
        if heard.wants_person {
            flow_handoff::transfer(self, out);
            return;
        }
        // "Sorry, can you repeat that?"
        if heard.repeat
            && heard.intent.is_none()
            && heard.consent.is_none()
            && heard.questions.is_empty()
            && !matches!(self.phase, Phase::Message(_))
        {
            out.say("Of course.");
            self.ask_again(facts, out);
            return;
        }

        // The answer to the question pending, read in its light.
        if self.answer(heard, facts, out) {
            return;
        }

        if self.declines_task(heard, facts, out) {
            return;
        }
        if self.changes_what_was_just_done(heard) {
            self.absorb(heard, facts);
            self.advance(facts, out);
            return;
        }

        let answered = wording::answer_questions(heard, facts, out);
        if answered {
            // A question in between is no failed answer to the identity question.
            self.identity.last_question = None;
        }
        let unanswerable = heard.questions.iter().any(|q| match q {
            // "What's the earliest you have" is no unknown question.
            Question::Unanswerable(Topic::Other) => !heard.soonest && heard.days.is_empty(),
            Question::Unanswerable(_) => true,
            _ => false,
        });
        // "Where do I park when I come in?" asks about parking, not for a visit.
        let only_asking = unanswerable
            && heard.services.is_empty()
            && heard.days.is_empty()
            && heard.week_of.is_none()
            && heard.time.is_none()
            && !heard.soonest;
        if !only_asking {
            self.take_intent(heard);
        }
        if !self.warned {
            self.warned = wording::warn_if_dangerous(heard, out);
        }
        // Asked for the day, the caller asked something or changed the visit instead: the day
        // is still to be asked.
        let no_when = heard.days.is_empty()
            && heard.week_of.is_none()
            && heard.time.is_none()
            && heard.part.is_none()
            && !heard.soonest;
        if self.phase == Phase::AskedDay
            && no_when
            && (answered && heard.asks_about_the_office() || !heard.services.is_empty())
        {
            self.request.asked_day = false;
        }
        self.absorb(heard, facts);

        if self.request.task.is_none() {
            if unanswerable {
                flow_handoff::offer_help(self, facts, out);
                return;
            }
            if answered {
                wording::anything_else(facts, out);
                self.phase = Phase::AnythingElse;
                return;
            }
            if self.phase == Phase::AnythingElse && heard.thanks && heard.questions.is_empty() {
                // "Okay, thank you" to "anything else?": that was all.
                self.say_goodbye(facts, out);
                return;
            }
            if self.phase == Phase::AnythingElse
                && heard.consent == Some(crate::agent::understand::Consent::Yes)
            {
                // "Yes" to "anything else?": they have more.
                out.say("Sure, what can I help you with?");
                self.phase = Phase::Open;
                return;
            }
            if !heard.thanks && !heard.greeting {
                // Twice not understood: a person may do better.
                self.lost += 1;
                if self.lost >= 2 {
                    self.lost = 0;
                    out.say("I'm sorry, I'm not sure I can help with that.");
                    flow_handoff::offer_help(self, facts, out);
                    return;
                }
            }
            wording::small_talk(heard, facts, out);
            if heard.thanks || out_mentions_anything_else(out) {
                self.phase = Phase::AnythingElse;
            }
            return;
        }
        self.advance(facts, out);
    }

    /// The caller's answer to the pending question. True when the turn is decided.
    fn answer(&mut self, heard: &Heard, facts: &Facts, out: &mut Out) -> bool {
        use crate::agent::understand::Consent;
        match std::mem::take(&mut self.phase) {
            Phase::AskedNewPatient => {
                flow_identify::answer_new_patient(self, heard, facts, out);
                true
            }
            Phase::Choosing { offers } => flow_book::answer_choice(self, offers, heard, facts, out),
            Phase::Confirming { token, offer } => {
                flow_book::answer_confirm(self, token, offer, heard, facts, out)
            }
            Phase::WhichAppointment { candidates } => {
                flow_manage::answer_which(self, candidates, heard, facts, out)
            }
            Phase::OfferedBooking => match heard.consent {
                Some(Consent::Yes) if heard.intent.is_none() => {
                    self.request = Request {
                        task: Some(Task::Book),
                        ..Request::default()
                    };
                    self.absorb(heard, facts);
                    self.advance(facts, out);
                    true
                }
                Some(Consent::No) if heard.intent.is_none() => {
                    wording::no_problem_anything_else(self, facts, out);
                    true
                }
                _ => false,
            },
            // The birth date after all, or a corrected name: back to finding the record.
            Phase::OfferedTransfer | Phase::OfferedMessage
                if self.request.task.is_some()
                    && self.identity.verified.is_none()
                    && (heard.birth_date.is_some() || heard.name.is_some()) =>
            {
                self.phase = Phase::Identifying;
                false
            }
            Phase::OfferedTransfer => match heard.consent {
                Some(Consent::Yes) if heard.intent.is_none() => {
                    flow_handoff::transfer(self, out);
                    true
                }
                Some(Consent::No) if heard.intent.is_none() => {
                    flow_handoff::offer_message_instead(self, out);
                    true
                }
                _ => false,
            },
            Phase::OfferedMessage => match heard.consent {
                Some(Consent::Yes) if heard.intent.is_none() => {
                    flow_handoff::start_message(self, heard, facts, out);
                    true
                }
                Some(Consent::No) if heard.intent.is_none() => {
                    wording::no_problem_anything_else(self, facts, out);
                    true
                }
                _ => false,
            },
            Phase::Message(part) => flow_handoff::answer_message(self, part, heard, out),
            other => {
                self.phase = other;
                false
            }
        }
    }

    /// A bare "no" to a question on the way to booking: the caller does not want it.
    fn declines_task(&mut self, heard: &Heard, facts: &Facts, out: &mut Out) -> bool {
        let asking = matches!(
            self.phase,
            Phase::Identifying | Phase::AskedService | Phase::AskedDay
        );
        let bare_no = heard.consent == Some(crate::agent::understand::Consent::No)
            && heard.intent.is_none()
            && heard.name.is_none()
            && heard.birth_date.is_none()
            && heard.phone.is_none()
            && heard.services.is_empty()
            && heard.days.is_empty()
            && heard.week_of.is_none()
            && heard.part.is_none()
            && heard.time.is_none()
            && !heard.soonest
            && heard.new_patient.is_none();
        // "Let me check my schedule and call you back": not now.
        let defers = heard.has_any(&[
            "call you back",
            "call back",
            "i'll call",
            "get back to you",
            "check my schedule",
            "check my calendar",
        ]) && heard.days.is_empty()
            && heard.week_of.is_none()
            && heard.time.is_none()
            && heard.services.is_empty()
            && !heard.wants_message;
        if !(asking && (bare_no || defers && self.phase != Phase::Identifying)) {
            return false;
        }
        if self.phase == Phase::Identifying {
            // "I'd rather not give my birthday": say why it is asked, and offer a person. The
            // task stays, should the caller give it after all.
            out.say("I understand. We ask so that we only ever discuss your records with you.");
            flow_handoff::offer_help(self, facts, out);
            return true;
        }
        self.request = Request::default();
        wording::no_problem_anything_else(self, facts, out);
        true
    }

    /// "Could we make that Friday instead?" right after booking or moving: move that one.
    fn changes_what_was_just_done(&mut self, heard: &Heard) -> bool {
        let just_done = self.phase == Phase::AnythingElse && self.request.task.is_none();
        let new_when = !heard.days.is_empty() || heard.time.is_some() || heard.week_of.is_some();
        // "What time do you close on Fridays?" asks; it changes nothing.
        if heard.asks_about_the_office() {
            return false;
        }
        let Some(done) = self.last_done.clone().filter(|_| just_done && new_when) else {
            return false;
        };
        if heard.intent.is_some_and(|i| i != Intent::Reschedule) {
            return false;
        }
        self.request = Request {
            task: Some(Task::Reschedule),
            target: Some(done),
            ..Request::default()
        };
        self.phase = Phase::Open;
        true
    }

    /// A new task replaces the one in hand; the same task again keeps what is known.
    fn take_intent(&mut self, heard: &Heard) {
        // "What's the earliest you have?", "anything Thursday?": a visit, though unnamed.
        // "What time are you open on Friday?" names a day but asks the hours.
        let only_time_questions = heard
            .questions
            .iter()
            .all(|q| *q == Question::Unanswerable(Topic::Other));
        let asks_for_a_time = only_time_questions
            && (heard.soonest
                || !heard.days.is_empty()
                || heard.week_of.is_some()
                // "How much is a cleaning?" names a service but asks a price.
                || !heard.services.is_empty() && heard.questions.is_empty());
        let intent = match heard.intent {
            Some(intent) => intent,
            None if self.request.task.is_none()
                && self.phase != Phase::AnythingElse
                && asks_for_a_time =>
            {
                Intent::Book
            }
            None => return,
        };
        let task = match intent {
            Intent::Book => Task::Book,
            Intent::Reschedule => Task::Reschedule,
            Intent::Cancel => Task::Cancel,
            Intent::Check => Task::Check,
        };
        // "Actually, can we change it to a filling?" while booking changes the visit, not an
        // appointment on file.
        let changes_visit = intent == Intent::Reschedule
            && self.request.task == Some(Task::Book)
            && self.request.target.is_none()
            && !heard.services.is_empty();
        if changes_visit {
            return;
        }
        let switching = match self.request.task {
            None => true,
            // Words like "appointment" come up in every task: only a clear other task switches.
            Some(current) => current != task && task != Task::Book,
        };
        if switching {
            self.request = Request {
                task: Some(task),
                ..Request::default()
            };
            // "Can you move it to Friday instead?" right after booking: that one.
            if matches!(task, Task::Reschedule | Task::Cancel) {
                self.request.target = self.last_done.clone();
            }
            self.phase = Phase::Open;
        }
    }

    /// Takes in what the caller said about the patient, the service and when.
    fn absorb(&mut self, heard: &Heard, facts: &Facts) {
        flow_identify::absorb(self, heard);
        flow_book::absorb(self, heard, facts);
    }

    /// The next question or tool call for the task in hand.
    pub(super) fn advance(&mut self, facts: &Facts, out: &mut Out) {
        // A clinic without hours, schedules or services has nothing to offer: say so before
        // asking who is calling, so no patient record is made for a booking that cannot be.
        if !facts.office.can_book
            && matches!(self.request.task, Some(Task::Book | Task::Reschedule))
        {
            flow_handoff::cannot_book_yet(self, facts, out);
            return;
        }
        // "Do you do Invisalign?": say so before asking who is calling.
        if self.request.task == Some(Task::Book)
            && self.request.unmatched_service
            && self.request.service.is_none()
        {
            flow_book::advance(self, facts, out);
            return;
        }
        if self.identity.verified.is_none() && !flow_identify::identify(self, facts, out) {
            return;
        }
        match self.request.task {
            Some(Task::Book) => flow_book::advance(self, facts, out),
            Some(Task::Reschedule) | Some(Task::Cancel) | Some(Task::Check) => {
                flow_manage::advance(self, facts, out)
            }
            None => {
                wording::anything_else(facts, out);
                self.phase = Phase::AnythingElse;
            }
        }
    }

    fn tool_answered(
        &mut self,
        request: ToolCall,
        result: Result<ToolOutput, ToolError>,
        facts: &Facts,
        out: &mut Out,
    ) {
        if let Err(
            err @ (ToolError::Unavailable(_) | ToolError::BadArguments(_) | ToolError::Unknown(_)),
        ) = &result
        {
            tracing::warn!(tool = request.name(), error = ?err, "a receptionist tool failed");
            out.say("I'm sorry, I can't reach our records right now.");
            flow_handoff::offer_help(self, facts, out);
            return;
        }
        match request {
            ToolCall::FindPatient(_) | ToolCall::CreatePatient(_) => {
                flow_identify::answered(self, &request, result, facts, out)
            }
            ToolCall::FindSlots(_) => flow_book::slots_found(self, result, facts, out),
            ToolCall::BookAppointment(_)
            | ToolCall::RescheduleAppointment(_)
            | ToolCall::CancelAppointment(_)
            | ToolCall::ConfirmAction(_) => {
                flow_book::proposal_answered(self, request, result, facts, out)
            }
            ToolCall::ListAppointments => flow_manage::listed(self, result, facts, out),
            ToolCall::TakeMessage(_) => flow_handoff::message_taken(self, result, facts, out),
            ToolCall::TransferToFrontDesk => flow_handoff::transferred(self, result, facts, out),
            ToolCall::CurrentDatetime | ToolCall::OfficeInfo | ToolCall::EndCall => {}
        }
    }

    pub(super) fn say_goodbye(&mut self, facts: &Facts, out: &mut Out) {
        let default = format!("Thank you for calling {}. Goodbye!", facts.clinic);
        out.say(facts.phrases.or("goodbye", &default));
        out.end(Ending::EndCall);
    }

    /// Repeats the pending question after an interruption.
    pub(super) fn ask_again(&mut self, facts: &Facts, out: &mut Out) {
        let question = match &self.phase {
            Phase::Open => "How can I help you today?".to_owned(),
            Phase::Identifying => flow_identify::question(&self.identity).to_owned(),
            Phase::AskedNewPatient => "Are you a new patient with us?".to_owned(),
            Phase::AskedService => "What would you like to come in for?".to_owned(),
            Phase::AskedDay => "What day works best for you?".to_owned(),
            Phase::Choosing { offers } => {
                format!("I have {}. Which works best?", wording::offer_list(offers))
            }
            Phase::Confirming { .. } => {
                // The read-back itself must be heard again before a yes counts.
                if let Some(request) = flow_book::repropose(self) {
                    out.call(request);
                    return;
                }
                "Shall I go ahead?".to_owned()
            }
            Phase::WhichAppointment { .. } => "Which appointment do you mean?".to_owned(),
            Phase::OfferedBooking => "Would you like to book an appointment?".to_owned(),
            Phase::OfferedTransfer => {
                "Would you like me to transfer you to the front desk?".to_owned()
            }
            Phase::OfferedMessage => {
                "Would you like to leave a message for the front desk?".to_owned()
            }
            Phase::Message(part) => flow_handoff::message_question(*part).to_owned(),
            Phase::AnythingElse => facts.phrases.or("anything_else", wording::ANYTHING_ELSE),
        };
        out.say(question);
    }
}

fn out_mentions_anything_else(out: &Out) -> bool {
    out.commands
        .iter()
        .any(|c| matches!(c, Command::Say(s) if s.contains("anything else")))
}
