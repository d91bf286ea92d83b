//! Seed 001's rules: `_create_threshold`, `_generate_recommendations`, `_determine_tier` and
//! `_determine_overall_status`, with its defaults (`CAPACITY_THRESHOLDS`, plus seed 000's
//! `monthly_orders` and seed 002's `avg_response_ms`).

use serde::{Deserialize, Serialize};

/// Warning, critical and limit levels of one metric, in the metric's unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    /// At or above this the metric is in warning.
    pub warning: f64,
    /// At or above this the metric is critical.
    pub critical: f64,
    /// The capacity: `percent_used` = current / limit × 100.
    pub limit: f64,
}

/// The configurable thresholds of a deployment. `Default` gives the seeds' values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Products across all stores.
    pub products_total: Levels,
    /// Image storage, GB.
    pub storage_gb: Levels,
    /// Database size, MB.
    pub db_size_mb: Levels,
    /// Disk of the data directory, %.
    pub disk_percent: Levels,
    /// Memory, %.
    pub memory_percent: Levels,
    /// CPU, %.
    pub cpu_percent: Levels,
    /// Orders this calendar month (seed 000).
    pub monthly_orders: Levels,
    /// Average API response time, ms (seed 002 gives warning 200 and critical 500 but no limit;
    /// the limit is 1,000 ms, where seed 003's scaling triggers call for horizontal scaling).
    pub avg_response_ms: Levels,
    /// 95th percentile API response time over the request window, ms (seed 004: 500 / 1,000).
    pub api_p95_ms: Levels,
    /// Share of API answers that were 5xx over the request window, % (seed 004: 1 / 5).
    pub error_rate_percent: Levels,
    /// Database connections in use, % of the pool (seed 004: 70 / 85).
    pub db_pool_percent: Levels,
    /// Image files in the fullest shard directory (seed 002: 10,000 monitor, 100,000 degraded,
    /// 500,000 poor).
    pub image_files_per_directory: Levels,
}

impl Default for Thresholds {
    fn default() -> Self {
        let levels = |warning, critical, limit| Levels { warning, critical, limit };
        Thresholds {
            products_total: levels(400_000.0, 475_000.0, 500_000.0),
            storage_gb: levels(800.0, 950.0, 1_000.0),
            db_size_mb: levels(20_000.0, 24_000.0, 25_000.0),
            disk_percent: levels(70.0, 85.0, 100.0),
            memory_percent: levels(75.0, 90.0, 100.0),
            cpu_percent: levels(70.0, 85.0, 100.0),
            monthly_orders: levels(250_000.0, 280_000.0, 300_000.0),
            avg_response_ms: levels(200.0, 500.0, 1_000.0),
            api_p95_ms: levels(500.0, 1_000.0, 1_000.0),
            error_rate_percent: levels(1.0, 5.0, 100.0),
            db_pool_percent: levels(70.0, 85.0, 100.0),
            image_files_per_directory: levels(10_000.0, 100_000.0, 500_000.0),
        }
    }
}

/// A metric's status against its levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Below warning.
    Ok,
    /// At or above warning, below critical.
    Warning,
    /// At or above critical.
    Critical,
}

impl Status {
    /// `>= critical` → critical, `>= warning` → warning, else ok.
    pub fn of(current: f64, levels: &Levels) -> Status {
        if current >= levels.critical {
            Status::Critical
        } else if current >= levels.warning {
            Status::Warning
        } else {
            Status::Ok
        }
    }
}

/// A metric with configurable levels: its configuration key and display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMetric {
    /// `products_total`: products across all stores.
    ProductsTotal,
    /// `storage_gb`: image storage, GB.
    StorageGb,
    /// `db_size_mb`: database size, MB.
    DbSizeMb,
    /// `disk_percent`: the data directory's file system, % used.
    DiskPercent,
    /// `memory_percent`: memory, %.
    MemoryPercent,
    /// `cpu_percent`: CPU, %.
    CpuPercent,
    /// `monthly_orders`: orders of the current calendar month.
    MonthlyOrders,
    /// `avg_response_ms`: mean API response time, ms.
    AvgResponseMs,
    /// `api_p95_ms`: 95th percentile API response time, ms.
    ApiP95Ms,
    /// `error_rate_percent`: 5xx answers, % of requests.
    ErrorRatePercent,
    /// `db_pool_percent`: database connections in use, % of the pool.
    DbPoolPercent,
    /// `image_files_per_directory`: files in the fullest image shard directory.
    ImageFilesPerDirectory,
}

