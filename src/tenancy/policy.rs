//! How URLs that name no clinic are served.

use serde::{Deserialize, Serialize};

/// What to do with a URL whose slug names no clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownSlugPolicy {
    /// Fail closed: the caller hears that the line is not set up, and the call ends.
    #[default]
    Reject,
    /// The original system's behaviour, for migrations only: serve the default clinic.
    Default,
}
