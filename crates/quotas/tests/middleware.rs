//! The actix-web middleware on a real actix service: headers on every answer, 429 with
//! `Retry-After` and the error body at the burst's end, unidentified requests untouched, the
//! concurrency bound.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use std::sync::Arc;

use actix_web::{App, HttpResponse, test, web};
use quotas::{Caller, Limiter, RateLimit, RateLimits};

fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> String {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

fn app_limits() -> RateLimits {
    RateLimits { per_minute: 60, burst: 3, per_hour: 1_000, per_day: None, concurrent: 5 }
}

#[actix_web::test]
async fn the_burst_passes_with_headers_then_429_with_retry_after() {
    let identify: quotas::Identify = Arc::new(|req| {
        let key = req.headers().get("x-api-key")?.to_str().ok()?.to_owned();
        Some(Caller { key, limits: app_limits() })
    });
    let app = test::init_service(
        App::new()
            .wrap(RateLimit::new(Limiter::memory(), identify))
            .route("/", web::get().to(|| async { HttpResponse::Ok().body("hi") })),
    )
    .await;
    for remaining in ["2", "1", "0"] {
        let req = test::TestRequest::get().uri("/").insert_header(("x-api-key", "k1")).to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "x-ratelimit-limit"), "60");
        assert_eq!(header(&res, "x-ratelimit-remaining"), remaining);
        assert_eq!(header(&res, "ratelimit-policy"), "\"minute\";q=60;w=60");
        assert!(header(&res, "ratelimit").starts_with(&format!("\"minute\";r={remaining};t=")));
    }
    let req = test::TestRequest::get().uri("/").insert_header(("x-api-key", "k1")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 429);
    assert_eq!(header(&res, "retry-after"), "1");
    assert_eq!(header(&res, "x-ratelimit-remaining"), "0");
    let body: serde_json::Value = test::read_body_json(res).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another key has its own budget; a request nobody identifies is not limited.
    let other = test::TestRequest::get().uri("/").insert_header(("x-api-key", "k2")).to_request();
    assert_eq!(test::call_service(&app, other).await.status(), 200);
    for _ in 0..10 {
        let anonymous = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
        assert_eq!(anonymous.status(), 200);
        assert!(anonymous.headers().get("x-ratelimit-limit").is_none());
    }
}

#[actix_web::test]
async fn requests_in_flight_beyond_the_bound_get_429() {
    let limits = RateLimits { concurrent: 1, burst: 100, per_minute: 6_000, ..app_limits() };
    let limiter = Limiter::memory();
    let held = limiter.acquire("busy", &limits).unwrap();
    let identify: quotas::Identify = Arc::new(move |_| Some(Caller { key: "busy".to_owned(), limits }));
    let app = test::init_service(
        App::new()
            .wrap(RateLimit::new(limiter, identify))
            .route("/", web::get().to(|| async { HttpResponse::Ok().finish() })),
    )
    .await;
    let res = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    assert_eq!(res.status(), 429, "one request of this caller is already in flight");
    drop(held);
    let res = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    assert_eq!(res.status(), 200);
}
