//! What every request handler can reach. At the bottom of the module tree: it imports domain
//! crates and leaf modules only, so nothing cycles through it.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::observability::Meters;
use crate::render_cache::RenderCache;

/// The shared state of the application.
#[derive(Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// One connection apart from the pool, for `/readyz`.
    pub probe: DatabaseConnection,
    /// CPU, memory and disk, sampled in the background.
    pub sampler: health::SystemSampler,
    /// Database figures, refreshed in the background.
    pub monitor: health::DbMonitor,
    /// Request latency and errors, and the Prometheus registry.
    pub meters: Arc<Meters>,
    /// Configured threshold levels.
    pub thresholds: health::Thresholds,
    /// Verified tokens.
    pub tokens: accounts::TokenVerifier,
    /// Rendered platform-health bodies of the current second.
    pub rendered: RenderCache,
    /// Image uploads, deletes and their storage.
    pub images: images::ImageLibrary,
    /// Forecasts and projections of the current snapshot history, computed once per history.
    pub outlook: forecast::OutlookCache,
    /// The rate limiter of `[rate_limit]` (its usage counts and backend trouble).
    pub limiter: quotas::Limiter,
    /// The alert rules in force.
    pub alert_rules: Arc<Vec<alerts::Rule>>,
    /// The last alert evaluation's rule statuses.
    pub alert_board: alerts::Board,
    /// Seconds between alert evaluations.
    pub alert_evaluation_seconds: u64,
}

/// How long after its last failure the rate limiter's backend is still reported in `/health`.
const LIMITER_TROUBLE_RECENT: time::Duration = time::Duration::minutes(5);

impl AppState {
    /// What the health policy and the alert rules judge at `now`: the database figures `db`, the
    /// system sample, the request window's `requests`, the pool's use and the rate limiter's
    /// recent trouble.
    pub fn observation(
        &self,
        db: &health::DbState,
        system: Option<health::SystemSample>,
        requests: &health::RequestSummary,
        now: time::OffsetDateTime,
    ) -> health::Observation {
        let system = system.map(|s| s.metrics);
        let pool = migration::pool_usage_percent(&self.db).unwrap_or(0.0);
        let mut observation = db.observation(system, requests, pool);
        observation.rate_limiter =
            self.limiter.trouble(now, LIMITER_TROUBLE_RECENT).map(|t| health::RateLimiterTrouble {
                failed_checks: t.failed_checks,
                last_failure: t.last_failure,
                fail_open: t.fail_open,
            });
        observation
    }
}
