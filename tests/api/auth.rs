//! Every admin route: 401 without or with a bad token, 403 for a non-admin, 200 for an admin.

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
