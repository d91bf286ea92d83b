//! The daily capacity snapshot, on a schedule: at start-up when today's is missing, then at
//! 00:00:05 UTC every day, followed by retention pruning. Every instance of a service may run
//! it; the unique snapshot date makes the capture happen once per day across instances.

use std::time::Duration;

use health::SystemMetrics;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{capture_daily_snapshot, prune_snapshots};

/// How snapshots are scheduled and kept (admin-api's `[forecast]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SnapshotSettings {
    /// Capture today's snapshot at start-up when it is missing, and run the daily schedule.
    pub schedule: bool,
    /// Daily snapshots older than this many days are pruned (the first of each month is kept).
    pub retention_days: u32,
}

impl Default for SnapshotSettings {
    fn default() -> Self {
        SnapshotSettings { schedule: true, retention_days: 730 }
    }
}

/// Captures today's snapshot if missing, logging the outcome (never fails: a failed capture is
/// tried again at the next run).
pub async fn capture_now(db: &DatabaseConnection, system: Option<SystemMetrics>) {
    match capture_daily_snapshot(db, OffsetDateTime::now_utc(), system).await {
        Ok(c) if c.created => tracing::info!(day = %c.snapshot.snapshot_date, "capacity snapshot captured"),
        Ok(c) => tracing::debug!(day = %c.snapshot.snapshot_date, "capacity snapshot already taken"),
        Err(error) => tracing::error!(%error, "capacity snapshot failed"),
    }
}

/// How long from `now` until the next day's [`crate::capture_moment`] (00:00:05 UTC).
pub fn until_next_capture(now: OffsetDateTime) -> Duration {
    let next = now.date().next_day().map(crate::capture_moment);
    next.map_or(Duration::from_secs(3600), |next| (next - now).try_into().unwrap_or_default())
}

/// Spawns the daily loop on the current tokio runtime; `system` gives the latest system sample
/// to store with each snapshot.
pub fn spawn_daily(
    db: DatabaseConnection,
    settings: SnapshotSettings,
    system: impl Fn() -> Option<SystemMetrics> + Send + 'static,
) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(until_next_capture(OffsetDateTime::now_utc())).await;
            capture_now(&db, system()).await;
            match prune_snapshots(&db, OffsetDateTime::now_utc().date(), settings.retention_days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "old daily snapshots pruned (first of month kept)"),
                Err(error) => tracing::error!(%error, "snapshot pruning failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_next_capture_is_five_seconds_after_midnight_utc() {
        assert_eq!(until_next_capture(datetime!(2026-11-28 23:59:00 UTC)), Duration::from_secs(65));
        assert_eq!(until_next_capture(datetime!(2026-11-28 00:00:05 UTC)), Duration::from_secs(86_400));
    }
}
