//! How wrong each model is out of sample, by horizon: a rolling-origin backtest on the series
//! itself, and the error quantiles (split-conformal style) that become the intervals.
//!
//! Errors are logarithmic (`ln(actual / forecast)`) for positive series, so an interval is a
//! factor around the forecast; otherwise they are absolute, in units of the series' mean
//! magnitude. The 80 % and 95 % quantiles of |error| per horizon bucket (1, 2–3, 4–7, 8–15 …
//! days; split-conformal ranks) are fitted by a power law `c·h^γ`, so the width grows with the
//! horizon as the backtest says. Beyond the longest horizon the history could check, the width
//! keeps growing at least as the horizon to the power 2.5 (chosen on the tuning series of
//! `examples/backtest.rs`): honest widening.
//!
//! The crossing day itself is checked too: at each origin, every level the series went on to
//! reach is asked of the model fitted before it, and `ln(true day / forecast day)` is recorded.
//! The quantiles of these ratios, among the questions whose forecast day was nearest the one
//! asked, give a second interval of the day (it sees what value errors cannot: a line that is
//! consistently slow on an accelerating series); the answer's interval holds both.
//!
//! A model that is wrong in one direction (a curve on a straight series, a damped trend on one
//! that keeps growing) shows it in the backtest as errors of one sign; such a model's errors
//! grow faster out of sample than its backtest can show, so it is not chosen
//! ([`Backtest::bias_near`]).

use super::clean::median;
use super::models::{Method, Model};

/// Backtest origins at most (evenly spaced over the last two thirds of the history).
const ORIGINS: usize = 30;
/// A horizon bucket needs this many errors to give a quantile.
const MIN_ERRORS: usize = 3;
/// Beyond the longest horizon the backtest checked, the error quantile grows at least as the
/// horizon to this power (on the tuning series, 1.5 → 2.5 raised the 80 % coverage of 30-point
/// histories from 58 to 65 % on GDP and 78 to 85 % on population; 3.0 added nothing).
const BEYOND: f64 = 2.5;
/// The first origin leaves at least this many points to fit on.
const MIN_TRAIN: usize = 5;
/// A backtest crossing question is followed this many times the days the backtest saw (beyond:
/// recorded at that cap).
const CAP_FACTOR: usize = 20;
/// The crossing ratios an interval is taken from, at least (the nearest in forecast day).
const MIN_CROSSINGS: usize = 10;
/// Beyond the longest crossing the backtest saw, the crossing interval widens by this times
/// ln(day / longest) on each side (tuning series: 1.0 → 1.5 raised GDP's 95 % coverage at 90
/// points from 85 to 88 %; population unchanged) ...
const CROSSING_BEYOND: f64 = 1.5;
/// ... up to this many times the longest (at most a factor 4^1.5 = 8 either way at 80 %): the
/// coverage on the tuning and held-out series is the same as with no limit, and a six-year
/// extrapolation from six months does not get an early end of a few weeks.
const CROSSING_FARTHEST: f64 = 4.0;

/// How errors are measured for a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scale {
    /// `ln(actual / forecast)`: every value is positive.
    Log,
    /// `(actual − forecast) / unit`.
    Absolute(f64),
}

impl Scale {
    pub(crate) fn of(values: &[f64]) -> Scale {
        if values.iter().all(|v| *v > 0.0) {
            Scale::Log
        } else {
            let unit = values.iter().map(|v| v.abs()).sum::<f64>() / values.len().max(1) as f64;
            Scale::Absolute(unit.max(f64::MIN_POSITIVE))
        }
    }

    /// How far `actual` is from `forecast` in this scale's units.
    pub(crate) fn error(self, actual: f64, forecast: f64) -> f64 {
        match self {
            // A forecast at or below zero of a positive series is as wrong as it gets.
            Scale::Log if forecast <= 0.0 => 5.0,
            Scale::Log => (actual / forecast).ln(),
            Scale::Absolute(unit) => (actual - forecast) / unit,
        }
    }

    /// `forecast` moved by `error` (in this scale's units).
    pub(crate) fn apply(self, forecast: f64, error: f64) -> f64 {
        match self {
            Scale::Log if forecast > 0.0 => forecast * error.exp(),
            Scale::Log => forecast,
            Scale::Absolute(unit) => forecast + error * unit,
        }
    }

