//! The receptionist's dialogue: what the call is for, what is known, what was asked last,
//! and the next step. Every booking action goes through the shared tools.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde_json::{Value, json};

use super::hear::{DayPart, Heard, Intent, hear};
use super::smalltalk::{self, SmallTalk};
use crate::agent::tools::{self, ToolContext, ToolError, Verification};
use crate::agent::{AgentError, Ending, Reply, Turn, TurnKind};
use crate::booking::{PhoneNumber, Phrases};

/// What the receptionist asked last, so the answer is read in its light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Awaiting {
    #[default]
    Nothing,
    Identity,
    NewPatient,
    Service,
    Day,
    Choice,
    Confirm,
    WhichAppointment,
    ConfirmCancel,
    AnythingElse,
}

#[derive(Debug, Clone, PartialEq)]
struct Offer {
    start: String,
    spoken: String,
    provider_id: String,
    provider: String,
    date: NaiveDate,
    time: NaiveTime,
}

#[derive(Debug, Clone, PartialEq)]
struct Booked {
    id: String,
    kind: String,
    provider: String,
    spoken: String,
    date: NaiveDate,
}

#[derive(Debug, Clone, Default)]
pub struct Dialogue {
    goal: Option<Intent>,
    verification: Verification,
    caller_checked: bool,
    first_name: Option<String>,
    last_name: Option<String>,
    birth_date: Option<NaiveDate>,
    phone: Option<PhoneNumber>,
    id_failures: u32,
    service: Option<String>,
    date: Option<NaiveDate>,
    part: Option<DayPart>,
    time: Option<NaiveTime>,
    soonest: bool,
    asked_day: bool,
    offered: Vec<Offer>,
    chosen: Option<Offer>,
    target: Option<Booked>,
    candidates: Vec<Booked>,
    awaiting: Awaiting,
    misheard: u32,
    /// The service as the clinic names it ("emergency visit" for "emergency").
    service_label: Option<String>,
}

/// Streams sentences as they are decided.
struct Voice<'a> {
    reply: &'a mut Reply,
}

impl Voice<'_> {
    fn say(&mut self, sentence: &str) -> Result<(), AgentError> {
        self.reply.say(&format!("{sentence} "))?;
        Ok(())
    }
}

struct Step<'a, 't> {
    turn: &'t Turn,
    voice: Voice<'a>,
    caller: Option<PhoneNumber>,
    today: NaiveDate,
    /// The clinic's own wording, where it has any.
    phrases: Phrases,
}

const ANYTHING_ELSE: &str = "Is there anything else I can help you with?";

type Outcome = Result<Ending, AgentError>;

impl Dialogue {
    pub async fn respond(&mut self, turn: &Turn, reply: &mut Reply) -> Outcome {
        let caller = turn
            .call
            .as_ref()
            .and_then(|c| c.from_number.as_deref())
            .and_then(|n| PhoneNumber::parse(n).ok());
        let today = turn.org.time_zone.local(turn.now).date_naive();
        let phrases = turn.clinic_settings().await.phrases.clone();
        let mut step = Step {
            turn,
            voice: Voice { reply },
            caller,
            today,
            phrases,
        };
        if turn.kind == TurnKind::Reminder {
            return self.remind(&mut step);
        }
        let said = turn.last_user_utterance().unwrap_or("");
        let heard = hear(said, today, self.awaiting == Awaiting::Identity);
        self.hear(&mut step, &heard).await
    }

    fn remind(&mut self, step: &mut Step<'_, '_>) -> Outcome {
        let plan = smalltalk::plan(&SmallTalk {
            org: &step.turn.org,
            kind: TurnKind::Reminder,
            reminders_in_a_row: step.turn.reminders_in_a_row,
            said: "",
            now: step.turn.now,
        });
        for sentence in &plan.sentences {
            step.voice.say(sentence)?;
        }
        if plan.ending == Ending::Continue && self.awaiting != Awaiting::Nothing {
            self.ask_again(step)?;
        }
        Ok(plan.ending)
    }

    async fn tool(
        &mut self,
        step: &mut Step<'_, '_>,
        name: &str,
        args: Value,
    ) -> Result<tools::ToolOutput, ToolError> {
        let mut ctx = ToolContext {
            scheduler: &step.turn.scheduler,
            org: &step.turn.org,
            call_id: &step.turn.call_id,
            caller: step.caller.clone(),
            now: step.turn.now,
            verification: &mut self.verification,
        };
        let id = format!("{}-{}", step.turn.call_id, uuid::Uuid::new_v4().simple());
        let _ = step
            .voice
            .reply
            .tool_invocation(&id, name, &args.to_string());
        let started = std::time::Instant::now();
        let result = tools::call(&mut ctx, name, &args).await;
        tracing::debug!(call_id = %step.turn.call_id, tool = name, ok = result.is_ok(), elapsed_us = started.elapsed().as_micros() as u64, "tool call");
        let content = match &result {
            Ok(output) => output.result.to_string(),
            Err(err) => err.as_result().to_string(),
        };
        let _ = step.voice.reply.tool_result(&id, &content, result.is_ok());
        result
    }