impl ThresholdMetric {
    /// Every metric, in seed 001's order and then seed 000's and 002's additions.
    pub const ALL: [ThresholdMetric; 12] = [
        ThresholdMetric::ProductsTotal,
        ThresholdMetric::StorageGb,
        ThresholdMetric::DbSizeMb,
        ThresholdMetric::DiskPercent,
        ThresholdMetric::MemoryPercent,
        ThresholdMetric::CpuPercent,
        ThresholdMetric::MonthlyOrders,
        ThresholdMetric::AvgResponseMs,
        ThresholdMetric::ApiP95Ms,
        ThresholdMetric::ErrorRatePercent,
        ThresholdMetric::DbPoolPercent,
        ThresholdMetric::ImageFilesPerDirectory,
    ];

    /// The `[thresholds.*]` configuration key, e.g. `cpu_percent`.
    pub fn key(self) -> &'static str {
        match self {
            ThresholdMetric::ProductsTotal => "products_total",
            ThresholdMetric::StorageGb => "storage_gb",
            ThresholdMetric::DbSizeMb => "db_size_mb",
            ThresholdMetric::DiskPercent => "disk_percent",
            ThresholdMetric::MemoryPercent => "memory_percent",
            ThresholdMetric::CpuPercent => "cpu_percent",
            ThresholdMetric::MonthlyOrders => "monthly_orders",
            ThresholdMetric::AvgResponseMs => "avg_response_ms",
            ThresholdMetric::ApiP95Ms => "api_p95_ms",
            ThresholdMetric::ErrorRatePercent => "error_rate_percent",
            ThresholdMetric::DbPoolPercent => "db_pool_percent",
            ThresholdMetric::ImageFilesPerDirectory => "image_files_per_directory",
        }
    }

    /// Seed 001's display name, e.g. `CPU Usage (%)`.
    pub fn label(self) -> &'static str {
        match self {
            ThresholdMetric::ProductsTotal => "Products",
            ThresholdMetric::StorageGb => "Image Storage (GB)",
            ThresholdMetric::DbSizeMb => "Database (MB)",
            ThresholdMetric::DiskPercent => "Disk Usage (%)",
            ThresholdMetric::MemoryPercent => "Memory Usage (%)",
            ThresholdMetric::CpuPercent => "CPU Usage (%)",
            ThresholdMetric::MonthlyOrders => "Monthly Orders",
            ThresholdMetric::AvgResponseMs => "Avg Response Time (ms)",
            ThresholdMetric::ApiP95Ms => "API p95 Latency (ms)",
            ThresholdMetric::ErrorRatePercent => "Error Rate (%)",
            ThresholdMetric::DbPoolPercent => "DB Pool Usage (%)",
            ThresholdMetric::ImageFilesPerDirectory => "Image Files per Directory",
        }
    }

    /// Parses a configuration key.
    pub fn parse(key: &str) -> Option<ThresholdMetric> {
        ThresholdMetric::ALL.into_iter().find(|m| m.key() == key)
    }
}

impl Thresholds {
    /// The levels of `metric`.
    pub fn levels(&self, metric: ThresholdMetric) -> &Levels {
        match metric {
            ThresholdMetric::ProductsTotal => &self.products_total,
            ThresholdMetric::StorageGb => &self.storage_gb,
            ThresholdMetric::DbSizeMb => &self.db_size_mb,
            ThresholdMetric::DiskPercent => &self.disk_percent,
            ThresholdMetric::MemoryPercent => &self.memory_percent,
            ThresholdMetric::CpuPercent => &self.cpu_percent,
            ThresholdMetric::MonthlyOrders => &self.monthly_orders,
            ThresholdMetric::AvgResponseMs => &self.avg_response_ms,
            ThresholdMetric::ApiP95Ms => &self.api_p95_ms,
            ThresholdMetric::ErrorRatePercent => &self.error_rate_percent,
            ThresholdMetric::DbPoolPercent => &self.db_pool_percent,
            ThresholdMetric::ImageFilesPerDirectory => &self.image_files_per_directory,
        }
    }

