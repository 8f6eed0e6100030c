//! The rule below both agents: a booking, move or cancellation happens only after the caller's
//! latest words are a clear yes to a read-back of exactly those details. Proposing returns the
//! read-back and a token; confirming checks the call's transcript (Retell's record of what was
//! actually said) and then runs the proposal as it was read back, never new arguments.

use chrono::{DateTime, Utc};

use super::contract::{ActionKind, NotConfirmed};
use crate::agent::understand::{self, Consent, Expecting};
use crate::booking::{AppointmentId, AppointmentTypeId, PatientId, ProviderId};
use crate::retell::frames::{Role, Utterance};

/// What a confirmed proposal does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Book {
        appointment_type: AppointmentTypeId,
        provider: ProviderId,
        start: DateTime<Utc>,
        note: Option<String>,
    },
    Reschedule {
        appointment: AppointmentId,
        start: DateTime<Utc>,
        provider: Option<ProviderId>,
    },
    Cancel {
        appointment: AppointmentId,
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Proposal {
    token: String,
    action: Action,
    readback: String,
}

/// What one call has proven and proposed. Kept for the whole call, by whichever agent runs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallGuard {
    /// The patient the caller proved to be (phone on file, or name and birth date).
    pub patient: Option<PatientId>,
    proposal: Option<Proposal>,
    proposals_made: u32,
}

impl CallGuard {
    /// A call whose caller has already proven to be `patient`.
    pub fn verified(patient: PatientId) -> Self {
        Self {
            patient: Some(patient),
            ..Self::default()
        }
    }

    /// Whom the caller has now proven to be. Another patient (or nobody) withdraws what was
    /// proposed for the one before.
    pub fn set_patient(&mut self, patient: Option<PatientId>) {
        if self.patient != patient {
            self.proposal = None;
        }
        self.patient = patient;
    }

    /// Replaces any earlier proposal; returns its token.
    pub fn propose(&mut self, action: Action, readback: String) -> String {
        self.proposals_made += 1;
        let token = format!("confirm-{}", self.proposals_made);
        self.proposal = Some(Proposal {
            token: token.clone(),
            action,
            readback,
        });
        token
    }

    /// The proposal for `token`, if the caller's latest words are a clear yes to its read-back
    /// as the caller heard it. A no or a hesitation withdraws it.
    pub fn confirm(
        &mut self,
        token: &str,
        transcript: &[Utterance],
    ) -> Result<Action, NotConfirmed> {
        let proposal = self
            .proposal
            .as_ref()
            .filter(|p| p.token == token)
            .ok_or(NotConfirmed::NoProposal)?;
        let verdict = answer_to(proposal.action.kind(), &proposal.readback, transcript);
        match verdict {
            Ok(()) => {
                let action = proposal.action.clone();
                self.proposal = None;
                Ok(action)
            }
            Err(NotConfirmed::CallerDeclined) => {
                self.proposal = None;
                Err(NotConfirmed::CallerDeclined)
            }
            Err(other) => Err(other),
        }
    }

    /// Drops a pending proposal (the caller moved on).
    pub fn withdraw(&mut self) {
        self.proposal = None;
    }

    pub fn pending_token(&self) -> Option<&str> {
        self.proposal.as_ref().map(|p| p.token.as_str())
    }
}

/// Whether the transcript ends with the caller's clear yes right after the agent said
/// `readback` (all of it: a read-back cut off by the caller does not count).
fn answer_to(
    kind: ActionKind,
    readback: &str,
    transcript: &[Utterance],
) -> Result<(), NotConfirmed> {
    let answer_starts = transcript
        .iter()
        .rposition(|u| u.role == Role::Agent)
        .map_or(0, |i| i + 1);
    let answer: Vec<&str> = transcript[answer_starts..]
        .iter()
        .filter(|u| u.role == Role::User)
        .map(|u| u.content.as_str())
        .collect();
    if answer.is_empty() {
        return Err(NotConfirmed::NoAnswer);
    }
    let read_back = answer_starts
        .checked_sub(1)
        .and_then(|i| transcript.get(i))
        .is_some_and(|agent| plain(&agent.content).contains(&plain(readback)));
    if !read_back {
        return Err(NotConfirmed::ReadbackNotSpoken);
    }
    match consent_to(kind, &answer.join(" ")) {
        Some(Consent::Yes) => Ok(()),
        Some(Consent::No | Consent::Hold) => Err(NotConfirmed::CallerDeclined),
        None => Err(NotConfirmed::NotClear),
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Book { .. } => ActionKind::Book,
            Action::Reschedule { .. } => ActionKind::Reschedule,
            Action::Cancel { .. } => ActionKind::Cancel,
        }
    }
}

