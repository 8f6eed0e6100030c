//! Column types that read the same from both databases. Each names what a column means; how
//! it sits on disk differs: SQLite keeps ids as TEXT and appointment and message instants as
//! INTEGER Unix time (range scans compare integers), PostgreSQL as `uuid` and `timestamptz`.

use chrono::{DateTime, Utc};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Type};
use uuid::Uuid;

/// A row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbId(pub Uuid);

impl DbId {
    /// The id as one of the typed ids.
    pub fn of<T: From<Uuid>>(self) -> T {
        T::from(self.0)
    }
}

/// A UTC instant kept to the second: Unix seconds on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochSeconds(pub DateTime<Utc>);

/// A UTC instant kept to the microsecond: Unix microseconds on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochMicros(pub DateTime<Utc>);

impl Type<Sqlite> for DbId {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for DbId {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        // Borrowed: availability decodes thousands of ids per search.
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Self(Uuid::parse_str(text)?))
    }
}

impl Type<Postgres> for DbId {
    fn type_info() -> PgTypeInfo {
        <Uuid as Type<Postgres>>::type_info()
    }
}

impl<'r> Decode<'r, Postgres> for DbId {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(<Uuid as Decode<Postgres>>::decode(value)?))
    }
}

macro_rules! epoch_column {
    ($name:ident, $from_integer:expr) => {
        impl Type<Sqlite> for $name {
            fn type_info() -> SqliteTypeInfo {
                <i64 as Type<Sqlite>>::type_info()
            }
            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <i64 as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $name {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let integer = <i64 as Decode<Sqlite>>::decode(value)?;
                let from_integer: fn(i64) -> Option<DateTime<Utc>> = $from_integer;
                from_integer(integer)
                    .map(Self)
                    .ok_or_else(|| format!("timestamp {integer} is out of range").into())
            }
        }

        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <DateTime<Utc> as Type<Postgres>>::type_info()
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(Self(<DateTime<Utc> as Decode<Postgres>>::decode(value)?))
            }
        }
    };
}

epoch_column!(EpochSeconds, |s| DateTime::from_timestamp(s, 0));
epoch_column!(EpochMicros, DateTime::from_timestamp_micros);
