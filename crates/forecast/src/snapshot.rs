//! Daily capacity snapshots: at most one row per UTC day, however many instances capture.
//!
//! The unique `snapshot_date` decides races: a capture inserts with `ON CONFLICT DO NOTHING` and
//! then reads the day's row, so concurrent captures (threads, processes, admin-api instances on
//! one PostgreSQL) all return the same snapshot and exactly one of them reports `created`.

use health::{DbMonitorSettings, SystemMetrics};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use time::{Date, Duration, OffsetDateTime, UtcOffset};

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

/// Captures the snapshot of `now`'s UTC day, or returns the day's existing one.
///
/// Counts are exact (a snapshot is history: it is taken once a day, off the request path).
/// `system` is the latest system sample, stored as the day's system figures.
pub async fn capture_daily_snapshot(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    system: Option<SystemMetrics>,
) -> Result<Captured> {
    let day = now.to_offset(UtcOffset::UTC).date();
    if let Some(existing) = snapshot_row(db, day).await? {
        return Ok(Captured { id: existing.id, snapshot: existing.into(), created: false });
    }
    let row = measure_row(db, day, now, system).await?;
    let inserted = Entity::insert(row)
        .on_conflict(OnConflict::column(Column::SnapshotDate).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    let snapshot = snapshot_row(db, day)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("capacity snapshot of {day} after insert")))?;
    Ok(Captured { id: snapshot.id, snapshot: snapshot.into(), created: inserted == 1 })
}

async fn snapshot_row(db: &impl ConnectionTrait, day: Date) -> Result<Option<capacity_snapshot::Model>> {
    Ok(Entity::find().filter(Column::SnapshotDate.eq(day)).one(db).await?)
}

/// Writes `snapshots` as they are (e.g. history imported from another system), one row per day;
/// a day that already has a snapshot keeps it. Returns how many were written.
pub async fn import_snapshots(db: &impl ConnectionTrait, snapshots: &[Snapshot]) -> Result<u64> {
    let mut written = 0;
    for chunk in snapshots.chunks(200) {
        let rows = chunk.iter().map(|s| capacity_snapshot::ActiveModel {
            id: NotSet,
            created_at: Set(s.snapshot_date.midnight().assume_utc().into()),
            snapshot_date: Set(s.snapshot_date),
            total_merchants: Set(s.total_merchants),
            total_stores: Set(s.total_stores),
            active_stores: Set(s.active_stores),
            trial_stores: Set(s.trial_stores),
            total_subscriptions: Set(s.total_subscriptions),
            active_subscriptions: Set(s.active_subscriptions),
            total_products: Set(s.total_products),
            total_orders_month: Set(s.total_orders_month),
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
        written += Entity::insert_many(rows)
            .on_conflict(OnConflict::column(Column::SnapshotDate).do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(written)
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

async fn measure_row(
    db: &impl ConnectionTrait,
    day: Date,
    now: OffsetDateTime,
    system: Option<SystemMetrics>,
) -> Result<capacity_snapshot::ActiveModel> {
    use billing::SubscriptionStatus;
    use billing::entity::merchant_subscription as subscription;
    use stores::entity::store;

    // Exact counts: a limit no table reaches.
    let exact = DbMonitorSettings { exact_count_limit: u64::MAX, ..DbMonitorSettings::default() };
    let f = health::measure(db, &exact, now).await?;
    let capacity = f.subscription_capacity();
    let trialing_merchants = subscription::Entity::find()
        .select_only()
        .column(subscription::Column::MerchantId)
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Trialing));
    let trial_stores = store::Entity::find()
        .filter(store::Column::MerchantId.in_subquery(trialing_merchants.into_query()))
        .count(db)
        .await?;
    let active_subscriptions = subscription::Entity::find()
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Active))
        .count(db)
        .await?;
    let tier_distribution = serde_json::to_value(&capacity.tier_distribution).unwrap_or_default();
    Ok(capacity_snapshot::ActiveModel {
        id: NotSet,
        created_at: Set(now.into()),
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
