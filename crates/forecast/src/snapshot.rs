//! Daily capacity snapshots: at most one row per UTC day, however many instances capture.
//!
//! The unique `snapshot_date` decides races: a capture inserts with `ON CONFLICT DO NOTHING` and
//! then reads the day's row, so concurrent captures (threads, processes, admin-api instances on
//! one PostgreSQL) all return the same snapshot and exactly one of them reports `created`.

use health::{DbMonitorSettings, SystemMetrics};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

use crate::entity::capacity_snapshot::{self, Column, Entity};
use crate::{Result, Snapshot, round};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// The outcome of a capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// The row id.
    pub id: i64,
    /// The day's snapshot (new or existing).
    pub snapshot: Snapshot,
    /// Whether this call wrote it.
    pub created: bool,
}

/// When the daily capture runs: 00:00:05 UTC of `day` (the back-fill measures as of it too).
pub fn capture_moment(day: Date) -> OffsetDateTime {
    day.with_time(Time::from_hms(0, 0, 5).unwrap_or(Time::MIDNIGHT)).assume_utc()
}

/// Captures the snapshot of `now`'s UTC day, or returns the day's existing one.
///
/// The figures are [`measure_snapshot`] as of `now` with exact counts (a snapshot is history:
/// taken once a day, off the request path). `system` is the latest system sample, stored as the
/// day's system figures.
pub async fn capture_daily_snapshot(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    system: Option<SystemMetrics>,
) -> Result<Captured> {
    let day = now.to_offset(UtcOffset::UTC).date();
    if let Some(existing) = snapshot_row(db, day).await? {
        return Ok(Captured { id: existing.id, snapshot: existing.into(), created: false });
    }
    let snapshot = measure_snapshot(db, now, system).await?;
    let inserted = insert_snapshots(db, std::slice::from_ref(&snapshot), Some(now)).await?;
    let row = snapshot_row(db, day)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("capacity snapshot of {day} after insert")))?;
    Ok(Captured { id: row.id, snapshot: row.into(), created: inserted == 1 })
}

/// Back-fills the days from `from` to `to` (inclusive) that have no snapshot, each measured as
/// of its [`capture_moment`] by [`measure_snapshot`]: the same figures a capture on that day
/// would have taken from the rows that exist now (system figures stay empty: nobody sampled
/// them). Returns how many days were written.
pub async fn backfill_snapshots(db: &impl ConnectionTrait, from: Date, to: Date) -> Result<u64> {
    let taken: std::collections::HashSet<Date> =
        snapshots_between(db, from, to).await?.into_iter().map(|s| s.snapshot_date).collect();
    let mut written = 0;
    let mut day = from;
    while day <= to {
        if !taken.contains(&day) {
            let at = capture_moment(day);
            let snapshot = measure_snapshot(db, at, None).await?;
            written += insert_snapshots(db, &[snapshot], Some(at)).await?;
        }
        day = match day.next_day() {
            Some(next) => next,
            None => break,
        };
    }
    Ok(written)
}

async fn snapshot_row(db: &impl ConnectionTrait, day: Date) -> Result<Option<capacity_snapshot::Model>> {
    Ok(Entity::find().filter(Column::SnapshotDate.eq(day)).one(db).await?)
}

/// Writes `snapshots` as they are (e.g. history imported from another system), one row per day;
/// a day that already has a snapshot keeps it. Returns how many were written.
pub async fn import_snapshots(db: &impl ConnectionTrait, snapshots: &[Snapshot]) -> Result<u64> {
    let mut written = 0;
    for chunk in snapshots.chunks(200) {
        written += insert_snapshots(db, chunk, None).await?;
    }
    Ok(written)
}

