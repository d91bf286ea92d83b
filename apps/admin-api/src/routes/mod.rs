//! Route handlers: each parses its input, makes one call into a domain crate, and maps the result
//! to the wire.

pub mod alerts;
pub mod forecast;
pub mod images;
pub mod ops;
pub mod page;
pub mod platform_health;

use actix_web::{HttpRequest, web};

use crate::error::ApiError;

/// The base path of the platform-health routes.
pub const PLATFORM_HEALTH: &str = "/api/v1/admin/platform-health";
/// The base path of the image routes.
pub const IMAGES: &str = "/api/v1/admin/images";

/// The rate limits around the routes: per admin token (inside the admin guard, which identifies
/// it) and per client IP on the public image files.
#[derive(Clone)]
pub struct Limits {
    /// Admin scopes.
    pub admin: quotas::RateLimit,
    /// `/images/{key}`.
    pub public: quotas::RateLimit,
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig, limits: &Limits) {
    let admin_only = || actix_web::middleware::from_fn(crate::auth::require_admin);
    cfg.service(
        web::scope(PLATFORM_HEALTH)
            .wrap(limits.admin.clone())
            .wrap(admin_only())
            .route("/health", web::get().to(platform_health::health))
            .route("/capacity", web::get().to(platform_health::capacity))
            .route("/subscription-capacity", web::get().to(platform_health::subscription_capacity))
            .route("/api-usage", web::get().to(platform_health::api_usage))
            .route("/alerts", web::get().to(alerts::list))
            .route("/alerts/{id}/ack", web::post().to(alerts::ack))
            .route("/silences", web::post().to(alerts::silence))
            .route("/alert-rules", web::get().to(alerts::rules))
            .route("/snapshot", web::post().to(forecast::snapshot))
            .route("/trends", web::get().to(forecast::trends))
            .route("/snapshots", web::get().to(forecast::snapshots))
            .route("/forecast", web::get().to(forecast::forecast))
            .route("/recommendations", web::get().to(forecast::recommendations))
            .route("/projections", web::get().to(forecast::projections))
            .route("/sizing", web::post().to(forecast::sizing))
            .route("/reports/{kind}", web::get().to(forecast::report)),
    )
    .service(
        web::scope(IMAGES)
            .wrap(limits.admin.clone())
            .wrap(admin_only())
            .route("/upload", web::post().to(images::upload))
            .route("/stats", web::get().to(images::stats))
            .route("/{id}", web::get().to(images::get))
            .route("/{id}", web::delete().to(images::delete)),
    )
    .service(
        web::resource(format!("{}/{{key:.+}}", crate::dto::IMAGE_FILES))
            .wrap(limits.public.clone())
            .route(web::get().to(images::file)),
    )
    .route("/admin/platform-health", web::get().to(page::platform_health))
    .route("/admin/platform-health/{asset}", web::get().to(page::asset))
    .route("/livez", web::get().to(ops::livez))
    .route("/readyz", web::get().to(ops::readyz))
    .route("/metrics", web::get().to(ops::metrics));
}

/// Unknown routes answer with the JSON error shape too.
pub async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!("no route {} {}", req.method(), req.path())))
}

/// JSON body errors become `400 bad_request` with serde's explanation (bodies up to 64 KiB).
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|error, _| ApiError::BadRequest(format!("invalid JSON body: {error}")).into())
}

/// Query-string errors become `400 bad_request` with serde's explanation.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|error, _| ApiError::BadRequest(format!("invalid query string: {error}")).into())
}
