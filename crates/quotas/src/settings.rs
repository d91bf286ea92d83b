//! `[rate_limit]`: the configuration a service reads (the contract's key names), and the limiter
//! it builds.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use billing::TierCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::limits::{RateLimits, RateTier, load_factor};
use crate::memory::{Decision, MemoryLimiter, Permit};
use crate::usage::CallerUsage;

/// One rate tier's windows (`[rate_limit.tiers.<name>]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierSettings {
    /// Sustained requests per minute.
    pub requests_per_minute: u32,
    /// Requests per clock hour.
    pub requests_per_hour: u32,
    /// Requests per UTC day (0: unlimited).
    pub requests_per_day: u32,
    /// Requests in flight at once.
    pub concurrent_requests: u32,
    /// Requests allowed at once beyond the steady rate.
    pub burst_allowance: u32,
}

impl From<RateLimits> for TierSettings {
    fn from(l: RateLimits) -> Self {
        TierSettings {
            requests_per_minute: l.per_minute,
            requests_per_hour: l.per_hour,
            requests_per_day: l.per_day.unwrap_or(0),
            concurrent_requests: l.concurrent,
            burst_allowance: l.burst,
        }
    }
}

impl From<TierSettings> for RateLimits {
    fn from(t: TierSettings) -> Self {
        RateLimits {
            per_minute: t.requests_per_minute.max(1),
            burst: t.burst_allowance.max(1),
            per_hour: t.requests_per_hour.max(1),
            per_day: (t.requests_per_day > 0).then_some(t.requests_per_day),
            concurrent: t.concurrent_requests.max(1),
        }
    }
}

/// Where the counters live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// In this process (one instance).
    Memory,
    /// On the Redis at `redis_url`, shared by every instance.
    Redis,
}

/// `[rate_limit]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    /// Whether requests are limited at all.
    pub enabled: bool,
    /// `memory` (default) or `redis`.
    pub backend: BackendKind,
    /// The Redis of the `redis` backend.
    pub redis_url: String,
    /// What its keys start with (instances that share a budget use the same).
    pub redis_key_prefix: String,
    /// When Redis cannot answer: let the request through (true, default; with a warning in the
    /// log and a count) or refuse it with 503.
    pub fail_open: bool,
    /// Whether limits shrink under load (seed 003: × 0.75 above 60 % CPU, × 0.5 above 80 %).
    pub load_reduction: bool,
    /// The tier whose limits apply to each admin token.
    pub admin_tier: String,
    /// The tier whose limits apply to each client IP on the public image files.
    pub public_tier: String,
    /// Orion's subscription tier code → rate tier name.
    pub tier_map: BTreeMap<String, String>,
    /// The rate tiers by name (seed 003's `free`, `pro`, `enterprise`; more may be added).
    pub tiers: BTreeMap<String, TierSettings>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let tier_map =
            [TierCode::Essential, TierCode::Professional, TierCode::Business, TierCode::Enterprise]
                .into_iter()
                .map(|t| (t.as_str().to_owned(), RateTier::of(t).name().to_owned()))
                .collect();
        let tiers = [RateTier::Free, RateTier::Pro, RateTier::Enterprise]
            .into_iter()
            .map(|t| (t.name().to_owned(), t.limits().into()))
            .collect();
        RateLimitSettings {
            enabled: true,
            backend: BackendKind::Memory,
            redis_url: "redis://127.0.0.1:6379".to_owned(),
            redis_key_prefix: "orion:rl".to_owned(),
            fail_open: true,
            load_reduction: true,
            admin_tier: "enterprise".to_owned(),
            // A product page loads dozens of variants from one address (or one NAT): pro's burst.
            public_tier: "pro".to_owned(),
            tier_map,
            tiers,
        }
    }
}

impl RateLimitSettings {
    /// Refuses settings that cannot work, naming the key.
    pub fn validate(&self) -> Result<(), String> {
        let named = [("admin_tier", &self.admin_tier), ("public_tier", &self.public_tier)];
        for (key, name) in named.into_iter().chain(self.tier_map.values().map(|name| ("tier_map", name))) {
            if !self.tiers.contains_key(name) {
                return Err(format!("rate_limit.{key}: no rate_limit.tiers.{name}"));
            }
        }
        Ok(())
    }

