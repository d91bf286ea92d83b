//! The daily capacity history and what it predicts: `POST /snapshot`, `GET /trends`,
//! `/snapshots`, `/forecast`, `/recommendations`, `/projections`, `POST /sizing`,
//! `GET /reports/{kind}`. Reads at most two years of daily rows (an indexed range on the date).

use actix_web::{HttpResponse, web};
use forecast::report::{ReportFormat, ReportKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Admin;
use crate::error::{AdminErrors, ApiError, ErrorBody};
use crate::state::AppState;

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
#[utoipa::path(post, path = "/api/v1/admin/platform-health/snapshot", tag = "forecast", security(("bearer" = [])),
    responses((status = 201, description = "Captured now", body = SnapshotResponse),
        (status = 200, description = "Today's snapshot already existed", body = SnapshotResponse), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn snapshot(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let system = state.sampler.latest().map(|s| s.metrics);
    let captured = forecast::capture_daily_snapshot(&state.db, OffsetDateTime::now_utc(), system).await?;
    if captured.created {
        state.outlook.invalidate();
    }
    let day = captured.snapshot.snapshot_date;
    let body = SnapshotResponse {
        id: captured.id,
        snapshot_date: format!("{day}T00:00:00Z"),
        total_stores: captured.snapshot.total_stores,
        total_products: captured.snapshot.total_products,
        message: if captured.created {
            "Snapshot captured successfully".to_owned()
        } else {
            format!("Snapshot for {day} already exists")
        },
    };
    Ok(if captured.created { HttpResponse::Created().json(body) } else { HttpResponse::Ok().json(body) })
}

/// Query of `GET /trends` and `GET /snapshots`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DaysQuery {
    /// Days back from today, 1..=730 (default 30).
    pub days: Option<i64>,
}

/// Growth over the last `days` days from the daily snapshots.
#[utoipa::path(get, path = "/api/v1/admin/platform-health/trends", tag = "forecast", params(DaysQuery), security(("bearer" = [])),
    responses((status = 200, description = "Trends: period_days, snapshots_available, start_date, end_date, trends.{stores,products,orders,orders_30d,team_members,storage_gb}", body = Object), (status = 400, description = "days outside 1..=730", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn trends(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<DaysQuery>,
) -> Result<web::Json<forecast::PeriodTrends>, ApiError> {
    let days = forecast::history_days(query.days)?;
    let (outlook, today) = outlook(&state).await?;
    Ok(web::Json(forecast::period_trends(outlook.last_days(today, days), days)))
}

/// `GET /snapshots`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotsResponse {
    /// Daily snapshots of the period, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub snapshots: Vec<forecast::Snapshot>,
}

/// The daily snapshots of the last `days` days (for charts).
#[utoipa::path(get, path = "/api/v1/admin/platform-health/snapshots", tag = "forecast", params(DaysQuery), security(("bearer" = [])),
    responses((status = 200, description = "Daily snapshots, oldest first", body = SnapshotsResponse),
        (status = 400, description = "days outside 1..=730", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn snapshots(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<DaysQuery>,
) -> Result<web::Json<SnapshotsResponse>, ApiError> {
    let days = forecast::history_days(query.days)?;
    let (outlook, today) = outlook(&state).await?;
    Ok(web::Json(SnapshotsResponse { snapshots: outlook.last_days(today, days).to_vec() }))
}

/// Query of `GET /forecast`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ForecastQuery {
    /// A snapshot field: total_products, orders_last_30_days, storage_used_gb, db_size_mb,
    /// total_stores, active_stores, total_merchants, total_subscriptions, total_team_members,
    /// total_images, total_image_files, total_orders_month.
    pub metric: String,
    /// The level to reach; default: the configured critical level of total_products,
    /// orders_last_30_days, storage_used_gb or db_size_mb (required for the others).
    pub threshold: Option<f64>,
}

/// Days until a metric reaches a threshold, with 80 %/95 % intervals calibrated on the history's
/// own backtest, from up to two years of daily snapshots (the candidate models and how one is
/// chosen: docs/operations/capacity-monitoring.md).
#[utoipa::path(get, path = "/api/v1/admin/platform-health/forecast", tag = "forecast", params(ForecastQuery), security(("bearer" = [])),
    responses((status = 200, description = "Estimate, or the reason there is none and `open_interval_80` (from `low` days on, `high` null; null with an estimate, with fewer than 7 snapshots, or when the level is out of reach)", body = Object),
        (status = 400, description = "Unknown metric, bad or missing threshold", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn forecast(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ForecastQuery>,
) -> Result<web::Json<forecast::MetricForecast>, ApiError> {
    let (metric, threshold) = forecast::resolve_metric(&query.metric, query.threshold, &state.thresholds)?;
    Ok(web::Json(state.outlook.forecast(&state.db, OffsetDateTime::now_utc(), metric, threshold).await?))
}

/// Capacity, infrastructure, growth and storage recommendations (seed 000), including
/// forecast-driven ones; rules in docs/operations/capacity-monitoring.md.
#[utoipa::path(get, path = "/api/v1/admin/platform-health/recommendations", tag = "forecast", security(("bearer" = [])),
    responses((status = 200, description = "Most severe first", body = [Object]), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn recommendations(
    admin: Admin,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<forecast::CapacityRecommendation>>, ApiError> {
    let now = forecast::PlatformNow::measured(&state.monitor.latest());
    let (outlook, today) = outlook(&state).await?;
    Ok(web::Json(forecast::capacity_recommendations(&now, &outlook, &state.thresholds, today)))
}

/// Query of `GET /projections`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProjectionsQuery {
    /// A user-defined scenario's monthly growth (0..=5, e.g. 0.2 = 20 %); with `churn`.
    pub growth: Option<f64>,
    /// Its monthly churn (0..=1).
    pub churn: Option<f64>,
}

/// 3/6/12-month projections of every snapshot metric from its best fit, and growth scenarios
/// (seed 003's presets, `measured` from the platform's own last 30 days, and a custom one),
/// mapped to the infrastructure tier and its monthly cost.
#[utoipa::path(get, path = "/api/v1/admin/platform-health/projections", tag = "forecast", params(ProjectionsQuery), security(("bearer" = [])),
    responses((status = 200, description = "Projections", body = Object), (status = 400, description = "Bad growth or churn", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn projections(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ProjectionsQuery>,
) -> Result<web::Json<forecast::Projections>, ApiError> {
    let figures = state.monitor.latest().figures.clone();
    let scenarios = forecast::scenarios(query.growth, query.churn, figures.as_deref().map(|f| &f.dynamics))?;
    Ok(web::Json(outlook(&state).await?.0.projections.with_scenarios(scenarios)))
}

/// Seed 002's sizing formulas for a tier mix or explicit counts: storage, database size,
/// bandwidth, and the infrastructure tier with its monthly cost.
#[utoipa::path(post, path = "/api/v1/admin/platform-health/sizing", tag = "forecast", security(("bearer" = [])),
    request_body(content = Object, description = "{\"tier_mix\": {\"essential\": 500, …}} or {\"stores\": …, \"products\": …, \"monthly_orders\": …}; optional images_per_product, daily_views_per_product, order_retention_months"),
    responses((status = 200, description = "Requirements, tier and cost", body = Object),
        (status = 400, description = "Nothing to size, unknown tier, bad number, bad JSON", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn sizing(
    admin: Admin,
    input: web::Json<forecast::SizingInput>,
) -> Result<web::Json<forecast::Sizing>, ApiError> {
    Ok(web::Json(forecast::size(&input).map_err(forecast::Error::from)?))
}

/// Query of `GET /reports/{kind}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `csv` (default) or `pdf`.
    pub format: Option<String>,
}

/// The weekly (7 days), monthly (30 days) or projection report as CSV or a one-page PDF with a
/// chart.
#[utoipa::path(get, path = "/api/v1/admin/platform-health/reports/{kind}", tag = "forecast", security(("bearer" = [])),
    params(("kind" = String, Path, description = "weekly, monthly or projection"), ReportQuery),
    responses((status = 200, description = "The report (text/csv or application/pdf)", content_type = "text/csv"),
        (status = 400, description = "Unknown format", body = ErrorBody), (status = 404, description = "Unknown report", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn report(
    admin: Admin,
    state: web::Data<AppState>,
    kind: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let kind = ReportKind::parse(&kind).ok_or_else(|| {
        ApiError::NotFound(format!("no report {kind:?}: use weekly, monthly or projection"))
    })?;
    let name = query.format.as_deref().unwrap_or("csv");
    let format = ReportFormat::parse(name)
        .ok_or_else(|| ApiError::BadRequest(format!("format {name:?}: use csv or pdf")))?;
    let (outlook, today) = outlook(&state).await?;
    let report = forecast::report::render(kind, outlook.last_days(today, kind.days()), format, today)
        .map_err(forecast::Error::from)?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}\"", report.file_name)))
        .body(report.bytes))
}

/// The outlook of the current snapshot history (computed once per history) and today.
async fn outlook(state: &AppState) -> Result<(std::sync::Arc<forecast::Outlook>, time::Date), ApiError> {
    let now = OffsetDateTime::now_utc();
    Ok((state.outlook.current(&state.db, now).await?, now.date()))
}
