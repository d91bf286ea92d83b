//! What the sold subscriptions allow against what the platform uses (seed 000
//! `GET /subscription-capacity`), over plain values.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{TierCode, TierLimits};

/// A live subscription's tier and limits, as input to [`subscription_capacity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoldLimits {
    /// The tier.
    pub tier: TierCode,
    /// Its limits.
    pub limits: TierLimits,
}

/// What the platform actually uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Products.
    pub products: i64,
    /// Orders of the last 30 days (rolling, so the figure has no month-start drop).
    pub orders_monthly: i64,
    /// Team members.
    pub team_members: i64,
}

/// How close usage is to what is sold (seed 000: warning from 80 %, critical from 95 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UtilizationStatus {
    /// Below 80 %.
    Ok,
    /// 80 % or more.
    Warning,
    /// 95 % or more.
    Critical,
}

impl UtilizationStatus {
    /// Utilization at or above this is a warning.
    pub const WARNING_PERCENT: f64 = 80.0;
    /// Utilization at or above this is critical.
    pub const CRITICAL_PERCENT: f64 = 95.0;

    /// The status of `utilization_percent`.
    pub fn of(utilization_percent: f64) -> UtilizationStatus {
        if utilization_percent >= Self::CRITICAL_PERCENT {
            UtilizationStatus::Critical
        } else if utilization_percent >= Self::WARNING_PERCENT {
            UtilizationStatus::Warning
        } else {
            UtilizationStatus::Ok
        }
    }
}

/// One resource's capacity line (seed 000 shape, plus the count of unlimited subscriptions and
/// the status).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CapacityLine {
    /// Used now.
    pub actual: i64,
    /// Sum of the limits of the subscriptions that have one.
    pub theoretical_limit: i64,
    /// actual / theoretical_limit × 100, one decimal; 0 when nothing limited is sold.
    pub utilization_percent: f64,
    /// theoretical_limit − actual (negative when over).
    pub headroom: i64,
    /// Subscriptions without a limit on this resource (Enterprise), not in `theoretical_limit`.
    pub unlimited_subscriptions: u64,
    /// ok, warning (≥ 80 %) or critical (≥ 95 %).
    pub status: UtilizationStatus,
}

/// Subscription capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubscriptionCapacity {
    /// Live subscriptions.
    pub total_subscriptions: u64,
    /// Live subscriptions per tier code; every tier is listed.
    pub tier_distribution: BTreeMap<String, u64>,
    /// Products.
    pub products: CapacityLine,
    /// Orders of the last 30 days (rolling) against the monthly order limits.
    pub orders_monthly: CapacityLine,
    /// Team members.
    pub team_members: CapacityLine,
}

/// The limits of each of `tiers_sold` (one entry per subscription), from the catalogue `tiers`.
pub fn sold_limits(tiers: &[crate::Tier], tiers_sold: impl IntoIterator<Item = TierCode>) -> Vec<SoldLimits> {
    tiers_sold
        .into_iter()
        .filter_map(|code| tiers.iter().find(|t| t.code == code))
        .map(|t| SoldLimits { tier: t.code, limits: t.limits })
        .collect()
}