    /// The limits of rate tier `name`, if configured.
    pub fn limits(&self, name: &str) -> Option<RateLimits> {
        self.tiers.get(name).map(|t| RateLimits::from(*t))
    }

    /// The limits of a merchant on subscription `tier` (through `tier_map`), the day capped by
    /// the API requests a day the catalogue sells it (`None`: unlimited); `None` when the tier is
    /// not mapped or rate limiting is disabled.
    pub fn for_subscription(&self, tier: TierCode, api_requests_per_day: Option<i64>) -> Option<RateLimits> {
        let limits = self.enforced(self.tier_map.get(tier.as_str())?)?;
        let sold = api_requests_per_day.map(|n| u32::try_from(n.max(1)).unwrap_or(u32::MAX));
        let per_day = match (limits.per_day, sold) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (day, None) | (None, day) => day,
        };
        Some(RateLimits { per_day, ..limits })
    }

    /// The limits to enforce for rate tier `name`: none when rate limiting is disabled.
    pub fn enforced(&self, name: &str) -> Option<RateLimits> {
        self.limits(name).filter(|_| self.enabled)
    }
}

/// The limiter a service builds from its settings: the backend, fail-open or closed, and the
/// concurrency permits (per process).
#[derive(Debug, Clone)]
pub struct Limiter {
    backend: Backend,
    slots: MemoryLimiter,
    fail_open: bool,
    backend_errors: Arc<AtomicU64>,
    /// When the backend last failed to answer (Unix seconds; 0: never).
    last_failure: Arc<AtomicI64>,
    /// When the last warning about the backend was logged (Unix seconds): at most one a minute.
    last_warning: Arc<AtomicI64>,
    /// The system load (percent, as `f64` bits) that scales every limit ([`load_factor`]); only
    /// set when `load_reduction` is on.
    load_percent: Arc<AtomicU64>,
}

/// The shared backend's trouble, for `/health` and `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendTrouble {
    /// Checks it could not answer since start.
    pub failed_checks: u64,
    /// When it last failed.
    pub last_failure: OffsetDateTime,
    /// Whether requests pass meanwhile (else they get 503).
    pub fail_open: bool,
}

#[derive(Debug, Clone)]
enum Backend {
    Memory(MemoryLimiter),
    #[cfg(feature = "redis")]
    Redis(Box<crate::shared::RedisLimiter>),
}

impl Limiter {
    /// The limiter `settings` describe (connecting to Redis for the `redis` backend, waiting at
    /// most 250 ms for each answer; with rate limiting disabled nothing is counted, so no
    /// connection is made).
    #[cfg(feature = "redis")]
    pub async fn from_settings(settings: &RateLimitSettings) -> Result<Limiter, crate::Error> {
        if !settings.enabled {
            return Ok(Limiter::memory());
        }
        Ok(match settings.backend {
            BackendKind::Memory => Limiter::memory(),
            BackendKind::Redis => {
                let timeout = std::time::Duration::from_millis(250);
                let redis = crate::shared::RedisLimiter::connect(
                    &settings.redis_url,
                    &settings.redis_key_prefix,
                    timeout,
                )
                .await?;
                Limiter::redis(redis, settings.fail_open)
            }
        })
    }

    /// The in-process limiter.
    pub fn memory() -> Limiter {
        Limiter::with(Backend::Memory(MemoryLimiter::new()), true)
    }

    /// The limiter on a shared Redis; when it cannot answer, requests pass if `fail_open`.
    #[cfg(feature = "redis")]
    pub fn redis(redis: crate::shared::RedisLimiter, fail_open: bool) -> Limiter {
        Limiter::with(Backend::Redis(Box::new(redis)), fail_open)
    }

