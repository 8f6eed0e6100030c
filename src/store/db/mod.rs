//! The seam between the two databases. Everything above it is written once: statements are
//! [`Sql`] values, rows are `FromRow` structs of [`types`] that decode from either backend.
//! What truly differs lives here: how a connection opens, how a clinic transaction begins
//! (`BEGIN IMMEDIATE` on SQLite; `app.current_org` for row level security and a per-clinic
//! advisory lock on PostgreSQL), and how arguments are encoded.

mod postgres;
mod sql;
mod sqlite;
pub mod types;

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use sql::{Sql, sql};

/// A row struct and its `FromRow` for both backends, read by column name. These few lines
/// stand in for sqlx's derive, whose feature builds a second copy of sqlx's drivers (SQLite's
/// C source included) for the proc-macro.
macro_rules! record {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        $vis struct $name {
            $($field: $ty,)*
        }

        impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for $name
        where
            &'r str: sqlx::ColumnIndex<R>,
            $($ty: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,)*
        {
            fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
                Ok(Self {
                    $($field: sqlx::Row::try_get(row, stringify!($field))?,)*
                })
            }
        }
    };
}
pub(crate) use record;

use super::StoreError;
use crate::tenancy::OrgId;

/// Reads take a snapshot; writes take the database's write lock (and on PostgreSQL the
/// clinic's lock) up front, so a check made inside the transaction still holds when it
/// commits. Appends only write, reading nothing first (call records, logs): they take no lock
/// up front, so the write lock is held for the statements alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    Read,
    Write,
    Append,
}

/// A row both backends can decode.
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Pool {
    /// Connects and migrates; true when the database was empty (a fresh install). SQLite
    /// migrates itself; PostgreSQL migrates with `admin_url` (the owning role) when given,
    /// and otherwise requires an already migrated schema.
    pub async fn open(url: &str, admin_url: Option<&str>) -> Result<(Self, bool), StoreError> {
        if url.starts_with("sqlite:") {
            let (pool, fresh) = sqlite::open(url).await?;
            Ok((Pool::Sqlite(pool), fresh))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let (pool, fresh) = postgres::open(url, admin_url).await?;
            Ok((Pool::Postgres(pool), fresh))
        } else {
            Err(StoreError::UnsupportedUrl(super::redact(url)))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// A transaction. With a clinic, PostgreSQL's row level security shows it only that
    /// clinic's rows; without one, only the routing tables and meta are reachable there.
    pub async fn begin(&self, clinic: Option<OrgId>, mode: TxMode) -> Result<Tx, StoreError> {
        match self {
            // IMMEDIATE takes the write lock before the first read: two bookings serialise,
            // and the second sees the first (a deferred transaction that reads, then writes,
            // fails with SQLITE_BUSY if another connection wrote in between).
            Pool::Sqlite(pool) => Ok(Tx::Sqlite(match mode {
                TxMode::Read | TxMode::Append => pool.begin().await?,
                TxMode::Write => pool.begin_with("BEGIN IMMEDIATE").await?,
            })),
            Pool::Postgres(pool) => Ok(Tx::Postgres(postgres::begin(pool, clinic, mode).await?)),
        }
    }

    /// One read of the tables no clinic owns (routes, meta), outside any transaction: the
    /// webhook and the registry's poll make these often, and a lone statement needs none.
    pub async fn fetch_shared<T: Record>(&self, q: Sql<'_>) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Pool::Sqlite(pool) => {
                sqlx::query_as_with(q.text, q.sqlite()?)
                    .fetch_optional(pool)
                    .await?
            }
            Pool::Postgres(pool) => {
                sqlx::query_as_with(q.text, q.postgres()?)
                    .fetch_optional(pool)
                    .await?
            }
        })
    }

    /// One write for a clinic, on its own. SQLite runs it as it stands, its own transaction,
    /// so the write lock is held for that statement alone; PostgreSQL wraps it in a
    /// transaction scoped to the clinic, for row level security.
    pub async fn append(&self, clinic: OrgId, q: Sql<'_>) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => sqlx::query_with(q.text, q.sqlite()?)
                .execute(pool)
                .await?
                .rows_affected(),
            Pool::Postgres(pool) => {
                let mut tx = postgres::begin(pool, Some(clinic), TxMode::Append).await?;
                let changed = sqlx::query_with(q.text, q.postgres()?)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                changed
            }
        })
    }
}

impl Tx {
    pub async fn fetch_all<T: Record>(&mut self, q: Sql<'_>) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(q.text, q.sqlite()?)
                    .fetch_all(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(q.text, q.postgres()?)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_optional<T: Record>(&mut self, q: Sql<'_>) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(q.text, q.sqlite()?)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(q.text, q.postgres()?)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_one<T: Record>(&mut self, q: Sql<'_>) -> Result<T, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(q.text, q.sqlite()?)
                    .fetch_one(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(q.text, q.postgres()?)
                    .fetch_one(&mut **tx)
                    .await?
            }
        })
    }

    /// Runs a statement; returns how many rows it changed.
    pub async fn execute(&mut self, q: Sql<'_>) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Tx::Sqlite(tx) => sqlx::query_with(q.text, q.sqlite()?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => sqlx::query_with(q.text, q.postgres()?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs a script of several statements (a migration).
    pub async fn execute_script(&mut self, script: &'static str) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => sqlx::raw_sql(script).execute(&mut **tx).await.map(drop),
            Tx::Postgres(tx) => sqlx::raw_sql(script).execute(&mut **tx).await.map(drop),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}
