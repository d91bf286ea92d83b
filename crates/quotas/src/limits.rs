//! What a caller may do, by tier.

use billing::TierCode;

/// Seed 003's rate-limit tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateTier {
    /// `free`: 60 a minute, 1,000 an hour, 10,000 a day, 5 at once, a burst of 10.
    Free,
    /// `pro`: 300 / 10,000 / 100,000, 25 at once, a burst of 50.
    Pro,
    /// `enterprise`: 1,000 / 50,000 / 1,000,000, 100 at once, a burst of 200.
    Enterprise,
}

impl RateTier {
    /// The default mapping of Orion's subscription tiers to seed 003's rate tiers: Essential →
    /// free, Professional and Business → pro, Enterprise → enterprise (a service may map
    /// otherwise; the day is capped by the tier's own allowance either way, see
    /// `crate::RateLimitSettings::for_subscription`).
    pub fn of(tier: TierCode) -> RateTier {
        match tier {
            TierCode::Essential => RateTier::Free,
            TierCode::Professional | TierCode::Business => RateTier::Pro,
            TierCode::Enterprise => RateTier::Enterprise,
        }
    }

    /// Its name in seed 003 and in `[rate_limit.tiers.<name>]`.
    pub fn name(self) -> &'static str {
        match self {
            RateTier::Free => "free",
            RateTier::Pro => "pro",
            RateTier::Enterprise => "enterprise",
        }
    }

    /// Seed 003's limits of this tier.
    pub fn limits(self) -> RateLimits {
        let (per_minute, per_hour, per_day, concurrent, burst) = match self {
            RateTier::Free => (60, 1_000, 10_000, 5, 10),
            RateTier::Pro => (300, 10_000, 100_000, 25, 50),
            RateTier::Enterprise => (1_000, 50_000, 1_000_000, 100, 200),
        };
        RateLimits { per_minute, burst, per_hour, per_day: Some(per_day), concurrent }
    }
}

/// The limits of one caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sustained requests per minute (the GCRA's rate).
    pub per_minute: u32,
    /// Requests allowed at once on top of an idle caller's allowance (at least 1).
    pub burst: u32,
    /// Requests per clock hour (UTC).
    pub per_hour: u32,
    /// Requests per UTC day; `None`: unlimited.
    pub per_day: Option<u32>,
    /// Requests in flight at once.
    pub concurrent: u32,
}

impl RateLimits {
    /// Every limit times `factor` (e.g. [`load_factor`]), each at least 1.
    pub fn scaled(self, factor: f64) -> RateLimits {
        let scale = |n: u32| ((f64::from(n) * factor.clamp(0.0, 1.0)).floor() as u32).max(1);
        RateLimits {
            per_minute: scale(self.per_minute),
            burst: scale(self.burst),
            per_hour: scale(self.per_hour),
            per_day: self.per_day.map(scale),
            concurrent: scale(self.concurrent),
        }
    }
}

/// Seed 003's dynamic reduction: limits × 0.75 above 60 % system load, × 0.5 above 80 %.
pub fn load_factor(load_percent: f64) -> f64 {
    if load_percent > 80.0 {
        0.5
    } else if load_percent > 60.0 {
        0.75
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_003_tiers() {
        assert_eq!(
            RateTier::Free.limits(),
            RateLimits { per_minute: 60, burst: 10, per_hour: 1_000, per_day: Some(10_000), concurrent: 5 }
        );
        assert_eq!(RateTier::of(TierCode::Business), RateTier::Pro);
        assert_eq!(RateTier::Enterprise.limits().per_day, Some(1_000_000));
    }

    #[test]
    fn load_reduces_every_limit_and_never_to_zero() {
        assert_eq!(load_factor(60.0), 1.0);
        assert_eq!(load_factor(60.1), 0.75);
        assert_eq!(load_factor(80.1), 0.5);
        let reduced = RateTier::Pro.limits().scaled(load_factor(85.0));
        assert_eq!((reduced.per_minute, reduced.burst, reduced.concurrent), (150, 25, 12));
        assert_eq!(RateTier::Free.limits().scaled(0.0).per_minute, 1);
    }
}
