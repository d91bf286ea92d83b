//! The history is measured, not made up: a back-filled day equals a fresh measurement as of that
//! day and the generator's own ground truth, and the rolling order figure has no month-start
//! drop (while the calendar-month figure does).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use billing::{BillingCycle, TierCode};
use merchants::{MerchantSlug, NewMerchant};
use sea_orm::DatabaseConnection;
use stores::{NewOrder, NewOrderItem, NewProduct, NewStore, OrderStatus};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

/// What the generator wrote, to count from independently of the database.
#[derive(Default)]
struct Truth {
    merchants: Vec<OffsetDateTime>,
    /// (store, created) and each store's product and order times.
    stores: Vec<(OffsetDateTime, Vec<OffsetDateTime>, Vec<OffsetDateTime>)>,
}

impl Truth {
    fn products_by(&self, at: OffsetDateTime) -> usize {
        self.stores.iter().flat_map(|(_, p, _)| p).filter(|t| **t <= at).count()
    }
    fn orders_in(&self, from: OffsetDateTime, to: OffsetDateTime) -> usize {
        self.stores.iter().flat_map(|(_, _, o)| o).filter(|t| **t > from && **t <= to).count()
    }
    fn active_stores(&self, at: OffsetDateTime) -> usize {
        let from = at - Duration::days(30);
        self.stores
            .iter()
            .filter(|(created, products, orders)| {
                *created <= at && products.iter().chain(orders).any(|t| *t > from && *t <= at)
            })
            .count()
    }
}

async fn merchant(
    db: &DatabaseConnection,
    slug: &str,
    at: OffsetDateTime,
    truth: &mut Truth,
) -> merchants::MerchantId {
    let new =
        NewMerchant { name: slug, slug: MerchantSlug::parse(slug).unwrap(), contact_email: "o@x.example" };
    truth.merchants.push(at);
    merchants::create_merchant(db, new, at).await.unwrap().id
}

async fn store(
    db: &DatabaseConnection,
    merchant_id: merchants::MerchantId,
    code: &str,
    at: OffsetDateTime,
    truth: &mut Truth,
) -> (stores::StoreId, usize) {
    let id = stores::create_store(db, NewStore { merchant_id, code, name: code }, at).await.unwrap().id;
    truth.stores.push((at, Vec::new(), Vec::new()));
    (id, truth.stores.len() - 1)
}

async fn products(
    db: &DatabaseConnection,
    (id, slot): (stores::StoreId, usize),
    at: OffsetDateTime,
    n: usize,
    truth: &mut Truth,
) {
    let first = truth.stores[slot].1.len();
    let skus: Vec<String> = (first..first + n).map(|i| format!("SKU-{i}")).collect();
    let new: Vec<NewProduct<'_>> =
        skus.iter().map(|sku| NewProduct { store_sku: sku, gtin: None, titles: &[], stock: None }).collect();
    stores::create_products(db, id, &new, at).await.unwrap();
    truth.stores[slot].1.extend(std::iter::repeat_n(at, n));
}

/// Sep 15 → Nov 14, 2026: a busy store with 10 orders and 2 products a day; a store whose only
/// product is from Sep 16 (inactive from mid-October); a merchant joining Oct 20; a merchant who
/// cancels in October.
async fn platform(db: &DatabaseConnection) -> Truth {
    let mut truth = Truth::default();
    let start = datetime!(2026-09-15 0:00 UTC);
    let busy_merchant = merchant(db, "busy", start, &mut truth).await;
    let busy_sub = billing::subscribe(db, busy_merchant, TierCode::Enterprise, BillingCycle::Monthly, start)
        .await
        .unwrap();
    billing::activate(db, busy_sub.id, start + Duration::days(1)).await.unwrap();
    let busy = store(db, busy_merchant, "busy-1", start, &mut truth).await;
    let item =
        [NewOrderItem { product_id: stores::ProductId::new(1).unwrap(), quantity: 1, unit_price_cents: 500 }];
    products(db, busy, start, 1, &mut truth).await; // product 1, for the order items
    for day in 0..61 {
        let noon = start + Duration::days(day) + Duration::hours(12);
        products(db, busy, noon - Duration::hours(4), 2, &mut truth).await;
        let times: Vec<OffsetDateTime> = (0..10).map(|k| noon + Duration::minutes(k)).collect();
        let orders: Vec<NewOrder<'_>> = times
            .iter()
            .map(|at| NewOrder {
                customer_id: None,
                currency: "EUR",
                status: OrderStatus::Completed,
                items: &item,
                placed_at: *at,
            })
            .collect();
        stores::create_orders(db, busy.0, &orders).await.unwrap();
        truth.stores[busy.1].2.extend(times);
    }

    let quiet_at = datetime!(2026-09-16 9:00 UTC);
    let quiet_merchant = merchant(db, "quiet", quiet_at, &mut truth).await;
    let quiet = store(db, quiet_merchant, "quiet-1", quiet_at, &mut truth).await;
    products(db, quiet, quiet_at, 1, &mut truth).await;
    let sub = billing::subscribe(db, quiet_merchant, TierCode::Essential, BillingCycle::Monthly, quiet_at)
        .await
        .unwrap();
    billing::activate(db, sub.id, datetime!(2026-09-20 0:00 UTC)).await.unwrap();
    billing::cancel(db, sub.id, datetime!(2026-10-05 0:00 UTC)).await.unwrap(); // runs to Oct 16 09:00

    let late_at = datetime!(2026-10-20 10:00 UTC);
    let late_merchant = merchant(db, "late", late_at, &mut truth).await;
    billing::subscribe(db, late_merchant, TierCode::Business, BillingCycle::Monthly, late_at).await.unwrap();
    let late = store(db, late_merchant, "late-1", late_at, &mut truth).await;
    products(db, late, late_at, 3, &mut truth).await;

    billing::end_due(db, datetime!(2026-11-14 13:00 UTC)).await.unwrap();
    truth
}

