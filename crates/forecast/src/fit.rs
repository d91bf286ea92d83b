//! Days until a metric reaches a threshold, from its daily history.
//!
//! Three candidate models are fitted, and the one with the smallest rolling-origin backtest error
//! is used:
//! - **linear**: least squares, as Prometheus' `predict_linear`;
//! - **log-linear**: least squares on `ln(value)`, i.e. steady exponential growth;
//! - **damped trend**: Holt's linear method with a damped trend (φ < 1), parameters chosen by
//!   grid search on one-step errors; growth that slows down levels off.
//!
//! Backtest: for every origin from half the history on (at most the last 60), fit on the points
//! before it and forecast the next (up to) 7 points; the error is the mean absolute percentage error over all of them.
//! Intervals: the days on which the upper and the lower prediction band cross the threshold
//! (normal quantiles: 80 % = ±1.2816 σ, 95 % = ±1.96 σ). Linear and log-linear use the exact
//! least-squares prediction variance; the damped trend uses σ√h from its one-step residuals, an
//! approximation that widens with the horizon.

use crate::round;
use serde::Serialize;

/// Fewer snapshots than this give no estimate.
pub const MIN_POINTS: usize = 7;
/// Crossings further out than this many days are "beyond the horizon".
pub const HORIZON_DAYS: u32 = 3_650;
const Z80: f64 = 1.2816;
const Z95: f64 = 1.96;
const BACKTEST_STEPS: usize = 7;

/// A fitting method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Least-squares line.
    Linear,
    /// Least-squares line through the logarithms (exponential growth).
    LogLinear,
    /// Holt's damped trend.
    DampedTrend,
}

const METHODS: [Method; 3] = [Method::Linear, Method::LogLinear, Method::DampedTrend];

/// An interval of days from the last observation; `high` is `None` beyond [`HORIZON_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Earliest plausible day.
    pub low: f64,
    /// Latest plausible day.
    pub high: Option<f64>,
}

/// One method's answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Candidate {
    /// The method.
    pub method: Method,
    /// Its rolling-origin backtest error, mean absolute percentage error.
    pub backtest_mape_percent: f64,
    /// Days from the last observation until its mean forecast reaches the threshold.
    pub days: Option<f64>,
    /// 80 % interval of that day.
    pub interval_80: Option<Interval>,
    /// 95 % interval.
    pub interval_95: Option<Interval>,
}

/// The estimate: the best candidate's figures, and all candidates for transparency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaysUntil {
    /// Days from the last observation (0 when the threshold is already reached).
    pub days: f64,
    /// 80 % interval.
    pub interval_80: Interval,
    /// 95 % interval.
    pub interval_95: Interval,
    /// The chosen method (smallest backtest error).
    pub method: Method,
    /// Its backtest error.
    pub backtest_mape_percent: f64,
    /// Observations used.
    pub points: usize,
    /// Every method that could be fitted.
    pub candidates: Vec<Candidate>,
}

/// Why there is no estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoEstimate {
    /// For people.
    pub reason: String,
    /// Observations available.
    pub points: usize,
}

