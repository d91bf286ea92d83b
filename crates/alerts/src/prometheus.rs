//! The rules as a Prometheus rule file, for teams that run Prometheus: each rule watches
//! `orion_alert_input{metric="…"}`, the value Orion's own evaluation last saw (exported on
//! `/metrics`), with the same comparison, `for`, `keep_firing_for`, labels and annotations.

use std::fmt::Write;

use crate::payload::{annotations, labels};
use crate::rule::Rule;

/// The Prometheus rule file (YAML) of `rules`, in one group `orion`.
pub fn prometheus_rules(rules: &[Rule]) -> String {
    let mut out = String::from(
        "# Orion's alert rules as a Prometheus rule file (admin-api alerts export-prometheus-rules).\n\
         # Each watches orion_alert_input{metric=...}: the value Orion's evaluation last saw, on /metrics.\n\
         groups:\n  - name: orion\n    rules:\n",
    );
    for rule in rules {
        let expr = format!(
            "orion_alert_input{{metric=\"{}\"}} {} {}",
            rule.metric,
            rule.op.symbol(),
            rule.threshold
        );
        let _ = writeln!(out, "      - alert: {}", quote(&rule.name));
        let _ = writeln!(out, "        expr: {}", quote(&expr));
        let _ = writeln!(out, "        for: {}s", rule.for_seconds);
        let _ = writeln!(out, "        keep_firing_for: {}s", rule.keep_firing_seconds);
        out.push_str("        labels:\n");
        for (key, value) in labels(rule).iter().filter(|(k, _)| *k != "alertname") {
            let _ = writeln!(out, "          {key}: {}", quote(value));
        }
        out.push_str("        annotations:\n");
        for (key, value) in annotations(rule, f64::NAN).iter().filter(|(k, _)| *k != "description") {
            let _ = writeln!(out, "          {key}: {}", quote(value));
        }
        let _ = writeln!(
            out,
            "          description: {}",
            quote(&format!("{} is {{{{ $value }}}}", rule.metric))
        );
    }
    out
}

/// A YAML single-quoted scalar.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_becomes_one_alerting_rule() {
        let rules = crate::default_rules(&health::Thresholds::default());
        let yaml = prometheus_rules(&rules);
        assert_eq!(yaml.matches("      - alert: ").count(), rules.len());
        assert!(yaml.contains(
            "      - alert: 'high_cpu_usage'\n        expr: 'orion_alert_input{metric=\"cpu_percent\"} > 80'\n        for: 300s\n        keep_firing_for: 300s\n"
        ), "{yaml}");
        assert!(
            yaml.contains("expr: 'orion_alert_input{metric=\"days_until_products_total_critical\"} <= 30'")
        );
        assert_eq!(quote("it's"), "'it''s'");
    }
}
