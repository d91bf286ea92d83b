//! The dashboard in a real browser (feature `browser`): Debian's Chromium, headless, driven
//! through chromedriver's WebDriver HTTP API. Demo data; sign in; every panel shows what the API
//! returns; the trend range switches; an export downloads; the designed states (no snapshots, a
//! revoked token, the API gone) say so; no Content-Security-Policy violation is logged.
//! Screenshots at 1280 and 390 px wide go to `ORION_SCREENSHOTS_DIR` (default the test's
//! temporary directory).

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

const BASE: &str = "/api/v1/admin/platform-health";

/// A WebDriver session on a chromedriver this test started; chromedriver and the Chromium it
/// started (its own process group) are killed when dropped, also when the test fails half-way.
struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    process: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Killing chromedriver alone would leave its Chromium processes running: kill the group.
        let group = format!("-{}", self.process.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A WebDriver error reply (`{"value": {"error": …, "message": …}}`).
#[derive(Debug)]
struct WebDriverError {
    error: String,
    message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; .ci/run installs it)");
        let mut driver = Driver {
            http: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            process,
        };
        // Wait for the external process to listen (bounded).
        let deadline = Instant::now() + Duration::from_secs(20);
        while driver.http.get(format!("{}/status", driver.base)).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,900"]},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let created = driver.send(Method::POST, format!("{}/session", driver.base), Some(capabilities)).await;
        let created = created.unwrap_or_else(|e| panic!("new session: {e}"));
        driver.session =
            created["sessionId"].as_str().unwrap_or_else(|| panic!("session: {created}")).to_owned();
        driver
    }

    async fn send(&self, method: Method, url: String, body: Option<Value>) -> Result<Value, WebDriverError> {
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        let value = reply["value"].clone();
        match value["error"].as_str() {
            Some(error) => {
                Err(WebDriverError { error: error.to_owned(), message: value["message"].to_string() })
            }
            None => Ok(value),
        }
    }

    /// A session command; a WebDriver error fails the test with its message.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        self.send(method, url, body).await.unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    async fn goto(&self, url: &str) {
        self.call(Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    /// The element `css` selects, `None` when there is none (any other error fails).
    async fn find(&self, css: &str) -> Option<String> {
        let url = format!("{}/session/{}/element", self.base, self.session);
        match self.send(Method::POST, url, Some(json!({"using": "css selector", "value": css}))).await {
            Ok(found) => Some(found.as_object()?.values().next()?.as_str()?.to_owned()),
            Err(e) if e.error == "no such element" => None,
            Err(e) => panic!("{css}: {e}"),
        }
    }

    /// The text of `css`, `None` when there is no such element (or it was replaced while read:
    /// the page re-renders its panels).
    async fn text(&self, css: &str) -> Option<String> {
        let element = self.find(css).await?;
        let url = format!("{}/session/{}/element/{element}/text", self.base, self.session);
        match self.send(Method::GET, url, None).await {
            Ok(text) => Some(text.as_str().unwrap_or_default().to_owned()),
            Err(e) if e.error == "stale element reference" => None,
            Err(e) => panic!("{css}: {e}"),
        }
    }

    /// Waits (bounded) until `css` exists and `check` accepts its text; returns the text.
    async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text(css).await;
            if let Some(text) = text.as_deref().filter(|t| check(t)) {
                return text.to_owned();
            }
            assert!(Instant::now() < deadline, "{css}: text {text:?} never matched");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let element = self.find(css).await?;
        let value = self.call(Method::GET, &format!("/element/{element}/attribute/{name}"), None).await;
        value.as_str().map(str::to_owned)
    }

    async fn count(&self, css: &str) -> usize {
        let found =
            self.call(Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await;
        found.as_array().map_or(0, Vec::len)
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await.unwrap_or_else(|| panic!("{css} not found"));
        self.call(Method::POST, &format!("/element/{element}/click"), Some(json!({}))).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await.unwrap_or_else(|| panic!("{css} not found"));
        self.call(Method::POST, &format!("/element/{element}/value"), Some(json!({"text": text}))).await;
    }

    /// Runs `script` in the page and returns its value.
    async fn script(&self, script: &str) -> Value {
        self.call(Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// The browser's console since the last call (chromedriver's log endpoint).
    async fn console(&self) -> Vec<String> {
        let entries = self.call(Method::POST, "/se/log", Some(json!({"type": "browser"}))).await;
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["message"].as_str().map(str::to_owned))
            .collect()
    }

    async fn screenshot(&self, width: u32, height: u32, file: &std::path::Path) {
        self.call(Method::POST, "/window/rect", Some(json!({"width": width, "height": height}))).await;
        self.script("window.scrollTo(0, 0)").await; // the page from its top
        let png = self.call(Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        std::fs::write(file, bytes).unwrap();
    }

    async fn sign_in(&self, address: &str, token: &str) {
        self.goto(&format!("{address}/admin/platform-health")).await;
        self.wait_text("#signin-title", |t| t == "Sign in").await;
        self.type_into("#token", token).await;
        self.click("#signin-button").await;
    }

    /// The error banner is hidden.
    async fn no_banner(&self) {
        let class = self.attribute("#banner", "class").await.unwrap_or_default();
        let text = self.text("#banner").await.unwrap_or_default();
        assert!(class.contains("hidden"), "error banner shown: {text:?}");
    }
}

fn en_us(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn screenshots_dir() -> std::path::PathBuf {
    let dir = std::env::var_os("ORION_SCREENSHOTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_every_panel_shows_the_api_figures_and_the_controls_work() {
    tests::run_demo(tests::Backend::Sqlite, |app| async move {
        let health = app.get_as_admin(&format!("{BASE}/health")).await.json;
        let capacity = app.get_as_admin(&format!("{BASE}/capacity")).await.json;
        let subscriptions = app.get_as_admin(&format!("{BASE}/subscription-capacity")).await.json;
        let recommendations = app.get_as_admin(&format!("{BASE}/recommendations")).await.json;
        // One merchant's API calls, counted by the app's own (in-process) limiter.
        let merchant = {
            use sea_orm::EntityTrait;
            merchants::entity::merchant::Entity::find().all(&app.db).await.unwrap().remove(0)
        };
        let calls = quotas::RateTier::Enterprise.limits();
        for _ in 0..42 {
            app.state
                .limiter
                .check(&quotas::merchant_caller(merchant.id), &calls, time::OffsetDateTime::now_utc())
                .await;
        }
        // CPU above 80 % for five minutes: seed 003's high_cpu_usage fires.
        let cpu = std::collections::BTreeMap::from([("cpu_percent".to_owned(), 95.0)]);
        let t0 = time::OffsetDateTime::now_utc() - time::Duration::minutes(10);
        for at in [t0, t0 + time::Duration::minutes(5)] {
            alerts::evaluate(&app.db, &app.state.alert_rules, &cpu, at, "http://test").await.unwrap();
        }
        let driver = Driver::start().await;
        driver.sign_in(&app.address, &app.admin_token).await;

        // Alerts at the top; acknowledging one.
        let alerts = driver.wait_text("#active-alerts tbody", |t| t.contains("high_cpu_usage")).await;
        assert!(alerts.contains("firing for 5 min") && alerts.contains("scale_up"), "{alerts}");
        driver.click("#active-alerts button[data-ack]").await;
        driver.wait_text("#ack-status", |t| t.ends_with("acknowledged.")).await;
        driver.wait_text("#active-alerts tbody", |t| t.contains("ack by admin:")).await;

        // Cards.
        let products = en_us(health["database"]["products_count"].as_i64().unwrap());
        driver.wait_text("#card-products [data-value]", |t| t == products).await;
        let merchants = en_us(health["database"]["merchants_count"].as_i64().unwrap());
        assert_eq!(driver.text("#card-merchants [data-value]").await.unwrap(), merchants);
        let orders = en_us(capacity["orders_last_30_days"].as_i64().unwrap());
        assert_eq!(driver.text("#card-orders [data-value]").await.unwrap(), orders);
        assert_eq!(
            driver.text("#card-tier [data-value]").await.unwrap(),
            health["infrastructure_tier"].as_str().unwrap()
        );
        // The overall status and /health's recommendations follow the live CPU (chromium and the
        // test itself load both cores): the page must agree with /health as read before it loaded
        // or just after.
        let after = app.get_as_admin(&format!("{BASE}/health")).await.json;
        let statuses = [&health, &after].map(|h| h["overall_status"].as_str().unwrap().to_owned());
        driver.wait_text("#overall", |t| statuses.iter().any(|s| t.contains(s.as_str()))).await;
        // Subscription capacity: a row per tier, each line's status as the API says.
        assert_eq!(driver.count("#tiers tbody tr").await, 4);
        // Merchant dynamics and plan compliance, as the API says.
        let dynamics = driver.text("#dynamics").await.unwrap();
        let churned = en_us(subscriptions["merchant_dynamics"]["churned_this_month"].as_i64().unwrap());
        assert!(dynamics.contains(&format!("Churned this month {churned}")), "{dynamics}");
        let over = subscriptions["over_limit"].as_array().unwrap().len();
        if over == 0 {
            assert!(driver.text("#over-limit-none").await.is_some());
        } else {
            assert_eq!(driver.count("#over-limit tbody tr").await, over);
        }
        let products_line = driver.text("#subscriptions .meter").await.unwrap();
        assert!(
            products_line.contains(subscriptions["products"]["status"].as_str().unwrap()),
            "{products_line}"
        );
        // Thresholds: every one, with the API's status.
        let thresholds = health["thresholds"].as_array().unwrap();
        assert_eq!(driver.count("#thresholds tbody tr").await, thresholds.len());
        let table = driver.text("#thresholds tbody").await.unwrap();
        for t in thresholds {
            assert!(table.contains(t["name"].as_str().unwrap()), "{} missing: {table}", t["name"]);
        }
        // Bars take their width from the API through the CSSOM (the CSP forbids inline styles).
        let width =
            driver.script("return document.querySelector('#thresholds [data-width]').style.width").await;
        assert!(width.as_str().is_some_and(|w| w.ends_with('%')), "{width}");
        // Recommendations: the capacity ones and /health's, by severity.
        let listed = driver.count("#recommendations .rec").await;
        let expected = [&health, &after].map(|h| {
            recommendations.as_array().unwrap().len() + h["recommendations"].as_array().unwrap().len()
        });
        assert!(expected.contains(&listed), "{listed} listed, /health says {expected:?}");
        // Performance and forecasts.
        driver.wait_text("#latency", |t| t.ends_with("ms")).await;
        driver.wait_text("#forecasts tbody", |t| t.contains("Products") && t.contains("Database (MB)")).await;
        // API usage: the merchant that called, with its count.
        let usage = driver.wait_text("#usage tbody", |t| !t.is_empty()).await;
        assert!(usage.contains(&merchant.name) && usage.contains("42"), "{usage}");
        assert_eq!(driver.count("#usage tbody tr").await, 1);
        driver.no_banner().await;

        // The range switch redraws the chart.
        driver.click("#ranges button[data-days=\"90\"]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let pressed = driver.attribute("#ranges button[data-days=\"90\"]", "aria-pressed").await;
            let label = driver.attribute("#chart", "aria-label").await.unwrap_or_default();
            if pressed.as_deref() == Some("true") && label.contains("over 91 days") {
                break;
            }
            assert!(Instant::now() < deadline, "the 90-day range never showed: {pressed:?} {label}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        driver.click("#exports button[data-report=\"weekly\"][data-format=\"csv\"]").await;
        driver.wait_text("#export-status", |t| t.starts_with("Downloaded orion-weekly-")).await;

        let dir = screenshots_dir();
        driver.screenshot(1280, 2400, &dir.join("platform-health-1280.png")).await;
        driver.screenshot(390, 4200, &dir.join("platform-health-390.png")).await;
        let violations: Vec<String> =
            driver.console().await.into_iter().filter(|m| m.contains("Content Security Policy")).collect();
        assert!(violations.is_empty(), "CSP violations: {violations:?}");

        driver.click("#signout").await;
        driver.wait_text("#banner", |t| t == "Signed out.").await;
        assert!(driver.find("#signin:not(.hidden)").await.is_some());
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_designed_states_no_snapshots_revoked_token_api_gone() {
    tests::run_demo(tests::Backend::Sqlite, |app| async move {
        use forecast::entity::capacity_snapshot;
        use sea_orm::EntityTrait;
        capacity_snapshot::Entity::delete_many().exec(&app.db).await.unwrap();
        let driver = Driver::start().await;
        driver.sign_in(&app.address, &app.admin_token).await;
        driver.wait_text("#chart-empty", |t| t.starts_with("No capacity snapshots yet")).await;
        driver.wait_text("#forecasts tbody", |t| t.contains("at least 7")).await;
        driver.no_banner().await;

        // The token is revoked: the next refresh sends the operator back to sign-in, saying why.
        let now = time::OffsetDateTime::now_utc();
        assert_eq!(accounts::revoke_token(&app.db, &app.admin_token, now).await.unwrap(), 1);
        driver.click("#refresh").await;
        driver.wait_text("#banner", |t| t.contains("revoked")).await;
        assert!(driver.find("#signin:not(.hidden)").await.is_some());

        // The API is gone: the page says so instead of going blank.
        let viewer_is_refused = app.get(&format!("{BASE}/health"), Some(&app.viewer_token)).await.status;
        assert_eq!(viewer_is_refused, 403);
        let admin = accounts::create_admin(
            &app.db,
            &accounts::Email::parse("second@orion.example").unwrap(),
            accounts::Role::Admin,
            now,
        )
        .await
        .unwrap();
        driver.type_into("#token", &admin.token).await;
        driver.click("#signin-button").await;
        driver.wait_text("#card-products [data-value]", |t| !t.is_empty()).await;
        app.stop_server().await;
        driver.click("#refresh").await;
        driver.wait_text("#banner", |t| t.contains("unreachable")).await;
    })
    .await
}
