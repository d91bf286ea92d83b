//! Rate limits on admin-api's routes: per admin token inside the admin guard, headers on every
//! answer, 429 with `Retry-After` at the burst's end; on Redis, two instances share one budget.

use tests::Backend;

const BASE: &str = "/api/v1/admin/platform-health";

/// A tier of 60 a minute with a burst of 3 for admin tokens.
fn tiny(settings: &mut admin_api::config::Settings) {
    let tiny = quotas::TierSettings {
        requests_per_minute: 60,
        requests_per_hour: 1_000,
        requests_per_day: 0,
        concurrent_requests: 10,
        burst_allowance: 3,
    };
    settings.rate_limit.tiers.insert("tiny".to_owned(), tiny);
    settings.rate_limit.admin_tier = "tiny".to_owned();
}

async fn get(app: &tests::TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_token_gets_its_burst_then_429_with_retry_after() {
    tests::run_with(Backend::Sqlite, tiny, |app| async move {
        for remaining in ["2", "1", "0"] {
            let ok = get(&app, &format!("{BASE}/capacity"), Some(&app.admin_token)).await;
            assert_eq!(ok.status(), 200);
            assert_eq!(header(&ok, "x-ratelimit-limit").as_deref(), Some("60"));
            assert_eq!(header(&ok, "x-ratelimit-remaining").as_deref(), Some(remaining));
        }
        let refused = get(&app, &format!("{BASE}/health"), Some(&app.admin_token)).await;
        assert_eq!(refused.status(), 429);
        assert_eq!(header(&refused, "retry-after").as_deref(), Some("1"));
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "rate_limited");
        // Strangers are refused by the guard first (no budget of theirs to count), probes are free.
        let stranger = get(&app, &format!("{BASE}/health"), None).await;
        assert_eq!((stranger.status().as_u16(), header(&stranger, "x-ratelimit-limit")), (401, None));
        assert_eq!(get(&app, "/livez", None).await.status(), 200);
        // A second later the rate lets one more through.
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        assert_eq!(get(&app, &format!("{BASE}/capacity"), Some(&app.admin_token)).await.status(), 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_redis_share_one_admin_budget() {
    let prefix = format!(
        "orion-test:{}:{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let url = std::env::var("ORION_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let on_redis = move |settings: &mut admin_api::config::Settings| {
        tiny(settings);
        settings.rate_limit.backend = quotas::BackendKind::Redis;
        settings.rate_limit.redis_url = url.clone();
        settings.rate_limit.redis_key_prefix = prefix.clone();
    };
    let second = on_redis.clone();
    tests::run_with(Backend::Sqlite, on_redis, |first| async move {
        tests::run_with(Backend::Sqlite, second, |other| async move {
            // Both apps' first admin is user 1: one caller, one budget of 3, however the
            // requests are spread over the instances.
            let mut through = 0;
            for i in 0..8 {
                let app = if i % 2 == 0 { &first } else { &other };
                let token = if i % 2 == 0 { &first.admin_token } else { &other.admin_token };
                through +=
                    u32::from(get(app, &format!("{BASE}/capacity"), Some(token)).await.status() == 200);
            }
            assert_eq!(through, 3);
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_429_on_every_rate_limited_operation() {
    tests::run(Backend::Sqlite, |app| async move {
        let doc = app.get("/api/openapi.json", None).await.json;
        let mut limited = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                // Admin operations (secured) and the public image files are limited.
                if op.get("security").is_some() || path.starts_with("/images/") {
                    assert!(op["responses"].get("429").is_some(), "{method} {path} does not list 429");
                    limited += 1;
                }
            }
        }
        assert_eq!(limited, 16, "15 admin operations and the image files");
    })
    .await;
}
