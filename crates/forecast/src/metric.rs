//! The daily capacity figures as plain values ([`Snapshot`]), the fields a forecast can be asked
//! for ([`Metric`]), and gap-filled daily series.

use std::collections::BTreeMap;

use health::ThresholdMetric;
use serde::Serialize;
use time::Date;

use crate::fit::{FittedHistory, NoEstimate};

/// One UTC day's capacity figures: seed 000's `CapacitySnapshot` plus merchants, images, image
/// files and system averages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// The UTC day.
    pub snapshot_date: Date,
    /// Merchants.
    pub total_merchants: i64,
    /// Stores.
    pub total_stores: i64,
    /// Stores with activity (an order, a product, an inventory change) in the last 30 days.
    pub active_stores: i64,
    /// Stores with the enabled flag set.
    pub enabled_stores: i64,
    /// Stores of merchants in their trial.
    pub trial_stores: i64,
    /// Live subscriptions.
    pub total_subscriptions: i64,
    /// Active (paying) subscriptions.
    pub active_subscriptions: i64,
    /// Products.
    pub total_products: i64,
    /// Orders of the calendar month so far (a display figure: it restarts on the 1st).
    pub total_orders_month: i64,
    /// Orders of the last 30 days (rolling): the order figure forecasts use.
    pub orders_last_30_days: i64,
    /// Merchants whose first subscription started this calendar month.
    pub new_merchants_month: i64,
    /// Merchants whose subscription ended this calendar month, with none live.
    pub churned_merchants_month: i64,
    /// Team members.
    pub total_team_members: i64,
    /// Distinct stored images.
    pub total_images: i64,
    /// Stored image variant files.
    pub total_image_files: i64,
    /// Image storage, GB.
    pub storage_used_gb: f64,
    /// Database size, MB.
    pub db_size_mb: f64,
    /// Sum of the sold product limits (unlimited subscriptions not counted).
    pub theoretical_products_limit: Option<i64>,
    /// Sum of the sold monthly order limits.
    pub theoretical_orders_limit: Option<i64>,
    /// Sum of the sold team limits.
    pub theoretical_team_limit: Option<i64>,
    /// Live subscriptions per tier code.
    pub tier_distribution: BTreeMap<String, u64>,
    /// The day's CPU sample, %.
    pub avg_cpu_percent: Option<f64>,
    /// The day's memory sample, %.
    pub avg_memory_percent: Option<f64>,
    /// The day's disk sample, %.
    pub avg_disk_percent: Option<f64>,
}

/// A forecastable snapshot field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// `total_merchants`
    TotalMerchants,
    /// `total_stores`
    TotalStores,
    /// `active_stores`
    ActiveStores,
    /// `total_subscriptions`
    TotalSubscriptions,
    /// `total_products`
    TotalProducts,
    /// `total_orders_month` (restarts on the 1st: no threshold, not for forecasts)
    TotalOrdersMonth,
    /// `orders_last_30_days`
    OrdersLast30Days,
    /// `total_team_members`
    TotalTeamMembers,
    /// `total_images`
    TotalImages,
    /// `total_image_files`
    TotalImageFiles,
    /// `storage_used_gb`
    StorageUsedGb,
    /// `db_size_mb`
    DbSizeMb,
}

impl Metric {
    /// Every metric, in column order.
    pub const ALL: [Metric; 12] = [
        Metric::TotalMerchants,
        Metric::TotalStores,
        Metric::ActiveStores,
        Metric::TotalSubscriptions,
        Metric::TotalProducts,
        Metric::TotalOrdersMonth,
        Metric::OrdersLast30Days,
        Metric::TotalTeamMembers,
        Metric::TotalImages,
        Metric::TotalImageFiles,
        Metric::StorageUsedGb,
        Metric::DbSizeMb,
    ];