migration::db_test!(async fn a_backfilled_day_is_what_a_capture_that_day_would_have_measured(db) {
    let truth = platform(&db).await;
    let written = forecast::backfill_snapshots(&db, date!(2026 - 10 - 01), date!(2026 - 11 - 14)).await.unwrap();
    assert_eq!(written, 45);
    assert_eq!(
        forecast::backfill_snapshots(&db, date!(2026 - 10 - 01), date!(2026 - 11 - 14)).await.unwrap(),
        0,
        "a day keeps its snapshot"
    );

    for day in [date!(2026 - 10 - 01), date!(2026 - 10 - 16), date!(2026 - 10 - 17), date!(2026 - 10 - 31), date!(2026 - 11 - 01), date!(2026 - 11 - 14)] {
        let stored = forecast::snapshot_on(&db, day).await.unwrap().unwrap();
        let at = forecast::capture_moment(day);
        // The same code path, asked again now. The database size is today's scaled by the rows
        // of that day; the back-fill itself has since grown the database a little.
        let fresh = forecast::measure_snapshot(&db, at, None).await.unwrap();
        assert!((stored.db_size_mb - fresh.db_size_mb).abs() <= fresh.db_size_mb * 0.05, "{day}: {} vs {}", stored.db_size_mb, fresh.db_size_mb);
        assert_eq!(stored, forecast::Snapshot { db_size_mb: stored.db_size_mb, ..fresh }, "{day}");
        // And the generator's ground truth.
        let merchants = truth.merchants.iter().filter(|t| **t <= at).count();
        let stores = truth.stores.iter().filter(|(t, ..)| *t <= at).count();
        assert_eq!(stored.total_merchants as usize, merchants, "{day} merchants");
        assert_eq!(stored.total_stores as usize, stores, "{day} stores");
        assert_eq!(stored.total_products as usize, truth.products_by(at), "{day} products");
        assert_eq!(stored.orders_last_30_days as usize, truth.orders_in(at - Duration::days(30), at), "{day} 30 days");
        let month = at.replace_day(1).unwrap().replace_time(time::Time::MIDNIGHT);
        assert_eq!(stored.total_orders_month as usize, truth.orders_in(month - Duration::nanoseconds(1), at), "{day} month");
        assert_eq!(stored.active_stores as usize, truth.active_stores(at), "{day} active stores");
    }
    let db = &db;
    let on = |day: Date| async move { forecast::snapshot_on(db, day).await.unwrap().unwrap() };
    // The quiet store's last activity was Sep 16 09:00: active on Oct 16 (00:00:05), not on Oct 17.
    assert_eq!((on(date!(2026 - 10 - 16)).await.active_stores, on(date!(2026 - 10 - 17)).await.active_stores), (2, 1));
    // Subscriptions: the quiet merchant's ran to Oct 16 09:00 (its period end), the late one's
    // trial began Oct 20.
    let oct_16 = on(date!(2026 - 10 - 16)).await;
    assert_eq!((oct_16.total_subscriptions, oct_16.active_subscriptions, oct_16.trial_stores), (2, 2, 0));
    let oct_31 = on(date!(2026 - 10 - 31)).await;
    assert_eq!((oct_31.total_subscriptions, oct_31.active_subscriptions, oct_31.trial_stores), (2, 1, 1));
    assert_eq!((oct_31.new_merchants_month, oct_31.churned_merchants_month), (1, 1));
    let nov_01 = on(date!(2026 - 11 - 01)).await;
    assert_eq!((nov_01.new_merchants_month, nov_01.churned_merchants_month), (0, 0), "a new month");
});

migration::db_test!(async fn the_rolling_order_figure_has_no_month_start_drop(db) {
    platform(&db).await;
    forecast::backfill_snapshots(&db, date!(2026 - 10 - 15), date!(2026 - 11 - 14)).await.unwrap();
    let history = forecast::snapshots_between(&db, date!(2026 - 10 - 15), date!(2026 - 11 - 14)).await.unwrap();
    assert_eq!(history.len(), 31);
    // 10 orders a day, every day: the last 30 days always hold 300.
    assert!(history.iter().all(|s| s.orders_last_30_days == 300), "{:?}", history.iter().map(|s| s.orders_last_30_days).collect::<Vec<_>>());
    // The calendar month falls from 300 to 0 overnight.
    let oct_31 = history.iter().find(|s| s.snapshot_date == date!(2026 - 10 - 31)).unwrap();
    let nov_01 = history.iter().find(|s| s.snapshot_date == date!(2026 - 11 - 01)).unwrap();
    assert_eq!((oct_31.total_orders_month, nov_01.total_orders_month), (300, 0));
    // So a forecast of the rolling figure sees a flat line, not a collapse.
    let series = forecast::series(&history, forecast::Metric::OrdersLast30Days);
    assert!(series.windows(2).all(|w| w[0] == w[1]));
});