/// Estimates when `series` (one value per day, oldest first, consecutive days) reaches
/// `threshold`.
pub fn days_until_threshold(series: &[f64], threshold: f64) -> Result<DaysUntil, NoEstimate> {
    let points = series.len();
    if points < MIN_POINTS {
        return Err(NoEstimate {
            reason: format!("{points} daily snapshots; at least {MIN_POINTS} are needed"),
            points,
        });
    }
    let last = series[points - 1];
    let zero = Interval { low: 0.0, high: Some(0.0) };
    let candidates: Vec<Candidate> = METHODS
        .iter()
        .filter_map(|&method| {
            let model = Model::fit(method, series)?;
            let backtest_mape_percent = backtest(method, series)?;
            let (days, interval_80, interval_95) = if last >= threshold {
                (Some(0.0), Some(zero), Some(zero))
            } else {
                let crossing = |z: f64| crossing_day(&model, threshold, z);
                let interval = |z: f64| crossing(z).map(|low| Interval { low, high: crossing(-z) });
                (crossing(0.0), interval(Z80), interval(Z95))
            };
            Some(Candidate {
                method,
                backtest_mape_percent: round(backtest_mape_percent, 2),
                days: days.map(|d| round(d, 1)),
                interval_80: interval_80.map(round_interval),
                interval_95: interval_95.map(round_interval),
            })
        })
        .collect();
    // The best backtest among the methods whose forecast reaches the threshold; ties keep the
    // simpler method (METHODS order).
    let best = candidates
        .iter()
        .filter(|c| c.days.is_some())
        .min_by(|a, b| a.backtest_mape_percent.total_cmp(&b.backtest_mape_percent));
    match best {
        Some(&Candidate {
            method,
            backtest_mape_percent,
            days: Some(days),
            interval_80: Some(i80),
            interval_95: Some(i95),
        }) => Ok(DaysUntil {
            days: round(days, 1),
            interval_80: round_interval(i80),
            interval_95: round_interval(i95),
            method,
            backtest_mape_percent: round(backtest_mape_percent, 2),
            points,
            candidates,
        }),
        _ => Err(NoEstimate {
            reason: format!(
                "no growth towards {threshold} within {HORIZON_DAYS} days in the last {points} snapshots"
            ),
            points,
        }),
    }
}

/// A forecast value with its 80 % band. On the wire: `[low, expected, high]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Lower end of the 80 % band.
    pub low: f64,
    /// The expected value.
    pub expected: f64,
    /// Upper end of the 80 % band.
    pub high: f64,
}

impl Serialize for Band {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        [self.low, self.expected, self.high].serialize(serializer)
    }
}

/// The forecast `days_ahead` days after the last observation, for each of `days_ahead`, with its
/// 80 % band, by the best-backtesting method; for projections.
pub fn project(series: &[f64], days_ahead: &[u32]) -> Option<(Method, Vec<Band>)> {
    let best =
        METHODS.iter().filter_map(|&m| Some((m, backtest(m, series)?))).min_by(|a, b| a.1.total_cmp(&b.1))?.0;
    let model = Model::fit(best, series)?;
    let bands = days_ahead
        .iter()
        .map(|&days| {
            let h = f64::from(days);
            Band { low: model.band(h, -Z80), expected: model.band(h, 0.0), high: model.band(h, Z80) }
        })
        .collect();
    Some((best, bands))
}

/// A fitted model; `band(h, z)` is the forecast `h` days after the last observation at `z`
/// standard errors.
#[derive(Debug, Clone, Copy)]
enum Model {
    Line(LeastSquares),
    LogLine(LeastSquares),
    Damped { level: f64, trend: f64, phi: f64, sigma: f64 },
}

#[derive(Debug, Clone, Copy)]
struct LeastSquares {
    intercept: f64,
    slope: f64,
    sigma: f64,
    n: f64,
    x_mean: f64,
    sxx: f64,
    last_x: f64,
}

impl LeastSquares {
    fn fit(ys: impl Iterator<Item = f64>) -> Option<LeastSquares> {
        let ys: Vec<f64> = ys.collect();
        let n = ys.len() as f64;
        if ys.len() < 3 || ys.iter().any(|y| !y.is_finite()) {
            return None;
        }
        let x_mean = (n - 1.0) / 2.0;
        let y_mean = ys.iter().sum::<f64>() / n;
        let sxx: f64 = (0..ys.len()).map(|x| (x as f64 - x_mean).powi(2)).sum();
        let sxy: f64 = ys.iter().enumerate().map(|(x, y)| (x as f64 - x_mean) * (y - y_mean)).sum();
        let slope = sxy / sxx;
        let intercept = y_mean - slope * x_mean;
        let sse: f64 = ys.iter().enumerate().map(|(x, y)| (y - intercept - slope * x as f64).powi(2)).sum();
        let sigma = (sse / (n - 2.0)).sqrt();
        Some(LeastSquares { intercept, slope, sigma, n, x_mean, sxx, last_x: n - 1.0 })
    }

