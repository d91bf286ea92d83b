//! What another service writes to judge its platform's health with Orion's rules (pure; with
//! `health = { default-features = false }` no database, sampler or metrics code is linked):
//! `cargo run -p health --no-default-features --example assess`.

use health::{DatabaseStatus, Measurements, Observation, Thresholds, assess};

fn main() {
    let observation = Observation {
        measurements: Measurements { products: 420_000.0, cpu_percent: 91.0, ..Measurements::default() },
        stores: 720,
        products: 420_000,
        database: DatabaseStatus::Reachable,
        rate_limiter: None,
    };
    let verdict = assess(&observation, &Thresholds::default());
    println!("overall: {:?}, tier: {}", verdict.overall, verdict.tier.name);
    for recommendation in verdict.recommendations {
        println!("[{:?}] {}: {}", recommendation.priority, recommendation.title, recommendation.description);
    }
}