    /// Refuses levels that cannot work, naming the first bad key.
    pub fn validate(&self) -> Result<(), String> {
        for metric in ThresholdMetric::ALL {
            let l = self.levels(metric);
            if !(0.0 <= l.warning && l.warning <= l.critical && l.critical <= l.limit && l.limit > 0.0) {
                return Err(format!(
                    "thresholds.{}: need 0 <= warning <= critical <= limit and limit > 0, got warning {} \
                     critical {} limit {}",
                    metric.key(),
                    l.warning,
                    l.critical,
                    l.limit
                ));
            }
        }
        Ok(())
    }
}

/// One evaluated threshold (seed 001 `CapacityThreshold`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdStatus {
    /// Which metric (`key` on the wire: its `[thresholds.*]` key).
    #[serde(rename = "key")]
    pub metric: ThresholdMetric,
    /// Display name, e.g. `Products` or `CPU Usage (%)`.
    pub name: String,
    /// The measured value.
    pub current: f64,
    /// Warning level.
    pub warning: f64,
    /// Critical level.
    pub critical: f64,
    /// Capacity.
    pub limit: f64,
    /// Status of `current`.
    pub status: Status,
    /// current / limit × 100, to one decimal (0 when the limit is not positive).
    pub percent_used: f64,
}

impl ThresholdStatus {
    /// Evaluates `current` of `metric` against `levels`.
    pub fn evaluate(metric: ThresholdMetric, current: f64, levels: &Levels) -> ThresholdStatus {
        let percent_used = if levels.limit > 0.0 { round1(current / levels.limit * 100.0) } else { 0.0 };
        ThresholdStatus {
            metric,
            name: metric.label().to_owned(),
            current,
            warning: levels.warning,
            critical: levels.critical,
            limit: levels.limit,
            status: Status::of(current, levels),
            percent_used,
        }
    }
}

/// The measurements the thresholds are evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Measurements {
    /// Products across all stores.
    pub products: f64,
    /// Image storage, GB.
    pub storage_gb: f64,
    /// Database size, MB.
    pub db_size_mb: f64,
    /// Disk of the data directory, %.
    pub disk_percent: f64,
    /// Memory, %.
    pub memory_percent: f64,
    /// CPU, %.
    pub cpu_percent: f64,
    /// Orders this calendar month.
    pub monthly_orders: f64,
    /// Average API response time, ms.
    pub avg_response_ms: f64,
    /// 95th percentile API response time, ms.
    pub api_p95_ms: f64,
    /// 5xx answers, % of requests.
    pub error_rate_percent: f64,
    /// Database connections in use, % of the pool.
    pub db_pool_percent: f64,
    /// Files in the fullest image shard directory.
    pub image_files_per_directory: f64,
}

impl Measurements {
    /// The measured value of `metric`.
    pub fn value(&self, metric: ThresholdMetric) -> f64 {
        match metric {
            ThresholdMetric::ProductsTotal => self.products,
            ThresholdMetric::StorageGb => self.storage_gb,
            ThresholdMetric::DbSizeMb => self.db_size_mb,
            ThresholdMetric::DiskPercent => self.disk_percent,
            ThresholdMetric::MemoryPercent => self.memory_percent,
            ThresholdMetric::CpuPercent => self.cpu_percent,
            ThresholdMetric::MonthlyOrders => self.monthly_orders,
            ThresholdMetric::AvgResponseMs => self.avg_response_ms,
            ThresholdMetric::ApiP95Ms => self.api_p95_ms,
            ThresholdMetric::ErrorRatePercent => self.error_rate_percent,
            ThresholdMetric::DbPoolPercent => self.db_pool_percent,
            ThresholdMetric::ImageFilesPerDirectory => self.image_files_per_directory,
        }
    }
}

