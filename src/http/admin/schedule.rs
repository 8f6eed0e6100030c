//! A clinic's appointments laid out per provider, with the names staff read: shared by Today
//! and the calendar.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::AdminError;
use super::view::clock;
use crate::booking::{Appointment, AppointmentStatus, Catalogue, PatientId};
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
    let (appointments, names) = state
        .scheduler
        .appointments_with_names(org, from, to)
        .await?;
    Ok(lay_out(org, catalogue, &appointments, &names))
}

/// Several days in one read: each day's columns, in order.
pub async fn days(
    state: &AppState,
    org: &Organization,
    catalogue: &Catalogue,
    days: &[(NaiveDate, DateTime<Utc>, DateTime<Utc>)],
) -> Result<Vec<Vec<Column>>, AdminError> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(Vec::new());
    };
    let (appointments, names) = state
        .scheduler
        .appointments_with_names(org, first.1, last.2)
        .await?;
    Ok(days
        .iter()
        .map(|(_, from, to)| {
            let of_day: Vec<Appointment> = appointments
                .iter()
                .filter(|a| a.start >= *from && a.start < *to)
                .cloned()
                .collect();
            lay_out(org, catalogue, &of_day, &names)
        })
        .collect())
}

fn lay_out(
    org: &Organization,
    catalogue: &Catalogue,
    appointments: &[Appointment],
    names: &HashMap<PatientId, String>,
) -> Vec<Column> {
    let zone = org.time_zone.tz();
    let mut columns: Vec<Column> = catalogue
        .providers
        .iter()
        .map(|p| Column {
            provider: p.name.clone(),
            rows: Vec::new(),
        })
        .collect();
    for appointment in appointments {
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
    columns
}
