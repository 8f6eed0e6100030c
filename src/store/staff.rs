//! Staff accounts, memberships, console sessions, failed sign-ins, and the per-clinic record of
//! staff actions. Accounts and sessions are looked up before any clinic is chosen (as
//! `org_routes` is); staff actions are clinic data.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::db::record;
use super::db::types::{DbId, EpochSeconds};
use super::db::{TxMode, sql};
use super::{Store, StoreError};
use crate::staff::{Email, Membership, Role, StaffAction, StaffSession, StaffUser, UserId};
use crate::tenancy::OrgId;

record! {
    struct UserRow {
        id: DbId,
        email: String,
        operator: bool,
    }
}

impl TryFrom<UserRow> for StaffUser {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(StaffUser {
            id: UserId(row.id.0),
            email: Email::parse(&row.email).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            operator: row.operator,
        })
    }
}

record! {
    struct SessionRow {
        id: DbId,
        email: String,
        operator: bool,
        csrf_token: String,
        created_at: EpochSeconds,
        last_seen_at: EpochSeconds,
        expires_at: EpochSeconds,
    }
}

record! {
    struct ActionRow {
        email: String,
        at: EpochSeconds,
        action: String,
        detail: String,
    }
}

/// Why a sign-in failure is counted: against the account tried, or the address it came from.
#[derive(Debug, Clone, Copy)]
pub enum FailureScope {
    Account,
    Address,
}

impl FailureScope {
    fn as_str(self) -> &'static str {
        match self {
            FailureScope::Account => "account",
            FailureScope::Address => "address",
        }
    }
}

impl Store {
    /// A new account; false if the email is taken.
    pub async fn create_user(
        &self,
        email: &Email,
        password_hash: &str,
        operator: bool,
    ) -> Result<Option<UserId>, StoreError> {
        let id = Uuid::new_v4();
        let mut tx = self.pool.begin(None, TxMode::Write).await?;
        let created = tx
            .execute(
                sql(
                    "INSERT INTO users (id, email, password_hash, operator, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
                )
                .bind(id)
                .bind(email.as_str())
                .bind(password_hash)
                .bind(operator)
                .bind(EpochSeconds(Utc::now())),
            )
            .await?;
        tx.commit().await?;
        Ok((created == 1).then_some(UserId(id)))
    }

    /// The account and its password hash, for signing in.
    pub async fn user_for_sign_in(
        &self,
        email: &Email,
    ) -> Result<Option<(StaffUser, String)>, StoreError> {
        record! {
            struct Row {
                id: DbId,
                email: String,
                operator: bool,
                password_hash: String,
            }
        }
        let row: Option<Row> = self
            .pool
            .fetch_shared(
                sql("SELECT id, email, operator, password_hash FROM users WHERE email = $1")
                    .bind(email.as_str()),
            )
            .await?;
        row.map(|row| {
            let user = StaffUser::try_from(UserRow {
                id: row.id,
                email: row.email,
                operator: row.operator,
            })?;
            Ok((user, row.password_hash))
        })
        .transpose()
    }

