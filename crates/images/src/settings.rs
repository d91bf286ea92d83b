//! [`ImageSettings`]: how a service configures its image library (a serde struct; reading the
//! configuration is the service's business).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{FileStore, ImageLibrary, PipelineSettings, S3Config, StorageConfig, StorageError};

/// Uploads and their storage (admin-api's `[images]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageSettings {
    /// `local` (a directory, the default) or `s3` (an S3-compatible bucket, `s3`).
    pub backend: StorageBackend,
    /// The local backend's directory.
    pub root: PathBuf,
    /// Largest accepted upload, in MiB.
    pub max_upload_mb: u64,
    /// Most pixels an upload may declare, in megapixels (decompression-bomb guard).
    pub max_megapixels: u64,
    /// WebP quality, 0–100.
    pub quality: f32,
    /// libwebp effort, 0 (fastest) – 6 (smallest files); 2 is 2.2× faster than libwebp's default 4
    /// for files about 3 % larger (docs/operations/image-storage.md).
    pub webp_method: u8,
    /// Uploads read and processed at once (the bound on upload memory); 0 = one per CPU core.
    pub max_concurrent: usize,
    /// The S3 backend: endpoint, bucket, region, access_key_id, secret_access_key, path_style.
    pub s3: S3Config,
}

impl Default for ImageSettings {
    fn default() -> Self {
        ImageSettings {
            backend: StorageBackend::Local,
            root: PathBuf::from("data/uploads"),
            max_upload_mb: 20,
            max_megapixels: 40,
            quality: 85.0,
            webp_method: 2,
            max_concurrent: 0,
            s3: S3Config::default(),
        }
    }
}

/// Where variant files are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// `root`.
    Local,
    /// `s3`.
    S3,
}

impl ImageSettings {
    /// Refuses settings that cannot work, naming the `[images]` key.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=100.0).contains(&self.quality) {
            return Err(format!("images.quality must be within 0..=100, got {}", self.quality));
        }
        if self.webp_method > 6 {
            return Err(format!("images.webp_method must be within 0..=6, got {}", self.webp_method));
        }
        if self.max_upload_mb == 0 || self.max_megapixels == 0 {
            return Err("images.max_upload_mb and images.max_megapixels must be at least 1".to_owned());
        }
        if self.backend == StorageBackend::S3 {
            let s3 = &self.s3;
            for (key, value) in [
                ("bucket", &s3.bucket),
                ("access_key_id", &s3.access_key_id),
                ("secret_access_key", &s3.secret_access_key),
            ] {
                if value.is_empty() {
                    return Err(format!("images.backend = \"s3\" needs images.s3.{key}"));
                }
            }
        }
        Ok(())
    }

    /// The pipeline's settings.
    pub fn pipeline(&self) -> PipelineSettings {
        PipelineSettings {
            max_upload_bytes: usize::try_from(self.max_upload_mb.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
            max_pixels: self.max_megapixels.saturating_mul(1_000_000),
            quality: self.quality,
            webp_method: self.webp_method,
            ..PipelineSettings::default()
        }
    }

    /// The storage backend's settings.
    pub fn storage(&self) -> StorageConfig {
        match self.backend {
            StorageBackend::Local => StorageConfig::Local { root: self.root.clone() },
            StorageBackend::S3 => StorageConfig::S3(self.s3.clone()),
        }
    }

    /// Uploads processed at once.
    pub fn concurrency(&self) -> usize {
        match self.max_concurrent {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            n => n,
        }
    }

    /// The image library these settings describe (the local backend's directory is created).
    pub fn library(&self) -> Result<ImageLibrary, StorageError> {
        Ok(ImageLibrary::new(FileStore::open(&self.storage())?, self.pipeline(), self.concurrency()))
    }
}
