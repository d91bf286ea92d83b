//! Request latency and error rate over a sliding window, fed by the HTTP layer.
//!
//! The window is a ring of one-second slots, each with its own latency histogram (HdrHistogram,
//! 2 significant digits, 1 µs to 1 h). Recording is one short lock and an array increment; a
//! summary merges the live slots and is cached for a second, so `/health` at thousands of
//! requests per second costs one merge per second, not one per request.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

const HIGHEST_MICROS: u64 = 3_600_000_000;

/// Latency and errors of the requests of the last `window`.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct RequestSummary {
    /// The window's length in seconds.
    pub window_seconds: u64,
    /// Requests completed in the window.
    pub requests: u64,
    /// Requests per second over the window.
    pub requests_per_second: f64,
    /// Share of requests answered with a 5xx status, in percent (one decimal).
    pub error_rate_percent: f64,
    /// Mean latency in milliseconds (`avg_response_ms` on the wire, as seed 002 names it).
    #[serde(rename = "avg_response_ms")]
    pub avg_ms: f64,
    /// Median latency in milliseconds.
    pub p50_ms: f64,
    /// 95th percentile latency in milliseconds.
    pub p95_ms: f64,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: f64,
}

/// The sliding window; share one per process (e.g. in an `Arc`).
#[derive(Debug)]
pub struct RequestStats {
    started: Instant,
    window_seconds: u64,
    slots: Mutex<Vec<Slot>>,
    cached: Mutex<Option<(u64, RequestSummary)>>,
}

#[derive(Debug)]
struct Slot {
    second: u64,
    errors: u64,
    latencies: Histogram<u64>,
}

impl RequestStats {
    /// A window of `window` (whole seconds, at least one).
    pub fn new(window: Duration) -> RequestStats {
        let window_seconds = window.as_secs().max(1);
        let slots = (0..window_seconds)
            .map(|_| Slot { second: u64::MAX, errors: 0, latencies: new_histogram() })
            .collect();
        RequestStats {
            started: Instant::now(),
            window_seconds,
            slots: Mutex::new(slots),
            cached: Mutex::new(None),
        }
    }

    /// Records one completed request; `server_error` for 5xx answers.
    pub fn record(&self, latency: Duration, server_error: bool) {
        let second = self.started.elapsed().as_secs();
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).clamp(1, HIGHEST_MICROS);
        let Ok(mut slots) = self.slots.lock() else { return };
        let Some(slot) = slots.get_mut(index(second, self.window_seconds)) else { return };
        if slot.second != second {
            slot.second = second;
            slot.errors = 0;
            slot.latencies.reset();
        }
        slot.latencies.saturating_record(micros);
        slot.errors += u64::from(server_error);
    }

    /// The summary of the window ending now (recomputed at most once a second).
    pub fn summary(&self) -> RequestSummary {
        let now = self.started.elapsed().as_secs();
        if let Ok(cached) = self.cached.lock()
            && let Some((second, summary)) = *cached
            && second == now
        {
            return summary;
        }
        let summary = self.compute(now);
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some((now, summary));
        }
        summary
    }

    fn compute(&self, now: u64) -> RequestSummary {
        let mut merged = new_histogram();
        let mut errors = 0;
        if let Ok(slots) = self.slots.lock() {
            for slot in
                slots.iter().filter(|s| s.second != u64::MAX && now - s.second.min(now) < self.window_seconds)
            {
                let _ = merged.add(&slot.latencies); // same bounds: cannot fail
                errors += slot.errors;
            }
        }
        let requests = merged.len();
        // Early in the process's life the window is only as long as the process.
        let seconds = (now + 1).min(self.window_seconds);
        // Milliseconds to the microsecond: a cached /health answers in a few µs.
        let ms = |micros: u64| round(micros as f64 / 1000.0, 3);
        if requests == 0 {
            return RequestSummary { window_seconds: self.window_seconds, ..RequestSummary::default() };
        }
        RequestSummary {
            window_seconds: self.window_seconds,
            requests,
            requests_per_second: round(requests as f64 / seconds as f64, 1),
            error_rate_percent: round(errors as f64 / requests as f64 * 100.0, 1),
            avg_ms: round(merged.mean() / 1000.0, 3),
            p50_ms: ms(merged.value_at_quantile(0.50)),
            p95_ms: ms(merged.value_at_quantile(0.95)),
            p99_ms: ms(merged.value_at_quantile(0.99)),
        }
    }
}

fn index(second: u64, window: u64) -> usize {
    usize::try_from(second % window).unwrap_or(0)
}

#[allow(clippy::expect_used)] // constant bounds, valid by construction (low ≥ 1, high ≥ 2·low, sigfig ≤ 5)
fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_MICROS, 2).expect("constant histogram bounds are valid")
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_window_reports_zeros() {
        let stats = RequestStats::new(Duration::from_secs(60));
        let summary = stats.summary();
        assert_eq!(summary.requests, 0);
        assert_eq!(summary.p99_ms, 0.0);
        assert_eq!(summary.window_seconds, 60);
    }

    #[test]
    fn percentiles_and_error_rate_follow_the_recorded_requests() {
        let stats = RequestStats::new(Duration::from_secs(60));
        // 100 requests: 1 ms .. 100 ms; the last 5 are server errors.
        for ms in 1..=100u64 {
            stats.record(Duration::from_millis(ms), ms > 95);
        }
        let s = stats.summary();
        assert_eq!(s.requests, 100);
        assert_eq!(s.error_rate_percent, 5.0);
        // Two significant digits: within 1 % of the true quantile.
        let close = |got: f64, want: f64| (got - want).abs() <= want * 0.01 + 0.01;
        assert!(close(s.p50_ms, 50.0), "p50 {}", s.p50_ms);
        assert!(close(s.p95_ms, 95.0), "p95 {}", s.p95_ms);
        assert!(close(s.p99_ms, 99.0), "p99 {}", s.p99_ms);
        assert!(close(s.avg_ms, 50.5), "avg {}", s.avg_ms);
    }

    #[test]
    fn a_slot_from_an_earlier_lap_of_the_ring_is_not_counted() {
        let stats = RequestStats::new(Duration::from_secs(2));
        stats.record(Duration::from_millis(10), true);
        // Three seconds later the slot of second 0 belongs to an old lap: compute as of then.
        let s = stats.compute(3);
        assert_eq!(s.requests, 0);
        let s = stats.compute(1);
        assert_eq!(s.requests, 1);
        assert_eq!(s.error_rate_percent, 100.0);
    }
}
