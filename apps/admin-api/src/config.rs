//! Settings, layered: built-in defaults → `config/default.toml` → `config/$ORION_ENV.toml` →
//! environment variables `ORION__SECTION__KEY` (e.g. `ORION__DATABASE__URL`,
//! `ORION__SERVER__PORT`, `ORION__THRESHOLDS__PRODUCTS_TOTAL__WARNING`). Every file is optional:
//! with none at all the service runs on the embedded SQLite database in `./data`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use health::{DbMonitorSettings, Thresholds};
use serde::{Deserialize, Serialize};

/// Everything admin-api reads from configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    /// Where the data lives.
    pub database: DatabaseSettings,
    /// Where to listen.
    pub server: ServerSettings,
    /// How measurements are taken.
    pub monitor: MonitorSettings,
    /// Token checks.
    pub auth: AuthSettings,
    /// Log output.
    pub log: LogSettings,
    /// Warning/critical/limit levels of every threshold (seed defaults).
    pub thresholds: Thresholds,
    /// Demo data.
    pub demo: DemoSettings,
    /// Daily snapshots.
    pub forecast: ForecastSettings,
    /// Image uploads and their storage.
    pub images: ImageSettings,
}

/// `[images]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageSettings {
    /// `local` (a directory, the default) or `s3` (an S3-compatible bucket, `[images.s3]`).
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
    /// The S3 backend (`[images.s3]`: endpoint, bucket, region, access_key_id,
    /// secret_access_key, path_style).
    pub s3: images::S3Config,
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
            s3: images::S3Config::default(),
        }
    }
}

/// Where variant files are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// `[images] root`.
    Local,
    /// `[images.s3]`.
    S3,
}

impl ImageSettings {
    /// The pipeline's settings.
    pub fn pipeline(&self) -> images::PipelineSettings {
        images::PipelineSettings {
            max_upload_bytes: usize::try_from(self.max_upload_mb.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
            max_pixels: self.max_megapixels.saturating_mul(1_000_000),
            quality: self.quality,
            webp_method: self.webp_method,
            ..images::PipelineSettings::default()
        }
    }

    /// The storage backend's settings.
    pub fn storage(&self) -> images::StorageConfig {
        match self.backend {
            StorageBackend::Local => images::StorageConfig::Local { root: self.root.clone() },
            StorageBackend::S3 => images::StorageConfig::S3(self.s3.clone()),
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
    pub fn library(&self) -> anyhow::Result<images::ImageLibrary> {
        let files = images::FileStore::open(&self.storage()).context("opening the image storage")?;
        Ok(images::ImageLibrary::new(files, self.pipeline(), self.concurrency()))
    }
}

/// `[forecast]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForecastSettings {
    /// Capture today's snapshot at start-up when it is missing, and run the daily schedule.
    pub schedule: bool,
    /// Daily snapshots older than this many days are pruned (the first of each month is kept).
    pub retention_days: u32,
}

impl Default for ForecastSettings {
    fn default() -> Self {
        ForecastSettings { schedule: true, retention_days: 730 }
    }
}

/// `[database]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` (embedded default) or `postgres://user@host/db` (production).
    pub url: String,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings { url: "sqlite://data/orion.db?mode=rwc".to_owned(), max_connections: 10 }
    }
}

impl DatabaseSettings {
    /// The directory an SQLite database file lives in (created at start-up); `None` for servers.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        let path = self.url.strip_prefix("sqlite://")?.split('?').next()?;
        if path.is_empty() || path.starts_with(':') {
            return None; // in-memory
        }
        Some(Path::new(path).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf))
    }

    /// Is this the embedded SQLite database?
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }
}

/// `[server]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    /// Interface to bind.
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// HTTP worker threads; 0 = one per CPU core.
    pub workers: usize,
    /// Seconds in-flight requests get to finish on SIGTERM/SIGINT.
    pub shutdown_timeout_seconds: u64,
    /// Directory measured for the disk metrics (the data directory).
    pub data_dir: PathBuf,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            host: "127.0.0.1".to_owned(),
            port: 8080,
            workers: 0,
            shutdown_timeout_seconds: 10,
            data_dir: PathBuf::from("data"),
        }
    }
}