    /// The column name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::TotalMerchants => "total_merchants",
            Metric::TotalStores => "total_stores",
            Metric::ActiveStores => "active_stores",
            Metric::TotalSubscriptions => "total_subscriptions",
            Metric::TotalProducts => "total_products",
            Metric::TotalOrdersMonth => "total_orders_month",
            Metric::OrdersLast30Days => "orders_last_30_days",
            Metric::TotalTeamMembers => "total_team_members",
            Metric::TotalImages => "total_images",
            Metric::TotalImageFiles => "total_image_files",
            Metric::StorageUsedGb => "storage_used_gb",
            Metric::DbSizeMb => "db_size_mb",
        }
    }

    /// A display name, e.g. `Products` or `Image storage (GB)`.
    pub fn label(self) -> &'static str {
        match self {
            Metric::TotalMerchants => "Merchants",
            Metric::TotalStores => "Stores",
            Metric::ActiveStores => "Active stores",
            Metric::TotalSubscriptions => "Subscriptions",
            Metric::TotalProducts => "Products",
            Metric::TotalOrdersMonth => "Orders this month",
            Metric::OrdersLast30Days => "Orders (last 30 days)",
            Metric::TotalTeamMembers => "Team members",
            Metric::TotalImages => "Images",
            Metric::TotalImageFiles => "Image files",
            Metric::StorageUsedGb => "Image storage (GB)",
            Metric::DbSizeMb => "Database (MB)",
        }
    }

    /// Parses a column name.
    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The configured threshold that watches this metric, if any: the one mapping from
    /// snapshot columns to `[thresholds.*]`.
    pub fn threshold(self) -> Option<ThresholdMetric> {
        match self {
            Metric::TotalProducts => Some(ThresholdMetric::ProductsTotal),
            Metric::OrdersLast30Days => Some(ThresholdMetric::MonthlyOrders),
            Metric::StorageUsedGb => Some(ThresholdMetric::StorageGb),
            Metric::DbSizeMb => Some(ThresholdMetric::DbSizeMb),
            _ => None,
        }
    }

    /// The metrics a configured threshold watches, in column order.
    pub fn with_thresholds() -> impl Iterator<Item = (Metric, ThresholdMetric)> {
        Metric::ALL.into_iter().filter_map(|m| Some((m, m.threshold()?)))
    }

    /// Counts of things (whole units) rather than sizes.
    pub fn is_count(self) -> bool {
        !matches!(self, Metric::StorageUsedGb | Metric::DbSizeMb)
    }

    /// The value in `snapshot`.
    pub fn of(self, s: &Snapshot) -> f64 {
        match self {
            Metric::TotalMerchants => s.total_merchants as f64,
            Metric::TotalStores => s.total_stores as f64,
            Metric::ActiveStores => s.active_stores as f64,
            Metric::TotalSubscriptions => s.total_subscriptions as f64,
            Metric::TotalProducts => s.total_products as f64,
            Metric::TotalOrdersMonth => s.total_orders_month as f64,
            Metric::OrdersLast30Days => s.orders_last_30_days as f64,
            Metric::TotalTeamMembers => s.total_team_members as f64,
            Metric::TotalImages => s.total_images as f64,
            Metric::TotalImageFiles => s.total_image_files as f64,
            Metric::StorageUsedGb => s.storage_used_gb,
            Metric::DbSizeMb => s.db_size_mb,
        }
    }
}

/// One value per day of `metric` from the first to the last of `history` (oldest first); days
/// without a snapshot are filled by linear interpolation, so the fits see a regular daily series.
pub fn series(history: &[Snapshot], metric: Metric) -> Vec<f64> {
    let points: Vec<(Date, f64)> = history.iter().map(|s| (s.snapshot_date, metric.of(s))).collect();
    daily_series(&points)
}

/// Every metric's series in `history` fitted once (the costly part of its forecasts and
/// projections), or why it could not be.
pub(crate) fn fit_each(history: &[Snapshot]) -> Vec<(Metric, Result<FittedHistory, NoEstimate>)> {
    Metric::ALL.into_iter().map(|metric| (metric, FittedHistory::new(&series(history, metric)))).collect()
}

/// One value per day from the first to the last of `points` (sorted by day); gaps filled by
/// linear interpolation between their neighbours.
pub fn daily_series(points: &[(Date, f64)]) -> Vec<f64> {
    let mut out = Vec::new();
    for pair in points.windows(2) {
        let ((d0, v0), (d1, v1)) = (pair[0], pair[1]);
        let gap = (d1 - d0).whole_days().max(1);
        for step in 0..gap {
            out.push(v0 + (v1 - v0) * step as f64 / gap as f64);
        }
    }
    if let Some(&(_, last)) = points.last() {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn names_round_trip_and_gaps_are_interpolated() {
        for metric in Metric::ALL {
            assert_eq!(Metric::parse(metric.name()), Some(metric));
        }
        assert_eq!(Metric::parse("vendors"), None);
        assert_eq!(
            daily_series(&[
                (date!(2026 - 01 - 01), 10.0),
                (date!(2026 - 01 - 02), 12.0),
                (date!(2026 - 01 - 05), 18.0)
            ]),
            [10.0, 12.0, 14.0, 16.0, 18.0]
        );
        assert!(daily_series(&[]).is_empty());
        assert_eq!(Metric::with_thresholds().count(), 4);
    }
}