    fn band(&self, h: f64, z: f64) -> f64 {
        let x = self.last_x + h;
        let se = self.sigma * (1.0 + 1.0 / self.n + (x - self.x_mean).powi(2) / self.sxx).sqrt();
        self.intercept + self.slope * x + z * se
    }
}

impl Model {
    fn fit(method: Method, ys: &[f64]) -> Option<Model> {
        match method {
            Method::Linear => LeastSquares::fit(ys.iter().copied()).map(Model::Line),
            Method::LogLinear => {
                if ys.iter().any(|&y| y <= 0.0) {
                    return None;
                }
                LeastSquares::fit(ys.iter().map(|y| y.ln())).map(Model::LogLine)
            }
            Method::DampedTrend => fit_damped(ys),
        }
    }

    fn band(&self, h: f64, z: f64) -> f64 {
        match *self {
            Model::Line(ls) => ls.band(h, z),
            Model::LogLine(ls) => ls.band(h, z).exp(),
            Model::Damped { level, trend, phi, sigma } => {
                // Σ_{i=1..h} φ^i for whole and fractional h alike.
                let damping =
                    if (phi - 1.0).abs() < 1e-12 { h } else { phi * (1.0 - phi.powf(h)) / (1.0 - phi) };
                level + damping * trend + z * sigma * h.max(1.0).sqrt()
            }
        }
    }
}

fn fit_damped(ys: &[f64]) -> Option<Model> {
    if ys.len() < 3 {
        return None;
    }
    let mut best: Option<(f64, Model)> = None;
    for alpha in [0.2, 0.4, 0.6, 0.8, 0.95] {
        for beta in [0.05, 0.1, 0.2, 0.4] {
            for phi in [0.9, 0.95, 0.98] {
                let (mut level, mut trend) = (ys[0], ys[1] - ys[0]);
                let mut sse = 0.0;
                for &y in &ys[1..] {
                    let predicted = level + phi * trend;
                    sse += (y - predicted).powi(2);
                    let new_level = alpha * y + (1.0 - alpha) * predicted;
                    trend = beta * (new_level - level) + (1.0 - beta) * phi * trend;
                    level = new_level;
                }
                let sigma = (sse / (ys.len() - 1) as f64).sqrt();
                if best.as_ref().is_none_or(|(s, _)| sse < *s) {
                    best = Some((sse, Model::Damped { level, trend, phi, sigma }));
                }
            }
        }
    }
    best.map(|(_, model)| model)
}

/// Mean absolute percentage error of forecasts from rolling origins.
fn backtest(method: Method, ys: &[f64]) -> Option<f64> {
    // The last (at most) 60 origins: enough to rank the methods, and linear in the history length.
    let first_origin = (ys.len() / 2).max(ys.len().saturating_sub(60)).max(4);
    let (mut total, mut count) = (0.0, 0usize);
    for origin in first_origin..ys.len() {
        let model = Model::fit(method, &ys[..origin])?;
        for (step, actual) in ys[origin..].iter().take(BACKTEST_STEPS).enumerate() {
            let predicted = model.band(step as f64 + 1.0, 0.0);
            let scale = actual.abs().max(f64::EPSILON);
            total += (predicted - actual).abs() / scale * 100.0;
            count += 1;
        }
    }
    (count > 0).then(|| total / count as f64)
}

/// The first day (fractional, linear between whole days) on which the band at `z` reaches
/// `threshold`, within the horizon.
fn crossing_day(model: &Model, threshold: f64, z: f64) -> Option<f64> {
    let mut previous = model.band(0.0, z);
    if previous >= threshold {
        return Some(0.0);
    }
    for day in 1..=HORIZON_DAYS {
        let h = f64::from(day);
        let value = model.band(h, z);
        if value >= threshold {
            let fraction = if value > previous { (threshold - previous) / (value - previous) } else { 1.0 };
            return Some(h - 1.0 + fraction);
        }
        previous = value;
    }
    None
}

