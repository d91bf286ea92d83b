//! `GET /health`, `/capacity`, `/subscription-capacity`: assembled from the background
//! measurements; no handler touches the database (beyond the cached token check). Bodies are
//! reused within the same second (see `render_cache`).

use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::header::ContentType;
use actix_web::web::{self, Bytes};
use health::DbState;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;

use crate::auth::Admin;
use crate::dto::{
    ApiUsageResponse, CapacityResponse, HealthResponse, SubscriptionCapacityResponse, SystemMetrics,
};
use crate::error::{AdminErrors, ApiError, ErrorBody};
use crate::state::AppState;

/// Platform health: system, database and image storage against their thresholds, with
/// recommendations and the infrastructure tier (seed 001 `PlatformHealthResponse`).
#[utoipa::path(get, path = "/api/v1/admin/platform-health/health", tag = "platform-health",
    security(("bearer" = [])),
    responses((status = 200, description = "Current health", body = HealthResponse), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn health(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let now = OffsetDateTime::now_utc();
    let db = state.monitor.latest();
    let body = state.rendered.get_or_render("health", now.unix_timestamp(), identity(&db), || {
        to_json(&assemble_health(&state, &db, now))
    })?;
    Ok(json(body))
}

fn assemble_health(state: &AppState, db: &DbState, now: OffsetDateTime) -> HealthResponse {
    let figures = db.figures.as_deref();
    let system = state.sampler.latest();
    let requests = state.meters.requests.summary();
    let observation = state.observation(db, system, &requests, now);
    let verdict = health::assess(&observation, &state.thresholds);
    HealthResponse {
        timestamp: crate::dto::rfc3339(now),
        overall_status: verdict.overall,
        system: SystemMetrics::from_sample(system),
        database: db.database_metrics(now),
        image_storage: figures.map(|f| f.images).unwrap_or_default().metrics(),
        performance: requests,
        thresholds: verdict.thresholds,
        recommendations: verdict.recommendations,
        infrastructure_tier: verdict.tier.name,
        infrastructure_tier_limits: verdict.tier.tier,
        next_tier_trigger: verdict.tier.next_tier_trigger,
    }
}

/// Query of `GET /api-usage`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApiUsageQuery {
    /// The N merchants with the highest share of their daily allowance (1..=1000, default 20).
    pub top: Option<u32>,
}

/// Merchants' API use today (UTC) against the daily allowance of their tier, as the rate limiter
/// counted it (on Redis: every instance and service sharing it), with upgrade suggestions.
#[utoipa::path(get, path = "/api/v1/admin/platform-health/api-usage", tag = "platform-health", params(ApiUsageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "API usage by merchant", body = ApiUsageResponse),
        (status = 400, description = "Bad query parameter", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn api_usage(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ApiUsageQuery>,
) -> Result<web::Json<ApiUsageResponse>, ApiError> {
    let top = match query.top {
        None => 20,
        Some(n @ 1..=1_000) => n as usize,
        Some(n) => return Err(ApiError::BadRequest(format!("top must be within 1..=1000, got {n}"))),
    };
    let now = OffsetDateTime::now_utc();
    let usage = state.limiter.usage(now).await?;
    let merchants: Vec<_> = usage.iter().filter_map(|u| quotas::merchant_of(&u.caller)).collect();
    let plans = billing::live_plans(&state.db, &merchants).await?;
    let tiers = billing::tiers(&state.db).await?;
    let rows = quotas::merchant_api_usage(&usage, &plans, &tiers, top);
    Ok(web::Json(ApiUsageResponse {
        timestamp: crate::dto::rfc3339(now),
        day: now.date().to_string(),
        backend: state.limiter.backend(),
        merchants_calling: merchants.len(),
        recommendations: rows.iter().filter_map(|r| r.recommendation.clone()).collect(),
        merchants: rows,
    }))
}

/// Query of `GET /capacity`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CapacityQuery {
    /// Only the N stores with the most products in `products_by_store` (1..=10000); all when
    /// absent.
    pub top_stores: Option<u32>,
}

/// Capacity figures for planning (seed 001 `CapacityMetricsResponse`).
#[utoipa::path(get, path = "/api/v1/admin/platform-health/capacity", tag = "platform-health", params(CapacityQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Capacity figures", body = CapacityResponse),
        (status = 400, description = "Bad query parameter", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn capacity(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<CapacityQuery>,
) -> Result<HttpResponse, ApiError> {
    let top = match query.top_stores {
        Some(n @ 1..=10_000) => n as usize,
        Some(n) => return Err(ApiError::BadRequest(format!("top_stores must be within 1..=10000, got {n}"))),
        None => usize::MAX,
    };
    let now = OffsetDateTime::now_utc();
    let db = state.monitor.latest();
    let key = format!("capacity?top_stores={top}");
    let body = state.rendered.get_or_render(&key, now.unix_timestamp(), identity(&db), || {
        to_json(&CapacityResponse::of(&db, top, now))
    })?;
    Ok(json(body))
}

/// What the sold subscription tiers allow against what stores use (seed 000).
#[utoipa::path(get, path = "/api/v1/admin/platform-health/subscription-capacity", tag = "platform-health",
    security(("bearer" = [])),
    responses((status = 200, description = "Subscription capacity", body = SubscriptionCapacityResponse), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn subscription_capacity(
    admin: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let now = OffsetDateTime::now_utc();
    let db = state.monitor.latest();
    let body =
        state.rendered.get_or_render("subscription-capacity", now.unix_timestamp(), identity(&db), || {
            let figures = db.figures.as_deref();
            to_json(&SubscriptionCapacityResponse {
                capacity: db.subscription_capacity(),
                merchant_dynamics: figures.map(|f| f.dynamics).unwrap_or_default(),
                over_limit: figures.map(|f| f.over_limit.as_slice()).unwrap_or_default(),
                freshness: db.freshness(now),
            })
        })?;
    Ok(json(body))
}

/// Identifies one state of the database figures (a refresh makes a new one).
fn identity(db: &Arc<DbState>) -> usize {
    Arc::as_ptr(db) as usize
}

fn to_json(value: &impl serde::Serialize) -> Result<Bytes, ApiError> {
    Ok(Bytes::from(serde_json::to_vec(value)?))
}

fn json(body: Bytes) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(body)
}
