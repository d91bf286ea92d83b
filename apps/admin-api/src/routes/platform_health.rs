//! `GET /health`, `/capacity`, `/subscription-capacity`: assembled from the background
//! measurements; no handler touches the database (beyond the cached token check).

use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::header::ContentType;
use actix_web::web::{self, Bytes};
use chrono::{DateTime, Utc};
use health::{DbState, Measurements, OverallStatus, Priority, Recommendation};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Admin;
use crate::dto::{
    CapacityResponse, DatabaseMetrics, Freshness, HealthResponse, ImageStorageMetrics, Performance,
    StoreCounts, SubscriptionCapacityResponse, SystemMetrics, gib, mib, overall_status_name,
};
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;

/// Platform health: system, database and image storage against their thresholds, with
/// recommendations and the infrastructure tier (seed 001 `PlatformHealthResponse`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/health",
    tag = "platform-health",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Current health", body = HealthResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn health(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let db = state.monitor.latest();
    let body = state.rendered.get_or_render("health", now.timestamp(), identity(&db), || {
        to_json(&assemble_health(&state, &db, now))
    })?;
    Ok(json(body))
}

fn assemble_health(state: &AppState, db: &DbState, now: DateTime<Utc>) -> HealthResponse {
    let figures = db.figures.as_deref();
    let system = state.sampler.latest();
    let requests = state.requests.summary();
    let (products, stores) = figures.map_or((0, 0), |f| (f.products.value, f.stores.value));
    let images = figures.map(|f| f.images).unwrap_or_default();
    let size_bytes = figures.map_or(0, |f| f.size_bytes);
    let sys = system.map(|s| s.metrics).unwrap_or_default();
    let measurements = Measurements {
        products: products as f64,
        storage_gb: gib(images.total_bytes),
        db_size_mb: mib(size_bytes),
        disk_percent: sys.disk_percent,
        memory_percent: sys.memory_percent,
        cpu_percent: sys.cpu_percent,
        monthly_orders: figures.map_or(0, |f| f.orders_this_month) as f64,
        avg_response_ms: requests.avg_ms,
    };
    let thresholds = health::evaluate_thresholds(&measurements, &state.thresholds);
    let mut recommendations = health::recommendations(&thresholds, stores, products);
    let mut overall = health::overall_status(&thresholds);
    if !db.reachable() {
        // An unreachable database outranks every figure: the figures may be stale or missing.
        overall = OverallStatus::Critical;
        recommendations.retain(|r| r.title != "All systems healthy");
        recommendations.insert(
            0,
            Recommendation {
                priority: Priority::Critical,
                title: "Database unreachable".to_owned(),
                description: match &db.last_error {
                    Some(error) => format!("The last refresh of the database figures failed: {error}"),
                    None => "The database figures have not been measured yet".to_owned(),
                },
                action: Some("Check the database server and database.url; see /readyz".to_owned()),
            },
        );
    }
    let tier = health::infrastructure_tier(stores, products);
    HealthResponse {
        timestamp: crate::dto::rfc3339(now),
        overall_status: overall_status_name(overall),
        system: SystemMetrics::from_sample(system),
        database: DatabaseMetrics {
            size_mb: mib(size_bytes),
            products_count: products,
            orders_count: figures.map_or(0, |f| f.orders.value),
            stores_count: stores,
            merchants_count: figures.map_or(0, |f| f.merchants.value),
            inventory_count: figures.map_or(0, |f| f.inventory.value),
            freshness: Freshness::of(db, now),
        },
        image_storage: ImageStorageMetrics {
            total_files: images.total_files,
            total_size_mb: mib(images.total_bytes),
            total_size_gb: gib(images.total_bytes),
            max_files_per_dir: images.max_files_per_dir,
            products_estimated: images.products_estimated(),
        },
        performance: Performance::from_summary(requests),
        thresholds: thresholds.into_iter().map(Into::into).collect(),
        recommendations: recommendations.into_iter().map(Into::into).collect(),
        infrastructure_tier: tier.name,
        next_tier_trigger: tier.next_tier_trigger,
    }
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
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/capacity",
    tag = "platform-health",
    params(CapacityQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Capacity figures", body = CapacityResponse),
        (status = 400, description = "Bad query parameter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn capacity(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<CapacityQuery>,
) -> Result<HttpResponse, ApiError> {
    let top = match query.top_stores {
        Some(n @ 1..=10_000) => Some(n as usize),
        Some(n) => return Err(ApiError::BadRequest(format!("top_stores must be within 1..=10000, got {n}"))),
        None => None,
    };
    let now = Utc::now();
    let db = state.monitor.latest();
    let key = format!("capacity?top_stores={top:?}");
    let body = state.rendered.get_or_render(&key, now.timestamp(), identity(&db), || {
        let figures = db.figures.as_deref();
        // Sorted by the monitor, most products first: the top N is a prefix.
        let by_store = figures.map(|f| f.products_by_store.as_slice()).unwrap_or_default();
        let by_store = &by_store[..top.unwrap_or(usize::MAX).min(by_store.len())];
        let images = figures.map(|f| f.images).unwrap_or_default();
        to_json(&CapacityResponse {
            products_total: figures.map_or(0, |f| f.products.value),
            products_by_store: StoreCounts(by_store),
            images_total: images.total_files,
            storage_used_gb: gib(images.total_bytes),
            database_size_mb: mib(figures.map_or(0, |f| f.size_bytes)),
            orders_this_month: figures.map_or(0, |f| f.orders_this_month),
            active_stores: figures.map_or(0, |f| f.active_stores),
            freshness: Freshness::of(&db, now),
        })
    })?;
    Ok(json(body))
}

/// What the sold subscription tiers allow against what stores use (seed 000).
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/subscription-capacity",
    tag = "platform-health",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Subscription capacity", body = SubscriptionCapacityResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn subscription_capacity(
    admin: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let db = state.monitor.latest();
    let body =
        state.rendered.get_or_render("subscription-capacity", now.timestamp(), identity(&db), || {
            to_json(&assemble_subscription_capacity(&db, now))
        })?;
    Ok(json(body))
}

fn assemble_subscription_capacity(db: &DbState, now: DateTime<Utc>) -> SubscriptionCapacityResponse {
    let figures = db.figures.as_deref();
    let capacity = figures.map_or_else(
        || billing::subscription_capacity(&[], billing::Usage::default()),
        health::DbFigures::subscription_capacity,
    );
    SubscriptionCapacityResponse {
        total_subscriptions: capacity.total_subscriptions,
        tier_distribution: capacity.tier_distribution,
        products: capacity.products.into(),
        orders_monthly: capacity.orders_monthly.into(),
        team_members: capacity.team_members.into(),
        freshness: Freshness::of(db, now),
    }
}

/// Identifies one state of the database figures (a refresh makes a new one).
fn identity(db: &Arc<DbState>) -> usize {
    Arc::as_ptr(db) as usize
}

fn to_json(value: &impl serde::Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| ApiError::Internal(format!("serialising JSON: {e}")))
}

fn json(body: Bytes) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(body)
}
