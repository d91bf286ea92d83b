//! API quotas and rate limits per subscription tier, for every service that answers merchants'
//! API calls (issue: quotas). Pure rules and an in-process limiter; no I/O.
//!
//! - [`RateLimits`]: seed 003's windows (per minute with a burst, per hour, per day, concurrent
//!   requests) for its `free`, `pro` and `enterprise` rate tiers ([`RateTier`]), the mapping of
//!   Orion's subscription tiers to them ([`RateTier::of`]), the day capped by the API allowance
//!   the tier catalogue sells (seed 002), and seed 003's reduction under load ([`load_factor`]).
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

mod gcra;
mod limits;
mod memory;
#[cfg(feature = "actix")]
mod middleware;
mod settings;
#[cfg(feature = "redis")]
mod shared;

pub use gcra::{Gcra, GcraOutcome};
pub use limits::{RateLimits, RateTier, load_factor};
pub use memory::{Decision, MemoryLimiter, Permit};
#[cfg(feature = "actix")]
pub use middleware::{Caller, Identify, RateLimit, RateLimitService};
pub use settings::{BackendKind, Limiter, RateLimitSettings, TierSettings};
#[cfg(feature = "redis")]
pub use shared::{Error, RedisLimiter};
