//! The database figures on both backends: exact counts, PostgreSQL's planner estimate above the
//! configured row count, products per store sorted, and a monitor that keeps its last good
//! figures when the database goes away.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::time::Duration;

use health::{CountMethod, DbMonitor, DbMonitorSettings};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use time::OffsetDateTime;

async fn platform(db: &DatabaseConnection, products: &[(&str, usize)]) {
    let now = OffsetDateTime::now_utc();
    let new = merchants::NewMerchant {
        name: "Acme",
        slug: merchants::MerchantSlug::parse("acme").unwrap(),
        contact_email: "owner@acme.example",
    };
    let merchant = merchants::create_merchant(db, new, now).await.unwrap();
    for (code, count) in products {
        let new = stores::NewStore { merchant_id: merchant.id, code, name: code };
        let store = stores::create_store(db, new, now).await.unwrap();
        let skus: Vec<String> = (0..*count).map(|i| format!("SKU-{i}")).collect();
        let products: Vec<stores::NewProduct<'_>> = skus
            .iter()
            .map(|sku| stores::NewProduct { store_sku: sku, gtin: None, titles: &[], stock: None })
            .collect();
        stores::create_products(db, store.id, &products, now).await.unwrap();
    }
}

migration::db_test!(async fn figures_are_exact_below_the_limit_and_sorted_by_store_size(db) {
    platform(&db, &[("small", 1), ("large", 4), ("medium", 2)]).await;
    let settings = DbMonitorSettings::default();
    let figures = health::measure(&db, &settings, OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!((figures.products.value, figures.products.method), (7, CountMethod::Exact));
    assert_eq!(figures.stores.value, 3);
    assert_eq!(figures.merchants.value, 1);
    assert_eq!(figures.active_stores, 3);
    assert_eq!(figures.orders_this_month, 0);
    let by_store: Vec<(&str, u64)> = figures.products_by_store.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    assert_eq!(by_store, [("large", 4), ("medium", 2), ("small", 1)]);
    assert!(figures.size_bytes > 0);
    assert_eq!(figures.images.total_files, 0);
});

migration::db_test!(async fn postgres_reports_big_tables_by_the_planner_estimate(db) {
    platform(&db, &[("store", 5)]).await;
    let settings = DbMonitorSettings { exact_count_limit: 3, ..DbMonitorSettings::default() };
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.unwrap();
    }
    let figures = health::measure(&db, &settings, OffsetDateTime::now_utc()).await.unwrap();
    match backend {
        // After ANALYZE the estimate of a small table is its exact size.
        DatabaseBackend::Postgres => {
            assert_eq!((figures.products.value, figures.products.method), (5, CountMethod::PlannerEstimate));
            // One store: below the limit, counted.
            assert_eq!(figures.stores.method, CountMethod::Exact);
        }
        _ => assert_eq!((figures.products.value, figures.products.method), (5, CountMethod::Exact)),
    }
});

migration::db_test!(async fn the_monitor_keeps_the_last_good_figures_when_the_database_goes_away(db) {
    platform(&db, &[("store", 2)]).await;
    let settings = DbMonitorSettings { refresh_interval: Duration::from_secs(3600), ..DbMonitorSettings::default() };
    let monitor = DbMonitor::start(db.clone(), settings);
    let first = monitor.refresh_now().await;
    assert!(first.reachable());
    assert_eq!(first.figures.as_ref().unwrap().products.value, 2);

    db.close_by_ref().await.unwrap();
    let after = monitor.refresh_now().await;
    assert!(!after.reachable());
    assert!(after.last_error.is_some());
    assert_eq!(after.figures.as_ref().unwrap().products.value, 2, "last good figures kept");
});

migration::db_test!(async fn subscription_capacity_sums_live_subscriptions_against_platform_usage(db) {
    use billing::{BillingCycle, TierCode};
    let t0 = time::macros::datetime!(2026-01-10 12:00 UTC);
    let mut stores_of = Vec::new();
    for (slug, tier) in [("acme", TierCode::Essential), ("globex", TierCode::Professional), ("bigco", TierCode::Enterprise)] {
        let new = merchants::NewMerchant { name: slug, slug: merchants::MerchantSlug::parse(slug).unwrap(), contact_email: "o@x.example" };
        let merchant = merchants::create_merchant(&db, new, t0).await.unwrap();
        billing::subscribe(&db, merchant.id, tier, BillingCycle::Monthly, t0).await.unwrap();
        let store = stores::create_store(&db, stores::NewStore { merchant_id: merchant.id, code: slug, name: slug }, t0).await.unwrap();
        stores_of.push(store.id);
    }
    for (store, n) in [(stores_of[0], 50), (stores_of[1], 25)] {
        let skus: Vec<String> = (0..n).map(|i| format!("SKU-{i}")).collect();
        let new: Vec<stores::NewProduct<'_>> =
            skus.iter().map(|sku| stores::NewProduct { store_sku: sku, gtin: None, titles: &[], stock: None }).collect();
        stores::create_products(&db, store, &new, t0).await.unwrap();
    }
    stores::add_team_member(&db, stores_of[1], "a@globex.com", stores::TeamRole::Owner, t0).await.unwrap();

    let figures = health::measure(&db, &DbMonitorSettings::default(), t0 + time::Duration::days(1)).await.unwrap();
    let capacity = figures.subscription_capacity();
    assert_eq!(capacity.total_subscriptions, 3);
    assert_eq!(
        (capacity.tier_distribution["essential"], capacity.tier_distribution["professional"], capacity.tier_distribution["enterprise"]),
        (1, 1, 1)
    );
    assert_eq!((capacity.products.actual, capacity.products.theoretical_limit), (75, 700));
    assert_eq!((capacity.products.utilization_percent, capacity.products.headroom), (10.7, 625));
    assert_eq!(capacity.products.unlimited_subscriptions, 1);
    assert_eq!((capacity.team_members.actual, capacity.team_members.theoretical_limit), (1, 4));
    assert_eq!((figures.trial_stores, figures.paying_subscriptions), (3, 0), "all three are in their trial");
    assert_eq!(figures.dynamics.new_this_month, 3);
    assert!(figures.over_limit.is_empty());

    // A day before any of it, nothing was there.
    let before = health::measure(&db, &DbMonitorSettings::default(), t0 - time::Duration::days(1)).await.unwrap();
    assert_eq!((before.products.value, before.stores.value, before.merchants.value), (0, 0, 0));
    assert_eq!(before.subscription_capacity().total_subscriptions, 0);
});
