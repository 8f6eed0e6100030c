//! PostgreSQL: the backend for many clinics and several server instances. Every statement on
//! clinic data runs in a transaction scoped with `app.current_org`, which row level security
//! enforces; cross-clinic routing lookups use `org_routes` (keys to clinic ids, nothing else).

mod calls;
mod clinic;
mod roles;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Postgres, Row, Transaction};
use uuid::Uuid;

use super::{CallMetadata, CallRecord, ClinicTx, StoreError, TxMode, migrate};
use crate::tenancy::{
    ApiKeyInfo, NewApiKey, NewOrganization, OrgId, Organization, OrganizationUpdate, Slug, TimeZone,
};

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

macro_rules! select_org {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, slug, time_zone, greeting, instructions, created_at FROM organizations ",
            $tail
        )
    };
}

/// Scopes the transaction to one clinic: row level security shows and accepts only its rows.
pub(super) async fn scope(
    tx: &mut Transaction<'static, Postgres>,
    org: OrgId,
) -> Result<(), StoreError> {
    sqlx::query("SELECT set_config('app.current_org', $1, true)")
        .bind(org.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl PgStore {
    /// Migrates with the owning role when `admin_url` is given, then connects as the runtime
    /// role, refusing one that could get around row level security. Returns whether the
    /// database was fresh.
    pub async fn open(url: &str, admin_url: Option<&str>) -> Result<(Self, bool), StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        let fresh = match admin_url {
            Some(admin_url) => roles::migrate_and_grant(admin_url, options.get_username()).await?,
            None => false,
        };
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        roles::check_runtime_role(&pool).await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&pool)
            .await
            .map_err(|_| StoreError::NotMigrated(0, migrate::latest(migrate::POSTGRES)))?;
        let latest = migrate::latest(migrate::POSTGRES);
        if version.unwrap_or(0) != latest {
            return Err(StoreError::NotMigrated(version.unwrap_or(0), latest));
        }
        Ok((Self { pool }, fresh))
    }

    async fn org_in(
        tx: &mut Transaction<'static, Postgres>,
        id: OrgId,
    ) -> Result<Option<Organization>, StoreError> {
        scope(tx, id).await?;
        let row = sqlx::query(select_org!("WHERE id = $1"))
            .bind(id.as_uuid())
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    pub(super) async fn routed_org(
        &self,
        kind: &str,
        key: &str,
    ) -> Result<Option<OrgId>, StoreError> {
        let id: Option<Uuid> =
            sqlx::query_scalar("SELECT org_id FROM org_routes WHERE kind = $1 AND key = $2")
                .bind(kind)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(id.map(OrgId::from_uuid))
    }

    pub async fn list_orgs(&self) -> Result<Vec<Organization>, StoreError> {
        let ids: Vec<Uuid> =
            sqlx::query_scalar("SELECT org_id FROM org_routes WHERE kind = 'slug'")
                .fetch_all(&self.pool)
                .await?;
        let mut tx = self.pool.begin().await?;
        let mut orgs = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(org) = Self::org_in(&mut tx, OrgId::from_uuid(id)).await? {
                orgs.push(org);
            }
        }
        tx.commit().await?;
        orgs.sort_by_key(|o| (o.created_at, o.id));
        Ok(orgs)
    }

    pub async fn org_by_slug(&self, slug: &Slug) -> Result<Option<Organization>, StoreError> {
        let Some(id) = self.routed_org("slug", slug.as_str()).await? else {
            return Ok(None);
        };
        let mut tx = self.pool.begin().await?;
        let org = Self::org_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(org)
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
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org.id).await?;
        let inserted = sqlx::query(
            "INSERT INTO organizations (id, name, slug, time_zone, greeting, instructions, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(org.id.as_uuid())
        .bind(&org.name)
        .bind(org.slug.as_str())
        .bind(org.time_zone.name())
        .bind(&org.greeting)
        .bind(&org.instructions)
        .bind(now)
        .execute(&mut *tx)
        .await;
        if let Err(err) = inserted {
            return Err(unique_violation_as_duplicate(err, &org.slug));
        }
        let routed =
            sqlx::query("INSERT INTO org_routes (kind, key, org_id) VALUES ('slug', $1, $2)")
                .bind(org.slug.as_str())
                .bind(org.id.as_uuid())
                .execute(&mut *tx)
                .await;
        if let Err(err) = routed {
            return Err(unique_violation_as_duplicate(err, &org.slug));
        }
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn update_org(
        &self,
        id: OrgId,
        update: OrganizationUpdate,
    ) -> Result<Organization, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut org = Self::org_in(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::UnknownOrg(id.to_string()))?;
        let old_slug = org.slug.clone();
        org.apply(update);
        let updated = sqlx::query(
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
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await;
        if let Err(err) = updated {
            return Err(unique_violation_as_duplicate(err, &org.slug));
        }
        if org.slug != old_slug {
            let moved = sqlx::query(
                "UPDATE org_routes SET key = $1 WHERE kind = 'slug' AND key = $2 AND org_id = $3",
            )
            .bind(org.slug.as_str())
            .bind(old_slug.as_str())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await;
            if let Err(err) = moved {
                return Err(unique_violation_as_duplicate(err, &org.slug));
            }
        }
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn remove_org(&self, org: &Organization, force: bool) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org.id).await?;
        let calls: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calls WHERE org_id = $1")
            .bind(org.id.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
        let patients: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM patients WHERE org_id = $1")
            .bind(org.id.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
        if (calls > 0 || patients > 0) && !force {
            return Err(StoreError::OrgHasData {
                slug: org.slug.clone(),
                calls,
                patients,
            });
        }
        let removed = sqlx::query("DELETE FROM organizations WHERE id = $1")
            .bind(org.id.as_uuid())
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::UnknownOrg(org.id.to_string()));
        }
        sqlx::query("DELETE FROM meta WHERE key = 'default_org_id' AND value = $1")
            .bind(org.id.to_string())
            .execute(&mut *tx)
            .await?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(calls)
    }

    pub async fn set_default_org(&self, id: OrgId) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if Self::org_in(&mut tx, id).await?.is_none() {
            return Err(StoreError::UnknownOrg(id.to_string()));
        }
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('default_org_id', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn default_org_id(&self) -> Result<Option<OrgId>, StoreError> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'default_org_id'")
                .fetch_optional(&self.pool)
                .await?;
        value
            .map(|v| v.parse().map_err(StoreError::from))
            .transpose()
    }

    pub async fn registry_generation(&self) -> Result<i64, StoreError> {
        let value: String =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'registry_generation'")
                .fetch_one(&self.pool)
                .await?;
        value
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("registry_generation '{value}'")))
    }

    pub async fn record_call_connected(&self, org: OrgId, call_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        sqlx::query(
            "INSERT INTO calls (call_id, org_id, first_connected_at, last_connected_at)
             VALUES ($1, $2, now(), now())
             ON CONFLICT (call_id) DO UPDATE SET last_connected_at = excluded.last_connected_at,
                 connections = calls.connections + 1
             WHERE calls.org_id = excluded.org_id",
        )
        .bind(call_id)
        .bind(org.as_uuid())
        .execute(&mut *tx)
        .await?;
        calls::route_call(&mut tx, org, call_id).await?;
        // The call's record, so it is listed (and webhooks find its clinic) from the start.
        sqlx::query(
            "INSERT INTO call_records (call_id, org_id, call_status, start_ms, created_at, updated_at)
             VALUES ($1, $2, 'ongoing', $3, now(), now()) ON CONFLICT (call_id) DO NOTHING",
        )
        .bind(call_id)
        .bind(org.as_uuid())
        .bind(Utc::now().timestamp_millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_call_details(
        &self,
        org: OrgId,
        call_id: &str,
        meta: &CallMetadata,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        sqlx::query(
            "UPDATE calls SET agent_id = $1, call_type = $2, direction = $3, from_number = $4,
                 to_number = $5
             WHERE call_id = $6 AND org_id = $7",
        )
        .bind(&meta.agent_id)
        .bind(&meta.call_type)
        .bind(&meta.direction)
        .bind(&meta.from_number)
        .bind(&meta.to_number)
        .bind(call_id)
        .bind(org.as_uuid())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn call_record(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        let row = sqlx::query(
            "SELECT call_id, agent_id, call_type, direction, from_number, to_number,
                    first_connected_at, last_connected_at, connections
             FROM calls WHERE org_id = $1 AND call_id = $2",
        )
        .bind(org.as_uuid())
        .bind(call_id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(|row| -> Result<CallRecord, StoreError> {
            Ok(CallRecord {
                call_id: row.try_get("call_id")?,
                metadata: CallMetadata {
                    agent_id: row.try_get("agent_id")?,
                    call_type: row.try_get("call_type")?,
                    direction: row.try_get("direction")?,
                    from_number: row.try_get("from_number")?,
                    to_number: row.try_get("to_number")?,
                },
                first_connected_at: row.try_get("first_connected_at")?,
                last_connected_at: row.try_get("last_connected_at")?,
                connections: i64::from(row.try_get::<i32, _>("connections")?),
            })
        })
        .transpose()
    }

    pub async fn count_calls(&self, org: OrgId) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        let count = sqlx::query_scalar("SELECT COUNT(*) FROM calls WHERE org_id = $1")
            .bind(org.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(count)
    }

    pub async fn clinic(&self, org: OrgId, mode: TxMode) -> Result<Box<dyn ClinicTx>, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        if mode == TxMode::Write {
            // One writer per clinic across every instance: a booking's re-check sees all
            // earlier bookings. The exclusion constraints back this up.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(org.to_string())
                .execute(&mut *tx)
                .await?;
        }
        Ok(Box::new(clinic::PgClinic::new(tx, org)))
    }

    pub async fn insert_api_key(&self, org: OrgId, key: &NewApiKey) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        sqlx::query(
            "INSERT INTO api_keys (id, org_id, key_hash, prefix, label, created_at)
             VALUES ($1, $2, $3, $4, $5, now())",
        )
        .bind(Uuid::new_v4())
        .bind(org.as_uuid())
        .bind(&key.hash)
        .bind(&key.prefix)
        .bind(&key.label)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO org_routes (kind, key, org_id) VALUES ('api_key', $1, $2)")
            .bind(&key.hash)
            .bind(org.as_uuid())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn api_keys(&self, org: OrgId) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        let rows = sqlx::query(
            "SELECT prefix, label, created_at, revoked_at FROM api_keys
             WHERE org_id = $1 ORDER BY created_at",
        )
        .bind(org.as_uuid())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|row| {
                Ok(ApiKeyInfo {
                    prefix: row.try_get("prefix")?,
                    label: row.try_get("label")?,
                    created_at: row.try_get("created_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    pub async fn revoke_api_key(&self, org: OrgId, prefix: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        let hashes: Vec<String> = sqlx::query_scalar(
            "UPDATE api_keys SET revoked_at = now()
             WHERE org_id = $1 AND prefix = $2 AND revoked_at IS NULL
             RETURNING key_hash",
        )
        .bind(org.as_uuid())
        .bind(prefix)
        .fetch_all(&mut *tx)
        .await?;
        for hash in &hashes {
            sqlx::query(
                "DELETE FROM org_routes WHERE kind = 'api_key' AND key = $1 AND org_id = $2",
            )
            .bind(hash)
            .bind(org.as_uuid())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(!hashes.is_empty())
    }

    pub async fn org_for_api_key(
        &self,
        key_hash: &str,
    ) -> Result<Option<Organization>, StoreError> {
        let Some(id) = self.routed_org("api_key", key_hash).await? else {
            return Ok(None);
        };
        let mut tx = self.pool.begin().await?;
        let org = Self::org_in(&mut tx, id).await?;
        // The route names the clinic; the clinic's own row must agree the key is live.
        let live: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM api_keys WHERE org_id = $1 AND key_hash = $2 AND revoked_at IS NULL",
        )
        .bind(id.as_uuid())
        .bind(key_hash)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(org.filter(|_| live.is_some()))
    }
}

async fn bump_generation(tx: &mut Transaction<'static, Postgres>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'registry_generation'",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn unique_violation_as_duplicate(err: sqlx::Error, slug: &Slug) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::DuplicateSlug(slug.clone())
        }
        _ => StoreError::Database(err),
    }
}

fn org_from_row(row: &PgRow) -> Result<Organization, StoreError> {
    let id: Uuid = row.try_get("id")?;
    let slug: String = row.try_get("slug")?;
    let zone: String = row.try_get("time_zone")?;
    let created_at: DateTime<Utc> = row.try_get("created_at")?;
    Ok(Organization {
        id: OrgId::from_uuid(id),
        name: row.try_get("name")?,
        slug: Slug::parse(&slug)?,
        time_zone: TimeZone::parse(&zone)?,
        greeting: row.try_get("greeting")?,
        instructions: row.try_get("instructions")?,
        created_at,
    })
}
