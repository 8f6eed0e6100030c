//! Persistence behind one interface. The backend is chosen from the database URL; every
//! org-scoped call takes the org as a typed argument.

pub mod call_records;
mod clinic;
mod columns;
mod error;
mod migrate;
mod postgres;
mod sqlite;

use chrono::{DateTime, Utc};

pub use clinic::{AppointmentFilter, ClinicProfile, ClinicTx, MessageFilter, StoreFuture, TxMode};
pub use error::StoreError;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::tenancy::{
    ApiKeyInfo, NewApiKey, NewOrganization, OrgId, Organization, OrganizationUpdate, Slug, TimeZone,
};

/// What Retell's `call_details` tells us about a call, as kept in the call record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallMetadata {
    pub agent_id: Option<String>,
    pub call_type: Option<String>,
    pub direction: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
}

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

#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub call_id: String,
    pub metadata: CallMetadata,
    pub first_connected_at: DateTime<Utc>,
    pub last_connected_at: DateTime<Utc>,
    pub connections: i64,
}

#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

macro_rules! dispatch {
    ($self:ident, $backend:ident => $call:expr) => {
        match $self {
            Store::Sqlite($backend) => $call,
            Store::Postgres($backend) => $call,
        }
    };
}

impl Store {
    /// Connects, migrates, and on a fresh database seeds the demo clinic as the default.
    /// SQLite migrates itself; PostgreSQL migrates with `admin_url` (the owning role) when
    /// given, and otherwise requires an already migrated schema.
    pub async fn open(url: &str, admin_url: Option<&str>) -> Result<Self, StoreError> {
        let (store, fresh) = if url.starts_with("sqlite:") {
            let (backend, fresh) = SqliteStore::open(url).await?;
            (Store::Sqlite(backend), fresh)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let (backend, fresh) = PgStore::open(url, admin_url).await?;
            (Store::Postgres(backend), fresh)
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        if fresh {
            store.seed_demo().await?;
        }
        Ok(store)
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// The demo clinic, from the setup file kept in the repository.
    async fn seed_demo(&self) -> Result<Organization, StoreError> {
        use crate::booking::setup::{self, ClinicFile, SetupError};
        let seed_error = |err: SetupError| StoreError::Corrupt(format!("demo clinic file: {err}"));
        let file = ClinicFile::parse(setup::DEMO_CLINIC).map_err(seed_error)?;
        let zone = TimeZone::parse(&file.time_zone)?;
        let org = self
            .create_org(NewOrganization::new(
                &file.name,
                Slug::parse("demo")?,
                zone,
            )?)
            .await?;
        let summary = setup::import(self, &org, &file).await.map_err(seed_error)?;
        self.set_default_org(org.id).await?;
        tracing::info!(
            org_id = %org.id,
            providers = summary.providers,
            "seeded demo clinic 'demo' as the default org"
        );
        Ok(org)
    }

    pub async fn list_orgs(&self) -> Result<Vec<Organization>, StoreError> {
        dispatch!(self, s => s.list_orgs().await)
    }

    pub async fn org_by_slug(&self, slug: &Slug) -> Result<Option<Organization>, StoreError> {
        dispatch!(self, s => s.org_by_slug(slug).await)
    }

    /// Looks a clinic up by slug, with the error the CLI reports when there is none.
    pub async fn require_org(&self, slug: &str) -> Result<Organization, StoreError> {
        let parsed = Slug::parse(slug).map_err(|_| StoreError::UnknownSlug(slug.to_owned()))?;
        self.org_by_slug(&parsed)
            .await?
            .ok_or_else(|| StoreError::UnknownSlug(slug.to_owned()))
    }

    pub async fn create_org(&self, new: NewOrganization) -> Result<Organization, StoreError> {
        dispatch!(self, s => s.create_org(new).await)
    }

    pub async fn update_org(
        &self,
        id: OrgId,
        update: OrganizationUpdate,
    ) -> Result<Organization, StoreError> {
        dispatch!(self, s => s.update_org(id, update).await)
    }

    /// Removes a clinic; returns how many call records went with it.
    pub async fn remove_org(&self, org: &Organization, force: bool) -> Result<i64, StoreError> {
        dispatch!(self, s => s.remove_org(org, force).await)
    }

    pub async fn set_default_org(&self, id: OrgId) -> Result<(), StoreError> {
        dispatch!(self, s => s.set_default_org(id).await)
    }

    pub async fn default_org_id(&self) -> Result<Option<OrgId>, StoreError> {
        dispatch!(self, s => s.default_org_id().await)
    }

    /// A counter bumped by every change to clinics; running servers poll it to reload.
    pub async fn registry_generation(&self) -> Result<i64, StoreError> {
        dispatch!(self, s => s.registry_generation().await)
    }

    pub async fn record_call_connected(&self, org: OrgId, call_id: &str) -> Result<(), StoreError> {
        dispatch!(self, s => s.record_call_connected(org, call_id).await)
    }

    pub async fn record_call_details(
        &self,
        org: OrgId,
        call_id: &str,
        meta: &CallMetadata,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.record_call_details(org, call_id, meta).await)
    }

    pub async fn call_record(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        dispatch!(self, s => s.call_record(org, call_id).await)
    }

    /// A transaction scoped to one clinic.
    pub async fn clinic(&self, org: OrgId, mode: TxMode) -> Result<Box<dyn ClinicTx>, StoreError> {
        dispatch!(self, s => s.clinic(org, mode).await)
    }

    /// Stores a new Booking API key's hash for the clinic.
    pub async fn insert_api_key(&self, org: OrgId, key: &NewApiKey) -> Result<(), StoreError> {
        dispatch!(self, s => s.insert_api_key(org, key).await)
    }

    pub async fn api_keys(&self, org: OrgId) -> Result<Vec<ApiKeyInfo>, StoreError> {
        dispatch!(self, s => s.api_keys(org).await)
    }

    /// Revokes the clinic's key with this prefix; false when it has none.
    pub async fn revoke_api_key(&self, org: OrgId, prefix: &str) -> Result<bool, StoreError> {
        dispatch!(self, s => s.revoke_api_key(org, prefix).await)
    }

    /// The routing lookup behind Booking API authentication: a key's hash to its clinic.
    pub async fn org_for_api_key(
        &self,
        key_hash: &str,
    ) -> Result<Option<Organization>, StoreError> {
        dispatch!(self, s => s.org_for_api_key(key_hash).await)
    }

    /// Routing for webhooks: the clinic that served this call's WebSocket (or got its events).
    pub async fn org_for_call(&self, call_id: &str) -> Result<Option<OrgId>, StoreError> {
        dispatch!(self, s => s.org_for_call(call_id).await)
    }

    /// Routing for webhooks: the clinic a Retell agent id was mapped to.
    pub async fn org_for_agent(&self, agent_id: &str) -> Result<Option<OrgId>, StoreError> {
        dispatch!(self, s => s.org_for_agent(agent_id).await)
    }

    pub async fn set_agent(&self, org: OrgId, agent_id: &str) -> Result<(), StoreError> {
        dispatch!(self, s => s.set_agent(org, agent_id).await)
    }

    /// Files a webhook event into the clinic's call record; repeats change nothing.
    pub async fn apply_call_event(
        &self,
        org: OrgId,
        event: &call_records::CallEvent,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.apply_call_event(org, event).await)
    }

    pub async fn store_unattributed(
        &self,
        event: &call_records::CallEvent,
        payload: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.store_unattributed(event, payload).await)
    }

    pub async fn list_call_records(
        &self,
        org: OrgId,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<call_records::CallSummary>, StoreError> {
        dispatch!(self, s => s.list_call_records(org, from_ms, to_ms, limit, offset).await)
    }

    pub async fn call_detail(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<call_records::CallDetail>, StoreError> {
        dispatch!(self, s => s.call_detail(org, call_id).await)
    }

    pub async fn record_tool_call(
        &self,
        org: OrgId,
        call_id: &str,
        call: &call_records::ToolCallRecord,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.record_tool_call(org, call_id, call).await)
    }

    pub async fn purge_transcripts(&self, org: OrgId, before_ms: i64) -> Result<u64, StoreError> {
        dispatch!(self, s => s.purge_transcripts(org, before_ms).await)
    }

    pub async fn count_calls(&self, org: OrgId) -> Result<i64, StoreError> {
        dispatch!(self, s => s.count_calls(org).await)
    }
}