/// Every threshold in [`ThresholdMetric::ALL`]'s order: seed 001's six, then monthly orders and
/// average response time.
pub fn evaluate_thresholds(m: &Measurements, t: &Thresholds) -> Vec<ThresholdStatus> {
    ThresholdMetric::ALL
        .into_iter()
        .map(|metric| ThresholdStatus::evaluate(metric, m.value(metric), t.levels(metric)))
        .collect()
}

/// A scaling recommendation (seed 001 `ScalingRecommendation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// info, warning or critical.
    pub priority: Priority,
    /// One line.
    pub title: String,
    /// The figures behind it.
    pub description: String,
    /// What to do, if anything.
    pub action: Option<String>,
}

/// A recommendation's priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Informational.
    Info,
    /// Plan action soon.
    Warning,
    /// Act now.
    Critical,
}

/// Seed 001's recommendations: one per threshold in warning or critical, the tier note when a
/// next-tier trigger fires, and "All systems healthy" when there is nothing else.
pub fn recommendations(thresholds: &[ThresholdStatus], stores: u64, products: u64) -> Vec<Recommendation> {
    let mut out = concerns(thresholds, stores, products);
    if out.is_empty() {
        out.push(Recommendation {
            priority: Priority::Info,
            title: ALL_HEALTHY.to_owned(),
            description: "No capacity concerns at this time".to_owned(),
            action: None,
        });
    }
    out
}

/// The recommendations about thresholds and the tier, without the "all healthy" line.
pub(crate) fn concerns(thresholds: &[ThresholdStatus], stores: u64, products: u64) -> Vec<Recommendation> {
    let mut out = Vec::new();
    for t in thresholds {
        // Formatted only for the thresholds that get a recommendation: `/health` runs this per request.
        let description = || {
            format!("Currently at {:.0}% of capacity ({:.0} of {:.0})", t.percent_used, t.current, t.limit)
        };
        match t.status {
            Status::Critical => out.push(Recommendation {
                priority: Priority::Critical,
                title: format!("{} at critical level", t.name),
                description: description(),
                action: Some("Immediate scaling or cleanup required".to_owned()),
            }),
            Status::Warning => out.push(Recommendation {
                priority: Priority::Warning,
                title: format!("{} approaching limit", t.name),
                description: description(),
                action: Some("Plan scaling in the next 2-4 weeks".to_owned()),
            }),
            Status::Ok => {}
        }
    }
    if stores > 0 {
        let tier = infrastructure_tier(stores, products);
        if let Some(trigger) = tier.next_tier_trigger {
            out.push(Recommendation {
                priority: Priority::Info,
                title: format!("Current tier: {}", tier.name),
                description: trigger,
                action: Some("Review capacity planning documentation".to_owned()),
            });
        }
    }
    out
}

/// One row of the infrastructure scaling table (seeds/INDEX.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InfrastructureTier {
    /// Starter, Small, Medium, Large, Scale or Enterprise.
    pub name: &'static str,
    /// Most stores the tier serves; `None` = unlimited.
    pub max_stores: Option<u64>,
    /// Most products the tier serves; `None` = unlimited.
    pub max_products: Option<u64>,
    /// Monthly infrastructure cost, EUR.
    pub monthly_cost_eur: u64,
}

/// The scaling table, smallest first.
pub const INFRASTRUCTURE_TIERS: [InfrastructureTier; 6] = [
    InfrastructureTier {
        name: "Starter",
        max_stores: Some(50),
        max_products: Some(10_000),
        monthly_cost_eur: 30,
    },
    InfrastructureTier {
        name: "Small",
        max_stores: Some(100),
        max_products: Some(30_000),
        monthly_cost_eur: 80,
    },
    InfrastructureTier {
        name: "Medium",
        max_stores: Some(300),
        max_products: Some(100_000),
        monthly_cost_eur: 150,
    },
    InfrastructureTier {
        name: "Large",
        max_stores: Some(500),
        max_products: Some(250_000),
        monthly_cost_eur: 350,
    },
    InfrastructureTier {
        name: "Scale",
        max_stores: Some(1_000),
        max_products: Some(500_000),
        monthly_cost_eur: 700,
    },
    InfrastructureTier { name: "Enterprise", max_stores: None, max_products: None, monthly_cost_eur: 1_500 },
];

