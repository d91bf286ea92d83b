//! Database figures for `/health`, `/capacity` and `/subscription-capacity`, refreshed in the
//! background so that no request counts a table.
//!
//! Mechanism: one task per process refreshes every `refresh_interval` (default 30 s), so a figure
//! is at most that old plus one refresh; each response says when its figures were measured. On
//! PostgreSQL a table whose planner estimate (`pg_class.reltuples`, kept by autovacuum/ANALYZE) is
//! at or above `exact_count_limit` (default 100,000) is reported by that estimate instead of a
//! `COUNT(*)`, and says so; smaller tables, and every SQLite table, are counted exactly. A failed
//! refresh keeps the last good figures and records the error, so `/health` reports an unreachable
//! database instead of failing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use billing::SoldLimits;
use images::StorageStats;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Statement,
};
use serde::Serialize;
use stores::entity::{order, store};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot, watch};

use crate::assess::{DatabaseStatus, Observation};
use crate::request_stats::RequestSummary;
use crate::rules::Measurements;
use crate::system::SystemMetrics;

/// How the measurements are taken (admin-api's `[monitor]`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MonitorSettings {
    /// Seconds between database figure refreshes (the bound on their staleness).
    pub db_refresh_seconds: u64,
    /// PostgreSQL tables estimated at or above this many rows are reported by the planner's
    /// estimate instead of `COUNT(*)`.
    pub exact_count_limit: u64,
    /// Seconds a database refresh may take before it is reported as failed.
    pub db_refresh_timeout_seconds: u64,
    /// Seconds between CPU/memory/disk samples.
    pub system_sample_seconds: u64,
    /// Seconds of requests behind the latency percentiles and error rate.
    pub request_window_seconds: u64,
}

impl Default for MonitorSettings {
    fn default() -> Self {
        MonitorSettings {
            db_refresh_seconds: 30,
            exact_count_limit: 100_000,
            db_refresh_timeout_seconds: 10,
            system_sample_seconds: 5,
            request_window_seconds: 60,
        }
    }
}

impl MonitorSettings {
    /// The database monitor's settings.
    pub fn db_monitor(&self) -> DbMonitorSettings {
        DbMonitorSettings {
            refresh_interval: Duration::from_secs(self.db_refresh_seconds.max(1)),
            exact_count_limit: self.exact_count_limit,
            refresh_timeout: Duration::from_secs(self.db_refresh_timeout_seconds.max(1)),
        }
    }
}

/// How the database figures are refreshed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbMonitorSettings {
    /// Time between refreshes: the bound on how stale a figure can be.
    pub refresh_interval: Duration,
    /// PostgreSQL tables estimated at or above this many rows use the planner's estimate.
    pub exact_count_limit: u64,
    /// A refresh taking longer than this fails (and is reported), so a hung database is visible.
    pub refresh_timeout: Duration,
}

impl Default for DbMonitorSettings {
    fn default() -> Self {
        DbMonitorSettings {
            refresh_interval: Duration::from_secs(30),
            exact_count_limit: 100_000,
            refresh_timeout: Duration::from_secs(10),
        }
    }
}

/// How a row count was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMethod {
    /// `COUNT(*)` at refresh time.
    Exact,
    /// PostgreSQL's planner estimate (`pg_class.reltuples`), within a few percent after ANALYZE.
    PlannerEstimate,
}

/// A row count and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Rows.
    pub value: u64,
    /// Exact or estimated.
    pub method: CountMethod,
}

/// One refresh's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct DbFigures {
    /// Database size on disk in bytes.
    pub size_bytes: u64,
    /// Products.
    pub products: Count,
    /// Orders.
    pub orders: Count,
    /// Stores.
    pub stores: Count,
    /// Inventory rows.
    pub inventory: Count,
    /// Team members.
    pub team_members: Count,
    /// Merchants.
    pub merchants: Count,
    /// Active stores (exact).
    pub active_stores: u64,
    /// Orders placed since 00:00 UTC on the first of the month (exact, an index range).
    pub orders_this_month: u64,
    /// Products per store code, for stores with products (exact), most products first.
    pub products_by_store: Vec<(String, u64)>,
    /// The limits of every live subscription.
    pub sold_limits: Vec<SoldLimits>,
    /// Image storage counters.
    pub images: StorageStats,
    /// When the refresh started.
    pub measured_at: OffsetDateTime,
    /// How long the refresh took.
    pub took: Duration,
}

