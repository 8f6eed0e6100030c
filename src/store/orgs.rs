//! Clinics, the server-wide meta rows, Booking API keys, and `org_routes`: the only
//! cross-clinic lookups (slug, API key hash, call id, Retell agent id to a clinic id).

use chrono::{DateTime, Utc};

use super::db::record;
use super::db::types::DbId;
use super::db::{Sql, Tx, TxMode, sql};
use super::{Store, StoreError};
use crate::tenancy::{
    ApiKeyInfo, NewApiKey, NewOrganization, OrgId, Organization, OrganizationUpdate, Slug, TimeZone,
};

/// An org SELECT as one literal (sqlx runs only literal SQL).
macro_rules! select_org {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, slug, time_zone, greeting, instructions, created_at FROM organizations ",
            $tail
        )
    };
}

record! {
    struct OrgRow {
        id: DbId,
        name: String,
        slug: String,
        time_zone: String,
        greeting: Option<String>,
        instructions: Option<String>,
        created_at: DateTime<Utc>,
    }
}

impl TryFrom<OrgRow> for Organization {
    type Error = StoreError;
    fn try_from(row: OrgRow) -> Result<Self, StoreError> {
        Ok(Organization {
            id: OrgId::from_uuid(row.id.0),
            name: row.name,
            slug: Slug::parse(&row.slug)?,
            time_zone: TimeZone::parse(&row.time_zone)?,
            greeting: row.greeting,
            instructions: row.instructions,
            created_at: row.created_at,
        })
    }
}

record! {
    struct ApiKeyRow {
        prefix: String,
        label: Option<String>,
        created_at: DateTime<Utc>,
        revoked_at: Option<DateTime<Utc>>,
    }
}

/// A route's kind, as `org_routes.kind` spells it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Route {
    Slug,
    ApiKey,
    Call,
    Agent,
}

impl Route {
    fn as_str(self) -> &'static str {
        match self {
            Route::Slug => "slug",
            Route::ApiKey => "api_key",
            Route::Call => "call",
            Route::Agent => "agent",
        }
    }
}

fn route_query(route: Route, key: &str) -> Sql<'_> {
    sql("SELECT org_id FROM org_routes WHERE kind = $1 AND key = $2")
        .bind(route.as_str())
        .bind(key)
}

/// The clinic a route leads to, read inside `tx`.
pub(super) async fn routed(
    tx: &mut Tx,
    route: Route,
    key: &str,
) -> Result<Option<OrgId>, StoreError> {
    let id: Option<(DbId,)> = tx.fetch_optional(route_query(route, key)).await?;
    Ok(id.map(|(id,)| OrgId::from_uuid(id.0)))
}

/// Adds a route unless the key already leads somewhere (a call id or agent id belongs to
/// one clinic for good).
pub(super) async fn add_route(
    tx: &mut Tx,
    route: Route,
    key: &str,
    org: OrgId,
) -> Result<(), StoreError> {
    tx.execute(
        sql(
            "INSERT INTO org_routes (kind, key, org_id) VALUES ($1, $2, $3)
             ON CONFLICT (kind, key) DO NOTHING",
        )
        .bind(route.as_str())
        .bind(key)
        .bind(org),
    )
    .await?;
    Ok(())
}

/// The clinic's own row; on PostgreSQL `tx` must be scoped to it.
async fn org_in(tx: &mut Tx, id: OrgId) -> Result<Option<Organization>, StoreError> {
    let row: Option<OrgRow> = tx
        .fetch_optional(sql(select_org!("WHERE id = $1")).bind(id))
        .await?;
    row.map(Organization::try_from).transpose()
}

pub(super) async fn bump_generation(tx: &mut Tx) -> Result<(), StoreError> {
    tx.execute(sql(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT)
         WHERE key = 'registry_generation'",
    ))
    .await?;
    // Other instances listening reload at once; the notice goes out only if this commits.
    if matches!(tx, Tx::Postgres(_)) {
        tx.execute(sql(super::notify::NOTIFY_REGISTRY)).await?;
    }
    Ok(())
}

pub(super) fn unique_violation_as_duplicate(err: sqlx::Error, slug: &Slug) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::DuplicateSlug(slug.clone())
        }
        _ => StoreError::Database(err),
    }
}

