//! Alerting an on-call admin can rely on (issue: alerting).
//!
//! - [`Rule`]s watch one metric each (the `[thresholds.*]` keys, `api_p95_ms`, `error_rate_percent`,
//!   `db_pool_percent`, and `days_until_<metric>_critical` from the forecasts) with a comparison, a
//!   `for` duration, a `keep_firing` hysteresis, a severity, an action and labels;
//!   [`default_rules`] are the seeds' (003's four, a warning and a critical rule per `/health`
//!   threshold, and "critical within 30 days" forecast rules).
//! - [`step`]: one rule's life, pure (pending → firing → resolved).
//! - [`prometheus_rules`]: the same rules as a Prometheus rule file.
//! - [`alertmanager_body`]: a notification in Prometheus Alertmanager's webhook format (version 4),
//!   so any Alertmanager receiver consumes it unchanged.
//! - Feature `db`: alert instances, silences and the notification outbox in the database;
//!   [`evaluate`] runs one cycle, each transition exactly once however many instances evaluate
//!   (conditional updates and a unique index), its notification written in the same transaction.
//! - Feature `webhook`: [`deliver_due`] posts the outbox to a webhook, signed (HMAC-SHA256 of the
//!   body in `X-Orion-Signature`), with an `Idempotency-Key`, retries with exponential backoff.

mod eval;
mod payload;
mod prometheus;
mod rule;
mod settings;

#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
mod store;
#[cfg(feature = "webhook")]
mod webhook;

pub use eval::{Open, Step, step};
pub use payload::{AlertStatus, Notice, alertmanager_body, annotations, labels};
pub use prometheus::prometheus_rules;
pub use rule::{
    ACTIONS, FORECAST_METRICS, Op, Rule, Severity, days_until_critical, default_rules, metric_names, validate,
};
pub use settings::{AlertSettings, WebhookSettings};
#[cfg(feature = "db")]
pub use store::{
    AlertFilter, Alerts, Board, Cycle, NewSilence, RuleStatus, Values, acknowledge, add_silence, evaluate,
    list, spawn_evaluator,
};
#[cfg(feature = "webhook")]
pub use webhook::{Delivery, Webhook, deliver_due, sign, spawn_delivery};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No alert with this id.
    #[error("no alert {0}")]
    NotFound(i64),
    /// The alert is resolved: there is nothing left to acknowledge.
    #[error("alert {0} is resolved")]
    Resolved(i64),
    /// A silence that cannot work (the message says why).
    #[error("{0}")]
    InvalidSilence(String),
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's results.
pub type Result<T> = std::result::Result<T, Error>;
