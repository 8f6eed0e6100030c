//! Embedded migrations, one list per database (the schemas say the same thing in each one's
//! types; PostgreSQL adds row level security), applied by one small runner.
//!
//! We keep this runner rather than `sqlx::migrate!`: databases in the field record their
//! versions in `schema_migrations`, which sqlx's runner does not read, and the whole runner is
//! the forty lines below; sqlx's would need its proc-macro build and a bridge table rewrite.

use super::StoreError;
use super::db::{Pool, Tx, TxMode, sql};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($version:literal $file:literal $name:literal,)*) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../../migrations/", $dir, "/", $file, "_", $name, ".sql")),
        },)*]
    };
}

pub const SQLITE: &[Migration] = migrations!("sqlite":
    1 "0001" "organizations_and_calls",
    2 "0002" "booking",
    3 "0003" "call_records",
    4 "0004" "caller_messages",
    5 "0005" "front_desk_languages",
    6 "0006" "one_schema",
    7 "0007" "staff_console",
    8 "0008" "call_follow_ups",
    9 "0009" "call_recordings",
    10 "0010" "staff_invitations",
    11 "0011" "lab_calls",
    12 "0012" "clinic_fallback_model",
    13 "0013" "call_socket_end",
);

pub const POSTGRES: &[Migration] = migrations!("postgres":
    1 "0001" "schema",
    2 "0002" "call_records",
    3 "0003" "caller_messages",
    4 "0004" "front_desk_languages",
    5 "0005" "one_schema",
    6 "0006" "staff_console",
    7 "0007" "call_follow_ups",
    8 "0008" "call_recordings",
    9 "0009" "staff_invitations",
    10 "0010" "lab_calls",
    11 "0011" "clinic_fallback_model",
    12 "0012" "call_socket_end",
);

/// The schema version the database is at, and the one this build expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaVersion {
    pub applied: i64,
    pub expected: i64,
}

impl SchemaVersion {
    pub fn current(&self) -> bool {
        self.applied == self.expected
    }
}

/// Reads the applied version (the runtime role may read the ledger, not change it).
pub async fn version(pool: &Pool, migrations: &[Migration]) -> Result<SchemaVersion, StoreError> {
    let mut tx = pool.begin(None, TxMode::Read).await?;
    let (applied,): (Option<i64>,) = tx
        .fetch_one(sql("SELECT MAX(version) FROM schema_migrations"))
        .await?;
    tx.commit().await?;
    Ok(SchemaVersion {
        applied: applied.unwrap_or(0),
        expected: latest(migrations),
    })
}

pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

/// Applies pending migrations in one transaction; true when the database was empty before
/// (a fresh install). Several instances may start at once: one migrates, the others wait
/// for its lock and then find nothing to do.
pub async fn run(pool: &Pool, migrations: &[Migration]) -> Result<bool, StoreError> {
    let mut tx = pool.begin(None, TxMode::Write).await?;
    let ledger = match &tx {
        Tx::Sqlite(_) => {
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        }
        Tx::Postgres(_) => {
            "SELECT pg_advisory_xact_lock(7305814259);
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
        }
    };
    tx.execute_script(ledger).await?;
    let (applied,): (Option<i64>,) = tx
        .fetch_one(sql("SELECT MAX(version) FROM schema_migrations"))
        .await?;
    let current = applied.unwrap_or(0);
    if current > latest(migrations) {
        return Err(StoreError::NewerSchema(current));
    }
    for migration in migrations.iter().filter(|m| m.version > current) {
        let failed = |source| StoreError::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        tx.execute_script(migration.sql).await.map_err(failed)?;
        tx.execute(
            sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(migration.version)
                .bind(migration.name)
                .bind(chrono::Utc::now()),
        )
        .await
        .map_err(failed)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    tx.commit().await?;
    Ok(current == 0)
}
