//! Daily capacity snapshots: at most one row per UTC day, however many instances capture.
//!
//! The unique `snapshot_date` decides races: a capture inserts with `ON CONFLICT DO NOTHING` and
//! then reads the day's row, so concurrent captures (threads, processes, admin-api instances on
//! one PostgreSQL) all return the same snapshot and exactly one of them reports `created`.

use crate::round;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use health::{DbMonitorSettings, SystemMetrics};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use crate::entity::capacity_snapshot::{self, Column, Entity, Model};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// The outcome of a capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// The day's snapshot (new or existing).
    pub snapshot: Model,
    /// Whether this call wrote it.
    pub created: bool,
}

/// Captures the snapshot of `now`'s UTC day, or returns the day's existing one.
///
/// Counts are exact (a snapshot is history: it is taken once a day, off the request path).
/// `system` is the latest system sample, stored as the day's system figures.
pub async fn capture_daily_snapshot(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    system: Option<SystemMetrics>,
) -> Result<Captured, DbErr> {
    let day = now.date_naive();
    if let Some(existing) = snapshot_on(db, day).await? {
        return Ok(Captured { snapshot: existing, created: false });
    }
    let row = measure_row(db, day, now, system).await?;
    let inserted = Entity::insert(row)
        .on_conflict(OnConflict::column(Column::SnapshotDate).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    let snapshot = snapshot_on(db, day)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("capacity snapshot of {day} after insert")))?;
    Ok(Captured { snapshot, created: inserted == 1 })
}

/// The snapshot of `day`, if taken.
pub async fn snapshot_on(db: &impl ConnectionTrait, day: NaiveDate) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::SnapshotDate.eq(day)).one(db).await
}

/// Snapshots from `from` to `to` (inclusive), oldest first.
pub async fn snapshots_between(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::SnapshotDate.gte(from))
        .filter(Column::SnapshotDate.lte(to))
        .order_by_asc(Column::SnapshotDate)
        .all(db)
        .await
}

/// Retention: deletes daily snapshots older than `keep_days` before `today`, except those of the
/// first day of a month, which stay as the monthly series for long-term trends. Returns how
/// many were deleted.
pub async fn prune_snapshots(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    keep_days: u32,
) -> Result<u64, DbErr> {
    let cutoff = today - Duration::days(i64::from(keep_days));
    let old: Vec<(i64, NaiveDate)> = Entity::find()
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

async fn measure_row(
    db: &impl ConnectionTrait,
    day: NaiveDate,
    now: DateTime<Utc>,
    system: Option<SystemMetrics>,
) -> Result<capacity_snapshot::ActiveModel, DbErr> {
    use billing::entity::merchant_subscription as subscription;
    use stores::entity::store;

    // Exact counts: a limit no table reaches.
    let exact = DbMonitorSettings { exact_count_limit: u64::MAX, ..DbMonitorSettings::default() };
    let f = health::measure(db, &exact, now).await?;
    let capacity = f.subscription_capacity();
    let trialing_merchants = subscription::Entity::find()
        .select_only()
        .column(subscription::Column::MerchantId)
        .filter(subscription::Column::Status.eq("trialing"));
    let trial_stores = store::Entity::find()
        .filter(store::Column::MerchantId.in_subquery(trialing_merchants.into_query()))
        .count(db)
        .await?;
    let active_subscriptions =
        subscription::Entity::find().filter(subscription::Column::Status.eq("active")).count(db).await?;
    let tier_distribution = serde_json::to_value(&capacity.tier_distribution).unwrap_or_default();
    Ok(capacity_snapshot::ActiveModel {
        id: NotSet,
        created_at: Set(now),
        snapshot_date: Set(day),
        total_merchants: Set(to_i64(f.merchants.value)),
        total_stores: Set(to_i64(f.stores.value)),
        active_stores: Set(to_i64(f.active_stores)),
        trial_stores: Set(to_i64(trial_stores)),
        total_subscriptions: Set(to_i64(capacity.total_subscriptions)),
        active_subscriptions: Set(to_i64(active_subscriptions)),
        total_products: Set(to_i64(f.products.value)),
        total_orders_month: Set(to_i64(f.orders_this_month)),
        total_team_members: Set(to_i64(f.team_members.value)),
        total_images: Set(to_i64(f.images.total_blobs)),
        total_image_files: Set(to_i64(f.images.total_files)),
        storage_used_gb: Set(round(f.images.total_bytes as f64 / GIB, 3)),
        db_size_mb: Set(round(f.size_bytes as f64 / MIB, 2)),
        theoretical_products_limit: Set(Some(capacity.products.theoretical_limit)),
        theoretical_orders_limit: Set(Some(capacity.orders_monthly.theoretical_limit)),
        theoretical_team_limit: Set(Some(capacity.team_members.theoretical_limit)),
        tier_distribution: Set(tier_distribution),
        avg_cpu_percent: Set(system.map(|s| s.cpu_percent)),
        avg_memory_percent: Set(system.map(|s| s.memory_percent)),
        avg_disk_percent: Set(system.map(|s| s.disk_percent)),
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
