use super::*;
use rand::{Rng, SeedableRng};

fn contains(i: Interval, truth: f64) -> bool {
    i.low <= truth + 0.1 && i.high.is_none_or(|h| truth - 0.1 <= h)
}

/// y = 100 + 10·day for days 0..=29; 1,000 is reached on day 90, 61 days after the last.
#[test]
fn an_exact_line_is_found_by_a_linear_fit() {
    let series: Vec<f64> = (0..30).map(|d| 100.0 + 10.0 * f64::from(d)).collect();
    let estimate = days_until_threshold(&series, 1_000.0).unwrap();
    assert_eq!(estimate.method, Method::Linear, "{estimate:?}");
    assert!((estimate.days - 61.0).abs() < 0.05, "{estimate:?}");
    assert!(contains(estimate.interval_80, 61.0) && contains(estimate.interval_95, 61.0), "{estimate:?}");
    assert_eq!(estimate.points, 30);
}

/// y = 100·1.02^day for days 0..=59; 1,000 is reached on day ln 10 / ln 1.02 = 116.28.
#[test]
fn an_exact_exponential_is_found_by_the_log_linear_fit() {
    let series: Vec<f64> = (0..60).map(|d| 100.0 * 1.02f64.powi(d)).collect();
    let truth = 10f64.ln() / 1.02f64.ln() - 59.0;
    let estimate = days_until_threshold(&series, 1_000.0).unwrap();
    assert_eq!(estimate.method, Method::LogLinear, "{estimate:?}");
    assert!((estimate.days - truth).abs() < 0.1, "{} vs {truth}", estimate.days);
    assert!(contains(estimate.interval_95, truth));
    let linear = estimate.candidates.iter().find(|c| c.method == Method::Linear).unwrap();
    assert!(linear.days.unwrap() > truth + 10.0, "a straight line underestimates exponential growth");
}

/// Growth that slows down: y = 1,000 + 2,000·(1 − 0.98^day) for 120 days; 2,900 is reached on day
/// ln 0.05 / ln 0.98 = 148.3, 29.3 days after the last. A line through the whole history runs
/// past it, a line through the last weeks arrives early: the damped trend is the model that knows.
#[test]
fn a_slowing_growth_is_won_by_the_damped_trend() {
    let series: Vec<f64> = (0..120).map(|d| 1_000.0 + 2_000.0 * (1.0 - 0.98f64.powi(d))).collect();
    let truth = 0.05f64.ln() / 0.98f64.ln() - 119.0;
    let estimate = days_until_threshold(&series, 2_900.0).unwrap();
    assert_eq!(estimate.method, Method::DampedTrend, "{estimate:#?}");
    assert!((estimate.days - truth).abs() < 3.0, "{} vs {truth}", estimate.days);
    assert!(contains(estimate.interval_80, truth), "{estimate:?}");
    let recent = estimate.candidates.iter().find(|c| c.method == Method::LinearRecent).unwrap();
    assert!(recent.days.unwrap() < truth - 5.0, "{recent:?}");
}

/// Orders with busy weekends (+40 %) growing 5 a day: the weekly model is chosen, and it puts the
/// crossing on the right kind of day.
#[test]
fn a_weekly_pattern_is_won_by_the_seasonal_model() {
    let value = |d: i32| (1_000.0 + 5.0 * f64::from(d)) * if d % 7 >= 5 { 1.4 } else { 1.0 };
    let series: Vec<f64> = (0..84).map(value).collect();
    let estimate = days_until_threshold(&series, 2_100.0).unwrap();
    assert_eq!(estimate.method, Method::Seasonal, "{estimate:#?}");
    // The first day at or above 2,100 after day 83.
    let truth = (84..400).find(|&d| value(d) >= 2_100.0).unwrap() - 83;
    assert!((estimate.days - f64::from(truth)).abs() <= 1.0, "{} vs {truth}", estimate.days);
}