/// The current infrastructure tier and, above 70 % of its store or product capacity, the
/// trigger text for the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierAssessment {
    /// The tier's name.
    pub name: &'static str,
    /// The tier's row of the scaling table (its limits and cost).
    pub tier: InfrastructureTier,
    /// `Approaching {next} tier (stores: X%, products: Y%)`.
    pub next_tier_trigger: Option<String>,
}

/// Seed 001's `_determine_tier`: the smallest tier holding both counts.
pub fn infrastructure_tier(stores: u64, products: u64) -> TierAssessment {
    for (i, tier) in INFRASTRUCTURE_TIERS.iter().enumerate() {
        let (Some(max_stores), Some(max_products)) = (tier.max_stores, tier.max_products) else {
            return TierAssessment { name: tier.name, tier: *tier, next_tier_trigger: None };
        };
        if stores <= max_stores && products <= max_products {
            let store_percent = stores as f64 / max_stores as f64 * 100.0;
            let product_percent = products as f64 / max_products as f64 * 100.0;
            let next_tier_trigger = INFRASTRUCTURE_TIERS
                .get(i + 1)
                .filter(|_| store_percent > 70.0 || product_percent > 70.0)
                .map(|next| {
                    format!(
                        "Approaching {} tier (stores: {store_percent:.0}%, products: {product_percent:.0}%)",
                        next.name
                    )
                });
            return TierAssessment { name: tier.name, tier: *tier, next_tier_trigger };
        }
    }
    // Unreachable while the table ends with an unlimited tier; Enterprise is the honest answer.
    let top = INFRASTRUCTURE_TIERS[INFRASTRUCTURE_TIERS.len() - 1];
    TierAssessment { name: top.name, tier: top, next_tier_trigger: None }
}

/// The title of the recommendation given when there is nothing to do.
pub(crate) const ALL_HEALTHY: &str = "All systems healthy";

/// The platform's overall status (ordered: healthy < degraded < critical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverallStatus {
    /// Nothing in warning or critical.
    Healthy,
    /// Something in warning, nothing critical.
    Degraded,
    /// Something critical.
    Critical,
}

/// Any critical → critical; any warning → degraded; else healthy.
pub fn overall_status(thresholds: &[ThresholdStatus]) -> OverallStatus {
    match thresholds.iter().map(|t| t.status).max() {
        Some(Status::Critical) => OverallStatus::Critical,
        Some(Status::Warning) => OverallStatus::Degraded,
        _ => OverallStatus::Healthy,
    }
}

