//! Alerts: `GET /alerts`, `POST /alerts/{id}/ack`, `POST /silences`, `GET /alert-rules`. The
//! evaluation runs in the background (see `alerting`); these read and annotate its results.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use alerts::AlertStatus;
use alerts::entity::{alert_instance, alert_silence};
use merchants::Timestamp;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Admin;
use crate::error::{AdminErrors, ApiError, ErrorBody};
use crate::state::AppState;

/// One alert.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    /// Id (for `POST /alerts/{id}/ack`).
    pub id: i64,
    /// The rule's name.
    pub rule: String,
    /// `pending`, `firing` or `resolved`.
    pub state: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// The value that started it.
    pub value: f64,
    /// The value at the last evaluation that held.
    pub last_value: f64,
    /// The suggested action (seed 003: scale_up, investigate, expand_pool, optimize, review_usage).
    pub action: String,
    /// The rule, e.g. `cpu_percent > 80 for 300 s`.
    pub summary: String,
    /// When the condition started holding (RFC 3339).
    pub started_at: String,
    /// When it fired.
    pub fired_at: Option<String>,
    /// When it was resolved.
    pub resolved_at: Option<String>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// When.
    pub acknowledged_at: Option<String>,
    /// Its labels (alertname, severity, metric, action, the rule's own).
    #[schema(value_type = Object)]
    pub labels: serde_json::Value,
}

fn rfc3339(at: Timestamp) -> String {
    crate::dto::rfc3339(at.get())
}

impl From<alert_instance::Model> for AlertView {
    fn from(row: alert_instance::Model) -> AlertView {
        let annotation =
            |key: &str| row.annotations.get(key).and_then(|v| v.as_str()).unwrap_or("").to_owned();
        AlertView {
            id: row.id,
            state: row.state.as_str().to_owned(),
            severity: row.severity.as_str().to_owned(),
            value: row.value,
            last_value: row.last_value,
            action: annotation("action"),
            summary: annotation("summary"),
            started_at: rfc3339(row.started_at),
            fired_at: row.fired_at.map(rfc3339),
            resolved_at: row.resolved_at.map(rfc3339),
            acknowledged_by: row.acknowledged_by,
            acknowledged_at: row.acknowledged_at.map(rfc3339),
            labels: row.labels,
            rule: row.rule,
        }
    }
}

/// `GET /alerts`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsResponse {
    /// Pending and firing alerts, firing and most severe first.
    pub active: Vec<AlertView>,
    /// Resolved alerts, newest first.
    pub recent: Vec<AlertView>,
}

/// Query of `GET /alerts`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertsQuery {
    /// Only `pending`, `firing` or `resolved` alerts.
    pub state: Option<String>,
    /// Only this rule's alerts.
    pub rule: Option<String>,
    /// Resolved alerts to list, 0..=500 (default 50).
    pub limit: Option<u64>,
}

/// Active and recent alerts.
#[utoipa::path(get, path = "/api/v1/admin/platform-health/alerts", tag = "alerts", params(AlertsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Active and recent alerts", body = AlertsResponse),
        (status = 400, description = "Bad query parameter", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn list(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<AlertsQuery>,
) -> Result<web::Json<AlertsResponse>, ApiError> {
    let wanted = match query.state.as_deref() {
        None => None,
        Some("pending") => Some(AlertStatus::Pending),
        Some("firing") => Some(AlertStatus::Firing),
        Some("resolved") => Some(AlertStatus::Resolved),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "state must be pending, firing or resolved, got {other:?}"
            )));
        }
    };
    let recent = match query.limit {
        None => 50,
        Some(n @ 0..=500) => n,
        Some(n) => return Err(ApiError::BadRequest(format!("limit must be within 0..=500, got {n}"))),
    };
    let filter = alerts::AlertFilter { state: wanted, rule: query.rule.clone(), recent };
    let found = alerts::list(&state.db, &filter).await?;
    Ok(web::Json(AlertsResponse {
        active: found.active.into_iter().map(AlertView::from).collect(),
        recent: found.recent.into_iter().map(AlertView::from).collect(),
    }))
}

