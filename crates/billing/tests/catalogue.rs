//! The tier catalogue the migration seeds, on SQLite and PostgreSQL, against seed 002's "Tier
//! Resource Allocations" and the prices of seeds/INDEX.md, written out here independently of the
//! migration's own table.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use billing::TierCode;
use migration::db_test;

db_test!(async fn the_tier_catalogue_has_seed_002s_limits_and_the_marketing_prices(db) {
    let tiers = billing::tiers(&db).await.unwrap();
    let essential = &tiers[0];
    assert_eq!((essential.code, essential.name.as_str()), (TierCode::Essential, "Essential"));
    // Seed 002: Essential 200 products, 100 orders/month, 1 team member, 3 images/product,
    // 1,000 API requests/day; €49/month, €490/year.
    assert_eq!(essential.limits.max_products, Some(200));
    assert_eq!(essential.limits.max_orders_per_month, Some(100));
    assert_eq!(essential.limits.max_team_members, Some(1));
    assert_eq!(essential.limits.max_images_per_product, Some(3));
    assert_eq!(essential.limits.max_api_requests_per_day, Some(1000));
    assert_eq!((essential.price_monthly_cents, essential.price_annual_cents), (4900, Some(49000)));
    // Professional: 500 / 500 / 3 / 5 / 5,000; €99 (€990).
    let professional = &tiers[1];
    assert_eq!(professional.code, TierCode::Professional);
    assert_eq!(
        [professional.limits.max_products, professional.limits.max_orders_per_month, professional.limits.max_team_members],
        [Some(500), Some(500), Some(3)]
    );
    assert_eq!((professional.limits.max_images_per_product, professional.limits.max_api_requests_per_day), (Some(5), Some(5000)));
    assert_eq!((professional.price_monthly_cents, professional.price_annual_cents), (9900, Some(99000)));
    // Business: 2,000 / 2,000 / 10 / 8 / 20,000; €199 (€1,990).
    let business = &tiers[2];
    assert_eq!(business.code, TierCode::Business);
    assert_eq!(
        [business.limits.max_products, business.limits.max_orders_per_month, business.limits.max_team_members],
        [Some(2000), Some(2000), Some(10)]
    );
    assert_eq!((business.limits.max_images_per_product, business.limits.max_api_requests_per_day), (Some(8), Some(20000)));
    assert_eq!((business.price_monthly_cents, business.price_annual_cents), (19900, Some(199000)));
    // Enterprise: unlimited; €399+ a month, the annual price negotiated.
    let enterprise = &tiers[3];
    assert_eq!(enterprise.code, TierCode::Enterprise);
    assert_eq!(enterprise.limits, billing::TierLimits::default(), "every limit unlimited");
    assert_eq!((enterprise.price_monthly_cents, enterprise.price_annual_cents), (39900, None));
    assert_eq!(tiers.len(), 4);
});
