//! Calls a person at the front desk should follow up: the caller asked for the front desk, or
//! looked for a time to come in and hung up without one. A message taken in a call stands for
//! that call (messages are listed on their own), and a call staff marked done is not listed.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpReason {
    /// The caller asked for a person; `put_through` when the transfer was made.
    Transfer { put_through: bool },
    /// Slots were looked up (or a booking proposed) and nothing was booked or changed.
    Unbooked,
}

impl FollowUpReason {
    /// A short name, for staff and their record of actions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transfer { .. } => "transfer",
            Self::Unbooked => "no booking",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFollowUp {
    pub call_id: String,
    /// The number the call came from, when known.
    pub caller: Option<String>,
    pub started: Option<DateTime<Utc>>,
    pub reason: FollowUpReason,
}

/// What one call left in its record that says whether it wants a person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallTrail {
    /// Retell reported a transfer, or the transfer tool succeeded.
    pub transferred: bool,
    /// The transfer tool was called at all.
    pub asked_transfer: bool,
    /// find_slots or book_appointment was called.
    pub wanted_booking: bool,
    /// A proposal was confirmed (a booking, a move or a cancellation was carried out).
    pub confirmed: bool,
    /// An appointment was booked in the call.
    pub booked: bool,
    /// A message was taken in the call.
    pub message: bool,
}

impl CallTrail {
    pub fn reason(&self) -> Option<FollowUpReason> {
        if self.message {
            return None;
        }
        if self.transferred || self.asked_transfer {
            return Some(FollowUpReason::Transfer {
                put_through: self.transferred,
            });
        }
        (self.wanted_booking && !self.booked && !self.confirmed).then_some(FollowUpReason::Unbooked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_call_left_says_why_it_wants_a_person() {
        let none = CallTrail::default();
        assert_eq!(none.reason(), None);
        let looked = CallTrail {
            wanted_booking: true,
            ..none
        };
        assert_eq!(looked.reason(), Some(FollowUpReason::Unbooked));
        for done in [
            CallTrail {
                booked: true,
                ..looked
            },
            CallTrail {
                confirmed: true,
                ..looked
            },
            CallTrail {
                message: true,
                ..looked
            },
        ] {
            assert_eq!(done.reason(), None, "{done:?}");
        }
        let asked = CallTrail {
            asked_transfer: true,
            wanted_booking: true,
            ..none
        };
        assert_eq!(
            asked.reason(),
            Some(FollowUpReason::Transfer { put_through: false })
        );
        let transferred = CallTrail {
            transferred: true,
            ..none
        };
        assert_eq!(
            transferred.reason(),
            Some(FollowUpReason::Transfer { put_through: true })
        );
    }
}
