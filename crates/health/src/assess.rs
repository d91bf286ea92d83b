//! The health policy in one place: what the measurements mean for the platform's overall status
//! and what to do about them. Pure: the caller gathers the measurements (see `observe` with the
//! `db` feature), this decides.

use serde::Serialize;

use crate::rules::{
    Measurements, OverallStatus, Priority, Recommendation, ThresholdStatus, Thresholds, TierAssessment,
    concerns, evaluate_thresholds, infrastructure_tier, overall_status, recommendations,
};

/// Whether the database figures behind the measurements are current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum DatabaseStatus {
    /// The last refresh reached the database.
    Reachable,
    /// The last refresh failed (the figures are the last good ones, or missing).
    Unreachable(String),
    /// No refresh has finished yet.
    NotMeasured,
}

/// What was measured, as the assessment needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The thresholds' inputs.
    pub measurements: Measurements,
    /// Stores (for the infrastructure tier).
    pub stores: u64,
    /// Products (for the infrastructure tier).
    pub products: u64,
    /// Whether the database figures are current.
    pub database: DatabaseStatus,
    /// The shared rate-limit backend's recent failures, if any (`None`: it answered, or the
    /// limiter is in-process).
    pub rate_limiter: Option<RateLimiterTrouble>,
}

/// The shared rate-limit backend (Redis) failed to answer recently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimiterTrouble {
    /// Checks it could not answer since the process started.
    pub failed_checks: u64,
    /// When it last failed.
    pub last_failure: time::OffsetDateTime,
    /// Whether requests pass unlimited meanwhile (`rate_limit.fail_open`) or get 503.
    pub fail_open: bool,
}

impl RateLimiterTrouble {
    /// A warning when requests pass unlimited; critical when they are refused.
    fn recommendation(&self) -> Recommendation {
        let (priority, effect) = if self.fail_open {
            (Priority::Warning, "requests pass without limits while it is away (rate_limit.fail_open = true)")
        } else {
            (
                Priority::Critical,
                "rate-limited routes answer 503 while it is away (rate_limit.fail_open = false)",
            )
        };
        let at = self.last_failure.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        Recommendation {
            priority,
            title: "Rate limiter backend unreachable".to_owned(),
            description: format!(
                "{} rate-limit checks could not reach the shared backend (Redis) since start, the last at {at}; {effect}",
                self.failed_checks
            ),
            action: Some(
                "Check the Redis at rate_limit.redis_url; limiting resumes by itself when it answers"
                    .to_owned(),
            ),
        }
    }
}

/// The verdict on one observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Healthy, degraded or critical.
    pub overall: OverallStatus,
    /// Every threshold with its status.
    pub thresholds: Vec<ThresholdStatus>,
    /// What to do, most important first.
    pub recommendations: Vec<Recommendation>,
    /// The infrastructure tier the counts call for.
    pub tier: TierAssessment,
}

/// Seed 001's rules over `observation`, plus Orion's one addition: a database that cannot be
/// reached outranks every figure (they may be stale or missing), so the platform is critical and
/// the first recommendation says why.
pub fn assess(observation: &Observation, thresholds: &Thresholds) -> Assessment {
    let evaluated = evaluate_thresholds(&observation.measurements, thresholds);
    let tier = infrastructure_tier(observation.stores, observation.products);
    let reason = match &observation.database {
        DatabaseStatus::Reachable => None,
        DatabaseStatus::Unreachable(error) => {
            Some(format!("The last refresh of the database figures failed: {error}"))
        }
        DatabaseStatus::NotMeasured => Some("The database figures have not been measured yet".to_owned()),
    };
    let (overall, recommendations) = match reason {
        None => (
            overall_status(&evaluated),
            recommendations(&evaluated, observation.stores, observation.products),
        ),
        Some(description) => {
            let mut list = vec![Recommendation {
                priority: Priority::Critical,
                title: "Database unreachable".to_owned(),
                description,
                action: Some("Check the database server and database.url; see /readyz".to_owned()),
            }];
            list.extend(concerns(&evaluated, observation.stores, observation.products));
            (OverallStatus::Critical, list)
        }
    };
    let (overall, recommendations) = match observation.rate_limiter {
        None => (overall, recommendations),
        Some(trouble) => with_limiter_trouble(overall, recommendations, &trouble),
    };
    Assessment { overall, thresholds: evaluated, recommendations, tier }
}