    /// An error as a percentage of the forecast (for people).
    pub(crate) fn percent(self, error: f64) -> f64 {
        match self {
            Scale::Log => (error.exp() - 1.0) * 100.0,
            Scale::Absolute(_) => error * 100.0,
        }
    }
}

/// The out-of-sample errors of one method: (horizon in days, signed error).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Backtest {
    pub errors: Vec<(u32, f64)>,
    /// The crossing questions the history answered, as (ln of the day the model fitted before
    /// the origin said a level would be reached, ln(true day / that day)), by the first.
    crossings: Vec<(f64, f64)>,
    /// The longest true crossing day among them (at least 1).
    longest_crossing: f64,
}

impl Backtest {
    /// Refits `model` (fitted by `method` on all of `values`) at up to [`ORIGINS`] origins and
    /// forecasts every later point.
    pub(crate) fn run(method: Method, model: &Model, values: &[f64], scale: Scale) -> Option<Backtest> {
        let n = values.len();
        let first = (n / 3).max(MIN_TRAIN);
        if first + 1 >= n {
            return None;
        }
        let span = n - 1 - first;
        let count = span.min(ORIGINS - 1);
        let (mut errors, mut crossings) = (Vec::new(), Vec::new());
        for k in 0..=count {
            let origin = first + (span * k).checked_div(count).unwrap_or(0);
            let Some(model) = model.refit(method, &values[..origin]) else { continue };
            for (step, actual) in values[origin..].iter().enumerate() {
                let h = step as u32 + 1;
                errors.push((h, scale.error(*actual, model.forecast(h))));
            }
            crossings.extend(crossing_questions(&model, values[origin - 1], &values[origin..]));
        }
        (!errors.is_empty()).then(|| Backtest::new(errors, crossings))
    }

    /// The median |error| at horizons near `h` (within half to twice it; the longest horizons
    /// checked when none are that far).
    pub(crate) fn error_near(&self, h: f64) -> f64 {
        median(&self.near(h).iter().map(|e| e.abs()).collect::<Vec<_>>())
    }

    /// The median signed error and how one-sided the errors at horizons near `h` are
    /// (|median error| / median |error|: 0 for balanced errors, 1 when all have one sign).
    pub(crate) fn bias_near(&self, h: f64) -> (f64, f64) {
        let near = self.near(h);
        let (bias, spread) = (median(&near), median(&near.iter().map(|e| e.abs()).collect::<Vec<_>>()));
        (bias, if spread > 0.0 { bias.abs() / spread } else { 0.0 })
    }

    /// The signed errors at horizons within half to twice `h`; the longest horizons checked when
    /// fewer than [`MIN_ERRORS`] are that far.
    fn near(&self, h: f64) -> Vec<f64> {
        let near: Vec<f64> = self
            .errors
            .iter()
            .filter(|(eh, _)| f64::from(*eh) >= h / 2.0 && f64::from(*eh) <= h * 2.0)
            .map(|(_, e)| *e)
            .collect();
        if near.len() >= MIN_ERRORS {
            return near;
        }
        let mut longest: Vec<&(u32, f64)> = self.errors.iter().collect();
        longest.sort_by_key(|(eh, _)| std::cmp::Reverse(*eh));
        longest.iter().take(MIN_ERRORS.max(near.len())).map(|(_, e)| *e).collect()
    }

    /// A backtest of these value errors and crossing questions ((forecast day, true day)).
    pub(crate) fn new(errors: Vec<(u32, f64)>, questions: Vec<(f64, f64)>) -> Backtest {
        let longest_crossing = questions.iter().map(|q| q.1).fold(1.0, f64::max);
        let mut crossings: Vec<(f64, f64)> = questions.iter().map(|(p, t)| (p.ln(), (t / p).ln())).collect();
        crossings.sort_by(|a, b| a.0.total_cmp(&b.0));
        Backtest { errors, crossings, longest_crossing }
    }

