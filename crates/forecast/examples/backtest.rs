//! How well `forecast::days_until_threshold` predicts the day a real series reaches a level, and
//! how often its intervals hold the truth, next to Prometheus' `predict_linear`.
//!
//! ```sh
//! cargo run --release -p forecast --example backtest -- crates/forecast/benches/data/held-out/*.csv
//! cargo run --release -p forecast --example backtest -- crates/forecast/benches/data/tuning/*.csv
//! ```
//!
//! The held-out series are the result; the tuning series are the ones the calibration constants
//! were chosen on (`crates/forecast/benches/data/SOURCES.md`).
//!
//! Each file is one value per line, or a CSV with a `value` column; each value counts as one day
//! (`nan` for a missing one). For 10 cut-offs (or `BACKTEST_CUTS`) spread over each series,
//! histories of 30 and 90 points before the cut, and horizons of 14, 30, 60 and 90 days: the level is the series' value
//! `horizon` days after the cut, and the truth is the first day after the cut on which the series
//! reaches it (a falling series is negated, so the question is always "when does it reach").
//! Printed per series and window: cases, the median of |estimate − truth| / truth for Orion and
//! for `predict_linear` (least squares over the same window, the crossing of its line extended
//! from the last point), and how often Orion's 80 % and 95 % intervals held the truth. A case
//! without an estimate (the chosen model does not reach the level within 10 years: a history
//! that falls before the series rises again) counts as an error of 1; its interval is the open
//! one the model's bands give (`NoEstimate::interval_80`/`_95`: from the day the upper band
//! reaches the level, or none), which holds the truth when it opens early enough. Their number
//! is printed, and the coverage among the cases whose true day lies within the horizon the
//! history could check (`calibrated_up_to_days`; beyond it the intervals are widened on
//! purpose and are mostly open). Last, per window: on how many series each target of the calibration issue holds
//! (80 % coverage 70–90 %, 95 % coverage 88–99 %, median error at most `predict_linear`'s), and
//! the mean distance of the coverages from 80 % and 95 % (what the tuning minimises).
//!
//! The table's levels are values the series went on to reach within 90 days, so for the answers
//! without an estimate it asks only about levels that came soon: their open intervals (which
//! say "not before this day, if at all") look worse there than they are. So the same cut-offs
//! also ask about levels fixed in advance, the last value plus 0.1, 0.25, 0.5 and 1 times the
//! history's range, and print for the answers without an estimate how often the open intervals
//! held (the series did not reach the level before they opened, as far as it goes), the same
//! among the levels reached within 90 days, and how many levels said to be beyond noise (no
//! interval) were reached within 90 days; and for the answered ones how often their intervals
//! held (a level never reached holds for an open late end, misses once the series runs past a
//! finite one) and how many had an open late end.
//!
//! How sure those coverages are: per series and window a 95 % bootstrap interval (the cut-offs
//! resampled with replacement), and what luck alone does to a perfectly calibrated method with
//! that many cases (binomial). `BACKTEST_CUTS=40` runs the same questions from 40 cut-offs (as
//! many distinct ones as a series allows): four times the cases, less luck.

use std::path::Path;

/// Cut-offs per series (`BACKTEST_CUTS` to try more: as many as the series allows, distinct).
const CUTS: usize = 10;
const WINDOWS: [usize; 2] = [30, 90];
const HORIZONS: [usize; 4] = [14, 30, 60, 90];

fn read(path: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.clone().next().unwrap_or_default();
    let column = if first.trim().parse::<f64>().is_ok() || first.trim().eq_ignore_ascii_case("nan") {
        0
    } else {
        lines.next();
        first.split(',').position(|c| c.trim().eq_ignore_ascii_case("value")).unwrap_or(0)
    };
    lines
        .map(|line| line.split(',').nth(column).unwrap_or("nan").trim().parse::<f64>().unwrap_or(f64::NAN))
        .collect()
}

/// `predict_linear`: least squares over `window`, the day its line reaches `level`.
fn predict_linear(window: &[f64], level: f64) -> Option<f64> {
    let points: Vec<(f64, f64)> =
        window.iter().enumerate().filter(|(_, y)| y.is_finite()).map(|(x, y)| (x as f64, *y)).collect();
    let n = points.len() as f64;
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let slope = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx;
    let at_last = my + slope * ((window.len() - 1) as f64 - mx);
    (slope > 0.0).then(|| ((level - at_last) / slope).max(0.0))
}

