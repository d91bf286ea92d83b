//! The generic cell rate algorithm: a rate with a burst, kept as one instant per caller.

use std::time::Duration;

/// One caller's GCRA state: the theoretical arrival time of its next request, in microseconds
/// since the Unix epoch (0: never seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gcra {
    tat: u128,
}

impl Gcra {
    /// The state whose next theoretical arrival is `tat_micros` (as a shared store keeps it).
    pub fn at(tat_micros: u128) -> Gcra {
        Gcra { tat: tat_micros }
    }

    /// Whether its whole burst is available again at `now_micros` (the state then equals a new
    /// caller's).
    pub(crate) fn idle_at(&self, now_micros: u128) -> bool {
        self.tat <= now_micros
    }

    /// The emission interval of `per_minute` and the burst tolerance, in microseconds.
    pub fn interval_and_tolerance(per_minute: u32, burst: u32) -> (u128, u128) {
        // At least 1 µs: a rate beyond a million a second is no limit at all, and never zero.
        let interval = (60_000_000u128 / u128::from(per_minute.max(1))).max(1);
        (interval, interval * (u128::from(burst.max(1)) - 1))
    }
}

/// What a GCRA check says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcraOutcome {
    /// Whether the request may go on.
    pub allowed: bool,
    /// Requests that could still go on at once after this one.
    pub remaining: u32,
    /// How long until the caller's full burst is available again.
    pub reset: Duration,
    /// When refused: how long until one more request would be allowed.
    pub retry_after: Duration,
}

impl Gcra {
    /// Checks a request at `now_micros` against `per_minute` with `burst` requests allowed at
    /// once; the state moves on only when the request is allowed and `commit` is true.
    pub fn check(&mut self, now_micros: u128, per_minute: u32, burst: u32, commit: bool) -> GcraOutcome {
        // Up to `burst` requests at one instant: a tolerance of (burst − 1) intervals.
        let (interval, tolerance) = Gcra::interval_and_tolerance(per_minute, burst);
        let tat = self.tat.max(now_micros);
        let new_tat = tat + interval;
        let allowed = new_tat - now_micros <= tolerance + interval;
        let ahead = if allowed { new_tat } else { tat } - now_micros;
        let remaining = ((tolerance + interval).saturating_sub(ahead) / interval) as u32;
        if allowed && commit {
            self.tat = new_tat;
        }
        let retry_after = if allowed { 0 } else { (tat - now_micros).saturating_sub(tolerance) };
        GcraOutcome { allowed, remaining, reset: micros(ahead), retry_after: micros(retry_after) }
    }
}

fn micros(micros: u128) -> Duration {
    Duration::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u128 = 1_000_000;

    #[test]
    fn a_burst_at_once_then_one_per_interval() {
        let mut gcra = Gcra::default();
        let now = 1_000 * SECOND;
        // 60 a minute with a burst of 10: ten at once, the eleventh refused for a second.
        for i in 0..10 {
            let out = gcra.check(now, 60, 10, true);
            assert!(out.allowed, "{i}");
            assert_eq!(out.remaining, 9 - i);
        }
        let refused = gcra.check(now, 60, 10, true);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, Duration::from_secs(1));
        assert_eq!(refused.reset, Duration::from_secs(10));
        // A second later one more goes through, and then none again.
        assert!(gcra.check(now + SECOND, 60, 10, true).allowed);
        assert!(!gcra.check(now + SECOND, 60, 10, true).allowed);
        // After ten idle seconds the whole burst is back.
        assert_eq!(gcra.check(now + 11 * SECOND, 60, 10, false).remaining, 9);
    }

    #[test]
    fn a_rate_beyond_a_microsecond_interval_still_counts() {
        let mut gcra = Gcra::default();
        let out = gcra.check(SECOND, u32::MAX, u32::MAX, true);
        assert!(out.allowed);
        assert_eq!(Gcra::interval_and_tolerance(u32::MAX, 1), (1, 0));
    }

    #[test]
    fn a_steady_caller_at_the_rate_is_never_refused_and_a_dry_run_changes_nothing() {
        let mut gcra = Gcra::default();
        for i in 0..600u128 {
            assert!(gcra.check(i * SECOND / 2, 120, 1, true).allowed, "{i}");
        }
        let before = gcra;
        gcra.check(300 * SECOND, 120, 1, false);
        assert_eq!(gcra, before);
    }
}
