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

/// GCRA and windows in one step, on one hash per caller (`t`: the GCRA instant, `h`/`hc`: the
/// hour window and its count, `d`/`dc`: the day window and its count) and the day's usage and
/// refusal sets. KEYS: the caller's hash, the day's usage set, the day's refusal set. ARGV: now
/// (µs since the epoch), interval (µs), tolerance (µs), per hour, per day (0: no limit), this
/// hour's and this day's window index, the caller, the keys' lifetime (s). Answers {allowed, the
/// GCRA instant before (µs, as text: a Lua number prints with 14 digits), hour count before, day
/// count before}. Four commands on the way through, five at most.
const SCRIPT: &str = r"
local now = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 't', 'h', 'hc', 'd', 'dc')
local tat = tonumber(state[1] or '0')
local hour = 0
if state[2] == ARGV[6] then hour = tonumber(state[3]) end
local day = 0
if state[4] == ARGV[7] then day = tonumber(state[5]) end
local per_day = tonumber(ARGV[5])
local new_tat = math.max(tat, now) + tonumber(ARGV[2])
local allowed = new_tat - now <= tonumber(ARGV[3]) + tonumber(ARGV[2]) and hour < tonumber(ARGV[4]) and (per_day == 0 or day < per_day)
local counted = KEYS[3]
if allowed then
  redis.call('HSET', KEYS[1], 't', string.format('%d', new_tat), 'h', ARGV[6], 'hc', hour + 1, 'd', ARGV[7], 'dc', day + 1)
  redis.call('EXPIRE', KEYS[1], ARGV[9])
  counted = KEYS[2]
end
if redis.call('ZINCRBY', counted, 1, ARGV[8]) == '1' then
  redis.call('EXPIRE', counted, ARGV[9])
end
return {allowed and 1 or 0, string.format('%d', tat), hour, day}
";

async fn manager(client: &redis::Client, timeout: std::time::Duration) -> Result<ConnectionManager, Error> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        .set_number_of_retries(1);
    Ok(client.get_connection_manager_with_config(config).await?)
}

/// The limiter on a shared Redis.
#[derive(Clone)]
pub struct RedisLimiter {
    connection: ConnectionManager,
    client: redis::Client,
    timeout: std::time::Duration,
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
        let connection = manager(&client, timeout).await?;
        Ok(RedisLimiter {
            connection,
            client,
            timeout,
            prefix: prefix.to_owned(),
            script: Script::new(SCRIPT),
        })
    }

    /// The same limiter on a connection of its own, driven by the runtime this is called on
    /// (each actix-web worker is a runtime of its own: a check then stays on its thread).
    pub async fn reconnect(&self) -> Result<RedisLimiter, Error> {
        let connection = manager(&self.client, self.timeout).await?;
        Ok(RedisLimiter { connection, ..self.clone() })
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
        let (allowed, tat, hour, day): (i64, String, u32, u32) = self
            .script
            .key(format!("{}:c:{caller}", self.prefix))
            .key(self.usage_key("usage", at.day))
            .key(self.usage_key("refused", at.day))
            .arg(at.micros.to_string())
            .arg(interval.to_string())
            .arg(tolerance.to_string())
            .arg(limits.per_hour)
            .arg(limits.per_day.unwrap_or(0))
            .arg(at.hour)
            .arg(at.day)
            .arg(caller)
            .arg(86_400 * 2)
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
