//! What a history goes through before it is fitted: missing days filled, a level shift (a bulk
//! import) taken out of the trend, a one-day outlier ignored. Each is said in a note.

/// A series ready to fit, and what was done to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    /// One value per day; the last one is the series' own.
    pub values: Vec<f64>,
    /// For people: what was filled, shifted or ignored.
    pub notes: Vec<String>,
}

/// Fills missing values (NaN, ±∞) linearly, then handles jumps. A jump is a day-to-day change
/// beyond both 8 robust standard deviations and 5 mean absolute deviations of the changes (so
/// the regular weekend rise of a weekly series is not one). A jump the following days stay at
/// is a level shift: the days before it are moved by it, so the trend continues from today's
/// level; a jump that comes back is an outlier and is replaced by its neighbours' mean.
pub(crate) fn prepare(series: &[f64]) -> Prepared {
    let mut notes = Vec::new();
    let mut values = series.to_vec();
    let missing = fill_missing(&mut values);
    if missing > 0 {
        notes.push(format!("{missing} missing day(s) filled by interpolation"));
    }
    if values.len() >= 10 {
        notes.extend(adjust_jumps(&mut values));
    }
    Prepared { values, notes }
}

fn fill_missing(values: &mut [f64]) -> usize {
    let known: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_finite()).collect();
    let missing = values.len() - known.len();
    if missing == 0 || known.is_empty() {
        return if known.is_empty() { 0 } else { missing };
    }
    for i in 0..values.len() {
        if values[i].is_finite() {
            continue;
        }
        let before = known.iter().rev().find(|&&k| k < i).copied();
        let after = known.iter().find(|&&k| k > i).copied();
        values[i] = match (before, after) {
            (Some(b), Some(a)) => values[b] + (values[a] - values[b]) * (i - b) as f64 / (a - b) as f64,
            (Some(b), None) => values[b],
            (None, Some(a)) => values[a],
            (None, None) => 0.0,
        };
    }
    missing
}

fn adjust_jumps(values: &mut [f64]) -> Vec<String> {
    let n = values.len();
    let diffs: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    let typical = median(&diffs);
    let deviations: Vec<f64> = diffs.iter().map(|d| (d - typical).abs()).collect();
    let mad = 1.4826 * median(&deviations);
    let mean_deviation = deviations.iter().sum::<f64>() / deviations.len() as f64;
    let limit = (8.0 * mad).max(5.0 * mean_deviation);
    if limit <= 0.0 {
        return Vec::new(); // a perfectly regular series
    }
    let mut notes = Vec::new();
    let mut day = 1;
    while day < n {
        let excess = values[day] - values[day - 1] - typical;
        if excess.abs() <= limit {
            day += 1;
            continue;
        }
        let following = &values[day + 1..(day + 4).min(n)];
        let stays = !following.is_empty()
            && following.iter().all(|v| (v - values[day]).abs() < (v - values[day - 1]).abs());
        if stays {
            for v in &mut values[..day] {
                *v += excess;
            }
            notes.push(format!(
                "a level shift of {excess:+.0} on day {} of {n} (a bulk import?) is taken out of the trend",
                day + 1
            ));
        } else if day + 1 < n {
            values[day] = (values[day - 1] + values[day + 1]) / 2.0;
            notes.push(format!("an outlier on day {} of {n} is ignored", day + 1));
        } else {
            notes.push("the last day jumped; too soon to tell a level shift from an outlier".to_owned());
        }
        day += 1;
    }
    notes
}

/// The median (the mean of the two middle values for an even count); 0 for none.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]) / 2.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_filled_and_a_bulk_import_becomes_a_level_shift() {
        let mut series: Vec<f64> = (0..30).map(|d| 1_000.0 + 10.0 * f64::from(d)).collect();
        series[5] = f64::NAN;
        for v in &mut series[20..] {
            *v += 5_000.0; // a bulk import on day 21
        }
        let prepared = prepare(&series);
        let expected: Vec<f64> = (0..30).map(|d| 6_000.0 + 10.0 * f64::from(d)).collect();
        for (got, want) in prepared.values.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        assert_eq!(prepared.notes.len(), 2, "{:?}", prepared.notes);
        assert!(prepared.notes[1].contains("+5000 on day 21"), "{:?}", prepared.notes);
    }

    #[test]
    fn a_spike_is_ignored_and_weekends_are_not_jumps() {
        let mut series: Vec<f64> = (0..30).map(|d| 100.0 + f64::from(d)).collect();
        series[12] = 900.0;
        let prepared = prepare(&series);
        assert!((prepared.values[12] - 112.0).abs() < 1e-9);
        assert!(prepared.notes[0].contains("outlier on day 13"));

        let weekly: Vec<f64> =
            (0..42).map(|d| 100.0 + f64::from(d) + if d % 7 >= 5 { 30.0 } else { 0.0 }).collect();
        let prepared = prepare(&weekly);
        assert_eq!(prepared.values, weekly, "{:?}", prepared.notes);
        assert!(prepared.notes.is_empty());
    }
}
