//! Forecasting: daily capacity snapshots, growth trends, days-until-threshold, projections,
//! growth scenarios, the sizing calculator, and reports.
//!
//! Not built yet: the `capacity_snapshot` table is in `migration/`; the rest arrives with the
//! forecasting issue.
