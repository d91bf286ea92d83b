//! The subscription tiers, statuses and billing cycles as types.

use serde::{Deserialize, Serialize};

/// A subscription tier (seed 002's plans).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(32))")
)]
pub enum TierCode {
    /// €49/month: 200 products, 100 orders/month, 1 team member.
    #[cfg_attr(feature = "db", sea_orm(string_value = "essential"))]
    Essential,
    /// €99/month: 500 products, 500 orders/month, 3 team members.
    #[cfg_attr(feature = "db", sea_orm(string_value = "professional"))]
    Professional,
    /// €199/month: 2,000 products, 2,000 orders/month, 10 team members.
    #[cfg_attr(feature = "db", sea_orm(string_value = "business"))]
    Business,
    /// From €399/month, negotiated: unlimited.
    #[cfg_attr(feature = "db", sea_orm(string_value = "enterprise"))]
    Enterprise,
}

impl TierCode {
    /// Every tier, smallest first.
    pub const ALL: [TierCode; 4] =
        [TierCode::Essential, TierCode::Professional, TierCode::Business, TierCode::Enterprise];

    /// `essential`, `professional`, `business` or `enterprise`.
    pub fn as_str(self) -> &'static str {
        match self {
            TierCode::Essential => "essential",
            TierCode::Professional => "professional",
            TierCode::Business => "business",
            TierCode::Enterprise => "enterprise",
        }
    }

    /// Parses a code as [`TierCode::as_str`] writes it.
    pub fn parse(code: &str) -> Option<TierCode> {
        TierCode::ALL.into_iter().find(|tier| tier.as_str() == code)
    }

    /// The next larger tier, if any (what an upgrade suggestion names).
    pub fn next(self) -> Option<TierCode> {
        TierCode::ALL.into_iter().find(|tier| *tier > self)
    }
}

impl std::fmt::Display for TierCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a subscription is in its life. Trialing, active and past-due subscriptions are live: a
/// merchant has at most one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum SubscriptionStatus {
    /// In the free trial.
    #[cfg_attr(feature = "db", sea_orm(string_value = "trialing"))]
    Trialing,
    /// Paying.
    #[cfg_attr(feature = "db", sea_orm(string_value = "active"))]
    Active,
    /// A payment failed; still served while it is retried.
    #[cfg_attr(feature = "db", sea_orm(string_value = "past_due"))]
    PastDue,
    /// Ended by the merchant's cancellation.
    #[cfg_attr(feature = "db", sea_orm(string_value = "cancelled"))]
    Cancelled,
    /// Ended without a cancellation (a trial that was never paid for).
    #[cfg_attr(feature = "db", sea_orm(string_value = "expired"))]
    Expired,
}

impl SubscriptionStatus {
    /// The statuses that count as the merchant's one live subscription.
    pub const LIVE: [SubscriptionStatus; 3] =
        [SubscriptionStatus::Trialing, SubscriptionStatus::Active, SubscriptionStatus::PastDue];

    /// Is a subscription in this status live (served, and limited by its tier)?
    pub fn is_live(self) -> bool {
        SubscriptionStatus::LIVE.contains(&self)
    }
}

/// How often a subscription is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum BillingCycle {
    /// Every month.
    #[cfg_attr(feature = "db", sea_orm(string_value = "monthly"))]
    Monthly,
    /// Every year (two months free).
    #[cfg_attr(feature = "db", sea_orm(string_value = "annual"))]
    Annual,
}

impl BillingCycle {
    /// Months per billing period.
    pub fn months(self) -> u32 {
        match self {
            BillingCycle::Monthly => 1,
            BillingCycle::Annual => 12,
        }
    }
}

/// What a tier allows; `None` = unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct TierLimits {
    /// Products across the merchant's stores.
    pub max_products: Option<i64>,
    /// Orders per month.
    pub max_orders_per_month: Option<i64>,
    /// Team members across the merchant's stores.
    pub max_team_members: Option<i64>,
    /// Images of one product.
    pub max_images_per_product: Option<i64>,
    /// API requests per day.
    pub max_api_requests_per_day: Option<i64>,
}

/// A merchant and the tier of its live subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MerchantPlan {
    /// The merchant.
    pub merchant_id: merchants::MerchantId,
    /// Its name.
    pub merchant: String,
    /// Its live tier.
    pub tier: TierCode,
}

/// One row of the tier catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tier {
    /// The code.
    pub code: TierCode,
    /// Display name, e.g. `Business`.
    pub name: String,
    /// Monthly price, cents.
    pub price_monthly_cents: i64,
    /// Annual price, cents; `None` when negotiated (Enterprise).
    pub price_annual_cents: Option<i64>,
    /// What it allows.
    pub limits: TierLimits,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_tiers_are_ordered() {
        for tier in TierCode::ALL {
            assert_eq!(TierCode::parse(tier.as_str()), Some(tier));
        }
        assert_eq!(TierCode::parse("gold"), None);
        assert_eq!(TierCode::Essential.next(), Some(TierCode::Professional));
        assert_eq!(TierCode::Enterprise.next(), None);
        assert!(SubscriptionStatus::PastDue.is_live() && !SubscriptionStatus::Cancelled.is_live());
    }
}
