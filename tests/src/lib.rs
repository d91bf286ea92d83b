//! The end-to-end harness: [`run`] starts the real admin-api application on a random port
//! against a fresh, migrated database (SQLite or PostgreSQL) holding a small fixed platform, with
//! an admin and a viewer token, and hands the test a [`TestApp`] to talk HTTP to. Logs are silent
//! unless `TEST_LOG` is set.
//!
//! [`e2e_test!`] declares a test once and runs it on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failed setup fails the test

use std::future::Future;

use accounts::{Email, Role};
use actix_web::dev::ServerHandle;
use actix_web::web;
use admin_api::config::Settings;
use admin_api::startup::Application;
use admin_api::state::AppState;
pub use migration::testing::Backend;
use migration::testing::TestDb;
use sea_orm::DatabaseConnection;
use serde_json::Value;
use time::OffsetDateTime;

/// A running application and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    /// Which database it runs on.
    pub backend: Backend,
    /// The application's shared state (to force a refresh instead of sleeping).
    pub state: web::Data<AppState>,
    /// A connection of the test's own to the same database.
    pub db: DatabaseConnection,
    /// The test database's URL.
    pub db_url: String,
    /// A valid admin token.
    pub admin_token: String,
    /// A valid token of a user without the admin role.
    pub viewer_token: String,
    server: ServerHandle,
    client: reqwest::Client,
}

/// A response: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// The parsed body.
    pub json: Value,
    /// The raw body.
    pub text: String,
    /// The `WWW-Authenticate` header, if any.
    pub www_authenticate: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
}

impl Reply {
    /// Reads `response` whole.
    pub async fn read(response: reqwest::Response) -> Reply {
        let header =
            |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (www_authenticate, content_type) = (header("www-authenticate"), header("content-type"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, json, text, www_authenticate, content_type }
    }
}

impl TestApp {
    /// `method path` (empty body) with `Authorization: Bearer token` when given.
    pub async fn request(&self, method: reqwest::Method, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        Reply::read(response).await
    }

    /// `GET path` with `Authorization: Bearer token` when given.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(reqwest::Method::GET, path, token).await
    }

    /// `POST path` (empty body) with `Authorization: Bearer token` when given.
    pub async fn post(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(reqwest::Method::POST, path, token).await
    }

    /// `GET path` as the admin, the raw body (for binary reports).
    pub async fn get_bytes_as_admin(&self, path: &str) -> Vec<u8> {
        let authorization = format!("Bearer {}", self.admin_token);
        self.get_raw(path, &[("authorization", &authorization)]).await.2
    }

    /// `POST path` with a raw body sent as `application/json`, as the admin.
    pub async fn post_json_as_admin(&self, path: &str, body: &str) -> Reply {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(&self.admin_token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        Reply::read(response).await
    }

    /// `POST path` as the admin.
    pub async fn post_as_admin(&self, path: &str) -> Reply {
        self.post(path, Some(&self.admin_token)).await
    }

    /// `GET path` as the admin.
    pub async fn get_as_admin(&self, path: &str) -> Reply {
        self.get(path, Some(&self.admin_token)).await
    }

    /// `POST path` with a `multipart/form-data` body of `parts`, with `token` when given.
    pub async fn post_multipart(&self, path: &str, token: Option<&str>, parts: &[Part<'_>]) -> Reply {
        let (content_type, body) = multipart_body(parts);
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("POST {path}: {e}"));
        Reply::read(response).await
    }

    /// `DELETE path` as the admin.
    pub async fn delete_as_admin(&self, path: &str) -> Reply {
        let response = self
            .client
            .delete(format!("{}{path}", self.address))
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DELETE {path}: {e}"));
        Reply::read(response).await
    }

    /// `GET path` with `headers` (no token unless given there): status, headers and raw body.
    pub async fn get_raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.client.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        (status, headers, response.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
    }

    /// Stops the HTTP server (to see what clients do when the API is gone).
    pub async fn stop_server(&self) {
        self.server.stop(false).await;
    }

    /// Re-measures the database figures now (instead of waiting for the refresh interval).
    pub async fn refresh_figures(&self) {
        self.state.monitor.refresh_now().await;
    }
}

/// One part of a multipart form: a text field or a file.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    /// `name=value`.
    Text(&'a str, &'a str),
    /// A file field `name` with `filename` and its bytes.
    File(&'a str, &'a str, &'a [u8]),
}

/// The content type and body of a multipart form of `parts`, written by hand so tests can send
/// exactly what they mean (repeated fields, odd names).
pub fn multipart_body(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "orion-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
                );
            }
            Part::File(name, filename, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Settings for a test app: random port, one worker, no token cache (revocation is immediate),
/// no demo seeding, and machine thresholds no test machine reaches (CPU, memory and disk vary;
/// they are redacted from snapshots and tested through configuration instead).
pub fn test_settings(db_url: &str, data_dir: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    settings.database.url = db_url.to_owned();
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.server.data_dir = data_dir.to_path_buf();
    settings.auth.cache_seconds = 0;
    settings.demo.seed_empty_sqlite = false;
    settings.images.root = data_dir.join("uploads");
    let unreachable = health::Levels { warning: 1e12, critical: 1e12, limit: 1e12 };
    settings.thresholds.cpu_percent = unreachable;
    settings.thresholds.memory_percent = unreachable;
    settings.thresholds.disk_percent = unreachable;
    settings.thresholds.avg_response_ms = unreachable;
    // A busy test machine would halve the limits the rate-limit tests count on; the reduction
    // itself is tested in `quotas`.
    settings.rate_limit.load_reduction = false;
    // The alert tests evaluate with a clock of their own; the background evaluation stays away.
    settings.alerts.evaluation_seconds = 3_600;
    settings
}

/// Runs `test` against a fresh app on `backend` with the default test settings.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_with(backend, |_| {}, test).await
}

