//! The `capacity_snapshot` table (migration `m20260101_000006_forecast`).
#![allow(missing_docs)] // columns are documented in the migration

pub mod capacity_snapshot;
