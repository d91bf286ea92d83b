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
    /// Which backend it counts on.
    pub limiter_backend: quotas::BackendKind,
    /// The alert rules in force.
    pub alert_rules: Arc<Vec<alerts::Rule>>,
    /// The last alert evaluation's rule statuses.
    pub alert_board: alerts::Board,
    /// Seconds between alert evaluations.
    pub alert_evaluation_seconds: u64,
}
