//! Alert rules: what is watched, when it fires, and the default set from the seeds.

use std::collections::BTreeMap;

use health::{ThresholdMetric, Thresholds};
use serde::{Deserialize, Serialize};

/// How a metric's value is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Above.
    #[serde(rename = ">")]
    Above,
    /// At or above.
    #[serde(rename = ">=")]
    AtLeast,
    /// Below.
    #[serde(rename = "<")]
    Below,
    /// At or below.
    #[serde(rename = "<=")]
    AtMost,
}

impl Op {
    /// Whether `value op threshold` holds.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Above => value > threshold,
            Op::AtLeast => value >= threshold,
            Op::Below => value < threshold,
            Op::AtMost => value <= threshold,
        }
    }

    /// As written in configuration and in PromQL.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Above => ">",
            Op::AtLeast => ">=",
            Op::Below => "<",
            Op::AtMost => "<=",
        }
    }
}

/// How urgent an alert is (seed 000: warning = act within 1–2 weeks, critical = within 24 h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum Severity {
    /// For the record.
    #[cfg_attr(feature = "db", sea_orm(string_value = "info"))]
    Info,
    /// Act within one to two weeks.
    #[cfg_attr(feature = "db", sea_orm(string_value = "warning"))]
    Warning,
    /// Act within 24 hours.
    #[cfg_attr(feature = "db", sea_orm(string_value = "critical"))]
    Critical,
}

impl Severity {
    /// `info`, `warning`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// Seed 003's suggested actions.
pub const ACTIONS: [&str; 5] = ["scale_up", "investigate", "expand_pool", "optimize", "review_usage"];

/// One rule (`[[alerts.rules]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique name, e.g. `high_cpu_usage` (the `alertname` label of notifications).
    pub name: String,
    /// A metric of [`metric_names`], e.g. `cpu_percent` or `days_until_products_total_critical`.
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The threshold.
    pub threshold: f64,
    /// How long the condition must hold before the alert fires (0: at once).
    #[serde(default)]
    pub for_seconds: u64,
    /// How long a firing alert keeps firing after its condition stops holding, so a metric
    /// oscillating around the threshold does not flap (0: resolve at once).
    #[serde(default)]
    pub keep_firing_seconds: u64,
    /// How urgent.
    pub severity: Severity,
    /// What to do: one of [`ACTIONS`].
    pub action: String,
    /// Extra labels of its notifications.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl Rule {
    /// Whether the condition holds for `value` (no value: it does not).
    pub fn holds(&self, value: Option<f64>) -> bool {
        value.is_some_and(|v| self.op.holds(v, self.threshold))
    }

    /// `cpu_percent > 80 for 300 s`.
    pub fn describe(&self) -> String {
        format!("{} {} {} for {} s", self.metric, self.op.symbol(), self.threshold, self.for_seconds)
    }
}

/// The forecast metrics: days until the metric reaches its critical level, by the near end of
/// the 80 % interval (what the platform should plan for).
pub const FORECAST_METRICS: [ThresholdMetric; 4] = [
    ThresholdMetric::ProductsTotal,
    ThresholdMetric::StorageGb,
    ThresholdMetric::DbSizeMb,
    ThresholdMetric::MonthlyOrders,
];

/// The forecast metric of `metric`: `days_until_<key>_critical`.
pub fn days_until_critical(metric: ThresholdMetric) -> String {
    format!("days_until_{}_critical", metric.key())
}

/// Every metric a rule may watch: the `[thresholds.*]` keys and the forecast metrics.
pub fn metric_names() -> Vec<String> {
    ThresholdMetric::ALL
        .into_iter()
        .map(|m| m.key().to_owned())
        .chain(FORECAST_METRICS.into_iter().map(days_until_critical))
        .collect()
}

/// Refuses rules that cannot work, naming the rule and what is wrong.
pub fn validate(rules: &[Rule]) -> Result<(), String> {
    let metrics = metric_names();
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("alerts.rules[{i}] ({})", rule.name);
        if rule.name.is_empty() || !rule.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("{at}: name must be letters, digits and _"));
        }
        if rules[..i].iter().any(|r| r.name == rule.name) {
            return Err(format!("{at}: a second rule of this name"));
        }
        if !metrics.contains(&rule.metric) {
            return Err(format!("{at}: unknown metric {:?}; one of {}", rule.metric, metrics.join(", ")));
        }
        if !rule.threshold.is_finite() {
            return Err(format!("{at}: threshold must be a number"));
        }
        let label_name = |k: &String| {
            k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if let Some(bad) = rule.labels.keys().find(|k| !label_name(k)) {
            return Err(format!(
                "{at}: label name {bad:?} must be letters, digits and _ (not first a digit)"
            ));
        }
        if !ACTIONS.contains(&rule.action.as_str()) {
            return Err(format!("{at}: action must be one of {}", ACTIONS.join(", ")));
        }
    }
    Ok(())
}