    async fn hear(&mut self, step: &mut Step<'_, '_>, heard: &Heard) -> Outcome {
        if heard.unintelligible {
            self.misheard += 1;
            if self.misheard >= 3 {
                step.voice
                    .say("I'm sorry, I'm having trouble hearing you.")?;
                return self.transfer(step).await;
            }
            step.voice.say("Sorry, I didn't quite catch that.")?;
            if self.awaiting == Awaiting::Nothing {
                step.voice.say("Could you say it again?")?;
            } else {
                self.ask_again(step)?;
            }
            return Ok(Ending::Continue);
        }
        self.misheard = 0;
        let confirming = matches!(self.awaiting, Awaiting::Confirm | Awaiting::ConfirmCancel);
        if heard.goodbye && !(confirming && heard.yes)
            || (self.awaiting == Awaiting::AnythingElse && heard.no && heard.intent.is_none())
        {
            let default = format!("Thank you for calling {}. Goodbye!", step.turn.org.name);
            step.voice.say(&step.phrases.or("goodbye", &default))?;
            return Ok(Ending::EndCall);
        }
        if heard.wants_person {
            return self.transfer(step).await;
        }
        let answered = self.office_questions(step, heard).await?;

        if let Some(intent) = heard.intent {
            let switching = match self.goal {
                None => true,
                Some(goal) => goal != intent && intent != Intent::Book,
            };
            if switching {
                self.start_goal(intent);
            }
        }
        self.absorb(heard);

        match self.awaiting {
            Awaiting::NewPatient if heard.yes => return self.register(step).await,
            Awaiting::NewPatient if heard.no => {
                self.last_name = None;
                self.birth_date = None;
                step.voice.say("Let's try again.")?;
            }
            Awaiting::Confirm if heard.yes => return self.commit(step).await,
            Awaiting::Confirm if heard.no && heard.date.is_none() && heard.time.is_none() => {
                self.chosen = None;
                self.offered.clear();
                step.voice.say("No problem.")?;
                self.awaiting = Awaiting::Day;
                step.voice
                    .say("What day and time would work better for you?")?;
                return Ok(Ending::Continue);
            }
            Awaiting::ConfirmCancel if heard.yes => return self.cancel(step).await,
            Awaiting::ConfirmCancel if heard.no => {
                step.voice.say("Okay, I'll leave it as it is.")?;
                self.finish_goal();
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                return Ok(Ending::Continue);
            }
            Awaiting::Choice => {
                if heard.earlier || heard.later {
                    return self.earlier_or_later(step, heard.earlier).await;
                }
                if let Some(offer) = self.pick(heard) {
                    self.chosen = Some(offer);
                }
            }
            Awaiting::WhichAppointment => {
                if let Some(target) = self.pick_appointment(heard) {
                    self.target = Some(target);
                }
            }
            Awaiting::AnythingElse if heard.yes && heard.intent.is_none() => {
                self.awaiting = Awaiting::Nothing;
                step.voice.say("Sure, what can I help you with?")?;
                return Ok(Ending::Continue);
            }
            _ => {}
        }

        if self.goal.is_none() {
            if answered {
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                self.awaiting = Awaiting::AnythingElse;
                return Ok(Ending::Continue);
            }
            return self.small_talk(step, heard);
        }
        self.advance(step).await
    }

    fn start_goal(&mut self, intent: Intent) {
        self.goal = Some(intent);
        self.offered.clear();
        self.chosen = None;
        self.target = None;
        self.candidates.clear();
        self.asked_day = false;
        self.service = None;
        self.service_label = None;
        self.date = None;
        self.part = None;
        self.time = None;
        self.soonest = false;
        self.awaiting = Awaiting::Nothing;
    }

    fn finish_goal(&mut self) {
        self.start_goal(Intent::Book);
        self.goal = None;
        self.awaiting = Awaiting::AnythingElse;
    }

    /// Takes in what the caller said; a new day or time replaces the old and drops offers.
    fn absorb(&mut self, heard: &Heard) {
        if self.verification.patient.is_none() {
            if heard.first_name.is_some()
                && heard.last_name.is_none()
                && self.first_name.is_some()
                && self.last_name.is_none()
                && self.awaiting == Awaiting::Identity
            {
                // A second single name after the first: the last name.
                self.last_name = heard.first_name.clone();
            } else {
                if heard.first_name.is_some() {
                    self.first_name = heard.first_name.clone();
                }
                if heard.last_name.is_some() {
                    self.last_name = heard.last_name.clone();
                }
            }
            if heard.birth_date.is_some() {
                self.birth_date = heard.birth_date;
            }
            if heard.phone.is_some() {
                self.phone = heard.phone.clone();
            }
        }
        if let Some(service) = heard.service_words.first() {
            self.service = Some(service.clone());
        }
        let choosing = self.awaiting == Awaiting::Choice
            && (heard.choice.is_some() || self.matches_offer(heard));
        if !choosing
            && (heard.date.is_some()
                || heard.part.is_some()
                || heard.time.is_some()
                || heard.soonest)
        {
            if heard.date.is_some() || heard.soonest {
                self.date = heard.date;
                self.soonest = heard.soonest && heard.date.is_none();
                self.part = heard.part;
                self.time = heard.time;
            } else {
                if heard.part.is_some() {
                    self.part = heard.part;
                }
                if heard.time.is_some() {
                    self.time = heard.time;
                }
            }
            self.offered.clear();
            self.chosen = None;
        }
    }

