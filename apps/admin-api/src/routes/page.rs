//! `GET /admin/platform-health`: the operator's dashboard, one self-contained HTML file (no CDN,
//! no JS library) compiled into the binary. It signs in with an admin token kept in
//! `sessionStorage` and reads the same JSON routes as any other client.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, ContentType};

const PAGE: &str = include_str!("../../static/platform-health.html");

/// The dashboard page (public: it holds no data until a token is entered).
pub async fn platform_health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(PAGE)
}
