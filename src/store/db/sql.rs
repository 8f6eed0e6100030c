//! A statement written once for both databases: its text (`$1`-style placeholders, which
//! SQLite accepts too) and its arguments as plain values, each bound the way its backend
//! keeps it.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Arguments;
use sqlx::postgres::PgArguments;
use sqlx::sqlite::SqliteArguments;
use uuid::Uuid;

use super::types::{EpochMicros, EpochSeconds};
use crate::tenancy::OrgId;

pub struct Sql<'a> {
    pub(super) text: &'static str,
    args: Vec<Arg<'a>>,
}

/// One argument, by meaning rather than by storage.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Text(Option<Cow<'a, str>>),
    Int(Option<i64>),
    Bool(bool),
    Id(Option<Uuid>),
    Date(NaiveDate),
    Time(Option<DateTime<Utc>>),
    Seconds(DateTime<Utc>),
    Micros(DateTime<Utc>),
}

pub fn sql<'a>(text: &'static str) -> Sql<'a> {
    Sql {
        text,
        args: Vec::new(),
    }
}

impl<'a> Sql<'a> {
    pub fn bind(mut self, arg: impl Into<Arg<'a>>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub(super) fn sqlite(&self) -> Result<SqliteArguments, sqlx::Error> {
        let mut args = SqliteArguments::default();
        for arg in &self.args {
            match arg {
                Arg::Text(v) => args.add(v.as_deref()),
                Arg::Int(v) => args.add(*v),
                Arg::Bool(v) => args.add(*v),
                Arg::Id(v) => args.add(v.map(|id| id.hyphenated().to_string())),
                Arg::Date(v) => args.add(*v),
                Arg::Time(v) => args.add(*v),
                Arg::Seconds(v) => args.add(v.timestamp()),
                Arg::Micros(v) => args.add(v.timestamp_micros()),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }

    pub(super) fn postgres(&self) -> Result<PgArguments, sqlx::Error> {
        let mut args = PgArguments::default();
        for arg in &self.args {
            match arg {
                Arg::Text(v) => args.add(v.as_deref()),
                Arg::Int(v) => args.add(*v),
                Arg::Bool(v) => args.add(*v),
                Arg::Id(v) => args.add(*v),
                Arg::Date(v) => args.add(*v),
                Arg::Time(v) => args.add(*v),
                Arg::Seconds(v) | Arg::Micros(v) => args.add(*v),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl From<String> for Arg<'_> {
    fn from(v: String) -> Self {
        Arg::Text(Some(Cow::Owned(v)))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v.map(Cow::Borrowed))
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Arg::Text(v.as_deref().map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Arg<'_> {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v.map(Cow::Owned))
    }
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl From<Uuid> for Arg<'_> {
    fn from(v: Uuid) -> Self {
        Arg::Id(Some(v))
    }
}

impl From<Option<Uuid>> for Arg<'_> {
    fn from(v: Option<Uuid>) -> Self {
        Arg::Id(v)
    }
}

impl From<OrgId> for Arg<'_> {
    fn from(v: OrgId) -> Self {
        Arg::Id(Some(v.as_uuid()))
    }
}

impl From<NaiveDate> for Arg<'_> {
    fn from(v: NaiveDate) -> Self {
        Arg::Date(v)
    }
}

impl From<DateTime<Utc>> for Arg<'_> {
    fn from(v: DateTime<Utc>) -> Self {
        Arg::Time(Some(v))
    }
}

impl From<Option<DateTime<Utc>>> for Arg<'_> {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Arg::Time(v)
    }
}

impl From<EpochSeconds> for Arg<'_> {
    fn from(v: EpochSeconds) -> Self {
        Arg::Seconds(v.0)
    }
}

impl From<EpochMicros> for Arg<'_> {
    fn from(v: EpochMicros) -> Self {
        Arg::Micros(v.0)
    }
}
