//! The points rule another service (a checkout) applies before it calls Orion
//! (`loyalty = { default-features = false }`): `cargo run -p loyalty --no-default-features
//! --example points`.

fn main() {
    for (cents, rate) in [(2_599, 2), (99, 10), (12_000, 1)] {
        println!(
            "{:.2} EUR at {rate} point(s)/EUR earns {} points",
            cents as f64 / 100.0,
            loyalty::points_for(cents, rate)
        );
    }
}
