//! Subscriptions and limit checks on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use billing::{BillingCycle, Error, Resource, SubscriptionStatus, TierCode, check_merchant_limit, subscribe};
use merchants::{MerchantId, MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;
use sea_orm::DatabaseConnection;
use stores::{
    NewOrder, NewOrderItem, NewProduct, NewStore, OrderStatus, ProductId, StoreId, TeamRole, add_team_member,
    create_orders, create_product, create_products, create_store,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

fn t0() -> OffsetDateTime {
    datetime!(2026-01-10 12:00 UTC)
}

/// A merchant with `stores` stores and a subscription to `tier` started at `t0`.
async fn merchant(
    db: &DatabaseConnection,
    slug: &str,
    tier: TierCode,
    stores: usize,
) -> (MerchantId, Vec<StoreId>) {
    let new = NewMerchant { name: slug, slug: MerchantSlug::parse(slug).unwrap(), contact_email: "x@y.z" };
    let m = create_merchant(db, new, t0()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..stores {
        let code = format!("{slug}-{i}");
        ids.push(
            create_store(db, NewStore { merchant_id: m.id, code: &code, name: &code }, t0())
                .await
                .unwrap()
                .id,
        );
    }
    subscribe(db, m.id, tier, BillingCycle::Monthly, t0()).await.unwrap();
    (m.id, ids)
}

/// Adds products `first..first + n` to the store.
async fn products(db: &DatabaseConnection, store_id: StoreId, first: usize, n: usize) {
    let skus: Vec<String> = (first..first + n).map(|i| format!("SKU-{store_id}-{i}")).collect();
    let new: Vec<NewProduct<'_>> =
        skus.iter().map(|sku| NewProduct { store_sku: sku, gtin: None, titles: &[], stock: None }).collect();
    create_products(db, store_id, &new, t0()).await.unwrap();
}

fn product(store_sku: &str) -> NewProduct<'_> {
    NewProduct { store_sku, gtin: None, titles: &[], stock: None }
}

db_test!(async fn team_limit_exactly_reached_is_refused_and_one_below_allowed(db) {
    let (merchant_id, stores) = merchant(&db, "acme", TierCode::Professional, 2).await; // 3 team members
    add_team_member(&db, stores[0], "a@acme.com", TeamRole::Owner, t0()).await.unwrap();
    add_team_member(&db, stores[1], "b@acme.com", TeamRole::Staff, t0()).await.unwrap();
    assert!(check_merchant_limit(&db, merchant_id, Resource::TeamMembers, t0()).await.is_ok());

    add_team_member(&db, stores[1], "c@acme.com", TeamRole::Staff, t0()).await.unwrap();
    let error = check_merchant_limit(&db, merchant_id, Resource::TeamMembers, t0()).await.unwrap_err();

    assert!(
        matches!(error, Error::LimitExceeded(e) if e.resource == Resource::TeamMembers && e.limit == 3 && e.current == 3),
        "{error:?}"
    );
});

db_test!(async fn product_limits_sum_over_the_merchants_stores_only(db) {
    let (acme, acme_stores) = merchant(&db, "acme", TierCode::Essential, 2).await; // 200 products
    let (_, other_stores) = merchant(&db, "globex", TierCode::Essential, 1).await;
    products(&db, acme_stores[0], 0, 120).await;
    products(&db, acme_stores[1], 0, 79).await;
    products(&db, other_stores[0], 0, 50).await;
    assert!(check_merchant_limit(&db, acme, Resource::Products, t0()).await.is_ok());

    products(&db, acme_stores[1], 79, 1).await;
    let error = check_merchant_limit(&db, acme, Resource::Products, t0()).await.unwrap_err();
    assert!(matches!(error, Error::LimitExceeded(e) if e.current == 200 && e.limit == 200), "{error:?}");
});

db_test!(async fn an_unlimited_tier_never_refuses(db) {
    let (merchant_id, stores) = merchant(&db, "bigco", TierCode::Enterprise, 1).await;
    products(&db, stores[0], 0, 250).await;
    assert!(check_merchant_limit(&db, merchant_id, Resource::Products, t0()).await.is_ok());
    assert!(check_merchant_limit(&db, merchant_id, Resource::OrdersPerMonth, t0()).await.is_ok());
});

db_test!(async fn monthly_orders_roll_over_with_the_subscription_period(db) {
    let (merchant_id, stores) = merchant(&db, "acme", TierCode::Essential, 1).await; // 100 orders a month
    let product_id: ProductId = create_product(&db, stores[0], product("A"), t0()).await.unwrap().id;
    let items = [NewOrderItem { product_id, quantity: 1, unit_price_cents: 500 }];
    let orders: Vec<NewOrder<'_>> = (0..100)
        .map(|i| NewOrder {
            customer_id: None,
            currency: "EUR",
            status: OrderStatus::Pending,
            items: &items,
            placed_at: t0() + Duration::hours(i),
        })
        .collect();
    create_orders(&db, stores[0], &orders).await.unwrap();
    let same_period = t0() + Duration::days(20);
    let next_period = t0() + Duration::days(32); // the period started 2026-01-10 ends 2026-02-10

    let during = check_merchant_limit(&db, merchant_id, Resource::OrdersPerMonth, same_period).await;
    let after = check_merchant_limit(&db, merchant_id, Resource::OrdersPerMonth, next_period).await;

    assert!(matches!(during, Err(Error::LimitExceeded(e)) if e.current == 100), "{during:?}");
    assert!(after.is_ok(), "{after:?}");
});

db_test!(async fn a_merchant_has_one_live_subscription(db) {
    let (merchant_id, _) = merchant(&db, "acme", TierCode::Essential, 0).await;
    let again = subscribe(&db, merchant_id, TierCode::Business, BillingCycle::Annual, t0()).await;
    assert!(matches!(again, Err(Error::AlreadySubscribed(id)) if id == merchant_id), "{again:?}");
    let live = billing::live_subscription(&db, merchant_id).await.unwrap().unwrap();
    assert_eq!((live.tier_code, live.status), (TierCode::Essential, SubscriptionStatus::Trialing));
    assert_eq!(live.trial_ends_at, Some((t0() + Duration::days(30)).into()));
    assert_eq!(live.current_period_end.get(), datetime!(2026-02-10 12:00 UTC));
});

db_test!(async fn a_merchant_without_a_live_subscription_has_no_allowance(db) {
    let new = NewMerchant { name: "n", slug: MerchantSlug::parse("n").unwrap(), contact_email: "x@y.z" };
    let m = create_merchant(&db, new, t0()).await.unwrap();
    let none = check_merchant_limit(&db, m.id, Resource::Products, t0()).await;
    assert!(matches!(none, Err(Error::NoLiveSubscription(id)) if id == m.id), "{none:?}");
});

db_test!(async fn trials_become_active_and_active_ones_past_due_but_not_backwards(db) {
    let (merchant_id, _) = merchant(&db, "acme", TierCode::Essential, 0).await;
    let id = billing::live_subscription(&db, merchant_id).await.unwrap().unwrap().id;
    let early = billing::mark_past_due(&db, id).await;
    assert!(matches!(early, Err(Error::InvalidTransition { status: SubscriptionStatus::Trialing, .. })), "{early:?}");
    assert_eq!(billing::activate(&db, id).await.unwrap().status, SubscriptionStatus::Active);
    assert_eq!(billing::mark_past_due(&db, id).await.unwrap().status, SubscriptionStatus::PastDue);
    assert_eq!(billing::activate(&db, id).await.unwrap().status, SubscriptionStatus::Active);
});

db_test!(async fn image_allowance_checks_the_store_the_product_and_the_plan(db) {
    let (_, acme) = merchant(&db, "acme", TierCode::Essential, 2).await; // 3 images per product
    let (_, bigco) = merchant(&db, "bigco", TierCode::Enterprise, 1).await;
    let own = create_product(&db, acme[0], product("A"), t0()).await.unwrap().id;
    let big = create_product(&db, bigco[0], product("B"), t0()).await.unwrap().id;

    assert_eq!(billing::image_allowance(&db, acme[0], Some(own)).await.unwrap(), Some(3));
    assert_eq!(billing::image_allowance(&db, bigco[0], Some(big)).await.unwrap(), None, "unlimited");
    assert_eq!(billing::image_allowance(&db, acme[1], None).await.unwrap(), None, "banners have no limit");
    let elsewhere = billing::image_allowance(&db, acme[1], Some(own)).await;
    assert!(matches!(elsewhere, Err(Error::Store(stores::Error::ProductOfAnotherStore { .. }))), "{elsewhere:?}");
    let missing = billing::image_allowance(&db, StoreId::new(999).unwrap(), None).await;
    assert!(matches!(missing, Err(Error::Store(stores::Error::StoreNotFound(_)))), "{missing:?}");
});

db_test!(async fn subscription_capacity_sums_live_subscriptions_against_platform_usage(db) {
    let (_, acme_stores) = merchant(&db, "acme", TierCode::Essential, 1).await;
    let (_, globex_stores) = merchant(&db, "globex", TierCode::Professional, 1).await;
    merchant(&db, "bigco", TierCode::Enterprise, 0).await;
    products(&db, acme_stores[0], 0, 50).await;
    products(&db, globex_stores[0], 0, 25).await;
    add_team_member(&db, globex_stores[0], "a@globex.com", TeamRole::Owner, t0()).await.unwrap();

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
