//! Days until a metric reaches a threshold, and projections, from its daily history, with
//! intervals that mean what they say.
//!
//! 1. **Prepare** ([`clean`]): missing days filled, a level shift (a bulk import) taken out of the
//!    trend, a one-day outlier ignored; each said in `notes`.
//! 2. **Candidates** ([`models`]): a least-squares line (whole history, and the last 28 days as
//!    Prometheus' `predict_linear`), a log-linear line (exponential growth), Holt's damped trend,
//!    and Holt-Winters with a 7-day season.
//! 3. **Backtest** ([`calibration`]): each candidate is fitted at up to 30 origins over the last two
//!    thirds of the history and forecasts every later day; its errors by horizon are its record.
//! 4. **Choice by the horizon in question**: each candidate's point forecast gives a crossing day;
//!    their median (within what the backtest could check) is the horizon the question is about,
//!    and the candidate with the smallest median error at horizons near it wins (ties: the simpler).
//! 5. **Intervals**: the winner's forecast moved up and down by its own error quantiles at each
//!    horizon (80 % and 95 %, split-conformal); the early end of an interval is where the upper
//!    band reaches the level, the late end where the lower band does (none within 10 years: open).
//!    An interval without a late end (also one further out than twice what the history could
//!    check) can only miss early, so its early end comes from one-sided quantiles: at 80 % the
//!    truth comes earlier one time in five, not one in ten.
//!    Beyond the longest horizon the history could check, the bands widen at least as the
//!    horizon to the power 2.5, and a note says so.
//! 6. **Crossing days**: the backtest also asks every level the series went on to reach of the
//!    model fitted before it; the quantiles of ln(true day / forecast day) near the day in
//!    question (widened beyond the longest crossing it saw) give a second interval of the day,
//!    and the answer's interval holds both (value errors miss a model that is a few percent off
//!    in value but consistently late in days). When the level lies many typical errors away,
//!    the trend, not noise, carries the series there, and that band's widening beyond what the
//!    backtest saw is scaled down (by min(1, 20 / distance)).
//! 7. **A floor**: every 80 % interval holds at least the estimate × e^±0.2: a
//!    backtest inside the history cannot see a change of pace after it.
//! 8. **No estimate** when the chosen model never reaches the level within 10 years; its open
//!    interval (from the day the upper band reaches the level) only when noise could carry the
//!    series there (within 50 typical backtest errors). A model that flattens below the level
//!    claims the growth stops; while the history has not been slowing, that claim does not
//!    move the earliest plausible day past the whole-history line's.

mod calibration;
mod clean;
mod models;

use serde::Serialize;

use crate::round;
use calibration::{Backtest, Quantiles, Scale};
use clean::median;
use models::Model;
pub use models::{Method, RECENT_DAYS};

