//! The daily capacity history: measured from the demo rows as of each past day, then today.

use sea_orm::DatabaseConnection;
use time::{Duration, OffsetDateTime};

use crate::Result;

/// Back-fills the `days` days before `now`'s day (each as of its capture moment, by
/// `forecast::backfill_snapshots`) and captures today's. Returns the snapshots written.
pub(crate) async fn measure_history(db: &DatabaseConnection, now: OffsetDateTime, days: u32) -> Result<u64> {
    let refused = |e: forecast::Error| crate::Error::Refused("snapshot", e.to_string());
    let today = now.date();
    let mut written = 0;
    if days > 0 {
        written += forecast::backfill_snapshots(
            db,
            today - Duration::days(i64::from(days)),
            today - Duration::days(1),
        )
        .await
        .map_err(refused)?;
    }
    let captured = forecast::capture_daily_snapshot(db, now, None).await.map_err(refused)?;
    Ok(written + u64::from(captured.created))
}
