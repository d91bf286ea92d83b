//! Prints, for three synthetic series with known answers, the true crossing day and each
//! method's estimate and intervals: `cargo run -p forecast --example synthetic`.

use forecast::fit::days_until_threshold;
use rand::{Rng, SeedableRng};

fn main() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let series: [(&str, Vec<f64>, f64, f64); 3] = [
        (
            "exact line 100 + 10·d, 30 days, T = 1,000",
            (0..30).map(|d| 100.0 + 10.0 * f64::from(d)).collect(),
            1_000.0,
            61.0,
        ),
        (
            "exact exponential 100·1.02^d, 30 days, T = 1,000",
            (0..30).map(|d| 100.0 * 1.02f64.powi(d)).collect(),
            1_000.0,
            10f64.ln() / 1.02f64.ln() - 29.0,
        ),
        (
            "noisy line 1,000 + 50·d ± U(60), 60 days, T = 10,000",
            (0..60).map(|d| 1_000.0 + 50.0 * f64::from(d) + rng.random_range(-60.0..60.0)).collect(),
            10_000.0,
            121.0,
        ),
    ];
    for (name, values, threshold, truth) in series {
        println!("{name}: true crossing in {truth:.1} days");
        match days_until_threshold(&values, threshold) {
            Ok(estimate) => {
                for c in &estimate.candidates {
                    let show = |i: Option<forecast::Interval>| {
                        i.map_or("-".to_owned(), |i| {
                            format!(
                                "{:.1}–{}",
                                i.low,
                                i.high.map_or("beyond".to_owned(), |h| format!("{h:.1}"))
                            )
                        })
                    };
                    println!(
                        "  {:<12} backtest error {:>6.2} %  estimate {:>8}  80 % {:>14}  95 % {:>14}{}",
                        format!("{:?}", c.method),
                        c.backtest_error_percent,
                        c.days.map_or("none".to_owned(), |d| format!("{d:.1}")),
                        show(c.interval_80),
                        show(c.interval_95),
                        if c.method == estimate.method { "  ← chosen" } else { "" }
                    );
                }
            }
            Err(none) => println!("  no estimate: {}", none.reason),
        }
    }
}
