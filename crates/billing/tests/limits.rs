//! Subscriptions and limit checks on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use billing::{BillingCycle, Error, Resource, check_merchant_limit, subscribe};
use chrono::{DateTime, Duration, TimeZone, Utc};
use merchants::{MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;
use sea_orm::DatabaseConnection;
use stores::{
    NewOrder, NewOrderItem, NewProduct, NewStore, add_team_member, create_order, create_product, create_store,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap()
}

/// A merchant with `stores` stores and a subscription to `tier` started at `t0`.
async fn merchant(db: &DatabaseConnection, slug: &str, tier: &str, stores: usize) -> (i64, Vec<i64>) {
    let m = create_merchant(
        db,
        NewMerchant { name: slug, slug: MerchantSlug::parse(slug).unwrap(), contact_email: "x@y.z" },
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..stores {
        let code = format!("{slug}-{i}");
        ids.push(
            create_store(db, NewStore { merchant_id: m.id, code: &code, name: &code }).await.unwrap().id,
        );
    }
    subscribe(db, m.id, tier, BillingCycle::Monthly, t0()).await.unwrap();
    (m.id, ids)
}

/// Adds products `first..first + n` to the store.
async fn products(db: &DatabaseConnection, store_id: i64, first: usize, n: usize) {
    for i in first..first + n {
        let sku = format!("SKU-{store_id}-{i}");
        create_product(db, NewProduct { store_id, store_sku: &sku, gtin: None }, t0()).await.unwrap();
    }
}

db_test!(async fn team_limit_exactly_reached_is_refused_and_one_below_allowed(db) {
    let (merchant_id, stores) = merchant(&db, "acme", "professional", 2).await; // 3 team members
    add_team_member(&db, stores[0], "a@acme.com", "owner").await.unwrap();
    add_team_member(&db, stores[1], "b@acme.com", "staff").await.unwrap();
    assert!(check_merchant_limit(&db, merchant_id, Resource::TeamMembers, t0()).await.is_ok());

    add_team_member(&db, stores[1], "c@acme.com", "staff").await.unwrap();
    let error = check_merchant_limit(&db, merchant_id, Resource::TeamMembers, t0()).await.unwrap_err();

    assert!(
        matches!(error, Error::LimitExceeded(e) if e.resource == Resource::TeamMembers && e.limit == 3 && e.current == 3),
        "{error:?}"
    );
});

db_test!(async fn product_limits_sum_over_the_merchants_stores_only(db) {
    let (acme, acme_stores) = merchant(&db, "acme", "essential", 2).await; // 200 products
    let (_, other_stores) = merchant(&db, "globex", "essential", 1).await;
    products(&db, acme_stores[0], 0, 120).await;
    products(&db, acme_stores[1], 0, 79).await;
    products(&db, other_stores[0], 0, 50).await;
    assert!(check_merchant_limit(&db, acme, Resource::Products, t0()).await.is_ok());

    products(&db, acme_stores[1], 79, 1).await;
    let error = check_merchant_limit(&db, acme, Resource::Products, t0()).await.unwrap_err();
    assert!(matches!(error, Error::LimitExceeded(e) if e.current == 200 && e.limit == 200), "{error:?}");
});

db_test!(async fn an_unlimited_tier_never_refuses(db) {
    let (merchant_id, stores) = merchant(&db, "bigco", "enterprise", 1).await;
    products(&db, stores[0], 0, 250).await;
    assert!(check_merchant_limit(&db, merchant_id, Resource::Products, t0()).await.is_ok());
    assert!(check_merchant_limit(&db, merchant_id, Resource::OrdersPerMonth, t0()).await.is_ok());
});

db_test!(async fn monthly_orders_roll_over_with_the_subscription_period(db) {
    let (merchant_id, stores) = merchant(&db, "acme", "essential", 1).await; // 100 orders a month
    let product_id =
        create_product(&db, NewProduct { store_id: stores[0], store_sku: "A", gtin: None }, t0()).await.unwrap().id;
    let items = [NewOrderItem { product_id, quantity: 1, unit_price_cents: 500 }];
    for i in 0..100 {
        let placed_at = t0() + Duration::hours(i);
        create_order(&db, NewOrder { store_id: stores[0], customer_id: None, currency: "EUR", items: &items, placed_at })
            .await
            .unwrap();
    }
    let same_period = t0() + Duration::days(20);
    let next_period = t0() + Duration::days(32); // the period started 2026-01-10 ends 2026-02-10

    let during = check_merchant_limit(&db, merchant_id, Resource::OrdersPerMonth, same_period).await;
    let after = check_merchant_limit(&db, merchant_id, Resource::OrdersPerMonth, next_period).await;

    assert!(matches!(during, Err(Error::LimitExceeded(e)) if e.current == 100), "{during:?}");
    assert!(after.is_ok(), "{after:?}");
});

db_test!(async fn a_merchant_has_one_live_subscription(db) {
    let (merchant_id, _) = merchant(&db, "acme", "essential", 0).await;
    let again = subscribe(&db, merchant_id, "business", BillingCycle::Annual, t0()).await;
    assert!(matches!(again, Err(Error::AlreadySubscribed(id)) if id == merchant_id), "{again:?}");
    let live = billing::live_subscription(&db, merchant_id).await.unwrap().unwrap();
    assert_eq!((live.tier_code.as_str(), live.status.as_str()), ("essential", "trialing"));
    assert_eq!(live.trial_ends_at, Some(t0() + Duration::days(30)));
});

db_test!(async fn no_subscription_and_unknown_tiers_are_refused(db) {
    let m = create_merchant(&db, NewMerchant { name: "n", slug: MerchantSlug::parse("n").unwrap(), contact_email: "x@y.z" })
        .await
        .unwrap();
    let none = check_merchant_limit(&db, m.id, Resource::Products, t0()).await;
    assert!(matches!(none, Err(Error::NoLiveSubscription(_))), "{none:?}");
    let unknown = subscribe(&db, m.id, "platinum", BillingCycle::Monthly, t0()).await;
    assert!(matches!(unknown, Err(Error::UnknownTier(_))), "{unknown:?}");
});

db_test!(async fn subscription_capacity_sums_live_subscriptions_against_platform_usage(db) {
    let (_, acme_stores) = merchant(&db, "acme", "essential", 1).await;
    let (_, globex_stores) = merchant(&db, "globex", "professional", 1).await;
    merchant(&db, "bigco", "enterprise", 0).await;
    products(&db, acme_stores[0], 0, 50).await;
    products(&db, globex_stores[0], 0, 25).await;
    add_team_member(&db, globex_stores[0], "a@globex.com", "owner").await.unwrap();

    let capacity = billing::load_subscription_capacity(&db, t0()).await.unwrap();

    assert_eq!(capacity.total_subscriptions, 3);
    assert_eq!(capacity.tier_distribution["essential"], 1);
    assert_eq!(capacity.tier_distribution["professional"], 1);
    assert_eq!(capacity.tier_distribution["enterprise"], 1);
    assert_eq!(capacity.products.actual, 75);
    assert_eq!(capacity.products.theoretical_limit, 700);
    assert_eq!(capacity.products.utilization_percent, 10.7);
    assert_eq!(capacity.products.headroom, 625);
    assert_eq!(capacity.products.unlimited_subscriptions, 1);
    assert_eq!(capacity.team_members.theoretical_limit, 4);
    assert_eq!(capacity.team_members.actual, 1);
});
