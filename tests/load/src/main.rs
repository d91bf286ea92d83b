//! Seed 004's load scenarios against admin-api, as Goose user scenarios.
//!
//! Goose's own flags choose the load (`--host`, `-u` users, `-r` spawn rate per second, `-t` run
//! time, `--report-file`); the environment chooses the mix and what the users need:
//! - `ORION_LOAD_MIX`: `baseline` (seed 004's user mix: 70 % admin readers, 25 % anonymous
//!   visitors, 4 % writers, 1 % health checks; also the peak and sustained tests), `db-stress`
//!   (the routes that read the database per request), `cache` (the same few lookups again and
//!   again) or `rate-limit` (admin reads 0.1-0.5 s apart, for the limiter to refuse);
//! - `ORION_LOAD_TOKEN`: an admin token; `ORION_LOAD_IMAGE_URL`: a public image variant to fetch;
//!   `ORION_LOAD_PHOTO`: a JPEG the writers upload.
//!
//! `bash scripts/load-scenarios.sh` seeds the data, starts the server and runs every scenario.

use std::sync::OnceLock;
use std::time::Duration;

use goose::prelude::*;

const API: &str = "/api/v1/admin/platform-health";

struct Env {
    token: String,
    image_url: String,
    photo: Vec<u8>,
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        let photo = var("ORION_LOAD_PHOTO");
        Env {
            token: var("ORION_LOAD_TOKEN"),
            image_url: var("ORION_LOAD_IMAGE_URL"),
            photo: if photo.is_empty() { Vec::new() } else { std::fs::read(&photo).expect("ORION_LOAD_PHOTO") },
        }
    })
}

/// A GET with the admin token, named by its path in the report.
async fn admin_get(user: &mut GooseUser, path: &str) -> TransactionResult {
    let builder = user.get_request_builder(&GooseMethod::Get, path)?.bearer_auth(&env().token);
    user.request(GooseRequest::builder().path(path).set_request_builder(builder).build()).await?;
    Ok(())
}

/// A POST of a JSON body (or none) with the admin token.
async fn admin_post(user: &mut GooseUser, path: &str, json: Option<&'static str>) -> TransactionResult {
    let mut builder = user.get_request_builder(&GooseMethod::Post, path)?.bearer_auth(&env().token);
    if let Some(body) = json {
        builder = builder.header("content-type", "application/json").body(body);
    }
    user.request(GooseRequest::builder().path(path).set_request_builder(builder).build()).await?;
    Ok(())
}

macro_rules! get {
    ($name:ident, $path:expr) => {
        async fn $name(user: &mut GooseUser) -> TransactionResult {
            admin_get(user, $path).await
        }
    };
}

get!(health, "/api/v1/admin/platform-health/health");
get!(capacity, "/api/v1/admin/platform-health/capacity");
get!(trends, "/api/v1/admin/platform-health/trends");
get!(forecast, "/api/v1/admin/platform-health/forecast?metric=total_products");
get!(recommendations, "/api/v1/admin/platform-health/recommendations");
get!(projections, "/api/v1/admin/platform-health/projections");
get!(image_stats, "/api/v1/admin/images/stats");
get!(snapshots, "/api/v1/admin/platform-health/snapshots?days=90");
get!(report, "/api/v1/admin/platform-health/reports/weekly?format=csv");
get!(subscription_capacity, "/api/v1/admin/platform-health/subscription-capacity");

/// A forecast at a level nobody configured: one fit on the history, not the cached outlook.
async fn forecast_level(user: &mut GooseUser) -> TransactionResult {
    let level = 2_000_000 + 1_000 * (user.weighted_users_index % 500);
    let path = format!("{API}/forecast?metric=total_products&threshold={level}");
    let builder = user.get_request_builder(&GooseMethod::Get, &path)?.bearer_auth(&env().token);
    let request = GooseRequest::builder()
        .path(path.as_str())
        .name("/forecast?threshold=<level>")
        .set_request_builder(builder)
        .build();
    user.request(request).await?;
    Ok(())
}

async fn image_file(user: &mut GooseUser) -> TransactionResult {
    let url = env().image_url.clone();
    user.get_named(&url, "/images/<variant>").await?;
    Ok(())
}

async fn livez(user: &mut GooseUser) -> TransactionResult {
    user.get("/livez").await?;
    Ok(())
}

