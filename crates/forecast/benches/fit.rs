//! The forecast fits on daily histories of 181 (the demo) and 730 (two years) points: days until
//! a threshold and the 3/6/12-month projection. `cargo bench -p forecast --bench fit`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Growth of 0.2 % a day with a weekly pattern and deterministic noise.
fn history(days: usize) -> Vec<f64> {
    let mut state = 0x2545_F491u32;
    (0..days)
        .map(|d| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = f64::from(state % 1000) / 1000.0 - 0.5;
            let weekly = if d % 7 >= 5 { 1.03 } else { 1.0 };
            10_000.0 * 1.002f64.powi(d as i32) * weekly * (1.0 + 0.01 * noise)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for days in [181, 730] {
        let series = history(days);
        let threshold = series[days - 1] * 3.0;
        c.bench_with_input(BenchmarkId::new("days_until_threshold", days), &series, |b, s| {
            b.iter(|| forecast::days_until_threshold(std::hint::black_box(s), threshold))
        });
        c.bench_with_input(BenchmarkId::new("project_3_6_12_months", days), &series, |b, s| {
            b.iter(|| forecast::project(std::hint::black_box(s), &[91, 182, 365]))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
