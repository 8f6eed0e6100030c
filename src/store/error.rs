use crate::tenancy::{Slug, TenancyError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error(
        "the database has migration {0}, which this version of ascendia does not know; upgrade ascendia"
    )]
    NewerSchema(i64),
    #[error("a clinic with slug '{0}' already exists")]
    DuplicateSlug(Slug),
    #[error("no clinic with slug '{0}'")]
    UnknownSlug(String),
    #[error("no clinic with id '{0}'")]
    UnknownOrg(String),
    #[error(
        "clinic '{slug}' has {calls} call record(s) and {patients} patient(s); pass --force to remove it with its records"
    )]
    OrgHasData {
        slug: Slug,
        calls: i64,
        patients: i64,
    },
    #[error(
        "the database schema is at version {0} but this ascendia needs {1}: run `ascendia db migrate` with ASCENDIA_ADMIN_DATABASE_URL set to the owning role"
    )]
    NotMigrated(i64, i64),
    #[error("refusing to run as database role '{role}': {reason}")]
    UnsafeRole { role: String, reason: String },
    #[error("call '{0}' belongs to another clinic")]
    CallOfAnotherClinic(String),
    #[error("Retell agent '{0}' already belongs to another clinic")]
    AgentTaken(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl From<TenancyError> for StoreError {
    fn from(err: TenancyError) -> Self {
        StoreError::Corrupt(err.to_string())
    }
}
