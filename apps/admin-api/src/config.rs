//! Settings, layered: built-in defaults → `config/default.toml` → `config/$ORION_ENV.toml` →
//! environment variables `ORION__SECTION__KEY` (e.g. `ORION__DATABASE__URL`,
//! `ORION__SERVER__PORT`, `ORION__THRESHOLDS__PRODUCTS_TOTAL__WARNING`). Every file is optional:
//! with none at all the service runs on the embedded SQLite database in `./data`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use health::Thresholds;
use serde::{Deserialize, Serialize};

/// Everything admin-api reads from configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    /// Where the data lives.
    pub database: migration::DatabaseSettings,
    /// Where to listen.
    pub server: ServerSettings,
    /// How measurements are taken.
    pub monitor: health::MonitorSettings,
    /// Token checks.
    pub auth: accounts::AuthSettings,
    /// Log output.
    pub log: LogSettings,
    /// Warning/critical/limit levels of every threshold (seed defaults).
    pub thresholds: Thresholds,
    /// Demo data.
    pub demo: demo::DemoSettings,
    /// Daily snapshots.
    pub forecast: forecast::schedule::SnapshotSettings,
    /// Image uploads and their storage.
    pub images: images::ImageSettings,
    /// Request rate limits (admin tokens, and client IPs on the public image files).
    pub rate_limit: quotas::RateLimitSettings,
    /// Alert rules, evaluation and the webhook notifications go to.
    pub alerts: alerts::AlertSettings,
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
        self.images.validate().map_err(anyhow::Error::msg)?;
        self.rate_limit.validate().map_err(anyhow::Error::msg)?;
        self.alerts.validate(&self.thresholds).map_err(anyhow::Error::msg)?;
        if self.database.max_connections == 0 {
            bail!("database.max_connections must be at least 1");
        }
        Ok(())
    }
}
