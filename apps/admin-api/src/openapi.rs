//! The OpenAPI 3 document, generated from the handlers and DTOs, served at `/api/openapi.json`
//! with a Swagger UI at `/api/docs/` whose assets are compiled into the binary (works offline).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{dto, error, routes};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Orion admin API",
        description = "Platform health and capacity planning for a multi-tenant commerce platform. \
                       Admin routes need `Authorization: Bearer <token>` (create one with \
                       `admin-api create-admin --email you@example.com`)."
    ),
    paths(
        routes::platform_health::health,
        routes::platform_health::capacity,
        routes::platform_health::subscription_capacity,
        routes::platform_health::api_usage,
        routes::alerts::list,
        routes::alerts::ack,
        routes::alerts::silence,
        routes::alerts::rules,
        routes::forecast::snapshot,
        routes::forecast::trends,
        routes::forecast::snapshots,
        routes::forecast::forecast,
        routes::forecast::recommendations,
        routes::forecast::projections,
        routes::forecast::sizing,
        routes::forecast::report,
        routes::images::upload,
        routes::images::get,
        routes::images::delete,
        routes::images::stats,
        routes::images::file,
        routes::ops::livez,
        routes::ops::readyz,
        routes::ops::metrics,
    ),
    components(schemas(error::ErrorBody, error::ErrorDetail, dto::Probe)),
    modifiers(&BearerAuth),
    tags(
        (name = "platform-health", description = "Live health and capacity (admin only)"),
        (name = "forecast", description = "Daily capacity snapshots, trends and forecasts (admin only)"),
        (name = "alerts", description = "Alerts from the alert rules, acknowledgements and silences (admin only)"),
        (name = "images", description = "Image uploads (admin only) and their WebP variants (public)"),
        (name = "operations", description = "Probes and metrics for the platform's operators"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("orion_…").build(),
            ),
        );
    }
}