    /// The intervals of `ln(true day / forecast day)` at 80 % and at 95 % for a forecast crossing
    /// `days` away, from the backtest questions whose forecast day was nearest (within half to
    /// twice it, at least [`MIN_CROSSINGS`]); each holds 0, and widens by `widen` ×
    /// [`CROSSING_BEYOND`] × ln(days / longest) beyond the longest crossing the backtest saw (at
    /// most [`CROSSING_FARTHEST`] times it; `widen` in 0..=1). `None` without questions.
    pub(crate) fn crossing_bands(
        &self,
        days: f64,
        widen: f64,
        coverages: [f64; 2],
    ) -> Option<[(f64, f64); 2]> {
        let x = days.ln();
        let all = &self.crossings;
        let (mut lo, mut hi) = (
            all.partition_point(|c| c.0 < x - std::f64::consts::LN_2),
            all.partition_point(|c| c.0 <= x + std::f64::consts::LN_2),
        );
        // Too few within a factor of two: the nearest ones, on whichever side is nearer.
        while hi - lo < MIN_CROSSINGS && (lo > 0 || hi < all.len()) {
            let below = (lo > 0).then(|| x - all[lo - 1].0);
            let above = all.get(hi).map(|c| c.0 - x);
            match (below, above) {
                (Some(b), Some(a)) if b <= a => lo -= 1,
                (Some(_), None) => lo -= 1,
                _ => hi += 1,
            }
        }
        if hi == lo {
            return None;
        }
        let mut ratios: Vec<f64> = all[lo..hi].iter().map(|c| c.1).collect();
        ratios.sort_by(f64::total_cmp);
        let extra =
            widen * CROSSING_BEYOND * (days / self.longest_crossing).clamp(1.0, CROSSING_FARTHEST).ln();
        Some(coverages.map(|coverage| {
            let (low, high) = two_sided(&ratios, coverage);
            (low.min(0.0) - extra, high.max(0.0) + extra)
        }))
    }

    fn buckets(&self) -> Vec<Bucket> {
        let mut by_bucket: std::collections::BTreeMap<u32, Vec<(u32, f64)>> = Default::default();
        for &(h, e) in &self.errors {
            by_bucket.entry(h.ilog2()).or_default().push((h, e));
        }
        by_bucket
            .into_values()
            .filter(|errors| errors.len() >= MIN_ERRORS)
            .map(|errors| {
                let mid =
                    (errors.iter().map(|(h, _)| f64::from(*h).ln()).sum::<f64>() / errors.len() as f64).exp();
                let longest = errors.iter().map(|(h, _)| *h).max().unwrap_or(1);
                Bucket { mid, longest, errors }
            })
            .collect()
    }

    /// The bias line and the error quantiles at `coverage` (e.g. 0.8), or `None` without any
    /// calibrated horizon.
    pub(crate) fn quantiles(&self, coverage: f64) -> Option<Quantiles> {
        let buckets = self.buckets();
        let reach = f64::from(buckets.last()?.longest);
        let points: Vec<(f64, f64, f64)> = buckets
            .iter()
            .map(|b| {
                let mut spread: Vec<f64> = b.errors.iter().map(|(_, e)| e.abs()).collect();
                spread.sort_by(f64::total_cmp);
                (b.mid.ln(), conformal(&spread, coverage).max(1e-9).ln(), spread.len() as f64)
            })
            .collect();
        let (intercept, gamma) = match points.as_slice() {
            [(x, y, _)] => (y - x, 1.0),
            _ => {
                let weight: f64 = points.iter().map(|p| p.2).sum();
                let x_mean = points.iter().map(|p| p.0 * p.2).sum::<f64>() / weight;
                let y_mean = points.iter().map(|p| p.1 * p.2).sum::<f64>() / weight;
                let sxx: f64 = points.iter().map(|p| p.2 * (p.0 - x_mean).powi(2)).sum();
                let sxy: f64 = points.iter().map(|p| p.2 * (p.0 - x_mean) * (p.1 - y_mean)).sum();
                let gamma = if sxx > 0.0 { (sxy / sxx).clamp(0.3, 1.5) } else { 1.0 };
                (y_mean - gamma * x_mean, gamma)
            }
        };
        Some(Quantiles { intercept, gamma, reach, floor: None })
    }
}

