//! Operations routes, without auth (meant for the load balancer and the metrics scraper on the
//! private network): `/livez`, `/readyz`, `/metrics`.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use sea_orm::ConnectionTrait;

use crate::dto::Probe;
use crate::state::AppState;

/// How long `/readyz` waits for the database: under the usual 1 s probe timeout of load balancers
/// and orchestrators, so a database that is down gets a quick 503, not a probe that times out.
pub(crate) const READY_TIMEOUT: Duration = Duration::from_millis(800);

/// The process is up (no dependency is checked).
#[utoipa::path(get, path = "/livez", tag = "operations", responses((status = 200, body = Probe)))]
pub async fn livez() -> web::Json<Probe> {
    web::Json(Probe { status: "ok" })
}

/// The database answers a query within 0.8 s; 503 otherwise. The query runs on a connection of
/// its own, so a pool busy under load does not make the instance look down.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = Probe), (status = 503, body = Probe)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let failure = if migration::is_closed(&state.db) {
        "the connection pool is closed".to_owned()
    } else {
        match tokio::time::timeout(READY_TIMEOUT, state.probe.execute_unprepared("SELECT 1")).await {
            Ok(Ok(_)) => return HttpResponse::Ok().json(Probe { status: "ok" }),
            Ok(Err(error)) => format!("database query failed: {error}"),
            Err(_) => format!("database did not answer within {READY_TIMEOUT:?}"),
        }
    };
    tracing::warn!("readiness check: {failure}");
    HttpResponse::ServiceUnavailable().json(Probe { status: "unavailable" })
}

/// Prometheus metrics in the OpenMetrics text format (base units: seconds, bytes, ratios).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text")))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    state.meters.metrics.set_rate_limit_backend_errors(state.limiter.backend_errors());
    let (hits, misses) = state.rendered.lookups();
    state.meters.metrics.set_cache_lookups("render", hits, misses);
    let (hits, misses) = state.outlook.lookups();
    state.meters.metrics.set_cache_lookups("outlook", hits, misses);
    let statuses = state.alert_board.statuses();
    state.meters.metrics.set_alerts_firing(statuses.iter().map(|s| {
        (s.rule.name.as_str(), s.rule.severity.as_str(), s.state == Some(alerts::AlertStatus::Firing))
    }));
    state.meters.metrics.set_alert_inputs(statuses.iter().map(|s| (s.rule.metric.as_str(), s.value)));
    match state.meters.metrics.render(&state.monitor.latest(), state.sampler.latest()) {
        Ok(text) => HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(text),
        Err(error) => {
            tracing::error!(%error, "encoding metrics failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}
