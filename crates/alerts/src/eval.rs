//! One rule's life, pure: pending while its condition has held for less than `for`, firing after,
//! resolved once the condition has not held for `keep_firing` (so a metric oscillating around
//! the threshold neither fires twice nor resolves in between).

use time::{Duration, OffsetDateTime};

use crate::rule::Rule;

/// A rule's open alert, as the evaluator needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// The condition holds since `since`, not yet `for` long.
    Pending {
        /// When it started holding.
        since: OffsetDateTime,
    },
    /// Firing; the condition last held at `last_true`.
    Firing {
        /// The last evaluation at which it held.
        last_true: OffsetDateTime,
    },
}

/// What an evaluation does to a rule's alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing changes.
    Nothing,
    /// The condition starts holding: a new alert, firing at once when `for` is 0.
    Open {
        /// Whether it fires at once.
        firing: bool,
    },
    /// Pending long enough: it fires.
    Fire,
    /// Pending, and the condition stopped holding before `for`: forgotten, nothing was sent.
    Cancel,
    /// Firing and still holding: the value and the time it last held move on.
    Hold,
    /// Firing, and the condition has not held for `keep_firing`: resolved.
    Resolve,
}

/// The step of `rule` at `now`, given its open alert (if any) and the metric's value (`None`:
/// not measured, which does not hold).
pub fn step(rule: &Rule, open: Option<Open>, value: Option<f64>, now: OffsetDateTime) -> Step {
    let holds = rule.holds(value);
    let waited = |since: OffsetDateTime, seconds: u64| now - since >= Duration::seconds(seconds as i64);
    match (open, holds) {
        (None, false) => Step::Nothing,
        (None, true) => Step::Open { firing: rule.for_seconds == 0 },
        (Some(Open::Pending { since }), true) if waited(since, rule.for_seconds) => Step::Fire,
        (Some(Open::Pending { .. }), true) => Step::Nothing,
        (Some(Open::Pending { .. }), false) => Step::Cancel,
        (Some(Open::Firing { .. }), true) => Step::Hold,
        (Some(Open::Firing { last_true }), false) if waited(last_true, rule.keep_firing_seconds) => {
            Step::Resolve
        }
        (Some(Open::Firing { .. }), false) => Step::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Op, Severity};
    use time::macros::datetime;

    fn rule(for_seconds: u64, keep_firing_seconds: u64) -> Rule {
        Rule {
            name: "high_cpu_usage".to_owned(),
            metric: "cpu_percent".to_owned(),
            op: Op::Above,
            threshold: 80.0,
            for_seconds,
            keep_firing_seconds,
            severity: Severity::Warning,
            action: "scale_up".to_owned(),
            labels: Default::default(),
        }
    }

    /// Runs `values` at 15 s intervals, applying each step to the open alert; returns the steps.
    fn run(rule: &Rule, values: &[f64]) -> Vec<Step> {
        let start = datetime!(2026-11-28 12:00:00 UTC);
        let mut open = None;
        let mut steps = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let now = start + Duration::seconds(15 * i as i64);
            let step = step(rule, open, Some(*value), now);
            open = match (step, open) {
                (Step::Open { firing: false }, _) => Some(Open::Pending { since: now }),
                (Step::Open { firing: true } | Step::Fire | Step::Hold, _) => {
                    Some(Open::Firing { last_true: now })
                }
                (Step::Cancel | Step::Resolve, _) => None,
                (Step::Nothing, open) => open,
            };
            steps.push(step);
        }
        steps
    }

    #[test]
    fn a_condition_shorter_than_for_never_fires_and_a_longer_one_fires_once() {
        let r = rule(60, 0);
        // Held 45 s (4 evaluations), then gone: pending, cancelled.
        let short = run(&r, &[90.0, 90.0, 90.0, 90.0, 10.0]);
        assert!(!short.contains(&Step::Fire), "{short:?}");
        assert_eq!(short.last(), Some(&Step::Cancel));
        // Held 60 s: fires at the fifth evaluation, once; then holds; resolves when it drops.
        let long = run(&r, &[90.0, 90.0, 90.0, 90.0, 90.0, 90.0, 10.0]);
        assert_eq!(
            long,
            [
                Step::Open { firing: false },
                Step::Nothing,
                Step::Nothing,
                Step::Nothing,
                Step::Fire,
                Step::Hold,
                Step::Resolve
            ]
        );
    }

    #[test]
    fn oscillation_inside_keep_firing_does_not_flap() {
        let r = rule(0, 60);
        // Above, below, above, below … every 15 s: fires once, never resolves while it swings.
        let swinging: Vec<f64> = (0..20).map(|i| if i % 2 == 0 { 85.0 } else { 75.0 }).collect();
        let steps = run(&r, &swinging);
        assert_eq!(steps.iter().filter(|s| matches!(s, Step::Open { .. })).count(), 1);
        assert!(!steps.contains(&Step::Resolve), "{steps:?}");
        // Below for 60 s: resolved, once.
        let settles = run(&r, &[85.0, 75.0, 75.0, 75.0, 75.0, 75.0]);
        assert_eq!(settles.iter().filter(|s| **s == Step::Resolve).count(), 1);
        assert_eq!(settles[4], Step::Resolve, "{settles:?}");
    }

    #[test]
    fn an_unmeasured_metric_does_not_hold() {
        let r = rule(0, 0);
        let now = datetime!(2026-11-28 12:00:00 UTC);
        assert_eq!(step(&r, None, None, now), Step::Nothing);
        assert_eq!(step(&r, Some(Open::Firing { last_true: now }), None, now), Step::Resolve);
    }
}