    fn matches_offer(&self, heard: &Heard) -> bool {
        heard
            .time
            .is_some_and(|t| self.offered.iter().any(|o| o.time == t))
    }

    fn pick(&self, heard: &Heard) -> Option<Offer> {
        if let Some(n) = heard.choice {
            let index = if n == usize::MAX {
                self.offered.len().checked_sub(1)?
            } else {
                n - 1
            };
            return self.offered.get(index).cloned();
        }
        if let Some(time) = heard.time {
            return self
                .offered
                .iter()
                .find(|o| o.time == time && heard.date.is_none_or(|d| d == o.date))
                .cloned();
        }
        if let Some(date) = heard.date {
            let same_day: Vec<&Offer> = self.offered.iter().filter(|o| o.date == date).collect();
            if same_day.len() == 1 {
                return Some(same_day[0].clone());
            }
        }
        if heard.yes && self.offered.len() == 1 {
            return self.offered.first().cloned();
        }
        None
    }

    fn pick_appointment(&self, heard: &Heard) -> Option<Booked> {
        if let Some(n) = heard.choice {
            let index = if n == usize::MAX {
                self.candidates.len().checked_sub(1)?
            } else {
                n - 1
            };
            return self.candidates.get(index).cloned();
        }
        let date = heard.date?;
        self.candidates.iter().find(|c| c.date == date).cloned()
    }

