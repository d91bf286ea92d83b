//! The image pipeline: bytes in, three lossy WebP variants out. Pure CPU work, no I/O: callers
//! run it off the async executor (e.g. `spawn_blocking` behind a semaphore) so that a burst of
//! uploads cannot exhaust memory or starve the server.
//!
//! Order of checks, cheapest first, so bad input is refused before any pixel is decoded:
//! size → format by content (magic bytes, never the file name) → dimensions from the header
//! (pixel count and side limits: a decompression bomb is refused here) → decode with the same
//! limits → resize (Lanczos3, fit within the square, never upscale) → EXIF orientation →
//! WebP (libwebp, lossy, configurable quality and effort).
//!
//! Speed and memory (see `docs/operations/image-storage.md`, "Pipeline speed: Orion vs Pillow"):
//! the decoded source is resized once, to the `original` variant, and freed before anything is
//! encoded; `800` is resized from `original` and `200` from `800`; EXIF orientation is applied to
//! the resized `original` rather than to the full source; alpha is premultiplied in place. libwebp
//! runs at effort (`method`) 2 by default, which takes less than half the time of its default 4
//! for files about 3 % larger at the same quality setting.

use std::io::Cursor;

use fast_image_resize::images::{CroppedImageMut, Image};
use fast_image_resize::{MulDiv, PixelType, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, ImageBuffer, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::keys::{Variant, fit_within};

/// What the pipeline accepts and how it encodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PipelineSettings {
    /// Largest upload, bytes (default 20 MB).
    pub max_upload_bytes: usize,
    /// Most pixels an image may have, read from its header (default 40 MP, as pict-rs).
    pub max_pixels: u64,
    /// Longest side an image may have (default 16,384 px): refuses e.g. 60000×1 strips.
    pub max_side: u32,
    /// WebP quality, 0..=100 (default 85).
    pub quality: f32,
    /// libwebp effort (`method`), 0 (fastest) ..= 6 (smallest files); default 2. libwebp's and
    /// Pillow's default, 4, takes about 2.3× the encoding time for files about 3 % smaller at the
    /// same quality; above 6 counts as 6.
    pub webp_method: u8,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            max_upload_bytes: 20 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_side: 16_384,
            quality: 85.0,
            webp_method: 2,
        }
    }
}

/// An accepted input format, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 50 4E 47 0D 0A 1A 0A`).
    Png,
    /// GIF87a / GIF89a (first frame only).
    Gif,
    /// WebP (`RIFF….WEBP`).
    Webp,
}

impl SourceFormat {
    /// Recognises the format from the first bytes; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(SourceFormat::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(SourceFormat::Png),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(SourceFormat::Gif),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(SourceFormat::Webp),
            _ => None,
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            SourceFormat::Jpeg => ImageFormat::Jpeg,
            SourceFormat::Png => ImageFormat::Png,
            SourceFormat::Gif => ImageFormat::Gif,
            SourceFormat::Webp => ImageFormat::WebP,
        }
    }
}

/// One encoded variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedVariant {
    /// Which.
    pub variant: Variant,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// The WebP file.
    pub webp: Vec<u8>,
}

/// A processed upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// SHA-256 of the uploaded bytes, 64 lowercase hex digits: the content address.
    pub hash: String,
    /// The recognised input format.
    pub format: SourceFormat,
    /// Width after EXIF orientation, before resizing.
    pub width: u32,
    /// Height after EXIF orientation, before resizing.
    pub height: u32,
    /// `original`, `800`, `200`.
    pub variants: Vec<EncodedVariant>,
}