    fn with(backend: Backend, fail_open: bool) -> Limiter {
        Limiter {
            backend,
            slots: MemoryLimiter::new(),
            fail_open,
            backend_errors: Arc::default(),
            last_failure: Arc::default(),
            last_warning: Arc::default(),
            load_percent: Arc::default(),
        }
    }

    /// This limiter with connections driven by the current runtime (a Redis backend connects
    /// anew; counters, load and settings stay shared). The middleware calls it once per worker.
    pub async fn on_this_runtime(&self) -> Limiter {
        match &self.backend {
            Backend::Memory(_) => self.clone(),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => match redis.reconnect().await {
                Ok(local) => Limiter { backend: Backend::Redis(Box::new(local)), ..self.clone() },
                // Redis is away: the shared connection reconnects by itself meanwhile.
                Err(_) => self.clone(),
            },
        }
    }

    /// Scales every limit by seed 003's [`load_factor`] of `percent` (the system's CPU use) from
    /// now on.
    pub fn set_load(&self, percent: f64) {
        self.load_percent.store(percent.to_bits(), Ordering::Relaxed);
    }

    /// The limits in force for `limits` at the current load.
    pub fn effective(&self, limits: &RateLimits) -> RateLimits {
        let factor = load_factor(f64::from_bits(self.load_percent.load(Ordering::Relaxed)));
        if factor < 1.0 { limits.scaled(factor) } else { *limits }
    }

    /// The decision on one request of `caller` (under [`Limiter::effective`] limits); `None` when
    /// the backend could not answer and the limiter fails closed (the caller answers 503).
    pub async fn check(&self, caller: &str, limits: &RateLimits, now: OffsetDateTime) -> Option<Decision> {
        let limits = self.effective(limits);
        let answer = match &self.backend {
            Backend::Memory(memory) => Ok(memory.check(caller, &limits, now)),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.check(caller, &limits, now).await,
        };
        match answer {
            Ok(decision) => Some(decision),
            Err(error) => {
                self.failed(&error, now);
                self.fail_open.then_some(Decision {
                    allowed: true,
                    limit: limits.per_minute,
                    remaining: limits.burst,
                    reset: std::time::Duration::ZERO,
                    retry_after: None,
                })
            }
        }
    }

    /// Every caller's requests let through and refused today (UTC), as the backend counted them:
    /// on Redis, those of every instance and every service that shares it.
    pub async fn usage(&self, now: OffsetDateTime) -> Result<Vec<CallerUsage>, crate::Error> {
        match &self.backend {
            Backend::Memory(memory) => Ok(memory.usage(now)),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.usage(now).await.inspect_err(|error| self.failed(error, now)),
        }
    }

    /// Counts a failure of the backend, with a warning at most once a minute (not one per request
    /// in an outage).
    fn failed(&self, error: &crate::Error, now: OffsetDateTime) {
        let failures = self.backend_errors.fetch_add(1, Ordering::Relaxed) + 1;
        let second = now.unix_timestamp();
        self.last_failure.fetch_max(second, Ordering::Relaxed);
        let last = self.last_warning.load(Ordering::Relaxed);
        if second - last >= 60
            && self.last_warning.compare_exchange(last, second, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            let mode = if self.fail_open { "open" } else { "closed" };
            tracing::warn!(%error, failures, "rate limiter: the backend could not answer; failing {mode}");
        }
    }

    /// The backend's trouble if it failed within `recent` before `now` (for a `/health`
    /// recommendation); `None` when it answered throughout.
    pub fn trouble(&self, now: OffsetDateTime, recent: time::Duration) -> Option<BackendTrouble> {
        let last = self.last_failure.load(Ordering::Relaxed);
        let last_failure = OffsetDateTime::from_unix_timestamp(last).ok().filter(|_| last > 0)?;
        (now - last_failure <= recent).then(|| BackendTrouble {
            failed_checks: self.backend_errors(),
            last_failure,
            fail_open: self.fail_open,
        })
    }

