//! The image pipeline: bytes in, three lossy WebP variants out. Pure CPU work, no I/O: callers
//! run it off the async executor (e.g. `spawn_blocking` behind a semaphore) so that a burst of
//! uploads cannot exhaust memory or starve the server.
//!
//! Order of checks, cheapest first, so bad input is refused before any pixel is decoded:
//! size → format by content (magic bytes, never the file name) → dimensions from the header
//! (pixel count and side limits: a decompression bomb is refused here) → decode with the same
//! limits → EXIF orientation → resize (Lanczos3, fit within the square, never upscale) →
//! WebP (libwebp, lossy, configurable quality).

use std::io::Cursor;

use fast_image_resize::{PixelType, Resizer, images::Image};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

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
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            max_upload_bytes: 20 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_side: 16_384,
            quality: 85.0,
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

/// The stored sizes of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// As uploaded, long side capped at 2,000 px.
    Original,
    /// Fit within 800×800.
    Medium,
    /// Fit within 200×200.
    Thumbnail,
}

impl Variant {
    /// Every variant, largest first.
    pub const ALL: [Variant; 3] = [Variant::Original, Variant::Medium, Variant::Thumbnail];

    /// The name in file names: `original`, `800`, `200`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Medium => "800",
            Variant::Thumbnail => "200",
        }
    }

    /// The square the variant must fit in.
    pub fn bound(self) -> u32 {
        match self {
            Variant::Original => 2_000,
            Variant::Medium => 800,
            Variant::Thumbnail => 200,
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
    if bytes.is_empty() {
        return Err(PipelineError::Empty);
    }
    if bytes.len() > settings.max_upload_bytes {
        return Err(PipelineError::TooLarge { bytes: bytes.len(), max: settings.max_upload_bytes });
    }
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
    let image = decode(bytes, format, settings)?;
    let (width, height) = (image.width(), image.height());
    let has_alpha = image.color().has_alpha();
    let (pixels, pixel_type) = if has_alpha {
        (image.into_rgba8().into_raw(), PixelType::U8x4)
    } else {
        (image.into_rgb8().into_raw(), PixelType::U8x3)
    };
    let source = Image::from_vec_u8(width, height, pixels, pixel_type)
        .map_err(|e| PipelineError::Corrupt(e.to_string()))?;
    let mut resizer = Resizer::new();
    let mut variants = Vec::with_capacity(3);
    for variant in Variant::ALL {
        let (w, h) = fit_within(width, height, variant.bound());
        let encoded = if (w, h) == (width, height) {
            encode(source.buffer(), w, h, has_alpha, settings.quality)?
        } else {
            let mut target = Image::new(w, h, pixel_type);
            resizer.resize(&source, &mut target, None).map_err(|e| PipelineError::Encode(e.to_string()))?;
            encode(target.buffer(), w, h, has_alpha, settings.quality)?
        };
        variants.push(EncodedVariant { variant, width: w, height: h, webp: encoded });
    }
    Ok(Processed { hash: content_hash(bytes), format, width, height, variants })
}

/// SHA-256 of `bytes` as 64 lowercase hex digits. 256 bits: at 100 million images the chance of
/// any collision is about 10⁻⁶¹ (the original's 32-bit prefix collides with near certainty
/// beyond ~100,000 images).
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `w×h` scaled to fit within `bound`×`bound`, aspect kept, never upscaled, at least 1 px.
pub fn fit_within(width: u32, height: u32, bound: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= bound {
        return (width, height);
    }
    let scale = f64::from(bound) / f64::from(long);
    let scaled = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, bound);
    (scaled(width), scaled(height))
}

fn decode(
    bytes: &[u8],
    format: SourceFormat,
    settings: &PipelineSettings,
) -> Result<DynamicImage, PipelineError> {
    let corrupt = |e: image::ImageError| PipelineError::Corrupt(e.to_string());
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(settings.max_side);
    limits.max_image_height = Some(settings.max_side);
    // RGBA8 of the largest accepted image, plus the decoder's working space.
    limits.max_alloc = Some(settings.max_pixels * 4 * 2);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().ok();
    // For GIF (and animated WebP) this decodes the first frame only.
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    alpha: bool,
    quality: f32,
) -> Result<Vec<u8>, PipelineError> {
    let encoder = if alpha {
        webp::Encoder::from_rgba(pixels, width, height)
    } else {
        webp::Encoder::from_rgb(pixels, width, height)
    };
    encoder
        .encode_simple(false, quality.clamp(0.0, 100.0))
        .map(|memory| memory.to_vec())
        .map_err(|e| PipelineError::Encode(format!("{e:?}")))
}

/// The storage key of a variant: `{kind}s/{h[0:2]}/{h[2:4]}/{h}_{variant}.webp`, e.g.
/// `products/ab/cd/abcd…_800.webp`; 65,536 leaf directories per kind.
pub fn storage_key(kind: &str, hash: &str, variant: Variant) -> String {
    let shard = |range: std::ops::Range<usize>| hash.get(range).unwrap_or("00");
    format!("{kind}s/{}/{}/{hash}_{}.webp", shard(0..2), shard(2..4), variant.name())
}

/// Runs [`process`] off the async executor with at most `max_concurrent` images in flight, so a
/// burst of uploads queues instead of exhausting memory (each image in flight holds its decoded
/// pixels: up to `max_pixels` × 4 bytes).
#[derive(Debug, Clone)]
pub struct Processor {
    settings: PipelineSettings,
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Processor {
    /// A processor allowing `max_concurrent` (at least 1) images at once; one per core is typical.
    pub fn new(settings: PipelineSettings, max_concurrent: usize) -> Processor {
        Processor {
            settings,
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(max_concurrent.max(1))),
        }
    }

    /// Processes `bytes` on the blocking pool once a permit is free.
    pub async fn process(&self, bytes: Vec<u8>) -> Result<Processed, PipelineError> {
        let _permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PipelineError::Encode("the image processor is shut down".to_owned()))?;
        let settings = self.settings;
        tokio::task::spawn_blocking(move || process(&bytes, &settings))
            .await
            .map_err(|e| PipelineError::Encode(format!("image task failed: {e}")))?
    }
}
