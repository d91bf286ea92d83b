//! System figures as plain values (the sampler that measures them is behind the `sampler`
//! feature).

use serde::Serialize;
use time::OffsetDateTime;

/// System resource metrics (seed 001 `SystemMetrics`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct SystemMetrics {
    /// Whole-machine CPU usage, %.
    pub cpu_percent: f64,
    /// Memory used, %.
    pub memory_percent: f64,
    /// Memory used, GiB (two decimals).
    pub memory_used_gb: f64,
    /// Memory installed, GiB (two decimals).
    pub memory_total_gb: f64,
    /// The data directory's file system, % used as `df` counts it: used / (used + available).
    pub disk_percent: f64,
    /// The data directory's file system, GiB used: (blocks − free blocks) × fragment size.
    pub disk_used_gb: f64,
    /// The data directory's file system, GiB available to the service (what `df` calls `Avail`).
    pub disk_free_gb: f64,
    /// The data directory's file system, GiB in all.
    pub disk_total_gb: f64,
}

/// A sample and when it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SystemSample {
    /// The figures.
    pub metrics: SystemMetrics,
    /// When they were read (UTC).
    pub sampled_at: OffsetDateTime,
}

/// Space on one file system as `statvfs` reports it, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DiskSpace {
    /// Size (blocks × fragment size).
    pub total: u64,
    /// Used (blocks − free blocks) × fragment size; includes nothing reserved for root.
    pub used: u64,
    /// Available to unprivileged users (available blocks × fragment size).
    pub available: u64,
}

impl DiskSpace {
    /// % used as `df` and psutil's `disk_usage().percent` count it: used / (used + available),
    /// rounded as Python's `round(x, 1)`. Blocks reserved for root are neither used nor available
    /// to the service.
    pub fn percent_used(&self) -> f64 {
        let usable = self.used.saturating_add(self.available);
        if usable == 0 { 0.0 } else { crate::round1(self.used as f64 / usable as f64 * 100.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_use_counts_like_df_and_ignores_reserved_blocks() {
        // 252 GB in all, 12 GB used, 80 GB available: the rest is reserved or unavailable.
        let gb = 1_000_000_000u64;
        let disk = DiskSpace { total: 252 * gb, used: 12 * gb, available: 80 * gb };
        assert_eq!(disk.percent_used(), 13.0);
        assert_eq!(DiskSpace::default().percent_used(), 0.0);
    }
}
