//! End-to-end tests of the admin API: the real app on a random port, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod alerts;
mod auth;
#[cfg(feature = "browser")]
mod browser;
mod database_outage;
mod forecast;
mod images;
mod operations;
mod platform_health;
mod rate_limit;
