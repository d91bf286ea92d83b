//! The wire format: response bodies with seed 000/001 field names (after the store/merchant
//! renaming), plus what Orion adds (`performance`, `freshness`). Domain types stay out of JSON.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use health::{
    Count, CountMethod, DbState, OverallStatus, Priority, Recommendation, RequestSummary, Status,
    SystemSample, ThresholdStatus,
};
use serde::Serialize;
use utoipa::ToSchema;

const MIB: f64 = 1024.0 * 1024.0;
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// `GET /health` (seed 001 `PlatformHealthResponse`, plus `performance`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// When the response was assembled (UTC, RFC 3339).
    pub timestamp: String,
    /// `healthy`, `degraded` or `critical`.
    #[schema(example = "healthy")]
    pub overall_status: &'static str,
    /// CPU, memory and the data directory's disk.
    pub system: SystemMetrics,
    /// Database size and row counts.
    pub database: DatabaseMetrics,
    /// Image storage counters.
    pub image_storage: ImageStorageMetrics,
    /// Request latency and errors over the sliding window.
    pub performance: Performance,
    /// Every threshold with its status.
    pub thresholds: Vec<CapacityThreshold>,
    /// What to do about it.
    pub recommendations: Vec<ScalingRecommendation>,
    /// `Starter`, `Small`, `Medium`, `Large`, `Scale` or `Enterprise`.
    pub infrastructure_tier: &'static str,
    /// `Approaching {tier} tier (stores: X%, products: Y%)` above 70 %.
    pub next_tier_trigger: Option<String>,
}

/// Seed 001 `SystemMetrics`, plus when it was sampled.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemMetrics {
    /// CPU use, %.
    pub cpu_percent: f64,
    /// Memory use, %.
    pub memory_percent: f64,
    /// Used memory, GiB.
    pub memory_used_gb: f64,
    /// Total memory, GiB.
    pub memory_total_gb: f64,
    /// Use of the disk holding the data directory, %.
    pub disk_percent: f64,
    /// Used disk, GiB.
    pub disk_used_gb: f64,
    /// Disk size, GiB.
    pub disk_total_gb: f64,
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

/// Request latency and errors over the last `window_seconds`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Performance {
    /// Window length, s.
    pub window_seconds: u64,
    /// Requests completed in the window.
    pub requests: u64,
    /// Requests per second.
    pub requests_per_second: f64,
    /// 5xx answers, % of requests.
    pub error_rate_percent: f64,
    /// Mean latency, ms.
    pub avg_response_ms: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
}

/// Seed 001 `CapacityThreshold`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityThreshold {
    /// e.g. `Products`, `CPU Usage (%)`.
    pub name: String,
    /// Measured value.
    pub current: f64,
    /// Warning level.
    pub warning: f64,
    /// Critical level.
    pub critical: f64,
    /// Capacity.
    pub limit: f64,
    /// `ok`, `warning` or `critical`.
    pub status: &'static str,
    /// current / limit × 100, one decimal.
    pub percent_used: f64,
}

/// Seed 001 `ScalingRecommendation`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScalingRecommendation {
    /// `info`, `warning` or `critical`.
    pub priority: &'static str,
    /// One line.
    pub title: String,
    /// The figures behind it.
    pub description: String,
    /// What to do.
    pub action: Option<String>,
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
    /// Live (trialing, active, past due) subscriptions.
    pub total_subscriptions: u64,
    /// Live subscriptions per tier code; every tier is listed.
    pub tier_distribution: BTreeMap<String, u64>,
    /// Products against the sold product limits.
    pub products: CapacityLine,
    /// Orders this month against the sold monthly order limits.
    pub orders_monthly: CapacityLine,
    /// Team members against the sold team limits.
    pub team_members: CapacityLine,
    /// How fresh these figures are.
    pub freshness: Freshness,
}

/// One resource: usage against what the sold tiers allow.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityLine {
    /// Used now.
    pub actual: i64,
    /// Sum of the limits of the subscriptions that have one.
    pub theoretical_limit: i64,
    /// actual / theoretical_limit × 100, one decimal.
    pub utilization_percent: f64,
    /// theoretical_limit − actual.
    pub headroom: i64,
    /// Subscriptions without a limit on this resource (not in `theoretical_limit`).
    pub unlimited_subscriptions: u64,
}

impl From<billing::CapacityLine> for CapacityLine {
    fn from(line: billing::CapacityLine) -> Self {
        CapacityLine {
            actual: line.actual,
            theoretical_limit: line.theoretical_limit,
            utilization_percent: line.utilization_percent,
            headroom: line.headroom,
            unlimited_subscriptions: line.unlimited_subscriptions,
        }
    }
}

