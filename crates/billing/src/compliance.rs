//! Tier compliance (seed 000): which merchants use more than their tier allows, pure.
//!
//! Limits are enforced when something is added ([`crate::check_limit`]), so a merchant goes over
//! only by a downgrade, a lowered catalogue limit, or data imported around the checks. Those are
//! the merchants this listing finds.

use merchants::MerchantId;
use serde::Serialize;

use crate::{Resource, Tier, TierCode, TierLimits};

/// What one merchant with a live subscription uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantUsage {
    /// The merchant.
    pub merchant_id: MerchantId,
    /// Its name.
    pub merchant: String,
    /// Its live subscription's tier.
    pub tier: TierCode,
    /// Products across its stores.
    pub products: u64,
    /// Orders in the current month-long slice of its subscription period (as enforced).
    pub orders_in_period: u64,
    /// Team members across its stores.
    pub team_members: u64,
    /// Images of its product with the most images.
    pub images_per_product: u64,
}

/// One merchant over one limit (an entry of `over_limit` in `GET /subscription-capacity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverLimit {
    /// The merchant.
    pub merchant_id: MerchantId,
    /// Its name.
    pub merchant: String,
    /// Its tier.
    pub tier: TierCode,
    /// The resource over its limit.
    pub resource: Resource,
    /// The tier's limit.
    pub limit: i64,
    /// What the merchant has.
    pub current: u64,
}

impl OverLimit {
    /// How far over, as a fraction of the limit (0.5 = 50 % over).
    pub fn overshoot(&self) -> f64 {
        (self.current as f64 - self.limit as f64) / (self.limit.max(1) as f64)
    }
}

/// Every limit exceeded by `usage` under the catalogue `tiers`, largest overshoot (relative to the
/// limit) first. Usage exactly at a limit is compliant: the limit is the most a merchant may have.
pub fn over_limit(tiers: &[Tier], usage: &[MerchantUsage]) -> Vec<OverLimit> {
    type LimitOf = fn(&TierLimits) -> Option<i64>;
    type UsageOf = fn(&MerchantUsage) -> u64;
    let resources: [(Resource, LimitOf, UsageOf); 4] = [
        (Resource::Products, |l| l.max_products, |u| u.products),
        (Resource::OrdersPerMonth, |l| l.max_orders_per_month, |u| u.orders_in_period),
        (Resource::TeamMembers, |l| l.max_team_members, |u| u.team_members),
        (Resource::ImagesPerProduct, |l| l.max_images_per_product, |u| u.images_per_product),
    ];
    let mut over: Vec<OverLimit> = usage
        .iter()
        .filter_map(|u| Some((u, tiers.iter().find(|t| t.code == u.tier)?)))
        .flat_map(|(u, tier)| {
            resources.iter().filter_map(move |(resource, limit_of, current_of)| {
                let (limit, current) = (limit_of(&tier.limits)?, current_of(u));
                (current > u64::try_from(limit).unwrap_or(0)).then(|| OverLimit {
                    merchant_id: u.merchant_id,
                    merchant: u.merchant.clone(),
                    tier: u.tier,
                    resource: *resource,
                    limit,
                    current,
                })
            })
        })
        .collect();
    over.sort_by(|a, b| {
        b.overshoot()
            .total_cmp(&a.overshoot())
            .then(b.current.cmp(&a.current))
            .then(a.merchant_id.cmp(&b.merchant_id))
    });
    over
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(code: TierCode, products: i64, images: Option<i64>) -> Tier {
        Tier {
            code,
            name: code.as_str().to_owned(),
            price_monthly_cents: 0,
            price_annual_cents: None,
            limits: TierLimits {
                max_products: Some(products),
                max_orders_per_month: Some(100),
                max_team_members: Some(1),
                max_images_per_product: images,
                max_api_requests_per_day: None,
            },
        }
    }

    fn usage(id: i64, tier: TierCode, products: u64, team: u64, images: u64) -> MerchantUsage {
        MerchantUsage {
            merchant_id: MerchantId::new(id).unwrap(),
            merchant: format!("m{id}"),
            tier,
            products,
            orders_in_period: 0,
            team_members: team,
            images_per_product: images,
        }
    }

    #[test]
    fn lists_each_exceeded_limit_largest_overshoot_first() {
        let tiers = [tier(TierCode::Essential, 200, Some(3)), tier(TierCode::Enterprise, 1_000_000, None)];
        let listed = over_limit(
            &tiers,
            &[
                usage(1, TierCode::Essential, 200, 1, 3), // exactly at every limit: compliant
                usage(2, TierCode::Essential, 220, 1, 0), // 10 % over on products
                usage(3, TierCode::Essential, 100, 3, 9), // 200 % over on team and on images
                usage(4, TierCode::Enterprise, 5, 1, 500), // unlimited images
                usage(5, TierCode::Professional, 9_999, 9, 9), // tier not in the catalogue: skipped
            ],
        );
        let rows: Vec<(i64, Resource, i64, u64)> =
            listed.iter().map(|o| (o.merchant_id.get(), o.resource, o.limit, o.current)).collect();
        assert_eq!(
            rows,
            [
                (3, Resource::ImagesPerProduct, 3, 9),
                (3, Resource::TeamMembers, 1, 3),
                (2, Resource::Products, 200, 220),
            ]
        );
        assert!((listed[2].overshoot() - 0.1).abs() < 1e-9);
    }
}
