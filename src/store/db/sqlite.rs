//! SQLite: one file beside the server, created on first start.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::Pool;
use crate::store::{StoreError, migrate};

/// Opens (creating if missing) and migrates the database; true when it was fresh.
pub async fn open(url: &str) -> Result<(SqlitePool, bool), StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // Availability reads a thousand rows at a time; a small row channel would hand them
        // between threads fifty at a time.
        .row_buffer_size(4096);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    let fresh = migrate::run(&Pool::Sqlite(pool.clone()), migrate::SQLITE).await?;
    Ok((pool, fresh))
}