/// A bulk import of 20,000 products on day 40 does not make the trend 10× steeper.
#[test]
fn a_level_shift_does_not_wreck_the_fit() {
    let mut series: Vec<f64> = (0..60).map(|d| 10_000.0 + 50.0 * f64::from(d)).collect();
    for v in &mut series[40..] {
        *v += 20_000.0;
    }
    series[10] = f64::NAN;
    series[25] = f64::NAN;
    // Now 32,950, growing 50 a day: 35,000 is 41 days away.
    let estimate = days_until_threshold(&series, 35_000.0).unwrap();
    assert!((estimate.days - 41.0).abs() < 1.0, "{estimate:#?}");
    assert!(estimate.notes.iter().any(|n| n.contains("level shift")), "{:?}", estimate.notes);
    assert!(estimate.notes.iter().any(|n| n.contains("2 missing")), "{:?}", estimate.notes);
}

/// A random walk with drift, cut after 60 days, 200 times, asked when it reaches the value it
/// really had 14–60 days later. Measured at this commit: the 80 % interval holds the truth in
/// 85 % of the 189 cases and the 95 % one in 93 % (before the intervals took the backtest's
/// crossing days into account: 72 % and 81 %; first passages of a noisy walk come early). The
/// bounds guard that from getting worse, or much wider than it says.
#[test]
fn intervals_cover_about_as_often_as_they_say() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let (mut cases, mut in80, mut in95) = (0, 0, 0);
    for _ in 0..200 {
        let drift = rng.random_range(5.0..20.0);
        let noise = drift * rng.random_range(0.5..3.0);
        let mut y = 1_000.0;
        let path: Vec<f64> = (0..200)
            .map(|_| {
                y += drift + noise * (rng.random_range(-1.0f64..1.0) + rng.random_range(-1.0f64..1.0));
                y
            })
            .collect();
        let ahead = rng.random_range(14..60);
        let level = path[59 + ahead];
        // The truth: the first day at or above the level after the cut.
        let Some(truth) = (60..200).find(|&d| path[d] >= level).map(|d| (d - 59) as f64) else { continue };
        if path[59] >= level {
            continue;
        }
        let Ok(estimate) = days_until_threshold(&path[..60], level) else { continue };
        cases += 1;
        in80 += usize::from(contains(estimate.interval_80, truth));
        in95 += usize::from(contains(estimate.interval_95, truth));
    }
    let (c80, c95) = (in80 as f64 / cases as f64, in95 as f64 / cases as f64);
    assert!(cases >= 150, "{cases}");
    assert!((0.76..=0.92).contains(&c80), "80 % interval covered {c80:.2} of {cases}");
    assert!((0.88..=0.99).contains(&c95), "95 % interval covered {c95:.2} of {cases}");
    assert!(c95 > c80);
}

/// Random walks without a trend, each asked from 60 days about levels fixed in advance a few
/// steps above the last value: the answers are intervals without a late end ("from day N, or
/// never"), whichever model answers. Such an interval can only miss early, so its early end is a
/// one-sided quantile: of the 80 % ones, 80 % should hold (the series does not reach the level
/// before they open, as far as it goes), not the 90 % a two-sided early end gives. Here: 82 % of
/// 441 (95 %: 95 % of 446); with the two-sided early end 89 %.
#[test]
fn open_intervals_hold_about_as_often_as_they_say() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(29);
    let (mut cases, mut held) = ([0usize; 2], [0usize; 2]);
    for _ in 0..150 {
        let step = rng.random_range(2.0..10.0);
        let mut y = 1_000.0;
        let path: Vec<f64> = (0..260)
            .map(|_| {
                y += step * (rng.random_range(-1.0f64..1.0) + rng.random_range(-1.0f64..1.0));
                y
            })
            .collect();
        for k in [2.0, 4.0, 8.0] {
            let level = path[59] + k * step;
            let intervals = match days_until_threshold(&path[..60], level) {
                Ok(answer) => [Some(answer.interval_80), Some(answer.interval_95)],
                Err(none) => [none.interval_80, none.interval_95],
            };
            let truth = (60..260).find(|&d| path[d] >= level).map(|d| (d - 59) as f64);
            for (i, interval) in intervals.into_iter().enumerate() {
                let Some(interval) = interval.filter(|i| i.high.is_none() && i.low <= 200.0) else {
                    continue;
                };
                cases[i] += 1;
                held[i] += usize::from(truth.is_none_or(|t| t + 0.5 >= interval.low));
            }
        }
    }
    let [c80, c95] = [0, 1].map(|i| held[i] as f64 / cases[i] as f64);
    assert!(cases[0] >= 200, "{cases:?}");
    assert!((0.72..=0.86).contains(&c80), "80 % open intervals held {c80:.2} of {}", cases[0]);
    assert!((0.88..=0.99).contains(&c95), "95 % open intervals held {c95:.2} of {}", cases[1]);
}