/// Fewer snapshots than this give no estimate.
pub const MIN_POINTS: usize = 7;
/// The backtest quantiles behind the 80 % and 95 % intervals. Higher than nominal: the
/// backtest's errors come from one history, its origins share data, and the crossing day is a
/// first passage (a noisy series touches a level before its forecast does); these values are the
/// ones `examples/backtest.rs` found calibrated on the training series (see
/// docs/operations/capacity-monitoring.md).
const BAND_80: f64 = 0.86;
const BAND_95: f64 = 0.975;
/// A level this many typical backtest errors (at the horizon in question) away from the last
/// value is reached by the trend, not by noise: the crossing band's widening beyond the checked
/// horizon is scaled by min(1, this / distance). On the tuning series' trend-driven questions
/// (distance 30 and more) beyond the checked horizon, the truth lay within the estimate ×
/// e^-0.37 … e^0.08 in 80 % of cases while the full widening put the early end a median 4.6
/// times before the estimate: covered 99 %; with this scale 81 % (`scripts/forecast-regimes.py`,
/// docs/operations/capacity-monitoring.md).
const TREND_DRIVEN: f64 = 20.0;
/// Every 80 % interval holds at least the estimate × e^±this (the 95 % one
/// [`TAIL_95_OVER_80`] times as much): a backtest inside the history cannot see a change of pace
/// after it (US population in the 1990s), and the tuning series' trend-driven questions within
/// the checked horizon were covered 59 % without it, 77 % with it.
const MIN_SPREAD: f64 = 0.2;
/// A level the chosen model never reaches and more than this many typical backtest errors (at
/// the checked horizon) away gets no interval: noise does not go that far, and the widened bands
/// reaching it years out mean nothing (they said a 1,139-fold growth of a steady series was
/// possible in 190 days). On the tuning series: distance of the coverages from nominal at 30
/// points 13.5 → 12.7 (20: 14.2, 100: 13.1), at 90 points unchanged.
const BEYOND_NOISE: f64 = 50.0;
/// z(0.975) / z(0.9): how much wider a normal 95 % band is than an 80 % one.
const TAIL_95_OVER_80: f64 = 1.96 / 1.2816;
/// z(0.95) / z(0.8): the same for one-sided bands.
const ONE_SIDED_95_OVER_80: f64 = 1.645 / 0.8416;
/// A history whose second half grew at least this fraction as fast as the whole (least-squares
/// slopes) has not been slowing: a model that flattens below a level does not push the open
/// interval's early end past the whole-history line's. On the tuning series' growth (US GDP,
/// 30 points), the open intervals of "no estimate" answers to levels fixed in advance held 30 %
/// without this bound, 65 % with it; the cyclic series' moved by 0-4 points (`examples/backtest.rs`).
const STILL_GROWING: f64 = 0.5;
/// How much smaller a more complex candidate's backtest error must be to replace a fair one.
const MARGIN: f64 = 0.3;
/// A candidate whose errors near the horizon are more one-sided than this is not chosen.
const ONE_SIDED: f64 = 0.5;
/// Crossings further out than this many days are "beyond the horizon".
pub const HORIZON_DAYS: u32 = 3_650;

/// An interval of days from the last observation. `high` is `None` (open: "from day `low`, or
/// later, or never") when the lower error band does not reach the level within [`HORIZON_DAYS`]
/// or the day lies further than twice what the history could check; such an interval can only
/// miss early, so its `low` is one-sided (at 80 % the level comes earlier about one time in five;
/// with a late end, about one in ten on each side).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Earliest plausible day.
    pub low: f64,
    /// Latest plausible day; `None`: open.
    pub high: Option<f64>,
}

/// One method's answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Candidate {
    /// The method.
    pub method: Method,
    /// Its median absolute error in the backtest at horizons near the one in question, % of the
    /// forecast: what the choice is made on.
    pub backtest_error_percent: f64,
    /// Days from the last observation until its forecast reaches the threshold.
    pub days: Option<f64>,
    /// 80 % interval of that day (open further out than twice what the history could check, as
    /// the answer's).
    pub interval_80: Option<Interval>,
    /// 95 % interval.
    pub interval_95: Option<Interval>,
}

/// The estimate: the chosen candidate's figures, all candidates, and what to know about them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaysUntil {
    /// Days from the last observation (0 when the threshold is already reached).
    pub days: f64,
    /// 80 % interval.
    pub interval_80: Interval,
    /// 95 % interval.
    pub interval_95: Interval,
    /// The chosen method.
    pub method: Method,
    /// Its backtest error near the horizon in question, % of the forecast.
    pub backtest_error_percent: f64,
    /// The horizon (days) the candidates were compared at: the median of their answers, within
    /// what the backtest could check.
    pub scored_at_days: f64,
    /// The longest horizon (days) the history let the backtest check; intervals beyond it are
    /// wider than the backtest shows (much wider when the level is within noise's reach).
    pub calibrated_up_to_days: u32,
    /// Observations used.
    pub points: usize,
    /// What was done to the history and how far to trust the answer.
    pub notes: Vec<String>,
    /// Every method that could be fitted.
    pub candidates: Vec<Candidate>,
}

