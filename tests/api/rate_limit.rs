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
    let (prefix, url) = (unique_prefix("shared"), redis_url());
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
        assert_eq!(limited, 21, "20 admin operations and the image files");
    })
    .await;
}

fn redis_url() -> String {
    std::env::var("ORION_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn unique_prefix(test: &str) -> String {
    format!(
        "orion-test:{}:{}:{test}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    )
}

/// What another service (the storefront) sends through the shared Redis shows up in `/api-usage`:
/// each merchant's requests and refusals, its share of the allowance its tier sells, the upgrade
/// suggestion; callers that are not merchants are left out.
async fn usage_listing_matches_what_was_sent(backend: Backend) {
    let prefix = unique_prefix("usage");
    let (url, app_prefix) = (redis_url(), prefix.clone());
    let on_redis = move |settings: &mut admin_api::config::Settings| {
        settings.rate_limit.backend = quotas::BackendKind::Redis;
        settings.rate_limit.redis_url = url;
        settings.rate_limit.redis_key_prefix = app_prefix;
    };
    tests::run_with(backend, on_redis, |app| async move {
        let storefront =
            quotas::RedisLimiter::connect(&redis_url(), &prefix, std::time::Duration::from_secs(2))
                .await
                .unwrap();
        let merchant = |name: &'static str| {
            let db = app.db.clone();
            async move {
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                let row = merchants::entity::merchant::Entity::find()
                    .filter(merchants::entity::merchant::Column::Name.eq(name))
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap();
                quotas::merchant_caller(row.id)
            }
        };
        let (acme, globex) = (merchant("Acme").await, merchant("Globex").await);
        // Acme (Professional, 5,000 a day) is let through 4,600 times and refused 3 times.
        let acme_limits = quotas::RateLimits {
            per_minute: 1_000_000,
            burst: 1_000_000,
            per_hour: 1_000_000,
            per_day: Some(4_600),
            concurrent: 5,
        };
        let now = time::OffsetDateTime::now_utc();
        for _ in 0..4_603 {
            storefront.check(&acme, &acme_limits, now).await.unwrap();
        }
        let other = quotas::RateTier::Enterprise.limits();
        for (caller, times) in [(globex.as_str(), 10), ("merchant:999999", 1), ("admin:1", 7)] {
            for _ in 0..times {
                storefront.check(caller, &other, now).await.unwrap();
            }
        }
        let usage = app.get_as_admin(&format!("{BASE}/api-usage")).await;
        assert_eq!(usage.status, 200, "{}", usage.text);
        let body = usage.json;
        assert_eq!(body["backend"], "redis");
        assert_eq!(body["merchants_calling"], 3, "admin:1 is not a merchant");
        let rows = body["merchants"].as_array().unwrap();
        let summary: Vec<(String, u64, u64)> = rows
            .iter()
            .map(|r| {
                (
                    r["merchant"].as_str().unwrap().to_owned(),
                    r["requests_today"].as_u64().unwrap(),
                    r["refused_today"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [("Acme".to_owned(), 4_600, 3), ("Globex".to_owned(), 10, 0), (String::new(), 1, 0)],
            "highest share of the allowance first; unlimited and unknown after, by requests"
        );
        assert_eq!(
            (rows[0]["tier"].as_str(), rows[0]["daily_allowance"].as_i64()),
            (Some("professional"), Some(5_000))
        );
        assert_eq!(rows[0]["percent_of_allowance"], 92.0);
        assert_eq!(
            (rows[1]["tier"].as_str(), rows[1]["daily_allowance"].as_i64()),
            (Some("enterprise"), None)
        );
        assert_eq!(
            body["recommendations"],
            serde_json::json!([
                "merchant Acme used 92 % of its daily API allowance (4600 of 5000, 3 requests refused); \
                 suggest an upgrade to Business (20000 requests a day)"
            ])
        );
        assert_eq!(
            app.get_as_admin(&format!("{BASE}/api-usage?top=1")).await.json["merchants"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let bad = app.get_as_admin(&format!("{BASE}/api-usage?top=0")).await;
        assert_eq!((bad.status, bad.json["error"]["code"].as_str()), (400, Some("bad_request")));
        assert_eq!(app.get(&format!("{BASE}/api-usage"), Some(&app.viewer_token)).await.status, 403);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_listing_matches_what_was_sent_sqlite() {
    usage_listing_matches_what_was_sent(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_listing_matches_what_was_sent_postgres() {
    usage_listing_matches_what_was_sent(Backend::Postgres).await;
}

/// A Redis of the test's own (Debian's `redis-server`, which `.ci/run` installs), on a free port,
/// so it can be stopped and started again while an app uses it.
struct OwnRedis {
    port: u16,
    child: std::process::Child,
}

impl OwnRedis {
    fn start(port: Option<u16>) -> OwnRedis {
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
        });
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server package; .ci/run installs it)");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "redis-server did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        OwnRedis { port, child }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(mut self) -> u16 {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.port
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Redis stopped mid-run: requests pass unlimited (fail open, the default), `/health` says so,
/// `/metrics` counts the failed checks, `/api-usage` answers 503; when Redis is back the limits
/// hold again without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_fails_open_and_recovers() {
    let redis = OwnRedis::start(None);
    let url = redis.url();
    let adjust = move |settings: &mut admin_api::config::Settings| {
        tiny(settings);
        settings.rate_limit.backend = quotas::BackendKind::Redis;
        settings.rate_limit.redis_url = url;
    };
    tests::run_with(Backend::Sqlite, adjust, |app| async move {
        let capacity = format!("{BASE}/capacity");
        let first = get(&app, &capacity, Some(&app.admin_token)).await;
        assert_eq!(header(&first, "x-ratelimit-remaining").as_deref(), Some("2"));
        let port = redis.stop();
        // Beyond the burst of 3, and none refused: the limiter cannot count, so it lets them pass.
        for _ in 0..6 {
            assert_eq!(get(&app, &capacity, Some(&app.admin_token)).await.status(), 200);
        }
        let health = app.get_as_admin(&format!("{BASE}/health")).await;
        let titles: Vec<&str> = health.json["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap())
            .collect();
        assert!(titles.contains(&"Rate limiter backend unreachable"), "{titles:?}");
        let metrics = app.get("/metrics", None).await.text;
        let failed: f64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("orion_rate_limit_backend_errors_total "))
            .expect("the counter is exported")
            .parse()
            .unwrap();
        assert!(failed >= 6.0, "{failed} failed checks counted");
        let usage = app.get_as_admin(&format!("{BASE}/api-usage")).await;
        assert_eq!((usage.status, usage.json["error"]["code"].as_str()), (503, Some("unavailable")));
        // Redis is back (empty): the connection comes back by itself and the burst holds again.
        let _redis = OwnRedis::start(Some(port));
        let mut refused = false;
        for _ in 0..50 {
            if get(&app, &capacity, Some(&app.admin_token)).await.status() == 429 {
                refused = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(refused, "limits hold again once Redis answers");
    })
    .await;
}

/// With `fail_open = false`, a Redis that cannot answer means 503 for limited routes, never 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_with_fail_closed_answers_503() {
    let redis = OwnRedis::start(None);
    let url = redis.url();
    let adjust = move |settings: &mut admin_api::config::Settings| {
        settings.rate_limit.backend = quotas::BackendKind::Redis;
        settings.rate_limit.redis_url = url;
        settings.rate_limit.fail_open = false;
    };
    tests::run_with(Backend::Sqlite, adjust, |app| async move {
        assert_eq!(get(&app, &format!("{BASE}/capacity"), Some(&app.admin_token)).await.status(), 200);
        redis.stop();
        let refused = get(&app, &format!("{BASE}/capacity"), Some(&app.admin_token)).await;
        assert_eq!(refused.status(), 503);
        assert_eq!(header(&refused, "retry-after").as_deref(), Some("1"));
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable");
        assert_eq!(get(&app, "/livez", None).await.status(), 200, "probes are not limited");
    })
    .await;
}