/// A history fitted once answers every level and projection as fitting it again would (the
/// outlook asks levels that are not configured of the fits it keeps).
#[test]
fn a_fitted_history_answers_like_a_fresh_fit() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let series: Vec<f64> =
        (0..120).map(|d| 500.0 + 3.0 * f64::from(d) + rng.random_range(-20.0..20.0)).collect();
    let fitted = FittedHistory::new(&series).unwrap();
    for level in [400.0, 900.0, 1_500.0, 1e9] {
        assert_eq!(fitted.days_until(level), days_until_threshold(&series, level), "{level}");
    }
    assert_eq!(fitted.project(&[91, 365]), project(&series, &[91, 365]));
    assert!(FittedHistory::new(&series[..6]).unwrap_err().reason.contains("at least 7"));
}

#[test]
fn too_few_points_or_no_growth_give_a_reason() {
    let short = days_until_threshold(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 100.0).unwrap_err();
    assert_eq!(short.points, 6);
    assert!(short.reason.contains("at least 7"), "{}", short.reason);
    let flat = days_until_threshold(&[50.0; 30], 100.0).unwrap_err();
    assert!(flat.reason.contains("does not reach"), "{}", flat.reason);
    assert_eq!((short.interval_80, flat.interval_80), (None, None), "nothing fitted; no error at all");
    let shrinking: Vec<f64> = (0..30).map(|d| 500.0 - f64::from(d)).collect();
    assert!(days_until_threshold(&shrinking, 1_000.0).is_err());
}

/// A noisy series drifting down, asked about a level a little above it: no model reaches it, but
/// its error bands say it may be reached (from some day on, or never): an open interval.
#[test]
fn a_falling_series_may_still_reach_a_level_its_bands_reach() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let series: Vec<f64> = (0..60).map(|d| 1_000.0 - f64::from(d) + rng.random_range(-40.0..40.0)).collect();
    let none = days_until_threshold(&series, 1_000.0).unwrap_err();
    assert!(none.reason.contains("does not reach") && none.reason.contains("interval opens"), "{none:?}");
    let (i80, i95) = (none.interval_80.unwrap(), none.interval_95.unwrap());
    assert!(i80.low > 0.0 && i80.high.is_none() && i95.high.is_none(), "{none:?}");
    assert!(i95.low <= i80.low, "the 95 % band is wider: {none:?}");
}

/// US real GDP, 1963–1970 (quarters as days; `benches/data/tuning`): steady growth with a dip in
/// the last three points. The damped trend backtests best and flattens below a level a quarter
/// of the history's range above the last value; the series reached it 8 points later. The line
/// through the whole history, which has not been slowing, bounds how late the interval opens.
#[test]
fn a_flattening_model_does_not_delay_a_still_growing_series() {
    let series = [
        3141.087, 3180.447, 3240.332, 3264.967, 3338.246, 3376.587, 3422.469, 3431.957, 3516.251, 3563.96,
        3636.285, 3724.014, 3815.423, 3828.124, 3853.301, 3884.52, 3918.74, 3919.556, 3950.826, 3980.97,
        4063.013, 4131.998, 4160.267, 4178.293, 4244.1, 4256.46, 4283.378, 4263.261, 4256.573, 4264.289,
    ];
    let none = days_until_threshold(&series, 4_549.862).unwrap_err();
    assert!(none.reason.contains("(DampedTrend) does not reach"), "{none:?}");
    assert!(
        none.reason
            .contains("has not been slowing, and the line through all of it reaches the level in 5 days"),
        "{none:?}"
    );
    let (i80, i95) = (none.interval_80.unwrap(), none.interval_95.unwrap());
    assert!(i80.low <= 8.0 && i80.high.is_none() && i95.low <= i80.low, "{none:?}");
}

