//! Appointments and slots with the names people read beside their ids, for the Booking API
//! and the CLI. A listing's names come in one joined query, never one per appointment.

use std::collections::HashMap;

use super::{Scheduler, ServiceError};
use crate::booking::{
    Appointment, AppointmentFilter, AppointmentId, AppointmentNames, NamedAppointment, NamedSlot,
    Slot,
};
use crate::store::NamesOf;
use crate::tenancy::Organization;

impl Scheduler {
    /// The appointments `filter` lists, each with its names, in one read.
    pub async fn named_appointments(
        &self,
        org: &Organization,
        filter: AppointmentFilter,
    ) -> Result<Vec<NamedAppointment>, ServiceError> {
        let mut tx = self.read(org).await?;
        if let AppointmentFilter::Patient(patient) = filter
            && tx.patient(patient).await?.is_none()
        {
            return Err(ServiceError::NotFound("patient"));
        }
        let appointments = tx.appointments(filter).await?;
        let mut names: HashMap<AppointmentId, AppointmentNames> = tx
            .appointment_names(NamesOf::Listed(filter))
            .await?
            .into_iter()
            .collect();
        Ok(appointments
            .into_iter()
            .map(|appointment| NamedAppointment {
                names: names.remove(&appointment.id).unwrap_or_default(),
                appointment,
            })
            .collect())
    }

    pub async fn named_appointment(
        &self,
        org: &Organization,
        id: AppointmentId,
    ) -> Result<NamedAppointment, ServiceError> {
        let appointment = self.appointment(org, id).await?;
        self.with_names(org, appointment).await
    }

    /// `appointment` (as a write left it) with its names.
    pub async fn with_names(
        &self,
        org: &Organization,
        appointment: Appointment,
    ) -> Result<NamedAppointment, ServiceError> {
        let mut tx = self.read(org).await?;
        let names = tx
            .appointment_names(NamesOf::One(appointment.id))
            .await?
            .into_iter()
            .next()
            .map(|(_, names)| names)
            .unwrap_or_default();
        Ok(NamedAppointment { appointment, names })
    }

    /// `slots` with their providers' and chairs' names (the clinic's, read once).
    pub async fn name_slots(
        &self,
        org: &Organization,
        slots: Vec<Slot>,
    ) -> Result<Vec<NamedSlot>, ServiceError> {
        let mut tx = self.read(org).await?;
        let providers: HashMap<_, _> = tx
            .providers()
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let operatories: HashMap<_, _> = tx
            .operatories()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok(slots
            .into_iter()
            .map(|slot| NamedSlot {
                provider_name: providers.get(&slot.provider).cloned().unwrap_or_default(),
                operatory_name: operatories
                    .get(&slot.operatory)
                    .cloned()
                    .unwrap_or_default(),
                slot,
            })
            .collect())
    }
}
