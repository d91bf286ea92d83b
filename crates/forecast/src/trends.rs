//! Growth trends over a period (seed 000 `GET /trends`), with the seed's formulas:
//! `growth_rate_percent = change / start × 100`, `daily_growth_rate = growth_rate_percent / days`,
//! `monthly_projection = current × (1 + daily_growth_rate × 30 / 100)`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metric::{Metric, Snapshot};
use crate::round;

/// One metric's trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// Value at the first snapshot of the period.
    pub start_value: f64,
    /// Value at the latest snapshot.
    pub current_value: f64,
    /// current − start.
    pub change: f64,
    /// change / start × 100, two decimals (0 when start is 0).
    pub growth_rate_percent: f64,
    /// growth_rate_percent / days between the two snapshots, three decimals.
    pub daily_growth_rate: f64,
    /// current × (1 + daily_growth_rate × 30 / 100): whole units for counts, two decimals for
    /// sizes.
    pub monthly_projection: f64,
}

/// The trend from `start` to `current` over `days` days; counts round to whole units.
pub fn trend(start: f64, current: f64, days: i64, is_count: bool) -> Trend {
    let change = current - start;
    let growth = if start == 0.0 { 0.0 } else { change / start * 100.0 };
    let daily = if days > 0 { growth / days as f64 } else { 0.0 };
    let projection = current * (1.0 + daily * 30.0 / 100.0);
    Trend {
        start_value: start,
        current_value: current,
        change: if is_count { change } else { round(change, 2) },
        growth_rate_percent: round(growth, 2),
        daily_growth_rate: round(daily, 3),
        monthly_projection: if is_count { projection.round() } else { round(projection, 2) },
    }
}

/// Seed 000's `GET /trends`: growth over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodTrends {
    /// The requested period.
    pub period_days: i64,
    /// Snapshots in the period.
    pub snapshots_available: usize,
    /// First snapshot's day (null without snapshots).
    pub start_date: Option<time::Date>,
    /// Last snapshot's day.
    pub end_date: Option<time::Date>,
    /// stores, products, orders (this calendar month, as seed 000), orders_30d (rolling), team_members,
    /// storage_gb (empty without snapshots).
    pub trends: BTreeMap<&'static str, Trend>,
}

/// Stores, products, orders, team members and storage from the first to the last snapshot of
/// `history` (the last `period_days` days, oldest first).
pub fn period_trends(history: &[Snapshot], period_days: i64) -> PeriodTrends {
    PeriodTrends {
        period_days,
        snapshots_available: history.len(),
        start_date: history.first().map(|s| s.snapshot_date),
        end_date: history.last().map(|s| s.snapshot_date),
        trends: trends_of(history),
    }
}

fn trends_of(history: &[Snapshot]) -> BTreeMap<&'static str, Trend> {
    let (Some(first), Some(last)) = (history.first(), history.last()) else {
        return BTreeMap::new();
    };
    let span = (last.snapshot_date - first.snapshot_date).whole_days();
    [
        ("stores", Metric::TotalStores),
        ("products", Metric::TotalProducts),
        ("orders", Metric::TotalOrdersMonth),
        ("orders_30d", Metric::OrdersLast30Days),
        ("team_members", Metric::TotalTeamMembers),
        ("storage_gb", Metric::StorageUsedGb),
    ]
    .into_iter()
    .map(|(key, metric)| (key, trend(metric.of(first), metric.of(last), span, metric.is_count())))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seed 000's example: 30 days, stores 140 → 150, products 115,000 → 125,000, orders
    /// 40,000 → 45,000, storage 150.5 → 165.2 GB.
    #[test]
    fn the_seed_example_figures_come_out() {
        let stores = trend(140.0, 150.0, 30, true);
        assert_eq!(
            (stores.change, stores.growth_rate_percent, stores.daily_growth_rate),
            (10.0, 7.14, 0.238)
        );
        assert_eq!(stores.monthly_projection, 161.0);

        let products = trend(115_000.0, 125_000.0, 30, true);
        assert_eq!(
            (products.change, products.growth_rate_percent, products.daily_growth_rate),
            (10_000.0, 8.7, 0.29)
        );
        // The seed prints 136000: 135,870 rounded to thousands (its figures are illustrative).
        assert_eq!(products.monthly_projection, 135_870.0);
        assert_eq!((products.monthly_projection / 1000.0).round() * 1000.0, 136_000.0);

        let orders = trend(40_000.0, 45_000.0, 30, true);
        assert_eq!(orders.growth_rate_percent, 12.5);
        // The seed prints 51000: 50,625 rounded to thousands.
        assert_eq!(orders.monthly_projection, 50_625.0);
        assert_eq!((orders.monthly_projection / 1000.0).round() * 1000.0, 51_000.0);

        let storage = trend(150.5, 165.2, 30, false);
        assert_eq!(storage.change, 14.7);
    }

    #[test]
    fn a_zero_start_or_a_single_day_gives_no_rate() {
        let from_zero = trend(0.0, 10.0, 30, true);
        assert_eq!((from_zero.growth_rate_percent, from_zero.monthly_projection), (0.0, 10.0));
        let same_day = trend(5.0, 6.0, 0, true);
        assert_eq!((same_day.growth_rate_percent, same_day.daily_growth_rate), (20.0, 0.0));
    }
}
