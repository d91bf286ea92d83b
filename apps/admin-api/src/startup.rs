//! Building the application: database, background measurements, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_multipart::form::MultipartFormConfig;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use health::{DbMonitor, RequestStats, SystemSampler};
use sea_orm::DatabaseConnection;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::observability::{Meters, measure_requests};
use crate::openapi::ApiDoc;
use crate::render_cache::RenderCache;
use crate::routes;
use crate::state::AppState;

/// Opens the database named in `settings` (creating the SQLite directory) and migrates it.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let database = &settings.database;
    database
        .connect_and_migrate()
        .await
        .with_context(|| format!("opening the database at {}", database.redacted_url()))
}

/// A built application, listening, not yet serving.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Binds `server.host:server.port` (port 0: any free port), starts the background
    /// measurements on `db` and waits for their first results, so the first request sees figures.
    pub async fn build(settings: &Settings, db: DatabaseConnection) -> anyhow::Result<Application> {
        let limiter = quotas::Limiter::from_settings(&settings.rate_limit).await.with_context(|| {
            format!("connecting to rate_limit.redis_url {}", settings.rate_limit.redis_url)
        })?;
        let state = web::Data::new(start_measuring(settings, db, limiter.clone()).await?);
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .with_context(|| format!("binding {}:{}", settings.server.host, settings.server.port))?;
        let port = listener.local_addr()?.port();
        let page = format!("http://{}:{port}/admin/platform-health", settings.server.host);
        crate::alerting::start(state.clone(), &settings.alerts, page);
        let openapi = ApiDoc::openapi();
        let (app_state, meters) = (state.clone(), web::Data::new(state.meters.clone()));
        // Text fields are tiny; the file may be as large as the pipeline accepts.
        let upload_limit = state.images.settings().max_upload_bytes.saturating_add(64 * 1024);
        let limits = rate_limits(&settings.rate_limit, limiter);
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(measure_requests))
                .wrap(TracingLogger::default())
                .app_data(app_state.clone())
                .app_data(meters.clone())
                .app_data(routes::query_config())
                .app_data(routes::json_config())
                .app_data(MultipartFormConfig::default().total_limit(upload_limit).memory_limit(upload_limit))
                .configure(|cfg| routes::configure(cfg, &limits))
                .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", openapi.clone()))
                .service(web::redirect("/api/docs", "/api/docs/"))
                .default_service(web::to(routes::not_found))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_seconds);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        Ok(Application { port, server: server.listen(listener)?.run(), state })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests; the binary stops on SIGTERM/SIGINT).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The shared state (tests use it to force a refresh instead of waiting).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGTERM/SIGINT, then lets in-flight requests finish (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The rate-limit middlewares of `[rate_limit]` (none limits anything when it is disabled).
fn rate_limits(settings: &quotas::RateLimitSettings, limiter: quotas::Limiter) -> routes::Limits {
    use quotas::{Caller, RateLimit};
    let (admin, public) = (settings.enforced(&settings.admin_tier), settings.enforced(&settings.public_tier));
    let admin_of: quotas::Identify = Arc::new(move |req| {
        let user = actix_web::HttpMessage::extensions(req).get::<crate::auth::Admin>()?.user_id;
        Some(Caller { key: format!("admin:{user}"), limits: admin? })
    });
    let ip_of: quotas::Identify =
        Arc::new(move |req| Some(Caller { key: format!("ip:{}", req.peer_addr()?.ip()), limits: public? }));
    routes::Limits {
        admin: RateLimit::new(limiter.clone(), admin_of),
        public: RateLimit::new(limiter, ip_of),
    }
}

/// Starts the sampler, the database monitor and the daily snapshot, and waits for their first
/// results.
async fn start_measuring(
    settings: &Settings,
    db: DatabaseConnection,
    limiter: quotas::Limiter,
) -> anyhow::Result<AppState> {
    let data_dir = &settings.server.data_dir;
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating data dir {}", data_dir.display()))?;
    let interval = Duration::from_secs(settings.monitor.system_sample_seconds.max(1));
    let sampler = SystemSampler::start(data_dir, interval).context("starting the system sampler")?;
    let monitor = DbMonitor::start(db.clone(), settings.monitor.db_monitor());
    if let Some(error) = &monitor.refresh_now().await.last_error {
        tracing::warn!(%error, "first database figures refresh failed; serving anyway");
    }
    sampler.first_sample().await;
    if settings.rate_limit.enabled && settings.rate_limit.load_reduction {
        spawn_load_reduction(sampler.clone(), limiter.clone(), interval);
    }
    billing::spawn_subscription_ends(db.clone(), Duration::from_secs(3600));
    if settings.forecast.schedule {
        forecast::schedule::capture_now(&db, sampler.latest().map(|s| s.metrics)).await;
        let latest = sampler.clone();
        forecast::schedule::spawn_daily(db.clone(), settings.forecast.clone(), move || {
            latest.latest().map(|s| s.metrics)
        });
    }
    let images = settings.images.library().context("opening the image storage")?;
    let alert_rules = settings.alerts.rules(&settings.thresholds);
    tracing::info!(storage = images.files().describe(), "image storage");
    let window = Duration::from_secs(settings.monitor.request_window_seconds);
    let probe = settings
        .database
        .connect_probe(routes::ops::READY_TIMEOUT)
        .await
        .context("opening the readiness probe's connection pool")?;
    Ok(AppState {
        db,
        probe,
        sampler,
        monitor,
        meters: Arc::new(Meters { requests: RequestStats::new(window), metrics: health::Metrics::new() }),
        thresholds: settings.thresholds,
        tokens: settings.auth.verifier(),
        rendered: RenderCache::default(),
        images,
        outlook: forecast::OutlookCache::new(settings.thresholds),
        limiter,
        alert_board: alerts::Board::new(&alert_rules),
        alert_rules: Arc::new(alert_rules),
        alert_evaluation_seconds: settings.alerts.evaluation_seconds,
    })
}

/// Seed 003's dynamic reduction: the limiter follows the machine's CPU use, sample by sample.
fn spawn_load_reduction(sampler: SystemSampler, limiter: quotas::Limiter, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Some(sample) = sampler.latest() {
                limiter.set_load(sample.metrics.cpu_percent);
            }
        }
    });
}