fn round_interval(i: Interval) -> Interval {
    Interval { low: round(i.low, 1), high: i.high.map(|h| round(h, 1)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(i: Interval, truth: f64) -> bool {
        i.low <= truth + 0.1 && i.high.is_none_or(|h| truth - 0.1 <= h)
    }

    /// y = 100 + 10·day for days 0..=29; 1,000 is reached on day 90, 61 days after the last.
    #[test]
    fn an_exact_line_is_found_by_the_linear_fit() {
        let series: Vec<f64> = (0..30).map(|d| 100.0 + 10.0 * f64::from(d)).collect();
        let estimate = days_until_threshold(&series, 1_000.0).unwrap();
        assert_eq!(estimate.method, Method::Linear);
        assert!((estimate.days - 61.0).abs() < 0.05, "{estimate:?}");
        assert!(contains(estimate.interval_80, 61.0) && contains(estimate.interval_95, 61.0), "{estimate:?}");
        assert_eq!(estimate.points, 30);
    }

    /// y = 100·1.02^day for days 0..=29; 1,000 is reached on day ln 10 / ln 1.02 = 116.28.
    #[test]
    fn an_exact_exponential_is_found_by_the_log_linear_fit() {
        let series: Vec<f64> = (0..30).map(|d| 100.0 * 1.02f64.powi(d)).collect();
        let truth = 10f64.ln() / 1.02f64.ln() - 29.0;
        let estimate = days_until_threshold(&series, 1_000.0).unwrap();
        assert_eq!(estimate.method, Method::LogLinear, "{estimate:?}");
        assert!((estimate.days - truth).abs() < 0.1, "{} vs {truth}", estimate.days);
        assert!(contains(estimate.interval_95, truth));
        let linear = estimate.candidates.iter().find(|c| c.method == Method::Linear).unwrap();
        assert!(linear.days.unwrap() > truth + 10.0, "a straight line underestimates exponential growth");
    }

    /// y = 1,000 + 50·day + uniform noise in ±60 (seeded) for 60 days; 10,000 is reached on day
    /// 180, 121 days after the last.
    #[test]
    fn a_noisy_line_has_an_interval_containing_the_true_crossing() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let series: Vec<f64> =
            (0..60).map(|d| 1_000.0 + 50.0 * f64::from(d) + rng.random_range(-60.0..60.0)).collect();
        let estimate = days_until_threshold(&series, 10_000.0).unwrap();
        assert!((estimate.days - 121.0).abs() < 5.0, "{estimate:?}");
        assert!(contains(estimate.interval_80, 121.0), "{estimate:?}");
        assert!(contains(estimate.interval_95, 121.0), "{estimate:?}");
        assert!(estimate.interval_95.low <= estimate.interval_80.low);
    }

    #[test]
    fn too_few_points_or_no_growth_give_a_reason() {
        let short = days_until_threshold(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 100.0).unwrap_err();
        assert_eq!(short.points, 6);
        assert!(short.reason.contains("at least 7"), "{}", short.reason);
        let flat = days_until_threshold(&[50.0; 30], 100.0).unwrap_err();
        assert!(flat.reason.contains("no growth"), "{}", flat.reason);
        let shrinking: Vec<f64> = (0..30).map(|d| 500.0 - f64::from(d)).collect();
        assert!(days_until_threshold(&shrinking, 1_000.0).is_err());
    }

    #[test]
    fn a_threshold_already_reached_is_zero_days_away() {
        let series: Vec<f64> = (0..10).map(|d| 100.0 + f64::from(d)).collect();
        assert_eq!(days_until_threshold(&series, 105.0).unwrap().days, 0.0);
    }

    #[test]
    fn projections_follow_the_best_fit() {
        let series: Vec<f64> = (0..30).map(|d| 100.0 + 10.0 * f64::from(d)).collect();
        let (method, bands) = project(&series, &[30]).unwrap();
        let Band { low, expected: mean, high } = bands[0];
        assert_eq!(method, Method::Linear);
        assert!((mean - 690.0).abs() < 1e-6 && low <= mean && mean <= high);
    }
}