/// Runs `test` against a fresh app on `backend`, with `adjust` applied to the test settings.
pub async fn run_with<F, Fut>(backend: Backend, adjust: impl FnOnce(&mut Settings), test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if std::env::var_os("TEST_LOG").is_some() {
        admin_api::telemetry::init(&admin_api::config::LogSettings::default());
    }
    let db = TestDb::create(backend).await;
    let data_dir = tempfile_dir();
    let mut settings = test_settings(&db.url, data_dir.path());
    adjust(&mut settings);
    let (app, handle) = spawn(backend, &settings, &db).await;
    run_and_clean_up(app, handle, db, test).await
}

/// Runs `test` against a fresh app on `backend` filled by `seed-demo` (small sizes, 60 days of
/// snapshots) instead of the fixed platform: for the dashboard.
pub async fn run_demo<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TestDb::create(backend).await;
    let sizes = demo::DemoSizes {
        merchants: 8,
        products_per_store: 40,
        orders_per_store_month: 15,
        months: 2,
        history_days: 90,
        ..demo::DemoSizes::default()
    };
    demo::seed_demo(&db.conn, &sizes, |_| {}).await.unwrap();
    let data_dir = tempfile_dir();
    let mut settings = test_settings(&db.url, data_dir.path());
    settings.thresholds = health::Thresholds::default(); // the page shows the real levels
    let (app, handle) = start(backend, &settings, &db).await;
    run_and_clean_up(app, handle, db, test).await
}

/// Runs the test body, then stops the app and drops the database, also when the body panics
/// (the panic is then resumed so the test fails with its own message).
async fn run_and_clean_up<F, Fut>(app: TestApp, handle: ServerHandle, db: TestDb, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let outcome = tokio::spawn(test(app)).await;
    handle.stop(false).await;
    db.drop_database().await;
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("test task failed: {error}"),
        }
    }
}

async fn spawn(backend: Backend, settings: &Settings, db: &TestDb) -> (TestApp, ServerHandle) {
    fixtures::platform(&db.conn).await;
    start(backend, settings, db).await
}

async fn start(backend: Backend, settings: &Settings, db: &TestDb) -> (TestApp, ServerHandle) {
    let now = OffsetDateTime::now_utc();
    let admin =
        accounts::create_admin(&db.conn, &Email::parse("ops@orion.example").unwrap(), Role::Admin, now)
            .await
            .unwrap();
    let viewer =
        accounts::create_admin(&db.conn, &Email::parse("viewer@orion.example").unwrap(), Role::Viewer, now)
            .await
            .unwrap();
    let pool = admin_api::startup::connect_and_migrate(settings).await.unwrap();
    let application = Application::build(settings, pool).await.unwrap();
    let (port, state, handle) = (application.port(), application.state(), application.handle());
    tokio::spawn(application.run_until_stopped());
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        backend,
        state,
        db: db.conn.clone(),
        db_url: db.url.clone(),
        admin_token: admin.token,
        viewer_token: viewer.token,
        server: handle.clone(),
        client: reqwest::Client::new(),
    };
    (app, handle)
}

