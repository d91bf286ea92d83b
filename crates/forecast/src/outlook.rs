//! `GET /forecast`: when one metric reaches a level, from the daily history. Pure.

use serde::Serialize;
use time::{Date, Duration};

use crate::fit::{DaysUntil, FittedHistory, Interval, NoEstimate};
use crate::metric::{Metric, Snapshot, fit_each, series};
use crate::plan::Scenario;
use crate::{Error, Result};

/// Days of daily history the forecasts, projections and trends look at, at most: two years, as
/// long as the snapshots are kept.
pub const HISTORY_DAYS: i64 = 730;

/// The period of `GET /trends` and `GET /snapshots`: `days` (default 30) within
/// 1..=[`HISTORY_DAYS`].
pub fn history_days(days: Option<i64>) -> Result<i64> {
    match days.unwrap_or(30) {
        days @ 1..=HISTORY_DAYS => Ok(days),
        days => Err(Error::InvalidInput(format!("days must be within 1..={HISTORY_DAYS}, got {days}"))),
    }
}

/// The metric named `name` and the level to forecast it against: `threshold`, or the configured
/// critical level of the threshold that watches the metric; refused when neither exists or the
/// level is not a positive number.
pub fn resolve_metric(
    name: &str,
    threshold: Option<f64>,
    thresholds: &health::Thresholds,
) -> Result<(Metric, f64)> {
    let metric = Metric::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        Error::InvalidInput(format!("unknown metric {name:?}; one of: {}", known.join(", ")))
    })?;
    let configured = metric.threshold().map(|watched| thresholds.levels(watched).critical);
    let level = threshold.or(configured).ok_or_else(|| {
        Error::InvalidInput(format!("{} has no configured threshold: pass threshold=…", metric.name()))
    })?;
    if !level.is_finite() || level <= 0.0 {
        return Err(Error::InvalidInput(format!("threshold must be a positive number, got {level}")));
    }
    Ok((metric, level))
}

/// Seed 003's scenarios, then `measured` (the platform's own growth and churn, when measured),
/// and a user-defined one when `growth` (and `churn`) are given.
pub fn scenarios(
    growth: Option<f64>,
    churn: Option<f64>,
    measured: Option<&billing::MerchantDynamics>,
) -> Result<Vec<Scenario>> {
    let mut list: Vec<Scenario> = Scenario::presets().into();
    list.extend(measured.map(Scenario::measured));
    if growth.is_some() || churn.is_some() {
        let custom = growth.and_then(|g| Scenario::custom(g, churn)).ok_or_else(|| {
            Error::InvalidInput(
                "growth must be within 0..=5 and churn within 0..=1 (growth required)".to_owned(),
            )
        })?;
        list.push(custom);
    }
    Ok(list)
}

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
    /// Without an estimate, the open 80 % interval of the day (`high` null): the level may be
    /// reached from `low` days on, or not at all (`NoEstimate::interval_80`); null when there is
    /// none.
    pub open_interval_80: Option<Interval>,
}

impl MetricForecast {
    /// The near end of the 80 % interval, in days (see [`near_end_days`]).
    pub fn near_end_days(&self) -> Option<f64> {
        near_end_days(self.estimate.as_ref(), self.open_interval_80)
    }
}

/// The near end of the 80 % interval, in days: the estimate's, or without one the open
/// interval's (the level may come that soon). What recommendations and alerts rate.
pub fn near_end_days(estimate: Option<&DaysUntil>, open_interval_80: Option<Interval>) -> Option<f64> {
    estimate.map(|e| e.interval_80.low).or(open_interval_80.map(|i| i.low))
}

/// When `metric` reaches `threshold`, from `history` (oldest first).
pub fn forecast_metric(history: &[Snapshot], metric: Metric, threshold: f64) -> MetricForecast {
    forecast_fitted(history, metric, threshold, &FittedHistory::new(&series(history, metric)))
}

/// [`forecast_metric`] from the metric's series in `history` already fitted.
fn forecast_fitted(
    history: &[Snapshot],
    metric: Metric,
    threshold: f64,
    fitted: &std::result::Result<FittedHistory, NoEstimate>,
) -> MetricForecast {
    let last = history.last().map(|s| (s.snapshot_date, metric.of(s)));
    let (estimate, reason, open_interval_80) =
        match fitted.as_ref().map_err(Clone::clone).and_then(|f| f.days_until(threshold)) {
            Ok(estimate) => (Some(estimate), None, None),
            Err(none) => (None, Some(none.reason), none.interval_80),
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
        open_interval_80,
    }
}

/// Everything the forecast routes answer from, computed once per state of the snapshot history
/// (a new snapshot, an import, a prune) and shared by every request: the history itself, the
/// forecast of every metric with a configured level, and the fitted projections.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlook {
    /// The last [`HISTORY_DAYS`] days of snapshots, oldest first.
    pub history: Vec<Snapshot>,
    /// Per metric watched by a threshold, its forecast to the configured critical level.
    pub forecasts: Vec<(Metric, MetricForecast)>,
    /// Every metric's 3/6/12-month projection (scenarios are added per request:
    /// [`crate::Projections::with_scenarios`]).
    pub projections: crate::Projections,
    /// Every metric's series fitted once: a level that is not configured is asked of it.
    fits: Vec<(Metric, std::result::Result<FittedHistory, NoEstimate>)>,
}

impl Outlook {
    /// Fits everything on `history` (oldest first) against the critical levels of `thresholds`.
    pub fn compute(history: Vec<Snapshot>, thresholds: &health::Thresholds) -> Outlook {
        let fits = fit_each(&history);
        let forecasts = Metric::with_thresholds()
            .map(|(metric, watched)| {
                (metric, asked(&history, &fits, metric, thresholds.levels(watched).critical))
            })
            .collect();
        let projections = crate::projections::projections_of(&history, &fits, Vec::new());
        Outlook { history, forecasts, projections, fits }
    }

    /// The snapshots of the last `days` days up to `today` (inclusive), oldest first.
    pub fn last_days(&self, today: Date, days: i64) -> &[Snapshot] {
        let from = today - Duration::days(days);
        let start = self.history.partition_point(|s| s.snapshot_date < from);
        &self.history[start..]
    }

    /// When `metric` reaches `threshold`: the precomputed forecast when it is the configured
    /// level, else asked now of the metric's fitted series (no refit).
    pub fn forecast(&self, metric: Metric, threshold: f64) -> MetricForecast {
        match self.precomputed(metric, threshold) {
            Some(cached) => cached.clone(),
            None => asked(&self.history, &self.fits, metric, threshold),
        }
    }

    /// The forecast of `metric` to `threshold` if it was computed with the outlook.
    pub fn precomputed(&self, metric: Metric, threshold: f64) -> Option<&MetricForecast> {
        self.forecasts.iter().find(|(m, f)| *m == metric && f.threshold == threshold).map(|(_, f)| f)
    }
}

/// When `metric` reaches `threshold`, asked of its series among `fits` (fitted now if absent).
fn asked(
    history: &[Snapshot],
    fits: &[(Metric, std::result::Result<FittedHistory, NoEstimate>)],
    metric: Metric,
    threshold: f64,
) -> MetricForecast {
    match fits.iter().find(|(m, _)| *m == metric) {
        Some((_, fitted)) => forecast_fitted(history, metric, threshold, fitted),
        None => forecast_metric(history, metric, threshold),
    }
}
