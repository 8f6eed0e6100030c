//! Persistence behind one interface. The backend is chosen from the database URL; every
//! statement is written once (`db` is the seam where the two databases differ), and every
//! clinic-scoped call takes the clinic as a typed argument.

mod calls;
mod clinic;
mod columns;
mod db;
mod error;
mod lab;
mod migrate;
mod notify;
mod orgs;
mod readiness;
pub use notify::RegistryChanges;
pub use readiness::LastActivity;
mod staff;
mod team;

use chrono::{DateTime, Utc};

pub use clinic::{ClinicTx, NamesOf};
pub use db::TxMode;
pub use error::StoreError;
pub use staff::FailureScope;

use db::Pool;

/// A timestamp as both databases keep it: to the microsecond.
pub fn stamp(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

/// A database URL for messages: the password, if any, hidden.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    fresh: bool,
}

impl Store {
    /// Connects and migrates. SQLite migrates itself; PostgreSQL migrates with `admin_url`
    /// (the owning role) when given, and otherwise requires an already migrated schema.
    pub async fn open(url: &str, admin_url: Option<&str>) -> Result<Self, StoreError> {
        let (pool, fresh) = Pool::open(url, admin_url).await?;
        Ok(Self { pool, fresh })
    }

    /// Whether this open created the database (so it holds no clinic yet).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    pub fn backend(&self) -> &'static str {
        self.pool.backend()
    }

    /// Whether the database answers, and at which schema version (`/readyz`).
    pub async fn schema_version(&self) -> Result<migrate::SchemaVersion, StoreError> {
        let migrations = match &self.pool {
            db::Pool::Sqlite(_) => migrate::SQLITE,
            db::Pool::Postgres(_) => migrate::POSTGRES,
        };
        migrate::version(&self.pool, migrations).await
    }

    /// A transaction scoped to one clinic.
    pub async fn clinic(
        &self,
        org: crate::tenancy::OrgId,
        mode: TxMode,
    ) -> Result<ClinicTx, StoreError> {
        let started = std::time::Instant::now();
        let tx = self.pool.begin(Some(org), mode).await?;
        crate::telemetry::metrics::db_acquire(started.elapsed());
        Ok(ClinicTx::new(tx, org))
    }

    /// The pool's connections now: (in use, idle, the most it opens), for `/metrics`.
    pub fn pool_stats(&self) -> (usize, usize, u32) {
        let (size, idle, max) = match &self.pool {
            db::Pool::Sqlite(pool) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
            db::Pool::Postgres(pool) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
        };
        ((size as usize).saturating_sub(idle), idle, max)
    }
}