/// Why an upload was refused (each maps to a 4xx) or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// Nothing was uploaded.
    #[error("the upload is empty")]
    Empty,
    /// Over `max_upload_bytes`.
    #[error("the upload is {bytes} bytes; at most {max} are accepted")]
    TooLarge {
        /// Size.
        bytes: usize,
        /// Limit.
        max: usize,
    },
    /// Not JPEG, PNG, GIF or WebP by content.
    #[error("not a JPEG, PNG, GIF or WebP image (recognised by content, not by file name)")]
    UnsupportedFormat,
    /// The header declares more pixels or a longer side than allowed.
    #[error(
        "the image is {width}×{height}; at most {max_pixels} pixels and {max_side} px per side are accepted"
    )]
    TooManyPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Pixel limit.
        max_pixels: u64,
        /// Side limit.
        max_side: u32,
    },
    /// The bytes do not decode (truncated or corrupt).
    #[error("the image cannot be decoded: {0}")]
    Corrupt(String),
    /// WebP encoding failed.
    #[error("encoding WebP failed: {0}")]
    Encode(String),
}

/// Runs the whole pipeline on `bytes`.
pub fn process(bytes: &[u8], settings: &PipelineSettings) -> Result<Processed, PipelineError> {
    process_with_hash(bytes, settings, None)
}

/// Refuses an empty upload or one over `max_upload_bytes`: the first, cheapest check.
pub(crate) fn check_size(bytes: &[u8], settings: &PipelineSettings) -> Result<(), PipelineError> {
    if bytes.is_empty() {
        return Err(PipelineError::Empty);
    }
    if bytes.len() > settings.max_upload_bytes {
        return Err(PipelineError::TooLarge { bytes: bytes.len(), max: settings.max_upload_bytes });
    }
    Ok(())
}

/// [`process`], given the [`content_hash`] of `bytes` when the caller has computed it already.
fn process_with_hash(
    bytes: &[u8],
    settings: &PipelineSettings,
    hash: Option<String>,
) -> Result<Processed, PipelineError> {
    check_size(bytes, settings)?;
    let format = SourceFormat::sniff(bytes).ok_or(PipelineError::UnsupportedFormat)?;
    // The JPEG decoder fills a truncated scan with grey instead of failing: require the
    // end-of-image marker (allowing a little trailing padding, as some cameras write).
    if format == SourceFormat::Jpeg
        && !bytes[bytes.len().saturating_sub(64)..].windows(2).any(|w| w == [0xFF, 0xD9])
    {
        return Err(PipelineError::Corrupt("truncated JPEG: no end-of-image marker".to_owned()));
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format.image_format())
        .into_dimensions()
        .map_err(|e| PipelineError::Corrupt(e.to_string()))?;
    let too_big = u64::from(width) * u64::from(height) > settings.max_pixels
        || width.max(height) > settings.max_side
        || width == 0
        || height == 0;
    if too_big {
        return Err(PipelineError::TooManyPixels {
            width,
            height,
            max_pixels: settings.max_pixels,
            max_side: settings.max_side,
        });
    }
    let (image, orientation) = decode(bytes, format, settings)?;
    // The decoded frame, before orientation; `width`×`height` is the image as shown.
    let (stored_width, stored_height) = (image.width(), image.height());
    let turned = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (width, height) = if turned { (stored_height, stored_width) } else { (stored_width, stored_height) };
    let alpha = image.color().has_alpha();
    let (pixels, pixel_type) = if alpha {
        (image.into_rgba8().into_raw(), PixelType::U8x4)
    } else {
        (image.into_rgb8().into_raw(), PixelType::U8x3)
    };
    let mut current = Image::from_vec_u8(stored_width, stored_height, pixels, pixel_type)
        .map_err(|e| PipelineError::Corrupt(e.to_string()))?;
    // Resizing works on colour premultiplied by alpha (no dark fringes), converted in place once,
    // before the first resize: variants that need no resizing keep their exact colours.
    let mut premultiplied = false;
    // The source is only ever resized once, to `original`; it is freed here, before encoding.
    let size = fit_within(stored_width, stored_height, Variant::Original.bound());
    premultiply_before_resizing(&mut current, size, alpha, &mut premultiplied)?;
    current = resize(current, size.0, size.1)?;
    current = orient(current, orientation)?;
    let mut variants = Vec::with_capacity(Variant::ALL.len());
    for variant in Variant::ALL {
        // Each variant from the previous one: far fewer pixels to filter than from the source.
        let (w, h) = fit_within(width, height, variant.bound());
        premultiply_before_resizing(&mut current, (w, h), alpha, &mut premultiplied)?;
        current = resize(current, w, h)?;
        let webp = if premultiplied {
            let mut straight = current.copy();
            MulDiv::default()
                .divide_alpha_inplace(&mut straight)
                .map_err(|e| PipelineError::Encode(e.to_string()))?;
            encode(straight.buffer(), w, h, true, settings)?
        } else {
            encode(current.buffer(), w, h, alpha, settings)?
        };
        variants.push(EncodedVariant { variant, width: w, height: h, webp });
    }
    let hash = hash.unwrap_or_else(|| content_hash(bytes));
    Ok(Processed { hash, format, width, height, variants })
}

