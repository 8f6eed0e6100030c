//! `ascendia appointments list SLUG [--date DATE]`: a clinic's day from the terminal, with the
//! names staff read. Names go to the operator's terminal only, never to the log.

use chrono::{Duration, NaiveDate, Utc};
use clap::Subcommand;

use crate::booking::{AppointmentFilter, NamedAppointment, Scheduler, day_start, parse_date};
use crate::config::Settings;
use crate::tenancy::Organization;

#[derive(Subcommand)]
pub enum AppointmentsCommand {
    /// List a clinic's appointments of one day, in time order (cancelled ones too).
    List {
        slug: String,
        /// The clinic's date, YYYY-MM-DD (default: today in the clinic's time zone).
        #[arg(long)]
        date: Option<String>,
    },
}

pub async fn run(command: AppointmentsCommand, settings: &Settings) -> Result<(), String> {
    let store = crate::booking::open_store(
        &settings.database_url,
        settings.admin_database_url.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let AppointmentsCommand::List { slug, date } = command;
    let org = store.require_org(&slug).await.map_err(|e| e.to_string())?;
    let date = match date.as_deref() {
        Some(raw) => parse_date(raw, "date").map_err(|e| e.to_string())?,
        None => org.time_zone.local(Utc::now()).date_naive(),
    };
    let zone = org.time_zone.tz();
    let midnight = |date: NaiveDate| {
        day_start(date, zone).ok_or_else(|| format!("date {date} is out of range"))
    };
    let filter = AppointmentFilter::Between(midnight(date)?, midnight(date + Duration::days(1))?);
    let appointments = Scheduler::new(store)
        .named_appointments(&org, filter)
        .await
        .map_err(|e| e.to_string())?;
    print!("{}", table(&org, date, &appointments));
    Ok(())
}

/// One line per appointment, columns as wide as their longest entry.
fn table(org: &Organization, date: NaiveDate, appointments: &[NamedAppointment]) -> String {
    let zone = org.time_zone.tz();
    let mut rows = vec![[
        "TIME".to_owned(),
        "PATIENT".to_owned(),
        "PROVIDER".to_owned(),
        "CHAIR".to_owned(),
        "TYPE".to_owned(),
        "STATUS".to_owned(),
    ]];
    rows.extend(appointments.iter().map(|a| {
        let times = |t: chrono::DateTime<Utc>| t.with_timezone(&zone).format("%H:%M").to_string();
        [
            format!(
                "{}-{}",
                times(a.appointment.start),
                times(a.appointment.end)
            ),
            a.names.patient_name.clone(),
            a.names.provider_name.clone(),
            a.names.operatory_name.clone(),
            a.names.appointment_type_name.clone(),
            a.appointment.status.as_str().replace('_', " "),
        ]
    }));
    let mut widths = [0usize; 6];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = format!("{} ({}), {date}\n", org.name, org.time_zone);
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = width - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if appointments.is_empty() {
        out.push_str("(no appointments)\n");
    }
    out
}