/// Why there is no estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoEstimate {
    /// For people.
    pub reason: String,
    /// Observations available.
    pub points: usize,
    /// When the best-checked model does not reach the threshold but its 80 % band does: from the
    /// day the band's upper end reaches it, with an open late end (the level may be reached that
    /// early, or not at all; one-sided, so the truth comes earlier about one time in five). While
    /// the history has not been slowing and the whole-history line reaches the level, it opens no
    /// later than the line's own 80 % interval (also when the band itself stays below). `None` when nothing was fitted, when neither reaches the level, or
    /// when the level lies further than noise goes (50 typical backtest errors) and the line does
    /// not bound it.
    pub interval_80: Option<Interval>,
    /// The same for the 95 % band.
    pub interval_95: Option<Interval>,
}

impl NoEstimate {
    fn without_interval(reason: String, points: usize) -> NoEstimate {
        NoEstimate { reason, points, interval_80: None, interval_95: None }
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

/// One fitted and backtested candidate.
#[derive(Debug, Clone, PartialEq)]
struct Fitted {
    method: Method,
    model: Model,
    backtest: Backtest,
    q80: Quantiles,
    q95: Quantiles,
    /// The quantiles of an interval with an open late end (one-sided: all the miss is early).
    open80: Quantiles,
    open95: Quantiles,
}

impl Fitted {
    /// The forecast `h` days ahead corrected by the backtest's bias, moved by `sign` (−1, 0, +1)
    /// times the error quantile `q`.
    fn band(&self, scale: Scale, h: u32, q: &Quantiles, sign: f64) -> f64 {
        scale.apply(self.model.forecast(h), q.offset(f64::from(h), sign))
    }
}

/// A daily history with every candidate fitted and backtested (the costly part, milliseconds):
/// ask it when any level comes ([`FittedHistory::days_until`]) and what it projects
/// ([`FittedHistory::project`]) without fitting again. [`days_until_threshold`] and [`project`]
/// fit and ask once.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedHistory {
    /// Observations given.
    points: usize,
    values: Vec<f64>,
    scale: Scale,
    notes: Vec<String>,
    fits: Vec<Fitted>,
}

impl FittedHistory {
    /// Fits `series` (one value per day, oldest first, consecutive days; NaN for a missing day);
    /// no estimate with fewer than [`MIN_POINTS`] values or when no model could be checked.
    pub fn new(series: &[f64]) -> Result<FittedHistory, NoEstimate> {
        let points = series.len();
        if points < MIN_POINTS {
            return Err(NoEstimate::without_interval(
                format!("{points} daily snapshots; at least {MIN_POINTS} are needed"),
                points,
            ));
        }
        let prepared = clean::prepare(series);
        let scale = Scale::of(&prepared.values);
        let fits: Vec<Fitted> = Method::ALL
            .iter()
            .filter_map(|&method| {
                let model = Model::fit(method, &prepared.values)?;
                let backtest = Backtest::run(method, &model, &prepared.values, scale)?;
                let q80 = backtest.quantiles(BAND_80)?;
                // A few dozen errors cannot resolve a 95 % tail (the rank runs past the largest):
                // at least the width a normal tail would have next to the 80 % band.
                let q95 = backtest.quantiles(BAND_95)?.at_least(&q80, TAIL_95_OVER_80);
                // One-sided: |error| at 2c − 1 leaves the whole 1 − c on the early side (symmetric
                // errors).
                let open80 = backtest.quantiles(2.0 * BAND_80 - 1.0)?;
                let open95 = backtest.quantiles(2.0 * BAND_95 - 1.0)?.at_least(&open80, ONE_SIDED_95_OVER_80);
                Some(Fitted { method, model, backtest, q80, q95, open80, open95 })
            })
            .collect();
        if fits.is_empty() {
            return Err(NoEstimate::without_interval(
                format!("no model could be checked on {points} snapshots"),
                points,
            ));
        }
        Ok(FittedHistory { points, values: prepared.values, scale, notes: prepared.notes, fits })
    }

