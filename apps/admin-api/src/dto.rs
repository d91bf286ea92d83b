//! The wire format of the platform-health and image routes: seed 000/001 field names (after the
//! store/merchant renaming), plus what Orion adds (`performance`, `freshness`). Domain values that
//! already serialise in the seed shape (thresholds, recommendations, capacity lines) are embedded.

use std::collections::BTreeMap;

use health::{Count, CountMethod, DbState, RequestSummary, SystemSample, ThresholdStatus};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Where variant files are served: `{IMAGE_FILES}/{storage key}`.
pub const IMAGE_FILES: &str = "/images";

/// `GET /health` (seed 001 `PlatformHealthResponse`, plus `performance`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// When the response was assembled (UTC, RFC 3339).
    pub timestamp: String,
    /// `healthy`, `degraded` or `critical`.
    #[schema(example = "healthy", value_type = String)]
    pub overall_status: health::OverallStatus,
    /// CPU, memory and the data directory's disk.
    pub system: SystemMetrics,
    /// Database size and row counts.
    pub database: DatabaseMetrics,
    /// Image storage counters.
    pub image_storage: ImageStorageMetrics,
    /// Request latency and errors over the sliding window.
    #[schema(value_type = Object)]
    pub performance: RequestSummary,
    /// Every threshold with its status and `key` (its `[thresholds.*]` configuration key).
    #[schema(value_type = Vec<Object>)]
    pub thresholds: Vec<ThresholdStatus>,
    /// What to do about it (priority, title, description, action).
    #[schema(value_type = Vec<Object>)]
    pub recommendations: Vec<health::Recommendation>,
    /// `Starter`, `Small`, `Medium`, `Large`, `Scale` or `Enterprise`.
    pub infrastructure_tier: &'static str,
    /// The current tier's store and product limits and cost (`null` limits: unlimited).
    #[schema(value_type = Object)]
    pub infrastructure_tier_limits: health::InfrastructureTier,
    /// `Approaching {tier} tier (stores: X%, products: Y%)` above 70 %.
    pub next_tier_trigger: Option<String>,
}

/// Seed 001 `SystemMetrics`, plus when it was sampled.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemMetrics {
    /// cpu_percent, memory_percent, memory_used_gb, memory_total_gb, disk_percent, disk_used_gb,
    /// disk_total_gb.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub metrics: health::SystemMetrics,
    /// When sampled (the background sampler runs every few seconds); null before the first sample.
    pub sampled_at: Option<String>,
}

/// Seed 001 `DatabaseMetrics` in store terms, plus `freshness`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatabaseMetrics {
    /// Database size, MiB.
    pub size_mb: f64,
    /// Products.
    pub products_count: u64,
    /// Orders.
    pub orders_count: u64,
    /// Stores.
    pub stores_count: u64,
    /// Merchants.
    pub merchants_count: u64,
    /// Inventory rows.
    pub inventory_count: u64,
    /// How fresh these figures are.
    pub freshness: Freshness,
}

/// How fresh the database figures are and how the counts were obtained.
#[derive(Debug, Serialize, ToSchema)]
pub struct Freshness {
    /// When the figures were measured; null if the database was never reached.
    pub measured_at: Option<String>,
    /// Seconds since then.
    pub age_seconds: Option<f64>,
    /// Figures are re-measured this often: the bound on their age while the database is up.
    pub refresh_interval_seconds: u64,
    /// Did the last refresh reach the database?
    pub database_reachable: bool,
    /// Why the last refresh failed.
    pub last_error: Option<String>,
    /// Per count: `exact` (COUNT(*) at refresh) or `planner_estimate` (PostgreSQL statistics, for
    /// tables above `monitor.exact_count_limit` rows).
    pub counts: BTreeMap<&'static str, &'static str>,
}

/// Seed 001 `ImageStorageMetrics`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageStorageMetrics {
    /// Variant files stored.
    pub total_files: u64,
    /// Their size, MiB.
    pub total_size_mb: f64,
    /// Their size, GiB.
    pub total_size_gb: f64,
    /// Files in the fullest shard directory.
    pub max_files_per_dir: u64,
    /// Images stored (files / 3 variants), as the original's estimate of products with images.
    pub products_estimated: u64,
}

/// `GET /capacity` (seed 001 `CapacityMetricsResponse` in store terms, plus `freshness`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityResponse<'a> {
    /// Products.
    pub products_total: u64,
    /// Products per store code, stores with the most products first (only the largest N with
    /// `top_stores`); stores without products are not listed.
    #[schema(value_type = BTreeMap<String, u64>)]
    pub products_by_store: StoreCounts<'a>,
    /// Image variant files stored.
    pub images_total: u64,
    /// Image storage, GiB.
    pub storage_used_gb: f64,
    /// Database size, MiB.
    pub database_size_mb: f64,
    /// Orders since 00:00 UTC on the first of the month.
    pub orders_this_month: u64,
    /// Active stores.
    pub active_stores: u64,
    /// How fresh these figures are.
    pub freshness: Freshness,
}

/// (store code, count) pairs serialised as a JSON object in their order, without copying.
#[derive(Debug)]
pub struct StoreCounts<'a>(pub &'a [(String, u64)]);

