//! A small migration runner: each migration is embedded SQL, applied once, in its own transaction.

use sqlx::{Connection, PgConnection, SqliteConnection};

use super::StoreError;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "organizations_and_calls",
        sql: include_str!("../../migrations/sqlite/0001_organizations_and_calls.sql"),
    },
    Migration {
        version: 2,
        name: "booking",
        sql: include_str!("../../migrations/sqlite/0002_booking.sql"),
    },
    Migration {
        version: 3,
        name: "call_records",
        sql: include_str!("../../migrations/sqlite/0003_call_records.sql"),
    },
    Migration {
        version: 4,
        name: "caller_messages",
        sql: include_str!("../../migrations/sqlite/0004_caller_messages.sql"),
    },
    Migration {
        version: 5,
        name: "front_desk_languages",
        sql: include_str!("../../migrations/sqlite/0005_front_desk_languages.sql"),
    },
];

pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "schema",
        sql: include_str!("../../migrations/postgres/0001_schema.sql"),
    },
    Migration {
        version: 2,
        name: "call_records",
        sql: include_str!("../../migrations/postgres/0002_call_records.sql"),
    },
    Migration {
        version: 3,
        name: "caller_messages",
        sql: include_str!("../../migrations/postgres/0003_caller_messages.sql"),
    },
    Migration {
        version: 4,
        name: "front_desk_languages",
        sql: include_str!("../../migrations/postgres/0004_front_desk_languages.sql"),
    },
];

pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

/// Applies pending PostgreSQL migrations, one instance at a time; true on a fresh database.
pub async fn run_postgres(
    conn: &mut PgConnection,
    migrations: &[Migration],
) -> Result<bool, StoreError> {
    // Several instances may start at once: one migrates, the others wait and find it done.
    sqlx::query("SELECT pg_advisory_lock(7305814259)")
        .execute(&mut *conn)
        .await?;
    let result = apply_postgres(conn, migrations).await;
    let _ = sqlx::query("SELECT pg_advisory_unlock(7305814259)")
        .execute(&mut *conn)
        .await;
    result
}

async fn apply_postgres(
    conn: &mut PgConnection,
    migrations: &[Migration],
) -> Result<bool, StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut *conn)
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
        let mut tx = conn.begin().await.map_err(failed)?;
        sqlx::raw_sql(migration.sql)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
        )
        .bind(migration.version)
        .bind(migration.name)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(current == 0)
}

/// Applies pending migrations; returns true when the database was empty before (a fresh install).
pub async fn run_sqlite(
    conn: &mut SqliteConnection,
    migrations: &[Migration],
) -> Result<bool, StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await?;
    let current = applied.unwrap_or(0);
    let known = migrations.last().map_or(0, |m| m.version);
    if current > known {
        return Err(StoreError::NewerSchema(current));
    }
    for migration in migrations.iter().filter(|m| m.version > current) {
        let failed = |source| StoreError::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        let mut tx = conn.begin().await.map_err(failed)?;
        sqlx::raw_sql(migration.sql)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(chrono::Utc::now())
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(current == 0)
}
