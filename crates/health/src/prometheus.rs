//! Prometheus metrics (feature `prometheus`): the HTTP request histogram a service feeds, and
//! gauges of what the monitors measured, encoded in the OpenMetrics text format (base units:
//! seconds, bytes, ratios). Labels are method, route pattern, status and table: never a path with
//! ids or a tenant, so the series count stays bounded.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::{DbState, SystemSample};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabels {
    table: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The Prometheus registry and the metrics in it.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    rows: Family<TableLabels, FloatGauge>,
    database_size_bytes: FloatGauge,
    figures_age_seconds: FloatGauge,
    database_up: FloatGauge,
    image_files: FloatGauge,
    image_bytes: FloatGauge,
    cpu_ratio: FloatGauge,
    memory_ratio: FloatGauge,
    disk_ratio: FloatGauge,
    rate_limit_backend_errors: Counter,
    cache_lookups: Family<CacheLabels, Counter>,
    alerts_firing: Family<AlertLabels, FloatGauge>,
    alert_inputs: Family<InputLabels, FloatGauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InputLabels {
    metric: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    rule: String,
    severity: &'static str,
}

fn request_histogram() -> Histogram {
    // 0.5 ms … ~8 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Metrics {
    /// A registry with every metric registered.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::new_with_constructor(request_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method, route pattern and status",
            requests.clone(),
        );
        let rows = Family::default();
        registry.register("orion_database_rows", "Rows per table (exact or planner estimate)", rows.clone());
        let rate_limit_backend_errors = Counter::default();
        registry.register(
            "orion_rate_limit_backend_errors",
            "Rate-limit checks the shared backend (Redis) could not answer",
            rate_limit_backend_errors.clone(),
        );
        let cache_lookups = Family::default();
        registry.register(
            "orion_cache_lookups",
            "Lookups of the in-process caches (render: /health and /capacity bodies; outlook: the forecasts), by result (hit or miss)",
            cache_lookups.clone(),
        );
        let alerts_firing = Family::default();
        registry.register(
            "orion_alerts_firing",
            "1 while the alert rule fires, by rule and severity",
            alerts_firing.clone(),
        );
        let alert_inputs = Family::default();
        registry.register(
            "orion_alert_input",
            "The value of each metric alert rules watch, as the last evaluation saw it",
            alert_inputs.clone(),
        );
        let mut gauge = |name: &str, help: &str| {
            let gauge = FloatGauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        Metrics {
            rate_limit_backend_errors,
            cache_lookups,
            alerts_firing,
            alert_inputs,
            database_size_bytes: gauge("orion_database_size_bytes", "Database size"),
            figures_age_seconds: gauge("orion_database_figures_age_seconds", "Age of the database figures"),
            database_up: gauge("orion_database_up", "1 if the last refresh reached the database"),
            image_files: gauge("orion_image_storage_files", "Stored image variant files"),
            image_bytes: gauge("orion_image_storage_bytes", "Bytes of stored image files"),
            cpu_ratio: gauge("orion_system_cpu_usage_ratio", "Machine CPU use, 0..1"),
            memory_ratio: gauge("orion_system_memory_usage_ratio", "Machine memory use, 0..1"),
            disk_ratio: gauge(
                "orion_system_disk_usage_ratio",
                "Use of the file system holding the data directory, 0..1",
            ),
            registry,
            requests,
            rows,
        }
    }

    /// Records one HTTP request: its method, route pattern (never a path with ids), status and
    /// latency.
    pub fn observe(&self, method: &'static str, route: String, status: u16, seconds: f64) {
        self.requests.get_or_create(&RequestLabels { method, route, status }).observe(seconds);
    }

    /// Sets the count of rate-limit checks the shared backend could not answer (a counter of
    /// the limiter's; it only grows).
    pub fn set_rate_limit_backend_errors(&self, total: u64) {
        self.rate_limit_backend_errors.inner().fetch_max(total, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sets the lookups of cache `cache` so far (counters of the cache's own; they only grow).
    pub fn set_cache_lookups(&self, cache: &'static str, hits: u64, misses: u64) {
        for (result, total) in [("hit", hits), ("miss", misses)] {
            let counter = self.cache_lookups.get_or_create(&CacheLabels { cache, result });
            counter.inner().fetch_max(total, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Sets `orion_alerts_firing` from the last evaluation: (rule, severity, 1 if firing else 0)
    /// for every rule in force.
    pub fn set_alerts_firing<'a>(&self, rules: impl IntoIterator<Item = (&'a str, &'static str, bool)>) {
        self.alerts_firing.clear();
        for (rule, severity, firing) in rules {
            let labels = AlertLabels { rule: rule.to_owned(), severity };
            self.alerts_firing.get_or_create(&labels).set(if firing { 1.0 } else { 0.0 });
        }
    }

    /// Sets `orion_alert_input{metric}` from the last evaluation (metrics without a value are
    /// left out).
    pub fn set_alert_inputs<'a>(&self, values: impl IntoIterator<Item = (&'a str, Option<f64>)>) {
        self.alert_inputs.clear();
        for (metric, value) in values {
            if let Some(value) = value {
                self.alert_inputs.get_or_create(&InputLabels { metric: metric.to_owned() }).set(value);
            }
        }
    }

    /// Sets the gauges from the latest measurements and encodes everything.
    pub fn render(&self, db: &DbState, system: Option<SystemSample>) -> Result<String, std::fmt::Error> {
        if let Some(f) = db.figures.as_deref() {
            for (table, count) in [
                ("product", f.products),
                ("order", f.orders),
                ("store", f.stores),
                ("inventory", f.inventory),
                ("team_member", f.team_members),
                ("merchant", f.merchants),
            ] {
                self.rows.get_or_create(&TableLabels { table }).set(count.value as f64);
            }
            self.database_size_bytes.set(f.size_bytes as f64);
            let age = (time::OffsetDateTime::now_utc() - f.measured_at).as_seconds_f64().max(0.0);
            self.figures_age_seconds.set(age);
            self.image_files.set(f.images.total_files as f64);
            self.image_bytes.set(f.images.total_bytes as f64);
        }
        self.database_up.set(if db.reachable() { 1.0 } else { 0.0 });
        if let Some(sample) = system {
            self.cpu_ratio.set(sample.metrics.cpu_percent / 100.0);
            self.memory_ratio.set(sample.metrics.memory_percent / 100.0);
            self.disk_ratio.set(sample.metrics.disk_percent / 100.0);
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