/// SHA-256 of `bytes` as 64 lowercase hex digits. 256 bits: at 100 million images the chance of
/// any collision is about 10⁻⁶¹ (the original's 32-bit prefix collides with near certainty
/// beyond ~100,000 images).
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Decodes with the pipeline's limits; the orientation is returned, not applied (it is applied to
/// the resized image, which is cheaper and needs no second full-size buffer).
fn decode(
    bytes: &[u8],
    format: SourceFormat,
    settings: &PipelineSettings,
) -> Result<(DynamicImage, Orientation), PipelineError> {
    let corrupt = |e: image::ImageError| PipelineError::Corrupt(e.to_string());
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(settings.max_side);
    limits.max_image_height = Some(settings.max_side);
    // RGBA8 of the largest accepted image, plus the decoder's working space.
    limits.max_alloc = Some(settings.max_pixels * 4 * 2);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // For GIF (and animated WebP) this decodes the first frame only.
    let image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok((image, orientation))
}

/// Premultiplies colour by alpha in place the first time an image with alpha is about to be
/// resized to a different `size`; sets `premultiplied` then.
fn premultiply_before_resizing(
    image: &mut Image<'static>,
    size: (u32, u32),
    alpha: bool,
    premultiplied: &mut bool,
) -> Result<(), PipelineError> {
    if alpha && !*premultiplied && (image.width(), image.height()) != size {
        MulDiv::default().multiply_alpha_inplace(image).map_err(|e| PipelineError::Encode(e.to_string()))?;
        *premultiplied = true;
    }
    Ok(())
}

