//! The demo clinic every fresh install starts with, so the first `serve` answers calls.

use super::setup::{self, ClinicFile, SetupError};
use crate::store::{Store, StoreError};
use crate::tenancy::{NewOrganization, Organization, Slug, TimeZone};

/// Opens the database; a fresh one gets the demo clinic as its default.
pub async fn open_store(url: &str, admin_url: Option<&str>) -> Result<Store, StoreError> {
    let store = Store::open(url, admin_url).await?;
    if store.is_fresh() {
        seed(&store).await?;
    }
    Ok(store)
}

async fn seed(store: &Store) -> Result<Organization, StoreError> {
    let seed_error = |err: SetupError| StoreError::Corrupt(format!("demo clinic file: {err}"));
    let file = ClinicFile::parse(setup::DEMO_CLINIC).map_err(seed_error)?;
    let zone = TimeZone::parse(&file.time_zone)?;
    let org = store
        .create_org(NewOrganization::new(
            &file.name,
            Slug::parse("demo")?,
            zone,
        )?)
        .await?;
    let summary = setup::import(store, &org, &file)
        .await
        .map_err(seed_error)?;
    store.set_default_org(org.id).await?;
    tracing::info!(
        org_id = %org.id,
        providers = summary.providers,
        "seeded demo clinic 'demo' as the default org"
    );
    Ok(org)
}