/// Growth that has levelled off (the damped trend's series) asked about a level above where it
/// levels: the whole-history line reaches it within 15 days, but the history has been slowing,
/// so the flattening model's answer stands: beyond noise, no interval.
#[test]
fn a_slowing_series_keeps_its_flattening_answer() {
    let series: Vec<f64> = (0..120).map(|d| 1_000.0 + 2_000.0 * (1.0 - 0.98f64.powi(d))).collect();
    let line = Model::fit(Method::Linear, &series).unwrap();
    assert!(crossing_day(series[119], 3_100.0, 1, |h| line.forecast(h)).is_some_and(|d| d < 15.0));
    let none = days_until_threshold(&series, 3_100.0).unwrap_err();
    assert!(
        none.reason.contains("(DampedTrend) does not reach") && !none.reason.contains("line"),
        "{none:?}"
    );
    assert!(none.reason.contains("only a change of trend would reach it"), "{none:?}");
    assert_eq!((none.interval_80, none.interval_95), (None, None), "{none:?}");
}

/// A steady series asked about a level a thousand times higher, which its line never reaches
/// within 10 years: no interval (noise does not go that far), and the reason says why.
#[test]
fn a_level_far_beyond_noise_gets_no_open_interval() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let series: Vec<f64> = (0..90).map(|d| 400.0 + f64::from(d) + rng.random_range(-2.0..2.0)).collect();
    let none = days_until_threshold(&series, 475_000.0).unwrap_err();
    assert!(none.reason.contains("only a change of trend would reach it"), "{none:?}");
    assert_eq!((none.interval_80, none.interval_95), (None, None), "{none:?}");
}

#[test]
fn a_threshold_already_reached_is_zero_days_away() {
    let series: Vec<f64> = (0..10).map(|d| 100.0 + f64::from(d)).collect();
    let estimate = days_until_threshold(&series, 105.0).unwrap();
    assert_eq!((estimate.days, estimate.interval_80), (0.0, Interval { low: 0.0, high: Some(0.0) }));
}

#[test]
fn projections_follow_the_best_fit_with_bands_that_widen() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let series: Vec<f64> =
        (0..90).map(|d| 100.0 + 10.0 * f64::from(d) + rng.random_range(-5.0..5.0)).collect();
    let (method, bands) = project(&series, &[30, 91]).unwrap();
    assert!(matches!(method, Method::Linear | Method::LinearRecent | Method::DampedTrend), "{method:?}");
    let (month, quarter) = (bands[0], bands[1]);
    assert!((month.expected - 1_290.0).abs() < 20.0, "{month:?}");
    assert!(month.low < month.expected && month.expected < month.high);
    assert!(quarter.high - quarter.low > month.high - month.low, "{month:?} {quarter:?}");
}

/// A perfect line has no backtest error, but its projection 100 days out still holds a pace 20 %
/// off: the forecast for 82 and 122 days (100·e^∓0.2).
#[test]
fn projections_hold_a_pace_twenty_percent_off() {
    let series: Vec<f64> = (0..30).map(|d| 100.0 + 10.0 * f64::from(d)).collect();
    let (_, bands) = project(&series, &[100]).unwrap();
    let band = bands[0];
    assert!((band.expected - 1_390.0).abs() < 1e-6, "{band:?}");
    assert!(band.low <= 390.0 + 10.0 * 82.0 + 1e-6 && band.high >= 390.0 + 10.0 * 122.0 - 1e-6, "{band:?}");
}
