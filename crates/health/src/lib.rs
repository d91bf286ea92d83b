//! Platform health: thresholds and statuses, recommendations, infrastructure tiers and the
//! overall status, as pure functions that reproduce the original platform's behaviour (seed 001)
//! in store terminology.
//!
//! Around the rules, the measurements, none of which makes a request wait: the background
//! [`SystemSampler`] (CPU, memory, the data directory's disk), the background [`DbMonitor`]
//! (database size and counts with stated freshness, image storage counters, sold subscription
//! limits) and [`RequestStats`] (latency percentiles and error rate over a sliding window, fed by
//! the HTTP layer).
//!
//! Architecture invariant: no actix-web here; the rules are free functions over plain values.

mod db_metrics;
mod request_stats;
mod rules;
mod sampler;

pub use db_metrics::{Count, CountMethod, DbFigures, DbMonitor, DbMonitorSettings, DbState, measure};
pub use request_stats::{RequestStats, RequestSummary};
pub use rules::*;
pub use sampler::{DiskSpace, SystemMetrics, SystemSample, SystemSampler, disk_holding};
