//! What another service writes to see how much of the sold capacity is used (pure; no database
//! with `billing = { default-features = false }`): `cargo run -p billing --no-default-features
//! --example capacity`.

use billing::{SoldLimits, TierCode, TierLimits, Usage, subscription_capacity};

fn main() {
    let essential = TierLimits {
        max_products: Some(200),
        max_orders_per_month: Some(100),
        max_team_members: Some(1),
        ..TierLimits::default()
    };
    let business = TierLimits {
        max_products: Some(2_000),
        max_orders_per_month: Some(2_000),
        max_team_members: Some(10),
        ..TierLimits::default()
    };
    let sold = [
        SoldLimits { tier: TierCode::Essential, limits: essential },
        SoldLimits { tier: TierCode::Business, limits: business },
        SoldLimits { tier: TierCode::Enterprise, limits: TierLimits::default() },
    ];
    let capacity =
        subscription_capacity(&sold, Usage { products: 1_900, orders_monthly: 400, team_members: 9 });
    println!(
        "products {} of {} sold ({} %, {:?}); {} subscription(s) unlimited",
        capacity.products.actual,
        capacity.products.theoretical_limit,
        capacity.products.utilization_percent,
        capacity.products.status,
        capacity.products.unlimited_subscriptions
    );
    println!("next tier after essential: {:?}", TierCode::Essential.next());
}
