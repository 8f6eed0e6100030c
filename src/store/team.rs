//! A clinic's team: its members with their roles, and invitations to join. Changes that could
//! leave a clinic without an owner check and write in one transaction that holds the clinic's
//! write lock, so two owners demoting each other at once cannot both succeed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::db::record;
use super::db::types::{DbId, EpochSeconds};
use super::db::{Tx, TxMode, sql};
use super::{Store, StoreError};
use crate::staff::{
    Accepting, Claim, Email, Invitation, Role, StaffUser, TeamChange, TeamMember, UserId,
};
use crate::tenancy::OrgId;

record! {
    struct MemberRow {
        id: DbId,
        email: String,
        role: String,
    }
}

record! {
    struct InvitationRow {
        id: DbId,
        org_id: DbId,
        email: String,
        role: String,
        created_at: EpochSeconds,
        expires_at: EpochSeconds,
        accepted_at: Option<EpochSeconds>,
        revoked_at: Option<EpochSeconds>,
    }
}

fn corrupt(err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(err.to_string())
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;
    fn try_from(row: InvitationRow) -> Result<Self, StoreError> {
        Ok(Invitation {
            id: row.id.0,
            org: OrgId::from_uuid(row.org_id.0),
            email: Email::parse(&row.email).map_err(corrupt)?,
            role: Role::parse(&row.role).map_err(corrupt)?,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
            accepted_at: row.accepted_at.map(|t| t.0),
            revoked_at: row.revoked_at.map(|t| t.0),
        })
    }
}

/// The member's role in the clinic, read inside `tx`.
async fn role_in(tx: &mut Tx, org: OrgId, user: UserId) -> Result<Option<Role>, StoreError> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            sql("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(org)
                .bind(user.0),
        )
        .await?;
    row.map(|(role,)| Role::parse(&role).map_err(corrupt))
        .transpose()
}

/// Owners of the clinic who are not operators (operators are not counted: they are nobody's
/// owner of record).
async fn owners(tx: &mut Tx, org: OrgId) -> Result<i64, StoreError> {
    let (count,): (i64,) = tx
        .fetch_one(
            sql(
                "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.org_id = $1 AND m.role = 'owner' AND u.operator = $2",
            )
            .bind(org)
            .bind(false),
        )
        .await?;
    Ok(count)
}

impl Store {
    /// The clinic's members (operators excluded), by email.
    pub async fn team(&self, org: OrgId) -> Result<Vec<TeamMember>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<MemberRow> = tx
            .fetch_all(
                sql(
                    "SELECT u.id, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
                     WHERE m.org_id = $1 AND u.operator = $2 ORDER BY u.email",
                )
                .bind(org)
                .bind(false),
            )
            .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| {
                Ok(TeamMember {
                    user: StaffUser {
                        id: UserId(row.id.0),
                        email: Email::parse(&row.email).map_err(corrupt)?,
                        operator: false,
                    },
                    role: Role::parse(&row.role).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// Changes a member's role, unless that leaves the clinic without an owner.
    pub async fn change_role(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
    ) -> Result<TeamChange, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Write).await?;
        let Some(current) = role_in(&mut tx, org, user).await? else {
            return Ok(TeamChange::NotMember);
        };
        if current == Role::Owner && role != Role::Owner && owners(&mut tx, org).await? <= 1 {
            return Ok(TeamChange::LastOwner);
        }
        tx.execute(
            sql("UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3")
                .bind(role.as_str())
                .bind(org)
                .bind(user.0),
        )
        .await?;
        tx.commit().await?;
        Ok(TeamChange::Done)
    }

    /// Ends a membership (the account stays), unless it is the clinic's last owner's.
    pub async fn remove_member(&self, org: OrgId, user: UserId) -> Result<TeamChange, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Write).await?;
        let Some(current) = role_in(&mut tx, org, user).await? else {
            return Ok(TeamChange::NotMember);
        };
        if current == Role::Owner && owners(&mut tx, org).await? <= 1 {
            return Ok(TeamChange::LastOwner);
        }
        tx.execute(
            sql("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(org)
                .bind(user.0),
        )
        .await?;
        tx.commit().await?;
        Ok(TeamChange::Done)
    }

