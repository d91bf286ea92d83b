//! `GET /forecast`: when one metric reaches a level, from the daily history. Pure.

use serde::Serialize;
use time::{Date, Duration};

use crate::fit::{DaysUntil, days_until_threshold};
use crate::metric::{Metric, Snapshot, series};

/// A metric's forecast against a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricForecast {
    /// The metric's column name.
    pub metric: &'static str,
    /// Its display name.
    pub label: &'static str,
    /// The level.
    pub threshold: f64,
    /// Its latest value.
    pub current_value: Option<f64>,
    /// The latest snapshot's day.
    pub last_snapshot_date: Option<Date>,
    /// Days until the level with intervals, or null (see `reason`).
    pub estimate: Option<DaysUntil>,
    /// The day the estimate points at.
    pub expected_date: Option<Date>,
    /// Why there is no estimate.
    pub reason: Option<String>,
}

/// When `metric` reaches `threshold`, from `history` (oldest first).
pub fn forecast_metric(history: &[Snapshot], metric: Metric, threshold: f64) -> MetricForecast {
    let last = history.last().map(|s| (s.snapshot_date, metric.of(s)));
    let (estimate, reason) = match days_until_threshold(&series(history, metric), threshold) {
        Ok(estimate) => (Some(estimate), None),
        Err(none) => (None, Some(none.reason)),
    };
    let expected_date = estimate
        .as_ref()
        .zip(last)
        .and_then(|(e, (day, _))| day.checked_add(Duration::days(e.days.ceil() as i64)));
    MetricForecast {
        metric: metric.name(),
        label: metric.label(),
        threshold,
        current_value: last.map(|(_, v)| v),
        last_snapshot_date: last.map(|(d, _)| d),
        estimate,
        expected_date,
        reason,
    }
}
