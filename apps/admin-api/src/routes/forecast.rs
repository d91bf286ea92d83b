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

impl TrendsQuery {
    /// `days`, default 30, refused outside 1..=730.
    fn period_days(&self) -> Result<i64, ApiError> {
        let days = self.days.unwrap_or(30);
        if !(1..=730).contains(&days) {
            return Err(ApiError::BadRequest(format!("days must be within 1..=730, got {days}")));
        }
        Ok(days)
    }
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
    let days = query.period_days()?;
    let snapshots = recent_snapshots(&state, days).await?;
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

/// `GET /snapshots`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotsResponse {
    /// Daily snapshots of the period, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub snapshots: Vec<SnapshotRow>,
}

/// One day's figures.
#[derive(Debug, Serialize)]
pub struct SnapshotRow {
    /// The UTC day.
    pub snapshot_date: NaiveDate,
    /// Merchants.
    pub total_merchants: i64,
    /// Stores.
    pub total_stores: i64,
    /// Active stores.
    pub active_stores: i64,
    /// Live subscriptions.
    pub total_subscriptions: i64,
    /// Products.
    pub total_products: i64,
    /// Orders this month.
    pub total_orders_month: i64,
    /// Team members.
    pub total_team_members: i64,
    /// Image storage, GB.
    pub storage_used_gb: f64,
    /// Database, MB.
    pub db_size_mb: f64,
}

