//! Databases made by the release before one storage layer served both backends upgrade in
//! place, with their data. The fixtures were made by that release's binary (two clinics, a
//! Booking API key, an agent route, a patient with two bookings, one cancelled, and a call);
//! the keys below are the ones it printed.

use crate::common;

use ascendia::booking::AppointmentFilter;
use ascendia::booking::{PatientLookup, Scheduler, SlotSearch};
use ascendia::store::Store;
use ascendia::tenancy::hash_api_key;
use chrono::{Duration, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

const SQLITE_FIXTURE: &[u8] = include_bytes!("../fixtures/upgrade/v0.1.sqlite");
const SQLITE_KEY: &str = "asc_b9fb1cc6dd5144fcaa694b5948db03faea6fc0fc2b8c4ce2bacf34e0e5409636";
const POSTGRES_FIXTURE: &str = include_str!("../fixtures/upgrade/v0.1.postgres.sql");
const POSTGRES_KEY: &str = "asc_e8a4bf27b674438594268cc7be2cdcb8944a387968404019baed0ae31f88e33e";

#[tokio::test]
async fn a_sqlite_database_of_the_previous_release_upgrades_in_place() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    std::fs::write(&path, SQLITE_FIXTURE).expect("fixture");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, None).await.expect("upgraded");
    assert!(!store.is_fresh(), "an upgrade is not a fresh install");
    holds_the_previous_data(&store, SQLITE_KEY).await;
    drop(store);
    let reopened = Store::open(&url, None).await.expect("reopened");
    holds_the_previous_data(&reopened, SQLITE_KEY).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn a_postgres_database_of_the_previous_release_upgrades_in_place() {
    if common::pg::url("a_postgres_database_of_the_previous_release_upgrades_in_place").is_none() {
        return;
    }
    let database = common::pg::TestDatabase::create().await;
    let mut owner = PgConnection::connect(&database.owner_url)
        .await
        .expect("owner connects");
    sqlx::raw_sql(AssertSqlSafe(POSTGRES_FIXTURE))
        .execute(&mut owner)
        .await
        .expect("the fixture loads");
    owner.close().await.expect("close");
    let store = Store::open(&database.runtime_url, Some(&database.owner_url))
        .await
        .expect("upgraded");
    assert!(!store.is_fresh(), "an upgrade is not a fresh install");
    holds_the_previous_data(&store, POSTGRES_KEY).await;
    drop(store);
    let reopened = Store::open(&database.runtime_url, Some(&database.owner_url))
        .await
        .expect("reopened");
    holds_the_previous_data(&reopened, POSTGRES_KEY).await;
}

async fn holds_the_previous_data(store: &Store, key: &str) {
    let slugs: Vec<String> = store
        .list_orgs()
        .await
        .expect("clinics")
        .iter()
        .map(|o| o.slug.to_string())
        .collect();
    assert_eq!(slugs, ["demo", "lakeside"]);
    let demo = store.require_org("demo").await.expect("demo");
    let lakeside = store.require_org("lakeside").await.expect("lakeside");
    assert_eq!(
        store.default_org_id().await.expect("default"),
        Some(demo.id)
    );

    // Routing carried over: the key, the agent and the call find their clinics.
    let keyed = store
        .org_for_api_key(&hash_api_key(key))
        .await
        .expect("key lookup");
    assert_eq!(keyed.map(|o| o.id), Some(lakeside.id));
    assert_eq!(
        store
            .org_for_agent("agent_fixture_lakeside")
            .await
            .expect("agent lookup"),
        Some(lakeside.id)
    );
    let calls = store
        .list_call_records(demo.id, 0, i64::MAX, 10, 0)
        .await
        .expect("calls");
    assert_eq!(calls.len(), 1, "the demo clinic's call");
    let call_id = &calls[0].call_id;
    assert_eq!(
        store.org_for_call(call_id).await.expect("call lookup"),
        Some(demo.id)
    );
    let record = store
        .call_record(demo.id, call_id)
        .await
        .expect("record")
        .expect("the call's connection record");
    assert_eq!(record.connections, 1);
    assert_eq!(
        store.call_record(lakeside.id, call_id).await.expect("no"),
        None
    );

    // The clinic's setup, patient and bookings read back, and booking still works.
    let scheduler = Scheduler::new(store.clone());
    let catalogue = scheduler.catalogue(&lakeside).await.expect("catalogue");
    assert!(!catalogue.providers.is_empty());
    assert_eq!(catalogue.settings.rules.lead_minutes, 60);
    let lookup = PatientLookup::Name {
        last_name: "okafor",
        first_name: Some("Amara"),
        birth_date: NaiveDate::from_ymd_opt(1984, 3, 9).expect("date"),
    };
    let found = scheduler
        .find_patients(&lakeside, lookup)
        .await
        .expect("patients");
    assert_eq!(found.len(), 1);
    let bookings = scheduler
        .appointments(&lakeside, AppointmentFilter::Patient(found[0].id))
        .await
        .expect("appointments");
    let mut statuses: Vec<&str> = bookings.iter().map(|a| a.status.as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["cancelled", "scheduled"]);
    assert!(bookings.iter().all(|a| a.end > a.start));
    let cleaning = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name.contains("leaning"))
        .expect("cleaning")
        .id;
    let from = (Utc::now() + Duration::days(10)).date_naive();
    let search = SlotSearch {
        appointment_type: cleaning,
        from,
        to: from + Duration::days(7),
        provider: None,
        patient: Some(found[0].id),
        limit: Some(1),
    };
    assert_eq!(
        scheduler
            .open_slots(&lakeside, &search, Utc::now())
            .await
            .expect("slots")
            .len(),
        1
    );
}
