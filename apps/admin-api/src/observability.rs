//! Request measurement: one middleware feeds the sliding-window [`health::RequestStats`] (shown in
//! `/health`) and the Prometheus request histogram of [`health::Metrics`] (`/metrics`).

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use health::{Metrics, RequestStats};

/// Where requests are measured: the sliding window behind `/health` and the Prometheus registry
/// behind `/metrics`. Registered as app data for [`measure_requests`].
#[derive(Debug)]
pub struct Meters {
    /// Latency and errors over the sliding window.
    pub requests: RequestStats,
    /// Prometheus metrics.
    pub metrics: Metrics,
}

/// Middleware: times every request and records it in both places.
pub async fn measure_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let meters = req.app_data::<web::Data<Arc<Meters>>>().cloned();
    let method = method_label(req.method());
    // The pattern comes from the resource map, so it is known even when a middleware answers
    // before the handler (401 from `require_admin`).
    let route = req.match_pattern();
    let result = next.call(req).await;
    if let Some(meters) = meters {
        let elapsed = started.elapsed();
        let status = match &result {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
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
