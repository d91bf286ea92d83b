//! Forecasting: daily capacity snapshots, growth trends, days-until-threshold estimates,
//! projections, growth scenarios, sizing and reports.
//!
//! Pure (always available, no I/O):
//! - [`metric`]: [`Snapshot`] (a day's figures as plain values), the forecastable [`Metric`]s and
//!   gap-filled daily series;
//! - [`fit`]: days until a threshold from the daily history (linear, log-linear and damped-trend
//!   fits chosen by backtest, with 80 %/95 % intervals), and projections; [`FittedHistory`] fits
//!   a history once for many levels;
//! - [`outlook`]: one metric's forecast against a level (`GET /forecast`), and the [`Outlook`]:
//!   every forecast and projection of one history, computed once;
//! - [`projections`]: 3/6/12-month projections and scenarios (`GET /projections`);
//! - [`trends`]: seed 000's growth-trend formulas (`GET /trends`);
//! - [`plan`]: growth scenarios (seed 003) and the sizing calculator (seed 002);
//! - [`recommendations`]: seed 000's recommendation rules plus forecast-driven ones.
//!
//! Features: `report` (CSV and one-page PDF rendering, bytes only) and `db` (the
//! `capacity_snapshot` table: capture at most one row per UTC day, race-safe; measure a past day
//! and back-fill; read; prune; the [`OutlookCache`] the routes answer from).
//!
//! Architecture invariant: no actix-web here, and only the `db` modules (`snapshot`, `schedule`,
//! `cache`) import sea_orm.

#[cfg(feature = "db")]
mod cache;
#[cfg(feature = "db")]
pub mod entity;
pub mod fit;
pub mod metric;
pub mod outlook;
pub mod plan;
pub mod projections;
pub mod recommendations;
#[cfg(feature = "report")]
pub mod report;
#[cfg(feature = "db")]
pub mod schedule;
#[cfg(feature = "db")]
mod snapshot;
pub mod trends;

#[cfg(feature = "db")]
pub use cache::OutlookCache;
pub use fit::{Band, DaysUntil, FittedHistory, Interval, Method, NoEstimate, days_until_threshold, project};
pub use metric::{Metric, Snapshot, daily_series, series};
pub use outlook::{
    HISTORY_DAYS, MetricForecast, Outlook, forecast_metric, history_days, resolve_metric, scenarios,
};
pub use plan::{
    PlannedMonth, Scenario, Sizing, SizingError, SizingInput, project_scenario, size, tier_and_cost,
};
pub use projections::{Projections, projections};
pub use recommendations::{CapacityRecommendation, PlatformNow, capacity_recommendations};
#[cfg(feature = "db")]
pub use snapshot::{
    Captured, backfill_snapshots, capture_daily_snapshot, capture_moment, history, import_snapshots,
    measure_snapshot, prune_snapshots, snapshot_on, snapshots_between,
};
pub use trends::{PeriodTrends, Trend, period_trends, trend};

/// What can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A question that cannot be asked (unknown metric, a level or period out of range).
    #[error("{0}")]
    InvalidInput(String),
    /// The sizing input cannot be sized.
    #[error(transparent)]
    Sizing(#[from] SizingError),
    /// Measuring the day's figures failed.
    #[error(transparent)]
    Measure(#[from] health::Error),
    /// A background computation failed (the task panicked or was cancelled).
    #[error("the forecast computation failed: {0}")]
    Compute(String),
    /// Writing a CSV report failed.
    #[cfg(feature = "report")]
    #[error("writing the CSV report: {0}")]
    Csv(#[from] csv::Error),
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;

/// `value` rounded to `decimals` decimal places (API figures are rounded for people).
pub(crate) fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}
