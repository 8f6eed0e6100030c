//! Why the caller called: to book, reschedule, cancel or check an appointment.

use super::heard::Intent;
use super::lexicon::{CANT_MAKE_IT, INTENTS, NOT_INTENTS};
use super::text::has_any;

/// The intent the words state; a named service or symptom without one means booking, which
/// `hear` decides once services are known.
pub fn intent(text: &str) -> Option<Intent> {
    // "What's your cancellation policy?" asks about cancelling; it does not cancel.
    if has_any(text, NOT_INTENTS) {
        return None;
    }
    // "I can't make it Tuesday, can we do another day": a move, even without "reschedule".
    // With "cancel" it is a cancellation; alone, a move (the gentler reading; the dialogue
    // confirms either way).
    if has_any(text, CANT_MAKE_IT) && !has_any(text, &["cancel", "cancellation"]) {
        return Some(Intent::Reschedule);
    }
    // "Cancel it, I'll call to rebook later": a cancellation now, a booking some other day.
    if has_any(text, &["cancel"])
        && has_any(
            text,
            &[
                "call to rebook",
                "call to reschedule",
                "call back to reschedule",
                "call back to rebook",
                "rebook later",
                "reschedule later",
                "call back later",
                "i'll call back",
            ],
        )
    {
        return Some(Intent::Cancel);
    }
    INTENTS
        .iter()
        .find(|(_, phrases)| has_any(text, phrases))
        .map(|(intent, _)| *intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(said: &str) -> Option<Intent> {
        intent(&crate::agent::understand::text::words(said).text)
    }

    #[test]
    fn intents_in_many_phrasings() {
        for said in [
            "I need to come in",
            "Can I get in this week?",
            "Do you have anything Thursday?",
            "I'd like to see the dentist",
            "I want to book a cleaning",
            "Can I make an appointment",
            "Hola, necesito una cita",
        ] {
            assert_eq!(i(said), Some(Intent::Book), "{said}");
        }
        for said in [
            "Can you move it?",
            "can you move it to Friday instead",
            "I need to push it back a week",
            "I'd like to change my appointment",
            "I can't make it Tuesday, can we do another day",
            "I need to reschedule",
        ] {
            assert_eq!(i(said), Some(Intent::Reschedule), "{said}");
        }
        for said in [
            "Cancel",
            "I won't be able to make it, please cancel",
            "I need to cancel my cleaning",
        ] {
            assert_eq!(i(said), Some(Intent::Cancel), "{said}");
        }
        for said in [
            "When is my appointment?",
            "Do I have something coming up?",
            "What time is my cleaning",
            "i forgot when my appointment is, can you check for me",
            "i forgot what time my appointment is",
            "does he have anything coming up this week",
        ] {
            assert_eq!(i(said), Some(Intent::Check), "{said}");
        }
        // Days ruled out are no reason to move anything.
        assert_eq!(
            i("i need a cleaning but i can't do mondays"),
            Some(Intent::Book)
        );
        assert_eq!(
            i("i need to cancel my appointment i'll call to rebook later"),
            Some(Intent::Cancel)
        );
        assert_eq!(i("Can you fix my car?"), None);
        assert_eq!(i("What's your cancellation policy?"), None);
        assert_eq!(
            i("My appointment is Tuesday but I need to change it"),
            Some(Intent::Reschedule)
        );
        assert_eq!(i("What are your hours?"), None);
    }
}
