//! PostgreSQL: the backend for many clinics and several server instances. Two roles: the
//! owner, which migrates, and the runtime role the server connects as, which row level
//! security binds. Every statement on clinic data runs in a transaction scoped with
//! `app.current_org`; cross-clinic routing lookups use `org_routes` (keys to clinic ids,
//! nothing else).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Transaction};

use super::{Pool, TxMode};
use crate::store::{StoreError, migrate};
use crate::tenancy::OrgId;

/// Migrates with the owning role when `admin_url` is given, then connects as the runtime
/// role, refusing one that could get around row level security. True when the database
/// was fresh.
pub async fn open(url: &str, admin_url: Option<&str>) -> Result<(PgPool, bool), StoreError> {
    let options = PgConnectOptions::from_str(url)?;
    let fresh = match admin_url {
        Some(admin_url) => migrate_and_grant(admin_url, options.get_username()).await?,
        None => false,
    };
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    check_runtime_role(&pool).await?;
    let latest = migrate::latest(migrate::POSTGRES);
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&pool)
        .await
        .map_err(|_| StoreError::NotMigrated(0, latest))?;
    if version.unwrap_or(0) != latest {
        return Err(StoreError::NotMigrated(version.unwrap_or(0), latest));
    }
    Ok((pool, fresh))
}

/// Scopes the transaction to one clinic (row level security shows and accepts only its
/// rows) and, for writes, takes that clinic's lock: one writer per clinic across every
/// instance, so a booking's re-check sees all earlier bookings. The exclusion constraints
/// back this up.
pub async fn begin(
    pool: &PgPool,
    clinic: Option<OrgId>,
    mode: TxMode,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(org) = clinic {
        let org = org.to_string();
        sqlx::query("SELECT set_config('app.current_org', $1, true)")
            .bind(&org)
            .execute(&mut *tx)
            .await?;
        if mode == TxMode::Write {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(&org)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(tx)
}

/// Migrates as the owner and grants the runtime role what it needs and no more.
async fn migrate_and_grant(admin_url: &str, runtime_role: &str) -> Result<bool, StoreError> {
    let options = PgConnectOptions::from_str(admin_url)?;
    if options.get_username() == runtime_role {
        return Err(StoreError::UnsafeRole {
            role: runtime_role.to_owned(),
            reason: "ASCENDIA_ADMIN_DATABASE_URL and ASCENDIA_DATABASE_URL must use different roles: the owner of the tables can switch row level security off".into(),
        });
    }
    let role = quoted_role(runtime_role)?;
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let fresh = migrate::run(&Pool::Postgres(admin.clone()), migrate::POSTGRES).await?;
    let mut conn = admin.acquire().await?;
    sqlx::raw_sql(AssertSqlSafe(format!(
        "GRANT USAGE ON SCHEMA public TO {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
         REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {role};
         REVOKE SELECT, UPDATE, DELETE ON unattributed_events FROM {role};
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};
         GRANT EXECUTE ON FUNCTION ascendia_current_org() TO {role};"
    )))
    .execute(&mut *conn)
    .await?;
    drop(conn);
    admin.close().await;
    Ok(fresh)
}

/// A role name for SQL. Only plain names: anything else is refused, never escaped.
fn quoted_role(name: &str) -> Result<String, StoreError> {
    let plain = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(StoreError::UnsafeRole {
            role: name.to_owned(),
            reason: "use a role name of letters, digits and underscores".into(),
        });
    }
    Ok(format!("\"{name}\""))
}

/// Refuses a runtime role that row level security would not bind: one that is, or is a
/// member of (directly or through other roles, inheriting or by `SET ROLE`), a superuser, a
/// role with BYPASSRLS, an owner of the tables, or the owner of the schema (who may drop
/// them).
async fn check_runtime_role(pool: &PgPool) -> Result<(), StoreError> {
    let found: Option<(String, bool, bool, bool)> = sqlx::query_as(
        "SELECT name, superuser, bypass, owns FROM (
             SELECT r.rolname::text AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypass,
                    EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = current_schema()
                            AND t.tableowner = r.rolname) AS owns,
                    EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = current_schema()
                            AND n.nspowner = r.oid) AS owns_schema,
                    r.rolname = current_user AS itself
             FROM pg_roles r WHERE pg_has_role(current_user, r.oid, 'MEMBER')) m
         WHERE superuser OR bypass OR owns OR owns_schema
         ORDER BY itself DESC, superuser DESC, bypass DESC, owns DESC
         LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let Some((granting, superuser, bypass, owns)) = found else {
        return Ok(());
    };
    let role: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(pool)
        .await?;
    let what = if superuser {
        "a superuser, which row level security does not bind"
    } else if bypass {
        "a role with BYPASSRLS"
    } else if owns {
        "an owner of the tables, which can switch row level security off"
    } else {
        "the owner of the schema, which can drop the tables"
    };
    let reason = if granting == role {
        format!("it is {what}")
    } else {
        format!("it is a member of \"{granting}\", {what}")
    };
    Err(StoreError::UnsafeRole {
        role,
        reason: format!("{reason}; connect the server as a separate role (see README: PostgreSQL)"),
    })
}
