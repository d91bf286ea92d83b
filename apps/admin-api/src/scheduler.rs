//! The daily capacity snapshot: at start-up when today's is missing, then at 00:00 UTC (plus a
//! few seconds), followed by retention pruning. Every instance runs this; the unique snapshot
//! date makes the capture happen once per day across instances.

use std::time::Duration;

use chrono::Utc;
use health::SystemSampler;
use sea_orm::DatabaseConnection;

use crate::config::ForecastSettings;

/// Captures today's snapshot if missing, logging the outcome (never fails start-up).
pub async fn capture_now(db: &DatabaseConnection, sampler: &SystemSampler) {
    let system = sampler.latest().map(|s| s.metrics);
    match forecast::capture_daily_snapshot(db, Utc::now(), system).await {
        Ok(c) if c.created => tracing::info!(day = %c.snapshot.snapshot_date, "capacity snapshot captured"),
        Ok(c) => tracing::debug!(day = %c.snapshot.snapshot_date, "capacity snapshot already taken"),
        Err(error) => tracing::error!(%error, "capacity snapshot failed"),
    }
}

/// Spawns the daily loop on the current runtime.
pub fn start(db: DatabaseConnection, sampler: SystemSampler, settings: ForecastSettings) {
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            let next =
                (now.date_naive() + chrono::Duration::days(1)).and_hms_opt(0, 0, 5).map(|t| t.and_utc());
            let wait =
                next.map_or(Duration::from_secs(3600), |next| (next - now).to_std().unwrap_or_default());
            tokio::time::sleep(wait).await;
            capture_now(&db, &sampler).await;
            match forecast::prune_snapshots(&db, Utc::now().date_naive(), settings.retention_days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "old daily snapshots pruned (first of month kept)"),
                Err(error) => tracing::error!(%error, "snapshot pruning failed"),
            }
        }
    });
}
