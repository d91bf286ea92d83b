//! The Redis backend against a real Redis (`ORION_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379`; `.ci/run` starts one): the same answers as the in-process limiter,
//! one budget for several instances, keys that expire, and a clear error when Redis is away.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use std::time::Duration;

use quotas::{MemoryLimiter, RateLimits, RedisLimiter};
use time::OffsetDateTime;
use time::macros::datetime;

fn url() -> String {
    std::env::var("ORION_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A key prefix no other test run shares.
fn prefix(test: &str) -> String {
    format!("orion-test:{}:{}:{test}", std::process::id(), OffsetDateTime::now_utc().unix_timestamp_nanos())
}

async fn limiter(prefix: &str) -> RedisLimiter {
    RedisLimiter::connect(&url(), prefix, Duration::from_secs(2))
        .await
        .unwrap_or_else(|e| panic!("Redis at {} (started by .ci/run): {e}", url()))
}

fn limits(per_minute: u32, burst: u32, per_hour: u32, per_day: Option<u32>) -> RateLimits {
    RateLimits { per_minute, burst, per_hour, per_day, concurrent: 5 }
}

#[tokio::test]
async fn the_redis_limiter_answers_as_the_in_process_one_at_every_boundary() {
    let shared = limiter(&prefix("same")).await;
    let local = MemoryLimiter::new();
    let l = limits(60, 3, 5, Some(6));
    let start = datetime!(2026-11-28 10:59:58 UTC);
    // A burst, refusals, the rate, the hour boundary, the hour and then the day limit.
    let offsets_ms = [0, 0, 0, 0, 500, 1_000, 1_000, 2_000, 2_100, 3_000, 4_000, 5_000, 6_000, 9_000];
    let mut allowed = 0;
    for ms in offsets_ms {
        let at = start + Duration::from_millis(ms);
        let (a, b) = (shared.check("caller", &l, at).await.unwrap(), local.check("caller", &l, at));
        assert_eq!(a, b, "at +{ms} ms");
        allowed += u32::from(a.allowed);
    }
    assert_eq!(allowed, 6, "the day's 6 requests and no more");
}

#[tokio::test]
async fn two_instances_on_one_redis_share_one_budget() {
    let name = prefix("shared");
    let (first, second) = (limiter(&name).await, limiter(&name).await);
    let l = limits(60, 10, 1_000, None);
    let at = datetime!(2026-11-28 12:00:00 UTC);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let instance = if i % 2 == 0 { first.clone() } else { second.clone() };
        tasks.push(tokio::spawn(async move { instance.check("merchant-7", &l, at).await.unwrap().allowed }));
    }
    let mut through = 0;
    for task in tasks {
        through += u32::from(task.await.unwrap());
    }
    assert_eq!(through, 10, "the burst once, across both instances");
    // Another caller has its own budget.
    assert!(first.check("merchant-8", &l, at).await.unwrap().allowed);
}

#[tokio::test]
async fn usage_counts_what_each_caller_was_let_through_and_refused_as_in_process() {
    let shared = limiter(&prefix("usage")).await;
    let local = MemoryLimiter::new();
    let at = datetime!(2026-11-28 23:59:59 UTC);
    let l = limits(60, 2, 100, Some(3));
    for (caller, times) in [("merchant:1", 5), ("merchant:2", 1), ("ip:203.0.113.9", 2)] {
        for _ in 0..times {
            shared.check(caller, &l, at).await.unwrap();
            local.check(caller, &l, at);
        }
    }
    let sorted = |mut usage: Vec<quotas::CallerUsage>| {
        usage.sort_by(|a, b| a.caller.cmp(&b.caller));
        usage.into_iter().map(|u| (u.caller, u.requests, u.refused)).collect::<Vec<_>>()
    };
    let expected = vec![
        ("ip:203.0.113.9".to_owned(), 2, 0),
        ("merchant:1".to_owned(), 2, 3),
        ("merchant:2".to_owned(), 1, 0),
    ];
    assert_eq!(sorted(shared.usage(at).await.unwrap()), expected);
    assert_eq!(sorted(local.usage(at)), expected);
    // The next UTC day starts at zero.
    assert!(shared.usage(at + Duration::from_secs(1)).await.unwrap().is_empty());
}

#[tokio::test]
async fn keys_expire_by_themselves() {
    let name = prefix("ttl");
    let shared = limiter(&name).await;
    let now = OffsetDateTime::now_utc();
    // One let through, one refused: the caller's hash and the day's two usage sets.
    shared.check("c", &limits(60, 1, 10, Some(10)), now).await.unwrap();
    shared.check("c", &limits(60, 1, 10, Some(10)), now).await.unwrap();
    let client = redis::Client::open(url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> =
        redis::cmd("KEYS").arg(format!("{name}:*")).query_async(&mut connection).await.unwrap();
    assert_eq!(keys.len(), 3, "{keys:?}");
    for key in keys {
        let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut connection).await.unwrap();
        assert!(ttl > 0 && ttl <= 2 * 86_400, "{key}: TTL {ttl}");
    }
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_not_a_hang() {
    let started = std::time::Instant::now();
    let result = RedisLimiter::connect("redis://127.0.0.1:9", "x", Duration::from_millis(500)).await;
    assert!(matches!(result, Err(quotas::Error::Redis(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_disabled_limiter_needs_no_redis() {
    let settings = quotas::RateLimitSettings {
        enabled: false,
        backend: quotas::BackendKind::Redis,
        redis_url: "redis://127.0.0.1:9".to_owned(),
        ..Default::default()
    };
    assert!(quotas::Limiter::from_settings(&settings).await.is_ok());
    assert_eq!(settings.enforced("pro"), None);
    let enabled = quotas::RateLimitSettings { enabled: true, ..settings };
    assert!(enabled.enforced("pro").is_some());
    assert!(quotas::Limiter::from_settings(&enabled).await.is_err(), "enabled, it needs its Redis");
}
