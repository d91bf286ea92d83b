//! Every admin route: 401 without or with a bad token, 403 for a non-admin, 200 for an admin. The
//! list of secured routes is the served OpenAPI document itself, so a new route is covered the day
//! it is added (and a route missing from the document fails the count).

use tests::e2e_test;

const ADMIN_ROUTES: [&str; 5] = [
    "/api/v1/admin/platform-health/health",
    "/api/v1/admin/platform-health/capacity",
    "/api/v1/admin/platform-health/subscription-capacity",
    "/api/v1/admin/platform-health/trends",
    "/api/v1/admin/platform-health/forecast?metric=total_products",
];

e2e_test!(async fn admin_routes_need_an_admin_token(app) {
    for route in ADMIN_ROUTES {
        let none = app.get(route, None).await;
        assert_eq!(none.status, 401, "{route}");
        assert_eq!(none.json["error"]["code"], "unauthorized", "{route}");
        assert_eq!(none.www_authenticate.as_deref(), Some("Bearer"), "{route}");

        let unknown = app.get(route, Some("orion_0000000000000000000000000000000000000000000000000000000000000000")).await;
        assert_eq!(unknown.status, 401, "{route}");

        let viewer = app.get(route, Some(&app.viewer_token)).await;
        assert_eq!(viewer.status, 403, "{route}");
        assert_eq!(viewer.json["error"]["code"], "forbidden", "{route}");

        let admin = app.get_as_admin(route).await;
        assert_eq!(admin.status, 200, "{route}: {}", admin.text);
    }
});

/// A path of the document with its parameters filled in (`{id}` → 1, `{kind}` → weekly).
fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{kind}", "weekly")
}

e2e_test!(async fn every_secured_operation_of_the_openapi_document_refuses_strangers_and_viewers(app) {
    let document = app.get("/api/openapi.json", None).await.json;
    let mut secured = Vec::new();
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().unwrap() {
            if operation["security"].as_array().is_some_and(|s| !s.is_empty()) {
                secured.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    // Every /api/v1/admin route of the app: a route served without a document entry fails here.
    assert_eq!(secured.len(), 20, "{secured:?}");
    assert!(secured.iter().all(|(_, path)| path.starts_with("/api/v1/admin/")), "{secured:?}");
    for (method, path) in &secured {
        let (method, url) = (reqwest::Method::from_bytes(method.as_bytes()).unwrap(), concrete(path));
        let none = app.request(method.clone(), &url, None).await;
        assert_eq!((none.status, none.json["error"]["code"].as_str()), (401, Some("unauthorized")), "{method} {path}: {}", none.text);
        assert_eq!(none.www_authenticate.as_deref(), Some("Bearer"), "{method} {path}");
        let viewer = app.request(method.clone(), &url, Some(&app.viewer_token)).await;
        assert_eq!((viewer.status, viewer.json["error"]["code"].as_str()), (403, Some("forbidden")), "{method} {path}: {}", viewer.text);
    }
    // And the unsecured ones are the probes, the metrics and the public image files only.
    let all: usize = document["paths"].as_object().unwrap().values().map(|ops| ops.as_object().unwrap().len()).sum();
    assert_eq!(all - secured.len(), 4, "livez, readyz, metrics, images/{{key}}");
});

e2e_test!(async fn a_malformed_authorization_header_is_a_401(app) {
    let client = reqwest::Client::new();
    for header in ["Basic b3BzOnB3", "Bearer", "Bearer ", "token abc"] {
        let response = client
            .get(format!("{}{}", app.address, ADMIN_ROUTES[0]))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{header:?}");
    }
});

e2e_test!(async fn a_revoked_token_stops_working(app) {
    assert_eq!(app.get_as_admin(ADMIN_ROUTES[0]).await.status, 200);
    let prefix: String = app.admin_token.chars().take(14).collect();
    assert_eq!(accounts::revoke_token(&app.db, &prefix, time::OffsetDateTime::now_utc()).await.unwrap(), 1);
    let reply = app.get_as_admin(ADMIN_ROUTES[0]).await;
    assert_eq!(reply.status, 401);
    // Revoking again finds nothing live.
    assert_eq!(accounts::revoke_token(&app.db, &app.admin_token, time::OffsetDateTime::now_utc()).await.unwrap(), 0);
});
