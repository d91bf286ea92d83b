//! Notifications in Prometheus Alertmanager's webhook format (version 4), so anything that
//! consumes Alertmanager webhooks (its receivers, Grafana OnCall, Slack bridges) works unchanged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::rule::Rule;

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum AlertStatus {
    /// The condition holds, not yet for `for`.
    #[cfg_attr(feature = "db", sea_orm(string_value = "pending"))]
    Pending,
    /// Firing.
    #[cfg_attr(feature = "db", sea_orm(string_value = "firing"))]
    Firing,
    /// Over.
    #[cfg_attr(feature = "db", sea_orm(string_value = "resolved"))]
    Resolved,
}

impl AlertStatus {
    /// `pending`, `firing`, `resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Pending => "pending",
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }
}

/// The labels of a rule's alerts: `alertname` (the rule), `severity`, `metric`, `action`, and the
/// rule's own.
pub fn labels(rule: &Rule) -> BTreeMap<String, String> {
    let mut labels = rule.labels.clone();
    labels.insert("alertname".to_owned(), rule.name.clone());
    labels.insert("severity".to_owned(), rule.severity.as_str().to_owned());
    labels.insert("metric".to_owned(), rule.metric.clone());
    labels.insert("action".to_owned(), rule.action.clone());
    labels
}

/// The annotations of an alert of `rule` started by `value`.
pub fn annotations(rule: &Rule, value: f64) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("summary".to_owned(), rule.describe()),
        (
            "description".to_owned(),
            format!("{} is {value} ({} {} {})", rule.metric, rule.metric, rule.op.symbol(), rule.threshold),
        ),
        ("action".to_owned(), rule.action.clone()),
    ])
}

/// One notification: an alert's transition to firing or resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice<'a> {
    /// firing or resolved.
    pub status: AlertStatus,
    /// Its labels (see [`labels`]).
    pub labels: &'a BTreeMap<String, String>,
    /// Its annotations.
    pub annotations: &'a BTreeMap<String, String>,
    /// When the condition started holding.
    pub starts_at: OffsetDateTime,
    /// When it was resolved (`None` while firing).
    pub ends_at: Option<OffsetDateTime>,
    /// The page that shows it (`generatorURL`, `externalURL`).
    pub url: &'a str,
}

/// The webhook body of `notice`: `version` "4", `groupKey`, `status`, `receiver`, the group's
/// labels, and `alerts` with `status`, `labels`, `annotations`, `startsAt`, `endsAt`,
/// `generatorURL` and `fingerprint`.
pub fn alertmanager_body(notice: &Notice<'_>) -> String {
    let name = notice.labels.get("alertname").map_or("", String::as_str);
    let time = |at: OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
    let status = notice.status.as_str();
    let alert = json!({
        "status": status,
        "labels": notice.labels,
        "annotations": notice.annotations,
        "startsAt": time(notice.starts_at),
        // Alertmanager's "not ended" instant.
        "endsAt": notice.ends_at.map_or_else(|| "0001-01-01T00:00:00Z".to_owned(), time),
        "generatorURL": notice.url,
        "fingerprint": fingerprint(notice.labels),
    });
    let body: Value = json!({
        "version": "4",
        "groupKey": format!("{{}}:{{alertname=\"{name}\"}}"),
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "orion",
        "groupLabels": { "alertname": name },
        "commonLabels": notice.labels,
        "commonAnnotations": notice.annotations,
        "externalURL": notice.url,
        "alerts": [alert],
    });
    body.to_string()
}

/// A stable 64-bit hash of the label set (FNV-1a), as hex: Alertmanager's `fingerprint`.
fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (key, value) in labels {
        for byte in key.bytes().chain([0xff]).chain(value.bytes()).chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_body_is_an_alertmanager_v4_webhook() {
        let rule = &crate::default_rules(&health::Thresholds::default())[0];
        let (labels, annotations) = (labels(rule), annotations(rule, 91.5));
        let notice = Notice {
            status: AlertStatus::Resolved,
            labels: &labels,
            annotations: &annotations,
            starts_at: datetime!(2026-11-28 12:00:00 UTC),
            ends_at: Some(datetime!(2026-11-28 12:30:00 UTC)),
            url: "http://orion.example/admin/platform-health",
        };
        let body: Value = serde_json::from_str(&alertmanager_body(&notice)).unwrap();
        assert_eq!(body["version"], "4");
        assert_eq!(body["status"], "resolved");
        assert_eq!(body["groupKey"], "{}:{alertname=\"high_cpu_usage\"}");
        let alert = &body["alerts"][0];
        assert_eq!(alert["labels"]["alertname"], "high_cpu_usage");
        assert_eq!(alert["labels"]["severity"], "warning");
        assert_eq!(alert["startsAt"], "2026-11-28T12:00:00Z");
        assert_eq!(alert["endsAt"], "2026-11-28T12:30:00Z");
        assert_eq!(alert["annotations"]["description"], "cpu_percent is 91.5 (cpu_percent > 80)");
        assert_eq!(alert["fingerprint"].as_str().unwrap().len(), 16);
        let firing = alertmanager_body(&Notice { status: AlertStatus::Firing, ends_at: None, ..notice });
        assert!(firing.contains("\"endsAt\":\"0001-01-01T00:00:00Z\""), "{firing}");
    }
}