impl Store {
    /// The clinic's row, read in a transaction of its own.
    async fn org(&self, id: OrgId) -> Result<Option<Organization>, StoreError> {
        let mut tx = self.pool.begin(Some(id), TxMode::Read).await?;
        let org = org_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn list_orgs(&self) -> Result<Vec<Organization>, StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Read).await?;
        let ids: Vec<(DbId,)> = tx
            .fetch_all(sql("SELECT org_id FROM org_routes WHERE kind = 'slug'"))
            .await?;
        tx.commit().await?;
        let mut orgs = Vec::with_capacity(ids.len());
        for (id,) in ids {
            if let Some(org) = self.org(OrgId::from_uuid(id.0)).await? {
                orgs.push(org);
            }
        }
        orgs.sort_by_key(|o| (o.created_at, o.id));
        Ok(orgs)
    }

    pub async fn org_by_slug(&self, slug: &Slug) -> Result<Option<Organization>, StoreError> {
        match self.route(Route::Slug, slug.as_str()).await? {
            Some(id) => self.org(id).await,
            None => Ok(None),
        }
    }

    /// Looks a clinic up by slug, with the error the CLI reports when there is none.
    pub async fn require_org(&self, slug: &str) -> Result<Organization, StoreError> {
        let parsed = Slug::parse(slug).map_err(|_| StoreError::UnknownSlug(slug.to_owned()))?;
        self.org_by_slug(&parsed)
            .await?
            .ok_or_else(|| StoreError::UnknownSlug(slug.to_owned()))
    }

    pub async fn create_org(&self, new: NewOrganization) -> Result<Organization, StoreError> {
        let now = super::stamp(Utc::now());
        let org = Organization {
            id: OrgId::new_random(),
            name: new.name,
            slug: new.slug,
            time_zone: new.time_zone,
            greeting: new.greeting,
            instructions: new.instructions,
            created_at: now,
        };
        let mut tx = self.pool.begin(Some(org.id), TxMode::Write).await?;
        tx.execute(
            sql(
                "INSERT INTO organizations (id, name, slug, time_zone, greeting, instructions,
                     created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(org.id)
            .bind(&org.name)
            .bind(org.slug.as_str())
            .bind(org.time_zone.name())
            .bind(&org.greeting)
            .bind(&org.instructions)
            .bind(now),
        )
        .await
        .map_err(|err| unique_violation_as_duplicate(err, &org.slug))?;
        tx.execute(
            sql("INSERT INTO org_routes (kind, key, org_id) VALUES ('slug', $1, $2)")
                .bind(org.slug.as_str())
                .bind(org.id),
        )
        .await
        .map_err(|err| unique_violation_as_duplicate(err, &org.slug))?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn update_org(
        &self,
        id: OrgId,
        update: OrganizationUpdate,
    ) -> Result<Organization, StoreError> {
        let mut tx = self.pool.begin(Some(id), TxMode::Write).await?;
        let mut org = org_in(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::UnknownOrg(id.to_string()))?;
        let old_slug = org.slug.clone();
        org.apply(update);
        tx.execute(
            sql(
                "UPDATE organizations SET name = $1, slug = $2, time_zone = $3, greeting = $4,
                     instructions = $5, updated_at = $6
                 WHERE id = $7",
            )
            .bind(&org.name)
            .bind(org.slug.as_str())
            .bind(org.time_zone.name())
            .bind(&org.greeting)
            .bind(&org.instructions)
            .bind(Utc::now())
            .bind(id),
        )
        .await
        .map_err(|err| unique_violation_as_duplicate(err, &org.slug))?;
        if org.slug != old_slug {
            tx.execute(
                sql("UPDATE org_routes SET key = $1 WHERE kind = 'slug' AND key = $2 AND org_id = $3")
                    .bind(org.slug.as_str())
                    .bind(old_slug.as_str())
                    .bind(id),
            )
            .await
            .map_err(|err| unique_violation_as_duplicate(err, &org.slug))?;
        }
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Removes a clinic; returns how many call records went with it. With records and
    /// without `force` nothing is deleted.
    pub async fn remove_org(&self, org: &Organization, force: bool) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin(Some(org.id), TxMode::Write).await?;
        let (calls,): (i64,) = tx
            .fetch_one(sql("SELECT COUNT(*) FROM calls WHERE org_id = $1").bind(org.id))
            .await?;
        let (patients,): (i64,) = tx
            .fetch_one(sql("SELECT COUNT(*) FROM patients WHERE org_id = $1").bind(org.id))
            .await?;
        if (calls > 0 || patients > 0) && !force {
            return Err(StoreError::OrgHasData {
                slug: org.slug.clone(),
                calls,
                patients,
            });
        }
        let removed = tx
            .execute(sql("DELETE FROM organizations WHERE id = $1").bind(org.id))
            .await?;
        if removed == 0 {
            return Err(StoreError::UnknownOrg(org.id.to_string()));
        }
        tx.execute(
            sql("DELETE FROM meta WHERE key = 'default_org_id' AND value = $1")
                .bind(org.id.to_string()),
        )
        .await?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(calls)
    }

    pub async fn set_default_org(&self, id: OrgId) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Some(id), TxMode::Write).await?;
        if org_in(&mut tx, id).await?.is_none() {
            return Err(StoreError::UnknownOrg(id.to_string()));
        }
        tx.execute(
            sql("INSERT INTO meta (key, value) VALUES ('default_org_id', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(id.to_string()),
        )
        .await?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value: Option<(String,)> = self
            .pool
            .fetch_shared(sql("SELECT value FROM meta WHERE key = $1").bind(key))
            .await?;
        Ok(value.map(|(v,)| v))
    }

    pub async fn default_org_id(&self) -> Result<Option<OrgId>, StoreError> {
        self.meta("default_org_id")
            .await?
            .map(|v| v.parse().map_err(StoreError::from))
            .transpose()
    }

    /// A counter bumped by every change to clinics; running servers poll it to reload.
    pub async fn registry_generation(&self) -> Result<i64, StoreError> {
        let value = self
            .meta("registry_generation")
            .await?
            .ok_or_else(|| StoreError::Corrupt("no registry_generation".into()))?;
        value
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("registry_generation '{value}'")))
    }

    /// Stores a new Booking API key's hash for the clinic.
    pub async fn insert_api_key(&self, org: OrgId, key: &NewApiKey) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Write).await?;
        tx.execute(
            sql(
                "INSERT INTO api_keys (id, org_id, key_hash, prefix, label, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(uuid::Uuid::new_v4())
            .bind(org)
            .bind(&key.hash)
            .bind(&key.prefix)
            .bind(&key.label)
            .bind(Utc::now()),
        )
        .await?;
        tx.execute(
            sql("INSERT INTO org_routes (kind, key, org_id) VALUES ('api_key', $1, $2)")
                .bind(&key.hash)
                .bind(org),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn api_keys(&self, org: OrgId) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<ApiKeyRow> = tx
            .fetch_all(
                sql("SELECT prefix, label, created_at, revoked_at FROM api_keys
                     WHERE org_id = $1 ORDER BY created_at")
                .bind(org),
            )
            .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|row| ApiKeyInfo {
                prefix: row.prefix,
                label: row.label,
                created_at: row.created_at,
                revoked_at: row.revoked_at,
            })
            .collect())
    }

    /// Revokes the clinic's key with this prefix; false when it has none.
    pub async fn revoke_api_key(&self, org: OrgId, prefix: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Write).await?;
        let hashes: Vec<(String,)> = tx
            .fetch_all(
                sql("UPDATE api_keys SET revoked_at = $1
                     WHERE org_id = $2 AND prefix = $3 AND revoked_at IS NULL
                     RETURNING key_hash")
                .bind(Utc::now())
                .bind(org)
                .bind(prefix),
            )
            .await?;
        for (hash,) in &hashes {
            tx.execute(
                sql("DELETE FROM org_routes WHERE kind = 'api_key' AND key = $1 AND org_id = $2")
                    .bind(hash)
                    .bind(org),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(!hashes.is_empty())
    }

    /// The routing lookup behind Booking API authentication: a key's hash to its clinic.
    pub async fn org_for_api_key(
        &self,
        key_hash: &str,
    ) -> Result<Option<Organization>, StoreError> {
        let Some(id) = self.route(Route::ApiKey, key_hash).await? else {
            return Ok(None);
        };
        let mut tx = self.pool.begin(Some(id), TxMode::Read).await?;
        let org = org_in(&mut tx, id).await?;
        // The route names the clinic; the clinic's own row must agree the key is live.
        let live: Option<(i64,)> = tx
            .fetch_optional(
                sql("SELECT CAST(1 AS BIGINT) FROM api_keys
                     WHERE org_id = $1 AND key_hash = $2 AND revoked_at IS NULL")
                .bind(id)
                .bind(key_hash),
            )
            .await?;
        tx.commit().await?;
        Ok(org.filter(|_| live.is_some()))
    }

    /// Routing for webhooks: the clinic that served this call's WebSocket (or got its events).
    pub async fn org_for_call(&self, call_id: &str) -> Result<Option<OrgId>, StoreError> {
        self.route(Route::Call, call_id).await
    }

    /// Routing for webhooks: the clinic a Retell agent id was mapped to.
    pub async fn org_for_agent(&self, agent_id: &str) -> Result<Option<OrgId>, StoreError> {
        self.route(Route::Agent, agent_id).await
    }

    async fn route(&self, route: Route, key: &str) -> Result<Option<OrgId>, StoreError> {
        let id: Option<(DbId,)> = self.pool.fetch_shared(route_query(route, key)).await?;
        Ok(id.map(|(id,)| OrgId::from_uuid(id.0)))
    }

    pub async fn set_agent(&self, org: OrgId, agent_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Write).await?;
        if routed(&mut tx, Route::Agent, agent_id)
            .await?
            .is_some_and(|owner| owner != org)
        {
            return Err(StoreError::AgentTaken(agent_id.to_owned()));
        }
        add_route(&mut tx, Route::Agent, agent_id, org).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The Retell agent ids mapped to the clinic, in order.
    pub async fn agent_ids(&self, org: OrgId) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<(String,)> = tx
            .fetch_all(
                sql("SELECT key FROM org_routes WHERE kind = 'agent' AND org_id = $1 ORDER BY key")
                    .bind(org),
            )
            .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|(key,)| key).collect())
    }

    /// Unmaps one of the clinic's agent ids; false when the clinic has no such id (another
    /// clinic's stays theirs).
    pub async fn remove_agent(&self, org: OrgId, agent_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Write).await?;
        let removed = tx
            .execute(
                sql("DELETE FROM org_routes WHERE kind = 'agent' AND key = $1 AND org_id = $2")
                    .bind(agent_id)
                    .bind(org),
            )
            .await?;
        tx.commit().await?;
        Ok(removed > 0)
    }
}