fn tempfile_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"))
}

/// The small platform every end-to-end test starts with.
pub mod fixtures {
    use super::*;
    use billing::{BillingCycle, TierCode};
    use merchants::MerchantId;
    use stores::{
        NewOrder, NewOrderItem, NewProduct, NewStore, OrderStatus, ProductId, Stock, StoreId, TeamRole,
    };

    /// Two merchants: Acme (professional, stores `acme-berlin` with 3 products and
    /// `acme-lisbon` with 2, 2 team members) and Globex (enterprise, store `globex-main` with 4
    /// products, 1 team member); 3 orders this month; inventory for 2 products.
    pub async fn platform(db: &DatabaseConnection) {
        let now = OffsetDateTime::now_utc();
        let acme = merchant(db, "Acme", "acme").await;
        let globex = merchant(db, "Globex", "globex").await;
        billing::subscribe(db, acme, TierCode::Professional, BillingCycle::Monthly, now).await.unwrap();
        billing::subscribe(db, globex, TierCode::Enterprise, BillingCycle::Annual, now).await.unwrap();
        for (merchant, code, products) in
            [(acme, "acme-berlin", 3), (acme, "acme-lisbon", 2), (globex, "globex-main", 4)]
        {
            let store = stores::create_store(db, NewStore { merchant_id: merchant, code, name: code }, now)
                .await
                .unwrap();
            let skus: Vec<String> = (0..products).map(|i| format!("SKU-{i}")).collect();
            let new: Vec<NewProduct<'_>> = skus
                .iter()
                .map(|sku| NewProduct { store_sku: sku, gtin: None, titles: &[], stock: None })
                .collect();
            let ids = stores::create_products(db, store.id, &new, now).await.unwrap();
            if code != "acme-lisbon" {
                order(db, store.id, ids[0], 2, 1_250, Some(7)).await;
                stores::add_team_member(db, store.id, &format!("lead@{code}.example"), TeamRole::Owner, now)
                    .await
                    .unwrap();
                let stock = Stock { warehouse: "main", bin_location: "A-01-01", quantity: 10 };
                stores::set_inventory(db, ids[0], stock, now).await.unwrap();
            }
            if code == "acme-berlin" {
                order(db, store.id, ids[1], 1, 990, None).await;
                stores::add_team_member(db, store.id, "staff@acme-berlin.example", TeamRole::Staff, now)
                    .await
                    .unwrap();
            }
        }
    }

    async fn order(
        db: &DatabaseConnection,
        store: StoreId,
        product_id: ProductId,
        quantity: i32,
        cents: i64,
        customer: Option<i64>,
    ) {
        let items = [NewOrderItem { product_id, quantity, unit_price_cents: cents }];
        let new = NewOrder {
            customer_id: customer,
            currency: "EUR",
            status: OrderStatus::Pending,
            items: &items,
            placed_at: OffsetDateTime::now_utc(),
        };
        stores::create_order(db, store, new).await.unwrap();
    }

    async fn merchant(db: &DatabaseConnection, name: &str, slug: &str) -> MerchantId {
        let new = merchants::NewMerchant {
            name,
            slug: merchants::MerchantSlug::parse(slug).unwrap(),
            contact_email: "owner@example.com",
        };
        merchants::create_merchant(db, new, OffsetDateTime::now_utc()).await.unwrap().id
    }
}

/// Declares an end-to-end test that runs on SQLite and on PostgreSQL:
/// `tests::e2e_test!(async fn name(app) { … })` → `name::sqlite`, `name::postgres`.
#[macro_export]
macro_rules! e2e_test {
    (async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::run($crate::Backend::Sqlite, |$app| async move $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::run($crate::Backend::Postgres, |$app| async move $body).await
            }
        }
    };
}
