//! `POST /snapshot`, `GET /trends`, `GET /forecast`: the daily capacity history and what it
//! predicts. Reads at most two years of daily rows (an indexed range on the unique date).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use forecast::{Metric, entity::capacity_snapshot::Model as Snapshot};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;

/// `POST /snapshot` (seed 000).
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotResponse {
    /// Row id.
    pub id: i64,
    /// The UTC day, as midnight UTC (RFC 3339).
    pub snapshot_date: String,
    /// Stores that day.
    pub total_stores: i64,
    /// Products that day.
    pub total_products: i64,
    /// `Snapshot captured successfully` or `Snapshot for … already exists`.
    pub message: String,
}

/// Captures today's capacity snapshot (at most one per UTC day; a second call returns it).
#[utoipa::path(
    post,
    path = "/api/v1/admin/platform-health/snapshot",
    tag = "forecast",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Captured now", body = SnapshotResponse),
        (status = 200, description = "Today's snapshot already existed", body = SnapshotResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn snapshot(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let system = state.sampler.latest().map(|s| s.metrics);
    let captured = forecast::capture_daily_snapshot(&state.db, Utc::now(), system).await?;
    let s = &captured.snapshot;
    let body = SnapshotResponse {
        id: s.id,
        snapshot_date: midnight(s.snapshot_date),
        total_stores: s.total_stores,
        total_products: s.total_products,
        message: if captured.created {
            "Snapshot captured successfully".to_owned()
        } else {
            format!("Snapshot for {} already exists", s.snapshot_date)
        },
    };
    Ok(if captured.created { HttpResponse::Created().json(body) } else { HttpResponse::Ok().json(body) })
}

/// Query of `GET /trends`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrendsQuery {
    /// Days back from today, 1..=730 (default 30).
    pub days: Option<i64>,
}

/// `GET /trends` (seed 000).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendsResponse {
    /// The requested period.
    pub period_days: i64,
    /// Snapshots in the period.
    pub snapshots_available: usize,
    /// First snapshot's day (null without snapshots).
    pub start_date: Option<NaiveDate>,
    /// Last snapshot's day.
    pub end_date: Option<NaiveDate>,
    /// stores, products, orders, team_members, storage_gb (empty without snapshots).
    #[schema(value_type = Object)]
    pub trends: std::collections::BTreeMap<&'static str, forecast::Trend>,
}

/// Growth over the last `days` days from the daily snapshots.
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/trends",
    tag = "forecast",
    params(TrendsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Trends", body = TrendsResponse),
        (status = 400, description = "days outside 1..=730", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn trends(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<TrendsQuery>,
) -> Result<web::Json<TrendsResponse>, ApiError> {
    let days = query.days.unwrap_or(30);
    if !(1..=730).contains(&days) {
        return Err(ApiError::BadRequest(format!("days must be within 1..=730, got {days}")));
    }
    let today = Utc::now().date_naive();
    let snapshots = forecast::snapshots_between(&state.db, today - Duration::days(days), today).await?;
    let mut trends = std::collections::BTreeMap::new();
    if let (Some(first), Some(last)) = (snapshots.first(), snapshots.last()) {
        let span = (last.snapshot_date - first.snapshot_date).num_days();
        let count = |f: fn(&Snapshot) -> i64| forecast::trend(f(first) as f64, f(last) as f64, span, true);
        trends.insert("stores", count(|s| s.total_stores));
        trends.insert("products", count(|s| s.total_products));
        trends.insert("orders", count(|s| s.total_orders_month));
        trends.insert("team_members", count(|s| s.total_team_members));
        trends
            .insert("storage_gb", forecast::trend(first.storage_used_gb, last.storage_used_gb, span, false));
    }
    Ok(web::Json(TrendsResponse {
        period_days: days,
        snapshots_available: snapshots.len(),
        start_date: snapshots.first().map(|s| s.snapshot_date),
        end_date: snapshots.last().map(|s| s.snapshot_date),
        trends,
    }))
}

/// Query of `GET /forecast`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ForecastQuery {
    /// A snapshot field: total_products, total_orders_month, storage_used_gb, db_size_mb,
    /// total_stores, active_stores, total_merchants, total_subscriptions, total_team_members,
    /// total_images, total_image_files.
    pub metric: String,
    /// The level to reach; default: the configured critical level of total_products,
    /// total_orders_month, storage_used_gb or db_size_mb (required for the others).
    pub threshold: Option<f64>,
}

/// `GET /forecast`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastResponse {
    /// The metric.
    pub metric: &'static str,
    /// The level.
    pub threshold: f64,
    /// Its latest value.
    pub current_value: Option<f64>,
    /// The latest snapshot's day.
    pub last_snapshot_date: Option<NaiveDate>,
    /// Days until the threshold with intervals, or null (see `reason`).
    #[schema(value_type = Object, nullable)]
    pub estimate: Option<forecast::DaysUntil>,
    /// The day the estimate points at.
    pub expected_date: Option<NaiveDate>,
    /// Why there is no estimate.
    pub reason: Option<String>,
}

/// Days until a metric reaches a threshold, with 80 %/95 % intervals, from up to two years of
/// daily snapshots (linear, log-linear and damped-trend fits, chosen by backtest).
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/forecast",
    tag = "forecast",
    params(ForecastQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Estimate or the reason there is none", body = ForecastResponse),
        (status = 400, description = "Unknown metric, bad or missing threshold", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn forecast(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ForecastQuery>,
) -> Result<web::Json<ForecastResponse>, ApiError> {
    let metric = Metric::parse(&query.metric).ok_or_else(|| {
        let known: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        ApiError::BadRequest(format!("unknown metric {:?}; one of: {}", query.metric, known.join(", ")))
    })?;
    let t = &state.thresholds;
    let configured = match metric {
        Metric::TotalProducts => Some(t.products_total.critical),
        Metric::TotalOrdersMonth => Some(t.monthly_orders.critical),
        Metric::StorageUsedGb => Some(t.storage_gb.critical),
        Metric::DbSizeMb => Some(t.db_size_mb.critical),
        _ => None,
    };
    let threshold = query.threshold.or(configured).ok_or_else(|| {
        ApiError::BadRequest(format!("{} has no configured threshold: pass threshold=…", metric.name()))
    })?;
    if !threshold.is_finite() || threshold <= 0.0 {
        return Err(ApiError::BadRequest(format!("threshold must be a positive number, got {threshold}")));
    }
    let today = Utc::now().date_naive();
    let history = forecast::snapshots_between(&state.db, today - Duration::days(730), today).await?;
    let points: Vec<(NaiveDate, f64)> = history.iter().map(|s| (s.snapshot_date, metric.of(s))).collect();
    let last = points.last().copied();
    let (estimate, reason) = match forecast::days_until_threshold(&forecast::daily_series(&points), threshold)
    {
        Ok(estimate) => (Some(estimate), None),
        Err(none) => (None, Some(none.reason)),
    };
    let expected_date = estimate
        .as_ref()
        .zip(last)
        .and_then(|(e, (day, _))| day.checked_add_signed(Duration::days(e.days.ceil() as i64)));
    Ok(web::Json(ForecastResponse {
        metric: metric.name(),
        threshold,
        current_value: last.map(|(_, v)| v),
        last_snapshot_date: last.map(|(d, _)| d),
        estimate,
        expected_date,
        reason,
    }))
}

fn midnight(day: NaiveDate) -> String {
    day.and_hms_opt(0, 0, 0)
        .map(|t| {
            DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .unwrap_or_else(|| day.to_string())
}
