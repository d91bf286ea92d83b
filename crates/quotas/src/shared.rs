//! The Redis backend (feature `redis`): every instance that points at the same Redis shares one
//! budget per caller. One check is one round trip (a Lua script that reads the caller's GCRA
//! instant and window counters and writes them back only when the request is allowed); every key
//! expires by itself (the GCRA instant when the burst would be whole again, a window an hour or a
//! day after it ends). Concurrency permits stay per process ([`crate::MemoryLimiter::acquire`]).

use redis::Script;
use redis::aio::ConnectionManager;
use time::OffsetDateTime;

use crate::Error;
use crate::gcra::Gcra;
use crate::limits::RateLimits;
use crate::memory::{Decision, Instant, decide};
use crate::usage::CallerUsage;

/// GCRA and windows in one step. KEYS: the GCRA instant, the hour counter, the day counter, the
/// day's usage and refusals (sorted sets by caller). ARGV: now (µs since the epoch), interval (µs),
/// tolerance (µs), per hour, per day (0: no limit), the counters' lifetimes (s), the caller. Answers {allowed, the GCRA instant before (µs, as text: a Lua
/// number prints with 14 digits), hour count before, day count before}.
const SCRIPT: &str = r"
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local hour = tonumber(redis.call('GET', KEYS[2]) or '0')
local day = tonumber(redis.call('GET', KEYS[3]) or '0')
local per_day = tonumber(ARGV[5])
local new_tat = math.max(tat, now) + interval
local allowed = new_tat - now <= tolerance + interval and hour < tonumber(ARGV[4]) and (per_day == 0 or day < per_day)
if allowed then
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
  redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[7])
  redis.call('ZINCRBY', KEYS[4], 1, ARGV[8])
  redis.call('EXPIRE', KEYS[4], ARGV[7])
else
  redis.call('ZINCRBY', KEYS[5], 1, ARGV[8])
  redis.call('EXPIRE', KEYS[5], ARGV[7])
end
return {allowed and 1 or 0, string.format('%d', tat), hour, day}
";

/// The limiter on a shared Redis.
#[derive(Clone)]
pub struct RedisLimiter {
    connection: ConnectionManager,
    prefix: String,
    script: Script,
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

impl RedisLimiter {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379`); keys start with `prefix` (e.g.
    /// `orion:rl`). A lost connection is re-established by itself; each call waits at most
    /// `timeout` for Redis.
    pub async fn connect(
        url: &str,
        prefix: &str,
        timeout: std::time::Duration,
    ) -> Result<RedisLimiter, Error> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let connection = client.get_connection_manager_with_config(config).await?;
        Ok(RedisLimiter { connection, prefix: prefix.to_owned(), script: Script::new(SCRIPT) })
    }

    /// Checks one request of `caller` at `now` against `limits`, counting it when allowed, in
    /// one round trip; the same answer [`crate::MemoryLimiter::check`] would give for the same
    /// history.
    pub async fn check(
        &self,
        caller: &str,
        limits: &RateLimits,
        now: OffsetDateTime,
    ) -> Result<Decision, Error> {
        let at = Instant::of(now);
        let (interval, tolerance) = Gcra::interval_and_tolerance(limits.per_minute, limits.burst);
        let key = |suffix: String| format!("{}:{caller}:{suffix}", self.prefix);
        let (allowed, tat, hour, day): (i64, String, u32, u32) = self
            .script
            .key(key("gcra".to_owned()))
            .key(key(format!("h{}", at.hour)))
            .key(key(format!("d{}", at.day)))
            .key(self.usage_key("usage", at.day))
            .key(self.usage_key("refused", at.day))
            .arg(at.micros.to_string())
            .arg(interval.to_string())
            .arg(tolerance.to_string())
            .arg(limits.per_hour)
            .arg(limits.per_day.unwrap_or(0))
            .arg(3_600 * 2)
            .arg(86_400 * 2)
            .arg(caller)
            .invoke_async(&mut self.connection.clone())
            .await?;
        let tat: u128 = tat.parse().map_err(|_| Error::Protocol(format!("GCRA instant {tat:?}")))?;
        // The same decision, made from what the script read; it must agree with the script's.
        let decision = decide(limits, &mut Gcra::at(tat), (hour, day), at);
        if decision.allowed != (allowed == 1) {
            return Err(Error::Protocol(format!(
                "script allowed={allowed}, rules allowed={}",
                decision.allowed
            )));
        }
        Ok(decision)
    }

    /// Every caller's requests let through and refused on the UTC day of `now` (one round trip).
    pub async fn usage(&self, now: OffsetDateTime) -> Result<Vec<CallerUsage>, Error> {
        let day = Instant::of(now).day;
        type Counts = Vec<(String, u64)>;
        let (allowed, refused): (Counts, Counts) = redis::pipe()
            .zrange_withscores(self.usage_key("usage", day), 0, -1)
            .zrange_withscores(self.usage_key("refused", day), 0, -1)
            .query_async(&mut self.connection.clone())
            .await?;
        let mut usage: Vec<CallerUsage> = allowed
            .into_iter()
            .map(|(caller, requests)| CallerUsage { caller, requests, refused: 0 })
            .collect();
        for (caller, count) in refused {
            match usage.iter_mut().find(|u| u.caller == caller) {
                Some(u) => u.refused = count,
                None => usage.push(CallerUsage { caller, requests: 0, refused: count }),
            }
        }
        Ok(usage)
    }

    fn usage_key(&self, what: &str, day: i64) -> String {
        format!("{}:{what}:d{day}", self.prefix)
    }
}
