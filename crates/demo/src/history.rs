//! The daily capacity history before today.
//!
//! Today's snapshot is measured from the data just written; the `days` before it are derived
//! from it: about 6 % growth a month for stores and products (a little faster for orders), ±1 %
//! noise, and busier weekends in the orders, imported through `forecast::import_snapshots`.

use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::DatabaseConnection;
use time::{Duration, OffsetDateTime, Weekday};

use crate::Result;

pub(crate) async fn seed_history(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    now: OffsetDateTime,
    days: u32,
) -> Result<u64> {
    let today = forecast::capture_daily_snapshot(db, now, None)
        .await
        .map_err(|e| crate::Error::Refused("snapshot", e.to_string()))?
        .snapshot;
    let mut rows = Vec::with_capacity(days as usize);
    for back in 1..=i64::from(days) {
        let day = today.snapshot_date - Duration::days(back);
        let mut noise = || 1.0 + rng.random_range(-0.01..0.01);
        let shrink = |monthly: f64| (1.0 + monthly).powf(-(back as f64) / 30.0);
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        let count =
            |today: i64, monthly: f64, noise: f64| ((today as f64) * shrink(monthly) * noise).round() as i64;
        let mut row = today.clone();
        row.snapshot_date = day;
        row.total_merchants = count(today.total_merchants, 0.05, 1.0);
        row.total_stores = count(today.total_stores, 0.06, 1.0);
        row.active_stores = count(today.active_stores, 0.06, 1.0);
        row.total_subscriptions = count(today.total_subscriptions, 0.05, 1.0);
        row.active_subscriptions = count(today.active_subscriptions, 0.05, 1.0);
        row.total_products = count(today.total_products, 0.06, noise());
        row.total_orders_month =
            count(today.total_orders_month, 0.08, noise() * if weekend { 1.03 } else { 1.0 });
        row.total_team_members = count(today.total_team_members, 0.04, 1.0);
        row.db_size_mb = (today.db_size_mb * shrink(0.07) * noise() * 100.0).round() / 100.0;
        row.storage_used_gb = (today.storage_used_gb * shrink(0.07) * 1000.0).round() / 1000.0;
        rows.push(row);
    }
    forecast::import_snapshots(db, &rows)
        .await
        .map_err(|e| crate::Error::Refused("snapshot", e.to_string()))?;
    Ok(u64::from(days) + 1)
}