    /// A slot for one request in flight under the [`Limiter::effective`] limits (see
    /// [`MemoryLimiter::acquire`]).
    pub fn acquire(&self, caller: &str, limits: &RateLimits) -> Option<Permit> {
        self.slots.acquire(caller, &self.effective(limits))
    }

    /// Where it counts: `Memory` also when `[rate_limit]` names Redis but is disabled (nothing
    /// is counted then, and no connection is made).
    pub fn backend(&self) -> BackendKind {
        match self.backend {
            Backend::Memory(_) => BackendKind::Memory,
            #[cfg(feature = "redis")]
            Backend::Redis(_) => BackendKind::Redis,
        }
    }

    /// Checks the backend could not answer since start (for `/metrics` and `/health`).
    pub fn backend_errors(&self) -> u64 {
        self.backend_errors.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_seed_003s_tiers_and_a_missing_tier_is_named() {
        let settings = RateLimitSettings::default();
        assert_eq!(settings.limits("pro"), Some(RateTier::Pro.limits()));
        assert_eq!(settings.tier_map["business"], "pro");
        assert_eq!(settings.validate(), Ok(()));
        let unlimited = TierSettings { requests_per_day: 0, ..settings.tiers["free"] };
        assert_eq!(RateLimits::from(unlimited).per_day, None);
        // Essential maps to free (10,000 a day) and is sold 1,000 a day: the smaller holds.
        let essential = settings.for_subscription(TierCode::Essential, Some(1_000)).unwrap();
        assert_eq!((essential.per_minute, essential.per_day), (60, Some(1_000)));
        // Business maps to pro's windows, its day capped at the 20,000 it is sold.
        let business = settings.for_subscription(TierCode::Business, Some(20_000)).unwrap();
        assert_eq!((business.per_minute, business.per_day), (300, Some(20_000)));
        // Enterprise is sold unlimited: seed 003's enterprise day stands.
        assert_eq!(settings.for_subscription(TierCode::Enterprise, None).unwrap().per_day, Some(1_000_000));
        let broken = RateLimitSettings { admin_tier: "gold".to_owned(), ..settings };
        assert_eq!(broken.validate(), Err("rate_limit.admin_tier: no rate_limit.tiers.gold".to_owned()));
    }

    #[tokio::test]
    async fn limits_shrink_under_load_at_60_and_80_percent_and_come_back() {
        let limiter = Limiter::memory();
        let limits = RateLimits { per_minute: 60, burst: 8, per_hour: 1_000, per_day: None, concurrent: 4 };
        let now = time::macros::datetime!(2026-11-28 12:00:00 UTC);
        let burst = |caller: &'static str| {
            let limiter = limiter.clone();
            async move {
                let mut through = 0;
                while limiter.check(caller, &limits, now).await.is_some_and(|d| d.allowed) {
                    through += 1;
                }
                through
            }
        };
        assert_eq!(burst("calm").await, 8);
        limiter.set_load(60.5);
        assert_eq!(burst("busy").await, 6, "× 0.75 above 60 %");
        limiter.set_load(80.5);
        assert_eq!(burst("overloaded").await, 4, "× 0.5 above 80 %");
        let slots: Vec<_> = (0..3).filter_map(|_| limiter.acquire("overloaded", &limits)).collect();
        assert_eq!(slots.len(), 2, "half the concurrent requests");
        limiter.set_load(20.0);
        assert_eq!(burst("calm-again").await, 8);
    }

    #[test]
    fn backend_trouble_is_reported_while_recent() {
        let limiter = Limiter::memory();
        let now = time::macros::datetime!(2026-11-28 12:00:00 UTC);
        assert_eq!(limiter.trouble(now, time::Duration::minutes(5)), None);
        limiter.failed(&crate::Error::Protocol("test".to_owned()), now);
        let trouble = limiter.trouble(now + time::Duration::minutes(4), time::Duration::minutes(5));
        assert_eq!(trouble, Some(BackendTrouble { failed_checks: 1, last_failure: now, fail_open: true }));
        assert_eq!(limiter.trouble(now + time::Duration::minutes(6), time::Duration::minutes(5)), None);
    }
}
