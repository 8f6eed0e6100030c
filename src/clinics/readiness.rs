//! Is a clinic ready to take calls? A checklist worked out from facts about the clinic (what
//! the database holds, and whether the server can verify its webhooks), each item met or not,
//! with what to do next. Pure: the console's setup page, the operators' page and the CLI's
//! `org status` all read the same list.

use crate::store::{Store, StoreError};
use crate::tenancy::Organization;

/// What the database says about one clinic, read in one query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClinicFacts {
    pub office_hours: bool,
    /// An active provider with at least one weekly block.
    pub scheduled_provider: bool,
    pub active_appointment_type: bool,
    /// A call arrived over the clinic's WebSocket.
    pub websocket_call: bool,
    /// A Retell webhook event was filed under the clinic.
    pub webhook_event: bool,
    /// A Booking API key that is not revoked.
    pub active_api_key: bool,
}

/// Where a setup item is fixed: a page under the clinic's setup, by its last path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupPage {
    Hours,
    Providers,
    Types,
    Retell,
    Keys,
}

impl SetupPage {
    /// The page's segment under `/admin/{slug}/setup/`.
    pub fn segment(self) -> &'static str {
        match self {
            SetupPage::Hours => "hours",
            SetupPage::Providers => "providers",
            SetupPage::Types => "types",
            SetupPage::Retell => "retell",
            SetupPage::Keys => "keys",
        }
    }
}

/// One item of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// A short stable name, for machines (`org status --json`, tests).
    pub key: &'static str,
    pub title: &'static str,
    pub met: bool,
    /// What to do when it is not met.
    pub next_step: &'static str,
    pub fixed_on: SetupPage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub items: Vec<Item>,
}

impl Checklist {
    pub fn met(&self) -> usize {
        self.items.iter().filter(|i| i.met).count()
    }

    pub fn total(&self) -> usize {
        self.items.len()
    }

    pub fn ready(&self) -> bool {
        self.items.iter().all(|i| i.met)
    }

    pub fn unmet(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !i.met)
    }

    /// Whether callers can book: the setup items are met (the Retell and key items are not
    /// needed for that).
    pub fn can_book(&self) -> bool {
        self.items
            .iter()
            .filter(|i| i.needed_to_book())
            .all(|i| i.met)
    }
}

impl Item {
    /// Office hours, a scheduled provider and an appointment type: without them the
    /// receptionist has nothing to offer, so it does not start a booking.
    pub fn needed_to_book(&self) -> bool {
        matches!(self.key, "office_hours" | "providers" | "appointment_types")
    }
}

/// The checklist for a clinic with these facts; `webhook_key` says whether the server holds a
/// key that verifies the clinic's webhooks (the server's own, or the clinic's account's).
pub fn checklist(facts: &ClinicFacts, webhook_key: bool) -> Checklist {
    let item = |key, title, met, next_step, fixed_on| Item {
        key,
        title,
        met,
        next_step,
        fixed_on,
    };
    Checklist {
        items: vec![
            item(
                "office_hours",
                "Office hours set",
                facts.office_hours,
                "Set the days and hours the office is open.",
                SetupPage::Hours,
            ),
            item(
                "providers",
                "A provider with a weekly schedule",
                facts.scheduled_provider,
                "Add an active provider and the hours they see patients each week.",
                SetupPage::Providers,
            ),
            item(
                "appointment_types",
                "An appointment type",
                facts.active_appointment_type,
                "Add at least one active appointment type callers can book.",
                SetupPage::Types,
            ),
            item(
                "agent_connected",
                "Retell agent connected",
                facts.websocket_call,
                "Paste the clinic's WebSocket URL into its Retell agent, then place a test call.",
                SetupPage::Retell,
            ),
            item(
                "webhook_key",
                "Webhook key set",
                webhook_key,
                "Give the server the Retell API key that signs webhooks (ASCENDIA_RETELL_API_KEY, or the clinic's own under [retell_org_keys]).",
                SetupPage::Retell,
            ),
            item(
                "webhook_events",
                "Webhook events arriving",
                facts.webhook_event,
                "Set the webhook URL in the clinic's Retell agent, then place a test call.",
                SetupPage::Retell,
            ),
            item(
                "api_key",
                "Booking API key",
                facts.active_api_key,
                "Create a Booking API key for the clinic's own systems.",
                SetupPage::Keys,
            ),
        ],
    }
}

/// Reads the facts and works out the checklist.
pub async fn for_clinic(
    store: &Store,
    org: &Organization,
    webhook_key: bool,
) -> Result<Checklist, StoreError> {
    let facts = store.readiness_facts(org.id).await?;
    Ok(checklist(&facts, webhook_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_clinic_meets_nothing_and_each_fact_meets_its_item() {
        let empty = checklist(&ClinicFacts::default(), false);
        assert_eq!((empty.met(), empty.total()), (0, 7));
        assert!(!empty.ready());
        assert!(empty.unmet().all(|i| !i.next_step.is_empty()));

        let all = ClinicFacts {
            office_hours: true,
            scheduled_provider: true,
            active_appointment_type: true,
            websocket_call: true,
            webhook_event: true,
            active_api_key: true,
        };
        assert!(checklist(&all, true).ready());
        let no_key = checklist(&all, false);
        assert_eq!(
            no_key.unmet().map(|i| i.key).collect::<Vec<_>>(),
            ["webhook_key"]
        );
        assert_eq!(
            no_key.unmet().next().map(|i| i.fixed_on),
            Some(SetupPage::Retell)
        );

        let hours_only = ClinicFacts {
            office_hours: true,
            ..ClinicFacts::default()
        };
        let list = checklist(&hours_only, false);
        assert_eq!(list.met(), 1);
        assert!(list.items[0].met && list.items[0].fixed_on == SetupPage::Hours);
    }
}
