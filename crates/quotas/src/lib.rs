//! API quotas and rate limits per subscription tier, for every service that answers merchants'
//! API calls (issue: quotas). Pure rules and an in-process limiter; no I/O.
//!
//! - [`RateLimits`]: seed 003's windows (per minute with a burst, per hour, per day, concurrent
//!   requests) for its `free`, `pro` and `enterprise` rate tiers ([`RateTier`]), the mapping of
//!   Orion's subscription tiers to them ([`RateTier::of`]; configured: `tier_map`, with the day
//!   capped by the API allowance the catalogue sells, [`RateLimitSettings::for_subscription`]),
//!   and seed 003's reduction under load ([`load_factor`], [`Limiter::set_load`]).
//! - [`Gcra`]: the generic cell rate algorithm for the per-minute window with its burst.
//! - [`MemoryLimiter`]: one process's limiter (GCRA + fixed hour and day windows per caller,
//!   and a concurrency count); a check that is refused consumes nothing.
//! - [`RedisLimiter`] (feature `redis`): the same rules on a Redis every instance shares, one
//!   round trip (a Lua script) per check, keys that expire by themselves.
//!
//! - [`RateLimitSettings`] (`[rate_limit]`) and [`Limiter`]: the backend a service configured,
//!   failing open or closed when Redis cannot answer.
//! - [`RateLimit`] (feature `actix`): the actix-web middleware, with the caller identified by the
//!   service.
//! - [`merchant_api_usage`]: each merchant's requests today against the daily allowance its tier
//!   sells, with an upgrade suggestion near it; merchants are the callers named by
//!   [`merchant_caller`].

mod gcra;
mod limits;
mod memory;
#[cfg(feature = "actix")]
mod middleware;
mod settings;
#[cfg(feature = "redis")]
mod shared;
mod usage;

pub use gcra::{Gcra, GcraOutcome};
pub use limits::{RateLimits, RateTier, load_factor};
pub use memory::{Decision, MemoryLimiter, Permit};
#[cfg(feature = "actix")]
pub use middleware::{Caller, Identify, RateLimit, RateLimitService};
pub use settings::{BackendKind, BackendTrouble, Limiter, RateLimitSettings, TierSettings};
#[cfg(feature = "redis")]
pub use shared::RedisLimiter;
pub use usage::{
    CallerUsage, MERCHANT_CALLER_PREFIX, MerchantApiUsage, NEAR_ALLOWANCE_PERCENT, merchant_api_usage,
    merchant_caller, merchant_of,
};

/// Why the shared backend could not answer; the caller fails open or closed as it is configured.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Redis refused, timed out or is unreachable.
    #[cfg(feature = "redis")]
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The backend answered something it never answers.
    #[error("unexpected answer from the rate-limit backend: {0}")]
    Protocol(String),
}
