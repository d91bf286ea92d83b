//! One process's limiter: every caller's GCRA state, hour and day counters and requests in
//! flight, behind a mutex.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use time::OffsetDateTime;

use crate::gcra::Gcra;
use crate::limits::RateLimits;
use crate::usage::CallerUsage;

/// The answer to one request: allowed or not, and what the `X-RateLimit-*` headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// `X-RateLimit-Limit`: the per-minute rate.
    pub limit: u32,
    /// `X-RateLimit-Remaining`: the fewest requests left in any window.
    pub remaining: u32,
    /// `X-RateLimit-Reset`: until the tightest window is whole again.
    pub reset: Duration,
    /// `Retry-After` when refused.
    pub retry_after: Option<Duration>,
}

#[derive(Debug, Default)]
struct Caller {
    gcra: Gcra,
    hour: Window,
    day: Window,
    /// Requests refused today.
    refused: Window,
}

/// A fixed window: its index (hours or days since the epoch) and the requests counted in it.
#[derive(Debug, Default, Clone, Copy)]
struct Window {
    index: i64,
    count: u32,
}

impl Window {
    fn count_at(self, index: i64) -> u32 {
        if self.index == index { self.count } else { 0 }
    }
}

impl Caller {
    /// Whether forgetting it now would change no later decision: its burst is whole again and
    /// nothing is counted in today's windows (so nothing in this hour's either).
    fn forgettable(&self, at: Instant) -> bool {
        self.gcra.idle_at(at.micros) && self.day.count_at(at.day) == 0 && self.refused.count_at(at.day) == 0
    }
}

/// The callers' states, and the size at which the forgettable ones are next dropped.
#[derive(Debug)]
struct Callers {
    states: HashMap<String, Caller>,
    sweep_at: usize,
}

/// Callers kept before the first sweep; afterwards a sweep comes when the map has doubled.
const FIRST_SWEEP: usize = 1_024;

impl Default for Callers {
    fn default() -> Self {
        Callers { states: HashMap::new(), sweep_at: FIRST_SWEEP }
    }
}

/// The in-process limiter (the default backend: no setup, one process).
#[derive(Debug, Default, Clone)]
pub struct MemoryLimiter {
    callers: Arc<Mutex<Callers>>,
    in_flight: Arc<Mutex<HashMap<String, u32>>>,
}

impl MemoryLimiter {
    /// A limiter with no callers yet.
    pub fn new() -> MemoryLimiter {
        MemoryLimiter::default()
    }

    /// Checks one request of `caller` at `now` against `limits` and counts it when allowed (a
    /// refused request consumes nothing).
    pub fn check(&self, caller: &str, limits: &RateLimits, now: OffsetDateTime) -> Decision {
        let mut callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        let at = Instant::of(now);
        // Per-address callers come and go: drop the forgettable ones, amortised over the checks.
        if callers.states.len() >= callers.sweep_at {
            callers.states.retain(|_, state| !state.forgettable(at));
            callers.sweep_at = (2 * callers.states.len()).max(FIRST_SWEEP);
        }
        let state = callers.states.entry(caller.to_owned()).or_default();
        let used = (state.hour.count_at(at.hour), state.day.count_at(at.day));
        let mut gcra = state.gcra;
        let decision = decide(limits, &mut gcra, used, at);
        if decision.allowed {
            state.gcra = gcra;
            state.hour = Window { index: at.hour, count: used.0 + 1 };
            state.day = Window { index: at.day, count: used.1 + 1 };
        } else {
            state.refused = Window { index: at.day, count: state.refused.count_at(at.day) + 1 };
        }
        decision
    }

    /// Every caller's requests let through and refused on the UTC day of `now`.
    pub fn usage(&self, now: OffsetDateTime) -> Vec<CallerUsage> {
        let day = Instant::of(now).day;
        let callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        callers
            .states
            .iter()
            .map(|(caller, state)| CallerUsage {
                caller: caller.clone(),
                requests: u64::from(state.day.count_at(day)),
                refused: u64::from(state.refused.count_at(day)),
            })
            .filter(|u| u.requests + u.refused > 0)
            .collect()
    }

    /// Callers whose state is kept (for the tests of the sweep).
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.callers.lock().unwrap_or_else(PoisonError::into_inner).states.len()
    }

    /// A slot for one request of `caller` in flight, or `None` when `limits.concurrent` are
    /// already; the slot is given back when the [`Permit`] is dropped.
    pub fn acquire(&self, caller: &str, limits: &RateLimits) -> Option<Permit> {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        let count = in_flight.entry(caller.to_owned()).or_default();
        if *count >= limits.concurrent {
            return None;
        }
        *count += 1;
        Some(Permit { caller: caller.to_owned(), in_flight: self.in_flight.clone() })
    }
}

/// One request in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {
    caller: String,
    in_flight: Arc<Mutex<HashMap<String, u32>>>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = in_flight.get_mut(&self.caller) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                in_flight.remove(&self.caller);
            }
        }
    }
}

/// A moment as the limiter counts it: microseconds since the epoch and its hour and day windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant {
    pub micros: u128,
    pub seconds: i64,
    pub hour: i64,
    pub day: i64,
}

impl Instant {
    pub(crate) fn of(now: OffsetDateTime) -> Instant {
        let seconds = now.unix_timestamp();
        Instant {
            micros: u128::try_from(now.unix_timestamp_nanos() / 1_000).unwrap_or(0),
            seconds,
            hour: seconds.div_euclid(3_600),
            day: seconds.div_euclid(86_400),
        }
    }

    fn until(self, len: i64, index: i64) -> Duration {
        Duration::from_secs(u64::try_from((index + 1) * len - self.seconds).unwrap_or(0))
    }
}

