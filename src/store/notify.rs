//! Clinic changes pushed between instances: on PostgreSQL every change to the clinics bumps
//! the registry generation and sends a notice on one channel, in the same transaction;
//! listening instances reload at once. The registry's poll stays as the fallback (a notice
//! lost while a listener reconnects, SQLite, which has one instance).

use sqlx::postgres::PgListener;

use super::db::Pool;
use super::{Store, StoreError};

const CHANNEL: &str = "ascendia_registry";
pub(super) const NOTIFY_REGISTRY: &str = "SELECT pg_notify('ascendia_registry', '')";

/// Notices that the clinics changed; none ever on SQLite.
pub struct RegistryChanges {
    listener: Option<PgListener>,
}

impl RegistryChanges {
    /// Whether notices can arrive at all (PostgreSQL).
    pub fn is_live(&self) -> bool {
        self.listener.is_some()
    }

    /// Waits for the next notice. The listener reconnects by itself after a lost connection
    /// (notices sent meanwhile are lost: the poll catches those).
    pub async fn next(&mut self) -> Result<(), StoreError> {
        match &mut self.listener {
            Some(listener) => listener.recv().await.map(drop).map_err(StoreError::from),
            None => std::future::pending().await,
        }
    }
}

impl Store {
    pub async fn registry_changes(&self) -> Result<RegistryChanges, StoreError> {
        let listener = match &self.pool {
            Pool::Sqlite(_) => None,
            Pool::Postgres(pool) => {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                Some(listener)
            }
        };
        Ok(RegistryChanges { listener })
    }
}
