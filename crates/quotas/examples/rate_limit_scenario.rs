//! Seed 004's rate-limiting scenario against a service limited per merchant (the storefront
//! example): 50 users, each waiting 0.1–0.5 s between requests, for 3 minutes; the users are
//! spread over the API keys given (so each merchant's tier meets more traffic than it allows).
//! Prints the total, the successful and the 429 shares, and per key.
//!
//! ```sh
//! cargo run --release -p quotas --example rate_limit_scenario -- http://127.0.0.1:8081/products KEY…
//! ```
//! `USERS` (default 50) and `SECONDS` (default 180) size it; `scripts/rate-limit-scenario.sh` runs
//! the whole setup.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a load tool: any failure should stop it loudly

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Default, Clone, Copy)]
struct Counts {
    ok: u64,
    limited: u64,
    other: u64,
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("the URL to call, then API keys");
    let keys: Vec<String> = args.collect();
    assert!(!keys.is_empty(), "give at least one API key");
    let env =
        |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (users, seconds) = (env("USERS", 50), env("SECONDS", 180));
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for user in 0..users {
        let (client, url) = (client.clone(), url.clone());
        let key = keys[user as usize % keys.len()].clone();
        tasks.push(tokio::spawn(async move {
            // A small generator of our own per user: think times, no shared state.
            let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ (user + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let mut counts = Counts::default();
            // Spawn 10 users a second (seed 004's spawn rate).
            tokio::time::sleep(Duration::from_millis(100 * user)).await;
            while Instant::now() < deadline {
                match client.get(&url).header("X-Api-Key", &key).send().await.map(|r| r.status().as_u16()) {
                    Ok(200..=299) => counts.ok += 1,
                    Ok(429) => counts.limited += 1,
                    _ => counts.other += 1,
                }
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                tokio::time::sleep(Duration::from_millis(100 + seed % 401)).await;
            }
            (key, counts)
        }));
    }
    let mut by_key: BTreeMap<String, Counts> = BTreeMap::new();
    for task in tasks {
        let (key, c) = task.await.unwrap();
        let entry = by_key.entry(key).or_default();
        (entry.ok, entry.limited, entry.other) =
            (entry.ok + c.ok, entry.limited + c.limited, entry.other + c.other);
    }
    let total: Counts = by_key.values().fold(Counts::default(), |a, c| Counts {
        ok: a.ok + c.ok,
        limited: a.limited + c.limited,
        other: a.other + c.other,
    });
    let all = (total.ok + total.limited + total.other).max(1);
    let share = |n: u64| 100.0 * n as f64 / all as f64;
    println!(
        "{users} users, {:.0} s: {all} requests ({:.1}/s), {} ok ({:.1} %), {} refused with 429 ({:.1} %), {} other ({:.1} %)",
        started.elapsed().as_secs_f64(),
        all as f64 / started.elapsed().as_secs_f64(),
        total.ok,
        share(total.ok),
        total.limited,
        share(total.limited),
        total.other,
        share(total.other)
    );
    for (key, c) in by_key {
        println!("  {key}: {} ok, {} 429, {} other", c.ok, c.limited, c.other);
    }
}