/// `image` resized to `width`×`height` with Lanczos3 (colour premultiplied by alpha, if any);
/// `image` itself when it already has that size. The input is dropped before returning.
///
/// Large targets are filled in up to four horizontal bands: the resizer's intermediate buffer
/// (source width × target rows) then holds a quarter of the target's rows, not all of them. Each
/// band's filter window still reads the source rows above and below it, so the result is the
/// same as in one pass.
fn resize(image: Image<'static>, width: u32, height: u32) -> Result<Image<'static>, PipelineError> {
    if (image.width(), image.height()) == (width, height) {
        return Ok(image);
    }
    let failed = |e: &dyn std::fmt::Display| PipelineError::Encode(format!("resizing failed: {e}"));
    let mut target = Image::new(width, height, image.pixel_type());
    // Alpha is premultiplied once, in place, by the caller.
    let options = ResizeOptions::new().use_alpha(false);
    let mut resizer = Resizer::new();
    let bands = (height / 256).clamp(1, 4);
    if bands == 1 {
        resizer.resize(&image, &mut target, &options).map_err(|e| failed(&e))?;
        return Ok(target);
    }
    let (source_width, source_height) = (f64::from(image.width()), f64::from(image.height()));
    // The source row at which target row `row` starts.
    let source_row = |row: u32| source_height * f64::from(row) / f64::from(height);
    for band in 0..bands {
        let (first, end) = (height * band / bands, height * (band + 1) / bands);
        let top = source_row(first);
        let rows = (source_row(end) - top).min(source_height - top);
        let mut part =
            CroppedImageMut::new(&mut target, 0, first, width, end - first).map_err(|e| failed(&e))?;
        resizer
            .resize(&image, &mut part, &options.crop(0.0, top, source_width, rows))
            .map_err(|e| failed(&e))?;
    }
    Ok(target)
}

/// Applies an EXIF orientation to a (resized) RGB or RGBA image.
fn orient(image: Image<'static>, orientation: Orientation) -> Result<Image<'static>, PipelineError> {
    if orientation == Orientation::NoTransforms {
        return Ok(image);
    }
    let (width, height, pixel_type) = (image.width(), image.height(), image.pixel_type());
    let bad = || PipelineError::Encode("a resized image has the wrong buffer size".to_owned());
    let mut dynamic = match pixel_type {
        PixelType::U8x4 => {
            DynamicImage::ImageRgba8(ImageBuffer::from_raw(width, height, image.into_vec()).ok_or_else(bad)?)
        }
        _ => DynamicImage::ImageRgb8(ImageBuffer::from_raw(width, height, image.into_vec()).ok_or_else(bad)?),
    };
    dynamic.apply_orientation(orientation);
    let (width, height) = (dynamic.width(), dynamic.height());
    let pixels = match dynamic {
        DynamicImage::ImageRgba8(buffer) => buffer.into_raw(),
        other => other.into_rgb8().into_raw(),
    };
    Image::from_vec_u8(width, height, pixels, pixel_type).map_err(|e| PipelineError::Encode(e.to_string()))
}

fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    alpha: bool,
    settings: &PipelineSettings,
) -> Result<Vec<u8>, PipelineError> {
    let mut config = webp::WebPConfig::new()
        .map_err(|()| PipelineError::Encode("libwebp refused its default configuration".to_owned()))?;
    config.lossless = 0;
    config.alpha_compression = 1;
    config.quality = settings.quality.clamp(0.0, 100.0);
    config.method = i32::from(settings.webp_method.min(6));
    let encoder = if alpha {
        webp::Encoder::from_rgba(pixels, width, height)
    } else {
        webp::Encoder::from_rgb(pixels, width, height)
    };
    encoder
        .encode_advanced(&config)
        .map(|memory| memory.to_vec())
        .map_err(|e| PipelineError::Encode(format!("{e:?}")))
}

/// Runs [`process`] off the async executor with at most `max_concurrent` images in flight, so a
/// burst of uploads queues instead of exhausting memory (each image in flight peaks at about 2.5×
/// its decoded pixels, which are up to `max_pixels` × 4 bytes).
///
/// Work needs a [`Slot`]: a caller reserves one *before* it reads an upload, so the bytes held in
/// memory at once are bounded by `max_concurrent` × `max_upload_bytes` as well.
#[derive(Debug, Clone)]
pub struct Processor {
    settings: PipelineSettings,
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

/// A reserved place in a [`Processor`]: held while an upload is read and processed, released when
/// dropped.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl Processor {
    /// A processor allowing `max_concurrent` (at least 1) images at once; one per core is typical.
    pub fn new(settings: PipelineSettings, max_concurrent: usize) -> Processor {
        Processor {
            settings,
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(max_concurrent.max(1))),
        }
    }

    /// The settings it processes with.
    pub fn settings(&self) -> &PipelineSettings {
        &self.settings
    }

    /// Waits for a free slot.
    pub async fn reserve(&self) -> Result<Slot, PipelineError> {
        let permit = self.permits.clone().acquire_owned().await;
        permit.map(Slot).map_err(|_| PipelineError::Encode("the image processor is shut down".to_owned()))
    }

    /// A free slot now, or `None` when every slot is taken.
    pub fn try_reserve(&self) -> Option<Slot> {
        self.permits.clone().try_acquire_owned().ok().map(Slot)
    }

    /// Processes `bytes` on the blocking pool in `slot`, which is released when it is done.
    pub async fn process(&self, slot: Slot, bytes: Vec<u8>) -> Result<Processed, PipelineError> {
        self.process_hashed(slot, bytes, None).await
    }

    /// [`Processor::process`], reusing `hash` (the [`content_hash`] of `bytes`) when known.
    pub(crate) async fn process_hashed(
        &self,
        slot: Slot,
        bytes: Vec<u8>,
        hash: Option<String>,
    ) -> Result<Processed, PipelineError> {
        let settings = self.settings;
        let processed = tokio::task::spawn_blocking(move || process_with_hash(&bytes, &settings, hash))
            .await
            .map_err(|e| PipelineError::Encode(format!("image task failed: {e}")))?;
        drop(slot);
        processed
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests fail by panicking

    use super::*;

    fn noisy(width: u32, height: u32, pixel_type: PixelType) -> Image<'static> {
        let channels = if pixel_type == PixelType::U8x4 { 4 } else { 3 };
        let mut state = 0x9E37_79B9u32;
        let pixels = (0..width * height * channels)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                ((i / channels % width) as u8).wrapping_add((state % 48) as u8)
            })
            .collect();
        Image::from_vec_u8(width, height, pixels, pixel_type).unwrap()
    }

    #[test]
    fn banded_resizing_matches_a_single_pass() {
        for (pixel_type, (w, h), (tw, th)) in [
            (PixelType::U8x3, (2560, 1600), (2000, 1250)),
            (PixelType::U8x4, (1999, 3001), (667, 1001)),
            (PixelType::U8x3, (900, 4000), (450, 2000)),
        ] {
            let source = noisy(w, h, pixel_type);
            let mut single = Image::new(tw, th, pixel_type);
            Resizer::new().resize(&source, &mut single, &ResizeOptions::new().use_alpha(false)).unwrap();
            let banded = resize(source, tw, th).unwrap();
            assert_eq!((banded.width(), banded.height()), (tw, th));
            let worst =
                single.buffer().iter().zip(banded.buffer()).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
            assert!(worst <= 1, "{w}×{h} → {tw}×{th}: a band seam differs by {worst}");
        }
    }

    #[test]
    fn resizing_to_the_same_size_keeps_the_buffer() {
        let source = noisy(64, 32, PixelType::U8x3);
        let copy = source.buffer().to_vec();
        assert_eq!(resize(source, 64, 32).unwrap().buffer(), copy.as_slice());
    }

    #[test]
    fn orientation_turns_and_flips_the_resized_image() {
        // 3×2 RGB, pixel value = its index: row 0 is 0 1 2, row 1 is 3 4 5.
        let pixels: Vec<u8> = (0..6u8).flat_map(|i| [i, i, i]).collect();
        let image = |p: &Vec<u8>| Image::from_vec_u8(3, 2, p.clone(), PixelType::U8x3).unwrap();
        let firsts = |i: Image<'static>| -> (u32, u32, Vec<u8>) {
            (i.width(), i.height(), i.buffer().iter().step_by(3).copied().collect())
        };
        assert_eq!(
            firsts(orient(image(&pixels), Orientation::Rotate90).unwrap()),
            (2, 3, vec![3, 0, 4, 1, 5, 2])
        );
        assert_eq!(
            firsts(orient(image(&pixels), Orientation::FlipHorizontal).unwrap()),
            (3, 2, vec![2, 1, 0, 5, 4, 3])
        );
        assert_eq!(
            firsts(orient(image(&pixels), Orientation::NoTransforms).unwrap()),
            (3, 2, vec![0, 1, 2, 3, 4, 5])
        );
    }
}
