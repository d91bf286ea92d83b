//! Building the application: database, background measurements, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use health::{DbMonitor, RequestStats, SystemSampler, Thresholds};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::TokenCache;
use crate::config::{ImageSettings, Settings};
use crate::observability::{Metrics, measure_requests};
use crate::openapi::ApiDoc;
use crate::render_cache::RenderCache;
use crate::routes;

/// What every request handler can reach.
#[derive(Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// CPU, memory and disk, sampled in the background.
    pub sampler: SystemSampler,
    /// Database figures, refreshed in the background.
    pub monitor: DbMonitor,
    /// Latency and errors over the sliding window.
    pub requests: Arc<RequestStats>,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Configured threshold levels.
    pub thresholds: Thresholds,
    /// Verified tokens.
    pub tokens: TokenCache,
    /// Rendered platform-health bodies of the current second.
    pub rendered: RenderCache,
    /// Image uploads, deletes and their storage.
    pub images: images::ImageLibrary,
}

/// The image library `settings` describe (the local backend's directory is created).
pub fn image_library(settings: &ImageSettings) -> anyhow::Result<images::ImageLibrary> {
    let files = images::FileStore::open(&settings.storage()).context("opening the image storage")?;
    Ok(images::ImageLibrary::new(files, settings.pipeline(), settings.concurrency()))
}

/// Opens the database named in `settings` (creating the SQLite directory) and migrates it.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    if let Some(dir) = settings.database.sqlite_dir().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating {} for the SQLite database", dir.display()))?;
    }
    let mut options = ConnectOptions::new(settings.database.url.clone());
    options
        .max_connections(settings.database.max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database at {}", redact(&settings.database.url)))?;
    Migrator::up(&db, None).await.context("applying database migrations")?;
    Ok(db)
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
        let data_dir = &settings.server.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating data dir {}", data_dir.display()))?;
        let sampler = SystemSampler::start(
            data_dir,
            Duration::from_secs(settings.monitor.system_sample_seconds.max(1)),
        )
        .context("starting the system sampler")?;
        let monitor = DbMonitor::start(db.clone(), settings.monitor.db_monitor());
        let first = monitor.refresh_now().await;
        if let Some(error) = &first.last_error {
            tracing::warn!(%error, "first database figures refresh failed; serving anyway");
        }
        sampler.first_sample().await;
        if settings.forecast.schedule {
            crate::scheduler::capture_now(&db, &sampler).await;
            crate::scheduler::start(db.clone(), sampler.clone(), settings.forecast.clone());
        }
        let image_library = image_library(&settings.images)?;
        tracing::info!(storage = image_library.files().describe(), "image storage");
        let state = web::Data::new(AppState {
            db,
            sampler,
            monitor,
            requests: Arc::new(RequestStats::new(Duration::from_secs(
                settings.monitor.request_window_seconds,
            ))),
            metrics: Metrics::new(),
            thresholds: settings.thresholds,
            tokens: TokenCache::new(Duration::from_secs(settings.auth.cache_seconds)),
            rendered: RenderCache::default(),
            images: image_library,
        });
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .with_context(|| format!("binding {}:{}", settings.server.host, settings.server.port))?;
        let port = listener.local_addr()?.port();
        let openapi = ApiDoc::openapi();
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(measure_requests))
                .wrap(TracingLogger::default())
                .app_data(app_state.clone())
                .app_data(routes::query_config())
                .app_data(routes::json_config())
                .configure(routes::configure)
                .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", openapi.clone()))
                .service(web::redirect("/api/docs", "/api/docs/"))
                .default_service(web::to(routes::not_found))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_seconds);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Application { port, server, state })
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

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            super::redact("postgres://orion:s3cret@db:5432/orion"),
            "postgres://orion:***@db:5432/orion"
        );
        assert_eq!(super::redact("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(super::redact("sqlite://data/orion.db?mode=rwc"), "sqlite://data/orion.db?mode=rwc");
    }
}