/// Sums what the sold tiers allow and compares it with `usage`.
///
/// Unlimited tiers: an unlimited subscription has no number to add, so `theoretical_limit` sums
/// only the limited subscriptions and `unlimited_subscriptions` says how many were left out;
/// inventing a figure for "unlimited" would make utilization meaningless. Usage is the whole
/// platform's, so with unlimited subscriptions sold, utilization overstates the pressure on the
/// limited ones: an upper bound, which is the safe side for capacity planning.
pub fn subscription_capacity(sold: &[SoldLimits], usage: Usage) -> SubscriptionCapacity {
    let mut tier_distribution: BTreeMap<String, u64> =
        TierCode::ALL.iter().map(|tier| (tier.as_str().to_owned(), 0)).collect();
    for s in sold {
        *tier_distribution.entry(s.tier.as_str().to_owned()).or_insert(0) += 1;
    }
    let line = |actual: i64, limit_of: fn(&TierLimits) -> Option<i64>| {
        let theoretical_limit = sold.iter().filter_map(|s| limit_of(&s.limits)).sum::<i64>();
        let unlimited_subscriptions = sold.iter().filter(|s| limit_of(&s.limits).is_none()).count() as u64;
        let utilization_percent = if theoretical_limit > 0 {
            (actual as f64 / theoretical_limit as f64 * 1000.0).round() / 10.0
        } else {
            0.0
        };
        CapacityLine {
            actual,
            theoretical_limit,
            utilization_percent,
            headroom: theoretical_limit - actual,
            unlimited_subscriptions,
            status: UtilizationStatus::of(utilization_percent),
        }
    };
    SubscriptionCapacity {
        total_subscriptions: sold.len() as u64,
        tier_distribution,
        products: line(usage.products, |l| l.max_products),
        orders_monthly: line(usage.orders_monthly, |l| l.max_orders_per_month),
        team_members: line(usage.team_members, |l| l.max_team_members),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sold(tier: TierCode, products: Option<i64>, orders: Option<i64>, team: Option<i64>) -> SoldLimits {
        SoldLimits {
            tier,
            limits: TierLimits {
                max_products: products,
                max_orders_per_month: orders,
                max_team_members: team,
                ..TierLimits::default()
            },
        }
    }

    #[test]
    fn capacity_reproduces_the_seed_000_example_figures() {
        // Seed 000: 125,000 of 500,000 products → 25.0 %; 320 of 1,500 team members → 21.3 %.
        let sold = [sold(TierCode::Business, Some(500_000), Some(300_000), Some(1_500))];
        let capacity = subscription_capacity(
            &sold,
            Usage { products: 125_000, orders_monthly: 45_000, team_members: 320 },
        );

        assert_eq!(capacity.products.utilization_percent, 25.0);
        assert_eq!(capacity.products.headroom, 375_000);
        assert_eq!(capacity.orders_monthly.utilization_percent, 15.0);
        assert_eq!(capacity.orders_monthly.headroom, 255_000);
        assert_eq!(capacity.team_members.utilization_percent, 21.3);
        assert_eq!(capacity.team_members.headroom, 1_180);
    }

    #[test]
    fn unlimited_subscriptions_are_counted_apart_from_the_sum() {
        let sold = [
            sold(TierCode::Essential, Some(200), Some(100), Some(1)),
            sold(TierCode::Essential, Some(200), Some(100), Some(1)),
            sold(TierCode::Enterprise, None, None, None),
        ];
        let capacity =
            subscription_capacity(&sold, Usage { products: 100, orders_monthly: 0, team_members: 2 });

        assert_eq!(capacity.total_subscriptions, 3);
        assert_eq!(capacity.tier_distribution["essential"], 2);
        assert_eq!(capacity.tier_distribution["enterprise"], 1);
        assert_eq!(capacity.tier_distribution["business"], 0);
        assert_eq!(capacity.products.theoretical_limit, 400);
        assert_eq!(capacity.products.unlimited_subscriptions, 1);
        assert_eq!(capacity.products.utilization_percent, 25.0);
        assert_eq!(capacity.team_members.headroom, 0);
    }

    #[test]
    fn nothing_limited_sold_means_zero_utilization() {
        let capacity = subscription_capacity(
            &[sold(TierCode::Enterprise, None, None, None)],
            Usage { products: 9, ..Usage::default() },
        );
        assert_eq!(capacity.products.theoretical_limit, 0);
        assert_eq!(capacity.products.utilization_percent, 0.0);
        let empty = subscription_capacity(&[], Usage::default());
        assert_eq!(empty.total_subscriptions, 0);
        assert_eq!(empty.tier_distribution.len(), 4);
    }
}