/// Seed 003's rules, a warning and a critical rule for every `/health` threshold (which include
/// seed 004's alert levels: p95 500/1,000 ms, error rate 1/5 %, DB pool 70/85 %), and the
/// forecast rules: "reaches critical within 30 days" for products, storage, DB size and orders.
pub fn default_rules(thresholds: &Thresholds) -> Vec<Rule> {
    let rule =
        |name: &str, metric: &str, op: Op, threshold: f64, for_seconds: u64, severity, action: &str| Rule {
            name: name.to_owned(),
            metric: metric.to_owned(),
            op,
            threshold,
            for_seconds,
            keep_firing_seconds: 300,
            severity,
            action: action.to_owned(),
            labels: BTreeMap::new(),
        };
    let mut rules = vec![
        rule("high_cpu_usage", "cpu_percent", Op::Above, 80.0, 300, Severity::Warning, "scale_up"),
        rule("high_memory_usage", "memory_percent", Op::Above, 85.0, 300, Severity::Warning, "investigate"),
        rule(
            "database_connection_limit",
            "db_pool_percent",
            Op::Above,
            90.0,
            60,
            Severity::Critical,
            "expand_pool",
        ),
        rule("api_response_slow", "api_p95_ms", Op::Above, 1_000.0, 300, Severity::Warning, "optimize"),
    ];
    for metric in ThresholdMetric::ALL {
        let levels = thresholds.levels(metric);
        // Machine and request figures swing: they must hold 5 minutes; counts and sizes only grow.
        let (wait, action) = match metric {
            ThresholdMetric::CpuPercent | ThresholdMetric::MemoryPercent => (300, "scale_up"),
            ThresholdMetric::AvgResponseMs | ThresholdMetric::ApiP95Ms => (300, "optimize"),
            ThresholdMetric::ErrorRatePercent => (300, "investigate"),
            ThresholdMetric::DbPoolPercent => (60, "expand_pool"),
            _ => (0, "scale_up"),
        };
        let key = metric.key();
        for (suffix, threshold, severity) in [
            ("warning", levels.warning, Severity::Warning),
            ("critical", levels.critical, Severity::Critical),
        ] {
            rules.push(rule(&format!("{key}_{suffix}"), key, Op::AtLeast, threshold, wait, severity, action));
        }
    }
    for metric in FORECAST_METRICS {
        let name = format!("{}_critical_within_30_days", metric.key());
        rules.push(rule(
            &name,
            &days_until_critical(metric),
            Op::AtMost,
            30.0,
            0,
            Severity::Warning,
            "scale_up",
        ));
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_are_valid_and_carry_the_seeds_levels() {
        let rules = default_rules(&Thresholds::default());
        assert_eq!(validate(&rules), Ok(()));
        let by_name = |name: &str| rules.iter().find(|r| r.name == name).unwrap();
        assert_eq!(by_name("high_cpu_usage").describe(), "cpu_percent > 80 for 300 s");
        assert_eq!(by_name("database_connection_limit").for_seconds, 60);
        assert_eq!(by_name("api_p95_ms_warning").threshold, 500.0);
        assert_eq!(by_name("error_rate_percent_critical").threshold, 5.0);
        assert_eq!(by_name("db_pool_percent_warning").threshold, 70.0);
        let forecast = by_name("products_total_critical_within_30_days");
        assert_eq!(
            (forecast.metric.as_str(), forecast.op, forecast.threshold),
            ("days_until_products_total_critical", Op::AtMost, 30.0)
        );
        assert_eq!(rules.len(), 4 + 2 * 12 + 4);
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let mut rules = default_rules(&Thresholds::default());
        rules[1].metric = "cpu_utilization".to_owned();
        assert!(
            validate(&rules).unwrap_err().starts_with("alerts.rules[1] (high_memory_usage): unknown metric")
        );
        let mut rules = default_rules(&Thresholds::default());
        rules[2].name = rules[0].name.clone();
        assert_eq!(
            validate(&rules).unwrap_err(),
            "alerts.rules[2] (high_cpu_usage): a second rule of this name"
        );
        let mut rules = default_rules(&Thresholds::default());
        rules[0].action = "panic".to_owned();
        assert!(validate(&rules).unwrap_err().contains("action must be one of"));
    }

    #[test]
    fn a_missing_value_never_holds() {
        let rule = &default_rules(&Thresholds::default())[0];
        assert!(rule.holds(Some(80.5)));
        assert!(!rule.holds(Some(80.0)));
        assert!(!rule.holds(None));
    }
}
