//! Orion's side of the Orion-vs-Pillow benchmark (`scripts/image-bench/run.sh` runs both sides):
//! images per second of [`images::pipeline::process`] over a directory of photographs, on one
//! thread and through [`images::Processor`] with one image per core, the total WebP bytes of one
//! pass, and the peak memory of processing one image against its decoded size.
//!
//! ```text
//! cargo run --release -p images --example compare -- PHOTO_DIR [--rounds N] [--threads 1,2] [--no-peak] [--out DIR] [--webp-method M]
//! ```
//!
//! `--out DIR` writes the variants of the first pass as `DIR/{photo stem}_{variant}.webp` (for
//! `scripts/image-bench/quality.py`); `--webp-method M` overrides the pipeline's default libwebp
//! effort (e.g. 4, Pillow's default, to see what that lever is worth).
//!
//! Prints one JSON object per line. Peak memory is measured in a fresh child process per photo
//! (this binary with `--peak-one FILE`): the resident-set high-water mark (`VmHWM`, reset through
//! `/proc/self/clear_refs` after the photo is read) minus the resident set before `process`. It is
//! real memory, allocator overhead included, and is divided by the decoded size of the source,
//! width × height × channels.
#![allow(clippy::expect_used)] // a measuring tool: any failure should stop it loudly

use std::path::{Path, PathBuf};
use std::time::Instant;

use images::pipeline::{PipelineSettings, process};

struct Args {
    dir: PathBuf,
    rounds: usize,
    threads: Vec<usize>,
    peak: bool,
    out: Option<PathBuf>,
    settings: PipelineSettings,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut parsed = Args {
        dir: PathBuf::new(),
        rounds: 2,
        threads: vec![1, cores],
        peak: true,
        out: None,
        settings: PipelineSettings::default(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => {
                parsed.rounds = args.next().and_then(|n| n.parse().ok()).ok_or("--rounds N")?;
            }
            "--threads" => {
                let list = args.next().ok_or("--threads 1,2")?;
                parsed.threads = list
                    .split(',')
                    .map(|n| n.parse().map_err(|_| format!("bad thread count {n}")))
                    .collect::<Result<_, _>>()?;
            }
            "--no-peak" => parsed.peak = false,
            "--webp-method" => {
                parsed.settings.webp_method =
                    args.next().and_then(|n| n.parse().ok()).ok_or("--webp-method 0..=6")?;
            }
            "--out" => parsed.out = Some(PathBuf::from(args.next().ok_or("--out DIR")?)),
            "--peak-one" => {
                let file = args.next().ok_or("--peak-one FILE")?;
                peak_one(Path::new(&file), &parsed.settings);
                std::process::exit(0);
            }
            other if !other.starts_with("--") && dir.is_none() => dir = Some(PathBuf::from(other)),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    parsed.dir = dir.ok_or(
        "usage: compare PHOTO_DIR [--rounds N] [--threads 1,2] [--no-peak] [--out DIR] [--webp-method M]",
    )?;
    Ok(parsed)
}

fn photos(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the photo directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["jpg", "jpeg", "png", "gif", "webp"].contains(&e.to_ascii_lowercase().as_str())
            })
        })
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no photos in {}", dir.display());
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read a photo");
            (path, bytes)
        })
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let settings = args.settings;
    let photos = photos(&args.dir);
    // Warm-up pass; it also gives the output bytes.
    let mut total_bytes = 0;
    for (path, bytes) in &photos {
        let processed = process(bytes, &settings).expect("process a photo");
        let sizes: Vec<String> = processed.variants.iter().map(|v| v.webp.len().to_string()).collect();
        total_bytes += processed.variants.iter().map(|v| v.webp.len()).sum::<usize>();
        if let Some(out) = &args.out {
            std::fs::create_dir_all(out).expect("create the output directory");
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            for v in &processed.variants {
                let name = format!("{stem}_{}.webp", v.variant.name());
                std::fs::write(out.join(name), &v.webp).expect("write a variant");
            }
        }
        eprintln!(
            "{}: {}×{} → {} bytes",
            file_name(path),
            processed.width,
            processed.height,
            sizes.join(" + ")
        );
    }
    let jobs: Vec<&[u8]> =
        (0..args.rounds).flat_map(|_| photos.iter().map(|(_, bytes)| bytes.as_slice())).collect();
    for &threads in &args.threads {
        let seconds = if threads <= 1 {
            let started = Instant::now();
            for bytes in &jobs {
                process(bytes, &settings).expect("process a photo");
            }
            started.elapsed().as_secs_f64()
        } else {
            through_processor(&jobs, settings, threads)
        };
        println!(
            "{{\"side\": \"orion\", \"mode\": \"{threads} thread{}\", \"images\": {}, \"seconds\": {seconds:.3}, \"images_per_second\": {:.3}, \"total_bytes\": {total_bytes}}}",
            if threads == 1 { "" } else { "s" },
            jobs.len(),
            jobs.len() as f64 / seconds,
        );
    }
    if args.peak {
        let me = std::env::current_exe().expect("this binary's path");
        for (path, _) in &photos {
            let output = std::process::Command::new(&me)
                .arg("--webp-method")
                .arg(settings.webp_method.to_string())
                .arg("--peak-one")
                .arg(path)
                .output()
                .expect("run the peak-memory child");
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            print!("{}", String::from_utf8_lossy(&output.stdout));
        }
    }
}

/// The production path: every image submitted at once to a [`images::Processor`] allowing
/// `threads` images in flight on Tokio's blocking pool.
fn through_processor(jobs: &[&[u8]], settings: PipelineSettings, threads: usize) -> f64 {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().expect("a Tokio runtime");
    let inputs: Vec<Vec<u8>> = jobs.iter().map(|bytes| bytes.to_vec()).collect();
    runtime.block_on(async move {
        let processor = images::Processor::new(settings, threads);
        let started = Instant::now();
        let handles: Vec<_> = inputs
            .into_iter()
            .map(|bytes| {
                let processor = processor.clone();
                tokio::spawn(async move { processor.process(processor.reserve().await?, bytes).await })
            })
            .collect();
        for handle in handles {
            handle.await.expect("join").expect("process a photo");
        }
        started.elapsed().as_secs_f64()
    })
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS/VmHWM line")
}

/// Child mode: processes one photo and prints its peak memory against its decoded size.
fn peak_one(path: &Path, settings: &PipelineSettings) {
    let bytes = std::fs::read(path).expect("read a photo");
    let decoder = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .expect("sniff")
        .into_decoder()
        .expect("a decoder");
    let (width, height) = image::ImageDecoder::dimensions(&decoder);
    let channels = u64::from(image::ImageDecoder::color_type(&decoder).channel_count());
    drop(decoder);
    let decoded = u64::from(width) * u64::from(height) * channels;
    // Resets VmHWM to the current resident set (Linux ≥ 4.0).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kb("VmRSS:") * 1024;
    let processed = process(&bytes, settings).expect("process a photo");
    let peak = status_kb("VmHWM:") * 1024 - before;
    println!(
        "{{\"side\": \"orion\", \"peak\": \"{}\", \"width\": {width}, \"height\": {height}, \"decoded_bytes\": {decoded}, \"peak_bytes\": {peak}, \"peak_ratio\": {:.3}, \"hwm_reset\": {reset}, \"variants\": {}}}",
        file_name(path),
        peak as f64 / decoded as f64,
        processed.variants.len(),
    );
}
