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
//!
//! [`measure`] takes the moment to measure at: the monitor passes now, the daily snapshot passes
//! now too, and the demo's back-fill passes past days. Every figure counts the rows created by
//! then (activity, rolling windows, subscriptions live then), so a back-filled day is what a
//! capture on that day would have measured, except for what was deleted or edited since: rows
//! deleted later are not seen, and a store's enabled flag is today's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use billing::SoldLimits;
use images::StorageStats;
use merchants::Timestamp;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Statement, Value,
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

/// One refresh's figures, as of [`DbFigures::measured_at`].
#[derive(Debug, Clone, PartialEq)]
pub struct DbFigures {
    /// Database size on disk in bytes (for a past moment: today's size scaled by the share of
    /// today's rows that existed then).
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
    /// Stores with the enabled flag set (`is_active`).
    pub enabled_stores: u64,
    /// Stores with activity in the 30 days up to the measurement (seed 000): an order, a product
    /// created, or an inventory change (`last_activity_at`).
    pub active_stores: u64,
    /// Orders since 00:00 UTC on the first of the month (a display figure).
    pub orders_this_month: u64,
    /// Orders of the last 30 days (rolling): what the `monthly_orders` threshold, the monthly
    /// order capacity and the order forecasts use, free of the month-start drop.
    pub orders_last_30_days: u64,
    /// Products per store code, for stores with products, most products first.
    pub products_by_store: Vec<(String, u64)>,
    /// The limits of every subscription live at the measurement.
    pub sold_limits: Vec<SoldLimits>,
    /// Stores of merchants in their trial.
    pub trial_stores: u64,
    /// Live subscriptions past their trial (paid for).
    pub paying_subscriptions: u64,
    /// New and churned merchants.
    pub dynamics: billing::MerchantDynamics,
    /// Merchants over a limit of their tier, largest overshoot first.
    pub over_limit: Vec<billing::OverLimit>,
    /// Image storage counters.
    pub images: StorageStats,
    /// The moment measured (when the refresh started, for the monitor).
    pub measured_at: OffsetDateTime,
    /// How long the measurement took.
    pub took: Duration,
}