/// Acknowledges an open alert (it keeps notifying; the page and the list show who took it).
#[utoipa::path(post, path = "/api/v1/admin/platform-health/alerts/{id}/ack", tag = "alerts",
    params(("id" = i64, Path, description = "Alert id")), security(("bearer" = [])),
    responses((status = 200, description = "Acknowledged", body = AlertView),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 404, description = "No such alert", body = ErrorBody),
        (status = 409, description = "The alert is resolved", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn ack(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<web::Json<AlertView>, ApiError> {
    let id: i64 =
        id.parse().map_err(|_| ApiError::BadRequest(format!("alert id must be a number, got {id:?}")))?;
    let who = format!("admin:{}", admin.user_id);
    let row = alerts::acknowledge(&state.db, id, &who, OffsetDateTime::now_utc()).await?;
    Ok(web::Json(row.into()))
}

/// `POST /silences`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SilenceRequest {
    /// The rule to silence (or match by labels only).
    pub rule: Option<String>,
    /// Labels an alert must carry to be silenced (e.g. `{"severity": "warning"}`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// From (RFC 3339, e.g. `2026-11-28T18:00:00Z`; default now).
    pub starts_at: Option<String>,
    /// Until (RFC 3339).
    pub ends_at: String,
    /// Why.
    pub comment: String,
}

/// A silence.
#[derive(Debug, Serialize, ToSchema)]
pub struct SilenceView {
    /// Id.
    pub id: i64,
    /// The rule it silences, if one.
    pub rule: Option<String>,
    /// The labels it matches.
    #[schema(value_type = Object)]
    pub labels: serde_json::Value,
    /// From.
    pub starts_at: String,
    /// Until.
    pub ends_at: String,
    /// Why.
    pub comment: String,
    /// Who.
    pub created_by: String,
}

impl From<alert_silence::Model> for SilenceView {
    fn from(row: alert_silence::Model) -> SilenceView {
        SilenceView {
            id: row.id,
            rule: row.rule,
            labels: row.labels,
            starts_at: rfc3339(row.starts_at),
            ends_at: rfc3339(row.ends_at),
            comment: row.comment,
            created_by: row.created_by,
        }
    }
}

/// Silences the alerts of a rule (or with given labels) for a while: no notification is sent for
/// them meanwhile; one still firing when it ends is notified then.
#[utoipa::path(post, path = "/api/v1/admin/platform-health/silences", tag = "alerts", request_body = SilenceRequest,
    security(("bearer" = [])),
    responses((status = 201, description = "Silence created", body = SilenceView),
        (status = 400, description = "Bad silence", body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn silence(
    admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<SilenceRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let instant = |key: &str, text: &str| {
        OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            ApiError::BadRequest(format!(
                "{key} must be an RFC 3339 time like 2026-11-28T18:00:00Z, got {text:?}"
            ))
        })
    };
    let new = alerts::NewSilence {
        rule: body.rule,
        labels: body.labels,
        starts_at: body.starts_at.as_deref().map(|t| instant("starts_at", t)).transpose()?,
        ends_at: instant("ends_at", &body.ends_at)?,
        comment: body.comment,
        created_by: format!("admin:{}", admin.user_id),
    };
    let row = alerts::add_silence(&state.db, new, &state.alert_rules, OffsetDateTime::now_utc()).await?;
    Ok(HttpResponse::Created().json(SilenceView::from(row)))
}

/// `GET /alert-rules`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertRulesResponse {
    /// Every rule in force (name, metric, op, threshold, for_seconds, keep_firing_seconds,
    /// severity, action, labels) with its metric's `value` at the last evaluation, its `state`
    /// (null: inactive) and `since`.
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<alerts::RuleStatus>,
    /// Seconds between evaluations.
    pub evaluation_seconds: u64,
}

/// The rules in force with their current value and state.
#[utoipa::path(get, path = "/api/v1/admin/platform-health/alert-rules", tag = "alerts", security(("bearer" = [])),
    responses((status = 200, description = "Rules", body = AlertRulesResponse), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn rules(admin: Admin, state: web::Data<AppState>) -> web::Json<AlertRulesResponse> {
    let rules = state.alert_board.statuses().as_ref().clone();
    web::Json(AlertRulesResponse { rules, evaluation_seconds: state.alert_evaluation_seconds })
}
