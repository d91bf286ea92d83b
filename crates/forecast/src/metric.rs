//! The snapshot fields a forecast can be asked for, by their column names.

use chrono::NaiveDate;

use crate::entity::capacity_snapshot::Model;

/// A forecastable snapshot field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// `total_orders_month`
    TotalOrdersMonth,
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
    pub const ALL: [Metric; 11] = [
        Metric::TotalMerchants,
        Metric::TotalStores,
        Metric::ActiveStores,
        Metric::TotalSubscriptions,
        Metric::TotalProducts,
        Metric::TotalOrdersMonth,
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
            Metric::TotalTeamMembers => "total_team_members",
            Metric::TotalImages => "total_images",
            Metric::TotalImageFiles => "total_image_files",
            Metric::StorageUsedGb => "storage_used_gb",
            Metric::DbSizeMb => "db_size_mb",
        }
    }

    /// Parses a column name.
    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The value in `snapshot`.
    pub fn of(self, s: &Model) -> f64 {
        match self {
            Metric::TotalMerchants => s.total_merchants as f64,
            Metric::TotalStores => s.total_stores as f64,
            Metric::ActiveStores => s.active_stores as f64,
            Metric::TotalSubscriptions => s.total_subscriptions as f64,
            Metric::TotalProducts => s.total_products as f64,
            Metric::TotalOrdersMonth => s.total_orders_month as f64,
            Metric::TotalTeamMembers => s.total_team_members as f64,
            Metric::TotalImages => s.total_images as f64,
            Metric::TotalImageFiles => s.total_image_files as f64,
            Metric::StorageUsedGb => s.storage_used_gb,
            Metric::DbSizeMb => s.db_size_mb,
        }
    }
}

/// One value per day from the first to the last of `points` (sorted by day); days without a
/// snapshot are filled by linear interpolation between their neighbours, so the fits see a
/// regular daily series.
pub fn daily_series(points: &[(NaiveDate, f64)]) -> Vec<f64> {
    let mut out = Vec::new();
    for pair in points.windows(2) {
        let ((d0, v0), (d1, v1)) = (pair[0], pair[1]);
        let gap = (d1 - d0).num_days().max(1);
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

    #[test]
    fn names_round_trip_and_gaps_are_interpolated() {
        for metric in Metric::ALL {
            assert_eq!(Metric::parse(metric.name()), Some(metric));
        }
        assert_eq!(Metric::parse("vendors"), None);
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        assert_eq!(
            daily_series(&[(day(1), 10.0), (day(2), 12.0), (day(5), 18.0)]),
            [10.0, 12.0, 14.0, 16.0, 18.0]
        );
        assert!(daily_series(&[]).is_empty());
    }
}
