//! The database goes away: `/readyz` fails, `/health` reports it (200, critical) instead of a 500,
//! the last good figures are kept with their age, and the routes that need the database answer 503
//! `unavailable`. On PostgreSQL the database is really
//! dropped (its connections terminated); on SQLite the app's connection pool is closed.

use sea_orm::ConnectionTrait;
use tests::{Backend, e2e_test};

async fn lose_the_database(backend: Backend) {
    // Tokens verified in the last minute keep working while the database is away.
    tests::run_with(
        backend,
        |settings| settings.auth.cache_seconds = 60,
        |app| async move {
            assert_eq!(app.get_as_admin("/api/v1/admin/platform-health/health").await.status, 200);
            match app.backend {
                Backend::Postgres => {
                    let name = app.db_url.rsplit('/').next().unwrap().to_owned();
                    let admin =
                        sea_orm::Database::connect(migration::testing::postgres_admin_url()).await.unwrap();
                    admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
                }
                Backend::Sqlite => app.state.db.close_by_ref().await.unwrap(),
            }
            let ready = app.get("/readyz", None).await;
            assert_eq!((ready.status, ready.json["status"].as_str()), (503, Some("unavailable")));

            app.refresh_figures().await;
            let health = app.get_as_admin("/api/v1/admin/platform-health/health").await;
            assert_eq!(health.status, 200, "{}", health.text);
            let health = health.json;
            assert_eq!(health["overall_status"], "critical");
            assert_eq!(health["recommendations"][0]["title"], "Database unreachable");
            assert_eq!(health["database"]["freshness"]["database_reachable"], false);
            assert!(health["database"]["freshness"]["last_error"].is_string());
            assert_eq!(health["database"]["products_count"], 9, "the last good figures are kept");

            // Routes that read the database per request say so with a 503 the client may retry,
            // never a 500: reads, and writes (nothing is half-written).
            for (method, path) in [
                (reqwest::Method::GET, "/api/v1/admin/platform-health/trends"),
                (reqwest::Method::GET, "/api/v1/admin/platform-health/snapshots"),
                (reqwest::Method::POST, "/api/v1/admin/platform-health/snapshot"),
            ] {
                let reply = app.request(method, path, Some(&app.admin_token)).await;
                assert_eq!(reply.status, 503, "{path}: {}", reply.text);
                assert_eq!(reply.json["error"]["code"], "unavailable", "{path}");
                assert_eq!(
                    reply.json["error"]["message"], "the database is unavailable; try again shortly",
                    "{path}"
                );
            }

            // A token not seen before cannot be checked: 503 with the JSON error shape, not a 500.
            let viewer = app.get("/api/v1/admin/platform-health/health", Some(&app.viewer_token)).await;
            assert_eq!(viewer.status, 503, "{}", viewer.text);
            assert_eq!(viewer.json["error"]["code"], "unavailable");
            assert_eq!(
                viewer.json["error"]["message"],
                "the token cannot be checked: the database is unavailable"
            );
        },
    )
    .await
}

// A database that answers with an error of its own (here: the token table is gone) is a bug to
// fix, not an outage to wait out: 500 `internal`, not a 503 telling the client to retry.
e2e_test!(async fn a_broken_token_table_is_not_an_outage(app) {
    app.state.db.execute_unprepared("DROP TABLE api_token").await.unwrap();
    let reply = app.get("/api/v1/admin/platform-health/health", Some(&app.viewer_token)).await;
    assert_eq!(reply.status, 500, "{}", reply.text);
    assert_eq!(reply.json["error"]["code"], "internal");
    assert_eq!(reply.json["error"]["message"], "internal error");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    lose_the_database(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    lose_the_database(Backend::Postgres).await
}
