//! `GET /projections`: every snapshot metric projected 3, 6 and 12 months ahead from its best
//! fit, the fitted stores and products mapped to the infrastructure tier and its cost, and the
//! growth scenarios from the latest snapshot. Pure.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::fit::{Band, FittedHistory, Method, NoEstimate};
use crate::metric::{Metric, Snapshot, fit_each};
use crate::plan::{PlannedMonth, Scenario, project_scenario, tier_and_cost};
use crate::round;

/// The horizons: months, and the days they stand for.
pub const HORIZONS: [(u32, u32); 3] = [(3, 91), (6, 182), (12, 365)];

/// One metric's projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricProjection {
    /// The fit used.
    pub method: Method,
    /// The latest value.
    pub current: f64,
    /// Horizon in months → `[low 80 %, expected, high 80 %]`.
    pub months: BTreeMap<u32, Band>,
}

/// A scenario and its months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioProjection {
    /// The scenario.
    #[serde(flatten)]
    pub scenario: Scenario,
    /// Month by month.
    pub months: Vec<PlannedMonth>,
}

/// The projections (seed 003 scenarios next to the fitted ones).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projections {
    /// The latest snapshot the projections start from.
    pub based_on: Option<Date>,
    /// Stores then.
    pub stores: i64,
    /// Products then.
    pub products: i64,
    /// Per snapshot metric: the chosen fit and its 3/6/12-month bands (absent without enough
    /// history).
    pub metrics: BTreeMap<&'static str, MetricProjection>,
    /// Stores and products of the fitted projection at 3/6/12 months, with tier and cost.
    pub fitted_tiers: Vec<PlannedMonth>,
    /// The scenarios, 12 months each, with tier and cost.
    pub scenarios: Vec<ScenarioProjection>,
}

impl Projections {
    /// These projections with `scenarios` (12 months each) from the latest snapshot's stores and
    /// products, in place of any they had.
    pub fn with_scenarios(&self, scenarios: Vec<Scenario>) -> Projections {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let scenarios = scenarios
            .into_iter()
            .map(|scenario| ScenarioProjection {
                months: project_scenario(count(self.stores), count(self.products), 12, &scenario),
                scenario,
            })
            .collect();
        Projections { scenarios, ..self.clone() }
    }

    /// The expected value of `metric` `months` ahead, if projected.
    pub fn expected(&self, metric: Metric, months: u32) -> Option<f64> {
        self.metrics.get(metric.name())?.months.get(&months).map(|band| band.expected)
    }
}

/// Projections of `history` (oldest first) and `scenarios` from its latest snapshot.
pub fn projections(history: &[Snapshot], scenarios: Vec<Scenario>) -> Projections {
    projections_of(history, &fit_each(history), scenarios)
}

/// [`projections`] from the metrics' series already fitted ([`fit_each`]).
pub(crate) fn projections_of(
    history: &[Snapshot],
    fits: &[(Metric, Result<FittedHistory, NoEstimate>)],
    scenarios: Vec<Scenario>,
) -> Projections {
    let latest = history.last();
    let (stores, products) = latest.map_or((0, 0), |s| (s.total_stores, s.total_products));
    let days: Vec<u32> = HORIZONS.iter().map(|(_, days)| *days).collect();
    let mut metrics = BTreeMap::new();
    for (metric, fitted) in fits {
        let (Ok(fitted), Some(latest)) = (fitted, latest) else { continue };
        let current = metric.of(latest); // the series' last value
        if let Some((method, bands)) = fitted.project(&days) {
            let months = HORIZONS
                .iter()
                .zip(bands)
                .map(|((m, _), b)| {
                    (
                        *m,
                        Band { low: round(b.low, 2), expected: round(b.expected, 2), high: round(b.high, 2) },
                    )
                })
                .collect();
            metrics.insert(metric.name(), MetricProjection { method, current, months });
        }
    }
    let mut projected = Projections {
        based_on: latest.map(|s| s.snapshot_date),
        stores,
        products,
        metrics,
        fitted_tiers: Vec::new(),
        scenarios: Vec::new(),
    };
    projected.fitted_tiers = HORIZONS
        .iter()
        .filter_map(|(month, _)| {
            let whole = |metric| projected.expected(metric, *month).map(|v| v.max(0.0).round() as u64);
            let (s, p) = (whole(Metric::TotalStores)?, whole(Metric::TotalProducts)?);
            let (tier, cost) = tier_and_cost(s, p);
            Some(PlannedMonth {
                month: *month,
                stores: s,
                products: p,
                infrastructure_tier: tier,
                monthly_cost_eur: cost,
            })
        })
        .collect();
    projected.with_scenarios(scenarios)
}