/// `GET /livez`, `GET /readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Probe {
    /// `ok` or `unavailable`.
    pub status: &'static str,
}

/// RFC 3339, seconds precision, `Z`.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl SystemMetrics {
    /// From the latest sample (zeros before the first).
    pub fn from_sample(sample: Option<SystemSample>) -> SystemMetrics {
        let m = sample.map(|s| s.metrics).unwrap_or_default();
        SystemMetrics {
            cpu_percent: m.cpu_percent,
            memory_percent: m.memory_percent,
            memory_used_gb: m.memory_used_gb,
            memory_total_gb: m.memory_total_gb,
            disk_percent: m.disk_percent,
            disk_used_gb: m.disk_used_gb,
            disk_total_gb: m.disk_total_gb,
            sampled_at: sample.map(|s| rfc3339(s.sampled_at)),
        }
    }
}

impl Freshness {
    /// Describes `state` as of `now`.
    pub fn of(state: &DbState, now: DateTime<Utc>) -> Freshness {
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
            age_seconds: figures.map(|f| {
                ((now - f.measured_at).num_milliseconds().max(0) as f64 / 1000.0 * 10.0).round() / 10.0
            }),
            refresh_interval_seconds: state.refresh_interval.as_secs(),
            database_reachable: state.reachable(),
            last_error: state.last_error.clone(),
            counts,
        }
    }
}

impl Performance {
    /// From the request window.
    pub fn from_summary(s: RequestSummary) -> Performance {
        Performance {
            window_seconds: s.window_seconds,
            requests: s.requests,
            requests_per_second: s.requests_per_second,
            error_rate_percent: s.error_rate_percent,
            avg_response_ms: s.avg_ms,
            p50_ms: s.p50_ms,
            p95_ms: s.p95_ms,
            p99_ms: s.p99_ms,
        }
    }
}

impl From<ThresholdStatus> for CapacityThreshold {
    fn from(t: ThresholdStatus) -> Self {
        CapacityThreshold {
            name: t.name,
            current: t.current,
            warning: t.warning,
            critical: t.critical,
            limit: t.limit,
            status: match t.status {
                Status::Ok => "ok",
                Status::Warning => "warning",
                Status::Critical => "critical",
            },
            percent_used: t.percent_used,
        }
    }
}

impl From<Recommendation> for ScalingRecommendation {
    fn from(r: Recommendation) -> Self {
        ScalingRecommendation {
            priority: match r.priority {
                Priority::Info => "info",
                Priority::Warning => "warning",
                Priority::Critical => "critical",
            },
            title: r.title,
            description: r.description,
            action: r.action,
        }
    }
}

/// The overall status's wire name.
pub fn overall_status_name(status: OverallStatus) -> &'static str {
    match status {
        OverallStatus::Healthy => "healthy",
        OverallStatus::Degraded => "degraded",
        OverallStatus::Critical => "critical",
    }
}

/// Bytes → MiB, two decimals (seed 001 rounding).
pub fn mib(bytes: u64) -> f64 {
    round2(bytes as f64 / MIB)
}

/// Bytes → GiB, two decimals.
pub fn gib(bytes: u64) -> f64 {
    round2(bytes as f64 / GIB)
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

impl From<images::StorageStats> for ImageStorageMetrics {
    fn from(stats: images::StorageStats) -> Self {
        ImageStorageMetrics {
            total_files: stats.total_files,
            total_size_mb: mib(stats.total_bytes),
            total_size_gb: gib(stats.total_bytes),
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
    pub id: i64,
    /// Owning store.
    pub store_id: i64,
    /// The product it shows, if any.
    pub product_id: Option<i64>,
    /// `product`, `category` or `banner`.
    #[serde(rename = "type")]
    #[schema(example = "product")]
    pub kind: &'static str,
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
        ImageResponse {
            id: image.id,
            store_id: image.store_id,
            product_id: image.product_id,
            kind: image.kind.as_str(),
            hash: image.hash,
            width: image.width,
            height: image.height,
            original_filename: image.original_filename,
            created_at: rfc3339(image.created_at),
            deduplicated: image.deduplicated,
            variants: image
                .variants
                .into_iter()
                .map(|v| {
                    let variant = ImageVariant {
                        url: format!("{}/{}", crate::routes::IMAGE_FILES, v.key),
                        key: v.key,
                        width: v.width,
                        height: v.height,
                        bytes: v.bytes,
                    };
                    (v.variant.name(), variant)
                })
                .collect(),
        }
    }
}