    pub async fn users(&self) -> Result<Vec<(StaffUser, Vec<Membership>)>, StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Read).await?;
        let rows: Vec<UserRow> = tx
            .fetch_all(sql("SELECT id, email, operator FROM users ORDER BY email"))
            .await?;
        tx.commit().await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            let user = StaffUser::try_from(row)?;
            let memberships = self.memberships(user.id).await?;
            users.push((user, memberships));
        }
        Ok(users)
    }

    pub async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Read).await?;
        let rows: Vec<(DbId, String)> = tx
            .fetch_all(sql("SELECT org_id, role FROM memberships WHERE user_id = $1").bind(user.0))
            .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|(org, role)| {
                Ok(Membership {
                    org: OrgId::from_uuid(org.0),
                    role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    /// Adds the user to the clinic with `role`, or changes their role there.
    pub async fn set_membership(
        &self,
        user: UserId,
        org: OrgId,
        role: Role,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Write).await?;
        tx.execute(
            sql(
                "INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
            )
            .bind(user.0)
            .bind(org)
            .bind(role.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the account, its memberships and sessions; false if there was none.
    pub async fn remove_user(&self, email: &Email) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Write).await?;
        let id: Option<(DbId,)> = tx
            .fetch_optional(sql("SELECT id FROM users WHERE email = $1").bind(email.as_str()))
            .await?;
        let Some((id,)) = id else {
            return Ok(false);
        };
        for statement in [
            "DELETE FROM staff_sessions WHERE user_id = $1",
            "DELETE FROM memberships WHERE user_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            tx.execute(sql(statement).bind(id.0)).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces the password and ends every session of the account; false if there is none.
    pub async fn set_password(
        &self,
        email: &Email,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Write).await?;
        let id: Option<(DbId,)> = tx
            .fetch_optional(sql("SELECT id FROM users WHERE email = $1").bind(email.as_str()))
            .await?;
        let Some((id,)) = id else {
            return Ok(false);
        };
        tx.execute(
            sql("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(id.0),
        )
        .await?;
        tx.execute(sql("DELETE FROM staff_sessions WHERE user_id = $1").bind(id.0))
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Append).await?;
        tx.execute(
            sql(
                "INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at,
                     last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(csrf_token)
            .bind(EpochSeconds(now))
            .bind(EpochSeconds(expires_at)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<StaffSession>, StoreError> {
        let row: Option<SessionRow> = self
            .pool
            .fetch_shared(
                sql(
                    "SELECT u.id, u.email, u.operator, s.csrf_token, s.created_at,
                            s.last_seen_at, s.expires_at
                     FROM staff_sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = $1",
                )
                .bind(token_hash),
            )
            .await?;
        row.map(|row| {
            Ok(StaffSession {
                user: StaffUser::try_from(UserRow {
                    id: row.id,
                    email: row.email,
                    operator: row.operator,
                })?,
                csrf_token: row.csrf_token,
                created_at: row.created_at.0,
                last_seen_at: row.last_seen_at.0,
                expires_at: row.expires_at.0,
            })
        })
        .transpose()
    }

    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Append).await?;
        tx.execute(
            sql("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(EpochSeconds(now))
                .bind(token_hash),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Append).await?;
        tx.execute(sql("DELETE FROM staff_sessions WHERE token_hash = $1").bind(token_hash))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_sign_in_failure(
        &self,
        scope: FailureScope,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Append).await?;
        tx.execute(
            sql("INSERT INTO sign_in_failures (scope, key, at) VALUES ($1, $2, $3)")
                .bind(scope.as_str())
                .bind(key)
                .bind(EpochSeconds(now)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sign_in_failures(
        &self,
        scope: FailureScope,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let (count,): (i64,) = self
            .pool
            .fetch_shared(
                sql("SELECT COUNT(*) FROM sign_in_failures WHERE scope = $1 AND key = $2 AND at >= $3")
                    .bind(scope.as_str())
                    .bind(key)
                    .bind(EpochSeconds(since)),
            )
            .await?
            .unwrap_or((0,));
        Ok(count)
    }

    /// Forgets failures and sessions older than `before`: the throttle only looks back a
    /// while, and expired sessions are useless.
    pub async fn purge_sign_in_state(&self, before: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Append).await?;
        tx.execute(sql("DELETE FROM sign_in_failures WHERE at < $1").bind(EpochSeconds(before)))
            .await?;
        tx.execute(
            sql("DELETE FROM staff_sessions WHERE expires_at < $1").bind(EpochSeconds(Utc::now())),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_staff_action(
        &self,
        org: OrgId,
        user: &StaffUser,
        action: &str,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool
            .append(
                org,
                sql(
                    "INSERT INTO staff_actions (id, org_id, user_id, email, at, action, detail)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(Uuid::new_v4())
                .bind(org)
                .bind(user.id.0)
                .bind(user.email.as_str())
                .bind(EpochSeconds(now))
                .bind(action)
                .bind(detail),
            )
            .await?;
        Ok(())
    }

    pub async fn staff_actions(
        &self,
        org: OrgId,
        limit: i64,
    ) -> Result<Vec<StaffAction>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<ActionRow> = tx
            .fetch_all(
                sql(
                    "SELECT email, at, action, detail FROM staff_actions WHERE org_id = $1
                     ORDER BY at DESC LIMIT $2",
                )
                .bind(org)
                .bind(limit),
            )
            .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|row| StaffAction {
                email: row.email,
                at: row.at.0,
                action: row.action,
                detail: row.detail,
            })
            .collect())
    }
}
