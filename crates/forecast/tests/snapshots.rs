//! Daily snapshots on both databases: one row per UTC day under 50 concurrent captures, the
//! figures of the day, and retention keeping the first of each month.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use forecast::entity::capacity_snapshot;
use sea_orm::{EntityTrait, PaginatorTrait};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

migration::db_test!(async fn fifty_concurrent_captures_leave_one_row(db) {
    let now = datetime!(2026-11-23 00:00:03 UTC);
    let captures: Vec<_> = (0..50)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { forecast::capture_daily_snapshot(&db, now, None).await.unwrap() })
        })
        .collect();
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    for capture in captures {
        let captured = capture.await.unwrap();
        created += usize::from(captured.created);
        ids.insert(captured.id);
    }
    assert_eq!(created, 1, "exactly one capture writes the row");
    assert_eq!(ids.len(), 1, "every capture returns the same row");
    assert_eq!(capacity_snapshot::Entity::find().count(&db).await.unwrap(), 1);
    let snapshot = forecast::snapshot_on(&db, now.date()).await.unwrap().unwrap();
    assert_eq!(snapshot.total_products, 0);
    assert_eq!(snapshot.tier_distribution["enterprise"], 0, "every tier listed");
});

migration::db_test!(async fn retention_keeps_recent_days_and_the_first_of_each_month(db) {
    let today = date!(2026 - 11 - 23);
    let template = forecast::capture_daily_snapshot(&db, OffsetDateTime::now_utc(), None).await.unwrap().snapshot;
    capacity_snapshot::Entity::delete_many().exec(&db).await.unwrap();
    let rows: Vec<forecast::Snapshot> = (0..100)
        .map(|back| forecast::Snapshot { snapshot_date: today - Duration::days(back), ..template.clone() })
        .collect();
    assert_eq!(forecast::import_snapshots(&db, &rows).await.unwrap(), 100);
    assert_eq!(forecast::import_snapshots(&db, &rows[..3]).await.unwrap(), 0, "a day keeps its snapshot");
    // Keep 30 days (10-24 .. 11-23); of the 69 older days (08-16 .. 10-23) only the firsts stay.
    let deleted = forecast::prune_snapshots(&db, today, 30).await.unwrap();
    let left = forecast::snapshots_between(&db, today - Duration::days(200), today).await.unwrap();
    let days: Vec<Date> = left.iter().map(|s| s.snapshot_date).collect();
    assert_eq!(deleted, 100 - days.len() as u64);
    let old: Vec<String> = days.iter().filter(|d| **d < today - Duration::days(30)).map(|d| d.to_string()).collect();
    assert_eq!(old, ["2026-09-01", "2026-10-01"]);
    assert_eq!(days.iter().filter(|d| **d >= today - Duration::days(30)).count(), 31);
});
