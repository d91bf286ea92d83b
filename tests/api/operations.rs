//! Probes, metrics, the OpenAPI document, the docs UI and unknown routes.

use tests::e2e_test;

e2e_test!(async fn probes_answer_without_a_token(app) {
    let live = app.get("/livez", None).await;
    assert_eq!((live.status, live.json["status"].as_str()), (200, Some("ok")));
    let ready = app.get("/readyz", None).await;
    assert_eq!((ready.status, ready.json["status"].as_str()), (200, Some("ok")));
});

// Every pooled connection busy, as under a peak's load (seed 004's peak found /readyz failing
// then): the instance still answers ready, because the probe has a connection of its own.
e2e_test!(async fn readiness_does_not_wait_for_a_busy_pool(app) {
    use sea_orm::TransactionTrait;
    let mut held = Vec::new();
    while migration::pool_usage_percent(&app.state.db) < Some(100.0) {
        held.push(app.state.db.begin().await.unwrap());
    }
    let ready = app.get("/readyz", None).await;
    assert_eq!((ready.status, ready.json["status"].as_str()), (200, Some("ok")), "{} held", held.len());
    drop(held);
});

e2e_test!(async fn metrics_export_request_histograms_by_route_pattern(app) {
    app.get_as_admin("/api/v1/admin/platform-health/health").await;
    app.get("/api/v1/admin/platform-health/capacity", None).await;
    app.get("/no/such/thing/12345", None).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.content_type.unwrap().starts_with("application/openmetrics-text"));
    let text = metrics.text;
    assert!(text.contains(
        r#"http_request_duration_seconds_count{method="GET",route="/api/v1/admin/platform-health/health",status="200"} 1"#
    ), "{text}");
    assert!(text.contains(r#"route="/api/v1/admin/platform-health/capacity",status="401"} 1"#), "{text}");
    // Unknown paths are one series, never one per path.
    assert!(text.contains(r#"route="unmatched",status="404"} 1"#), "{text}");
    assert!(!text.contains("12345"), "{text}");
    assert!(text.contains(r#"orion_database_rows{table="product"} 9"#), "{text}");
    assert!(text.contains("orion_database_up 1"), "{text}");
    assert!(text.trim_end().ends_with("# EOF"));
});

e2e_test!(async fn cache_lookups_are_counted_by_result(app) {
    for _ in 0..5 {
        assert_eq!(app.get_as_admin("/api/v1/admin/platform-health/health").await.status, 200);
    }
    for _ in 0..3 {
        assert_eq!(app.get_as_admin("/api/v1/admin/platform-health/forecast?metric=total_products").await.status, 200);
    }
    let text = app.get("/metrics", None).await.text;
    let count = |cache: &str, result: &str| -> u64 {
        let series = format!(r#"orion_cache_lookups_total{{cache="{cache}",result="{result}"}} "#);
        text.lines().find_map(|l| l.strip_prefix(series.as_str())).map_or(0, |v| v.trim().parse().unwrap())
    };
    // Five /health bodies: the first rendered, the rest reused unless a second went by between.
    let (hits, misses) = (count("render", "hit"), count("render", "miss"));
    assert_eq!(hits + misses, 5, "{text}");
    assert!(misses >= 1 && hits >= 1, "{text}");
    // The forecasts: the outlook computed once, then served from it.
    assert_eq!((count("outlook", "miss"), count("outlook", "hit")), (1, 2), "{text}");
});

e2e_test!(async fn the_openapi_document_describes_every_route(app) {
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let paths = doc.json["paths"].as_object().unwrap();
    for path in [
        "/api/v1/admin/platform-health/health",
        "/api/v1/admin/platform-health/capacity",
        "/api/v1/admin/platform-health/subscription-capacity",
        "/api/v1/admin/platform-health/snapshot",
        "/api/v1/admin/platform-health/trends",
        "/api/v1/admin/platform-health/snapshots",
        "/api/v1/admin/platform-health/forecast",
        "/api/v1/admin/platform-health/recommendations",
        "/api/v1/admin/platform-health/projections",
        "/api/v1/admin/platform-health/sizing",
        "/api/v1/admin/platform-health/reports/{kind}",
        "/livez",
        "/readyz",
        "/metrics",
    ] {
        assert!(paths.contains_key(path), "{path} missing from the OpenAPI document");
    }
    assert_eq!(doc.json["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    assert_eq!(doc.json["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc.json["components"]["schemas"]["HealthResponse"]["properties"]["thresholds"].is_object());
});

e2e_test!(async fn the_docs_ui_is_served_from_the_binary(app) {
    let page = app.get("/api/docs/", None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger"), "{}", page.text);
    assert!(!page.text.contains("unpkg.com") && !page.text.contains("cdn."), "the UI must work offline");
    let redirected = app.get("/api/docs", None).await;
    assert_eq!(redirected.status, 200, "/api/docs redirects to /api/docs/");
    let script = app.get("/api/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(script.status, 200);
    assert!(script.text.len() > 100_000, "the bundle is compiled in");
});

e2e_test!(async fn unknown_routes_get_the_json_error_shape(app) {
    let reply = app.get("/api/v1/admin/platform-health/nope", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json["error"]["code"], "not_found");
});

e2e_test!(async fn the_dashboard_page_is_served_without_external_resources(app) {
    let page = app.get("/admin/platform-health", None).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.unwrap().starts_with("text/html"));
    assert!(page.text.contains("Platform health"));
    assert!(!page.text.contains("http://") && !page.text.contains("https://"), "no CDN or external resource");
});
