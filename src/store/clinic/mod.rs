//! One transaction scoped to one clinic. Every statement a `ClinicTx` runs names the clinic
//! it was opened for (and on PostgreSQL row level security holds it to that clinic); there
//! is no way to pass another.

mod follow_ups;
mod messages;
mod names;
mod patients;
mod schedule;
mod setup;

pub use names::NamesOf;

use super::StoreError;
use super::db::Tx;
use crate::tenancy::OrgId;

pub struct ClinicTx {
    tx: Tx,
    org: OrgId,
}

impl ClinicTx {
    pub(super) fn new(tx: Tx, org: OrgId) -> Self {
        Self { tx, org }
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}
