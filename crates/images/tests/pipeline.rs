//! The pipeline on real encoded images made in the test: variants and sizes, no upscaling, EXIF
//! orientation, first GIF frame, and every bad input refused before or while decoding.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use images::pipeline::{PipelineError, PipelineSettings, SourceFormat, process};
use images::{Variant, fit_within};

fn encode(image: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn photo(width: u32, height: u32) -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    }))
}

fn webp_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let image = image::load_from_memory_with_format(bytes, ImageFormat::WebP).unwrap();
    (image.width(), image.height())
}

#[test]
fn a_photo_becomes_three_webp_variants_fitted_within_their_squares() {
    let jpeg = encode(&photo(3000, 2000), ImageFormat::Jpeg);
    let processed = process(&jpeg, &PipelineSettings::default()).unwrap();
    assert_eq!(processed.format, SourceFormat::Jpeg);
    assert_eq!((processed.width, processed.height), (3000, 2000));
    assert_eq!(processed.hash.len(), 64);
    let sizes: Vec<(&str, u32, u32)> =
        processed.variants.iter().map(|v| (v.variant.name(), v.width, v.height)).collect();
    assert_eq!(sizes, [("original", 2000, 1333), ("800", 800, 533), ("200", 200, 133)]);
    for v in &processed.variants {
        assert_eq!(webp_size(&v.webp), (v.width, v.height), "{}", v.variant.name());
    }
    assert!(processed.variants[0].webp.len() > processed.variants[2].webp.len());
}

#[test]
fn small_images_are_never_upscaled_and_alpha_survives() {
    let png = encode(
        &image::DynamicImage::ImageRgba8(RgbaImage::from_pixel(120, 60, Rgba([10, 200, 30, 128]))),
        ImageFormat::Png,
    );
    let processed = process(&png, &PipelineSettings::default()).unwrap();
    for v in &processed.variants {
        assert_eq!((v.width, v.height), (120, 60));
    }
    let decoded =
        image::load_from_memory_with_format(&processed.variants[0].webp, ImageFormat::WebP).unwrap();
    assert!(decoded.color().has_alpha());
}

/// A JPEG with an APP1 EXIF block saying "rotate 90° clockwise" (orientation 6).
fn with_orientation_6(jpeg: &[u8]) -> Vec<u8> {
    let tiff: Vec<u8> = [
        b"II*\0".as_slice(),
        &8u32.to_le_bytes(),
        &1u16.to_le_bytes(),
        &0x0112u16.to_le_bytes(),
        &3u16.to_le_bytes(),
        &1u32.to_le_bytes(),
        &6u16.to_le_bytes(),
        &0u16.to_le_bytes(),
        &0u32.to_le_bytes(),
    ]
    .concat();
    let payload = [b"Exif\0\0".as_slice(), &tiff].concat();
    let length = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
    [&jpeg[..2], &[0xFF, 0xE1], &length, &payload, &jpeg[2..]].concat()
}

#[test]
fn exif_orientation_is_honoured() {
    let jpeg = with_orientation_6(&encode(&photo(300, 200), ImageFormat::Jpeg));
    let processed = process(&jpeg, &PipelineSettings::default()).unwrap();
    assert_eq!((processed.width, processed.height), (200, 300), "rotated to portrait");
    assert_eq!((processed.variants[2].width, processed.variants[2].height), (133, 200));
}

#[test]
fn exif_orientation_is_honoured_on_images_that_are_resized() {
    // Landscape 3000×2000, left third red, the rest blue; EXIF says "rotate 90° clockwise", so
    // the left edge becomes the top edge: portrait, red on top.
    let source = image::DynamicImage::ImageRgb8(RgbImage::from_fn(3000, 2000, |x, _| {
        if x < 1000 { Rgb([230, 20, 20]) } else { Rgb([20, 20, 230]) }
    }));
    let jpeg = with_orientation_6(&encode(&source, ImageFormat::Jpeg));
    let processed = process(&jpeg, &PipelineSettings::default()).unwrap();
    assert_eq!((processed.width, processed.height), (2000, 3000));
    let sizes: Vec<(u32, u32)> = processed.variants.iter().map(|v| (v.width, v.height)).collect();
    assert_eq!(sizes, [(1333, 2000), (533, 800), (133, 200)]);
    for v in &processed.variants {
        let shown = image::load_from_memory_with_format(&v.webp, ImageFormat::WebP).unwrap().to_rgb8();
        assert_eq!(shown.dimensions(), (v.width, v.height));
        let (x, top, bottom) = (v.width / 2, v.height / 20, v.height - 1 - v.height / 20);
        let Rgb([r, _, b]) = *shown.get_pixel(x, top);
        assert!(r > 180 && b < 80, "{}: red on top, got {r}/{b}", v.variant.name());
        let Rgb([r, _, b]) = *shown.get_pixel(x, bottom);
        assert!(r < 80 && b > 180, "{}: blue below, got {r}/{b}", v.variant.name());
    }
}

