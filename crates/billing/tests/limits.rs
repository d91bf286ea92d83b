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
    let paid = t0() + Duration::days(3);
    assert_eq!(billing::activate(&db, id, paid).await.unwrap().status, SubscriptionStatus::Active);
    assert_eq!(billing::mark_past_due(&db, id).await.unwrap().status, SubscriptionStatus::PastDue);
    let again = billing::activate(&db, id, paid + Duration::days(40)).await.unwrap();
    assert_eq!(again.status, SubscriptionStatus::Active);
    assert_eq!(again.activated_at.map(|t| t.get()), Some(paid), "the first activation is the one recorded");
});

db_test!(async fn a_cancelled_subscription_runs_to_its_period_end_then_ends(db) {
    let (merchant_id, _) = merchant(&db, "acme", TierCode::Business, 0).await;
    let id = billing::live_subscription(&db, merchant_id).await.unwrap().unwrap().id;
    billing::activate(&db, id, t0() + Duration::days(1)).await.unwrap();
    // Cancelled on March 20th: the monthly period that contains it runs Mar 10 → Apr 10.
    let cancelled = billing::cancel(&db, id, datetime!(2026-03-20 9:00 UTC)).await.unwrap();
    assert!(cancelled.cancel_at_period_end && cancelled.status == SubscriptionStatus::Active);
    assert_eq!(cancelled.current_period_end.get(), datetime!(2026-04-10 12:00 UTC));
    let twice = billing::cancel(&db, id, datetime!(2026-03-21 9:00 UTC)).await;
    assert!(matches!(twice, Err(Error::InvalidTransition { .. })), "{twice:?}");

    assert_eq!(billing::end_due(&db, datetime!(2026-04-10 11:59 UTC)).await.unwrap(), 0, "still live");
    assert!(billing::live_subscription(&db, merchant_id).await.unwrap().is_some());
    assert_eq!(billing::end_due(&db, datetime!(2026-04-11 0:00 UTC)).await.unwrap(), 1);
    assert_eq!(billing::end_due(&db, datetime!(2026-04-12 0:00 UTC)).await.unwrap(), 0, "ended once");
    assert!(billing::live_subscription(&db, merchant_id).await.unwrap().is_none());

    let spans = billing::subscription_spans(&db).await.unwrap();
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].started_at, t0());
    assert_eq!(spans[0].activated_at, Some(t0() + Duration::days(1)));
    assert_eq!(spans[0].ended_at, Some(datetime!(2026-04-10 12:00 UTC)), "ended when the period did, not when noticed");
    // The merchant may subscribe again.
    subscribe(&db, merchant_id, TierCode::Essential, BillingCycle::Monthly, datetime!(2026-05-01 0:00 UTC))
        .await
        .unwrap();
});

db_test!(async fn an_unpaid_trial_expires_at_its_end(db) {
    let (merchant_id, _) = merchant(&db, "acme", TierCode::Essential, 0).await;
    let (paying, _) = merchant(&db, "globex", TierCode::Essential, 0).await;
    let paying_id = billing::live_subscription(&db, paying).await.unwrap().unwrap().id;
    billing::activate(&db, paying_id, t0() + Duration::days(29)).await.unwrap();

    assert_eq!(billing::end_due(&db, t0() + Duration::days(30)).await.unwrap(), 1);
    let spans = billing::subscription_spans(&db).await.unwrap();
    let expired = spans.iter().find(|s| s.merchant_id == merchant_id).unwrap();
    assert_eq!(expired.ended_at, Some(t0() + Duration::days(30)));
    assert!(billing::live_subscription(&db, merchant_id).await.unwrap().is_none());
    assert!(billing::live_subscription(&db, paying).await.unwrap().is_some(), "a paid trial does not expire");
    let late = billing::activate(&db, expired_id(&db, merchant_id).await, t0() + Duration::days(31)).await;
    assert!(matches!(late, Err(Error::InvalidTransition { status: SubscriptionStatus::Expired, .. })), "{late:?}");
});

async fn expired_id(db: &DatabaseConnection, merchant_id: MerchantId) -> billing::SubscriptionId {
    use billing::entity::merchant_subscription;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    merchant_subscription::Entity::find()
        .filter(merchant_subscription::Column::MerchantId.eq(merchant_id))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

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

db_test!(async fn merchants_over_their_tier_are_listed_largest_overshoot_first(db) {
    let (acme, acme_stores) = merchant(&db, "acme", TierCode::Essential, 2).await; // 200 products, 1 member
    let (globex, globex_stores) = merchant(&db, "globex", TierCode::Professional, 1).await; // 500 products
    let (_, bigco_stores) = merchant(&db, "bigco", TierCode::Enterprise, 1).await;
    // Imported around the checks: 150 + 100 products on Essential (25 % over), 2 members (100 % over).
    products(&db, acme_stores[0], 0, 150).await;
    products(&db, acme_stores[1], 0, 100).await;
    add_team_member(&db, acme_stores[0], "a@acme.com", TeamRole::Owner, t0()).await.unwrap();
    add_team_member(&db, acme_stores[1], "b@acme.com", TeamRole::Staff, t0()).await.unwrap();
    products(&db, globex_stores[0], 0, 500).await; // exactly at the limit: compliant
    products(&db, bigco_stores[0], 0, 900).await; // unlimited
    // Added after the moment asked about: not counted.
    let later = t0() + Duration::days(2);
    add_team_member(&db, globex_stores[0], "late@globex.com", TeamRole::Staff, later).await.unwrap();

    let usage = billing::merchant_usage(&db, t0() + Duration::days(1)).await.unwrap();
    let of = |id: MerchantId| usage.iter().find(|u| u.merchant_id == id).unwrap();
    assert_eq!((of(acme).products, of(acme).team_members, of(acme).merchant.as_str()), (250, 2, "acme"));
    assert_eq!((of(globex).products, of(globex).team_members), (500, 0));
    let tiers = billing::tiers(&db).await.unwrap();
    let over: Vec<_> =
        billing::over_limit(&tiers, &usage).into_iter().map(|o| (o.merchant_id, o.resource, o.limit, o.current)).collect();
    assert_eq!(over, [(acme, Resource::TeamMembers, 1, 2), (acme, Resource::Products, 200, 250)]);
});
