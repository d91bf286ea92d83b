//! Platform health: a background system sampler, database metrics, thresholds and statuses,
//! recommendations, infrastructure tiers, overall status, and request-latency statistics.
//!
//! Not built yet: arrives with the admin-API issue. Architecture invariant: no actix-web here;
//! the pure rules are free functions over plain values.
