//! Timestamps the chrono build wrote read back as the same instants with `time`, on both
//! databases, and both order old rows and bounds written the new way (`merchants::Timestamp`)
//! correctly, to the sub-second (SQLite compares its text as text).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use migration::testing::{Backend, TestDb};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use time::OffsetDateTime;
use time::macros::datetime;

/// What the chrono build stored: `to_rfc3339_opts(AutoSi, false)` text on SQLite, `TIMESTAMPTZ`
/// on PostgreSQL, for three instants around a month boundary.
const WRITTEN: [(&str, &str); 3] = [
    ("before", "2026-02-28T23:59:59.999+00:00"),
    ("at", "2026-03-01T00:00:00+00:00"),
    ("after", "2026-03-01T00:00:00.123456789+00:00"),
];

async fn old_rows_read_back_equal(backend: Backend) {
    let db = TestDb::create_empty(backend).await;
    // The schema as the chrono build left it: every migration before the time one.
    Migrator::up(&db.conn, Some(7)).await.unwrap();
    let cast = if backend == Backend::Postgres { "::timestamptz" } else { "" };
    for (slug, at) in WRITTEN {
        db.conn
            .execute_unprepared(&format!(
                "INSERT INTO merchant (name, slug, contact_email, is_active, created_at) \
                 VALUES ('{slug}', '{slug}', 'x@example.com', true, '{at}'{cast})"
            ))
            .await
            .unwrap();
    }
    Migrator::up(&db.conn, None).await.unwrap();

    let read = |sql: &'static str, values: Vec<Value>| {
        let conn = db.conn.clone();
        async move {
            let rows = conn
                .query_all_raw(Statement::from_sql_and_values(conn.get_database_backend(), sql, values))
                .await
                .unwrap();
            rows.iter()
                .map(|r| {
                    (
                        r.try_get::<String>("", "slug").unwrap(),
                        r.try_get::<OffsetDateTime>("", "created_at").unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let all = read("SELECT slug, created_at FROM merchant ORDER BY created_at", vec![]).await;
    let millis = |at: OffsetDateTime| at.unix_timestamp_nanos() / 1_000_000;
    let expected = [
        ("before", datetime!(2026-02-28 23:59:59.999 UTC)),
        ("at", datetime!(2026-03-01 00:00 UTC)),
        ("after", datetime!(2026-03-01 00:00:00.123456789 UTC)),
    ];
    assert_eq!(all.len(), 3);
    for ((slug, at), (want_slug, want)) in all.iter().zip(expected) {
        assert_eq!((slug.as_str(), millis(*at)), (want_slug, millis(want)), "read back to the millisecond");
    }

    // A month bound written by the time build orders the old rows as before.
    let month = datetime!(2026-03-01 00:00 UTC);
    let placeholder = if db.conn.get_database_backend() == DatabaseBackend::Postgres { "$1" } else { "?" };
    let sql: &'static str = if placeholder == "$1" {
        "SELECT slug, created_at FROM merchant WHERE created_at >= $1 ORDER BY created_at"
    } else {
        "SELECT slug, created_at FROM merchant WHERE created_at >= ? ORDER BY created_at"
    };
    let this_month = read(sql, vec![merchants::Timestamp::from(month).into()]).await;
    let slugs: Vec<&str> = this_month.iter().map(|(slug, _)| slug.as_str()).collect();
    assert_eq!(slugs, ["at", "after"]);
    db.drop_database().await;
}

#[tokio::test]
async fn old_rows_read_back_equal_on_sqlite() {
    old_rows_read_back_equal(Backend::Sqlite).await;
}

#[tokio::test]
async fn old_rows_read_back_equal_on_postgres() {
    old_rows_read_back_equal(Backend::Postgres).await;
}
