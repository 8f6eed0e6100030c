//! `ascendia calls list SLUG`: a clinic's call history from the terminal.

use chrono::{DateTime, NaiveDate};
use clap::Subcommand;

use crate::config::Settings;

#[derive(Subcommand)]
pub enum CallsCommand {
    /// List a clinic's calls, newest first.
    List {
        slug: String,
        /// From this date (the clinic's), YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// To this date, inclusive.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

pub async fn run(command: CallsCommand, settings: &Settings) -> Result<(), String> {
    let store = crate::booking::open_store(
        &settings.database_url,
        settings.admin_database_url.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let CallsCommand::List {
        slug,
        from,
        to,
        limit,
    } = command;
    let org = store.require_org(&slug).await.map_err(|e| e.to_string())?;
    let zone = org.time_zone.tz();
    let day = |raw: &str| -> Result<NaiveDate, String> {
        crate::booking::parse_date(raw, "date").map_err(|e| e.to_string())
    };
    let from = from.as_deref().map(day).transpose()?;
    let to = to.as_deref().map(day).transpose()?;
    let (from_ms, to_ms) = crate::booking::days_in_ms(from, to, zone)
        .map_err(|date| format!("date {date} is out of range"))?;
    let calls = crate::calls::CallLog::new(store)
        .list(org.id, from_ms, to_ms, limit.clamp(1, 1000), 0)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{:<34}  {:<20}  {:>8}  {:<10}  {:<20}  {:<9}  EVENTS",
        "CALL ID", "STARTED", "SECONDS", "STATUS", "ENDED BECAUSE", "ENDED BY"
    );
    for call in &calls {
        let started = call
            .start_ms
            .and_then(DateTime::from_timestamp_millis)
            .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        println!(
            "{:<34}  {:<20}  {:>8}  {:<10}  {:<20}  {:<9}  {}",
            call.call_id,
            started,
            call.duration_ms
                .map(|d| (d / 1000).to_string())
                .unwrap_or_default(),
            call.call_status.as_deref().unwrap_or(""),
            call.disconnection_reason.as_deref().unwrap_or(""),
            call.ended_by.as_deref().unwrap_or(""),
            call.events.join(",")
        );
    }
    if calls.is_empty() {
        println!("(no calls)");
    }
    Ok(())
}
