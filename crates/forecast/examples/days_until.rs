//! What another service writes to ask "when do we run out?" with the pure forecast (no database,
//! no I/O; `forecast = { default-features = false }`):
//! `cargo run -p forecast --no-default-features --example days_until`.

fn main() {
    // Sixty days of products, growing about 1.5 % a week with some noise, and the level to watch.
    let history: Vec<f64> =
        (0..60).map(|day| 40_000.0 * 1.002f64.powi(day) + if day % 7 == 5 { 300.0 } else { 0.0 }).collect();
    let level = 60_000.0;
    match forecast::days_until_threshold(&history, level) {
        Ok(estimate) => println!(
            "{level} in ~{:.0} days by {:?} (80 %: {:.0}–{}), from {} daily points",
            estimate.days,
            estimate.method,
            estimate.interval_80.low,
            estimate.interval_80.high.map_or("beyond 10 years".to_owned(), |h| format!("{h:.0}")),
            estimate.points
        ),
        Err(none) => println!("no estimate: {}", none.reason),
    }
    let mix = [("essential".to_owned(), 500), ("business".to_owned(), 50)].into();
    let plan = forecast::size(&forecast::SizingInput { tier_mix: Some(mix), ..Default::default() });
    println!("{plan:?}");
}
