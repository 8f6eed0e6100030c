mod calls;
mod clinic;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};

use super::{CallMetadata, CallRecord, ClinicTx, StoreError, TxMode, migrate};
use crate::tenancy::{
    ApiKeyInfo, NewApiKey, NewOrganization, OrgId, Organization, OrganizationUpdate, Slug, TimeZone,
};

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

/// An org SELECT as one literal (sqlx only runs literal SQL).
macro_rules! select_org {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, slug, time_zone, greeting, instructions, created_at FROM organizations ",
            $tail
        )
    };
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database. Returns whether it was fresh.
    pub async fn open(url: &str) -> Result<(Self, bool), StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Availability reads a thousand rows at a time; a small row channel would hand
            // them between threads fifty at a time.
            .row_buffer_size(4096);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        let mut conn = pool.acquire().await?;
        let fresh = migrate::run_sqlite(&mut conn, migrate::SQLITE).await?;
        drop(conn);
        Ok((Self { pool }, fresh))
    }

    /// Writes take the write lock up front: a deferred transaction that reads and then writes
    /// fails with SQLITE_BUSY if another connection wrote in between.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn list_orgs(&self) -> Result<Vec<Organization>, StoreError> {
        let rows = sqlx::query(select_org!("ORDER BY created_at, rowid"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(org_from_row).collect()
    }

    pub async fn org_by_slug(&self, slug: &Slug) -> Result<Option<Organization>, StoreError> {
        let row = sqlx::query(select_org!("WHERE slug = ?"))
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(org_from_row).transpose()
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
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO organizations (id, name, slug, time_zone, greeting, instructions, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(org.id.to_string())
        .bind(&org.name)
        .bind(org.slug.as_str())
        .bind(org.time_zone.name())
        .bind(&org.greeting)
        .bind(&org.instructions)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await;
        if let Err(err) = inserted {
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
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(select_org!("WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::UnknownOrg(id.to_string()))?;
        let mut org = org_from_row(&row)?;
        org.apply(update);
        let updated = sqlx::query(
            "UPDATE organizations SET name = ?, slug = ?, time_zone = ?, greeting = ?, instructions = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(&org.name)
        .bind(org.slug.as_str())
        .bind(org.time_zone.name())
        .bind(&org.greeting)
        .bind(&org.instructions)
        .bind(Utc::now())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await;
        if let Err(err) = updated {
            return Err(unique_violation_as_duplicate(err, &org.slug));
        }
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Removes a clinic. With records and without `force` nothing is deleted.
    pub async fn remove_org(&self, org: &Organization, force: bool) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let calls: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calls WHERE org_id = ?")
            .bind(org.id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let patients: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM patients WHERE org_id = ?")
            .bind(org.id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        if (calls > 0 || patients > 0) && !force {
            return Err(StoreError::OrgHasData {
                slug: org.slug.clone(),
                calls,
                patients,
            });
        }
        let removed = sqlx::query("DELETE FROM organizations WHERE id = ?")
            .bind(org.id.to_string())
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::UnknownOrg(org.id.to_string()));
        }
        sqlx::query("DELETE FROM meta WHERE key = 'default_org_id' AND value = ?")
            .bind(org.id.to_string())
            .execute(&mut *tx)
            .await?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(calls)
    }

    pub async fn set_default_org(&self, id: OrgId) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO meta (key, value) SELECT 'default_org_id', id FROM organizations WHERE id = ?
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
        let now = super::stamp(Utc::now());
        sqlx::query(
            "INSERT INTO calls (call_id, org_id, first_connected_at, last_connected_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (call_id) DO UPDATE SET last_connected_at = excluded.last_connected_at,
                 connections = calls.connections + 1
             WHERE calls.org_id = excluded.org_id",
        )
        .bind(call_id)
        .bind(org.to_string())
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        // The call's record, so it is listed (and webhooks find its clinic) from the start.
        sqlx::query(
            "INSERT INTO call_records (call_id, org_id, call_status, start_ms, created_at, updated_at)
             VALUES (?, ?, 'ongoing', ?, ?, ?) ON CONFLICT (call_id) DO NOTHING",
        )
        .bind(call_id)
        .bind(org.to_string())
        .bind(now.timestamp_millis())
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn record_call_details(
        &self,
        org: OrgId,
        call_id: &str,
        meta: &CallMetadata,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE calls SET agent_id = ?, call_type = ?, direction = ?, from_number = ?, to_number = ?
             WHERE call_id = ? AND org_id = ?",
        )
        .bind(&meta.agent_id)
        .bind(&meta.call_type)
        .bind(&meta.direction)
        .bind(&meta.from_number)
        .bind(&meta.to_number)
        .bind(call_id)
        .bind(org.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn call_record(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT call_id, agent_id, call_type, direction, from_number, to_number,
                    first_connected_at, last_connected_at, connections
             FROM calls WHERE org_id = ? AND call_id = ?",
        )
        .bind(org.to_string())
        .bind(call_id)
        .fetch_optional(&self.pool)
        .await?;
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
                connections: row.try_get("connections")?,
            })
        })
        .transpose()
    }

    pub async fn clinic(&self, org: OrgId, mode: TxMode) -> Result<Box<dyn ClinicTx>, StoreError> {
        // IMMEDIATE takes the write lock before the first read: two bookings serialise, and
        // the second sees the first.
        let tx = match mode {
            TxMode::Read => self.pool.begin().await?,
            TxMode::Write => self.pool.begin_with("BEGIN IMMEDIATE").await?,
        };
        Ok(Box::new(clinic::SqliteClinic::new(tx, org)))
    }

    pub async fn insert_api_key(&self, org: OrgId, key: &NewApiKey) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, org_id, key_hash, prefix, label, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(org.to_string())
        .bind(&key.hash)
        .bind(&key.prefix)
        .bind(&key.label)
        .bind(Utc::now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn api_keys(&self, org: OrgId) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT prefix, label, created_at, revoked_at FROM api_keys
             WHERE org_id = ? ORDER BY created_at",
        )
        .bind(org.to_string())
        .fetch_all(&self.pool)
        .await?;
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
        let revoked = sqlx::query(
            "UPDATE api_keys SET revoked_at = ?
             WHERE org_id = ? AND prefix = ? AND revoked_at IS NULL",
        )
        .bind(Utc::now())
        .bind(org.to_string())
        .bind(prefix)
        .execute(&self.pool)
        .await?;
        Ok(revoked.rows_affected() > 0)
    }

    pub async fn org_for_api_key(
        &self,
        key_hash: &str,
    ) -> Result<Option<Organization>, StoreError> {
        let row = sqlx::query(select_org!(
            "WHERE id = (SELECT org_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL)"
        ))
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    pub async fn count_calls(&self, org: OrgId) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM calls WHERE org_id = ?")
                .bind(org.to_string())
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

async fn bump_generation(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'registry_generation'",
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

fn org_from_row(row: &SqliteRow) -> Result<Organization, StoreError> {
    let id: String = row.try_get("id")?;
    let slug: String = row.try_get("slug")?;
    let zone: String = row.try_get("time_zone")?;
    let created_at: DateTime<Utc> = row.try_get("created_at")?;
    Ok(Organization {
        id: id.parse()?,
        name: row.try_get("name")?,
        slug: Slug::parse(&slug)?,
        time_zone: TimeZone::parse(&zone)?,
        greeting: row.try_get("greeting")?,
        instructions: row.try_get("instructions")?,
        created_at,
    })
}
