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
    Assessment { overall, thresholds: evaluated, recommendations, tier }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(database: DatabaseStatus) -> Observation {
        Observation { measurements: Measurements::default(), stores: 3, products: 40, database }
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