/// Every level the series reached after the origin (`after`), asked of the model fitted before
/// it (whose last point was `last`): (its crossing day, the true first day), days after the
/// origin. A level the model does not reach within [`CAP_FACTOR`] times the days checked is
/// recorded at that cap.
fn crossing_questions(model: &Model, last: f64, after: &[f64]) -> Vec<(f64, f64)> {
    let cap = (CAP_FACTOR * after.len()).min(super::HORIZON_DAYS as usize);
    // Running maxima, (value, highest so far), so the first day a level is reached is found by
    // bisection: the series, and the forecast path followed until it passes the series' highest.
    let mut top = last;
    let reached: Vec<(f64, f64)> = after
        .iter()
        .map(|&value| {
            top = top.max(value);
            (value, top)
        })
        .collect();
    let highest = top;
    let mut path = Vec::new();
    let mut top = last;
    for h in 1..=cap as u32 {
        if top >= highest {
            break;
        }
        let value = model.forecast(h);
        top = top.max(value);
        path.push((value, top));
    }
    after
        .iter()
        .filter(|level| **level > last)
        .map(|&level| {
            let truth = reached.partition_point(|(_, top)| *top < level) + 1;
            let day = path.partition_point(|(_, top)| *top < level);
            let forecast = match path.get(day) {
                None => cap as f64,
                Some(&(value, _)) => {
                    let previous = if day == 0 { last } else { path[day - 1].0 };
                    day as f64 + super::fraction_of_day(previous, value, level)
                }
            };
            (forecast.max(0.05), truth as f64)
        })
        .collect()
}

/// The split-conformal two-sided interval of sorted values at `coverage`: the
/// ⌊(m+1)·α/2⌋-th and ⌈(m+1)·(1−α/2)⌉-th smallest (the extremes when the sample is too small).
fn two_sided(sorted: &[f64], coverage: f64) -> (f64, f64) {
    let m = sorted.len();
    let tail = (1.0 - coverage) / 2.0;
    let low = (((m + 1) as f64 * tail).floor() as usize).clamp(1, m);
    let high = (((m + 1) as f64 * (1.0 - tail)).ceil() as usize).clamp(1, m);
    (sorted[low - 1], sorted[high - 1])
}

struct Bucket {
    mid: f64,
    longest: u32,
    errors: Vec<(u32, f64)>,
}

/// The split-conformal quantile of sorted absolute errors: the ⌈(m+1)·coverage⌉-th smallest (the
/// largest when the sample is too small for that rank).
fn conformal(sorted: &[f64], coverage: f64) -> f64 {
    let rank = ((sorted.len() + 1) as f64 * coverage).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// |error| not exceeded with the chosen coverage, by horizon: `exp(intercept)·h^γ` up to `reach`
/// days, growing at least linearly beyond.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quantiles {
    intercept: f64,
    gamma: f64,
    /// The longest horizon the backtest checked.
    pub reach: f64,
    /// Another quantile law (intercept, γ) this one never falls below.
    floor: Option<(f64, f64)>,
}

impl Quantiles {
    /// This law, never below `other` times `factor`.
    pub(crate) fn at_least(self, other: &Quantiles, factor: f64) -> Quantiles {
        Quantiles { floor: Some((other.intercept + factor.ln(), other.gamma)), ..self }
    }

    /// The error to add to a forecast `h` days ahead: `sign` (−1, 0 or +1) times the quantile.
    pub(crate) fn offset(&self, h: f64, sign: f64) -> f64 {
        sign * self.at(h)
    }

    fn at(&self, h: f64) -> f64 {
        let own = law(self.intercept, self.gamma, self.reach, h);
        self.floor.map_or(own, |(intercept, gamma)| own.max(law(intercept, gamma, self.reach, h)))
    }
}