    async fn office_questions(
        &mut self,
        step: &mut Step<'_, '_>,
        heard: &Heard,
    ) -> Result<bool, AgentError> {
        let asks_office = heard.asks_hours
            || heard.asks_address
            || heard.asks_phone
            || heard.asks_providers
            || heard.asks_services;
        if !asks_office {
            return Ok(false);
        }
        let Ok(info) = self.tool(step, "office_info", json!({})).await else {
            step.voice
                .say("I'm sorry, I can't look that up right now.")?;
            return Ok(true);
        };
        let info = info.result;
        if heard.asks_hours {
            let hours: Vec<String> = info["hours"]
                .as_array()
                .map(|days| {
                    days.iter()
                        .map(|d| {
                            format!(
                                "{} {} to {}",
                                full_day(d["day"].as_str().unwrap_or("")),
                                d["open"].as_str().unwrap_or(""),
                                d["close"].as_str().unwrap_or("")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            if hours.is_empty() {
                step.voice
                    .say("I don't have our hours on file, I'm sorry.")?;
            } else {
                step.voice
                    .say(&format!("We're open {}.", list(&hours, "and")))?;
            }
        }
        if heard.asks_address {
            match info["address"].as_str() {
                Some(address) => step.voice.say(&format!("We're at {address}."))?,
                None => step
                    .voice
                    .say("I don't have our address on file, I'm sorry.")?,
            }
        }
        if heard.asks_phone {
            match info["phone"].as_str() {
                Some(phone) => step
                    .voice
                    .say(&format!("Our number is {}.", spoken_phone(phone)))?,
                None => step
                    .voice
                    .say("I don't have the office number on file, I'm sorry.")?,
            }
        }
        if heard.asks_providers {
            let names: Vec<String> = info["providers"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .filter_map(|p| p["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            step.voice
                .say(&format!("Our providers are {}.", list(&names, "and")))?;
        }
        if heard.asks_services {
            let names: Vec<String> = info["services"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .filter_map(|p| p["name"].as_str().map(|n| n.to_lowercase()))
                        .collect()
                })
                .unwrap_or_default();
            step.voice
                .say(&format!("We offer {}.", list(&names, "and")))?;
        }
        Ok(true)
    }

    fn small_talk(&mut self, step: &mut Step<'_, '_>, heard: &Heard) -> Outcome {
        let plan = smalltalk::plan(&SmallTalk {
            org: &step.turn.org,
            kind: TurnKind::Response,
            reminders_in_a_row: 0,
            said: step.turn.last_user_utterance().unwrap_or(""),
            now: step.turn.now,
        });
        for sentence in &plan.sentences {
            step.voice.say(sentence)?;
        }
        if plan.sentences.iter().any(|s| s.contains("anything else")) || heard.thanks {
            self.awaiting = Awaiting::AnythingElse;
        }
        Ok(plan.ending)
    }

    async fn transfer(&mut self, step: &mut Step<'_, '_>) -> Outcome {
        match self.tool(step, "transfer_to_front_desk", json!({})).await {
            Ok(output) => {
                step.voice.say(&step.phrases.or(
                    "transfer",
                    "Of course. Let me transfer you to the front desk now.",
                ))?;
                Ok(output.ending.unwrap_or_default())
            }
            Err(_) => {
                step.voice
                    .say("I'm sorry, I can't transfer you right now.")?;
                step.voice.say(&format!("Please call {} back during office hours, and the front desk will be glad to help.", step.turn.org.name))?;
                self.awaiting = Awaiting::AnythingElse;
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                Ok(Ending::Continue)
            }
        }
    }

    /// Repeats the pending question after an interruption.
    fn ask_again(&mut self, step: &mut Step<'_, '_>) -> Result<(), AgentError> {
        let question = match self.awaiting {
            Awaiting::Identity => "Could I have your full name and date of birth?".to_owned(),
            Awaiting::NewPatient => "Are you a new patient with us?".to_owned(),
            Awaiting::Service => "What would you like to come in for?".to_owned(),
            Awaiting::Day => "What day works best for you?".to_owned(),
            Awaiting::Choice => format!("I have {}. Which works best?", self.offer_list()),
            Awaiting::Confirm => "Shall I go ahead?".to_owned(),
            Awaiting::WhichAppointment => "Which appointment do you mean?".to_owned(),
            Awaiting::ConfirmCancel => "Would you like me to cancel it?".to_owned(),
            Awaiting::AnythingElse => step.phrases.or("anything_else", ANYTHING_ELSE),
            Awaiting::Nothing => "How can I help you today?".to_owned(),
        };
        step.voice.say(&question)
    }

    /// The service in the clinic's words, once a search has named it.
    fn label(&self, service: &str) -> String {
        self.service_label
            .clone()
            .unwrap_or_else(|| service.to_lowercase())
    }

    fn offer_list(&self) -> String {
        let same_day = self.offered.windows(2).all(|w| w[0].date == w[1].date);
        let same_provider = self
            .offered
            .windows(2)
            .all(|w| w[0].provider == w[1].provider);
        let items: Vec<String> = if same_day && !self.offered.is_empty() {
            let times: Vec<String> = self
                .offered
                .iter()
                .map(|o| tools::spoken_time(o.time))
                .collect();
            vec![format!(
                "{} at {}",
                tools::spoken_date(self.offered[0].date),
                list(&times, "or")
            )]
        } else {
            self.offered.iter().map(|o| o.spoken.clone()).collect()
        };
        let mut text = list(&items, "or");
        if same_provider && let Some(first) = self.offered.first() {
            text.push_str(&format!(" with {}", first.provider));
        }
        text
    }

    /// The next question or action for the goal, from what is known.
    async fn advance(&mut self, step: &mut Step<'_, '_>) -> Outcome {
        if self.verification.patient.is_none() && !self.identify(step).await? {
            return Ok(Ending::Continue);
        }
        match self.goal {
            Some(Intent::Book) => self.advance_booking(step).await,
            Some(Intent::Reschedule) => {
                if self.target.is_none() && !self.find_target(step, "move").await? {
                    return Ok(Ending::Continue);
                }
                self.advance_booking(step).await
            }
            Some(Intent::Cancel) => {
                if self.target.is_none() && !self.find_target(step, "cancel").await? {
                    return Ok(Ending::Continue);
                }
                if let Some(target) = &self.target {
                    step.voice.say(&format!(
                        "Just to confirm, you'd like to cancel your {} on {}?",
                        target.kind.to_lowercase(),
                        target.spoken
                    ))?;
                    self.awaiting = Awaiting::ConfirmCancel;
                }
                Ok(Ending::Continue)
            }
            Some(Intent::Check) => {
                let appointments = self.upcoming(step).await?;
                if appointments.is_empty() {
                    step.voice
                        .say("I don't see any upcoming appointments for you.")?;
                } else {
                    let items: Vec<String> = appointments
                        .iter()
                        .map(|a| {
                            format!(
                                "{} with {} on {}",
                                with_article(&a.kind),
                                a.provider,
                                a.spoken
                            )
                        })
                        .collect();
                    step.voice
                        .say(&format!("You have {}.", list(&items, "and")))?;
                }
                self.finish_goal();
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                Ok(Ending::Continue)
            }
            None => Ok(Ending::Continue),
        }
    }

    /// Verifies the caller: by the number they call from, else name and birth date.
    /// Returns true when verified; otherwise it has asked the next question.
    async fn identify(&mut self, step: &mut Step<'_, '_>) -> Result<bool, AgentError> {
        if !self.caller_checked {
            self.caller_checked = true;
            if let Some(caller) = step.caller.clone()
                && let Ok(found) = self
                    .tool(step, "find_patient", json!({"phone": caller.as_str()}))
                    .await
                && let Some(first) = verified_first_name(&found.result)
            {
                step.voice.say(&format!(
                    "I see you're calling from the number we have on file for {first}."
                ))?;
                return Ok(true);
            }
        }
        // A number on file and the birth date: as good as name and birth date.
        if let (Some(phone), Some(birth_date)) = (self.phone.clone(), self.birth_date)
            && let Ok(found) = self
                .tool(
                    step,
                    "find_patient",
                    json!({"phone": phone.as_str(), "birth_date": birth_date.to_string()}),
                )
                .await
            && let Some(first) = verified_first_name(&found.result)
        {
            step.voice.say(&format!("Thank you, {first}."))?;
            return Ok(true);
        }
        let missing_name = self.first_name.is_none() || self.last_name.is_none();
        let missing_birth = self.birth_date.is_none();
        if missing_name || missing_birth {
            let question = match (missing_name, missing_birth, self.first_name.is_some()) {
                (true, true, _) => "Could I have your first and last name, and your date of birth?",
                (true, false, true) => "And your last name?",
                (true, false, false) => "And your full name?",
                _ => "And your date of birth?",
            };
            step.voice.say(question)?;
            self.awaiting = Awaiting::Identity;
            return Ok(false);
        }
        let args = json!({
            "first_name": self.first_name, "last_name": self.last_name,
            "birth_date": self.birth_date.map(|d| d.to_string()),
        });
        let found = match self.tool(step, "find_patient", args).await {
            Ok(found) => found.result,
            Err(_) => {
                step.voice
                    .say("I'm sorry, I can't reach our records right now.")?;
                self.awaiting = Awaiting::Identity;
                return Ok(false);
            }
        };
        if let Some(first) = verified_first_name(&found) {
            step.voice.say(&format!("Thank you, {first}."))?;
            return Ok(true);
        }
        if self.goal == Some(Intent::Book) {
            let who = format!(
                "{} {}",
                self.first_name.as_deref().unwrap_or(""),
                self.last_name.as_deref().unwrap_or("")
            );
            let born = self
                .birth_date
                .map(|d| d.format("%B %-d, %Y").to_string())
                .unwrap_or_default();
            step.voice
                .say(&format!("I don't see a record for {who}, born {born}."))?;
            step.voice.say("Are you a new patient with us?")?;
            self.awaiting = Awaiting::NewPatient;
            return Ok(false);
        }
        self.id_failures += 1;
        self.last_name = None;
        self.birth_date = None;
        if self.id_failures >= 2 {
            step.voice
                .say("I'm sorry, I still can't find your record.")?;
            self.awaiting = Awaiting::AnythingElse;
            match self.tool(step, "transfer_to_front_desk", json!({})).await {
                Ok(_) => step.voice.say("The front desk can help you with that. Would you like me to transfer you?")?,
                Err(_) => step.voice.say("Please call back during office hours and the front desk will help. Is there anything else I can do for you?")?,
            }
            return Ok(false);
        }
        step.voice
            .say("I couldn't find a record with that name and date of birth.")?;
        step.voice
            .say("Could you spell your last name for me, and give your date of birth again?")?;
        self.awaiting = Awaiting::Identity;
        Ok(false)
    }

    async fn register(&mut self, step: &mut Step<'_, '_>) -> Outcome {
        let args = json!({
            "first_name": self.first_name, "last_name": self.last_name,
            "birth_date": self.birth_date.map(|d| d.to_string()),
        });
        match self.tool(step, "create_patient", args).await {
            Ok(created) => {
                let first = created.result["patient"]["first_name"]
                    .as_str()
                    .unwrap_or("");
                step.voice.say(&format!(
                    "Welcome, {first}! I've set you up as a new patient."
                ))?;
                self.advance(step).await
            }
            Err(err) => {
                tracing::warn!(call_id = %step.turn.call_id, error = %err, "could not register a patient");
                step.voice
                    .say("I'm sorry, I couldn't set up your record.")?;
                self.last_name = None;
                self.birth_date = None;
                step.voice
                    .say("Could you tell me your full name and date of birth again?")?;
                self.awaiting = Awaiting::Identity;
                Ok(Ending::Continue)
            }
        }
    }

    async fn upcoming(&mut self, step: &mut Step<'_, '_>) -> Result<Vec<Booked>, AgentError> {
        let listed = match self.tool(step, "list_appointments", json!({})).await {
            Ok(listed) => listed.result,
            Err(_) => return Ok(Vec::new()),
        };
        Ok(listed["appointments"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|a| {
                        Some(Booked {
                            id: a["id"].as_str()?.to_owned(),
                            kind: a["appointment_type"].as_str()?.to_owned(),
                            provider: a["provider"].as_str().unwrap_or("").to_owned(),
                            spoken: a["spoken"].as_str()?.to_owned(),
                            date: a["date"].as_str()?.parse().ok()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Finds the appointment to move or cancel; true when there is one.
    async fn find_target(
        &mut self,
        step: &mut Step<'_, '_>,
        verb: &str,
    ) -> Result<bool, AgentError> {
        if self.candidates.is_empty() {
            self.candidates = self.upcoming(step).await?;
        }
        // A date said with the request ("cancel my appointment on the 14th") picks it.
        let said_date = self
            .date
            .filter(|d| self.candidates.iter().any(|c| c.date == *d));
        if let Some(date) = said_date {
            self.target = self.candidates.iter().find(|c| c.date == date).cloned();
            if self.goal == Some(Intent::Reschedule) {
                self.date = None;
            }
        } else if self.candidates.len() == 1 {
            self.target = self.candidates.first().cloned();
        }
        if self.target.is_some() {
            return Ok(true);
        }
        match self.candidates.len() {
            0 => {
                step.voice
                    .say("I don't see any upcoming appointments for you.")?;
                self.finish_goal();
                step.voice.say("Would you like to book one?")?;
                self.goal = Some(Intent::Book);
                self.awaiting = Awaiting::Nothing;
            }
            _ => {
                let items: Vec<String> = self
                    .candidates
                    .iter()
                    .map(|c| format!("your {} on {}", c.kind.to_lowercase(), c.spoken))
                    .collect();
                step.voice.say(&format!("I see {}.", list(&items, "and")))?;
                step.voice
                    .say(&format!("Which one would you like to {verb}?"))?;
                self.awaiting = Awaiting::WhichAppointment;
            }
        }
        Ok(false)
    }

    async fn advance_booking(&mut self, step: &mut Step<'_, '_>) -> Outcome {
        let rescheduling = self.goal == Some(Intent::Reschedule);
        if rescheduling && let Some(target) = &self.target {
            self.service = Some(target.kind.clone());
        }
        let Some(service) = self.service.clone() else {
            let names = self.service_names(step).await;
            step.voice.say(&format!(
                "What would you like to come in for? We offer {}.",
                list(&names, "and")
            ))?;
            self.awaiting = Awaiting::Service;
            return Ok(Ending::Continue);
        };
        let knows_when =
            self.date.is_some() || self.part.is_some() || self.time.is_some() || self.soonest;
        if !knows_when && !self.asked_day {
            self.asked_day = true;
            if rescheduling && let Some(target) = &self.target {
                step.voice.say(&format!(
                    "Your {} is on {}.",
                    target.kind.to_lowercase(),
                    target.spoken
                ))?;
                step.voice.say("What day would you like to move it to?")?;
            } else {
                step.voice.say("What day works best for you?")?;
            }
            self.awaiting = Awaiting::Day;
            return Ok(Ending::Continue);
        }
        if self.chosen.is_none() && self.offered.is_empty() {
            return self.offer(step, &service).await;
        }
        let Some(chosen) = self.chosen.clone() else {
            step.voice
                .say(&format!("I have {}. Which works best?", self.offer_list()))?;
            self.awaiting = Awaiting::Choice;
            return Ok(Ending::Continue);
        };
        match (&self.target, rescheduling) {
            (Some(target), true) => step.voice.say(&format!(
                "To confirm, I'll move your {} from {} to {} with {}. Shall I go ahead?",
                target.kind.to_lowercase(),
                target.spoken,
                chosen.spoken,
                chosen.provider
            ))?,
            _ => step.voice.say(&format!(
                "To confirm, that's {} with {} on {}. Shall I book it?",
                with_article(&self.label(&service)),
                chosen.provider,
                chosen.spoken
            ))?,
        }
        self.awaiting = Awaiting::Confirm;
        Ok(Ending::Continue)
    }

    async fn service_names(&mut self, step: &mut Step<'_, '_>) -> Vec<String> {
        match self.tool(step, "office_info", json!({})).await {
            Ok(info) => info.result["services"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .filter_map(|s| s["name"].as_str().map(|n| n.to_lowercase()))
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    async fn search(
        &mut self,
        step: &mut Step<'_, '_>,
        service: &str,
        from: NaiveDate,
        to: NaiveDate,
        part: Option<DayPart>,
        limit: u32,
    ) -> Result<Option<Vec<Offer>>, AgentError> {
        let mut args = json!({
            "appointment_type": service, "from": from.to_string(), "to": to.to_string(),
            "time_of_day": part.map_or("any", DayPart::as_str), "limit": limit,
        });
        if self.goal == Some(Intent::Reschedule) {
            // The appointment being moved does not block its own new time.
            args["limit"] = json!(limit + 1);
        }
        match self.tool(step, "find_slots", args).await {
            Ok(found) => {
                self.service_label = found.result["appointment_type"]
                    .as_str()
                    .map(str::to_lowercase);
                let mut offers = offers_from(&found.result, self.target.as_ref());
                offers.truncate(limit as usize);
                Ok(Some(offers))
            }
            Err(ToolError::Refused(message)) if message.starts_with("no service") => {
                self.service = None;
                self.service_label = None;
                let names = self.service_names(step).await;
                step.voice.say(&format!(
                    "I'm sorry, I'm not sure which service you mean. We offer {}.",
                    list(&names, "and")
                ))?;
                step.voice.say("Which would you like?")?;
                self.awaiting = Awaiting::Service;
                Ok(None)
            }
            Err(err) => {
                tracing::warn!(call_id = %step.turn.call_id, error = %err, "slot search failed");
                step.voice
                    .say("I'm sorry, I can't reach the schedule right now.")?;
                self.awaiting = Awaiting::AnythingElse;
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                Ok(None)
            }
        }
    }

    async fn offer(&mut self, step: &mut Step<'_, '_>, service: &str) -> Outcome {
        let from = self.date.unwrap_or(step.today).max(step.today);
        let to = if self.date.is_some() {
            from
        } else {
            from + Duration::days(13)
        };
        let Some(mut offers) = self
            .search(
                step,
                service,
                from,
                to,
                self.part,
                if self.time.is_some() { 10 } else { 3 },
            )
            .await?
        else {
            return Ok(Ending::Continue);
        };
        // A named time: take it if it is open, else the closest.
        if let Some(time) = self.time {
            if let Some(exact) = offers.iter().find(|o| o.time == time).cloned() {
                self.offered = vec![exact.clone()];
                self.chosen = Some(exact);
                return Box::pin(self.advance_booking(step)).await;
            }
            offers.sort_by_key(|o| (o.time - time).num_minutes().abs());
            offers.truncate(3);
            offers.sort_by_key(|o| (o.date, o.time));
            if !offers.is_empty() {
                step.voice
                    .say(&format!("{} isn't available.", tools::spoken_time(time)))?;
            }
        }
        if offers.is_empty() && self.date.is_some() {
            let day = self.date.map(tools::spoken_date).unwrap_or_default();
            let part = self
                .part
                .map(|p| format!(" in the {}", p.as_str()))
                .unwrap_or_default();
            step.voice.say(&format!(
                "I'm sorry, there's nothing open for {} on {day}{part}.",
                with_article(&self.label(service))
            ))?;
            let next_from = from + Duration::days(1);
            if let Some(later) = self
                .search(
                    step,
                    service,
                    next_from,
                    next_from + Duration::days(13),
                    self.part,
                    3,
                )
                .await?
            {
                offers = later;
            }
            if !offers.is_empty() {
                step.voice.say("The next openings are:")?;
            }
        }
        if offers.is_empty() {
            step.voice.say(&format!(
                "I'm sorry, I don't have any openings for {} in the next two weeks.",
                with_article(&self.label(service))
            ))?;
            step.voice
                .say("The front desk may be able to fit you in or put you on the waiting list.")?;
            self.finish_goal();
            step.voice
                .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
            return Ok(Ending::Continue);
        }
        self.offered = offers;
        self.chosen = None;
        step.voice.say(&format!(
            "I have {}. Which works best for you?",
            self.offer_list()
        ))?;
        self.awaiting = Awaiting::Choice;
        Ok(Ending::Continue)
    }

    async fn earlier_or_later(&mut self, step: &mut Step<'_, '_>, earlier: bool) -> Outcome {
        let Some(service) = self.service.clone() else {
            return self.advance(step).await;
        };
        let (first, last) = match (self.offered.first(), self.offered.last()) {
            (Some(first), Some(last)) => (first.clone(), last.clone()),
            _ => return self.advance(step).await,
        };
        let (from, to) = if earlier {
            (step.today, first.date)
        } else {
            (last.date, last.date + Duration::days(13))
        };
        let Some(found) = self.search(step, &service, from, to, None, 10).await? else {
            return Ok(Ending::Continue);
        };
        let start_of = |o: &Offer| o.start.parse::<DateTime<Utc>>().ok();
        let (first_start, last_start) = (start_of(&first), start_of(&last));
        let mut next: Vec<Offer> = found
            .into_iter()
            .filter(|o| {
                if earlier {
                    start_of(o) < first_start
                } else {
                    start_of(o) > last_start
                }
            })
            .collect();
        next.truncate(3);
        if next.is_empty() {
            step.voice.say(if earlier {
                "I'm sorry, that's the earliest I have."
            } else {
                "I'm sorry, I don't have anything later than that."
            })?;
            step.voice.say(&format!(
                "I have {}. Would one of those work?",
                self.offer_list()
            ))?;
            return Ok(Ending::Continue);
        }
        self.offered = next;
        step.voice.say(&format!(
            "{} I have {}. Which works best?",
            if earlier {
                "Sure, earlier,"
            } else {
                "Sure, later,"
            },
            self.offer_list()
        ))?;
        Ok(Ending::Continue)
    }

    async fn commit(&mut self, step: &mut Step<'_, '_>) -> Outcome {
        let (Some(chosen), Some(service)) = (self.chosen.clone(), self.service.clone()) else {
            return self.advance(step).await;
        };
        let rescheduling = self.goal == Some(Intent::Reschedule);
        let result = match (&self.target, rescheduling) {
            (Some(target), true) => {
                let args = json!({"appointment_id": target.id, "start": chosen.start, "provider_id": chosen.provider_id});
                self.tool(step, "reschedule_appointment", args).await
            }
            _ => {
                let args = json!({"appointment_type": service, "provider_id": chosen.provider_id, "start": chosen.start});
                self.tool(step, "book_appointment", args).await
            }
        };
        match result {
            Ok(_) => {
                if rescheduling {
                    step.voice.say(&format!(
                        "Done. Your {} is now on {} with {}.",
                        self.label(&service),
                        chosen.spoken,
                        chosen.provider
                    ))?;
                } else {
                    step.voice.say(&format!(
                        "You're all set for {} with {} on {}.",
                        with_article(&self.label(&service)),
                        chosen.provider,
                        chosen.spoken
                    ))?;
                }
                self.finish_goal();
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                Ok(Ending::Continue)
            }
            Err(ToolError::Refused(message)) => {
                tracing::info!(call_id = %step.turn.call_id, reason = %message, "booking refused");
                step.voice.say("I'm sorry, that time was just taken.")?;
                self.offered.clear();
                self.chosen = None;
                self.time = None;
                self.date = Some(chosen.date);
                self.offer(step, &service).await
            }
            Err(err) => {
                tracing::warn!(call_id = %step.turn.call_id, error = %err, "booking failed");
                step.voice
                    .say("I'm sorry, I couldn't complete that right now.")?;
                self.awaiting = Awaiting::Confirm;
                step.voice.say("Would you like me to try again?")?;
                Ok(Ending::Continue)
            }
        }
    }

    async fn cancel(&mut self, step: &mut Step<'_, '_>) -> Outcome {
        let Some(target) = self.target.clone() else {
            return self.advance(step).await;
        };
        match self
            .tool(
                step,
                "cancel_appointment",
                json!({"appointment_id": target.id}),
            )
            .await
        {
            Ok(done) => {
                step.voice.say(&format!(
                    "Your {} on {} is cancelled.",
                    target.kind.to_lowercase(),
                    target.spoken
                ))?;
                if let Some(policy) = done.result["cancellation_policy"].as_str() {
                    step.voice.say(policy)?;
                }
                self.finish_goal();
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                Ok(Ending::Continue)
            }
            Err(_) => {
                step.voice
                    .say("I'm sorry, I couldn't cancel it right now.")?;
                self.finish_goal();
                step.voice
                    .say(&step.phrases.or("anything_else", ANYTHING_ELSE))?;
                Ok(Ending::Continue)
            }
        }
    }
}

/// The patient's first name when a find_patient result verified the caller.
fn verified_first_name(found: &Value) -> Option<&str> {
    (found["verified"] == true).then(|| found["patient"]["first_name"].as_str().unwrap_or(""))
}

fn offers_from(result: &Value, moving: Option<&Booked>) -> Vec<Offer> {
    result["slots"]
        .as_array()
        .map(|slots| {
            slots
                .iter()
                .filter_map(|s| {
                    Some(Offer {
                        start: s["start"].as_str()?.to_owned(),
                        spoken: s["spoken"].as_str()?.to_owned(),
                        provider_id: s["provider_id"].as_str()?.to_owned(),
                        provider: s["provider"].as_str().unwrap_or("").to_owned(),
                        date: s["date"].as_str()?.parse().ok()?,
                        time: NaiveTime::parse_from_str(s["time"].as_str()?, "%H:%M").ok()?,
                    })
                })
                .filter(|o| moving.is_none_or(|m| m.spoken != o.spoken))
                .collect()
        })
        .unwrap_or_default()
}

/// "a cleaning", "an emergency visit".
fn with_article(noun: &str) -> String {
    let noun = noun.to_lowercase();
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// "a, b and c"
fn list(items: &[String], last_joiner: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {last_joiner} {last}", init.join(", ")),
    }
}

fn full_day(short: &str) -> String {
    match short {
        "Mon" => "Monday",
        "Tue" => "Tuesday",
        "Wed" => "Wednesday",
        "Thu" => "Thursday",
        "Fri" => "Friday",
        "Sat" => "Saturday",
        "Sun" => "Sunday",
        other => other,
    }
    .to_owned()
}

/// "+15552010100" → "555-201-0100", for speech.
fn spoken_phone(e164: &str) -> String {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        11 if digits.starts_with('1') => {
            format!("{}-{}-{}", &digits[1..4], &digits[4..7], &digits[7..])
        }
        _ => e164.to_owned(),
    }
}