impl DbFigures {
    /// What the sold subscriptions allow against these figures (billing's computation).
    pub fn subscription_capacity(&self) -> billing::SubscriptionCapacity {
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let usage = billing::Usage {
            products: as_i64(self.products.value),
            orders_monthly: as_i64(self.orders_this_month),
            team_members: as_i64(self.team_members.value),
        };
        billing::subscription_capacity(&self.sold_limits, usage)
    }
}

/// What the monitor knows now.
#[derive(Debug, Clone, PartialEq)]
pub struct DbState {
    /// The last good figures; `None` until a refresh succeeds.
    pub figures: Option<Arc<DbFigures>>,
    /// When the last refresh was attempted.
    pub last_attempt_at: Option<OffsetDateTime>,
    /// Why the last refresh failed; `None` when it succeeded.
    pub last_error: Option<String>,
    /// The configured refresh interval.
    pub refresh_interval: Duration,
}

impl DbState {
    /// Did the last refresh reach the database?
    pub fn reachable(&self) -> bool {
        self.last_attempt_at.is_some() && self.last_error.is_none()
    }

    /// The database's status as the health assessment sees it.
    pub fn status(&self) -> DatabaseStatus {
        match (&self.last_attempt_at, &self.last_error) {
            (None, _) => DatabaseStatus::NotMeasured,
            (Some(_), Some(error)) => DatabaseStatus::Unreachable(error.clone()),
            (Some(_), None) => DatabaseStatus::Reachable,
        }
    }

    /// What the health assessment looks at: these figures (zeros without any), the latest system
    /// sample and the request window.
    pub fn observation(&self, system: Option<SystemMetrics>, requests: &RequestSummary) -> Observation {
        let figures = self.figures.as_deref();
        let system = system.unwrap_or_default();
        let (products, stores) = figures.map_or((0, 0), |f| (f.products.value, f.stores.value));
        Observation {
            measurements: Measurements {
                products: products as f64,
                storage_gb: crate::gib(figures.map_or(0, |f| f.images.total_bytes)),
                db_size_mb: crate::mib(figures.map_or(0, |f| f.size_bytes)),
                disk_percent: system.disk_percent,
                memory_percent: system.memory_percent,
                cpu_percent: system.cpu_percent,
                monthly_orders: figures.map_or(0, |f| f.orders_this_month) as f64,
                avg_response_ms: requests.avg_ms,
            },
            stores,
            products,
            database: self.status(),
        }
    }

    /// What the sold subscriptions allow against these figures (nothing sold without figures).
    pub fn subscription_capacity(&self) -> billing::SubscriptionCapacity {
        match self.figures.as_deref() {
            Some(figures) => figures.subscription_capacity(),
            None => billing::subscription_capacity(&[], billing::Usage::default()),
        }
    }
}

/// How fresh the database figures are and how the counts were obtained (the `freshness` block of
/// `/health`, `/capacity` and `/subscription-capacity`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Freshness {
    /// When the figures were measured (UTC, RFC 3339, milliseconds); null if the database was
    /// never reached.
    pub measured_at: Option<String>,
    /// Seconds since then, one decimal.
    pub age_seconds: Option<f64>,
    /// Figures are re-measured this often: the bound on their age while the database is up.
    pub refresh_interval_seconds: u64,
    /// Did the last refresh reach the database?
    pub database_reachable: bool,
    /// Why the last refresh failed.
    pub last_error: Option<String>,
    /// Per count: `exact` (COUNT(*) at refresh) or `planner_estimate` (PostgreSQL statistics, for
    /// tables above `exact_count_limit` rows).
    pub counts: std::collections::BTreeMap<&'static str, CountMethod>,
}