/// The daily snapshots of the last `days` days (for charts).
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/snapshots",
    tag = "forecast",
    params(TrendsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Daily snapshots, oldest first", body = SnapshotsResponse),
        (status = 400, description = "days outside 1..=730", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn snapshots(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<TrendsQuery>,
) -> Result<web::Json<SnapshotsResponse>, ApiError> {
    let rows = recent_snapshots(&state, query.period_days()?).await?;
    Ok(web::Json(SnapshotsResponse {
        snapshots: rows
            .into_iter()
            .map(|s| SnapshotRow {
                snapshot_date: s.snapshot_date,
                total_merchants: s.total_merchants,
                total_stores: s.total_stores,
                active_stores: s.active_stores,
                total_subscriptions: s.total_subscriptions,
                total_products: s.total_products,
                total_orders_month: s.total_orders_month,
                total_team_members: s.total_team_members,
                storage_used_gb: s.storage_used_gb,
                db_size_mb: s.db_size_mb,
            })
            .collect(),
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
    let history = history(&state).await?;
    let last = history.last().map(|s| (s.snapshot_date, metric.of(s)));
    let (estimate, reason) = match forecast::days_until_threshold(&series(&history, metric), threshold) {
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

/// The snapshots of the last `days` days up to today, oldest first.
async fn recent_snapshots(state: &AppState, days: i64) -> Result<Vec<Snapshot>, ApiError> {
    let today = Utc::now().date_naive();
    Ok(forecast::snapshots_between(&state.db, today - Duration::days(days), today).await?)
}

/// Up to two years of snapshots (what forecasts and projections fit), oldest first.
async fn history(state: &AppState) -> Result<Vec<Snapshot>, ApiError> {
    recent_snapshots(state, 730).await
}

fn series(history: &[Snapshot], metric: Metric) -> Vec<f64> {
    let points: Vec<(NaiveDate, f64)> = history.iter().map(|s| (s.snapshot_date, metric.of(s))).collect();
    forecast::daily_series(&points)
}

/// Capacity, infrastructure, growth and storage recommendations (seed 000), including
/// forecast-driven ones; rules in docs/operations/capacity-monitoring.md.
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/recommendations",
    tag = "forecast",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Most severe first", body = [Object]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn recommendations(
    admin: Admin,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<forecast::recommendations::CapacityRecommendation>>, ApiError> {
    use forecast::recommendations::{Inputs, LevelForecast};
    let db = state.monitor.latest();
    let figures = db.figures.as_deref();
    let capacity = figures.map_or_else(
        || billing::subscription_capacity(&[], billing::Usage::default()),
        health::DbFigures::subscription_capacity,
    );
    let history = history(&state).await?;
    let month_ago = Utc::now().date_naive() - Duration::days(30);
    let recent: Vec<&Snapshot> = history.iter().filter(|s| s.snapshot_date >= month_ago).collect();
    let store_growth_30d_percent = match (recent.first(), recent.last()) {
        (Some(first), Some(last)) if first.snapshot_date < last.snapshot_date => {
            let span = (last.snapshot_date - first.snapshot_date).num_days();
            Some(
                forecast::trend(first.total_stores as f64, last.total_stores as f64, span, true)
                    .growth_rate_percent,
            )
        }
        _ => None,
    };
    let t = &state.thresholds;
    let watched = [
        ("Products", Metric::TotalProducts, t.products_total.critical),
        ("Monthly orders", Metric::TotalOrdersMonth, t.monthly_orders.critical),
        ("Image storage (GB)", Metric::StorageUsedGb, t.storage_gb.critical),
        ("Database (MB)", Metric::DbSizeMb, t.db_size_mb.critical),
    ];
    let estimates: Vec<_> = watched
        .iter()
        .map(|(_, metric, level)| forecast::days_until_threshold(&series(&history, *metric), *level).ok())
        .collect();
    let forecasts = watched
        .iter()
        .zip(&estimates)
        .map(|((label, _, level), estimate)| LevelForecast {
            label,
            level: "critical",
            threshold: *level,
            estimate: estimate.as_ref(),
        })
        .collect();
    let storage_gb = crate::dto::gib(figures.map_or(0, |f| f.images.total_bytes));
    Ok(web::Json(forecast::recommendations::recommendations(&Inputs {
        products_utilization_percent: capacity.products.utilization_percent,
        orders_utilization_percent: capacity.orders_monthly.utilization_percent,
        stores: figures.map_or(0, |f| f.stores.value),
        products: figures.map_or(0, |f| f.products.value),
        store_growth_30d_percent,
        storage_gb,
        storage_levels: (t.storage_gb.warning, t.storage_gb.critical),
        forecasts,
    })))
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

/// `GET /projections`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectionsResponse {
    /// The latest snapshot the projections start from.
    pub based_on: Option<NaiveDate>,
    /// Stores then.
    pub stores: i64,
    /// Products then.
    pub products: i64,
    /// Per snapshot metric: the chosen fit and the 3/6/12-month projection with its 80 % band
    /// (absent without enough history).
    #[schema(value_type = Object)]
    pub metrics: std::collections::BTreeMap<&'static str, MetricProjection>,
    /// Stores and products of the fitted projection at 3/6/12 months, with tier and cost.
    #[schema(value_type = Vec<Object>)]
    pub fitted_tiers: Vec<forecast::PlannedMonth>,
    /// Seed 003's scenarios (and a user-defined one), 12 months each, with tier and cost.
    #[schema(value_type = Object)]
    pub scenarios: Vec<ScenarioProjection>,
}

/// One metric's projection.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricProjection {
    /// linear, log_linear or damped_trend.
    #[schema(value_type = String)]
    pub method: forecast::Method,
    /// Now.
    pub current: f64,
    /// Horizon in months → [low 80 %, expected, high 80 %].
    pub months: std::collections::BTreeMap<u32, [f64; 3]>,
}

/// A scenario and its months.
#[derive(Debug, Serialize)]
pub struct ScenarioProjection {
    /// The scenario.
    #[serde(flatten)]
    pub scenario: forecast::Scenario,
    /// Month by month.
    pub months: Vec<forecast::PlannedMonth>,
}

const HORIZONS: [(u32, u32); 3] = [(3, 91), (6, 182), (12, 365)];

/// 3/6/12-month projections of every snapshot metric from its best fit, and growth scenarios,
/// mapped to the infrastructure tier and its monthly cost.
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/projections",
    tag = "forecast",
    params(ProjectionsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Projections", body = ProjectionsResponse),
        (status = 400, description = "Bad growth or churn", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn projections(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ProjectionsQuery>,
) -> Result<web::Json<ProjectionsResponse>, ApiError> {
    let mut scenarios: Vec<forecast::Scenario> = forecast::Scenario::presets().into();
    match (query.growth, query.churn) {
        (None, None) => {}
        (Some(growth), churn)
            if (0.0..=5.0).contains(&growth) && churn.is_none_or(|c| (0.0..=1.0).contains(&c)) =>
        {
            scenarios.push(forecast::Scenario {
                name: "custom".to_owned(),
                monthly_growth: growth,
                churn_rate: churn.unwrap_or(0.0),
            })
        }
        _ => {
            return Err(ApiError::BadRequest(
                "growth must be within 0..=5 and churn within 0..=1 (growth required)".to_owned(),
            ));
        }
    }
    let history = history(&state).await?;
    Ok(web::Json(compute_projections(&history, scenarios)))
}

/// Projections of `history` (oldest first) and the `scenarios` from its latest snapshot.
pub fn compute_projections(history: &[Snapshot], scenarios: Vec<forecast::Scenario>) -> ProjectionsResponse {
    let latest = history.last();
    let (stores, products) = latest.map_or((0, 0), |s| (s.total_stores, s.total_products));
    let mut metrics = std::collections::BTreeMap::new();
    for metric in Metric::ALL {
        let values = series(history, metric);
        if values.len() < forecast::fit::MIN_POINTS {
            continue;
        }
        let days: Vec<u32> = HORIZONS.iter().map(|(_, days)| *days).collect();
        if let Some((method, bands)) = forecast::project(&values, &days) {
            let months = HORIZONS
                .iter()
                .zip(bands)
                .map(|((m, _), band)| (*m, band.map(|v| (v * 100.0).round() / 100.0)))
                .collect();
            metrics.insert(
                metric.name(),
                MetricProjection { method, current: values[values.len() - 1], months },
            );
        }
    }
    let fitted_tiers = HORIZONS
        .iter()
        .filter_map(|(m, _)| {
            let expected = |name: &str| {
                metrics.get(name).and_then(|p| p.months.get(m)).map(|b| b[1].max(0.0).round() as u64)
            };
            let (s, p) = (expected("total_stores")?, expected("total_products")?);
            let (tier, cost) = forecast::tier_and_cost(s, p);
            Some(forecast::PlannedMonth {
                month: *m,
                stores: s,
                products: p,
                infrastructure_tier: tier,
                monthly_cost_eur: cost,
            })
        })
        .collect();
    let to_u64 = |n: i64| u64::try_from(n).unwrap_or(0);
    let scenarios = scenarios
        .into_iter()
        .map(|scenario| ScenarioProjection {
            months: forecast::project_scenario(to_u64(stores), to_u64(products), 12, &scenario),
            scenario,
        })
        .collect();
    ProjectionsResponse {
        based_on: latest.map(|s| s.snapshot_date),
        stores,
        products,
        metrics,
        fitted_tiers,
        scenarios,
    }
}

/// Seed 002's sizing formulas for a tier mix or explicit counts: storage, database size,
/// bandwidth, and the infrastructure tier with its monthly cost.
#[utoipa::path(
    post,
    path = "/api/v1/admin/platform-health/sizing",
    tag = "forecast",
    security(("bearer" = [])),
    request_body(content = Object, description = "{\"tier_mix\": {\"essential\": 500, …}} or {\"stores\": …, \"products\": …, \"monthly_orders\": …}; optional images_per_product, daily_views_per_product, order_retention_months"),
    responses(
        (status = 200, description = "Requirements, tier and cost", body = Object),
        (status = 400, description = "Nothing to size, unknown tier, bad number, bad JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn sizing(
    admin: Admin,
    input: web::Json<forecast::SizingInput>,
) -> Result<web::Json<forecast::Sizing>, ApiError> {
    forecast::size(&input).map(web::Json).map_err(|e| ApiError::BadRequest(e.to_string()))
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
#[utoipa::path(
    get,
    path = "/api/v1/admin/platform-health/reports/{kind}",
    tag = "forecast",
    params(("kind" = String, Path, description = "weekly, monthly or projection"), ReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report (text/csv or application/pdf)", content_type = "text/csv"),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 404, description = "Unknown report", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(admin = admin.user_id))]
pub async fn report(
    admin: Admin,
    state: web::Data<AppState>,
    kind: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let kind = forecast::report::ReportKind::parse(&kind).ok_or_else(|| {
        ApiError::NotFound(format!("no report {kind:?}: use weekly, monthly or projection"))
    })?;
    let format = ReportFormat::parse(query.format.as_deref().unwrap_or("csv"))?;
    let history = recent_snapshots(&state, kind.days()).await?;
    let (bytes, content_type, extension) = render_report(kind, &history, format)?;
    let today = Utc::now().date_naive();
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"orion-{}-{today}.{extension}\"", kind_name(kind)),
        ))
        .body(bytes))
}

/// A report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Comma-separated values.
    Csv,
    /// PDF.
    Pdf,
}

impl ReportFormat {
    /// Parses `csv` or `pdf`.
    pub fn parse(name: &str) -> Result<ReportFormat, ApiError> {
        match name {
            "csv" => Ok(ReportFormat::Csv),
            "pdf" => Ok(ReportFormat::Pdf),
            other => Err(ApiError::BadRequest(format!("format {other:?}: use csv or pdf"))),
        }
    }
}

fn kind_name(kind: forecast::report::ReportKind) -> &'static str {
    match kind {
        forecast::report::ReportKind::Weekly => "weekly",
        forecast::report::ReportKind::Monthly => "monthly",
        forecast::report::ReportKind::Projection => "projection",
    }
}

/// Renders a report from `history` (oldest first): bytes, content type, file extension.
pub fn render_report(
    kind: forecast::report::ReportKind,
    history: &[Snapshot],
    format: ReportFormat,
) -> Result<(Vec<u8>, &'static str, &'static str), ApiError> {
    use forecast::report::{Report, ReportKind, period_report};
    let report = match kind {
        ReportKind::Weekly => period_report("Orion weekly capacity report", history),
        ReportKind::Monthly => period_report("Orion monthly capacity report", history),
        ReportKind::Projection => {
            let p = compute_projections(history, forecast::Scenario::presets().into());
            let cell =
                |band: Option<&[f64; 3]>, i: usize| band.map_or(String::new(), |b| format!("{:.0}", b[i]));
            let rows = p
                .metrics
                .iter()
                .map(|(name, m)| {
                    vec![
                        (*name).to_owned(),
                        format!("{:?}", m.method),
                        format!("{:.0}", m.current),
                        cell(m.months.get(&3), 1),
                        cell(m.months.get(&6), 1),
                        cell(m.months.get(&12), 1),
                        format!("{}-{}", cell(m.months.get(&12), 0), cell(m.months.get(&12), 2)),
                    ]
                })
                .collect();
            let mut summary = vec![format!(
                "From {} ({} stores, {} products)",
                p.based_on.map_or("no snapshot".to_owned(), |d| d.to_string()),
                p.stores,
                p.products
            )];
            for t in &p.fitted_tiers {
                summary.push(format!(
                    "Fitted, {} months: {} stores, {} products -> {} tier, EUR {}/month",
                    t.month, t.stores, t.products, t.infrastructure_tier, t.monthly_cost_eur
                ));
            }
            for s in &p.scenarios {
                if let Some(m) = s.months.last() {
                    summary.push(format!(
                        "Scenario {} ({:.0} % growth, {:.0} % churn), 12 months: {} stores -> {} tier, EUR {}/month",
                        s.scenario.name,
                        s.scenario.monthly_growth * 100.0,
                        s.scenario.churn_rate * 100.0,
                        m.stores,
                        m.infrastructure_tier,
                        m.monthly_cost_eur
                    ));
                }
            }
            Report {
                title: "Orion capacity projection report".to_owned(),
                summary,
                columns: ["metric", "method", "now", "3 months", "6 months", "12 months", "12m 80 %"]
                    .map(str::to_owned)
                    .to_vec(),
                rows,
                chart: Some((
                    "Products (history)".to_owned(),
                    history.iter().map(|s| s.total_products as f64).collect(),
                )),
            }
        }
    };
    Ok(match format {
        ReportFormat::Csv => (
            forecast::report::to_csv(&report).map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        ReportFormat::Pdf => (forecast::report::to_pdf(&report), "application/pdf", "pdf"),
    })
}
