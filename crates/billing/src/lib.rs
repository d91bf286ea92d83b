//! Billing: the subscription tier catalogue (seeded by migration), limit checks and the pure
//! subscription-capacity computation.
//!
//! Built: the tier and subscription entities, [`subscribe`] (30-day trial, one live subscription
//! per merchant), [`check_merchant_limit`] (per merchant, summed over its stores, orders counted in
//! the current period), [`check_limit`] over plain values, and
//! [`subscription_capacity`] with its database loader [`load_subscription_capacity`]. Still to
//! come: renewals and status transitions.

pub mod entity;
mod subscription;

pub use subscription::{
    BillingCycle, Error, LIVE_STATUSES, TRIAL_DAYS, check_merchant_limit, current_period, live_subscription,
    live_tier, load_sold_limits, load_subscription_capacity, month_start, subscribe,
};

use std::collections::BTreeMap;

use serde::Serialize;

/// A metered resource with a per-merchant limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// Products across the merchant's stores.
    Products,
    /// Orders in the current subscription period.
    OrdersPerMonth,
    /// Team members across the merchant's stores.
    TeamMembers,
    /// Images of one product.
    ImagesPerProduct,
}

/// A limit was reached: adding one more would exceed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{resource:?} limit reached: {current} of {limit}")]
pub struct LimitExceeded {
    /// What is limited.
    pub resource: Resource,
    /// The tier's limit.
    pub limit: i64,
    /// What the merchant has now.
    pub current: i64,
}

/// May the merchant add one more `resource`, having `current` under `limit` (`None` = unlimited)?
/// Exactly at the limit is refused: the limit is the most a merchant may have.
pub fn check_limit(resource: Resource, limit: Option<i64>, current: i64) -> Result<(), LimitExceeded> {
    match limit {
        Some(limit) if current >= limit => Err(LimitExceeded { resource, limit, current }),
        _ => Ok(()),
    }
}

/// A live subscription's limits, as input to [`subscription_capacity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldLimits {
    /// Tier code, e.g. `essential`.
    pub tier_code: String,
    /// Products; `None` = unlimited.
    pub max_products: Option<i64>,
    /// Orders per month; `None` = unlimited.
    pub max_orders_per_month: Option<i64>,
    /// Team members; `None` = unlimited.
    pub max_team_members: Option<i64>,
}

/// What the platform actually uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Products.
    pub products: i64,
    /// Orders this month.
    pub orders_monthly: i64,
    /// Team members.
    pub team_members: i64,
}

/// One resource's capacity line (seed 000 shape, plus the count of unlimited subscriptions).
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
}

/// Subscription capacity (seed 000 `GET /subscription-capacity`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubscriptionCapacity {
    /// Live subscriptions.
    pub total_subscriptions: u64,
    /// Live subscriptions per tier code.
    pub tier_distribution: BTreeMap<String, u64>,
    /// Products.
    pub products: CapacityLine,
    /// Orders this month.
    pub orders_monthly: CapacityLine,
    /// Team members.
    pub team_members: CapacityLine,
}

/// Sums what the sold tiers allow and compares it with `usage`.
///
/// Unlimited tiers: an unlimited subscription has no number to add, so `theoretical_limit` sums
/// only the limited subscriptions and `unlimited_subscriptions` says how many were left out;
/// inventing a figure for "unlimited" would make utilization meaningless. Usage is the whole
/// platform's, so with unlimited subscriptions sold, utilization overstates the pressure on the
/// limited ones: an upper bound, which is the safe side for capacity planning.
pub fn subscription_capacity(sold: &[SoldLimits], usage: Usage) -> SubscriptionCapacity {
    let mut tier_distribution = BTreeMap::new();
    for code in ["essential", "professional", "business", "enterprise"] {
        tier_distribution.insert(code.to_owned(), 0);
    }
    for s in sold {
        *tier_distribution.entry(s.tier_code.clone()).or_insert(0) += 1;
    }
    let line = |actual: i64, limit_of: fn(&SoldLimits) -> Option<i64>| {
        let theoretical_limit = sold.iter().filter_map(limit_of).sum::<i64>();
        let unlimited_subscriptions = sold.iter().filter(|s| limit_of(s).is_none()).count() as u64;
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
        }
    };
    SubscriptionCapacity {
        total_subscriptions: sold.len() as u64,
        tier_distribution,
        products: line(usage.products, |s| s.max_products),
        orders_monthly: line(usage.orders_monthly, |s| s.max_orders_per_month),
        team_members: line(usage.team_members, |s| s.max_team_members),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_itself_is_the_last_allowed_count() {
        for (limit, current, allowed) in [
            (Some(200), 199, true),
            (Some(200), 200, false),
            (Some(200), 250, false),
            (None, i64::MAX, true),
            (Some(0), 0, false),
        ] {
            assert_eq!(
                check_limit(Resource::Products, limit, current).is_ok(),
                allowed,
                "{limit:?} {current}"
            );
        }
        assert_eq!(
            check_limit(Resource::TeamMembers, Some(1), 1),
            Err(LimitExceeded { resource: Resource::TeamMembers, limit: 1, current: 1 })
        );
    }

    fn sold(code: &str, products: Option<i64>, orders: Option<i64>, team: Option<i64>) -> SoldLimits {
        SoldLimits {
            tier_code: code.into(),
            max_products: products,
            max_orders_per_month: orders,
            max_team_members: team,
        }
    }

    #[test]
    fn capacity_reproduces_the_seed_000_example_figures() {
        // Seed 000: 125,000 of 500,000 products → 25.0 %; 320 of 1,500 team members → 21.3 %.
        let sold = [sold("business", Some(500_000), Some(300_000), Some(1_500))];
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
            sold("essential", Some(200), Some(100), Some(1)),
            sold("essential", Some(200), Some(100), Some(1)),
            sold("enterprise", None, None, None),
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
            &[sold("enterprise", None, None, None)],
            Usage { products: 9, ..Usage::default() },
        );
        assert_eq!(capacity.products.theoretical_limit, 0);
        assert_eq!(capacity.products.utilization_percent, 0.0);
        let empty = subscription_capacity(&[], Usage::default());
        assert_eq!(empty.total_subscriptions, 0);
        assert_eq!(empty.tier_distribution.len(), 4);
    }
}
