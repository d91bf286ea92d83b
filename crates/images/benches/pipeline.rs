//! The image pipeline on one photo: decode, three WebP variants. The photo is
//! `ORION_BENCH_PHOTO` when set (e.g. one from `scripts/image-bench/fetch-photos.sh`), else a
//! synthetic 2560×1600 JPEG with photo-like texture. `cargo bench -p images --bench pipeline`.

#![allow(clippy::expect_used)] // a measuring tool: any failure should stop it loudly

use criterion::{Criterion, criterion_group, criterion_main};
use images::{PipelineSettings, process};

fn synthetic_jpeg() -> Vec<u8> {
    let mut state = 0x9E37_79B9u32;
    let pixels = image::RgbImage::from_fn(2560, 1600, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 24) as u8;
        image::Rgb([(x / 11) as u8 ^ grain, (y / 7) as u8 + grain, ((x + y) / 17) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels).write_to(&mut out, image::ImageFormat::Jpeg).expect("encodes");
    out.into_inner()
}

fn bench(c: &mut Criterion) {
    let (name, photo) = match std::env::var("ORION_BENCH_PHOTO") {
        Ok(path) => (path.clone(), std::fs::read(&path).expect("ORION_BENCH_PHOTO is readable")),
        Err(_) => ("synthetic 2560x1600 JPEG".to_owned(), synthetic_jpeg()),
    };
    let settings = PipelineSettings::default();
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.bench_function(format!("process one photo ({name})"), |b| {
        b.iter(|| process(std::hint::black_box(&photo), &settings).expect("processes"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