/// The decision on one request given the caller's GCRA state and the requests already counted in
/// its hour and day windows (`used`); `gcra` moves on when it is allowed. Shared by both backends,
/// so they answer alike.
pub(crate) fn decide(limits: &RateLimits, gcra: &mut Gcra, used: (u32, u32), at: Instant) -> Decision {
    let (hour_used, day_used) = used;
    let hour_open = hour_used < limits.per_hour;
    let day_open = limits.per_day.is_none_or(|max| day_used < max);
    let rate = gcra.check(at.micros, limits.per_minute, limits.burst, hour_open && day_open);
    let allowed = rate.allowed && hour_open && day_open;
    let counted = u32::from(allowed);
    let hour_left = limits.per_hour.saturating_sub(hour_used + counted);
    let day_left = limits.per_day.map(|max| max.saturating_sub(day_used + counted));
    let remaining = rate.remaining.min(hour_left).min(day_left.unwrap_or(u32::MAX));
    // The window that refuses (or is spent) decides when to come back.
    let retry_after = match (allowed, day_open, hour_open) {
        (true, _, _) => None,
        (false, false, _) => Some(at.until(86_400, at.day)),
        (false, true, false) => Some(at.until(3_600, at.hour)),
        (false, true, true) => Some(rate.retry_after),
    };
    let reset = if day_left == Some(0) {
        at.until(86_400, at.day)
    } else if hour_left == 0 {
        at.until(3_600, at.hour)
    } else {
        rate.reset
    };
    Decision { allowed, limit: limits.per_minute, remaining, reset, retry_after }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn limits(per_minute: u32, burst: u32, per_hour: u32, per_day: Option<u32>) -> RateLimits {
        RateLimits { per_minute, burst, per_hour, per_day, concurrent: 2 }
    }

    #[test]
    fn the_hour_window_refuses_until_the_next_hour_and_refusals_cost_nothing() {
        let limiter = MemoryLimiter::new();
        let l = limits(1_000, 1_000, 3, None);
        let at = datetime!(2026-11-28 10:59:30 UTC);
        for left in [2, 1, 0] {
            let d = limiter.check("m1", &l, at);
            assert!(d.allowed);
            assert_eq!(d.remaining, left);
        }
        let refused = limiter.check("m1", &l, at);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, Some(Duration::from_secs(30)));
        // Another caller is counted apart.
        assert!(limiter.check("m2", &l, at).allowed);
        // The next hour opens a new window.
        assert!(limiter.check("m1", &l, datetime!(2026-11-28 11:00:00 UTC)).allowed);
        // Today's usage: what was let through and what was refused, per caller.
        let mut usage = limiter.usage(at);
        usage.sort_by(|a, b| a.caller.cmp(&b.caller));
        let counts: Vec<(&str, u64, u64)> =
            usage.iter().map(|u| (u.caller.as_str(), u.requests, u.refused)).collect();
        assert_eq!(counts, [("m1", 4, 1), ("m2", 1, 0)]);
        assert!(limiter.usage(datetime!(2026-11-29 00:00:00 UTC)).is_empty(), "a new day starts at zero");
    }

    #[test]
    fn the_day_window_and_the_minute_rate_each_refuse_with_their_own_wait() {
        let limiter = MemoryLimiter::new();
        let day = limits(1_000, 1_000, 1_000, Some(2));
        let at = datetime!(2026-11-28 23:00:00 UTC);
        assert!(limiter.check("d", &day, at).allowed);
        assert!(limiter.check("d", &day, at).allowed);
        assert_eq!(limiter.check("d", &day, at).retry_after, Some(Duration::from_secs(3_600)));
        // 60 a minute, burst 2: the third at once waits one second; the windows are untouched.
        let rate = limits(60, 2, 1_000, Some(1_000));
        assert!(limiter.check("r", &rate, at).allowed);
        let second = limiter.check("r", &rate, at);
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        let refused = limiter.check("r", &rate, at);
        assert_eq!((refused.allowed, refused.retry_after), (false, Some(Duration::from_secs(1))));
        assert!(limiter.check("r", &rate, at + Duration::from_secs(1)).allowed);
    }

    #[test]
    fn callers_that_left_are_forgotten_and_those_with_a_budget_in_use_are_kept() {
        let limiter = MemoryLimiter::new();
        let l = limits(60, 1, 1_000, Some(2));
        let day = datetime!(2026-11-28 10:00:00 UTC);
        // 1,023 addresses yesterday, then one today: 1,024 callers, the size of the first sweep.
        for i in 0..1_023 {
            limiter.check(&format!("ip:{i}"), &l, day - Duration::from_secs(86_400));
        }
        limiter.check("today", &l, day);
        assert_eq!(limiter.tracked(), 1_024);
        // The next check sweeps: yesterday's callers are gone, today's (one request counted) stays
        // and spends its day.
        assert!(limiter.check("today", &l, day + Duration::from_secs(60)).allowed);
        assert_eq!(limiter.tracked(), 1);
        assert!(
            !limiter.check("today", &l, day + Duration::from_secs(180)).allowed,
            "its day is still spent"
        );
    }

    #[test]
    fn concurrent_slots_are_bounded_and_given_back_on_drop() {
        let limiter = MemoryLimiter::new();
        let l = limits(60, 10, 100, None);
        let first = limiter.acquire("c", &l).unwrap();
        let _second = limiter.acquire("c", &l).unwrap();
        assert!(limiter.acquire("c", &l).is_none());
        assert!(limiter.acquire("other", &l).is_some());
        drop(first);
        assert!(limiter.acquire("c", &l).is_some());
    }
}
