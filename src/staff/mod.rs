//! Staff of the clinics and their access to the web console: accounts with argon2id
//! passwords, memberships with a role per clinic (operators see every clinic), server-side
//! sessions with idle and absolute expiry, and throttled sign-in.

mod model;
mod team;

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

pub use model::{
    Email, Membership, Role, StaffAction, StaffError, StaffSession, StaffUser, UserId,
    check_password,
};
pub use team::{
    AcceptError, Acceptance, Accepting, Claim, INVITATION_EXPIRY, Invitation, NewInvitation,
    TeamChange, TeamMember,
};

use crate::store::{FailureScope, Store, StoreError};
use crate::tenancy::OrgId;

/// A session unused this long is over.
pub const IDLE_EXPIRY: Duration = Duration::from_secs(2 * 3600);
/// A session is over this long after sign-in, however busy.
pub const ABSOLUTE_EXPIRY: Duration = Duration::from_secs(12 * 3600);
/// Failed sign-ins are counted over this window...
const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// ...and past these counts further attempts are refused until the window moves on.
const ACCOUNT_FAILURES: i64 = 5;
const ADDRESS_FAILURES: i64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the email or the password is wrong")]
    Invalid,
    #[error("too many failed sign-ins; wait a few minutes and try again")]
    Throttled,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// A new session: the token goes into the cookie and nowhere else.
pub struct SignedIn {
    pub token: String,
    pub session: StaffSession,
}

#[derive(Clone)]
pub struct StaffAccounts {
    store: Store,
}

impl StaffAccounts {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Hashes with argon2id and a random salt; slow on purpose, so run off the async threads.
    pub async fn hash_password(password: &str) -> Result<String, SignInError> {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::encode_b64(&random_bytes::<16>()?)
                .map_err(|e| SignInError::Hashing(e.to_string()))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| SignInError::Hashing(e.to_string()))
        })
        .await
        .map_err(|e| SignInError::Hashing(e.to_string()))?
    }

    async fn verify_password(password: &str, hash: &str) -> bool {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
    }

    /// Checks the password and opens a session. Failures are counted per account and per
    /// address; an unknown email costs as much time as a wrong password.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, SignInError> {
        let user = self
            .check_credentials(email, password, address, now)
            .await?;
        self.open_session(user, now).await
    }

    /// The account whose password this is, throttled: failures are counted per account and
    /// per address.
    async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<StaffUser, SignInError> {
        let since = now - chrono::Duration::from_std(THROTTLE_WINDOW).unwrap_or_default();
        let account_key = email.trim().to_lowercase();
        if self
            .store
            .sign_in_failures(FailureScope::Account, &account_key, since)
            .await?
            >= ACCOUNT_FAILURES
            || self
                .store
                .sign_in_failures(FailureScope::Address, address, since)
                .await?
                >= ADDRESS_FAILURES
        {
            tracing::warn!(
                "[console] sign-in refused: too many failures for the account or the address"
            );
            return Err(SignInError::Throttled);
        }
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_for_sign_in(&email).await?,
            Err(_) => None,
        };
        let verified = match &user {
            Some((_, hash)) => Self::verify_password(password, hash).await,
            None => {
                if let Ok(hash) = unknown_user_hash().await {
                    let _ = Self::verify_password(password, &hash).await;
                }
                false
            }
        };
        let Some((user, _)) = user.filter(|_| verified) else {
            self.store
                .record_sign_in_failure(FailureScope::Account, &account_key, now)
                .await?;
            self.store
                .record_sign_in_failure(FailureScope::Address, address, now)
                .await?;
            tracing::info!("[console] sign-in failed");
            return Err(SignInError::Invalid);
        };
        Ok(user)
    }

    /// A new session for an account whose password was checked (or was just chosen).
    async fn open_session(
        &self,
        user: StaffUser,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, SignInError> {
        let token = hex(&random_bytes::<32>()?);
        let csrf_token = hex(&random_bytes::<32>()?);
        let expires_at = now + chrono::Duration::from_std(ABSOLUTE_EXPIRY).unwrap_or_default();
        self.store
            .create_session(&token_hash(&token), user.id, &csrf_token, now, expires_at)
            .await?;
        tracing::info!(user_id = %user.id, "[console] signed in");
        Ok(SignedIn {
            token,
            session: StaffSession {
                user,
                csrf_token,
                created_at: now,
                last_seen_at: now,
                expires_at,
            },
        })
    }

    /// The live session for a cookie's token, or `None` (unknown, idle too long, or past its
    /// absolute expiry). Marks it used, at most once a minute.
    pub async fn session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffSession>, StoreError> {
        let hash = token_hash(token);
        let Some(session) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        let idle = chrono::Duration::from_std(IDLE_EXPIRY).unwrap_or_default();
        if now >= session.expires_at || now - session.last_seen_at >= idle {
            self.store.end_session(&hash).await?;
            return Ok(None);
        }
        if now - session.last_seen_at >= chrono::Duration::seconds(60) {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Some(session))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), StoreError> {
        self.store.end_session(&token_hash(token)).await
    }

    pub async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        self.store.memberships(user).await
    }

    pub async fn record(
        &self,
        org: OrgId,
        user: &StaffUser,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        tracing::info!(%org, user_id = %user.id, action, "[console] staff action");
        self.store
            .record_staff_action(org, user, action, detail, Utc::now())
            .await
    }

    pub async fn actions(&self, org: OrgId, limit: i64) -> Result<Vec<StaffAction>, StoreError> {
        self.store.staff_actions(org, limit).await
    }
}

/// The hash an unknown email is checked against, so that its answer takes as long as a wrong
/// password's.
async fn unknown_user_hash() -> Result<String, SignInError> {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_try_init(|| async {
        let password = hex(&random_bytes::<16>()?);
        StaffAccounts::hash_password(&password).await
    })
    .await
    .cloned()
}

fn random_bytes<const N: usize>() -> Result<[u8; N], SignInError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| SignInError::Hashing(format!("no randomness from the system: {e}")))?;
    Ok(bytes)
}

/// A random token for a form (the sign-in form's CSRF token); empty only if the system has no
/// randomness, which then fails the form's check.
pub fn random_token() -> String {
    random_bytes::<32>().map(|b| hex(&b)).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sessions are stored by the hash of their token: a copy of the database opens none.
fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}