#[derive(Default)]
struct Tally {
    cases: usize,
    errors: Vec<f64>,
    baseline: Vec<f64>,
    in80: usize,
    in95: usize,
    none: usize,
    /// Cases whose truth lies within the horizon the history could check
    /// (`DaysUntil::calibrated_up_to_days`), and how many of them each interval held.
    checked: usize,
    checked80: usize,
    checked95: usize,
    /// Per cut-off: (cases, held by the 80 % interval, held by the 95 % one), for the bootstrap.
    per_cut: Vec<[usize; 3]>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    if values.is_empty() { f64::NAN } else { values[values.len() / 2] }
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: backtest FILE.csv…");
        std::process::exit(2);
    }
    println!(
        "| series | window | cases | no estimate | median error, Orion | median error, predict_linear | 80 % coverage | 95 % coverage | within the checked horizon: cases, 80 %, 95 % |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let inputs: Vec<(String, Vec<f64>)> = files
        .iter()
        .map(|file| {
            let name = Path::new(file).file_stem().map_or(file.clone(), |s| s.to_string_lossy().into_owned());
            (name, read(Path::new(file)))
        })
        .collect();
    // Per series and window: the cut-off spacing and the coverages' bootstrap intervals.
    let mut spread = Vec::new();
    // Per window: (80 % in range, 95 % in range, error at most the baseline's, distance, series).
    let mut targets = [(0, 0, 0, 0.0, 0); WINDOWS.len()];
    for (name, series, w, window, cuts) in windows(&inputs) {
        let mut tally = Tally::default();
        for &cut in &cuts {
            let before = [tally.cases, tally.in80, tally.in95];
            for horizon in HORIZONS {
                evaluate(name, series, cut, window, horizon, &mut tally);
            }
            let after = [tally.cases, tally.in80, tally.in95];
            tally.per_cut.push([0, 1, 2].map(|i| after[i] - before[i]));
        }
        spread.push((name.to_owned(), window, cuts[1] - cuts[0], bootstrap(&tally.per_cut)));
        let n = tally.cases as f64;
        let (in80, in95) = (100.0 * tally.in80 as f64 / n, 100.0 * tally.in95 as f64 / n);
        let (error, baseline) = (median(&mut tally.errors), median(&mut tally.baseline));
        let t = &mut targets[w];
        t.0 += usize::from((70.0..=90.0).contains(&in80));
        t.1 += usize::from((88.0..=99.0).contains(&in95));
        t.2 += usize::from(error <= baseline);
        t.3 += (in80 - 80.0).abs() + (in95 - 95.0).abs();
        t.4 += 1;
        println!(
            "| {name} | {window} | {} | {} | {:.3} | {:.3} | {:.0} % | {:.0} % | {}, {:.0} %, {:.0} % |",
            tally.cases,
            tally.none,
            error,
            baseline,
            in80,
            in95,
            tally.checked,
            100.0 * tally.checked80 as f64 / tally.checked.max(1) as f64,
            100.0 * tally.checked95 as f64 / tally.checked.max(1) as f64,
        );
    }
    println!();
    println!(
        "How sure each coverage is: 95 % bootstrap intervals, resampling the cut-offs (each with its {} horizons) {BOOTSTRAP} times. \
         Cut-offs closer than the window share most of their history, so where the spacing is small these intervals are too narrow.",
        HORIZONS.len()
    );
    println!();
    println!(
        "| series | window | cut-off spacing (points) | 80 % coverage, 95 % bootstrap interval | 95 % coverage, 95 % bootstrap interval |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, window, spacing, [(lo80, hi80), (lo95, hi95)]) in &spread {
        println!("| {name} | {window} | {spacing} | {lo80:.0}–{hi80:.0} % | {lo95:.0}–{hi95:.0} % |");
    }
    println!();
    println!(
        "Projection bands (`forecast::fit::project`, the 80 % band of the value 14/30/60/90 days after the cut):"
    );
    println!();
    println!("| series | window | cases | 80 % band held the value |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, series, _, window, cuts) in windows(&inputs) {
        let (cases, held) = projections_held(series, &cuts, window);
        println!("| {name} | {window} | {cases} | {:.0} % |", 100.0 * held as f64 / cases.max(1) as f64);
    }
    println!();
    println!(
        "Levels fixed in advance (last value + {LEVELS:?} × the history's range), the cases without an estimate: how often the open \
         intervals held (the series did not reach the level before they open; a level never reached counts when the series \
         runs past the early end), and the same among those reached within {} days (the selection the table above makes), with \
         the median of true day ÷ the day the 80 % interval opens (above 1: it opened early; an interval opening at once holds \
         everything); and how many answers without an interval (beyond noise, or not even the bands reach the level) were \
         reached within {} days.",
        HORIZONS[3], HORIZONS[3]
    );
    println!();
    println!(
        "| series | window | open intervals | 80 % held | 95 % held | of them reached within {0} days | 80 % held | truth ÷ opening day | no interval | reached within {0} days |",
        HORIZONS[3]
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let pct = |k: usize, n: usize| {
        if n == 0 { "-".to_owned() } else { format!("{:.0} %", 100.0 * k as f64 / n as f64) }
    };
    let mut fixed: Vec<(&str, usize, Open)> = windows(&inputs)
        .map(|(name, series, _, window, cuts)| (name, window, open_intervals(series, &cuts, window)))
        .collect();
    for (name, window, o) in &mut fixed {
        let earliness = if o.earliness.is_empty() {
            "-".to_owned()
        } else {
            format!("{:.1}", median(&mut o.earliness).exp())
        };
        println!(
            "| {name} | {window} | {} | {} | {} | {} | {} | {earliness} | {} | {} |",
            o.cases[0],
            pct(o.held[0], o.cases[0]),
            pct(o.held[1], o.cases[1]),
            o.reached,
            pct(o.reached_held, o.reached),
            o.none,
            o.none_reached
        );
    }
    println!();
    let open = fixed.iter().map(|(_, _, o)| (o.cases, o.held));
    println!("{}", mean_distance(open));
    println!();
    println!(
        "The same levels, the answered cases: how often the intervals held (reached within them; a level never reached holds \
         for an open late end once the series runs past the early end, and misses once it runs past a finite late end), how \
         many 80 % intervals had an open late end, and the 80 % coverage among the levels reached within {} days.",
        HORIZONS[3]
    );
    println!();
    println!(
        "| series | window | answered | 80 % held | 95 % held | open late end | reached within {} days | 80 % held |",
        HORIZONS[3]
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, window, o) in &fixed {
        println!(
            "| {name} | {window} | {} | {} | {} | {} | {} | {} |",
            o.answered[0],
            pct(o.answered_held[0], o.answered[0]),
            pct(o.answered_held[1], o.answered[1]),
            pct(o.answered_open, o.answered[0]),
            o.answered_reached[0],
            pct(o.answered_reached[1], o.answered_reached[0]),
        );
    }
    println!();
    println!("{}", mean_distance(fixed.iter().map(|(_, _, o)| (o.answered, o.answered_held))));
    println!();
    println!(
        "| window | series | 80 % in 70–90 % | 95 % in 88–99 % | error ≤ predict_linear | mean distance (points) |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for (window, (in80, in95, error, distance, series)) in WINDOWS.into_iter().zip(targets) {
        println!(
            "| {window} | {series} | {in80} | {in95} | {error} | {:.1} |",
            distance / series.max(1) as f64
        );
    }
    println!();
    println!(
        "What luck alone does: a perfectly calibrated method, with n independent cases per series, has its 80 % coverage in 70–90 % \
         (its 95 % coverage in 88–99 %) with probability p, and on at least 4 of 5 series with probability p⁵ + 5p⁴(1 − p). \
         The {} horizons of one cut-off share its history, so the independent cases lie between the cut-offs and the cases.",
        HORIZONS.len()
    );
    println!();
    println!("| n | 80 %: p | 80 %: 4 of 5 | 95 %: p | 95 %: 4 of 5 |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    let four_of_five = |p: f64| p.powi(5) + 5.0 * p.powi(4) * (1.0 - p);
    let cuts = cut_count();
    for n in [cuts, 2 * cuts, HORIZONS.len() * cuts] {
        let (p80, p95) = (chance(n, 0.8, 70.0, 90.0), chance(n, 0.95, 88.0, 99.0));
        println!("| {n} | {p80:.2} | {:.2} | {p95:.2} | {:.2} |", four_of_five(p80), four_of_five(p95));
    }
}

/// Every series and window (its index in [`WINDOWS`] and its length) with its cut-offs, leaving
/// out the windows a series is too short for.
fn windows(inputs: &[(String, Vec<f64>)]) -> impl Iterator<Item = (&str, &[f64], usize, usize, Vec<usize>)> {
    inputs
        .iter()
        .flat_map(|(name, series)| {
            WINDOWS.into_iter().enumerate().map(move |(w, window)| {
                (name.as_str(), series.as_slice(), w, window, cuts(series.len(), window))
            })
        })
        .filter(|(.., cuts)| !cuts.is_empty())
}

/// Bootstrap resamples of the cut-offs.
const BOOTSTRAP: usize = 2_000;

/// The probability that a perfectly calibrated interval (coverage `p`) holds between `lo` and `hi`
/// percent of `n` independent cases: binomial.
fn chance(n: usize, p: f64, lo: f64, hi: f64) -> f64 {
    let mut pmf = (1.0 - p).powi(n as i32); // k = 0
    let mut total = 0.0;
    for k in 0..=n {
        if k > 0 {
            pmf *= (n - k + 1) as f64 / k as f64 * p / (1.0 - p);
        }
        if (lo..=hi).contains(&(100.0 * k as f64 / n as f64)) {
            total += pmf;
        }
    }
    total
}

/// The 95 % bootstrap intervals (percent) of the 80 % and the 95 % coverage, resampling the
/// cut-offs with replacement (a fixed seed: the same numbers on every run).
fn bootstrap(per_cut: &[[usize; 3]]) -> [(f64, f64); 2] {
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut samples = [Vec::with_capacity(BOOTSTRAP), Vec::with_capacity(BOOTSTRAP)];
    for _ in 0..BOOTSTRAP {
        let mut sum = [0; 3];
        for _ in 0..per_cut.len() {
            let cut = per_cut[(next() % per_cut.len() as u64) as usize];
            (0..3).for_each(|i| sum[i] += cut[i]);
        }
        for (k, sample) in samples.iter_mut().enumerate() {
            sample.push(100.0 * sum[k + 1] as f64 / sum[0].max(1) as f64);
        }
    }
    samples.map(|mut s| {
        s.sort_by(f64::total_cmp);
        (s[BOOTSTRAP * 25 / 1000], s[BOOTSTRAP * 975 / 1000 - 1])
    })
}

/// Cut-offs per series: [`CUTS`], or `BACKTEST_CUTS`.
fn cut_count() -> usize {
    std::env::var("BACKTEST_CUTS").ok().and_then(|c| c.parse().ok()).unwrap_or(CUTS).max(2)
}

/// The cut-offs (about [`cut_count`]; fewer when the series has fewer distinct ones) spread over
/// a series of `len` points for histories of `window` points, each leaving the longest horizon
/// after it; none when the series is too short.
fn cuts(len: usize, window: usize) -> Vec<usize> {
    let (first, last) = (window, len.saturating_sub(HORIZONS[3] + 1));
    if last <= first {
        return Vec::new();
    }
    let count = cut_count();
    let mut cuts: Vec<usize> = (0..count).map(|k| first + (last - first) * k / (count - 1)).collect();
    cuts.dedup();
    cuts
}

/// The mean distance of the 80 % and 95 % rows' coverage ((cases, held) per interval) from
/// nominal, over the rows with at least 10 cases, as a sentence.
fn mean_distance(rows: impl Iterator<Item = ([usize; 2], [usize; 2])>) -> String {
    let rows: Vec<_> = rows.filter(|(cases, _)| cases[0] >= 10 && cases[1] >= 10).collect();
    let distance = |i: usize, nominal: f64| {
        let sum: f64 =
            rows.iter().map(|(cases, held)| (100.0 * held[i] as f64 / cases[i] as f64 - nominal).abs()).sum();
        sum / rows.len().max(1) as f64
    };
    format!(
        "Mean distance from nominal over the {} rows with at least 10 intervals: {:.1} points at 80 %, {:.1} at 95 %.",
        rows.len(),
        distance(0, 80.0),
        distance(1, 95.0)
    )
}

/// The levels of the fixed-level questions: the last value plus these times the history's range.
const LEVELS: [f64; 4] = [0.1, 0.25, 0.5, 1.0];

/// The answers to fixed levels. Without an estimate: the open intervals' (checkable cases,
/// held) per interval, the cases reached within the longest horizon, how many the 80 % one held
/// and how early it opened, and the answers without an interval (beyond noise, or not even the
/// bands reach the level) and how many were reached within the longest horizon. Answered: see
/// the `answered` fields.
#[derive(Default)]
struct Open {
    cases: [usize; 2],
    held: [usize; 2],
    reached: usize,
    reached_held: usize,
    /// Of those, ln(true day / the day the 80 % interval opens): how early it opened.
    earliness: Vec<f64>,
    none: usize,
    none_reached: usize,
    /// The answered cases: (checkable, held) per interval, how many 80 % intervals had an open
    /// late end, and (cases, held by the 80 %) among those reached within the longest horizon.
    answered: [usize; 2],
    answered_held: [usize; 2],
    answered_open: usize,
    answered_reached: [usize; 2],
}

/// Asks, from the `window` points before each cut, when the series reaches each of [`LEVELS`],
/// and checks the intervals of the answers (open ones without an estimate, and the answered
/// ones) against what happened.
fn open_intervals(series: &[f64], cuts: &[usize], window: usize) -> Open {
    let mut open = Open::default();
    for &cut in cuts {
        let history = &series[cut - window..cut];
        let last = history[window - 1];
        let (low, high) = history
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
        if !last.is_finite() || high <= low {
            continue;
        }
        let future = &series[cut..];
        // One fit of the history for all its levels.
        let fitted = forecast::FittedHistory::new(history);
        for k in LEVELS {
            let level = last + k * (high - low);
            let truth = first_day(future, level);
            let within = truth.is_some_and(|t| t <= HORIZONS[3] as f64);
            let none = match fitted.as_ref().map_err(Clone::clone).and_then(|f| f.days_until(level)) {
                Ok(answer) => {
                    for (i, interval) in [answer.interval_80, answer.interval_95].into_iter().enumerate() {
                        // Held: reached within the interval; never reached (as far as the series
                        // goes): held by an open late end once the series runs past the early
                        // end, missed once it runs past a late end.
                        let held = match (truth, interval.high) {
                            (Some(t), high) => interval.low <= t + 0.5 && high.is_none_or(|h| t - 0.5 <= h),
                            (None, None) if future.len() as f64 >= interval.low => true,
                            (None, Some(h)) if future.len() as f64 >= h => false,
                            (None, _) => continue,
                        };
                        open.answered[i] += 1;
                        open.answered_held[i] += usize::from(held);
                        if i == 0 {
                            open.answered_open += usize::from(interval.high.is_none());
                            if within {
                                open.answered_reached[0] += 1;
                                open.answered_reached[1] += usize::from(held);
                            }
                        }
                    }
                    continue;
                }
                Err(none) => none,
            };
            let Some(interval_80) = none.interval_80 else {
                open.none += 1;
                open.none_reached += usize::from(within);
                continue;
            };
            for (i, interval) in [Some(interval_80), none.interval_95].into_iter().enumerate() {
                let Some(interval) = interval else { continue };
                // Held: not reached before the interval opens (seen, or the series runs past it).
                let held = match truth {
                    Some(t) => t + 0.5 >= interval.low,
                    None if future.len() as f64 >= interval.low => true,
                    None => continue,
                };
                open.cases[i] += 1;
                open.held[i] += usize::from(held);
                if let (0, true, Some(t)) = (i, within, truth) {
                    open.reached += 1;
                    open.reached_held += usize::from(held);
                    open.earliness.push((t / interval.low.max(0.1)).ln());
                }
            }
        }
    }
    open
}

/// How many of the values [`HORIZONS`] days after each cut `forecast::fit::project`'s 80 % band,
/// from the `window` points before the cut, held: (cases, held).
fn projections_held(series: &[f64], cuts: &[usize], window: usize) -> (usize, usize) {
    let horizons = HORIZONS.map(|h| h as u32);
    let (mut cases, mut held) = (0, 0);
    for &cut in cuts {
        let Some((method, bands)) = forecast::fit::project(&series[cut - window..cut], &horizons) else {
            continue;
        };
        if std::env::var_os("BACKTEST_DEBUG").is_some() {
            let truths: Vec<f64> = HORIZONS.iter().map(|h| series[cut - 1 + h]).collect();
            eprintln!(
                "project cut {cut} w {window}: {method:?} last {} {bands:?} truth {truths:?}",
                series[cut - 1]
            );
        }
        for (h, band) in HORIZONS.iter().zip(bands) {
            let truth = series[cut - 1 + h];
            if truth.is_finite() {
                cases += 1;
                held += usize::from(band.low <= truth && truth <= band.high);
            }
        }
    }
    (cases, held)
}

/// The first day (1 = the first value of `future`) on which the series reaches `level`, if it
/// does before it ends.
fn first_day(future: &[f64], level: f64) -> Option<f64> {
    future.iter().position(|v| *v >= level).map(|i| (i + 1) as f64)
}

/// One question: the history is `series[cut − window .. cut]`, the level the value `horizon`
/// days after the cut.
fn evaluate(name: &str, series: &[f64], cut: usize, window: usize, horizon: usize, tally: &mut Tally) {
    let (before, level) = (series[cut - 1], series[cut - 1 + horizon]);
    if !before.is_finite() || !level.is_finite() || level == before {
        return;
    }
    // A falling series is asked when it reaches the level from above: negate it.
    let sign = if level > before { 1.0 } else { -1.0 };
    let history: Vec<f64> = series[cut - window..cut].iter().map(|v| sign * v).collect();
    let future: Vec<f64> = series[cut..].iter().map(|v| sign * v).collect();
    let target = sign * level;
    let Some(truth) = first_day(&future, target) else { return };
    tally.cases += 1;
    let relative = |estimate: Option<f64>| estimate.map_or(1.0, |e| (e - truth).abs() / truth);
    tally.baseline.push(relative(predict_linear(&history, target)));
    let answer = forecast::days_until_threshold(&history, target);
    if std::env::var_os("BACKTEST_DEBUG").is_some() {
        match &answer {
            Ok(e) => eprintln!(
                "cut {cut} w {window} h {horizon}: truth {truth} est {} {:?} {:?} {:?} {:?}",
                e.days,
                e.interval_80,
                e.method,
                e.notes,
                e.candidates.iter().map(|c| (c.method, c.days, c.backtest_error_percent)).collect::<Vec<_>>()
            ),
            Err(e) => eprintln!("cut {cut} w {window} h {horizon}: truth {truth} none: {}", e.reason),
        }
    }
    // One line per answered case for scripts/forecast-regimes.py: series, window, horizon, truth,
    // estimate, the checked horizon, the level's distance from the last value in the chosen
    // model's typical backtest errors (ln scale; NaN for a series that is not positive), and the
    // 80 % interval. (And a NONE line per case without an estimate: its intervals' early ends.)
    if std::env::var_os("BACKTEST_CASES").is_some()
        && let Ok(e) = &answer
    {
        let last = history[history.len() - 1];
        let distance = if last > 0.0 && target > 0.0 { (target / last).ln() } else { f64::NAN };
        let typical = (1.0 + e.backtest_error_percent.abs() / 100.0).ln();
        eprintln!(
            "CASE {name} {window} {horizon} {truth} {} {} {} {} {}",
            e.days,
            e.calibrated_up_to_days,
            distance / typical,
            e.interval_80.low,
            e.interval_80.high.unwrap_or(f64::INFINITY)
        );
    }
    match answer {
        Ok(estimate) => {
            tally.errors.push(relative(Some(estimate.days)));
            let holds =
                |i: forecast::Interval| i.low <= truth + 0.5 && i.high.is_none_or(|h| truth - 0.5 <= h);
            let (in80, in95) =
                (usize::from(holds(estimate.interval_80)), usize::from(holds(estimate.interval_95)));
            tally.in80 += in80;
            tally.in95 += in95;
            if truth <= f64::from(estimate.calibrated_up_to_days) {
                tally.checked += 1;
                tally.checked80 += in80;
                tally.checked95 += in95;
            }
        }
        Err(none) => {
            tally.errors.push(1.0);
            tally.none += 1;
            let opens = |i: Option<forecast::Interval>| i.is_some_and(|i| i.low <= truth + 0.5);
            tally.in80 += usize::from(opens(none.interval_80));
            tally.in95 += usize::from(opens(none.interval_95));
            if std::env::var_os("BACKTEST_CASES").is_some() {
                let low = |i: Option<forecast::Interval>| i.map_or(f64::INFINITY, |i| i.low);
                eprintln!(
                    "NONE {name} {window} {horizon} {truth} {} {}",
                    low(none.interval_80),
                    low(none.interval_95)
                );
            }
        }
    }
}