    /// The longest horizon any candidate's backtest checked.
    fn reach(&self) -> f64 {
        self.fits.iter().map(|f| f.q80.reach).fold(1.0, f64::max)
    }

    /// The candidate to answer with, judged on the backtest near `horizon` days. The simplest
    /// (a line) stands unless it is beaten: by any candidate with a smaller error when its own
    /// errors are one-sided (it is plainly the wrong shape), otherwise only by [`MARGIN`]; small
    /// differences in a backtest are noise, and picking the luckiest of five makes its intervals
    /// too narrow. A candidate whose own errors are one-sided by more than a quarter of the line's
    /// error is never picked (its error grows out of sample faster than the backtest shows).
    fn best_at(&self, horizon: f64) -> (usize, f64) {
        let h = horizon.clamp(1.0, self.reach());
        let scores: Vec<f64> = self.fits.iter().map(|f| f.backtest.error_near(h)).collect();
        let sided = self.one_sided(h);
        let mut best = 0;
        for i in 1..scores.len() {
            let margin = match (sided[best], self.fits[i].method) {
                (true, _) => 0.0,
                // Exponential growth only when a line is plainly the wrong shape: on a noisy
                // straight series the log-linear curve backtests well and then runs away.
                (false, Method::LogLinear) => continue,
                (false, _) => MARGIN,
            };
            if !sided[i] && scores[i] < scores[best] * (1.0 - margin) {
                best = i;
            }
        }
        (best, h)
    }

    /// How many of `f`'s typical backtest errors (the median near `h` days) the level lies above
    /// the last value: far (the trend carries the series there) or within noise's reach.
    fn distance(&self, f: &Fitted, last: f64, threshold: f64, h: f64) -> f64 {
        self.scale.error(threshold, last) / f.backtest.error_near(h)
    }

    /// Whether the history has not been slowing: its second half grew at least [`STILL_GROWING`]
    /// times as fast as `line`, the whole history's fitted line, and that grows.
    fn still_growing(&self, line: &Model) -> bool {
        let slope = |line: Option<Model>| match line {
            Some(Model::Line { slope, .. }) => slope,
            _ => 0.0,
        };
        let whole = slope(Some(*line));
        let second_half = Model::fit(Method::Linear, &self.values[self.values.len() / 2..]);
        whole > 0.0 && slope(second_half) >= STILL_GROWING * whole
    }

