//! `GET /admin/platform-health`: the operator's dashboard: an HTML page, its stylesheet and its
//! script (no CDN, no JS library), compiled into the binary. It signs in with an admin token kept
//! in `sessionStorage` and reads the same JSON routes as any other client. A strict
//! Content-Security-Policy allows only these files and requests to this origin.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};

use crate::error::ApiError;

const PAGE: &str = include_str!("../../static/platform-health.html");
const STYLES: &str = include_str!("../../static/app.css");
const SCRIPT: &str = include_str!("../../static/app.js");
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                      connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The dashboard page (public: it holds no data until a token is entered).
pub async fn platform_health() -> HttpResponse {
    respond("text/html; charset=utf-8", PAGE)
}

/// `app.css` and `app.js`.
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    match name.as_str() {
        "app.css" => Ok(respond("text/css; charset=utf-8", STYLES)),
        "app.js" => Ok(respond("text/javascript; charset=utf-8", SCRIPT)),
        other => Err(ApiError::NotFound(format!("no dashboard file {other:?}"))),
    }
}

fn respond(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header(("Content-Security-Policy", POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(body)
}
