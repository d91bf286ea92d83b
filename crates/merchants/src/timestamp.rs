//! [`Timestamp`]: a UTC instant as Orion stores it.

use time::{OffsetDateTime, UtcOffset};

/// A UTC instant, as every Orion table stores it.
///
/// PostgreSQL keeps it as `TIMESTAMPTZ`. SQLite keeps text and compares text as text, so the form
/// matters: this type writes SQLite's own `YYYY-MM-DD HH:MM:SS.f` form (fraction trimmed, nothing
/// after it), which sorts chronologically, where RFC 3339's trailing `Z` would sort
/// `…:00Z` after `…:00.5Z`. Columns of this type therefore order and compare correctly on both
/// databases; filter them with `Timestamp` values (`Column::CreatedAt.gte(Timestamp::from(at))`),
/// not with a bare `OffsetDateTime`. Reads accept every form either database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Now.
    pub fn now() -> Timestamp {
        Timestamp(OffsetDateTime::now_utc())
    }

    /// The instant, in UTC.
    pub fn get(self) -> OffsetDateTime {
        self.0
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(at: OffsetDateTime) -> Timestamp {
        Timestamp(at.to_offset(UtcOffset::UTC))
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(at: Timestamp) -> OffsetDateTime {
        at.0
    }
}

impl PartialEq<OffsetDateTime> for Timestamp {
    fn eq(&self, other: &OffsetDateTime) -> bool {
        self.0 == *other
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(feature = "db")]
mod db {
    use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
    use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable, Value};
    use time::{OffsetDateTime, PrimitiveDateTime};

    use super::Timestamp;

    impl From<Timestamp> for Value {
        fn from(at: Timestamp) -> Value {
            // A zone-less UTC value: SQLite text in its own sortable form; PostgreSQL casts it to
            // TIMESTAMPTZ in the session's time zone, which sqlx sets to UTC.
            Value::TimeDateTime(Some(PrimitiveDateTime::new(at.0.date(), at.0.time())))
        }
    }

    impl TryGetable for Timestamp {
        fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
            OffsetDateTime::try_get_by(res, index).map(Timestamp::from)
        }
    }

    impl ValueType for Timestamp {
        fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
            match value {
                Value::TimeDateTime(Some(at)) => Ok(Timestamp(at.assume_utc())),
                Value::TimeDateTimeWithTimeZone(Some(at)) => Ok(Timestamp::from(at)),
                _ => Err(ValueTypeErr),
            }
        }

        fn type_name() -> String {
            "Timestamp".to_owned()
        }

        fn array_type() -> ArrayType {
            ArrayType::TimeDateTime
        }

        fn column_type() -> ColumnType {
            ColumnType::TimestampWithTimeZone
        }
    }

    impl Nullable for Timestamp {
        fn null() -> Value {
            Value::TimeDateTime(None)
        }
    }

    impl sea_orm::IntoActiveValue<Timestamp> for Timestamp {
        fn into_active_value(self) -> sea_orm::ActiveValue<Timestamp> {
            sea_orm::ActiveValue::Set(self)
        }
    }
}
