//! Billing: the subscription tier catalogue (seeded by migration), merchant subscriptions, limit
//! checks and the subscription-capacity computation.
//!
//! Without the `db` feature: the tier and status enums, the pure limit rule ([`check_limit`]),
//! [`subscription_capacity`], [`merchant_dynamics`] and [`over_limit`] over plain values, and the
//! period arithmetic. With it (the default): the entities, the subscription lifecycle
//! ([`subscribe`] → [`activate`] / [`mark_past_due`] / [`cancel`] → [`end_due`], each transition
//! timed), the DB-backed checks ([`check_merchant_limit`], [`image_allowance`]) and the loaders
//! behind `GET /subscription-capacity` ([`subscription_spans`], [`merchant_usage`]). With
//! `schedule`: a background task ending due subscriptions (`spawn_subscription_ends`).

mod capacity;
mod compliance;
mod dynamics;
#[cfg(feature = "db")]
pub mod entity;
mod ids;
mod period;
#[cfg(feature = "db")]
mod subscription;
mod tier;

pub use capacity::{
    CapacityLine, SoldLimits, SubscriptionCapacity, Usage, UtilizationStatus, sold_limits,
    subscription_capacity,
};
pub use compliance::{MerchantUsage, OverLimit, over_limit};
pub use dynamics::{MerchantDynamics, SubscriptionSpan, merchant_dynamics};
pub use ids::SubscriptionId;
pub use period::{add_months, current_period, month_start};
#[cfg(feature = "db")]
pub use subscription::*;
pub use tier::{BillingCycle, MerchantPlan, SubscriptionStatus, Tier, TierCode, TierLimits};

use merchants::MerchantId;
use serde::Serialize;

/// Length of the free trial, days.
pub const TRIAL_DAYS: i64 = 30;

/// A metered resource with a per-merchant limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
pub fn check_limit(
    resource: Resource,
    limit: Option<i64>,
    current: i64,
) -> std::result::Result<(), LimitExceeded> {
    match limit {
        Some(limit) if current >= limit => Err(LimitExceeded { resource, limit, current }),
        _ => Ok(()),
    }
}

/// Billing errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A limit was reached.
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    /// The merchant has no trialing, active or past-due subscription.
    #[error("merchant {0} has no live subscription")]
    NoLiveSubscription(MerchantId),
    /// The merchant already has a live subscription.
    #[error("merchant {0} already has a live subscription")]
    AlreadySubscribed(MerchantId),
    /// No subscription with this id.
    #[error("subscription {0} not found")]
    SubscriptionNotFound(SubscriptionId),
    /// The subscription's status does not allow this transition.
    #[error("subscription {id} is {status:?}; it cannot become {to:?}")]
    InvalidTransition {
        /// The subscription.
        id: SubscriptionId,
        /// Its status.
        status: SubscriptionStatus,
        /// The status asked for.
        to: SubscriptionStatus,
    },
    /// The catalogue has no row for this tier (the migration was not applied).
    #[error("the tier catalogue has no {0:?} tier")]
    TierNotInCatalogue(TierCode),
    /// A store or product named in a check does not exist or does not match.
    #[error(transparent)]
    Store(#[from] stores::Error),
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;

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
}
