//! Orion's database schema, as sea-orm-migration migrations that run on SQLite and PostgreSQL.
//!
//! One migration module per domain, applied in dependency order (merchants before stores before
//! billing, ...). In production migrations only go forward (`admin-api migrate`); `down` exists
//! so tests can prove every migration is reversible on both databases.
//!
//! With the `test-util` feature, [`testing`] hands out fresh, migrated databases per test.

pub use sea_orm_migration::prelude::*;

pub use database::{DatabaseSettings, is_closed, pool_usage_percent, redact};

mod database;
mod m20260101_000001_merchants;
mod m20260101_000002_stores;
mod m20260101_000003_billing;
mod m20260101_000004_loyalty;
mod m20260101_000005_images;
mod m20260101_000006_forecast;
mod m20260101_000007_admin;
mod m20261128_000008_time;
mod m20261128_000009_figures;
mod m20261128_000010_alerts;
mod util;

#[cfg(feature = "test-util")]
pub mod testing;

/// Every Orion migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_merchants::Migration),
            Box::new(m20260101_000002_stores::Migration),
            Box::new(m20260101_000003_billing::Migration),
            Box::new(m20260101_000004_loyalty::Migration),
            Box::new(m20260101_000005_images::Migration),
            Box::new(m20260101_000006_forecast::Migration),
            Box::new(m20260101_000007_admin::Migration),
            Box::new(m20261128_000008_time::Migration),
            Box::new(m20261128_000009_figures::Migration),
            Box::new(m20261128_000010_alerts::Migration),
        ]
    }
}
