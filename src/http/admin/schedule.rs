//! A clinic's appointments laid out per provider, with the names staff read: shared by Today
//! and the calendar.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::AdminError;
use super::view::clock;
use crate::booking::{AppointmentFilter, AppointmentStatus, Catalogue};
use crate::http::AppState;
use crate::tenancy::Organization;

pub struct Row {
    pub id: String,
    pub time: String,
    pub patient: String,
    pub kind: String,
    pub chair: String,
    pub status: String,
    pub scheduled: bool,
    pub by_receptionist: bool,
}

pub struct Column {
    pub provider: String,
    pub rows: Vec<Row>,
}

/// The appointments starting in `[from, to)`, one column per provider in the clinic's order.
pub async fn columns(
    state: &AppState,
    org: &Organization,
    catalogue: &Catalogue,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Column>, AdminError> {
    let zone = org.time_zone.tz();
    let appointments = state
        .scheduler
        .appointments(org, AppointmentFilter::Between(from, to))
        .await?;
    let mut names = HashMap::new();
    for appointment in &appointments {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(appointment.patient) {
            let patient = state.scheduler.patient(org, appointment.patient).await?;
            slot.insert(format!("{} {}", patient.first_name, patient.last_name));
        }
    }
    let mut columns: Vec<Column> = catalogue
        .providers
        .iter()
        .map(|p| Column {
            provider: p.name.clone(),
            rows: Vec::new(),
        })
        .collect();
    for appointment in &appointments {
        let Some(index) = catalogue
            .providers
            .iter()
            .position(|p| p.id == appointment.provider)
        else {
            continue;
        };
        columns[index].rows.push(Row {
            id: appointment.id.to_string(),
            time: clock(appointment.start, zone),
            patient: names.get(&appointment.patient).cloned().unwrap_or_default(),
            kind: catalogue
                .appointment_types
                .iter()
                .find(|t| t.id == appointment.appointment_type)
                .map_or_else(String::new, |t| t.name.clone()),
            chair: catalogue
                .operatories
                .iter()
                .find(|o| o.id == appointment.operatory)
                .map_or_else(String::new, |o| o.name.clone()),
            status: appointment.status.as_str().replace('_', " "),
            scheduled: appointment.status == AppointmentStatus::Scheduled,
            by_receptionist: appointment.call_id.is_some(),
        });
    }
    Ok(columns)
}
