//! Slot search for a busy clinic: 10 providers, 12 operatories, 5,000 appointments over 90
//! days. Measures a 2-week search through the scheduler (SQLite load + computation), and the
//! computation alone. Run: `cargo bench --bench slot_search`.

use std::time::{Duration, Instant};

use ascendia::booking::setup::{
    self, ClinicFile, OperatoryEntry, ProviderEntry, ScheduleEntry, TypeEntry,
};
use ascendia::booking::{
    Appointment, AppointmentId, AppointmentStatus, Calendar, CalendarData, PatientId, ProviderKind,
    Scheduler, SlotQuery, SlotSearch,
};
use ascendia::store::{Store, TxMode};
use ascendia::tenancy::{NewOrganization, Slug, TimeZone};
use chrono::{DateTime, Datelike, Duration as Span, NaiveDate, Utc, Weekday};

const DAYS: i64 = 90;
const APPOINTMENTS: usize = 5_000;
const SEARCHES: usize = 300;

/// Deterministic, so runs compare.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn clinic_file() -> ClinicFile {
    let mut file = ClinicFile::parse(setup::DEMO_CLINIC).expect("demo file");
    file.name = "Bench Dental".into();
    for day in ["monday", "tuesday", "wednesday", "thursday", "friday"] {
        file.office_hours.insert(day.into(), "07:00-19:00".into());
    }
    file.operatories = (1..=12)
        .map(|i| OperatoryEntry {
            name: format!("Op {i}"),
            hygiene: i > 8,
            active: true,
        })
        .collect();
    file.providers = (1..=10)
        .map(|i| ProviderEntry {
            name: format!("Provider {i}"),
            kind: if i <= 6 {
                ProviderKind::Dentist
            } else {
                ProviderKind::Hygienist
            },
            active: true,
            schedule: vec![ScheduleEntry {
                days: ["monday", "tuesday", "wednesday", "thursday", "friday"]
                    .map(String::from)
                    .to_vec(),
                hours: "07:00-19:00".into(),
                operatory: (i % 2 == 0).then(|| format!("Op {i}")),
            }],
        })
        .collect();
    file.appointment_types = vec![
        TypeEntry {
            name: "Exam".into(),
            minutes: Some(30),
            provider_kind: Some(ProviderKind::Dentist),
            pattern: None,
            active: true,
        },
        TypeEntry {
            name: "Filling".into(),
            minutes: Some(60),
            provider_kind: Some(ProviderKind::Dentist),
            pattern: None,
            active: true,
        },
        TypeEntry {
            name: "Cleaning".into(),
            minutes: Some(60),
            provider_kind: Some(ProviderKind::Hygienist),
            pattern: None,
            active: true,
        },
        TypeEntry {
            name: "Any".into(),
            minutes: Some(45),
            provider_kind: None,
            pattern: None,
            active: true,
        },
    ];
    file.exceptions.clear();
    file
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>, slots: usize) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{name:<34} n={:<4} mean {:>7.3} ms  p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms  ({slots} slots/search on average)",
        samples.len(),
        mean.as_secs_f64() * 1e3,
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::open(&url, None).await.expect("store");
    let zone = TimeZone::parse("America/New_York").expect("zone");
    let org = store
        .create_org(
            NewOrganization::new("Bench Dental", Slug::parse("bench").expect("slug"), zone)
                .expect("org"),
        )
        .await
        .expect("create");
    let file = clinic_file();
    setup::import(&store, &org, &file).await.expect("import");

    // Day one is a Monday well ahead of now, so lead time and "today" never cut the search.
    let mut first_day = Utc::now().with_timezone(&zone.tz()).date_naive() + Span::days(7);
    while first_day.weekday() != Weekday::Mon {
        first_day += Span::days(1);
    }
    let now: DateTime<Utc> = Utc::now();
    let mut rules_file = file.clone();
    rules_file.settings.horizon_days = 200;
    setup::import(&store, &org, &rules_file)
        .await
        .expect("rules");

    // 5,000 appointments, packed into providers' days without overlaps, 2,000 patients.
    let mut rng = Lcg(42);
    let mut tx = store.clinic(org.id, TxMode::Write).await.expect("tx");
    let providers = tx.providers().await.expect("providers");
    let operatories = tx.operatories().await.expect("operatories");
    let types = tx.appointment_types().await.expect("types");
    let patients: Vec<PatientId> = (0..2_000).map(|_| PatientId::new_random()).collect();
    for (i, id) in patients.iter().enumerate() {
        let patient = ascendia::booking::Patient {
            id: *id,
            first_name: format!("P{i}"),
            last_name: "Bench".into(),
            birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).expect("date"),
            phone: None,
            email: None,
            created_at: now,
        };
        tx.insert_patient(&patient).await.expect("patient");
    }
    let mut placed = 0;
    let mut cursor: Vec<(NaiveDate, u32)> = providers.iter().map(|_| (first_day, 7 * 60)).collect();
    while placed < APPOINTMENTS {
        let p = rng.next(providers.len() as u64) as usize;
        let (day, minute) = &mut cursor[p];
        if day.weekday().number_from_monday() > 5 {
            *day += Span::days(1);
            continue;
        }
        let length = [30u32, 45, 60, 90][rng.next(4) as usize];
        let gap = 15 * rng.next(3) as u32;
        if *minute + gap + length > 19 * 60 {
            *day += Span::days(1);
            *minute = 7 * 60;
            if (*day - first_day).num_days() >= DAYS {
                *day = first_day;
            }
            continue;
        }
        let start_local = day
            .and_hms_opt((*minute + gap) / 60, (*minute + gap) % 60, 0)
            .expect("time");
        let start =
            ascendia::booking::availability::resolve(zone.tz(), start_local).expect("instant");
        *minute += gap + length;
        let appointment = Appointment {
            id: AppointmentId::new_random(),
            patient: patients[rng.next(patients.len() as u64) as usize],
            provider: providers[p].id,
            operatory: operatories[(p + rng.next(3) as usize) % operatories.len()].id,
            appointment_type: types[rng.next(types.len() as u64) as usize].id,
            start,
            end: start + Span::minutes(i64::from(length)),
            status: if rng.next(10) == 0 {
                AppointmentStatus::Cancelled
            } else {
                AppointmentStatus::Scheduled
            },
            note: None,
            source: "bench".into(),
            idempotency_key: None,
            call_id: None,
            created_at: now,
            updated_at: now,
        };
        tx.insert_appointment(&appointment)
            .await
            .expect("appointment");
        placed += 1;
    }
    tx.commit().await.expect("commit");
    println!(
        "clinic: {} providers, {} operatories, {APPOINTMENTS} appointments over {DAYS} days from {first_day}",
        providers.len(),
        operatories.len()
    );

    // For the engine-only figure: all 90 days already in memory.
    let mut tx = store.clinic(org.id, TxMode::Read).await.expect("tx");
    let all_days = CalendarData {
        office_hours: tx.office_hours().await.expect("hours"),
        providers: tx.providers().await.expect("providers"),
        operatories: tx.operatories().await.expect("ops"),
        weekly: tx.weekly_blocks().await.expect("weekly"),
        exceptions: Vec::new(),
        busy: tx
            .busy(now - Span::days(1), now + Span::days(DAYS + 30))
            .await
            .expect("busy"),
    };
    drop(tx);

    let scheduler = Scheduler::new(store.clone());
    let mut service = Vec::new();
    let mut compute = Vec::new();
    let mut total_slots = 0;
    for i in 0..SEARCHES {
        let from = first_day + Span::days(rng.next((DAYS - 14) as u64) as i64);
        let to = from + Span::days(13);
        let kind = &types[i % types.len()];
        let search = SlotSearch {
            appointment_type: kind.id,
            from,
            to,
            provider: None,
            patient: Some(patients[i % patients.len()]),
            limit: None,
        };
        let started = Instant::now();
        let slots = scheduler
            .open_slots(&org, &search, now)
            .await
            .expect("slots");
        service.push(started.elapsed());
        total_slots += slots.len();

        // The same search on data already in memory: the engine's own cost.
        let started = Instant::now();
        let calendar = Calendar::new(zone.tz(), all_days.clone());
        let computed = calendar.open_slots(&SlotQuery {
            duration: kind.duration,
            provider_kind: kind.provider_kind,
            provider: None,
            patient: search.patient,
            from,
            to,
            now,
            rules: ascendia::booking::BookingRules {
                horizon_days: 200,
                ..Default::default()
            },
            limit: None,
        });
        compute.push(started.elapsed());
        assert_eq!(
            computed.len(),
            slots.len(),
            "the engine and the service agree"
        );
    }
    report(
        "2-week search, scheduler + SQLite",
        service,
        total_slots / SEARCHES,
    );
    report(
        "2-week search, engine only",
        compute,
        total_slots / SEARCHES,
    );
}
