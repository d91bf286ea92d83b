//! The dashboard in a real browser: Debian's Chromium, headless, driven through chromedriver's
//! WebDriver HTTP API. Demo data, sign in, the cards show what the API returns, the trend range
//! switches, an export downloads, sign-out; screenshots at 1280 and 390 px wide (written to
//! `ORION_SCREENSHOTS_DIR`, default the test's temporary directory).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    process: Child,
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; .ci/run installs it)");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        // Wait for the external process to listen (bounded).
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-dev-shm-usage", "--window-size=1280,900"]
        }}}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session =
            created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("session: {created}")).to_owned();
        Driver { http, base, session, process }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        reply["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    async fn find(&self, css: &str) -> Option<String> {
        let found = self
            .call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css})))
            .await;
        found.as_object()?.values().next()?.as_str().map(str::to_owned)
    }

    /// Waits (bounded) until `css` exists and `check` accepts its text.
    async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(element) = self.find(css).await {
                let text = self.call(reqwest::Method::GET, &format!("/element/{element}/text"), None).await;
                let text = text.as_str().unwrap_or_default().to_owned();
                if check(&text) {
                    return text;
                }
                assert!(Instant::now() < deadline, "{css}: text {text:?} never matched");
            } else {
                assert!(Instant::now() < deadline, "{css} never appeared");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let element = self.find(css).await?;
        self.call(reqwest::Method::GET, &format!("/element/{element}/attribute/{name}"), None)
            .await
            .as_str()
            .map(str::to_owned)
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await.unwrap_or_else(|| panic!("{css} not found"));
        self.call(reqwest::Method::POST, &format!("/element/{element}/click"), Some(json!({}))).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await.unwrap_or_else(|| panic!("{css} not found"));
        self.call(reqwest::Method::POST, &format!("/element/{element}/value"), Some(json!({"text": text})))
            .await;
    }

    async fn screenshot(&self, width: u32, height: u32, file: &std::path::Path) {
        self.call(reqwest::Method::POST, "/window/rect", Some(json!({"width": width, "height": height})))
            .await;
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        std::fs::write(file, bytes).unwrap();
    }

    async fn quit(mut self) {
        self.call(reqwest::Method::DELETE, "", None).await;
        let _ = self.process.kill();
        let _ = self.process.wait();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_signs_in_shows_the_api_figures_switches_range_and_exports() {
    tests::run_demo(tests::Backend::Sqlite, |app| async move {
        let health = app.get_as_admin("/api/v1/admin/platform-health/health").await.json;
        let capacity = app.get_as_admin("/api/v1/admin/platform-health/capacity").await.json;
        let driver = Driver::start().await;
        driver.goto(&format!("{}/admin/platform-health", app.address)).await;
        driver.wait_text("#signin-title", |t| t == "Sign in").await;
        driver.type_into("#token", &app.admin_token).await;
        driver.click("#signin-button").await;

        let products = en_us(health["database"]["products_count"].as_i64().unwrap());
        driver.wait_text("#card-products [data-value]", |t| t == products).await;
        let merchants = en_us(health["database"]["merchants_count"].as_i64().unwrap());
        assert_eq!(driver.wait_text("#card-merchants [data-value]", |_| true).await, merchants);
        let orders = en_us(capacity["orders_this_month"].as_i64().unwrap());
        assert_eq!(driver.wait_text("#card-orders [data-value]", |_| true).await, orders);
        let tier = health["infrastructure_tier"].as_str().unwrap().to_owned();
        assert_eq!(driver.wait_text("#card-tier [data-value]", |_| true).await, tier);
        driver.wait_text("#overall", |t| t.contains("Overall:")).await;
        driver.wait_text("#forecasts tbody", |t| t.contains("Products")).await;

        driver.click("#ranges button[data-days=\"90\"]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while driver.attribute("#ranges button[data-days=\"90\"]", "aria-pressed").await.as_deref()
            != Some("true")
        {
            assert!(Instant::now() < deadline, "the 90-day range never became active");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let label = driver.attribute("#chart", "aria-label").await.unwrap_or_default();
        assert!(label.contains("over 91 days"), "{label}");

        driver.click("#exports button[data-report=\"weekly\"][data-format=\"csv\"]").await;
        driver.wait_text("#export-status", |t| t.starts_with("Downloaded orion-weekly-")).await;

        let dir = std::env::var_os("ORION_SCREENSHOTS_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
        std::fs::create_dir_all(&dir).unwrap();
        driver.screenshot(1280, 2200, &dir.join("platform-health-1280.png")).await;
        driver.screenshot(390, 3800, &dir.join("platform-health-390.png")).await;

        driver.click("#signout").await;
        driver.wait_text("#banner", |t| t == "Signed out.").await;
        assert!(driver.find("#signin:not(.hidden)").await.is_some());
        driver.quit().await;
    })
    .await
}