/// `value` rounded to one decimal as Python's `round(value, 1)` does (seed 001 computes
/// `percent_used` so): to the nearest tenth of the double's exact binary value, ties to even.
/// `(value * 10.0).round() / 10.0` differs on about 6 % of values near a tie, because `value * 10`
/// is itself rounded before `round` sees it.
pub fn round1(value: f64) -> f64 {
    // From 2⁴⁹ on, doubles are at least 0.125 apart: the nearest one to the rounded tenth is the
    // value itself.
    if !value.is_finite() || value == 0.0 || value.abs() >= 562_949_953_421_312.0 {
        return value;
    }
    let bits = value.abs().to_bits();
    let (exponent, fraction) = ((bits >> 52) as i64, bits & ((1 << 52) - 1));
    // value = mantissa × 2^power exactly.
    let (mantissa, power) =
        if exponent == 0 { (fraction, -1074) } else { (fraction | (1 << 52), exponent - 1075) };
    let tenths = if power >= 0 {
        (u128::from(mantissa) * 10) << power // an integer below 2⁴⁹: nothing to round
    } else if -power >= 120 {
        0 // below 2⁻⁶⁰: rounds to zero
    } else {
        let shift = (-power) as u32;
        let scaled = u128::from(mantissa) * 10;
        let (whole, rest, half) = (scaled >> shift, scaled & ((1u128 << shift) - 1), 1u128 << (shift - 1));
        if rest > half || (rest == half && whole % 2 == 1) { whole + 1 } else { whole }
    };
    // `tenths` < 2⁵³: exact as f64, and one correctly rounded division gives the nearest double
    // to the decimal, as Python's parsing of its rounded digits does.
    let rounded = tenths as f64 / 10.0;
    if value < 0.0 { -rounded } else { rounded }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_inclusive_at_each_level() {
        let cpu = Thresholds::default().cpu_percent;
        for (current, expected) in [
            (0.0, Status::Ok),
            (69.9, Status::Ok),
            (70.0, Status::Warning),
            (84.9, Status::Warning),
            (85.0, Status::Critical),
            (120.0, Status::Critical),
        ] {
            assert_eq!(Status::of(current, &cpu), expected, "{current}");
        }
    }

    #[test]
    fn percent_used_has_one_decimal_and_zero_for_no_limit() {
        let x = ThresholdMetric::CpuPercent;
        let levels = Levels { warning: 1.0, critical: 2.0, limit: 3.0 };
        assert_eq!(ThresholdStatus::evaluate(x, 1.0, &levels).percent_used, 33.3);
        let products = Thresholds::default().products_total;
        assert_eq!(
            ThresholdStatus::evaluate(ThresholdMetric::ProductsTotal, 425_000.0, &products).percent_used,
            85.0
        );
        let no_limit = Levels { warning: 1.0, critical: 2.0, limit: 0.0 };
        assert_eq!(ThresholdStatus::evaluate(x, 5.0, &no_limit).percent_used, 0.0);
    }

    #[test]
    fn tiers_follow_seed_001() {
        let check = |stores, products, name, trigger: Option<&str>| {
            let tier = infrastructure_tier(stores, products);
            assert_eq!(
                (tier.name, tier.next_tier_trigger.as_deref()),
                (name, trigger),
                "{stores}/{products}"
            );
        };
        check(0, 0, "Starter", None);
        check(35, 7_000, "Starter", None);
        check(36, 100, "Starter", Some("Approaching Small tier (stores: 72%, products: 1%)"));
        check(10, 7_500, "Starter", Some("Approaching Small tier (stores: 20%, products: 75%)"));
        check(51, 100, "Small", None);
        check(50, 10_001, "Small", None);
        check(250, 90_000, "Medium", Some("Approaching Large tier (stores: 83%, products: 90%)"));
        check(800, 100_000, "Scale", Some("Approaching Enterprise tier (stores: 80%, products: 20%)"));
        check(1_001, 0, "Enterprise", None);
        check(10, 600_000, "Enterprise", None);
    }

    #[test]
    fn recommendations_follow_seed_001() {
        let thresholds = evaluate_thresholds(
            &Measurements { products: 425_000.0, cpu_percent: 90.0, ..Measurements::default() },
            &Thresholds::default(),
        );
        let recs = recommendations(&thresholds, 800, 425_000);

        let titles: Vec<_> = recs.iter().map(|r| (r.priority, r.title.as_str())).collect();
        assert_eq!(
            titles,
            [
                (Priority::Warning, "Products approaching limit"),
                (Priority::Critical, "CPU Usage (%) at critical level"),
                (Priority::Info, "Current tier: Scale"),
            ]
        );
        assert_eq!(recs[0].description, "Currently at 85% of capacity (425000 of 500000)");
        assert_eq!(recs[0].action.as_deref(), Some("Plan scaling in the next 2-4 weeks"));
        assert_eq!(recs[1].action.as_deref(), Some("Immediate scaling or cleanup required"));
        assert_eq!(recs[2].description, "Approaching Enterprise tier (stores: 80%, products: 85%)");
        assert_eq!(overall_status(&thresholds), OverallStatus::Critical);
    }

    #[test]
    fn a_quiet_platform_is_healthy_with_one_info_line() {
        let thresholds = evaluate_thresholds(&Measurements::default(), &Thresholds::default());
        let recs = recommendations(&thresholds, 3, 40);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].title, "All systems healthy");
        assert_eq!(recs[0].action, None);
        assert_eq!(overall_status(&thresholds), OverallStatus::Healthy);
    }

    #[test]
    fn any_warning_without_critical_is_degraded() {
        let thresholds = evaluate_thresholds(
            &Measurements { memory_percent: 80.0, ..Measurements::default() },
            &Thresholds::default(),
        );
        assert_eq!(overall_status(&thresholds), OverallStatus::Degraded);
    }
}