/// The limiter's trouble joins the list by its priority (replacing "all healthy"); failing closed
/// refuses requests, so the platform is at least degraded.
fn with_limiter_trouble(
    overall: OverallStatus,
    mut list: Vec<Recommendation>,
    trouble: &RateLimiterTrouble,
) -> (OverallStatus, Vec<Recommendation>) {
    list.retain(|r| r.priority != Priority::Info || r.title != crate::rules::ALL_HEALTHY);
    let recommendation = trouble.recommendation();
    let at = list.iter().position(|r| r.priority < recommendation.priority).unwrap_or(list.len());
    list.insert(at, recommendation);
    let overall = if trouble.fail_open { overall } else { overall.max(OverallStatus::Degraded) };
    (overall, list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(database: DatabaseStatus) -> Observation {
        Observation {
            measurements: Measurements::default(),
            stores: 3,
            products: 40,
            database,
            rate_limiter: None,
        }
    }

    #[test]
    fn a_failing_rate_limiter_backend_is_a_warning_when_open_and_degrades_when_closed() {
        let last_failure = time::macros::datetime!(2026-11-28 12:00:00 UTC);
        let trouble = RateLimiterTrouble { failed_checks: 42, last_failure, fail_open: true };
        let open = Observation { rate_limiter: Some(trouble), ..observation(DatabaseStatus::Reachable) };
        let verdict = assess(&open, &Thresholds::default());
        assert_eq!(verdict.overall, OverallStatus::Healthy);
        let titles: Vec<&str> = verdict.recommendations.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, ["Rate limiter backend unreachable"], "no 'all healthy' beside it");
        assert_eq!(verdict.recommendations[0].priority, Priority::Warning);
        assert!(verdict.recommendations[0].description.starts_with("42 rate-limit checks"));
        assert!(verdict.recommendations[0].description.contains("2026-11-28T12:00:00Z"));
        let closed = Observation {
            rate_limiter: Some(RateLimiterTrouble { fail_open: false, ..trouble }),
            ..observation(DatabaseStatus::Unreachable("down".to_owned()))
        };
        let verdict = assess(&closed, &Thresholds::default());
        assert_eq!(verdict.overall, OverallStatus::Critical, "the database outranks it");
        let priorities: Vec<Priority> = verdict.recommendations.iter().map(|r| r.priority).collect();
        assert_eq!(priorities, [Priority::Critical, Priority::Critical]);
        assert_eq!(verdict.recommendations[1].title, "Rate limiter backend unreachable");
    }

    #[test]
    fn a_reachable_quiet_platform_is_healthy() {
        let verdict = assess(&observation(DatabaseStatus::Reachable), &Thresholds::default());
        assert_eq!(verdict.overall, OverallStatus::Healthy);
        assert_eq!(verdict.recommendations.len(), 1);
        assert_eq!(verdict.recommendations[0].title, "All systems healthy");
        assert_eq!(verdict.tier.name, "Starter");
    }

    #[test]
    fn an_unreachable_database_is_critical_and_says_why_first() {
        for status in
            [DatabaseStatus::Unreachable("connection refused".to_owned()), DatabaseStatus::NotMeasured]
        {
            let verdict = assess(&observation(status.clone()), &Thresholds::default());
            assert_eq!(verdict.overall, OverallStatus::Critical, "{status:?}");
            let titles: Vec<&str> = verdict.recommendations.iter().map(|r| r.title.as_str()).collect();
            assert_eq!(titles, ["Database unreachable"], "{status:?}: no 'all healthy' beside it");
        }
        let verdict =
            assess(&observation(DatabaseStatus::Unreachable("timed out".to_owned())), &Thresholds::default());
        assert!(verdict.recommendations[0].description.ends_with("timed out"));
    }
}
