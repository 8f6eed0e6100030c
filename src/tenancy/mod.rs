//! Organizations (clinics), their validated identifiers, and how a call's URL finds its clinic.

mod agent_id;
mod api_key;
mod org;
mod policy;
mod slug;
mod time_zone;

pub use agent_id::AgentId;
pub use api_key::{ApiKeyInfo, NewApiKey, hash_api_key, looks_like_api_key};
pub use org::{
    NewOrganization, OrgId, Organization, OrganizationUpdate, clinic_name, default_greeting,
};
pub use policy::UnknownSlugPolicy;
pub use slug::Slug;
pub use time_zone::TimeZone;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TenancyError {
    #[error(
        "invalid slug '{0}': use 1 to 63 lowercase letters, digits and single dashes, not starting or ending with a dash"
    )]
    InvalidSlug(String),
    #[error("unknown time zone '{0}': use an IANA name such as America/New_York")]
    UnknownTimeZone(String),
    #[error("invalid organization id '{0}': expected a UUID")]
    InvalidOrgId(String),
    #[error("a clinic name must be 1 to 200 characters")]
    InvalidName,
    #[error("'{0}' is not a Retell agent id: use 1 to 128 letters, digits, underscores and dashes")]
    InvalidAgentId(String),
}
