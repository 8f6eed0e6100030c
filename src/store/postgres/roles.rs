//! The two database roles: the owner that migrates, and the runtime role the server uses,
//! which row level security binds.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};

use crate::store::{StoreError, migrate};

/// Migrates as the owner and grants the runtime role what it needs and no more.
pub async fn migrate_and_grant(admin_url: &str, runtime_role: &str) -> Result<bool, StoreError> {
    let options = PgConnectOptions::from_str(admin_url)?;
    if options.get_username() == runtime_role {
        return Err(StoreError::UnsafeRole {
            role: runtime_role.to_owned(),
            reason: "ASCENDIA_ADMIN_DATABASE_URL and ASCENDIA_DATABASE_URL must use different roles: the owner of the tables can switch row level security off".into(),
        });
    }
    let role = quoted_role(runtime_role)?;
    let mut conn = PgConnection::connect_with(&options).await?;
    let fresh = migrate::run_postgres(&mut conn, migrate::POSTGRES).await?;
    sqlx::raw_sql(AssertSqlSafe(format!(
        "GRANT USAGE ON SCHEMA public TO {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
         REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {role};
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};
         GRANT EXECUTE ON FUNCTION ascendia_current_org() TO {role};"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
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

/// Refuses a runtime role that row level security would not bind.
pub async fn check_runtime_role(pool: &PgPool) -> Result<(), StoreError> {
    let (role, superuser, bypass, owns): (String, bool, bool, bool) = sqlx::query_as(
        "SELECT current_user::text, r.rolsuper, r.rolbypassrls,
                EXISTS (SELECT 1 FROM pg_tables
                        WHERE schemaname = current_schema() AND tableowner = current_user)
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_one(pool)
    .await?;
    let reason = if superuser {
        Some("it is a superuser, which row level security does not bind")
    } else if bypass {
        Some("it has BYPASSRLS")
    } else if owns {
        Some("it owns tables, and an owner can switch row level security off")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(StoreError::UnsafeRole {
            role,
            reason: format!(
                "{reason}; connect the server as a separate role (see README: PostgreSQL)"
            ),
        }),
        None => Ok(()),
    }
}
