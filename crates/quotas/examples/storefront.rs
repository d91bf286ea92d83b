//! Another service using the quotas crate: a tiny storefront API that identifies merchants by an
//! API key and limits each by its subscription tier, on the Redis admin-api shares, so its
//! traffic shows up in admin-api's `GET /api/v1/admin/platform-health/api-usage`.
//!
//! ```sh
//! ORION__RATE_LIMIT__BACKEND=redis cargo run -p admin-api            # terminal 1 (demo data)
//! cargo run -p quotas --features redis,actix --example storefront  # terminal 2
//! curl -H 'X-Api-Key: demo-key-1' localhost:8081/products            # X-RateLimit-* headers
//! ```
//!
//! Arguments: the database URL (default admin-api's `sqlite://data/orion.db?mode=ro`), the Redis
//! URL (default `redis://127.0.0.1:6379`), the port (default 8081), the key prefix (default
//! admin-api's `orion:rl`; the two must share it). A real storefront keeps API
//! keys in its own table; this one hands out `demo-key-<merchant id>` for every merchant with a
//! live subscription and prints them.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use quotas::{Caller, Limiter, RateLimit, RateLimitSettings, RedisLimiter};
use sea_orm::EntityTrait;

/// A merchant behind an API key.
struct Merchant {
    name: String,
    caller: Caller,
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let database = args.next().unwrap_or_else(|| "sqlite://data/orion.db?mode=ro".to_owned());
    let redis = args.next().unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned());
    let port: u16 = args.next().map_or(Ok(8081), |p| p.parse())?;

    // The same `[rate_limit]` defaults as admin-api: tier_map, seed 003's tiers, the key prefix.
    let mut settings = RateLimitSettings::default();
    if let Some(prefix) = args.next() {
        settings.redis_key_prefix = prefix;
    }
    let db = sea_orm::Database::connect(&database).await?;
    let ids: Vec<_> =
        merchants::entity::merchant::Entity::find().all(&db).await?.into_iter().map(|m| m.id).collect();
    let plans = billing::live_plans(&db, &ids).await?;
    let tiers = billing::tiers(&db).await?;
    let mut keys = HashMap::new();
    for plan in plans {
        let sold = tiers.iter().find(|t| t.code == plan.tier).and_then(|t| t.limits.max_api_requests_per_day);
        let Some(limits) = settings.for_subscription(plan.tier, sold) else { continue };
        let key = format!("demo-key-{}", plan.merchant_id);
        println!(
            "{key}: {} ({}, {} a minute, {} a day)",
            plan.merchant,
            plan.tier,
            limits.per_minute,
            limits.per_day.map_or("unlimited".to_owned(), |d| d.to_string())
        );
        let caller = Caller { key: quotas::merchant_caller(plan.merchant_id), limits };
        keys.insert(key, Merchant { name: plan.merchant, caller });
    }
    let keys = Arc::new(keys);

    let shared =
        RedisLimiter::connect(&redis, &settings.redis_key_prefix, std::time::Duration::from_millis(250))
            .await?;
    let limiter = Limiter::redis(shared, settings.fail_open);
    let by_key = keys.clone();
    let identify: quotas::Identify = Arc::new(move |req| {
        let key = req.headers().get("x-api-key")?.to_str().ok()?;
        Some(by_key.get(key)?.caller.clone())
    });
    println!("storefront on http://127.0.0.1:{port}/products (X-Api-Key), counting on {redis}");
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(keys.clone()))
            .wrap(RateLimit::new(limiter.clone(), identify.clone()))
            .route("/products", web::get().to(products))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await?;
    Ok(())
}

/// The merchant's catalogue (here: who is asking); an unknown key is refused before any count.
async fn products(req: HttpRequest, keys: web::Data<Arc<HashMap<String, Merchant>>>) -> HttpResponse {
    let merchant = req.headers().get("x-api-key").and_then(|k| k.to_str().ok()).and_then(|k| keys.get(k));
    match merchant {
        Some(m) => HttpResponse::Ok().json(serde_json::json!({ "merchant": m.name, "products": [] })),
        None => HttpResponse::Unauthorized()
            .json(serde_json::json!({ "error": { "code": "unauthorized", "message": "unknown X-Api-Key" } })),
    }
}
