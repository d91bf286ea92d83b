//! The tier catalogue seeded by migration, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use billing::entity::subscription_tier;
use migration::db_test;
use sea_orm::{EntityTrait, QueryOrder};

db_test!(async fn the_tier_catalogue_has_the_seeded_limits_and_prices(db) {
    let tiers = subscription_tier::Entity::find().order_by_asc(subscription_tier::Column::SortOrder).all(&db).await.unwrap();

    let rows: Vec<_> = tiers
        .iter()
        .map(|t| {
            (
                t.code.as_str(),
                t.price_monthly_cents,
                t.price_annual_cents,
                [t.max_products, t.max_orders_per_month, t.max_team_members, t.max_images_per_product, t.max_api_requests_per_day],
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("essential", 4_900, Some(49_000), [Some(200), Some(100), Some(1), Some(3), Some(1_000)]),
            ("professional", 9_900, Some(99_000), [Some(500), Some(500), Some(3), Some(5), Some(5_000)]),
            ("business", 19_900, Some(199_000), [Some(2_000), Some(2_000), Some(10), Some(8), Some(20_000)]),
            ("enterprise", 39_900, None, [None; 5]),
        ]
    );
});
