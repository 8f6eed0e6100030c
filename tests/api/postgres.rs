//! PostgreSQL only: row level security seen from the runtime role with raw SQL, the roles the
//! server refuses, and two server instances on one database. Skipped, with a note, unless
//! ASCENDIA_TEST_POSTGRES_URL is set (CI always sets it).

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ascendia::agent::Receptionist;
use ascendia::store::{Store, StoreError};
use chrono::Weekday;
use common::pg::TestDatabase;
use common::{TIMEOUT, TestApp, eventually};
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

async fn app_on(database: &TestDatabase, migrate: bool) -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = common::test_settings(&dir);
    settings.database_url = database.runtime_url.clone();
    settings.admin_database_url = migrate.then(|| database.owner_url.clone());
    TestApp::start(settings, Arc::new(Receptionist), dir).await
}

async fn count(conn: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query(sql)
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get::<i64, _>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn row_level_security_hides_and_protects_other_clinics_rows() {
    if common::pg::url("row_level_security_hides_and_protects_other_clinics_rows").is_none() {
        return;
    }
    let database = TestDatabase::create().await;
    let app = app_on(&database, true).await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    for slug in ["demo", "twin"] {
        let api = app.api(slug).await;
        let (status, _) = api
            .post(
                "/patients",
                json!({"first_name": "Ann", "last_name": "Lee", "birth_date": "1990-01-01"}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let a = app.org("demo").await.id.to_string();
    let b = app.org("twin").await.id.to_string();

    let mut conn = PgConnection::connect(&database.runtime_url)
        .await
        .expect("runtime role");
    // No clinic set: nothing visible, nothing writable.
    for sql in [
        "SELECT COUNT(*) FROM patients",
        "SELECT COUNT(*) FROM providers",
        "SELECT COUNT(*) FROM organizations",
        "SELECT COUNT(*) FROM api_keys",
        "SELECT COUNT(*) FROM appointment_types",
    ] {
        assert_eq!(count(&mut conn, sql).await, 0, "{sql} with no clinic set");
    }
    let insert = sqlx::query(
        "INSERT INTO patients (id, org_id, first_name, last_name, birth_date, created_at, updated_at)
         VALUES (gen_random_uuid(), $1::uuid, 'Eve', 'X', '1990-01-01', now(), now())",
    );
    assert!(
        insert.bind(&b).execute(&mut conn).await.is_err(),
        "insert with no clinic set"
    );

    // Clinic A set: A's rows only; B's rows can be neither read, changed, deleted nor added.
    let mut tx = conn.begin().await.expect("tx");
    sqlx::query("SELECT set_config('app.current_org', $1, true)")
        .bind(&a)
        .execute(&mut *tx)
        .await
        .expect("set org");
    assert_eq!(count(&mut tx, "SELECT COUNT(*) FROM patients").await, 1);
    assert_eq!(
        count(&mut tx, "SELECT COUNT(*) FROM organizations").await,
        1
    );
    assert_eq!(count(&mut tx, "SELECT COUNT(*) FROM providers").await, 3);
    let changed = sqlx::query("UPDATE patients SET first_name = 'Mallory' WHERE org_id = $1::uuid")
        .bind(&b)
        .execute(&mut *tx)
        .await
        .expect("update runs");
    assert_eq!(changed.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM providers WHERE org_id = $1::uuid")
        .bind(&b)
        .execute(&mut *tx)
        .await
        .expect("delete runs");
    assert_eq!(deleted.rows_affected(), 0);
    let moved = sqlx::query("UPDATE patients SET org_id = $1::uuid")
        .bind(&b)
        .execute(&mut *tx)
        .await;
    assert!(moved.is_err(), "moving A's row into B violates the policy");
    tx.rollback().await.expect("rollback");
    let mut tx = conn.begin().await.expect("tx");
    sqlx::query("SELECT set_config('app.current_org', $1, true)")
        .bind(&a)
        .execute(&mut *tx)
        .await
        .expect("set org");
    let insert = sqlx::query(
        "INSERT INTO patients (id, org_id, first_name, last_name, birth_date, created_at, updated_at)
         VALUES (gen_random_uuid(), $1::uuid, 'Eve', 'X', '1990-01-01', now(), now())",
    );
    assert!(
        insert.bind(&b).execute(&mut *tx).await.is_err(),
        "insert into B as A"
    );
    tx.rollback().await.expect("rollback");
    // The setting is transaction-local: afterwards, nothing again.
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM patients").await, 0);
    // The runtime role cannot switch the protection off.
    assert!(
        sqlx::raw_sql("ALTER TABLE patients DISABLE ROW LEVEL SECURITY")
            .execute(&mut conn)
            .await
            .is_err()
    );
    assert!(
        sqlx::raw_sql("SET row_security = off; SELECT COUNT(*) FROM patients")
            .execute(&mut conn)
            .await
            .is_err()
    );

    // B's row is as it was.
    let mut su = PgConnection::connect(&database.superuser_url)
        .await
        .expect("superuser");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT first_name FROM patients ORDER BY first_name")
            .fetch_all(&mut su)
            .await
            .expect("names");
    assert_eq!(names, ["Ann", "Ann"]);
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn the_server_refuses_roles_that_bypass_row_level_security() {
    if common::pg::url("the_server_refuses_roles_that_bypass_row_level_security").is_none() {
        return;
    }
    let database = TestDatabase::create().await;
    Store::open(&database.runtime_url, Some(&database.owner_url))
        .await
        .expect("the runtime role is accepted");
    for (url, why) in [
        (&database.superuser_url, "superuser"),
        (&database.owner_url, "owner of the tables"),
    ] {
        match Store::open(url, None).await {
            Err(StoreError::UnsafeRole { reason, .. }) => assert!(reason.contains(why), "{reason}"),
            Err(other) => panic!("{why}: wrong error {other}"),
            Ok(_) => panic!("{why}: accepted"),
        }
    }
    match Store::open(&database.owner_url, Some(&database.owner_url)).await {
        Err(StoreError::UnsafeRole { reason, .. }) => assert!(reason.contains("different roles")),
        other => panic!("same role for both: {:?}", other.err()),
    }
    // Nor is a role that can become one of those: membership is as good as being it.
    let mut su = PgConnection::connect(&database.superuser_url)
        .await
        .expect("superuser");
    let tag = &database.name[database.name.len() - 8..];
    let bypass = format!("ascendia_t_bypass_{tag}");
    let superuser: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut su)
        .await
        .expect("superuser name");
    let cases = [
        (
            format!("ascendia_t_owner_member_{tag}"),
            common::pg::OWNER.to_owned(),
            "owner of the tables",
        ),
        (
            format!("ascendia_t_super_member_{tag}"),
            superuser,
            "superuser",
        ),
        (
            format!("ascendia_t_bypass_member_{tag}"),
            bypass.clone(),
            "BYPASSRLS",
        ),
    ];
    sqlx::raw_sql(AssertSqlSafe(format!(
        "CREATE ROLE {bypass} NOLOGIN BYPASSRLS"
    )))
    .execute(&mut su)
    .await
    .expect("bypass role");
    for (member, of, _) in &cases {
        // Through a role in between, and without inheriting: SET ROLE is enough.
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE ROLE {member}_via NOLOGIN NOINHERIT; GRANT {of} TO {member}_via;
             CREATE ROLE {member} LOGIN NOINHERIT; GRANT {member}_via TO {member};"
        )))
        .execute(&mut su)
        .await
        .expect("member role");
    }
    for (member, of, why) in &cases {
        let url = database
            .runtime_url
            .replacen(common::pg::RUNTIME, member, 1);
        match Store::open(&url, None).await {
            Err(StoreError::UnsafeRole { reason, .. }) => {
                assert!(
                    reason.contains(why) && reason.contains("member"),
                    "{reason}"
                )
            }
            Err(other) => panic!("member of {of}: wrong error {other}"),
            Ok(_) => panic!("member of {of}: accepted"),
        }
    }
    for (member, _, _) in &cases {
        let _ = sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP ROLE {member}; DROP ROLE {member}_via;"
        )))
        .execute(&mut su)
        .await;
    }
    let _ = sqlx::raw_sql(AssertSqlSafe(format!("DROP ROLE {bypass}")))
        .execute(&mut su)
        .await;
    // The runtime role may add unattributed events but not read or change them.
    let mut runtime = PgConnection::connect(&database.runtime_url)
        .await
        .expect("runtime");
    for statement in [
        "SELECT count(*) FROM unattributed_events",
        "DELETE FROM unattributed_events",
        "DELETE FROM schema_migrations",
    ] {
        assert!(
            sqlx::raw_sql(AssertSqlSafe(statement))
                .execute(&mut runtime)
                .await
                .is_err(),
            "{statement}"
        );
    }

    // Without migrations, the server says what to do.
    let empty = TestDatabase::create().await;
    match Store::open(&empty.runtime_url, None).await {
        Err(err @ StoreError::NotMigrated(..)) => {
            assert!(err.to_string().contains("ascendia db migrate"))
        }
        other => panic!("unmigrated: {:?}", other.err()),
    }
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn two_instances_share_clinics_and_never_double_book() {
    if common::pg::url("two_instances_share_clinics_and_never_double_book").is_none() {
        return;
    }
    let database = TestDatabase::create().await;
    let one = app_on(&database, true).await;
    let two = app_on(&database, true).await;
    assert_eq!(
        two.store.list_orgs().await.expect("orgs").len(),
        1,
        "one demo clinic, seeded once"
    );

    // A clinic added through one instance is served by the other within 5 seconds.
    one.add_org("Harbor Dental", "harbor", "America/Los_Angeles")
        .await;
    let served = eventually(Duration::from_secs(5), || async {
        let Ok(mut call) = ascendia::client::CallClient::connect(
            &two.ws("/llm-websocket/harbor/cross-instance"),
            Default::default(),
        )
        .await
        else {
            return false;
        };
        let greeted = call
            .greeting(TIMEOUT)
            .await
            .is_ok_and(|g| g.text.contains("Harbor Dental"));
        call.hang_up().await;
        greeted
    })
    .await;
    assert!(
        served,
        "instance two serves the slug added through instance one"
    );

    // Concurrent bookings of one slot through both instances: exactly one wins.
    let api_one = one.api("demo").await;
    let mut api_two = api_one.clone();
    api_two.addr = two.addr;
    let tuesday = common::next_weekday("America/New_York", Weekday::Tue, 3);
    let cleaning = api_one.id_of("/appointment-types", "Cleaning").await;
    let maria = api_one.id_of("/providers", "Maria Lopez").await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let api = if i % 2 == 0 {
            api_one.clone()
        } else {
            api_two.clone()
        };
        let (status, patient) = api
            .post(
                "/patients",
                json!({"first_name": format!("Caller{i}"), "last_name": "Race", "birth_date": "1990-01-01"}),
            )
            .await;
        assert_eq!(status, 201);
        let body = json!({"patient_id": patient["id"], "appointment_type_id": cleaning,
                          "provider_id": maria, "start": format!("{tuesday}T11:00")});
        tasks.push(tokio::spawn(async move {
            api.post("/appointments", body).await.0
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    let mut su = PgConnection::connect(&database.superuser_url)
        .await
        .expect("superuser");
    let held: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM appointments WHERE status = 'scheduled'")
            .fetch_one(&mut su)
            .await
            .expect("count");
    assert_eq!(held, 1);
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn the_database_itself_refuses_overlapping_appointments() {
    if common::pg::url("the_database_itself_refuses_overlapping_appointments").is_none() {
        return;
    }
    let database = TestDatabase::create().await;
    let app = app_on(&database, true).await;
    let api = app.api("demo").await;
    let tuesday = common::next_weekday("America/New_York", Weekday::Tue, 3);
    let (_, patient) = api
        .post(
            "/patients",
            json!({"first_name": "Ann", "last_name": "Lee", "birth_date": "1990-01-01"}),
        )
        .await;
    let (status, booked) = api
        .post(
            "/appointments",
            json!({"patient_id": patient["id"],
                   "appointment_type_id": api.id_of("/appointment-types", "Cleaning").await,
                   "provider_id": api.id_of("/providers", "Maria Lopez").await,
                   "start": format!("{tuesday}T09:00")}),
        )
        .await;
    assert_eq!(status, 201);
    // Bypassing the engine entirely: a second row for the same provider half an hour later.
    let mut su = PgConnection::connect(&database.superuser_url)
        .await
        .expect("superuser");
    let copy = sqlx::query(
        "INSERT INTO appointments (id, org_id, patient_id, provider_id, operatory_id, appointment_type_id,
             start_at, end_at, status, source, created_at, updated_at)
         SELECT gen_random_uuid(), org_id, patient_id, provider_id, operatory_id, appointment_type_id,
             start_at + interval '30 minutes', end_at + interval '30 minutes', 'scheduled', 'sql', now(), now()
         FROM appointments WHERE id = $1::uuid",
    )
    .bind(booked["id"].as_str().expect("id"))
    .execute(&mut su)
    .await;
    let err = copy.expect_err("overlap refused by the exclusion constraint");
    assert!(
        err.to_string()
            .contains("conflicting key value violates exclusion constraint"),
        "{err}"
    );
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn caller_messages_are_row_level_secured_like_every_clinic_table() {
    if common::pg::url("caller_messages_are_row_level_secured_like_every_clinic_table").is_none() {
        return;
    }
    let database = TestDatabase::create().await;
    let app = app_on(&database, true).await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    for (slug, name) in [("demo", "Ana"), ("twin", "Tess")] {
        let new = ascendia::booking::NewMessage::new(
            Some("rls-call"),
            name,
            None,
            "Please call back",
            None,
            false,
        )
        .expect("valid");
        app.state
            .scheduler
            .take_message(&app.org(slug).await, new, chrono::Utc::now())
            .await
            .expect("taken as the runtime role");
    }
    let a = app.org("demo").await.id.to_string();
    let b = app.org("twin").await.id.to_string();

    let mut su = PgConnection::connect(&database.superuser_url)
        .await
        .expect("superuser");
    let (enabled, forced): (bool, bool) = sqlx::query_as(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'caller_messages'",
    )
    .fetch_one(&mut su)
    .await
    .expect("table");
    assert!(enabled && forced);
    // The runtime role holds on it exactly what it holds on patients.
    let grants = |table: &'static str| {
        sqlx::query_scalar::<_, String>(
            "SELECT string_agg(privilege_type, ',' ORDER BY privilege_type)
             FROM information_schema.role_table_grants WHERE grantee = $1 AND table_name = $2",
        )
        .bind(common::pg::RUNTIME)
        .bind(table)
    };
    let on_patients = grants("patients").fetch_one(&mut su).await.expect("grants");
    let on_messages = grants("caller_messages")
        .fetch_one(&mut su)
        .await
        .expect("grants");
    assert_eq!(on_messages, on_patients);

    let mut conn = PgConnection::connect(&database.runtime_url)
        .await
        .expect("runtime role");
    // No clinic set: nothing visible, nothing writable.
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) FROM caller_messages").await,
        0
    );
    let insert = "INSERT INTO caller_messages (id, org_id, caller_name, reason, status, created_at)
                  VALUES (gen_random_uuid(), $1::uuid, 'Eve', 'x', 'new', now())";
    assert!(
        sqlx::query(insert)
            .bind(&b)
            .execute(&mut conn)
            .await
            .is_err(),
        "insert with no clinic set"
    );

    // Clinic A set: A's message only; B's can be neither read, changed, deleted nor added to.
    let mut tx = conn.begin().await.expect("tx");
    sqlx::query("SELECT set_config('app.current_org', $1, true)")
        .bind(&a)
        .execute(&mut *tx)
        .await
        .expect("set org");
    let names: Vec<String> = sqlx::query_scalar("SELECT caller_name FROM caller_messages")
        .fetch_all(&mut *tx)
        .await
        .expect("names");
    assert_eq!(names, ["Ana"]);
    let changed = sqlx::query(
        "UPDATE caller_messages SET status = 'handled', handled_at = now() WHERE org_id = $1::uuid",
    )
    .bind(&b)
    .execute(&mut *tx)
    .await
    .expect("update runs");
    assert_eq!(changed.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM caller_messages WHERE org_id = $1::uuid")
        .bind(&b)
        .execute(&mut *tx)
        .await
        .expect("delete runs");
    assert_eq!(deleted.rows_affected(), 0);
    let moved = sqlx::query("UPDATE caller_messages SET org_id = $1::uuid")
        .bind(&b)
        .execute(&mut *tx)
        .await;
    assert!(
        moved.is_err(),
        "moving A's message into B violates the policy"
    );
    tx.rollback().await.expect("rollback");
    let mut tx = conn.begin().await.expect("tx");
    sqlx::query("SELECT set_config('app.current_org', $1, true)")
        .bind(&a)
        .execute(&mut *tx)
        .await
        .expect("set org");
    assert!(
        sqlx::query(insert)
            .bind(&b)
            .execute(&mut *tx)
            .await
            .is_err(),
        "insert into B as A"
    );
    tx.rollback().await.expect("rollback");

    // B's message is as it was.
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT caller_name, status FROM caller_messages ORDER BY caller_name")
            .fetch_all(&mut su)
            .await
            .expect("rows");
    assert_eq!(
        rows,
        [("Ana".into(), "new".into()), ("Tess".into(), "new".into())]
    );
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn a_clinic_change_reaches_other_instances_by_notification_not_the_poll() {
    if common::pg::url("a_clinic_change_reaches_other_instances_by_notification_not_the_poll")
        .is_none()
    {
        return;
    }
    let database = TestDatabase::create().await;
    let one = app_on(&database, true).await;
    // Instance two polls once an hour: only the notification can bring it the new clinic.
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = common::test_settings(&dir);
    settings.database_url = database.runtime_url.clone();
    settings.registry_refresh_ms = 3_600_000;
    let two = TestApp::start(settings, Arc::new(Receptionist), dir).await;
    // Let instance two's listener connect before the change is made.
    tokio::time::sleep(Duration::from_millis(300)).await;

    one.add_org("Bayside Dental", "bayside", "America/Chicago")
        .await;
    let seen = eventually(Duration::from_secs(5), || async {
        two.state.registry.by_slug("bayside").is_some()
    })
    .await;
    assert!(seen, "instance two heard of the new clinic without polling");
}