impl DbFigures {
    /// What the sold subscriptions allow against these figures (billing's computation; monthly
    /// orders are the rolling 30 days).
    pub fn subscription_capacity(&self) -> billing::SubscriptionCapacity {
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let usage = billing::Usage {
            products: as_i64(self.products.value),
            orders_monthly: as_i64(self.orders_last_30_days),
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
    /// sample, the request window and the connection pool's use (%, see
    /// `migration::pool_usage_percent`).
    pub fn observation(
        &self,
        system: Option<SystemMetrics>,
        requests: &RequestSummary,
        db_pool_percent: f64,
    ) -> Observation {
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
                monthly_orders: figures.map_or(0, |f| f.orders_last_30_days) as f64,
                avg_response_ms: requests.avg_ms,
                api_p95_ms: requests.p95_ms,
                error_rate_percent: requests.error_rate_percent,
                db_pool_percent,
                image_files_per_directory: figures.map_or(0, |f| f.images.max_files_per_dir) as f64,
            },
            stores,
            products,
            database: self.status(),
            rate_limiter: None,
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
    /// Stores with activity in the last 30 days (seed 000).
    pub active_stores: u64,
    /// Stores with the enabled flag set.
    pub enabled_stores: u64,
    /// Orders since the first of the month, 00:00 UTC.
    pub orders_this_month: u64,
    /// Orders of the last 30 days (rolling).
    pub orders_last_30_days: u64,
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
            active_stores: count(|f| f.active_stores),
            enabled_stores: count(|f| f.enabled_stores),
            orders_this_month: count(|f| f.orders_this_month),
            orders_last_30_days: count(|f| f.orders_last_30_days),
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

/// Measures every figure as of `at` (see the module documentation); tables PostgreSQL estimates
/// at or above `settings.exact_count_limit` rows are reported by that estimate (today's).
pub async fn measure(
    db: &impl ConnectionTrait,
    settings: &DbMonitorSettings,
    at: OffsetDateTime,
) -> crate::Result<DbFigures> {
    use merchants::sql::{query_count, query_pairs, statement};

    let started = Instant::now();
    let backend = db.get_database_backend();
    let until = || -> Value { Timestamp::from(at).into() };
    let count = |table: &'static str| count_rows(db, table, settings.exact_count_limit, at);
    let counts = [
        count("product").await?,
        count("order").await?,
        count("store").await?,
        count("inventory").await?,
        count("team_member").await?,
        count("merchant").await?,
    ];
    let (rows_then, rows_now) =
        counts.iter().fold((0u64, 0u64), |(then, now), (count, all)| (then + count.value, now + all));
    let [products, orders, stores, inventory, team_members, merchants] = counts.map(|(count, _)| count);
    let size_now = database_size(db).await?;
    let size_bytes = if rows_now == 0 || rows_then >= rows_now {
        size_now
    } else {
        (size_now as f64 * rows_then as f64 / rows_now as f64).round() as u64
    };

    let orders_since = |from: OffsetDateTime, inclusive: bool| {
        let start = Timestamp::from(from);
        let query = order::Entity::find().filter(order::Column::CreatedAt.lte(Timestamp::from(at)));
        let query = if inclusive {
            query.filter(order::Column::CreatedAt.gte(start))
        } else {
            query.filter(order::Column::CreatedAt.gt(start))
        };
        query.count(db)
    };
    let window_start = at - time::Duration::days(30);
    let orders_this_month = orders_since(billing::month_start(at), true).await?;
    let orders_last_30_days = orders_since(window_start, false).await?;
    let enabled_stores = store::Entity::find()
        .filter(store::Column::IsActive.eq(true))
        .filter(store::Column::CreatedAt.lte(Timestamp::from(at)))
        .count(db)
        .await?;
    let active_stores = query_count(
        db,
        statement(
            backend,
            r#"SELECT COUNT(*) AS n FROM store s WHERE s.created_at <= $2 AND (
                 (s.last_activity_at > $1 AND s.last_activity_at <= $2)
                 OR EXISTS (SELECT 1 FROM "order" o WHERE o.store_id = s.id AND o.created_at > $1 AND o.created_at <= $2)
                 OR EXISTS (SELECT 1 FROM product p WHERE p.store_id = s.id AND p.created_at > $1 AND p.created_at <= $2))"#,
            [Timestamp::from(window_start).into(), until()],
        ),
    )
    .await?;
    let by_store = db
        .query_all_raw(statement(
            backend,
            "SELECT s.code AS code, COUNT(*) AS n FROM product p JOIN store s ON s.id = p.store_id \
             WHERE p.created_at <= $1 GROUP BY s.code ORDER BY n DESC, s.code",
            [until()],
        ))
        .await?;
    let products_by_store = by_store
        .iter()
        .map(|row| Ok((row.try_get::<String>("", "code")?, to_u64(row.try_get::<i64>("", "n")?))))
        .collect::<std::result::Result<Vec<_>, DbErr>>()?;

    let spans = billing::subscription_spans(db).await?;
    let tiers = billing::tiers(db).await?;
    let live: Vec<&billing::SubscriptionSpan> = spans.iter().filter(|s| s.live_at(at)).collect();
    let trialing: std::collections::HashSet<i64> =
        live.iter().filter(|s| s.trialing_at(at)).map(|s| s.merchant_id.get()).collect();
    let stores_per_merchant = query_pairs(
        db,
        statement(
            backend,
            "SELECT merchant_id AS k, COUNT(*) AS n FROM store WHERE created_at <= $1 GROUP BY merchant_id",
            [until()],
        ),
    )
    .await?;
    let trial_stores = stores_per_merchant.iter().filter(|(m, _)| trialing.contains(m)).map(|(_, n)| n).sum();

    Ok(DbFigures {
        size_bytes,
        products,
        orders,
        stores,
        inventory,
        team_members,
        merchants,
        enabled_stores,
        active_stores,
        orders_this_month,
        orders_last_30_days,
        products_by_store,
        sold_limits: billing::sold_limits(&tiers, live.iter().map(|s| s.tier)),
        trial_stores,
        paying_subscriptions: live.iter().filter(|s| s.paying_at(at)).count() as u64,
        dynamics: billing::merchant_dynamics(&spans, at),
        over_limit: billing::over_limit(&tiers, &billing::merchant_usage(db, at).await?),
        images: images::storage_stats_as_of(db, at).await?,
        measured_at: at,
        took: started.elapsed(),
    })
}

/// The rows of `table` created by `at`, and all its rows now. On PostgreSQL a table estimated at
/// or above `exact_limit` rows is reported by the planner's estimate (both figures).
async fn count_rows(
    db: &impl ConnectionTrait,
    table: &'static str,
    exact_limit: u64,
    at: OffsetDateTime,
) -> Result<(Count, u64), DbErr> {
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
            return Ok((Count { value: estimate, method: CountMethod::PlannerEstimate }, estimate));
        }
    }
    let row = db
        .query_one_raw(merchants::sql::statement(
            backend,
            &format!(r#"SELECT COUNT(*) AS total, COUNT(CASE WHEN created_at <= $1 THEN 1 END) AS n FROM "{table}""#),
            [Timestamp::from(at).into()],
        ))
        .await?;
    let (then, all) = match row {
        Some(row) => (to_u64(row.try_get::<i64>("", "n")?), to_u64(row.try_get::<i64>("", "total")?)),
        None => (0, 0),
    };
    Ok((Count { value: then, method: CountMethod::Exact }, all))
}

async fn database_size(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "SELECT pg_database_size(current_database())::BIGINT AS n",
        _ => "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()",
    };
    merchants::sql::query_count(db, Statement::from_string(backend, sql)).await
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
