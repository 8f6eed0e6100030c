//! The names people read beside an appointment's or a slot's ids: the patient, the provider,
//! the chair (operatory) and the type. Answers carry them next to the ids, which stay as they
//! were.

use serde::Serialize;

use super::{Appointment, Slot};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppointmentNames {
    /// "First Last".
    pub patient_name: String,
    pub provider_name: String,
    pub operatory_name: String,
    pub appointment_type_name: String,
}

/// An appointment with the names of what it refers to.
#[derive(Debug, Clone, Serialize)]
pub struct NamedAppointment {
    #[serde(flatten)]
    pub appointment: Appointment,
    #[serde(flatten)]
    pub names: AppointmentNames,
}

/// A slot with its provider's and chair's names.
#[derive(Debug, Clone, Serialize)]
pub struct NamedSlot {
    #[serde(flatten)]
    pub slot: Slot,
    pub provider_name: String,
    pub operatory_name: String,
}