    pub async fn insert_invitation(
        &self,
        invitation: &Invitation,
        token_hash: &str,
        invited_by: UserId,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Some(invitation.org), TxMode::Write).await?;
        tx.execute(
            sql(
                "INSERT INTO staff_invitations (id, token_hash, org_id, email, role, invited_by,
                     created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(invitation.id)
            .bind(token_hash)
            .bind(invitation.org)
            .bind(invitation.email.as_str())
            .bind(invitation.role.as_str())
            .bind(invited_by.0)
            .bind(EpochSeconds(invitation.created_at))
            .bind(EpochSeconds(invitation.expires_at)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Invitations not used, revoked or expired, newest first.
    pub async fn pending_invitations(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invitation>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<InvitationRow> = tx
            .fetch_all(
                sql(
                    "SELECT id, org_id, email, role, created_at, expires_at, accepted_at, revoked_at
                     FROM staff_invitations
                     WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
                       AND expires_at > $2
                     ORDER BY created_at DESC",
                )
                .bind(org)
                .bind(EpochSeconds(now)),
            )
            .await?;
        tx.commit().await?;
        rows.into_iter().map(Invitation::try_from).collect()
    }

    /// Revokes the clinic's pending invitation `id`; its email, or None if there was none.
    pub async fn revoke_invitation(
        &self,
        org: OrgId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Email>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Write).await?;
        let row: Option<(String,)> = tx
            .fetch_optional(
                sql("UPDATE staff_invitations SET revoked_at = $1
                     WHERE org_id = $2 AND id = $3 AND accepted_at IS NULL AND revoked_at IS NULL
                     RETURNING email")
                .bind(EpochSeconds(now))
                .bind(org)
                .bind(id),
            )
            .await?;
        tx.commit().await?;
        row.map(|(email,)| Email::parse(&email).map_err(corrupt))
            .transpose()
    }

    /// An invitation by its token's hash, whatever its state.
    pub async fn invitation(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError> {
        let row: Option<InvitationRow> = self
            .pool
            .fetch_shared(
                sql(
                    "SELECT id, org_id, email, role, created_at, expires_at, accepted_at, revoked_at
                     FROM staff_invitations WHERE token_hash = $1",
                )
                .bind(token_hash),
            )
            .await?;
        row.map(Invitation::try_from).transpose()
    }

    /// In one transaction: claims the invitation if it is still usable, makes the account if
    /// one is to be made, and adds the membership. An existing member keeps a higher role:
    /// an invitation never demotes (nor takes a clinic's last owner away).
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        invitation: &Invitation,
        accepting: Accepting,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let org = invitation.org;
        let mut tx = self.pool.begin(Some(org), TxMode::Write).await?;
        let user = match accepting {
            Accepting::Existing(id) => {
                let row: Option<(DbId, String, bool)> = tx
                    .fetch_optional(
                        sql("SELECT id, email, operator FROM users WHERE id = $1").bind(id.0),
                    )
                    .await?;
                let Some((id, email, operator)) = row else {
                    return Ok(Claim::Gone);
                };
                StaffUser {
                    id: UserId(id.0),
                    email: Email::parse(&email).map_err(corrupt)?,
                    operator,
                }
            }
            Accepting::New { password_hash } => {
                let id = Uuid::new_v4();
                let created = tx
                    .execute(
                        sql(
                            "INSERT INTO users (id, email, password_hash, operator, created_at)
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
                        )
                        .bind(id)
                        .bind(invitation.email.as_str())
                        .bind(password_hash.as_str())
                        .bind(false)
                        .bind(EpochSeconds(now)),
                    )
                    .await?;
                if created != 1 {
                    return Ok(Claim::EmailTaken);
                }
                StaffUser {
                    id: UserId(id),
                    email: invitation.email.clone(),
                    operator: false,
                }
            }
        };
        let claimed = tx
            .execute(
                sql(
                    "UPDATE staff_invitations SET accepted_at = $1, accepted_by = $2
                     WHERE token_hash = $3 AND org_id = $4 AND accepted_at IS NULL
                       AND revoked_at IS NULL AND expires_at > $1",
                )
                .bind(EpochSeconds(now))
                .bind(user.id.0)
                .bind(token_hash)
                .bind(org),
            )
            .await?;
        if claimed != 1 {
            // Dropping the transaction rolls back the account made above.
            return Ok(Claim::Gone);
        }
        let role = match role_in(&mut tx, org, user.id).await? {
            Some(current) => current.max(invitation.role),
            None => invitation.role,
        };
        tx.execute(
            sql(
                "INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
            )
            .bind(user.id.0)
            .bind(org)
            .bind(role.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(Claim::Joined(user))
    }
}
