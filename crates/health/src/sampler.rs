//! The system sampler: one long-lived `sysinfo` system refreshed on a background thread, and the
//! data directory's file system read with `statvfs`.
//!
//! A request never waits for a sample: it reads the latest one ([`SystemSampler::latest`]).
//! CPU usage needs two refreshes at least `sysinfo::MINIMUM_CPU_UPDATE_INTERVAL` (200 ms) apart,
//! so the first sample is published about 200 ms after start; until then `latest` is `None`.

use std::path::Path;
use std::time::Duration;

use sysinfo::System;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::round;
use crate::system::{DiskSpace, SystemMetrics, SystemSample};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A handle on the background sampler; cheap to clone. The thread stops once every handle is gone.
#[derive(Debug, Clone)]
pub struct SystemSampler {
    latest: watch::Receiver<Option<SystemSample>>,
}

impl SystemSampler {
    /// Starts sampling every `interval` (at least 200 ms), measuring the file system that holds
    /// `data_dir`.
    pub fn start(data_dir: &Path, interval: Duration) -> std::io::Result<SystemSampler> {
        let interval = interval.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
        let data_dir = std::fs::canonicalize(data_dir)?;
        let mut system = System::new().map_err(std::io::Error::other)?;
        let (sender, latest) = watch::channel(None);
        std::thread::Builder::new().name("orion-system-sampler".to_owned()).spawn(move || {
            system.refresh_cpu_usage();
            std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
            loop {
                let metrics = read(&mut system, &data_dir);
                let sample = SystemSample { metrics, sampled_at: OffsetDateTime::now_utc() };
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

/// The file system holding `path`, as `statvfs(2)` reports it (what `df` shows).
pub fn disk_space(path: &Path) -> std::io::Result<DiskSpace> {
    let stat = rustix::fs::statvfs(path)?;
    let fragment = stat.f_frsize;
    Ok(DiskSpace {
        total: stat.f_blocks.saturating_mul(fragment),
        used: stat.f_blocks.saturating_sub(stat.f_bfree).saturating_mul(fragment),
        available: stat.f_bavail.saturating_mul(fragment),
    })
}

fn read(system: &mut System, data_dir: &Path) -> SystemMetrics {
    system.refresh_cpu_usage();
    system.refresh_memory();
    let disk = disk_space(data_dir).unwrap_or_default();
    let (total_memory, used_memory) = (system.total_memory() as f64, system.used_memory() as f64);
    SystemMetrics {
        cpu_percent: round(f64::from(system.global_cpu_usage()), 1),
        memory_percent: if total_memory > 0.0 { round(used_memory / total_memory * 100.0, 1) } else { 0.0 },
        memory_used_gb: round(used_memory / GIB, 2),
        memory_total_gb: round(total_memory / GIB, 2),
        disk_percent: disk.percent_used(),
        disk_used_gb: round(disk.used as f64 / GIB, 2),
        disk_free_gb: round(disk.available as f64 / GIB, 2),
        disk_total_gb: round(disk.total as f64 / GIB, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