/// How the caller answered the read-back of `kind`: the action's own verb is agreement
/// ("yes, cancel it" to a cancellation), while every negation or hesitation still counts.
pub fn consent_to(kind: ActionKind, said: &str) -> Option<Consent> {
    let verbs: &[&str] = match kind {
        ActionKind::Book => &["book", "schedule"],
        ActionKind::Reschedule => &["move", "reschedule", "change"],
        ActionKind::Cancel => &["cancel"],
    };
    let said: Vec<String> = said
        .split_whitespace()
        .map(|word| {
            let bare = word
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if verbs.contains(&bare.as_str()) {
                "yes".to_owned()
            } else {
                word.to_owned()
            }
        })
        .collect();
    consent(&said.join(" "))
}

/// How the caller answered a yes/no question.
pub fn consent(said: &str) -> Option<Consent> {
    let today = chrono::NaiveDate::default();
    let ctx = understand::Context {
        today,
        expecting: Expecting::Confirm,
        providers: &[],
    };
    understand::hear(said, &ctx).consent
}

/// Lowercase letters and digits, one space between words: what TTS and transcripts keep.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(lines: &[(Role, &str)]) -> Vec<Utterance> {
        lines
            .iter()
            .map(|(role, text)| Utterance {
                role: *role,
                content: (*text).to_owned(),
            })
            .collect()
    }

    const READBACK: &str = "To confirm, that's a cleaning with Maria Lopez on Tuesday, December 8 at 9 AM. Shall I book it?";

    fn guard() -> (CallGuard, String) {
        let mut guard = CallGuard::default();
        let token = guard.propose(
            Action::Cancel {
                appointment: AppointmentId::new_random(),
                reason: None,
            },
            READBACK.to_owned(),
        );
        (guard, token)
    }

    #[test]
    fn a_clear_yes_right_after_the_full_readback_confirms_once() {
        let (mut guard, token) = guard();
        let transcript = said(&[
            (Role::User, "a cleaning please"),
            (Role::Agent, &format!("Great. {READBACK}")),
            (Role::User, "Yes, please."),
        ]);
        assert!(guard.confirm(&token, &transcript).is_ok());
        assert_eq!(
            guard.confirm(&token, &transcript),
            Err(NotConfirmed::NoProposal),
            "a proposal runs once"
        );
    }

    #[test]
    fn no_readback_no_answer_or_another_token_do_not_confirm() {
        let (mut guard, token) = guard();
        let cut_off = said(&[
            (Role::Agent, "To confirm, that's a cleaning with Maria"),
            (Role::User, "yes"),
        ]);
        assert_eq!(
            guard.confirm(&token, &cut_off),
            Err(NotConfirmed::ReadbackNotSpoken)
        );
        let unanswered = said(&[(Role::User, "yes"), (Role::Agent, READBACK)]);
        assert_eq!(
            guard.confirm(&token, &unanswered),
            Err(NotConfirmed::NoAnswer)
        );
        let moved_on = said(&[
            (Role::Agent, READBACK),
            (Role::User, "what are your hours"),
            (Role::Agent, "We're open nine to five."),
            (Role::User, "yes"),
        ]);
        assert_eq!(
            guard.confirm(&token, &moved_on),
            Err(NotConfirmed::ReadbackNotSpoken)
        );
        let answered = said(&[(Role::Agent, READBACK), (Role::User, "yes")]);
        assert_eq!(
            guard.confirm("confirm-99", &answered),
            Err(NotConfirmed::NoProposal)
        );
        assert!(guard.confirm(&token, &answered).is_ok());
    }

    #[test]
    fn a_no_or_a_hesitation_withdraws_the_proposal() {
        for answer in [
            "No, don't book it yet.",
            "Wait, hold on.",
            "yes... actually no",
            "hmm, let me check my calendar first",
        ] {
            let (mut guard, token) = guard();
            let transcript = said(&[(Role::Agent, READBACK), (Role::User, answer)]);
            assert_eq!(
                guard.confirm(&token, &transcript),
                Err(NotConfirmed::CallerDeclined),
                "{answer}"
            );
            assert_eq!(guard.pending_token(), None, "{answer}");
        }
    }

    #[test]
    fn the_actions_own_verb_agrees_but_a_negation_still_declines() {
        let said = |s| consent_to(ActionKind::Cancel, s);
        assert_eq!(said("Yes, cancel it."), Some(Consent::Yes));
        assert_eq!(said("cancel it please"), Some(Consent::Yes));
        assert_eq!(said("no, don't cancel it"), Some(Consent::No));
        assert_ne!(said("wait, don't cancel yet"), Some(Consent::Yes));
        assert_eq!(
            consent_to(ActionKind::Book, "yes, book it"),
            Some(Consent::Yes)
        );
        assert_ne!(
            consent_to(ActionKind::Book, "don't book it yet"),
            Some(Consent::Yes)
        );
    }

    #[test]
    fn the_whole_answer_counts_when_the_caller_spoke_twice() {
        let (mut guard, token) = guard();
        let transcript = said(&[
            (Role::Agent, READBACK),
            (Role::User, "yes"),
            (Role::User, "oh wait, no"),
        ]);
        assert_eq!(
            guard.confirm(&token, &transcript),
            Err(NotConfirmed::CallerDeclined)
        );
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        const OPENERS: &[&str] = &["", "um, ", "uh ", "okay, ", "oh, ", "well, ", "so "];
        const YES: &[&str] = &[
            "yes",
            "yeah",
            "yep",
            "sure",
            "correct",
            "that's right",
            "sounds good",
            "perfect",
            "yes please",
            "go ahead",
            "that works",
            "absolutely",
            "mm-hmm",
            "yes, book it",
            "that's perfect, thank you",
        ];
        const NOT_YES: &[&str] = &[
            "no",
            "nope",
            "not yet",
            "don't",
            "don't book it",
            "wait",
            "hold on",
            "actually",
            "hmm, let me think",
            "I'm not sure",
            "maybe",
            "I guess",
            "one second",
            "let me check my calendar",
            "can it be later",
            "not that one",
            "no thanks",
            "never mind",
            "I changed my mind",
            "hang on",
        ];

        fn answer_strategy(tail: &'static [&'static str]) -> impl Strategy<Value = String> {
            (
                prop::sample::select(OPENERS),
                prop::sample::select(YES),
                prop::sample::select(tail),
                any::<bool>(),
            )
                .prop_map(|(opener, yes, tail, tail_first)| {
                    if tail_first {
                        format!("{opener}{tail}, {yes}")
                    } else {
                        format!("{opener}{yes}, {tail}")
                    }
                })
        }

        fn confirmed(answer: &str) -> bool {
            let (mut guard, token) = guard();
            let transcript = said(&[(Role::Agent, READBACK), (Role::User, answer)]);
            guard.confirm(&token, &transcript).is_ok()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]

            /// A yes with any negation or hesitation, before or after it, books nothing.
            #[test]
            fn a_hedged_or_negated_answer_never_confirms(answer in answer_strategy(NOT_YES)) {
                prop_assert!(!confirmed(&answer), "confirmed: {answer}");
            }

            #[test]
            fn a_plain_yes_confirms(
                opener in prop::sample::select(OPENERS),
                yes in prop::sample::select(YES),
            ) {
                let answer = format!("{opener}{yes}.");
                prop_assert!(confirmed(&answer), "not confirmed: {answer}");
            }
        }
    }
}