#[test]
fn semi_transparent_colour_survives_resizing_without_dark_fringes() {
    // Left half fully transparent black, right half half-transparent orange: resizing must
    // weigh colour by alpha, or the orange next to the edge turns dark.
    let source = image::DynamicImage::ImageRgba8(RgbaImage::from_fn(2400, 1600, |x, _| {
        if x < 1200 { Rgba([0, 0, 0, 0]) } else { Rgba([220, 120, 20, 128]) }
    }));
    let processed = process(&encode(&source, ImageFormat::Png), &PipelineSettings::default()).unwrap();
    assert_eq!((processed.variants[0].width, processed.variants[0].height), (2000, 1333));
    for v in &processed.variants {
        let shown = image::load_from_memory_with_format(&v.webp, ImageFormat::WebP).unwrap().to_rgba8();
        let edge = v.width / 2;
        let y = v.height / 2;
        for x in [edge + 1, edge + 2, v.width * 3 / 4] {
            let Rgba([r, g, b, a]) = *shown.get_pixel(x, y);
            assert!(
                r.abs_diff(220) <= 24 && g.abs_diff(120) <= 24 && b.abs_diff(20) <= 24,
                "{} at x={x}: colour {r},{g},{b}",
                v.variant.name()
            );
            assert!(a > 40 && a <= 140, "{} at x={x}: alpha {a}", v.variant.name());
        }
        assert_eq!(shown.get_pixel(v.width / 4, y)[3], 0, "transparent stays transparent");
    }
}

#[test]
fn the_webp_effort_is_a_setting() {
    assert_eq!(PipelineSettings::default().webp_method, 2);
    let noisy = image::DynamicImage::ImageRgb8(RgbImage::from_fn(900, 600, |x, y| {
        let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) % 40;
        Rgb([(x % 256) as u8, ((y % 200) + n) as u8, ((x + y) % 200 + n) as u8])
    }));
    let jpeg = encode(&noisy, ImageFormat::Jpeg);
    let size = |webp_method| {
        let settings = PipelineSettings { webp_method, ..PipelineSettings::default() };
        let processed = process(&jpeg, &settings).unwrap();
        assert_eq!((processed.variants[0].width, processed.variants[0].height), (900, 600));
        processed.variants[0].webp.len()
    };
    assert!(size(0) > size(6), "more effort, smaller file");
    assert_eq!(size(200), size(6), "above 6 counts as 6");
}

#[test]
fn a_gif_gives_its_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame};
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        for colour in [[255, 0, 0, 255], [0, 0, 255, 255]] {
            let frame = Frame::from_parts(
                RgbaImage::from_pixel(40, 40, Rgba(colour)),
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            );
            encoder.encode_frame(frame).unwrap();
        }
    }
    let processed = process(&bytes, &PipelineSettings::default()).unwrap();
    assert_eq!(processed.format, SourceFormat::Gif);
    let first = image::load_from_memory_with_format(&processed.variants[0].webp, ImageFormat::WebP)
        .unwrap()
        .to_rgb8();
    let Rgb([r, _, b]) = *first.get_pixel(20, 20);
    assert!(r > 200 && b < 60, "the red first frame, got {r}/{b}");
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A real 1×1 PNG whose IHDR claims `width`×`height` (with a valid CRC).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = encode(&photo(1, 1), ImageFormat::Png);
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[test]
fn bad_input_is_refused_with_its_reason() {
    let settings = PipelineSettings::default();
    let refused = |bytes: &[u8]| match process(bytes, &settings) {
        Ok(p) => panic!("accepted a {}×{} {:?}", p.width, p.height, p.format),
        Err(error) => error,
    };
    assert_eq!(refused(b""), PipelineError::Empty);
    assert_eq!(refused(b"hello, I am text named photo.jpg"), PipelineError::UnsupportedFormat);
    assert_eq!(refused(b"<!doctype html><html><body>hi</body></html>"), PipelineError::UnsupportedFormat);
    let small = PipelineSettings { max_upload_bytes: 100, ..settings };
    assert!(matches!(
        process(&[0xFF; 101], &small).unwrap_err(),
        PipelineError::TooLarge { bytes: 101, max: 100 }
    ));

    let jpeg = encode(&photo(400, 300), ImageFormat::Jpeg);
    assert!(matches!(refused(&jpeg[..jpeg.len() / 2]), PipelineError::Corrupt(_)), "truncated JPEG");
    let png = encode(&photo(400, 300), ImageFormat::Png);
    assert!(matches!(refused(&png[..png.len() / 2]), PipelineError::Corrupt(_)), "truncated PNG");

    assert!(
        matches!(
            refused(&png_claiming(100_000, 100_000)),
            PipelineError::TooManyPixels { width: 100_000, .. }
        ),
        "a header claiming 10 gigapixels is refused before decoding"
    );
    let strip = encode(&photo(60_000, 1), ImageFormat::Png);
    assert!(matches!(refused(&strip), PipelineError::TooManyPixels { width: 60_000, height: 1, .. }));
}

