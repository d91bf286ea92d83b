//! Orion moved its timestamps from `chrono` to `time`. PostgreSQL stores `TIMESTAMPTZ`, the same
//! for both. SQLite stores text and compares it as text: chrono wrote
//! `2026-11-28T09:20:37.123456789+00:00`; Orion now writes SQLite's own
//! `2026-11-28 09:20:37.123456789` (`merchants::Timestamp`, fraction trimmed, which sorts
//! chronologically). A month boundary written one way would misorder rows written the other, so
//! this rewrites every stored timestamp to the new form; the instants are unchanged to the
//! nanosecond. The image tables, whose times are never compared in SQL, take `time`'s RFC 3339.

use sea_orm::{DatabaseBackend, Statement};
use sea_orm_migration::prelude::*;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every timestamp column, by table.
pub(crate) const TIMESTAMPS: [(&str, &[&str]); 21] = [
    ("merchant", &["created_at"]),
    ("store", &["created_at", "last_activity_at"]),
    ("store_domain", &["created_at", "verified_at"]),
    ("product", &["created_at"]),
    ("product_translation", &["created_at"]),
    ("order", &["created_at"]),
    ("order_item", &["created_at"]),
    ("inventory", &["created_at"]),
    ("team_member", &["created_at"]),
    ("subscription_tier", &["created_at"]),
    (
        "merchant_subscription",
        &["created_at", "current_period_start", "current_period_end", "trial_ends_at", "cancelled_at"],
    ),
    ("loyalty_program", &["created_at"]),
    ("loyalty_card", &["created_at"]),
    ("loyalty_transaction", &["created_at"]),
    ("image", &["created_at"]),
    ("image_blob", &["created_at"]),
    ("image_shard", &["created_at"]),
    ("image_storage_stats", &["created_at"]),
    ("capacity_snapshot", &["created_at"]),
    ("admin_user", &["created_at"]),
    ("api_token", &["created_at", "last_used_at", "revoked_at"]),
];

/// Tables whose times are kept as RFC 3339 (the images crate stands alone and stores
/// `OffsetDateTime`); every other table uses `merchants::Timestamp`'s form.
const RFC3339_TABLES: [&str; 4] = ["image", "image_blob", "image_shard", "image_storage_stats"];

const PAGE: u64 = 5_000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        for (table, columns) in TIMESTAMPS {
            for column in columns {
                rewrite(db, table, column).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // Both forms read back as the same instants: nothing to undo.
        Ok(())
    }
}

/// Rewrites `table.column` page by page.
async fn rewrite(db: &SchemaManagerConnection<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    let rfc3339 = RFC3339_TABLES.contains(&table);
    let mut after = 0i64;
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                format!(
                    r#"SELECT id, "{column}" AS at FROM "{table}" WHERE id > ? AND "{column}" IS NOT NULL
                       ORDER BY id LIMIT {PAGE}"#
                ),
                [after.into()],
            ))
            .await?;
        let Some(last) = rows.last() else { return Ok(()) };
        after = last.try_get("", "id")?;
        for row in &rows {
            let id: i64 = row.try_get("", "id")?;
            let stored: String = row.try_get("", "at")?;
            let instant = parse(&stored).ok_or_else(|| {
                DbErr::Migration(format!("{table}.{column} of row {id}: {stored:?} is not a timestamp"))
            })?;
            let text = if rfc3339 { instant.format(&Rfc3339) } else { instant.format(SQLITE) }
                .map_err(|e| DbErr::Migration(e.to_string()))?;
            db.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                format!(r#"UPDATE "{table}" SET "{column}" = ? WHERE id = ?"#),
                [text.into(), id.into()],
            ))
            .await?;
        }
    }
}

/// `merchants::Timestamp`'s SQLite form (what sqlx writes for a zone-less time).
const SQLITE: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");

/// chrono's RFC 3339 (`…+00:00`) or SQLite's `CURRENT_TIMESTAMP` (`YYYY-MM-DD HH:MM:SS`, UTC).
pub(crate) fn parse(stored: &str) -> Option<OffsetDateTime> {
    let whole = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::parse(stored, &Rfc3339)
        .ok()
        .or_else(|| {
            time::PrimitiveDateTime::parse(stored, SQLITE).ok().map(time::PrimitiveDateTime::assume_utc)
        })
        .or_else(|| {
            time::PrimitiveDateTime::parse(stored, &whole).ok().map(time::PrimitiveDateTime::assume_utc)
        })
        .map(|at| at.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use time::macros::datetime;

    #[test]
    fn both_stored_forms_parse_to_the_same_instant() {
        assert_eq!(
            parse("2026-03-01T00:00:00.123456789+00:00"),
            Some(datetime!(2026-03-01 0:00:00.123456789 UTC))
        );
        assert_eq!(parse("2026-03-01T00:00:00+00:00"), Some(datetime!(2026-03-01 0:00 UTC)));
        assert_eq!(parse("2026-03-01 10:11:12"), Some(datetime!(2026-03-01 10:11:12 UTC)));
        assert_eq!(parse("2026-03-01T00:00:00.5Z"), Some(datetime!(2026-03-01 0:00:00.5 UTC)));
        assert_eq!(parse("yesterday"), None);
    }
}