/// Seed 001's `DatabaseMetrics` in store terms, plus how fresh they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatabaseMetrics {
    /// Database size, MiB.
    pub size_mb: f64,
    /// Products.
    pub products_count: u64,
    /// Orders.
    pub orders_count: u64,
    /// Stores.
    pub stores_count: u64,
    /// Merchants.
    pub merchants_count: u64,
    /// Inventory rows.
    pub inventory_count: u64,
    /// How fresh these figures are.
    pub freshness: Freshness,
}

impl DbState {
    /// The seed 001 view of these figures as of `now` (zeros before the first refresh).
    pub fn database_metrics(&self, now: OffsetDateTime) -> DatabaseMetrics {
        let count = |of: fn(&DbFigures) -> u64| self.figures.as_deref().map_or(0, of);
        DatabaseMetrics {
            size_mb: crate::mib(count(|f| f.size_bytes)),
            products_count: count(|f| f.products.value),
            orders_count: count(|f| f.orders.value),
            stores_count: count(|f| f.stores.value),
            merchants_count: count(|f| f.merchants.value),
            inventory_count: count(|f| f.inventory.value),
            freshness: self.freshness(now),
        }
    }

    /// How fresh these figures are as of `now`.
    pub fn freshness(&self, now: OffsetDateTime) -> Freshness {
        let figures = self.figures.as_deref();
        let counts = figures
            .map(|f| {
                std::collections::BTreeMap::from([
                    ("products", f.products.method),
                    ("orders", f.orders.method),
                    ("stores", f.stores.method),
                    ("inventory", f.inventory.method),
                    ("team_members", f.team_members.method),
                    ("merchants", f.merchants.method),
                ])
            })
            .unwrap_or_default();
        Freshness {
            measured_at: figures.map(|f| crate::rfc3339(f.measured_at)),
            age_seconds: figures
                .map(|f| ((now - f.measured_at).whole_milliseconds().max(0) as f64 / 100.0).round() / 10.0),
            refresh_interval_seconds: self.refresh_interval.as_secs(),
            database_reachable: self.reachable(),
            last_error: self.last_error.clone(),
            counts,
        }
    }
}

/// Handle on the background refresh task; cheap to clone. The task ends when every handle is gone.
#[derive(Debug, Clone)]
pub struct DbMonitor {
    state: watch::Receiver<Arc<DbState>>,
    refresh_requests: mpsc::Sender<oneshot::Sender<()>>,
}

impl DbMonitor {
    /// Spawns the refresh task on the current tokio runtime; the first refresh starts at once.
    pub fn start(db: DatabaseConnection, settings: DbMonitorSettings) -> DbMonitor {
        let initial = DbState {
            figures: None,
            last_attempt_at: None,
            last_error: None,
            refresh_interval: settings.refresh_interval,
        };
        let (sender, state) = watch::channel(Arc::new(initial));
        let (refresh_requests, mut requests) = mpsc::channel::<oneshot::Sender<()>>(16);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(settings.refresh_interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let waiter = tokio::select! {
                    _ = ticks.tick() => None,
                    request = requests.recv() => match request {
                        Some(waiter) => Some(waiter),
                        None => return, // every handle is gone
                    },
                };
                let previous = sender.borrow().clone();
                let next = refresh(&db, &settings, &previous).await;
                if sender.send(Arc::new(next)).is_err() {
                    return;
                }
                if let Some(waiter) = waiter {
                    let _ = waiter.send(()); // the caller may have stopped waiting
                }
            }
        });
        DbMonitor { state, refresh_requests }
    }

    /// The current state, without waiting.
    pub fn latest(&self) -> Arc<DbState> {
        self.state.borrow().clone()
    }

    /// Refreshes now and returns the new state (start-up, tests, and after a known change).
    pub async fn refresh_now(&self) -> Arc<DbState> {
        let (done, finished) = oneshot::channel();
        if self.refresh_requests.send(done).await.is_ok() {
            let _ = finished.await;
        }
        self.latest()
    }
}