/// Inserts `snapshots`, skipping days already taken; `created_at` defaults to each day's
/// capture moment.
async fn insert_snapshots(
    db: &impl ConnectionTrait,
    snapshots: &[Snapshot],
    created_at: Option<OffsetDateTime>,
) -> Result<u64> {
    let rows = snapshots.iter().map(|s| capacity_snapshot::ActiveModel {
        id: NotSet,
        created_at: Set(created_at.unwrap_or_else(|| capture_moment(s.snapshot_date)).into()),
        snapshot_date: Set(s.snapshot_date),
        total_merchants: Set(s.total_merchants),
        total_stores: Set(s.total_stores),
        active_stores: Set(s.active_stores),
        enabled_stores: Set(s.enabled_stores),
        trial_stores: Set(s.trial_stores),
        total_subscriptions: Set(s.total_subscriptions),
        active_subscriptions: Set(s.active_subscriptions),
        total_products: Set(s.total_products),
        total_orders_month: Set(s.total_orders_month),
        orders_last_30_days: Set(s.orders_last_30_days),
        new_merchants_month: Set(s.new_merchants_month),
        churned_merchants_month: Set(s.churned_merchants_month),
        total_team_members: Set(s.total_team_members),
        total_images: Set(s.total_images),
        total_image_files: Set(s.total_image_files),
        storage_used_gb: Set(s.storage_used_gb),
        db_size_mb: Set(s.db_size_mb),
        theoretical_products_limit: Set(s.theoretical_products_limit),
        theoretical_orders_limit: Set(s.theoretical_orders_limit),
        theoretical_team_limit: Set(s.theoretical_team_limit),
        tier_distribution: Set(serde_json::to_value(&s.tier_distribution).unwrap_or_default()),
        avg_cpu_percent: Set(s.avg_cpu_percent),
        avg_memory_percent: Set(s.avg_memory_percent),
        avg_disk_percent: Set(s.avg_disk_percent),
    });
    if snapshots.is_empty() {
        return Ok(0);
    }
    Ok(Entity::insert_many(rows)
        .on_conflict(OnConflict::column(Column::SnapshotDate).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?)
}

/// The snapshot of `day`, if taken.
pub async fn snapshot_on(db: &impl ConnectionTrait, day: Date) -> Result<Option<Snapshot>> {
    Ok(snapshot_row(db, day).await?.map(Snapshot::from))
}

/// Snapshots from `from` to `to` (inclusive), oldest first.
pub async fn snapshots_between(db: &impl ConnectionTrait, from: Date, to: Date) -> Result<Vec<Snapshot>> {
    Ok(Entity::find()
        .filter(Column::SnapshotDate.gte(from))
        .filter(Column::SnapshotDate.lte(to))
        .order_by_asc(Column::SnapshotDate)
        .all(db)
        .await?
        .into_iter()
        .map(Snapshot::from)
        .collect())
}

/// The snapshots of the last `days` days up to `today` (inclusive), oldest first.
pub async fn history(db: &impl ConnectionTrait, today: Date, days: i64) -> Result<Vec<Snapshot>> {
    snapshots_between(db, today - Duration::days(days), today).await
}

/// Retention: deletes daily snapshots older than `keep_days` before `today`, except those of the
/// first day of a month, which stay as the monthly series for long-term trends. Returns how
/// many were deleted.
pub async fn prune_snapshots(db: &impl ConnectionTrait, today: Date, keep_days: u32) -> Result<u64> {
    let cutoff = today - Duration::days(i64::from(keep_days));
    let old: Vec<(i64, Date)> = Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::SnapshotDate)
        .filter(Column::SnapshotDate.lt(cutoff))
        .into_tuple()
        .all(db)
        .await?;
    let doomed: Vec<i64> = old.into_iter().filter(|(_, day)| day.day() != 1).map(|(id, _)| id).collect();
    let mut deleted = 0;
    for ids in doomed.chunks(500) {
        deleted +=
            Entity::delete_many().filter(Column::Id.is_in(ids.iter().copied())).exec(db).await?.rows_affected;
    }
    Ok(deleted)
}

/// The snapshot of `at`'s UTC day as measured at `at` ([`health::measure`] with exact counts),
/// with `system` as the day's system figures.
pub async fn measure_snapshot(
    db: &impl ConnectionTrait,
    at: OffsetDateTime,
    system: Option<SystemMetrics>,
) -> Result<Snapshot> {
    // Exact counts: a limit no table reaches.
    let exact = DbMonitorSettings { exact_count_limit: u64::MAX, ..DbMonitorSettings::default() };
    let f = health::measure(db, &exact, at).await?;
    let capacity = f.subscription_capacity();
    Ok(Snapshot {
        snapshot_date: at.to_offset(UtcOffset::UTC).date(),
        total_merchants: to_i64(f.merchants.value),
        total_stores: to_i64(f.stores.value),
        active_stores: to_i64(f.active_stores),
        enabled_stores: to_i64(f.enabled_stores),
        trial_stores: to_i64(f.trial_stores),
        total_subscriptions: to_i64(capacity.total_subscriptions),
        active_subscriptions: to_i64(f.paying_subscriptions),
        total_products: to_i64(f.products.value),
        total_orders_month: to_i64(f.orders_this_month),
        orders_last_30_days: to_i64(f.orders_last_30_days),
        new_merchants_month: to_i64(f.dynamics.new_this_month),
        churned_merchants_month: to_i64(f.dynamics.churned_this_month),
        total_team_members: to_i64(f.team_members.value),
        total_images: to_i64(f.images.total_blobs),
        total_image_files: to_i64(f.images.total_files),
        storage_used_gb: round(f.images.total_bytes as f64 / GIB, 3),
        db_size_mb: round(f.size_bytes as f64 / MIB, 2),
        theoretical_products_limit: Some(capacity.products.theoretical_limit),
        theoretical_orders_limit: Some(capacity.orders_monthly.theoretical_limit),
        theoretical_team_limit: Some(capacity.team_members.theoretical_limit),
        tier_distribution: capacity.tier_distribution,
        avg_cpu_percent: system.map(|s| s.cpu_percent),
        avg_memory_percent: system.map(|s| s.memory_percent),
        avg_disk_percent: system.map(|s| s.disk_percent),
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
