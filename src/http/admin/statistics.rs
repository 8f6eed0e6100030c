//! Statistics for managers and owners: calls per day, the share that booked, transfers,
//! messages, after-hours calls, average duration and the receptionist's response latency.
//! Charts are SVG drawn on the server with plotters.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use plotters::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::auth::ClinicStaff;
use super::view::Frame;
use super::{AdminError, render};
use crate::booking::{OfficeHours, days_in_ms};
use crate::calls::CallFacts;
use crate::http::AppState;
use crate::staff::Role;

/// The figures over a range of days.
#[derive(Debug, Default, PartialEq)]
pub struct Figures {
    pub calls: usize,
    pub booked: usize,
    pub transferred: usize,
    pub messages: usize,
    pub after_hours: usize,
    pub average_duration_secs: Option<i64>,
    /// The median of each call's end-to-end p50 latency, in milliseconds.
    pub latency_ms: Option<i64>,
    pub per_day: Vec<(NaiveDate, usize)>,
    /// Test lab calls: counted apart, in none of the figures above.
    pub tests: usize,
}

impl Figures {
    pub fn percent(&self, part: &usize) -> String {
        let part = *part;
        if self.calls == 0 {
            "–".into()
        } else {
            format!("{:.0}%", part as f64 * 100.0 / self.calls as f64)
        }
    }
}

/// Counts `facts` for the days `from..=to` in `zone`; pure, so it is tested without a server.
pub fn figures(
    facts: &[CallFacts],
    from: NaiveDate,
    to: NaiveDate,
    zone: Tz,
    hours: &[OfficeHours],
) -> Figures {
    let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut day = from;
    while day <= to {
        per_day.insert(day, 0);
        day += Duration::days(1);
    }
    let mut durations = Vec::new();
    let mut latencies = Vec::new();
    let mut figures = Figures::default();
    for call in facts {
        if call.test {
            figures.tests += 1;
            continue;
        }
        let Some(start) = DateTime::<Utc>::from_timestamp_millis(call.start_ms) else {
            continue;
        };
        let local = start.with_timezone(&zone);
        *per_day.entry(local.date_naive()).or_default() += 1;
        figures.calls += 1;
        figures.booked += usize::from(call.booked);
        figures.transferred += usize::from(call.transferred);
        figures.messages += usize::from(call.message);
        let open = hours.iter().any(|h| {
            h.weekday == local.weekday()
                && h.hours.start <= local.time()
                && local.time() < h.hours.end
        });
        figures.after_hours += usize::from(!open);
        if let Some(ms) = call.duration_ms.filter(|ms| *ms >= 0) {
            durations.push(ms);
        }
        if let Some(p50) = call
            .latency
            .as_ref()
            .and_then(|l| l.get("e2e"))
            .and_then(|e| e.get("p50"))
            .and_then(Value::as_f64)
        {
            latencies.push(p50 as i64);
        }
    }
    if !durations.is_empty() {
        figures.average_duration_secs =
            Some(durations.iter().sum::<i64>() / durations.len() as i64 / 1000);
    }
    if !latencies.is_empty() {
        latencies.sort_unstable();
        figures.latency_ms = Some(latencies[latencies.len() / 2]);
    }
    figures.per_day = per_day.into_iter().collect();
    figures
}

/// Calls per day as an SVG bar chart.
fn calls_chart(per_day: &[(NaiveDate, usize)]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let days = per_day.len() as u32;
        let top = per_day
            .iter()
            .map(|(_, n)| *n as u32)
            .max()
            .unwrap_or(0)
            .max(4)
            + 1;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d((0..days).into_segmented(), 0u32..top)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = per_day
            .iter()
            .map(|(d, _)| d.format("%b %-d").to_string())
            .collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(per_day.len().min(10))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .y_desc("calls")
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(RGBColor(11, 107, 203).filled())
                    .margin(3)
                    .data(
                        per_day
                            .iter()
                            .enumerate()
                            .map(|(i, (_, n))| (i as u32, *n as u32)),
                    ),
            )
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[derive(Template)]
#[template(path = "admin/statistics.html")]
struct StatisticsPage {
    frame: Frame,
    days: i64,
    range: String,
    figures: Figures,
    chart: String,
}

#[derive(Deserialize)]
pub struct RangeQuery {
    days: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Query(query): Query<RangeQuery>,
) -> Result<Response, AdminError> {
    staff.require(Role::Manager)?;
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let days = query.days.unwrap_or(30).clamp(1, 366);
    let to = org.time_zone.local(Utc::now()).date_naive();
    let from = to - Duration::days(days - 1);
    let (from_ms, to_ms) = days_in_ms(Some(from), Some(to), zone)
        .map_err(|d| AdminError::BadRequest(format!("{d} has no midnight here")))?;
    let facts = state.call_log.facts(org.id, from_ms, to_ms).await?;
    let hours = state.scheduler.catalogue(org).await?.office_hours;
    let figures = figures(&facts, from, to, zone, &hours);
    let chart = calls_chart(&figures.per_day).map_err(AdminError::Internal)?;
    Ok(render(&StatisticsPage {
        frame: Frame::new(&staff, "statistics"),
        days,
        range: format!("{} – {}", from.format("%b %-d"), to.format("%b %-d, %Y")),
        figures,
        chart,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::TimeRange;
    use chrono::{NaiveTime, TimeZone, Weekday};

    fn call(at: DateTime<Utc>, booked: bool, transferred: bool, p50: Option<f64>) -> CallFacts {
        CallFacts {
            call_id: format!("c{}", at.timestamp()),
            moved: false,
            cancelled: false,
            start_ms: at.timestamp_millis(),
            duration_ms: Some(90_000),
            transferred,
            booked,
            message: !booked,
            latency: p50.map(|p| serde_json::json!({"e2e": {"p50": p}})),
            test: false,
        }
    }

    #[test]
    fn figures_count_per_clinic_day_and_office_hours() {
        let zone: Tz = "America/New_York".parse().expect("zone");
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let at = |h, m| {
            zone.from_local_datetime(&monday.and_hms_opt(h, m, 0).expect("time"))
                .single()
                .expect("one")
                .with_timezone(&Utc)
        };
        let hours = vec![OfficeHours {
            weekday: Weekday::Mon,
            hours: TimeRange::new(
                NaiveTime::from_hms_opt(8, 0, 0).expect("t"),
                NaiveTime::from_hms_opt(17, 0, 0).expect("t"),
            )
            .expect("range"),
        }];
        let facts = vec![
            call(at(9, 0), true, false, Some(800.0)),
            call(at(16, 59), false, true, Some(1200.0)),
            // 11 PM in New York is the next day in UTC, but still Monday here, after hours.
            call(at(23, 0), false, false, None),
            // A test lab call: counted apart, in no figure.
            CallFacts {
                test: true,
                ..call(at(10, 0), true, true, Some(5000.0))
            },
        ];
        let f = figures(&facts, monday, monday + Duration::days(1), zone, &hours);
        assert_eq!(f.calls, 3);
        assert_eq!(
            (f.booked, f.transferred, f.messages, f.after_hours),
            (1, 1, 2, 1)
        );
        assert_eq!(
            f.per_day,
            vec![(monday, 3), (monday + Duration::days(1), 0)]
        );
        assert_eq!(f.average_duration_secs, Some(90));
        assert_eq!(f.latency_ms, Some(1200));
        assert_eq!(f.tests, 1);
        assert_eq!(f.percent(&f.booked), "33%");
        let svg = calls_chart(&f.per_day).expect("chart");
        assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{svg}");
    }
}
