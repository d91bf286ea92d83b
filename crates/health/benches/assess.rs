//! The health assessment without the render cache: what one uncached `/health` costs in policy
//! (thresholds, recommendations, tier), on a quiet platform and on one where every threshold
//! fires. `cargo bench -p health --bench assess`.

use criterion::{Criterion, criterion_group, criterion_main};
use health::{DatabaseStatus, Measurements, Observation, Thresholds, assess};

fn observation(busy: bool) -> Observation {
    let scale = if busy { 1.0 } else { 0.1 };
    Observation {
        measurements: Measurements {
            products: 480_000.0 * scale,
            storage_gb: 960.0 * scale,
            db_size_mb: 24_500.0 * scale,
            disk_percent: 90.0 * scale,
            memory_percent: 95.0 * scale,
            cpu_percent: 88.0 * scale,
            monthly_orders: 290_000.0 * scale,
            avg_response_ms: 700.0 * scale,
            api_p95_ms: 1_200.0 * scale,
            error_rate_percent: 6.0 * scale,
            db_pool_percent: 90.0 * scale,
            image_files_per_directory: 200_000.0 * scale,
        },
        stores: (900.0 * scale) as u64,
        products: (480_000.0 * scale) as u64,
        database: DatabaseStatus::Reachable,
        rate_limiter: None,
    }
}

fn bench(c: &mut Criterion) {
    let thresholds = Thresholds::default();
    for (name, busy) in [("assess/quiet", false), ("assess/every_threshold_firing", true)] {
        let observed = observation(busy);
        c.bench_function(name, |b| b.iter(|| assess(std::hint::black_box(&observed), &thresholds)));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