async fn readyz(user: &mut GooseUser) -> TransactionResult {
    user.get("/readyz").await?;
    Ok(())
}

async fn page(user: &mut GooseUser) -> TransactionResult {
    user.get("/admin/platform-health").await?;
    Ok(())
}

async fn upload(user: &mut GooseUser) -> TransactionResult {
    let photo = reqwest::multipart::Part::bytes(env().photo.clone()).file_name("photo.jpg").mime_str("image/jpeg");
    let Ok(photo) = photo else { return Ok(()) };
    let form = reqwest::multipart::Form::new()
        .part("file", photo)
        .text("store_id", "1")
        .text("product_id", (1 + user.weighted_users_index % 500).to_string());
    let path = "/api/v1/admin/images/upload";
    let builder = user.get_request_builder(&GooseMethod::Post, path)?.bearer_auth(&env().token).multipart(form);
    user.request(GooseRequest::builder().path(path).set_request_builder(builder).build()).await?;
    Ok(())
}

async fn snapshot(user: &mut GooseUser) -> TransactionResult {
    admin_post(user, "/api/v1/admin/platform-health/snapshot", None).await
}

async fn sizing(user: &mut GooseUser) -> TransactionResult {
    let body = r#"{"stores": 300, "products": 600000, "monthly_orders": 120000}"#;
    admin_post(user, "/api/v1/admin/platform-health/sizing", Some(body)).await
}

fn no_wait(scenario: Scenario) -> Result<Scenario, GooseError> {
    scenario.set_wait_time(Duration::ZERO, Duration::ZERO)
}

#[tokio::main]
async fn main() -> Result<(), GooseError> {
    let mix = std::env::var("ORION_LOAD_MIX").unwrap_or_else(|_| "baseline".to_owned());
    let attack = GooseAttack::initialize()?;
    let attack = match mix.as_str() {
        "baseline" => attack
            .register_scenario(
                no_wait(scenario!("AdminReader").set_weight(70)?)?
                    .register_transaction(transaction!(health))
                    .register_transaction(transaction!(capacity))
                    .register_transaction(transaction!(trends))
                    .register_transaction(transaction!(forecast))
                    .register_transaction(transaction!(recommendations))
                    .register_transaction(transaction!(projections))
                    .register_transaction(transaction!(image_stats)),
            )
            .register_scenario(
                no_wait(scenario!("Anonymous").set_weight(25)?)?
                    .register_transaction(transaction!(image_file))
                    .register_transaction(transaction!(livez))
                    .register_transaction(transaction!(page)),
            )
            .register_scenario(
                // Writers pause a second between steps: an admin uploading photos, not a flood.
                scenario!("Writer")
                    .set_weight(4)?
                    .set_wait_time(Duration::from_millis(500), Duration::from_millis(1500))?
                    .register_transaction(transaction!(upload))
                    .register_transaction(transaction!(snapshot))
                    .register_transaction(transaction!(sizing)),
            )
            .register_scenario(
                scenario!("HealthCheck")
                    .set_weight(1)?
                    .set_wait_time(Duration::from_secs(1), Duration::from_secs(1))?
                    .register_transaction(transaction!(livez))
                    .register_transaction(transaction!(readyz)),
            ),
        "db-stress" => attack.register_scenario(
            no_wait(scenario!("DatabaseReader"))?
                .register_transaction(transaction!(trends))
                .register_transaction(transaction!(snapshots))
                .register_transaction(transaction!(forecast_level))
                .register_transaction(transaction!(projections))
                .register_transaction(transaction!(report))
                .register_transaction(transaction!(subscription_capacity)),
        ),
        "cache" => attack.register_scenario(
            no_wait(scenario!("RepeatedLookups"))?
                .register_transaction(transaction!(health))
                .register_transaction(transaction!(capacity))
                .register_transaction(transaction!(forecast))
                .register_transaction(transaction!(recommendations)),
        ),
        "rate-limit" => attack.register_scenario(
            scenario!("EagerAdmin")
                .set_wait_time(Duration::from_millis(100), Duration::from_millis(500))?
                .register_transaction(transaction!(capacity)),
        ),
        other => {
            eprintln!("ORION_LOAD_MIX={other}: expected baseline, db-stress, cache or rate-limit");
            std::process::exit(2);
        }
    };
    attack.execute().await?;
    Ok(())
}
