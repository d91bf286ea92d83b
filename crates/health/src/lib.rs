//! Platform health: thresholds and statuses, recommendations, infrastructure tiers and the
//! overall status, as pure functions that reproduce the original platform's behaviour (seed 001)
//! in store terminology.
//!
//! Also the background [`SystemSampler`]. Still to come with the admin-API issue: DB metrics with stated
//! freshness, and request-latency statistics. Architecture invariant: no actix-web here; the rules
//! are free functions over plain values.

mod rules;
mod sampler;

pub use rules::*;
pub use sampler::{DiskSpace, SystemMetrics, SystemSample, SystemSampler, disk_holding};
