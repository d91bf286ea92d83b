//! The daily capacity snapshot: at start-up when today's is missing, then at 00:00 UTC (plus a
//! few seconds), followed by retention pruning. Every instance runs this; the unique snapshot
//! date makes the capture happen once per day across instances.

use std::time::Duration;

use health::SystemSampler;
use sea_orm::DatabaseConnection;
use time::{OffsetDateTime, Time};

use crate::config::ForecastSettings;

/// Captures today's snapshot if missing, logging the outcome (never fails start-up).
pub async fn capture_now(db: &DatabaseConnection, sampler: &SystemSampler) {
    let system = sampler.latest().map(|s| s.metrics);
    match forecast::capture_daily_snapshot(db, OffsetDateTime::now_utc(), system).await {
        Ok(c) if c.created => tracing::info!(day = %c.snapshot.snapshot_date, "capacity snapshot captured"),
        Ok(c) => tracing::debug!(day = %c.snapshot.snapshot_date, "capacity snapshot already taken"),
        Err(error) => tracing::error!(%error, "capacity snapshot failed"),
    }
}

/// How long until 00:00:05 UTC of the day after `now`.
pub fn until_next_capture(now: OffsetDateTime) -> Duration {
    let next =
        now.date().next_day().map(|day| day.with_time(Time::from_hms(0, 0, 5).unwrap_or(Time::MIDNIGHT)));
    next.map_or(Duration::from_secs(3600), |next| (next.assume_utc() - now).try_into().unwrap_or_default())
}

/// Spawns the daily loop on the current runtime.
pub fn start(db: DatabaseConnection, sampler: SystemSampler, settings: ForecastSettings) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(until_next_capture(OffsetDateTime::now_utc())).await;
            capture_now(&db, &sampler).await;
            match forecast::prune_snapshots(&db, OffsetDateTime::now_utc().date(), settings.retention_days)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "old daily snapshots pruned (first of month kept)"),
                Err(error) => tracing::error!(%error, "snapshot pruning failed"),
            }
        }
    });
}