/// `[monitor]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MonitorSettings {
    /// Seconds between database figure refreshes (the bound on their staleness).
    pub db_refresh_seconds: u64,
    /// PostgreSQL tables estimated at or above this many rows are reported by the planner's
    /// estimate instead of `COUNT(*)`.
    pub exact_count_limit: u64,
    /// Seconds a database refresh may take before it is reported as failed.
    pub db_refresh_timeout_seconds: u64,
    /// Seconds between CPU/memory/disk samples.
    pub system_sample_seconds: u64,
    /// Seconds of requests behind the latency percentiles and error rate.
    pub request_window_seconds: u64,
}

impl Default for MonitorSettings {
    fn default() -> Self {
        MonitorSettings {
            db_refresh_seconds: 30,
            exact_count_limit: 100_000,
            db_refresh_timeout_seconds: 10,
            system_sample_seconds: 5,
            request_window_seconds: 60,
        }
    }
}

impl MonitorSettings {
    /// The database monitor's settings.
    pub fn db_monitor(&self) -> DbMonitorSettings {
        DbMonitorSettings {
            refresh_interval: Duration::from_secs(self.db_refresh_seconds.max(1)),
            exact_count_limit: self.exact_count_limit,
            refresh_timeout: Duration::from_secs(self.db_refresh_timeout_seconds.max(1)),
        }
    }
}

/// `[auth]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// Seconds a verified token is trusted without asking the database again; also the longest
    /// a revoked token keeps working on an instance that saw it. 0 checks every request.
    pub cache_seconds: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { cache_seconds: 10 }
    }
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    /// `pretty` (human, default) or `json` (one object per line, for production).
    pub format: LogFormat,
    /// Filter when `RUST_LOG` is unset, e.g. `info` or `admin_api=debug,info`.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings { format: LogFormat::Pretty, filter: "info".to_owned() }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// JSON lines.
    Json,
}

/// `[demo]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DemoSettings {
    /// On start-up, fill an empty embedded SQLite database with the default demo data (never on
    /// PostgreSQL), so a fresh clone shows a populated platform.
    pub seed_empty_sqlite: bool,
}

impl Default for DemoSettings {
    fn default() -> Self {
        DemoSettings { seed_empty_sqlite: true }
    }
}

impl Settings {
    /// Loads the layers from `config_dir` (usually `./config`) and the process environment.
    pub fn load(config_dir: &Path) -> anyhow::Result<Settings> {
        Settings::from_layers(config_dir, std::env::vars().collect())
    }

    /// Loads the layers from `config_dir` and the given environment variables.
    pub fn from_layers(config_dir: &Path, env: HashMap<String, String>) -> anyhow::Result<Settings> {
        let environment = env.get("ORION_ENV").cloned();
        let mut builder = config::Config::builder()
            .add_source(config::Config::try_from(&Settings::default()).context("built-in defaults")?)
            .add_source(config::File::from(config_dir.join("default.toml")).required(false));
        if let Some(environment) = environment.as_deref() {
            let file = config_dir.join(format!("{environment}.toml"));
            if !file.exists() {
                bail!("ORION_ENV={environment} but {} does not exist", file.display());
            }
            builder = builder.add_source(config::File::from(file));
        }
        let settings: Settings = builder
            .add_source(
                config::Environment::with_prefix("ORION")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .source(Some(env)),
            )
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("configuration values")?;
        settings.validate()?;
        Ok(settings)
    }

    /// Refuses settings that cannot work, naming the key.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.thresholds.validate().map_err(anyhow::Error::msg)?;
        let images = &self.images;
        if !(0.0..=100.0).contains(&images.quality) {
            bail!("images.quality must be within 0..=100, got {}", images.quality);
        }
        if images.webp_method > 6 {
            bail!("images.webp_method must be within 0..=6, got {}", images.webp_method);
        }
        if images.max_upload_mb == 0 || images.max_megapixels == 0 {
            bail!("images.max_upload_mb and images.max_megapixels must be at least 1");
        }
        if images.backend == StorageBackend::S3 {
            for (key, value) in [
                ("bucket", &images.s3.bucket),
                ("access_key_id", &images.s3.access_key_id),
                ("secret_access_key", &images.s3.secret_access_key),
            ] {
                if value.is_empty() {
                    bail!("images.backend = \"s3\" needs images.s3.{key}");
                }
            }
        }
        if self.database.max_connections == 0 {
            bail!("database.max_connections must be at least 1");
        }
        Ok(())
    }
}
