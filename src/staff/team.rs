//! A clinic's team as its owners manage it in the console: members and their roles (a clinic
//! always keeps an owner), and one-time invitations to join, valid for a day.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Email, Role, SignInError, SignedIn, StaffAccounts, StaffUser, UserId, check_password,
    random_token, token_hash,
};
use crate::store::StoreError;
use crate::tenancy::OrgId;

/// How long an invitation link works.
pub const INVITATION_EXPIRY: Duration = Duration::from_secs(24 * 3600);

/// A member of a clinic (operators, who see every clinic, are not members).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub user: StaffUser,
    pub role: Role,
}

/// What became of a role change or a removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamChange {
    Done,
    /// The user is not a member of this clinic.
    NotMember,
    /// Refused: the clinic would have no owner left.
    LastOwner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: Uuid,
    pub org: OrgId,
    pub email: Email,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// Neither used, revoked nor expired.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }
}

/// A new invitation: `token` goes into the link shown once and nowhere else.
pub struct NewInvitation {
    pub token: String,
    pub invitation: Invitation,
}

/// Who accepts an invitation: the account its email already has, or a new one.
pub enum Accepting {
    Existing(UserId),
    New { password_hash: String },
}

/// What accepting came to.
pub enum Acceptance {
    /// A member now, signed in.
    Accepted(Box<SignedIn>),
    /// Used, revoked or expired meanwhile (nothing changed).
    Gone,
    /// The email got an account, or lost it, since the form was shown: the form again.
    Retry,
}

/// The store's side of accepting, decided inside its transaction.
pub enum Claim {
    Joined(StaffUser),
    Gone,
    /// A new account was to be made, but the email has one now.
    EmailTaken,
}

#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error("the passwords differ")]
    PasswordsDiffer,
    #[error(transparent)]
    Weak(#[from] super::StaffError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
}

impl StaffAccounts {
    pub async fn team(&self, org: OrgId) -> Result<Vec<TeamMember>, StoreError> {
        self.store.team(org).await
    }

    pub async fn change_role(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
    ) -> Result<TeamChange, StoreError> {
        self.store.change_role(org, user, role).await
    }

    /// Ends the membership only; the account stays (it may belong to other clinics).
    pub async fn remove_member(&self, org: OrgId, user: UserId) -> Result<TeamChange, StoreError> {
        self.store.remove_member(org, user).await
    }

    /// A one-time invitation for `email` to join `org` as `role`; only its token's hash is
    /// stored.
    pub async fn invite(
        &self,
        org: OrgId,
        by: &StaffUser,
        email: Email,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<NewInvitation, SignInError> {
        let token = random_token();
        if token.is_empty() {
            return Err(SignInError::Hashing("no randomness from the system".into()));
        }
        let invitation = Invitation {
            id: Uuid::new_v4(),
            org,
            email,
            role,
            created_at: now,
            expires_at: now + chrono::Duration::from_std(INVITATION_EXPIRY).unwrap_or_default(),
            accepted_at: None,
            revoked_at: None,
        };
        self.store
            .insert_invitation(&invitation, &token_hash(&token), by.id)
            .await?;
        Ok(NewInvitation { token, invitation })
    }

    pub async fn pending_invitations(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invitation>, StoreError> {
        self.store.pending_invitations(org, now).await
    }

    /// Revokes a pending invitation; its email, or None when there was none to revoke.
    pub async fn revoke_invitation(
        &self,
        org: OrgId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Email>, StoreError> {
        self.store.revoke_invitation(org, id, now).await
    }

    /// The invitation a link's token stands for, whatever its state.
    pub async fn invitation(&self, token: &str) -> Result<Option<Invitation>, StoreError> {
        self.store.invitation(&token_hash(token)).await
    }

    /// The account with this email, if any (the accept form then asks for its password
    /// rather than a new one).
    pub async fn account(&self, email: &Email) -> Result<Option<StaffUser>, StoreError> {
        Ok(self
            .store
            .user_for_sign_in(email)
            .await?
            .map(|(user, _)| user))
    }

    /// Accepts with the existing account's password (throttled like signing in) or a newly
    /// chosen one (typed twice: `again` is there when the form asked for a new password);
    /// then, in one transaction, creates the account if needed,
    /// adds the membership and marks the invitation used; then opens a session.
    pub async fn accept_invitation(
        &self,
        token: &str,
        invitation: &Invitation,
        password: &str,
        again: Option<&str>,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Acceptance, AcceptError> {
        let existing = self
            .store
            .user_for_sign_in(&invitation.email)
            .await
            .map_err(SignInError::from)?;
        let accepting = match (existing, again) {
            (Some(_), Some(_)) | (None, None) => return Ok(Acceptance::Retry),
            (Some(_), None) => {
                let user = self
                    .check_credentials(invitation.email.as_str(), password, address, now)
                    .await?;
                Accepting::Existing(user.id)
            }
            (None, Some(again)) => {
                check_password(password)?;
                if password != again {
                    return Err(AcceptError::PasswordsDiffer);
                }
                Accepting::New {
                    password_hash: Self::hash_password(password).await?,
                }
            }
        };
        let claim = self
            .store
            .accept_invitation(&token_hash(token), invitation, accepting, now)
            .await
            .map_err(SignInError::from)?;
        match claim {
            Claim::Joined(user) => {
                let signed_in = self.open_session(user, now).await?;
                Ok(Acceptance::Accepted(Box::new(signed_in)))
            }
            Claim::Gone => Ok(Acceptance::Gone),
            Claim::EmailTaken => Ok(Acceptance::Retry),
        }
    }
}