/// `exp(intercept)·h^γ` up to `reach`, growing at least as h^[`BEYOND`] beyond.
fn law(intercept: f64, gamma: f64, reach: f64, h: f64) -> f64 {
    let h = h.max(1.0);
    let within = (intercept + gamma * h.min(reach).ln()).exp();
    if h <= reach { within } else { within * (h / reach).powf(gamma.max(BEYOND)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conformal_rank_and_a_widening_power_law() {
        let sorted: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(conformal(&sorted, 0.8), 8.0); // ⌈10·0.8⌉ = 8th
        assert_eq!(conformal(&sorted, 0.95), 9.0); // ⌈9.5⌉ = 10 > 9: the largest
        // Errors of ±0.01·h: no bias, a spread growing as h (γ = 1) up to the 40 days checked,
        // and at least as h^BEYOND beyond.
        let backtest = Backtest {
            errors: (1..=40)
                .flat_map(|h| [0.01, -0.01, 0.01, -0.01].map(|e| (h, e * f64::from(h))))
                .collect(),
            crossings: Vec::new(),
            longest_crossing: 1.0,
        };
        let q = backtest.quantiles(0.8).unwrap();
        assert!((q.gamma - 1.0).abs() < 0.05, "{q:?}");
        assert!((q.at(40.0) / q.at(20.0) - 2.0).abs() < 0.1, "{q:?}");
        assert!((q.at(100.0) / q.at(50.0) - 2f64.powf(BEYOND)).abs() < 0.01, "{q:?}");
        assert!(backtest.bias_near(20.0).1 < 1e-9, "balanced");
        let biased = Backtest {
            errors: backtest.errors.iter().map(|&(h, e)| (h, e + 0.02 * f64::from(h))).collect(),
            ..backtest.clone()
        };
        assert!(biased.bias_near(20.0).1 > 0.9, "every error above");
        assert_eq!(q.reach, 40.0);
        // A floor from another law: never below it, the law itself where it is wider.
        let floored = q.at_least(&q, 2.0);
        for h in [1.0, 20.0, 40.0, 100.0] {
            assert!((floored.offset(h, 1.0) - 2.0 * q.offset(h, 1.0)).abs() < 1e-9, "{h}");
        }
        assert_eq!(q.at_least(&q, 0.5).offset(20.0, 1.0), q.offset(20.0, 1.0));
    }

    /// A model half as fast as the series: every level it reaches on day 2·t, the series on day
    /// t; the crossing band says "the truth comes at half the forecast day".
    #[test]
    fn crossing_questions_record_the_forecast_and_the_true_day() {
        let slow = Model::Line { start: 100.0, slope: 5.0, log: false };
        let after: Vec<f64> = (1..=20).map(|d| 100.0 + 10.0 * f64::from(d)).collect();
        let questions = crossing_questions(&slow, 100.0, &after);
        assert_eq!(questions.len(), 20);
        for (i, (forecast, truth)) in questions.iter().enumerate() {
            let day = (i + 1) as f64;
            assert_eq!(*truth, day);
            assert!((forecast - 2.0 * day).abs() < 1e-9, "{forecast} for level of day {day}");
        }
        // A level the model never reaches is recorded at the cap; a level at or below the last
        // point is no question.
        let flat = Model::Line { start: 100.0, slope: 0.0, log: false };
        let capped = crossing_questions(&flat, 100.0, &[90.0, 100.0, 120.0]);
        assert_eq!(capped, vec![(60.0, 3.0)]);

        let backtest = Backtest::new(vec![(1, 0.0)], questions);
        let [(low, high), _] = backtest.crossing_bands(20.0, 1.0, [0.8, 0.95]).unwrap();
        assert!((low - 0.5f64.ln()).abs() < 1e-9 && high.abs() < 1e-9, "{low} {high}");
        // Four times further than the longest true day (20): widened by 1.5·ln 4 on each side,
        // and no more further out.
        let [(far_low, far_high), _] = backtest.crossing_bands(80.0, 1.0, [0.8, 0.95]).unwrap();
        assert_eq!(backtest.crossing_bands(800.0, 1.0, [0.8, 0.95]).unwrap()[0], (far_low, far_high));
        let extra = CROSSING_BEYOND * 4f64.ln();
        assert!((far_low - (0.5f64.ln() - extra)).abs() < 1e-9 && (far_high - extra).abs() < 1e-9);
        // Half the widening when asked for half.
        let [(half_low, _), _] = backtest.crossing_bands(80.0, 0.5, [0.8, 0.95]).unwrap();
        assert!((half_low - (0.5f64.ln() - extra / 2.0)).abs() < 1e-9, "{half_low}");
    }
}
