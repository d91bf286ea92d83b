//! Request measurement: one middleware feeds the sliding-window [`health::RequestStats`] (shown in
//! `/health`) and the Prometheus request histogram (`/metrics`). Labels are method, route pattern
//! and status: never a path with ids or a tenant, so the series count stays bounded.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use health::{DbState, RequestStats, SystemSample};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Where requests are measured: the sliding window behind `/health` and the Prometheus registry
/// behind `/metrics`. Registered as app data for [`measure_requests`].
#[derive(Debug)]
pub struct Meters {
    /// Latency and errors over the sliding window.
    pub requests: RequestStats,
    /// Prometheus metrics.
    pub metrics: Metrics,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabels {
    table: &'static str,
}

/// The Prometheus registry and the metrics in it.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    rows: Family<TableLabels, Gauge<f64, AtomicU64>>,
    database_size_bytes: Gauge<f64, AtomicU64>,
    figures_age_seconds: Gauge<f64, AtomicU64>,
    database_up: Gauge,
    image_files: Gauge<f64, AtomicU64>,
    image_bytes: Gauge<f64, AtomicU64>,
    cpu_ratio: Gauge<f64, AtomicU64>,
    memory_ratio: Gauge<f64, AtomicU64>,
    disk_ratio: Gauge<f64, AtomicU64>,
}

fn request_histogram() -> Histogram {
    // 0.5 ms … ~8 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Metrics {
    /// A registry with every metric registered.
    pub fn new() -> Metrics {
        let metrics = Metrics {
            registry: Registry::default(),
            requests: Family::new_with_constructor(request_histogram as fn() -> Histogram),
            rows: Family::default(),
            database_size_bytes: Gauge::default(),
            figures_age_seconds: Gauge::default(),
            database_up: Gauge::default(),
            image_files: Gauge::default(),
            image_bytes: Gauge::default(),
            cpu_ratio: Gauge::default(),
            memory_ratio: Gauge::default(),
            disk_ratio: Gauge::default(),
        };
        let mut registry = Registry::default();
        let m = &metrics;
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method, route pattern and status",
            m.requests.clone(),
        );
        registry.register(
            "orion_database_rows",
            "Rows per table (exact or planner estimate)",
            m.rows.clone(),
        );
        registry.register("orion_database_size_bytes", "Database size", m.database_size_bytes.clone());
        registry.register(
            "orion_database_figures_age_seconds",
            "Age of the database figures",
            m.figures_age_seconds.clone(),
        );
        registry.register(
            "orion_database_up",
            "1 if the last refresh reached the database",
            m.database_up.clone(),
        );
        registry.register("orion_image_storage_files", "Stored image variant files", m.image_files.clone());
        registry.register("orion_image_storage_bytes", "Bytes of stored image files", m.image_bytes.clone());
        registry.register("orion_system_cpu_usage_ratio", "Machine CPU use, 0..1", m.cpu_ratio.clone());
        registry.register(
            "orion_system_memory_usage_ratio",
            "Machine memory use, 0..1",
            m.memory_ratio.clone(),
        );
        registry.register(
            "orion_system_disk_usage_ratio",
            "Use of the disk holding the data directory, 0..1",
            m.disk_ratio.clone(),
        );
        Metrics { registry, ..metrics }
    }

    fn observe(&self, method: &'static str, route: String, status: u16, seconds: f64) {
        self.requests.get_or_create(&RequestLabels { method, route, status }).observe(seconds);
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
        self.database_up.set(i64::from(db.reachable()));
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

/// Middleware: times every request and records it in both places.
pub async fn measure_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let meters = req.app_data::<web::Data<Arc<Meters>>>().cloned();
    let method = method_label(req.method());
    let result = next.call(req).await;
    if let Some(meters) = meters {
        let elapsed = started.elapsed();
        let (status, route) = match &result {
            Ok(response) => (response.status(), response.request().match_pattern()),
            Err(error) => (error.as_response_error().status_code(), None),
        };
        meters.requests.record(elapsed, status.is_server_error());
        let route = route.unwrap_or_else(|| "unmatched".to_owned());
        meters.metrics.observe(method, route, status.as_u16(), elapsed.as_secs_f64());
    }
    result
}

fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