    /// For each candidate: are its backtest errors near `h` one-sided, by enough to matter next
    /// to the line's own error?
    fn one_sided(&self, h: f64) -> Vec<bool> {
        let line = self.fits[0].backtest.error_near(h);
        self.fits
            .iter()
            .map(|f| f.backtest.bias_near(h))
            .map(|(bias, ratio)| ratio > ONE_SIDED && bias.abs() > 0.25 * line)
            .collect()
    }
}

/// Estimates when `series` (one value per day, oldest first, consecutive days; NaN for a missing
/// day) reaches `threshold` from below (0 days when its last value is already at or above it).
/// [`NoEstimate`] with fewer than [`MIN_POINTS`] values, when no model could be checked, or when
/// the best-checked model does not reach the level within [`HORIZON_DAYS`] (then perhaps with an
/// open interval). Fits every candidate: to ask many levels of one history, see [`FittedHistory`].
pub fn days_until_threshold(series: &[f64], threshold: f64) -> Result<DaysUntil, NoEstimate> {
    FittedHistory::new(series)?.days_until(threshold)
}

/// The forecast `days_ahead` days after the last observation, for each of `days_ahead`, with its
/// calibrated 80 % band (at least the forecast for e^±0.2 times the horizon: a pace 20 % off), by
/// the candidate that backtests best near those horizons.
pub fn project(series: &[f64], days_ahead: &[u32]) -> Option<(Method, Vec<Band>)> {
    FittedHistory::new(series).ok()?.project(days_ahead)
}

impl FittedHistory {
    /// When the history reaches `threshold` (see [`days_until_threshold`]).
    pub fn days_until(&self, threshold: f64) -> Result<DaysUntil, NoEstimate> {
        let points = self.points;
        let last = *self.values.last().unwrap_or(&0.0);
        let reached = last >= threshold;
        let crossing_from = |f: &Fitted, q: &Quantiles, sign: f64, from: u32| {
            if reached {
                Some(0.0)
            } else {
                crossing_day(last, threshold, from, |h| f.band(self.scale, h, q, sign))
            }
        };
        let crossing = |f: &Fitted, q: &Quantiles, sign: f64| crossing_from(f, q, sign, 1);
        // Two views of the day, and each interval holds both: where the value bands reach the level
        // (the upper one first: the early end), and the forecast `day` moved by the backtest's ratios
        // of true to forecast crossing days (the 95 % ratios at least [`TAIL_95_OVER_80`] times the
        // 80 % ones on each side). `k`: 0 for the 80 % interval, 1 for the 95 % one. `open`: the
        // one-sided quantiles of an interval without a late end, looked for from the day the
        // two-sided band reached the level (the one-sided band is the narrower one in practice;
        // the early end is kept no earlier than the two-sided one in any case). Also returns the
        // day the value band reached the level.
        let interval = |f: &Fitted, day: Option<f64>, k: usize, open: Option<f64>| {
            let (q, coverages, tail) = match open {
                None => ([&f.q80, &f.q95][k], [0.8, 0.95], TAIL_95_OVER_80),
                Some(_) => ([&f.open80, &f.open95][k], [0.6, 0.9], ONE_SIDED_95_OVER_80),
            };
            let from = open.map_or(1, |band| band.max(1.0) as u32);
            let band = crossing_from(f, q, 1.0, from)?;
            // An open interval's late end is not looked for (up to ten years of days).
            let mut i =
                Interval { low: band, high: if open.is_some() { None } else { crossing(f, q, -1.0) } };
            if let Some(day) = day.filter(|d| *d > 0.0) {
                // How many typical errors away the level is: far means the trend carries the series
                // there, and the crossing band's extrapolation is scaled down.
                let distance = self.distance(f, last, threshold, day);
                let widen = if distance > TREND_DRIVEN { TREND_DRIVEN / distance } else { 1.0 };
                let ratios =
                    f.backtest.crossing_bands(day, widen, coverages).map(|[(low, high), (low95, high95)]| {
                        [(low, high), (low95.min(tail * low), high95.max(tail * high))]
                    });
                let spread = [MIN_SPREAD, TAIL_95_OVER_80 * MIN_SPREAD].map(|s| (-s, s));
                for (low, high) in ratios.map(|r| r[k]).into_iter().chain([spread[k]]) {
                    i.low = i.low.min(day * low.exp());
                    i.high = i.high.map(|h| h.max(day * high.exp()));
                }
            }
            Some((i, band))
        };
        // An interval without a late end (the lower band never reaches the level, or the day is
        // further than twice what the history could check) can only miss early, so its early end is
        // the one-sided quantile: "from day N" at 80 % holds 80 %, not 90 %.
        let intervals = |f: &Fitted, day: Option<f64>| {
            let unbounded = day.is_some_and(|d| d > 2.0 * f.q80.reach);
            let [i80, i95] = [0, 1].map(|k| {
                let (closed, band) = interval(f, day, k, None)?;
                if !unbounded && closed.high.is_some() {
                    return Some(closed);
                }
                // Never earlier than the two-sided early end (the one-sided quantiles are narrower).
                // (The two-sided end when the one-sided band never reaches the level.)
                let low =
                    interval(f, day, k, Some(band)).map_or(closed.low, |(open, _)| open.low.max(closed.low));
                Some(Interval { low, high: None })
            });
            (i80.map(round_interval), i95.map(round_interval))
        };
        let point_days: Vec<Option<f64>> = self.fits.iter().map(|f| crossing(f, &f.q80, 0.0)).collect();
        let horizon =
            median(&point_days.iter().map(|d| d.unwrap_or(f64::from(HORIZON_DAYS))).collect::<Vec<_>>());
        let (best, scored_at) = self.best_at(horizon);
        let candidates: Vec<Candidate> = self
            .fits
            .iter()
            .zip(&point_days)
            .map(|(f, days)| {
                let (interval_80, interval_95) = intervals(f, *days);
                Candidate {
                    method: f.method,
                    backtest_error_percent: round(self.scale.percent(f.backtest.error_near(scored_at)), 2),
                    days: days.map(|d| round(d, 1)),
                    interval_80,
                    interval_95,
                }
            })
            .collect();
        let chosen = &candidates[best];
        let (Some(days), Some(interval_80), Some(interval_95)) =
            (chosen.days, chosen.interval_80, chosen.interval_95)
        else {
            // The chosen model flattens below the level: it claims the growth stops. While the history
            // has not been slowing, the whole-history line, which reaches the level, bounds how late
            // the interval may open (a damped or adaptive model flattening after a dip in steady
            // growth is the case).
            let line = self
                .fits
                .iter()
                .zip(&candidates)
                .find(|(f, c)| f.method == Method::Linear && c.days.is_some())
                .filter(|(f, _)| self.still_growing(&f.model))
                .map(|(_, c)| c);
            let bounded = |i: Option<Interval>, by: Option<Interval>| match (i, by) {
                (Some(i), Some(by)) => Some(Interval { low: i.low.min(by.low), ..i }),
                (i, by) => i.or(by),
            };
            let (interval_80, interval_95) = (
                bounded(chosen.interval_80, line.and_then(|l| l.interval_80)),
                bounded(chosen.interval_95, line.and_then(|l| l.interval_95)),
            );
            // Otherwise only noise could carry the series to a level its model never reaches; when
            // the level is further than noise goes, the bands reaching it (far out, widened) mean
            // nothing.
            let f = &self.fits[best];
            let distance = self.distance(f, last, threshold, f.q80.reach);
            let beyond_noise = distance > BEYOND_NOISE && line.is_none();
            let open =
                |i: Option<Interval>| i.filter(|_| !beyond_noise).map(|i| Interval { high: None, ..i });
            let early = if beyond_noise {
                Some(if distance.is_finite() {
                    format!(
                        "; the level is {distance:.0} typical backtest errors away: only a change of trend would reach it"
                    )
                } else {
                    "; the series is steady (no backtest error): only a change of trend would reach the level"
                        .to_owned()
                })
            } else {
                open(interval_80).map(|i| match line.and_then(|l| l.days) {
                Some(d) => format!(
                    "; the history has not been slowing, and the line through all of it reaches the level in {d:.0} days: the 80 % interval opens in {:.0} days",
                    i.low
                ),
                None => format!("; its 80 % interval opens in {:.0} days", i.low),
            })
            };
            return Err(NoEstimate {
                reason: format!(
                    "the best-checked model ({:?}) does not reach {threshold} within {} years of the last {points} snapshots{}",
                    chosen.method,
                    HORIZON_DAYS / 365,
                    early.unwrap_or_default()
                ),
                points,
                interval_80: open(interval_80),
                interval_95: open(interval_95),
            });
        };
        let mut notes = self.notes.clone();
        // Model uncertainty: candidates that backtest nearly as well (within twice the chosen one's
        // error) but answer differently widen both intervals to their answers; not those whose errors
        // are one-sided (plainly the wrong shape, as in the choice).
        let limit = 2.0 * chosen.backtest_error_percent.abs().max(0.5);
        let sided = self.one_sided(scored_at);
        let rivals: Vec<f64> = candidates
            .iter()
            .zip(&sided)
            .filter(|(c, sided)| !**sided && c.backtest_error_percent.abs() <= limit)
            .filter_map(|(c, _)| c.days)
            .collect();
        let widen = |i: Interval| Interval {
            low: rivals.iter().copied().fold(i.low, f64::min),
            high: i.high.map(|h| rivals.iter().copied().fold(h, f64::max)),
        };
        let (interval_80, interval_95) = (widen(interval_80), widen(interval_95));
        // (Further out than twice what the history could check, the interval is already open.)
        let reach = self.fits[best].q80.reach;
        if rivals
            .iter()
            .any(|d| *d < interval_80.low + 0.05 || interval_80.high.is_some_and(|h| *d > h - 0.05))
        {
            notes.push(
                "models that backtest nearly as well disagree; the intervals include their answers"
                    .to_owned(),
            );
        }
        if !reached && interval_80.high.is_none_or(|h| h > reach) {
            notes.push(format!(
            "the history checks forecasts up to {reach:.0} days ahead; beyond, the interval is wider than its backtest shows"
        ));
        }
        if chosen.backtest_error_percent.abs() > 50.0 {
            notes.push(format!(
            "erratic history: forecasts {scored_at:.0} days ahead were off by a median {:.0} % in the backtest; treat this as rough",
            chosen.backtest_error_percent.abs()
        ));
        }
        Ok(DaysUntil {
            days,
            interval_80,
            interval_95,
            method: chosen.method,
            backtest_error_percent: chosen.backtest_error_percent,
            scored_at_days: round(scored_at, 1),
            calibrated_up_to_days: reach as u32,
            points,
            notes,
            candidates,
        })
    }

