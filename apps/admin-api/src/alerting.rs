//! Alerting's wiring: the metric values each evaluation sees (from the background measurements
//! and the forecasts, nothing in the request path), and the evaluator and delivery tasks.

use std::time::Duration;

use actix_web::web;
use health::ThresholdMetric;
use time::OffsetDateTime;

use crate::state::AppState;

/// The values of every metric a rule may watch, as measured now: the `/health` measurements, and
/// for each forecast metric the days until its critical level by the near end of the 80 %
/// interval, the open one's without an estimate (absent when there is neither).
pub async fn measure(state: &AppState) -> alerts::Values {
    let now = OffsetDateTime::now_utc();
    let (db, requests) = (state.monitor.latest(), state.meters.requests.summary());
    let observation = state.observation(&db, state.sampler.latest(), &requests, now);
    let mut values: alerts::Values = ThresholdMetric::ALL
        .into_iter()
        .map(|m| (m.key().to_owned(), observation.measurements.value(m)))
        .collect();
    match state.outlook.current(&state.db, now).await {
        Ok(outlook) => {
            for (metric, forecast) in &outlook.forecasts {
                if let (Some(watched), Some(near)) = (metric.threshold(), forecast.near_end_days()) {
                    values.insert(alerts::days_until_critical(watched), near);
                }
            }
        }
        Err(error) => tracing::warn!(%error, "alerts: no forecasts this cycle"),
    }
    values
}

/// Starts the evaluation every `alerts.evaluation_seconds` and, with a webhook configured, the
/// delivery of the outbox every second.
pub fn start(state: web::Data<AppState>, settings: &alerts::AlertSettings, page_url: String) {
    let every = Duration::from_secs(settings.evaluation_seconds.max(1));
    let (db, rules, board) = (state.db.clone(), state.alert_rules.clone(), state.alert_board.clone());
    let delivery_db = db.clone();
    alerts::spawn_evaluator(db, rules, board, every, page_url, move || {
        let state = state.clone();
        async move { measure(&state).await }
    });
    match settings.webhook() {
        Some(hook) => {
            tracing::info!(url = %hook.url, "alerts: notifications go to the webhook");
            alerts::spawn_delivery(delivery_db, hook, Duration::from_secs(1));
        }
        None => tracing::info!(
            "alerts: no webhook configured ([alerts.webhook] url); notifications stay in the outbox"
        ),
    }
}
