//! Every migration is reversible on both databases, and `up` leaves the tier catalogue in place.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use migration::testing::{Backend, TestDb};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

async fn tier_codes(db: &DatabaseConnection) -> Vec<String> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT code FROM subscription_tier ORDER BY sort_order",
        ))
        .await
        .unwrap();
    rows.iter().map(|row| row.try_get::<String>("", "code").unwrap()).collect()
}

async fn up_down_up_leaves_the_tier_catalogue(backend: Backend) {
    let db = TestDb::create_empty(backend).await;

    Migrator::up(&db.conn, None).await.unwrap();
    assert_eq!(tier_codes(&db.conn).await, ["essential", "professional", "business", "enterprise"]);
    assert!(Migrator::get_pending_migrations(&db.conn).await.unwrap().is_empty());

    Migrator::down(&db.conn, None).await.unwrap();
    let applied = Migrator::get_applied_migrations(&db.conn).await.unwrap();
    assert!(applied.is_empty(), "down left {} migrations applied", applied.len());
    assert!(
        db.conn
            .query_all_raw(Statement::from_string(
                db.conn.get_database_backend(),
                "SELECT code FROM subscription_tier"
            ))
            .await
            .is_err()
    );

    Migrator::up(&db.conn, None).await.unwrap();
    assert_eq!(tier_codes(&db.conn).await.len(), 4);

    db.drop_database().await;
}

#[tokio::test]
async fn up_down_up_on_sqlite() {
    up_down_up_leaves_the_tier_catalogue(Backend::Sqlite).await;
}

#[tokio::test]
async fn up_down_up_on_postgres() {
    up_down_up_leaves_the_tier_catalogue(Backend::Postgres).await;
}
