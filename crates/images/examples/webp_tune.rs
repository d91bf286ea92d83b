//! Encoder-setting exploration for the Orion-vs-Pillow benchmark: decodes and resizes every
//! photo in a directory once (the three variants), then encodes all variants with several libwebp
//! configurations and prints, per configuration, the CPU time of the encodes (this thread's, from
//! `/proc/thread-self/schedstat`, so other load on the machine matters less) and the total bytes.
//!
//! ```text
//! cargo run --release -p images --example webp_tune -- PHOTO_DIR
//! ```
#![allow(clippy::expect_used)] // a measuring tool: any failure should stop it loudly

use fast_image_resize::{PixelType, Resizer, images::Image};
use images::fit_within;

fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let dir = std::env::args().nth(1).expect("PHOTO_DIR");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    let mut variants: Vec<(u32, u32, Vec<u8>)> = Vec::new();
    let mut resizer = Resizer::new();
    for path in &paths {
        let image = image::open(path).expect("decode").into_rgb8();
        let (w, h) = image.dimensions();
        let source = Image::from_vec_u8(w, h, image.into_raw(), PixelType::U8x3).expect("image");
        for bound in [2000, 800, 200] {
            let (tw, th) = fit_within(w, h, bound);
            let mut target = Image::new(tw, th, PixelType::U8x3);
            resizer.resize(&source, &mut target, None).expect("resize");
            variants.push((tw, th, target.into_vec()));
        }
    }
    let base = webp::WebPConfig::new().expect("config");
    // (name, method, quality, segments, sns_strength); libwebp's defaults are 4, 75, 4, 50.
    let mut table: Vec<(String, i32, f32, i32, i32)> =
        (0..=6).map(|m| (format!("method {m}"), m, 85.0, 4, 50)).collect();
    table.extend([
        ("method 2, 1 segment".to_owned(), 2, 85.0, 1, 50),
        ("method 3, 1 segment".to_owned(), 3, 85.0, 1, 50),
        ("method 2, sns 0".to_owned(), 2, 85.0, 4, 0),
        ("method 2, quality 84".to_owned(), 2, 84.0, 4, 50),
        ("method 3, quality 84".to_owned(), 3, 84.0, 4, 50),
    ]);
    let configs: Vec<(String, webp::WebPConfig)> = table
        .into_iter()
        .map(|(name, method, quality, segments, sns_strength)| {
            let mut config = base;
            config.method = method;
            config.quality = quality;
            config.segments = segments;
            config.sns_strength = sns_strength;
            (name, config)
        })
        .collect();
    for round in 0..2 {
        for (name, config) in &configs {
            let started = cpu_ns();
            let mut bytes = 0;
            for (w, h, pixels) in &variants {
                let encoded =
                    webp::Encoder::from_rgb(pixels, *w, *h).encode_advanced(config).expect("encode");
                bytes += encoded.len();
            }
            let ms = (cpu_ns() - started) / 1_000_000;
            if round == 1 {
                println!("{name:>22}: {ms:>6} ms CPU, {bytes:>9} bytes");
            }
        }
    }
}
