//! Platform health: thresholds and statuses, recommendations, infrastructure tiers and the
//! overall status, as pure functions that reproduce the original platform's behaviour (seed 001)
//! in store terminology, and [`assess`], the one place that decides what the measurements mean.
//!
//! Around the rules, the measurements, none of which makes a request wait: the background
//! `SystemSampler` (feature `sampler`: CPU, memory, the data directory's file system), the
//! background `DbMonitor` (feature `db`: database size and counts with stated freshness, image
//! storage counters, sold subscription limits) and [`RequestStats`] (latency percentiles and
//! error rate over a sliding window, fed by the HTTP layer).
//!
//! Architecture invariant: no actix-web here; the rules are free functions over plain values.

mod assess;
#[cfg(feature = "db")]
mod db_metrics;
#[cfg(feature = "prometheus")]
mod prometheus;
mod request_stats;
mod rules;
#[cfg(feature = "sampler")]
mod sampler;
mod system;

pub use assess::{Assessment, DatabaseStatus, Observation, RateLimiterTrouble, assess};
#[cfg(feature = "db")]
pub use db_metrics::{
    Count, CountMethod, DatabaseMetrics, DbFigures, DbMonitor, DbMonitorSettings, DbState, Freshness,
    MonitorSettings, measure,
};
#[cfg(feature = "prometheus")]
pub use prometheus::Metrics;
pub use request_stats::{RequestStats, RequestSummary};
pub use rules::*;
#[cfg(feature = "sampler")]
pub use sampler::{SystemSampler, disk_space};
pub use system::{DiskSpace, SystemMetrics, SystemSample};

/// What can go wrong while measuring.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Reading the sold subscriptions failed.
    #[error(transparent)]
    Billing(#[from] billing::Error),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;

/// Bytes → MiB, two decimals (seed 001 rounding).
pub fn mib(bytes: u64) -> f64 {
    round(bytes as f64 / (1024.0 * 1024.0), 2)
}

/// Bytes → GiB, two decimals.
pub fn gib(bytes: u64) -> f64 {
    round(bytes as f64 / (1024.0 * 1024.0 * 1024.0), 2)
}

/// RFC 3339, UTC, milliseconds, `Z` (`2026-11-28T09:20:37.123Z`): how Orion's JSON writes times.
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.format(&format).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// `value` rounded to `decimals` places.
pub(crate) fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}