impl Serialize for StoreCounts<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(code, count)| (code, count)))
    }
}

/// `GET /subscription-capacity` (seed 000 shape, plus `freshness`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionCapacityResponse {
    /// total_subscriptions, tier_distribution, and products, orders_monthly, team_members, each
    /// with actual, theoretical_limit, utilization_percent, headroom, unlimited_subscriptions.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub capacity: billing::SubscriptionCapacity,
    /// How fresh these figures are.
    pub freshness: Freshness,
}

/// `GET /livez`, `GET /readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Probe {
    /// `ok` or `unavailable`.
    pub status: &'static str,
}

/// RFC 3339, UTC, milliseconds, `Z`: `2026-11-28T09:20:37.123Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.format(&format).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

impl SystemMetrics {
    /// From the latest sample (zeros before the first).
    pub fn from_sample(sample: Option<SystemSample>) -> SystemMetrics {
        SystemMetrics {
            metrics: sample.map(|s| s.metrics).unwrap_or_default(),
            sampled_at: sample.map(|s| rfc3339(s.sampled_at)),
        }
    }
}

impl Freshness {
    /// Describes `state` as of `now`.
    pub fn of(state: &DbState, now: OffsetDateTime) -> Freshness {
        let figures = state.figures.as_deref();
        let method = |count: Count| match count.method {
            CountMethod::Exact => "exact",
            CountMethod::PlannerEstimate => "planner_estimate",
        };
        let counts = figures
            .map(|f| {
                BTreeMap::from([
                    ("products", method(f.products)),
                    ("orders", method(f.orders)),
                    ("stores", method(f.stores)),
                    ("inventory", method(f.inventory)),
                    ("team_members", method(f.team_members)),
                    ("merchants", method(f.merchants)),
                ])
            })
            .unwrap_or_default();
        Freshness {
            measured_at: figures.map(|f| rfc3339(f.measured_at)),
            age_seconds: figures
                .map(|f| ((now - f.measured_at).whole_milliseconds().max(0) as f64 / 100.0).round() / 10.0),
            refresh_interval_seconds: state.refresh_interval.as_secs(),
            database_reachable: state.reachable(),
            last_error: state.last_error.clone(),
            counts,
        }
    }
}

impl From<images::StorageStats> for ImageStorageMetrics {
    fn from(stats: images::StorageStats) -> Self {
        ImageStorageMetrics {
            total_files: stats.total_files,
            total_size_mb: health::mib(stats.total_bytes),
            total_size_gb: health::gib(stats.total_bytes),
            max_files_per_dir: stats.max_files_per_dir,
            products_estimated: stats.products_estimated(),
        }
    }
}

/// `GET /api/v1/admin/images/stats`: seed 001 `ImageStorageMetrics` read from the counters at
/// request time, plus exact bytes, distinct images and the backend.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageStatsResponse {
    /// The seed's figures.
    #[serde(flatten)]
    pub metrics: ImageStorageMetrics,
    /// Bytes of all variant files.
    pub total_bytes: u64,
    /// Distinct stored images (identical uploads count once).
    pub total_images: u64,
    /// `local:<dir>` or `s3:<endpoint>/<bucket>`.
    pub backend: String,
}

/// A stored image (`POST /images/upload`, `GET /images/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageResponse {
    /// Image id (for `DELETE /images/{id}`).
    #[schema(value_type = i64)]
    pub id: images::ImageId,
    /// Owning store.
    pub store_id: i64,
    /// The product it shows, if any.
    pub product_id: Option<i64>,
    /// `product`, `category` or `banner`.
    #[serde(rename = "type")]
    #[schema(example = "product", value_type = String)]
    pub kind: images::ImageKind,
    /// SHA-256 of the uploaded bytes.
    pub hash: String,
    /// Upload width after EXIF orientation.
    pub width: u32,
    /// Upload height after EXIF orientation.
    pub height: u32,
    /// The file name sent.
    pub original_filename: String,
    /// Upload time (UTC, RFC 3339).
    pub created_at: String,
    /// Identical content was stored already; this upload added a reference only.
    pub deduplicated: bool,
    /// `original`, `800` and `200`.
    pub variants: BTreeMap<&'static str, ImageVariant>,
}

/// One WebP variant.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageVariant {
    /// Where to fetch it (served with a one-year immutable cache lifetime).
    #[schema(example = "/images/products/ab/cd/abcd…_800.webp")]
    pub url: String,
    /// Storage key.
    pub key: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// File size.
    pub bytes: u64,
}

impl From<images::StoredImage> for ImageResponse {
    fn from(image: images::StoredImage) -> Self {
        let variants = image
            .variants
            .into_iter()
            .map(|v| {
                let url = format!("{IMAGE_FILES}/{}", v.key);
                (
                    v.variant.name(),
                    ImageVariant { url, key: v.key, width: v.width, height: v.height, bytes: v.bytes },
                )
            })
            .collect();
        ImageResponse {
            id: image.id,
            store_id: image.store_id,
            product_id: image.product_id,
            kind: image.kind,
            hash: image.hash,
            width: image.width,
            height: image.height,
            original_filename: image.original_filename,
            created_at: rfc3339(image.created_at),
            deduplicated: image.deduplicated,
            variants,
        }
    }
}
