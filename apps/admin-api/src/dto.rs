//! The wire format of the platform-health and image routes: seed 000/001 field names (after the
//! store/merchant renaming), plus what Orion adds (`performance`, `freshness`). Domain values that
//! already serialise in the seed shape (thresholds, recommendations, capacity lines) are embedded.

use std::collections::BTreeMap;

use health::{Freshness, RequestSummary, SystemSample, ThresholdStatus};
use serde::Serialize;
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
    /// Database size and row counts (size_mb, products_count, orders_count, stores_count,
    /// merchants_count, inventory_count, active_stores, enabled_stores, orders_this_month,
    /// orders_last_30_days, freshness).
    #[schema(value_type = Object)]
    pub database: health::DatabaseMetrics,
    /// Image storage counters (total_files, total_size_mb, total_size_gb, max_files_per_dir,
    /// products_estimated).
    #[schema(value_type = Object)]
    pub image_storage: images::ImageStorageMetrics,
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
    /// cpu_percent, memory_percent, memory_used_gb, memory_total_gb, disk_percent (as `df`:
    /// used / (used + available)), disk_used_gb, disk_free_gb (available to the service),
    /// disk_total_gb.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub metrics: health::SystemMetrics,
    /// When sampled (the background sampler runs every few seconds); null before the first sample.
    pub sampled_at: Option<String>,
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
    /// Orders since 00:00 UTC on the first of the month (a display figure).
    pub orders_this_month: u64,
    /// Orders of the last 30 days (rolling): what the `monthly_orders` threshold evaluates.
    pub orders_last_30_days: u64,
    /// Stores with activity (an order, a product, an inventory change) in the last 30 days.
    pub active_stores: u64,
    /// Stores with the enabled flag set.
    pub enabled_stores: u64,
    /// How fresh these figures are.
    #[schema(value_type = Object)]
    pub freshness: Freshness,
}

impl<'a> CapacityResponse<'a> {
    /// The figures the monitor measured, with the `top` stores by products (the monitor keeps
    /// them sorted, most products first, so the top N is a prefix).
    pub fn of(db: &'a health::DbState, top: usize, now: time::OffsetDateTime) -> Self {
        let figures = db.figures.as_deref();
        let by_store = figures.map(|f| f.products_by_store.as_slice()).unwrap_or_default();
        let images = figures.map(|f| f.images).unwrap_or_default();
        CapacityResponse {
            products_total: figures.map_or(0, |f| f.products.value),
            products_by_store: StoreCounts(&by_store[..top.min(by_store.len())]),
            images_total: images.total_files,
            storage_used_gb: health::gib(images.total_bytes),
            database_size_mb: health::mib(figures.map_or(0, |f| f.size_bytes)),
            orders_this_month: figures.map_or(0, |f| f.orders_this_month),
            orders_last_30_days: figures.map_or(0, |f| f.orders_last_30_days),
            active_stores: figures.map_or(0, |f| f.active_stores),
            enabled_stores: figures.map_or(0, |f| f.enabled_stores),
            freshness: db.freshness(now),
        }
    }
}

/// (store code, count) pairs serialised as a JSON object in their order, without copying.
#[derive(Debug)]
pub struct StoreCounts<'a>(pub &'a [(String, u64)]);

impl Serialize for StoreCounts<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(code, count)| (code, count)))
    }
}

/// `GET /subscription-capacity` (seed 000 shape, plus `merchant_dynamics`, `over_limit` and
/// `freshness`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionCapacityResponse<'a> {
    /// total_subscriptions, tier_distribution, and products, orders_monthly (the last 30 days),
    /// team_members, each with actual, theoretical_limit, utilization_percent, headroom,
    /// unlimited_subscriptions, status.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub capacity: billing::SubscriptionCapacity,
    /// new_this_month, churned_this_month, churn_rate_percent_30d, net_growth_percent_30d,
    /// new_percent_30d.
    #[schema(value_type = Object)]
    pub merchant_dynamics: billing::MerchantDynamics,
    /// Merchants over a limit of their tier (merchant_id, merchant, tier, resource, limit,
    /// current), largest overshoot first.
    #[schema(value_type = Vec<Object>)]
    pub over_limit: &'a [billing::OverLimit],
    /// How fresh these figures are.
    #[schema(value_type = Object)]
    pub freshness: Freshness,
}

/// `GET /api-usage`: merchants' API use today against the daily allowance their tier sells.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiUsageResponse {
    /// When it was read (RFC 3339).
    pub timestamp: String,
    /// The UTC day counted (`YYYY-MM-DD`); counters start at zero at midnight UTC.
    pub day: String,
    /// Where the counts come from: `memory` (this process only) or `redis` (every instance and
    /// service sharing it).
    #[schema(value_type = String, example = "redis")]
    pub backend: quotas::BackendKind,
    /// Merchants that called today.
    pub merchants_calling: usize,
    /// The top merchants (merchant_id, merchant, tier, requests_today, refused_today,
    /// daily_allowance, percent_of_allowance, recommendation), highest share of the allowance
    /// first.
    #[schema(value_type = Vec<Object>)]
    pub merchants: Vec<quotas::MerchantApiUsage>,
    /// The upgrade suggestions of merchants at 80 % of their allowance or more.
    pub recommendations: Vec<String>,
}

/// `GET /livez`, `GET /readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Probe {
    /// `ok` or `unavailable`.
    pub status: &'static str,
}

pub use health::rfc3339;

impl SystemMetrics {
    /// From the latest sample (zeros before the first).
    pub fn from_sample(sample: Option<SystemSample>) -> SystemMetrics {
        SystemMetrics {
            metrics: sample.map(|s| s.metrics).unwrap_or_default(),
            sampled_at: sample.map(|s| rfc3339(s.sampled_at)),
        }
    }
}

/// `GET /api/v1/admin/images/stats`: seed 001 `ImageStorageMetrics` read from the counters at
/// request time, plus exact bytes, distinct images and the backend.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageStatsResponse {
    /// The seed's figures.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub metrics: images::ImageStorageMetrics,
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
