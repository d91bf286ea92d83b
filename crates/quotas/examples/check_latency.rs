//! How long one rate-limit check takes: the in-process limiter and the Redis one (one Lua
//! round trip), sequential checks of distinct callers, percentiles printed.
//!
//! ```sh
//! cargo run --release -p quotas --features redis --example check_latency [-- redis://127.0.0.1:6379]
//! ```

#![allow(clippy::expect_used)] // a measuring tool: any failure should stop it loudly

use std::time::{Duration, Instant};

use quotas::{MemoryLimiter, RateLimits, RedisLimiter};
use time::OffsetDateTime;

const CHECKS: usize = 20_000;

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name}: {CHECKS} checks, p50 {:?}, p99 {:?}, p99.9 {:?}, max {:?}",
        at(0.5),
        at(0.99),
        at(0.999),
        samples[samples.len() - 1]
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned());
    let limits = RateLimits {
        per_minute: 1_000,
        burst: 200,
        per_hour: 50_000,
        per_day: Some(1_000_000),
        concurrent: 100,
    };
    let memory = MemoryLimiter::new();
    let mut samples = Vec::with_capacity(CHECKS);
    for i in 0..CHECKS {
        let started = Instant::now();
        memory.check(&format!("caller-{}", i % 1_000), &limits, OffsetDateTime::now_utc());
        samples.push(started.elapsed());
    }
    report("in-process", samples);
    let prefix = format!("orion-bench:{}", std::process::id());
    let redis = RedisLimiter::connect(&url, &prefix, Duration::from_secs(1)).await.expect("Redis");
    let mut samples = Vec::with_capacity(CHECKS);
    for i in 0..CHECKS {
        let started = Instant::now();
        redis
            .check(&format!("caller-{}", i % 1_000), &limits, OffsetDateTime::now_utc())
            .await
            .expect("check");
        samples.push(started.elapsed());
    }
    report(&format!("Redis at {url}"), samples);
}
