//! Mutation fuzzing of the upload path on stable Rust: real JPEG, PNG, GIF and WebP files (encoded
//! here) with bits flipped, bytes overwritten, tails cut, headers spliced onto other formats' bodies,
//! chunks repeated and huge dimensions written into their headers, each through
//! `images::pipeline::process`. Every input must be accepted (three WebP variants) or refused with a
//! typed error, without a panic and within 2 s.
//!
//! CI runs `ORION_FUZZ_CASES` (default 10,000) cases; `scripts/fuzz-images.sh` runs 100,000 in
//! release. A failing case prints its number and writes its bytes to `target/fuzz-crashers/`, to
//! become a regression test below.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use image::{ImageFormat, Rgb, RgbImage};
use images::pipeline::{PipelineError, PipelineSettings, process};

fn encode(image: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Small real files of every accepted format (small, so a case takes milliseconds).
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let photo = image::DynamicImage::ImageRgb8(RgbImage::from_fn(48, 32, |x, y| {
        Rgb([(x * 5 % 256) as u8, (y * 7 % 256) as u8, ((x * y) % 256) as u8])
    }));
    vec![
        ("jpeg", encode(&photo, ImageFormat::Jpeg)),
        ("png", encode(&photo, ImageFormat::Png)),
        ("gif", encode(&photo, ImageFormat::Gif)),
        ("webp", encode(&photo, ImageFormat::WebP)),
    ]
}

/// xorshift64*: deterministic, so a case number reproduces its input.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Writes the largest dimensions the format's header can say.
fn huge_dimensions(format: &str, bytes: &mut [u8]) {
    match format {
        // IHDR: width and height, big-endian u32, at 16..24.
        "png" if bytes.len() >= 24 => {
            bytes[16..24].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff])
        }
        // Logical screen width and height, little-endian u16, at 6..10.
        "gif" if bytes.len() >= 10 => bytes[6..10].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]),
        // VP8L (lossless) header: 14-bit width−1 and height−1 after the 0x2f signature at 20.
        "webp" if bytes.len() >= 25 => bytes[21..25].copy_from_slice(&[0xff, 0xff, 0xff, 0x0f]),
        // SOF0/SOF2: height and width, big-endian u16, 5 bytes after the marker.
        "jpeg" => {
            if let Some(at) = bytes.windows(2).position(|w| w == [0xff, 0xc0] || w == [0xff, 0xc2])
                && bytes.len() >= at + 9
            {
                bytes[at + 5..at + 9].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
            }
        }
        _ => {}
    }
}

/// Case `n`: a seed and one or more mutations; also says which.
fn mutate(n: u64, seeds: &[(&'static str, Vec<u8>)]) -> (String, Vec<u8>) {
    let mut rng = Rng(n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let (format, seed) = &seeds[rng.below(seeds.len())];
    let mut bytes = seed.clone();
    let mut what = vec![format.to_string()];
    for _ in 0..=rng.below(3) {
        match rng.below(6) {
            0 => {
                for _ in 0..=rng.below(8) {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= 1 << rng.below(8);
                }
                what.push("bit flips".to_owned());
            }
            1 => {
                for _ in 0..=rng.below(4) {
                    let at = rng.below(bytes.len());
                    bytes[at] = [0x00, 0xff, 0x7f, 0x80][rng.below(4)];
                }
                what.push("bytes set".to_owned());
            }
            2 => {
                bytes.truncate(rng.below(bytes.len()).max(1));
                what.push("truncated".to_owned());
            }
            3 => {
                let (other, body) = &seeds[rng.below(seeds.len())];
                let keep = rng.below(bytes.len().min(64)).max(1);
                let from = rng.below(body.len());
                bytes.truncate(keep);
                bytes.extend_from_slice(&body[from..]);
                what.push(format!("header spliced onto {other}"));
            }
            4 => {
                huge_dimensions(format, &mut bytes);
                what.push("huge dimensions".to_owned());
            }
            _ => {
                let at = rng.below(bytes.len());
                let len = rng.below(64).min(bytes.len() - at);
                let chunk = bytes[at..at + len].to_vec();
                for _ in 0..=rng.below(4) {
                    let to = rng.below(bytes.len());
                    bytes.splice(to..to, chunk.iter().copied());
                }
                what.push("chunk repeated".to_owned());
            }
        }
        if bytes.is_empty() {
            bytes.push(0);
        }
    }
    (what.join(", "), bytes)
}

/// What one input did: accepted, refused with a typed error, panicked or hung.
enum Outcome {
    Accepted,
    Refused(&'static str),
    Panicked(String),
    Hung,
}

fn run(bytes: Vec<u8>) -> Outcome {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(|| process(&bytes, &PipelineSettings::default()));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(Duration::from_secs(2)) {
        Ok(Ok(Ok(processed))) => {
            assert_eq!(processed.variants.len(), 3, "an accepted image has its three variants");
            for v in &processed.variants {
                assert!(v.webp.starts_with(b"RIFF") && v.width > 0 && v.height > 0);
            }
            Outcome::Accepted
        }
        Ok(Ok(Err(error))) => Outcome::Refused(match error {
            PipelineError::Empty => "empty",
            PipelineError::TooLarge { .. } => "too large",
            PipelineError::UnsupportedFormat => "unsupported format",
            PipelineError::TooManyPixels { .. } => "too many pixels",
            PipelineError::Corrupt(_) => "corrupt",
            PipelineError::Encode(_) => "encode",
        }),
        Ok(Err(panic)) => Outcome::Panicked(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or(panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default(),
        ),
        Err(_) => Outcome::Hung,
    }
}

#[test]
fn mutated_uploads_are_accepted_or_refused_with_a_typed_error_never_a_panic_or_a_hang() {
    let cases: u64 = std::env::var("ORION_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let seeds = seeds();
    let started = Instant::now();
    let mut tally: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut failures = Vec::new();
    for n in 0..cases {
        let (what, bytes) = mutate(n, &seeds);
        let input = bytes.clone();
        match run(bytes) {
            Outcome::Accepted => *tally.entry("accepted").or_default() += 1,
            Outcome::Refused(kind) => *tally.entry(kind).or_default() += 1,
            failed @ (Outcome::Panicked(_) | Outcome::Hung) => {
                let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-crashers");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(format!("case-{n}.bin")), &input).unwrap();
                let how = match failed {
                    Outcome::Panicked(message) => format!("panicked: {message}"),
                    _ => "took more than 2 s".to_owned(),
                };
                failures.push(format!("case {n} ({what}, {} bytes): {how}", input.len()));
            }
        }
    }
    println!("{cases} cases in {:.1} s: {tally:?}", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{} of {cases} inputs failed:\n{}", failures.len(), failures.join("\n"));
    assert!(tally.get("accepted").copied().unwrap_or(0) > 0, "some mutations still decode: {tally:?}");
    assert!(tally.get("too many pixels").copied().unwrap_or(0) > 0, "huge dimensions are refused: {tally:?}");
}
