//! A clinic's own settings: where it is, how callers reach a person, and its booking rules.

use serde::{Deserialize, Serialize};

use super::{BookingRules, PhoneNumber};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClinicSettings {
    pub address: Option<String>,
    pub phone: Option<PhoneNumber>,
    /// Where "let me put you through to the front desk" goes (Retell `transfer_number`).
    pub transfer_number: Option<PhoneNumber>,
    pub cancellation_policy: Option<String>,
    pub rules: BookingRules,
}