#[test]
fn formats_are_recognised_by_content_and_keys_are_sharded() {
    assert_eq!(SourceFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(SourceFormat::Jpeg));
    assert_eq!(SourceFormat::sniff(b"GIF89a...."), Some(SourceFormat::Gif));
    assert_eq!(SourceFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(SourceFormat::Webp));
    assert_eq!(SourceFormat::sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
    assert_eq!(SourceFormat::sniff(b"BM"), None);
    let hash = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
    assert_eq!(
        images::storage_key(images::ImageKind::Product, hash, Variant::Medium),
        format!("products/ab/cd/{hash}_800.webp")
    );
    assert_eq!(
        images::storage_key(images::ImageKind::Category, hash, Variant::Original),
        format!("categories/ab/cd/{hash}_original.webp")
    );
    assert_eq!(fit_within(60_000, 1, 200), (200, 1), "never below one pixel");
    assert_eq!(fit_within(100, 50, 200), (100, 50));
    assert_eq!(fit_within(4000, 3000, 800), (800, 600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processing_is_bounded_by_slots_that_free_themselves() {
    let processor = images::Processor::new(PipelineSettings::default(), 2);
    let first = processor.try_reserve().expect("a first slot");
    let second = processor.try_reserve().expect("a second slot");
    assert!(processor.try_reserve().is_none(), "a third upload waits for a slot");
    drop(first);
    let third = processor.try_reserve().expect("a dropped slot is free again");
    let processed = processor.process(third, encode(&photo(300, 200), ImageFormat::Png)).await.unwrap();
    assert_eq!(processed.variants.len(), 3);
    assert!(processor.try_reserve().is_some(), "processing releases its slot");
    drop(second);

    // A burst queues on the two slots: never more than two at once, and every image comes out.
    let (in_flight, hashes) = burst(&processor, 8).await;
    assert_eq!(in_flight, 2, "the bound holds and is reached");
    assert_eq!(hashes.len(), 8, "distinct content, distinct hashes");
    // The same burst on a processor with room for all shows the check can fail.
    let (unbounded, _) = burst(&images::Processor::new(PipelineSettings::default(), 64), 8).await;
    assert!(unbounded > 2, "{unbounded} at once without a bound");
    let slot = processor.reserve().await.unwrap();
    let refused = processor.process(slot, b"not an image".to_vec()).await.unwrap_err();
    assert_eq!(refused, PipelineError::UnsupportedFormat);
}

/// Runs `jobs` uploads at once on `processor`; returns the most that held a slot at the same
/// time, and the hashes that came out.
async fn burst(processor: &images::Processor, jobs: u32) -> (usize, std::collections::BTreeSet<String>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    // Encoded first, so the uploads start together however busy the machine is.
    let inputs: Vec<Vec<u8>> = (0..jobs).map(|i| encode(&photo(300 + i, 200), ImageFormat::Png)).collect();
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|bytes| {
            let (processor, now, most) = (processor.clone(), now.clone(), most.clone());
            tokio::spawn(async move {
                let slot = processor.reserve().await?;
                most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await; // holding the slot
                now.fetch_sub(1, Ordering::SeqCst); // before `process` releases the slot
                processor.process(slot, bytes).await
            })
        })
        .collect();
    let mut hashes = std::collections::BTreeSet::new();
    for task in tasks {
        hashes.insert(task.await.unwrap().unwrap().hash);
    }
    (most.load(Ordering::SeqCst), hashes)
}
