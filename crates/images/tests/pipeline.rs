//! The pipeline on real encoded images made in the test: variants and sizes, no upscaling, EXIF
//! orientation, first GIF frame, and every bad input refused before or while decoding.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use images::pipeline::{
    PipelineError, PipelineSettings, SourceFormat, Variant, fit_within, process, storage_key,
};

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
    assert_eq!(storage_key("product", hash, Variant::Medium), format!("products/ab/cd/{hash}_800.webp"));
    assert_eq!(storage_key("banner", hash, Variant::Original), format!("banners/ab/cd/{hash}_original.webp"));
    assert_eq!(fit_within(60_000, 1, 200), (200, 1), "never below one pixel");
    assert_eq!(fit_within(100, 50, 200), (100, 50));
    assert_eq!(fit_within(4000, 3000, 800), (800, 600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_uploads_is_processed_with_bounded_concurrency() {
    let processor = images::Processor::new(PipelineSettings::default(), 2);
    let jobs: Vec<_> = (0..8u32)
        .map(|i| {
            let processor = processor.clone();
            let bytes = encode(&photo(300 + i, 200), ImageFormat::Png);
            tokio::spawn(async move { processor.process(bytes).await })
        })
        .collect();
    let mut hashes = std::collections::BTreeSet::new();
    for job in jobs {
        hashes.insert(job.await.unwrap().unwrap().hash);
    }
    assert_eq!(hashes.len(), 8, "distinct content, distinct hashes");
    let refused = processor.process(b"not an image".to_vec()).await.unwrap_err();
    assert_eq!(refused, PipelineError::UnsupportedFormat);
}
