//! The store on its own: upgrades of existing databases.

use ascendia::store::{Store, TxMode};
use sqlx::Connection;

#[tokio::test]
async fn a_database_from_the_first_release_is_upgraded_in_place() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    {
        // What the first release left: migration 1 and one clinic.
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("url");
        let mut conn = sqlx::SqliteConnection::connect_with(&options.create_if_missing(true))
            .await
            .expect("connect");
        sqlx::raw_sql(include_str!(
            "../../migrations/sqlite/0001_organizations_and_calls.sql"
        ))
        .execute(&mut conn)
        .await
        .expect("v1 schema");
        sqlx::raw_sql(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 'organizations_and_calls', '2026-11-01T00:00:00Z');
             INSERT INTO organizations VALUES ('7b0c8c9e-0d5f-4a53-9a43-3c1c1f0e0a01', 'Old Clinic', 'old',
                 'America/Chicago', NULL, NULL, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');",
        )
        .execute(&mut conn)
        .await
        .expect("v1 data");
    }
    let store = Store::open(&url, None).await.expect("upgraded");
    let orgs = store.list_orgs().await.expect("orgs");
    assert_eq!(
        orgs.len(),
        1,
        "the old clinic, and no demo seeded into a used database"
    );
    assert_eq!(orgs[0].slug.as_str(), "old");
    let mut tx = store.clinic(orgs[0].id, TxMode::Read).await.expect("tx");
    assert!(
        tx.providers()
            .await
            .expect("providers table exists")
            .is_empty()
    );
    assert_eq!(
        tx.settings().await.expect("settings").rules,
        Default::default()
    );
    drop(tx);
    // Opening again applies nothing twice.
    drop(store);
    Store::open(&url, None).await.expect("reopened");
}