async fn refresh(db: &DatabaseConnection, settings: &DbMonitorSettings, previous: &DbState) -> DbState {
    let attempt = OffsetDateTime::now_utc();
    let result = match tokio::time::timeout(settings.refresh_timeout, measure(db, settings, attempt)).await {
        Ok(result) => result.map_err(|error| error.to_string()),
        Err(_) => Err(format!("refresh took longer than {:?}", settings.refresh_timeout)),
    };
    match result {
        Ok(figures) => DbState {
            figures: Some(Arc::new(figures)),
            last_attempt_at: Some(attempt),
            last_error: None,
            refresh_interval: settings.refresh_interval,
        },
        Err(error) => {
            tracing::warn!(%error, "database figures refresh failed; keeping the last good figures");
            DbState {
                figures: previous.figures.clone(),
                last_attempt_at: Some(attempt),
                last_error: Some(error),
                refresh_interval: settings.refresh_interval,
            }
        }
    }
}

/// Measures every figure once.
pub async fn measure(
    db: &impl ConnectionTrait,
    settings: &DbMonitorSettings,
    now: OffsetDateTime,
) -> crate::Result<DbFigures> {
    let started = Instant::now();
    let count = |table: &'static str| count_rows(db, table, settings.exact_count_limit);
    let orders_this_month = order::Entity::find()
        .filter(order::Column::CreatedAt.gte(merchants::Timestamp::from(billing::month_start(now))))
        .count(db)
        .await?;
    let by_store = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT s.code AS code, COUNT(*) AS n FROM product p JOIN store s ON s.id = p.store_id \
             GROUP BY s.code ORDER BY n DESC, s.code",
        ))
        .await?;
    let products_by_store = by_store
        .iter()
        .map(|row| Ok((row.try_get::<String>("", "code")?, to_u64(row.try_get::<i64>("", "n")?))))
        .collect::<std::result::Result<Vec<_>, DbErr>>()?;
    Ok(DbFigures {
        size_bytes: database_size(db).await?,
        products: count("product").await?,
        orders: count("order").await?,
        stores: count("store").await?,
        inventory: count("inventory").await?,
        team_members: count("team_member").await?,
        merchants: count("merchant").await?,
        active_stores: store::Entity::find().filter(store::Column::IsActive.eq(true)).count(db).await?,
        orders_this_month,
        products_by_store,
        sold_limits: billing::load_sold_limits(db).await?,
        images: images::load_storage_stats(db).await?,
        measured_at: now,
        took: started.elapsed(),
    })
}

async fn count_rows(
    db: &impl ConnectionTrait,
    table: &'static str,
    exact_limit: u64,
) -> Result<Count, DbErr> {
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        let estimate = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                "SELECT reltuples::BIGINT AS n FROM pg_class WHERE oid = to_regclass($1)",
                [format!("\"{table}\"").into()],
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?;
        // reltuples is -1 until the table is first vacuumed or analysed: count it then.
        if let Some(estimate) = estimate.and_then(|n| u64::try_from(n).ok())
            && estimate >= exact_limit
        {
            return Ok(Count { value: estimate, method: CountMethod::PlannerEstimate });
        }
    }
    let exact =
        single_u64(db, Statement::from_string(backend, format!(r#"SELECT COUNT(*) AS n FROM "{table}""#)))
            .await?;
    Ok(Count { value: exact, method: CountMethod::Exact })
}

async fn database_size(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "SELECT pg_database_size(current_database())::BIGINT AS n",
        _ => "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()",
    };
    single_u64(db, Statement::from_string(backend, sql)).await
}

async fn single_u64(db: &impl ConnectionTrait, statement: Statement) -> Result<u64, DbErr> {
    let row = db.query_one_raw(statement).await?;
    Ok(row.map(|row| row.try_get::<i64>("", "n")).transpose()?.map_or(0, to_u64))
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
