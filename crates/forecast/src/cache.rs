//! The [`Outlook`] of the current snapshot history, computed once per state of the history and
//! shared by every request (feature `db`).
//!
//! Whether the history changed is asked of the database at most once per second (one indexed
//! `COUNT(*)`/`MAX(id)`), so a snapshot captured by another instance shows within a second; a
//! capture in this process calls [`OutlookCache::invalidate`]. While one request asks, the others
//! are answered from the outlook there is (under load, a slow database then delays one request a
//! second instead of every forecast route: seed 004's peak test found p99 10 s before).
//! Recomputing fits every metric on up to two years of days (a few hundred milliseconds); it runs
//! on the blocking pool, once, while concurrent requests wait for it.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use health::Thresholds;
use sea_orm::ConnectionTrait;
use time::{Date, OffsetDateTime};

use crate::{HISTORY_DAYS, Metric, MetricForecast, Outlook, Result, history};

/// A state of the snapshot history: rows, the newest row, and the day it is seen from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Generation {
    rows: u64,
    newest: i64,
    today: Date,
}

/// See the module documentation. One per process, shared.
#[derive(Debug)]
pub struct OutlookCache {
    thresholds: Thresholds,
    latest: RwLock<Option<(Generation, Arc<Outlook>)>>,
    checked_second: AtomicI64,
    refreshing: tokio::sync::Mutex<()>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl OutlookCache {
    /// An empty cache forecasting against the critical levels of `thresholds`.
    pub fn new(thresholds: Thresholds) -> OutlookCache {
        OutlookCache {
            thresholds,
            latest: RwLock::new(None),
            checked_second: AtomicI64::new(i64::MIN),
            refreshing: tokio::sync::Mutex::new(()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The outlook of the history as of `now`.
    pub async fn current(&self, db: &impl ConnectionTrait, now: OffsetDateTime) -> Result<Arc<Outlook>> {
        let second = now.unix_timestamp();
        if let Some(fresh) = self.fresh(second) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(fresh);
        }
        // One request checks the history; the others meanwhile get the outlook there is (a check
        // old at most), so a slow database holds up one request a second, not all of them.
        let _one_at_a_time = match self.refreshing.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                match self.latest.read().ok().and_then(|latest| latest.as_ref().map(|(_, o)| o.clone())) {
                    Some(current) => {
                        self.hits.fetch_add(1, Ordering::Relaxed);
                        return Ok(current);
                    }
                    None => self.refreshing.lock().await,
                }
            }
        };
        if let Some(fresh) = self.fresh(second) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(fresh); // another request refreshed it meanwhile
        }
        let generation = generation(db, now.date()).await?;
        let cached = self.latest.read().ok().and_then(|latest| latest.clone());
        let outlook = match cached {
            Some((seen, outlook)) if seen == generation => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                outlook
            }
            _ => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                let snapshots = history(db, generation.today, HISTORY_DAYS).await?;
                let thresholds = self.thresholds;
                let computed = tokio::task::spawn_blocking(move || Outlook::compute(snapshots, &thresholds))
                    .await
                    .map_err(|e| crate::Error::Compute(e.to_string()))?;
                let outlook = Arc::new(computed);
                if let Ok(mut latest) = self.latest.write() {
                    *latest = Some((generation, outlook.clone()));
                }
                outlook
            }
        };
        self.checked_second.store(second, Ordering::Release);
        Ok(outlook)
    }

    /// When `metric` of the history as of `now` reaches `threshold`: the outlook's forecast for a
    /// configured level, else asked now, on the blocking pool, of the metric's series the outlook
    /// keeps fitted (the intervals only: no refit).
    pub async fn forecast(
        &self,
        db: &impl ConnectionTrait,
        now: OffsetDateTime,
        metric: Metric,
        threshold: f64,
    ) -> Result<MetricForecast> {
        let outlook = self.current(db, now).await?;
        if let Some(cached) = outlook.precomputed(metric, threshold) {
            return Ok(cached.clone());
        }
        tokio::task::spawn_blocking(move || outlook.forecast(metric, threshold))
            .await
            .map_err(|e| crate::Error::Compute(e.to_string()))
    }

    /// Lookups so far: (answered with the outlook computed before, recomputed). A request that
    /// waited for another's recomputation counts as answered from the cache.
    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// Forget that the history was checked: the next request asks the database again (after a
    /// capture in this process).
    pub fn invalidate(&self) {
        self.checked_second.store(i64::MIN, Ordering::Release);
    }

    fn fresh(&self, second: i64) -> Option<Arc<Outlook>> {
        if self.checked_second.load(Ordering::Acquire) != second {
            return None;
        }
        self.latest.read().ok()?.as_ref().map(|(_, outlook)| outlook.clone())
    }
}

async fn generation(db: &impl ConnectionTrait, today: Date) -> Result<Generation> {
    use merchants::sql::{query_pairs, statement};
    let row = query_pairs(
        db,
        statement(
            db.get_database_backend(),
            "SELECT COALESCE(MAX(id), 0) AS k, COUNT(*) AS n FROM capacity_snapshot",
            [],
        ),
    )
    .await?;
    let (newest, rows) = row.first().copied().unwrap_or((0, 0));
    Ok(Generation { rows, newest, today })
}