    /// The forecast for each of `days_ahead` (see [`project`]).
    pub fn project(&self, days_ahead: &[u32]) -> Option<(Method, Vec<Band>)> {
        let middle = median(&days_ahead.iter().map(|d| f64::from(*d)).collect::<Vec<_>>());
        let (best, _) = self.best_at(middle);
        let f = &self.fits[best];
        let bands = days_ahead
            .iter()
            .map(|&h| {
                let at = |h: u32, sign: f64| f.band(self.scale, h.max(1), &f.q80, sign);
                let (mut low, expected, mut high) = (at(h, -1.0), at(h, 0.0), at(h, 1.0));
                // The floor of the crossing intervals, in values: the band holds what the forecast
                // says for e^±MIN_SPREAD times the horizon (a pace 20 % off).
                for scaled in [-MIN_SPREAD, MIN_SPREAD].map(|s| (f64::from(h) * s.exp()).round() as u32) {
                    let value = at(scaled, 0.0);
                    (low, high) = (low.min(value), high.max(value));
                }
                Band { low, expected, high }
            })
            .collect();
        Some((f.method, bands))
    }
}

/// The first day (fractional, linear between whole days) on which `at(day)` reaches `threshold`,
/// starting from `last` at day 0, within the horizon; looked for from day `from` on (1: all).
fn crossing_day(last: f64, threshold: f64, from: u32, at: impl Fn(u32) -> f64) -> Option<f64> {
    let mut previous = if from > 1 { at(from - 1) } else { last };
    for day in from.max(1)..=HORIZON_DAYS {
        let value = at(day);
        if value >= threshold {
            return Some(f64::from(day) - 1.0 + fraction_of_day(previous, value, threshold));
        }
        previous = value;
    }
    None
}

/// How far into the day from `previous` to `value` (which reaches `threshold`) the threshold is
/// crossed, linearly: 0..=1.
fn fraction_of_day(previous: f64, value: f64, threshold: f64) -> f64 {
    if value > previous { ((threshold - previous) / (value - previous)).clamp(0.0, 1.0) } else { 1.0 }
}

fn round_interval(i: Interval) -> Interval {
    Interval { low: round(i.low, 1), high: i.high.map(|h| round(h, 1)) }
}

#[cfg(test)]
mod tests;
