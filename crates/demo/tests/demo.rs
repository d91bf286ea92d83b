//! `seed-demo` fills an empty database with consistent data within tier limits, and refuses a
//! database that already has merchants.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use demo::{DemoSizes, seed_demo};
use sea_orm::{ConnectionTrait, Statement};

async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Merchants whose rows of `table` (each with a `store_id`), over all their stores, exceed the
/// `limit` column of their tier, counted by plain SQL.
async fn merchants_over(db: &sea_orm::DatabaseConnection, table: &str, limit: &str) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT s.merchant_id, COUNT(r.id) AS used, MAX(t.{limit}) AS cap \
         FROM {table} r JOIN store s ON s.id = r.store_id \
         JOIN merchant_subscription ms ON ms.merchant_id = s.merchant_id \
         JOIN subscription_tier t ON t.code = ms.tier_code \
         GROUP BY s.merchant_id) x WHERE x.cap IS NOT NULL AND x.used > x.cap"
    );
    scalar(db, &sql).await
}

migration::db_test!(async fn seed_demo_writes_consistent_data_within_tier_limits(db) {
    let sizes = DemoSizes { merchants: 12, products_per_store: 80, orders_per_store_month: 20, months: 3, ..DemoSizes::default() };
    let report = seed_demo(&db, &sizes, |_| {}).await.unwrap();
    assert_eq!(report.merchants, 12);
    assert_eq!(report.snapshots, 181, "180 days of history and today");
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM capacity_snapshot").await, 181);
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM merchant").await, 12);
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM product").await, report.products as i64);
    assert_eq!(scalar(&db, r#"SELECT COUNT(*) AS n FROM "order""#).await, report.orders as i64);
    assert!(report.orders > 0 && report.products > 0);
    // Every order has items, and its total is the sum of its items.
    assert_eq!(
        scalar(&db, r#"SELECT COUNT(*) AS n FROM "order" o WHERE NOT EXISTS (SELECT 1 FROM order_item i WHERE i.order_id = o.id)"#).await,
        0
    );
    assert_eq!(
        scalar(&db, r#"SELECT COUNT(*) AS n FROM "order" o WHERE o.total_cents <> (SELECT SUM(i.quantity * i.unit_price_cents) FROM order_item i WHERE i.order_id = o.id)"#).await,
        0
    );
    // One live subscription per merchant, and no merchant above its tier's product limit.
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM merchant_subscription").await, 12);
    assert_eq!(merchants_over(&db, "product", "max_products").await, 0);
    // Every store has exactly one primary domain; loyalty balances match their transactions.
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) AS n FROM store s WHERE (SELECT COUNT(*) FROM store_domain d WHERE d.store_id = s.id AND d.is_primary) <> 1").await,
        0
    );
    assert!(scalar(&db, "SELECT COUNT(*) AS n FROM loyalty_card").await > 0, "cards to check");
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) AS n FROM loyalty_card c WHERE c.points_balance <> COALESCE((SELECT SUM(t.points_delta) FROM loyalty_transaction t WHERE t.card_id = c.id), 0) \
                     OR c.stamps <> COALESCE((SELECT SUM(t.stamps_delta) FROM loyalty_transaction t WHERE t.card_id = c.id), 0)").await,
        0
    );
    // Every live merchant within every limit of its tier (products, orders in the period, team,
    // images), as billing checks them.
    let now = time::OffsetDateTime::now_utc();
    let usage = billing::merchant_usage(&db, now).await.unwrap();
    assert!(!usage.is_empty());
    let over = billing::over_limit(&billing::tiers(&db).await.unwrap(), &usage);
    assert!(over.is_empty(), "{over:?}");
    // And the team limit once more by plain SQL (Essential allows 1, Professional 3, Business 10).
    assert_eq!(merchants_over(&db, "team_member", "max_team_members").await, 0);
    // The history was measured: the back-filled days grow with the data.
    let first_day = scalar(&db, "SELECT total_products AS n FROM capacity_snapshot ORDER BY snapshot_date LIMIT 1").await;
    let last_day = scalar(&db, "SELECT total_products AS n FROM capacity_snapshot ORDER BY snapshot_date DESC LIMIT 1").await;
    assert!(first_day < last_day, "{first_day} .. {last_day}");
    assert_eq!(last_day, report.products as i64);

    let again = seed_demo(&db, &sizes, |_| {}).await.unwrap_err();
    assert!(again.to_string().contains("already holds 12 merchants"), "{again}");
});
