//! Images per second of the pipeline on synthetic photographs (noise over gradients, JPEG q90),
//! one thread and one thread per core: `cargo run --release -p images --example throughput`.
//! The comparison with Pillow on real photographs is `compare.rs` (`scripts/image-bench/run.sh`).
#![allow(clippy::expect_used)] // a measuring tool: any failure should stop it loudly

use std::io::Cursor;
use std::time::Instant;

use image::{ImageFormat, Rgb, RgbImage};
use images::pipeline::{PipelineSettings, process};

fn photo(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let image = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 32) as u8;
        Rgb([
            ((x * 255 / width) as u8).saturating_add(noise),
            ((y * 255 / height) as u8).saturating_add(noise),
            128u8.wrapping_add(noise),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, ImageFormat::Jpeg).expect("encode");
    out.into_inner()
}

fn main() {
    let settings = PipelineSettings::default();
    for (label, w, h) in [("4 MP", 2448, 1632), ("12 MP", 4000, 3000)] {
        let inputs: Vec<Vec<u8>> = (0..4).map(|i| photo(w, h, i + 1)).collect();
        let started = Instant::now();
        let mut out_bytes = 0;
        for input in &inputs {
            let p = process(input, &settings).expect("process");
            out_bytes += p.variants.iter().map(|v| v.webp.len()).sum::<usize>();
        }
        let one = inputs.len() as f64 / started.elapsed().as_secs_f64();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let started = Instant::now();
        std::thread::scope(|scope| {
            for chunk in inputs.chunks(inputs.len().div_ceil(threads)) {
                let settings = &settings;
                scope.spawn(move || {
                    for input in chunk {
                        process(input, settings).expect("process");
                    }
                });
            }
        });
        let parallel = inputs.len() as f64 / started.elapsed().as_secs_f64();
        println!(
            "{label}: {one:.2} images/s on one thread, {parallel:.2} images/s on {threads} threads, {} KB out per image",
            out_bytes / inputs.len() / 1024
        );
    }
}
