//! Forecasting: daily capacity snapshots, growth trends and days-until-threshold estimates.
//!
//! - [`metric`]: the forecastable snapshot fields, and gap-filled daily series.
//! - [`plan`]: growth scenarios (seed 003) and the sizing calculator (seed 002), pure.
//! - [`recommendations`]: seed 000's recommendation rules plus forecast-driven ones, pure.
//! - [`report`]: weekly/monthly/projection reports as CSV or a one-page PDF with a chart.
//! - [`snapshot`]: capture (at most one row per UTC day, race-safe), read, prune.
//! - [`trends`]: seed 000's growth-trend formulas, pure.
//! - [`fit`]: days until a threshold from the daily history (linear, log-linear and damped-trend
//!   fits chosen by backtest, with 80 %/95 % intervals), pure.
//!
//! Architecture invariant: no actix-web here; `trends` and `fit` import no sea_orm.

pub mod entity;
pub mod fit;
pub mod metric;
pub mod plan;
pub mod recommendations;
pub mod report;
pub mod snapshot;
pub mod trends;

pub use fit::{DaysUntil, Interval, Method, NoEstimate, days_until_threshold, project};
pub use metric::{Metric, daily_series};
pub use plan::{
    PlannedMonth, Scenario, Sizing, SizingError, SizingInput, project_scenario, size, tier_and_cost,
};
pub use snapshot::{Captured, capture_daily_snapshot, prune_snapshots, snapshot_on, snapshots_between};
pub use trends::{Trend, trend};

/// `value` rounded to `decimals` decimal places (API figures are rounded for people).
pub(crate) fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}
