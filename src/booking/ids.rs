//! Typed row ids. UUIDs, so one clinic cannot guess another's rows by counting.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::BookingError;

macro_rules! typed_id {
    ($name:ident, $what:literal) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = BookingError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| BookingError::InvalidId {
                        what: $what,
                        value: s.chars().take(64).collect(),
                    })
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(ProviderId, "provider id");
typed_id!(OperatoryId, "operatory id");
typed_id!(PatientId, "patient id");
typed_id!(AppointmentId, "appointment id");
typed_id!(AppointmentTypeId, "appointment type id");
typed_id!(MessageId, "message id");
