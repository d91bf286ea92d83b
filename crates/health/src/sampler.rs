//! The system sampler: one long-lived `sysinfo` system refreshed on a background thread.
//!
//! A request never waits for a sample: it reads the latest one ([`SystemSampler::latest`]).
//! CPU usage needs two refreshes at least `sysinfo::MINIMUM_CPU_UPDATE_INTERVAL` (200 ms) apart,
//! so the first sample is published about 200 ms after start; until then `latest` is `None`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sysinfo::{Disks, System};
use tokio::sync::watch;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

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
    /// The data directory's disk, % used.
    pub disk_percent: f64,
    /// The data directory's disk, GiB used (two decimals).
    pub disk_used_gb: f64,
    /// The data directory's disk, GiB in all (two decimals).
    pub disk_total_gb: f64,
}

/// A sample and when it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SystemSample {
    /// The figures.
    pub metrics: SystemMetrics,
    /// When they were read (UTC).
    pub sampled_at: DateTime<Utc>,
}

/// A handle on the background sampler; cheap to clone. The thread stops once every handle is gone.
#[derive(Debug, Clone)]
pub struct SystemSampler {
    latest: watch::Receiver<Option<SystemSample>>,
}

impl SystemSampler {
    /// Starts sampling every `interval` (at least 200 ms), measuring the disk that holds `data_dir`.
    pub fn start(data_dir: &Path, interval: Duration) -> std::io::Result<SystemSampler> {
        let interval = interval.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
        let data_dir = std::fs::canonicalize(data_dir)?;
        let mut system = System::new().map_err(std::io::Error::other)?;
        let (sender, latest) = watch::channel(None);
        std::thread::Builder::new().name("orion-system-sampler".to_owned()).spawn(move || {
            system.refresh_cpu_usage();
            std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
            loop {
                let sample = SystemSample { metrics: read(&mut system, &data_dir), sampled_at: Utc::now() };
                if sender.send(Some(sample)).is_err() {
                    return; // every SystemSampler handle is gone
                }
                std::thread::sleep(interval);
            }
        })?;
        Ok(SystemSampler { latest })
    }

    /// The latest sample, without waiting; `None` until the first one (~200 ms after start).
    pub fn latest(&self) -> Option<SystemSample> {
        *self.latest.borrow()
    }

    /// Waits for the first sample (for start-up and tests; requests use [`Self::latest`]).
    pub async fn first_sample(&self) -> Option<SystemSample> {
        let mut receiver = self.latest.clone();
        receiver.wait_for(Option::is_some).await.ok().and_then(|sample| *sample)
    }
}

fn read(system: &mut System, data_dir: &Path) -> SystemMetrics {
    system.refresh_cpu_usage();
    system.refresh_memory();
    let disks = Disks::new_with_refreshed_list().map(|disks| {
        disks
            .iter()
            .map(|d| DiskSpace {
                mount_point: d.mount_point().to_path_buf(),
                total: d.total_space(),
                available: d.available_space(),
            })
            .collect::<Vec<_>>()
    });
    let disk = disks.ok().and_then(|disks| disk_holding(data_dir, &disks).cloned());
    let (total_memory, used_memory) = (system.total_memory() as f64, system.used_memory() as f64);
    let (disk_total, disk_used) =
        disk.map_or((0.0, 0.0), |d| (d.total as f64, d.total.saturating_sub(d.available) as f64));
    SystemMetrics {
        cpu_percent: round(f64::from(system.global_cpu_usage()), 1),
        memory_percent: percent(used_memory, total_memory),
        memory_used_gb: round(used_memory / GIB, 2),
        memory_total_gb: round(total_memory / GIB, 2),
        disk_percent: percent(disk_used, disk_total),
        disk_used_gb: round(disk_used / GIB, 2),
        disk_total_gb: round(disk_total / GIB, 2),
    }
}

/// Space on one mounted file system, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskSpace {
    /// Where it is mounted.
    pub mount_point: PathBuf,
    /// Size.
    pub total: u64,
    /// Free for unprivileged use.
    pub available: u64,
}

/// The disk whose mount point is the longest prefix of `path` (the file system that holds it).
pub fn disk_holding<'a>(path: &Path, disks: &'a [DiskSpace]) -> Option<&'a DiskSpace> {
    disks
        .iter()
        .filter(|disk| path.starts_with(&disk.mount_point))
        .max_by_key(|disk| disk.mount_point.components().count())
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { round(part / whole * 100.0, 1) } else { 0.0 }
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(mount: &str) -> DiskSpace {
        DiskSpace { mount_point: PathBuf::from(mount), total: 100, available: 50 }
    }

    #[test]
    fn the_data_directory_is_measured_on_the_deepest_mount_that_holds_it() {
        let disks = [disk("/"), disk("/var"), disk("/var/lib/orion"), disk("/var/lib/orion-other")];
        let check = |path: &str, mount: &str| {
            assert_eq!(
                disk_holding(Path::new(path), &disks).map(|d| d.mount_point.clone()),
                Some(PathBuf::from(mount))
            );
        };
        check("/var/lib/orion/data", "/var/lib/orion");
        check("/var/lib/orionette", "/var");
        check("/home/ops", "/");
        assert_eq!(disk_holding(Path::new("/x"), &[disk("/var")]), None);
    }

    #[tokio::test]
    async fn the_sampler_publishes_real_figures_in_the_background() {
        let dir = std::env::temp_dir();
        let sampler = SystemSampler::start(&dir, Duration::from_millis(200)).unwrap();

        let sample = sampler.first_sample().await.unwrap();

        let m = sample.metrics;
        assert!(m.memory_total_gb > 0.0 && m.memory_used_gb <= m.memory_total_gb, "{m:?}");
        assert!((0.0..=100.0).contains(&m.memory_percent), "{m:?}");
        assert!((0.0..=100.0).contains(&m.cpu_percent), "{m:?}");
        assert!(m.disk_total_gb > 0.0 && (0.0..=100.0).contains(&m.disk_percent), "{m:?}");
        assert!(sampler.latest().is_some());
    }
}
