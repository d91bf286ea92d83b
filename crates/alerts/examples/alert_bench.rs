//! The alerting issue's benchmark: what one evaluation of 100 rules costs (the pure rule steps,
//! and a whole cycle against a SQLite database: quiet, and with every rule firing), and how long
//! delivering 1,000 queued notifications to a local receiver takes.
//!
//! ```sh
//! cargo run --release -p alerts --example alert_bench
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: any failure should stop it loudly

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use alerts::{Op, Rule, Severity, Values, Webhook};
use time::OffsetDateTime;

fn rules() -> Vec<Rule> {
    (0..100)
        .map(|i| Rule {
            name: format!("rule_{i}"),
            metric: "cpu_percent".to_owned(),
            op: Op::Above,
            threshold: f64::from(i % 50),
            for_seconds: 0,
            keep_firing_seconds: 300,
            severity: if i % 2 == 0 { Severity::Warning } else { Severity::Critical },
            action: "scale_up".to_owned(),
            labels: Default::default(),
        })
        .collect()
}

fn cpu(value: f64) -> Values {
    Values::from([("cpu_percent".to_owned(), value)])
}

/// CPU time of this process (user + system), from /proc/self/stat.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ = 100
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rules = rules();
    let now = OffsetDateTime::now_utc();

    // 1. The pure steps of 100 rules.
    let rounds = 100_000;
    let started = Instant::now();
    let mut fired = 0;
    for round in 0..rounds {
        let value = Some(f64::from(round % 100));
        for rule in &rules {
            fired += usize::from(alerts::step(rule, None, value, now) != alerts::Step::Nothing);
        }
    }
    let per = started.elapsed() / rounds;
    println!("steps of 100 rules: {per:?} per cycle ({rounds} cycles, {fired} openings)");

    // 2. Whole cycles on SQLite.
    let dir = tempfile_dir();
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let db = migration::DatabaseSettings { url, ..Default::default() }.connect_and_migrate().await.unwrap();
    for (name, value) in [("quiet (nothing holds)", -1.0), ("every rule firing", 99.0)] {
        let values = cpu(value);
        alerts::evaluate(&db, &rules, &values, now, "http://bench").await.unwrap(); // opens them
        let cycles = 50;
        let (wall, cpu0) = (Instant::now(), cpu_time());
        for i in 0..cycles {
            alerts::evaluate(
                &db,
                &rules,
                &values,
                now + time::Duration::seconds(15 * (i + 1)),
                "http://bench",
            )
            .await
            .unwrap();
        }
        let (wall, cpu) = (wall.elapsed() / cycles as u32, (cpu_time() - cpu0) / cycles as u32);
        println!(
            "cycle of 100 rules on SQLite, {name}: {wall:?} wall, {cpu:?} CPU (this process, incl. SQLite)"
        );
    }

    // 3. Delivery of 1,000 queued notifications.
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let server = HttpServer::new(move || {
        let counter = counter.clone();
        App::new().route(
            "/hook",
            web::post().to(move || {
                counter.fetch_add(1, Ordering::Relaxed);
                async { HttpResponse::Ok().finish() }
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    // A fresh database holding 1,000 firing alerts, each with its notification queued.
    let db = migration::DatabaseSettings {
        url: format!("sqlite://{}/deliver.db?mode=rwc", dir.display()),
        ..Default::default()
    }
    .connect_and_migrate()
    .await
    .unwrap();
    let many = 1_000;
    let bulk: Vec<Rule> = (0..many).map(|i| Rule { name: format!("bulk_{i}"), ..rules[0].clone() }).collect();
    let started = Instant::now();
    let cycle = alerts::evaluate(&db, &bulk, &cpu(99.0), now, "http://bench").await.unwrap();
    println!(
        "queued {} notifications in {:?} (one transaction per transition)",
        cycle.queued,
        started.elapsed()
    );
    let hook = Webhook {
        url: format!("http://127.0.0.1:{port}/hook"),
        secret: "bench".to_owned(),
        timeout: Duration::from_secs(5),
        max_attempts: 5,
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut sent = 0;
    while sent < many {
        let round = alerts::deliver_due(&db, &client, &hook, now).await.unwrap();
        if round.sent == 0 {
            break;
        }
        sent += round.sent;
    }
    println!(
        "delivered {sent} notifications (receiver counted {}) in {:?}",
        received.load(Ordering::Relaxed),
        started.elapsed()
    );
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("orion-alert-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
