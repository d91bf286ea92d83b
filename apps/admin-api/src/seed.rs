//! `admin-api seed-demo`: realistic demo data in an empty database.
//!
//! Merchants with one to three stores (each with a verified primary domain), live subscriptions
//! across the tiers, products (with an English title, some also German) and an inventory row each,
//! team members, orders with items spread over the last months with growth and busier weekends,
//! and loyalty programs with cards. Every merchant stays within its tier's limits, so the
//! subscription-capacity figures are plausible. Rows are written in bulk, one transaction per
//! merchant: an interrupted run leaves whole merchants only.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait,
};

/// Sizes of the demo data (the defaults finish in seconds on SQLite).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSizes {
    /// Merchants to create.
    pub merchants: u32,
    /// Average products per store (each store gets 50 % to 150 % of it, within tier limits).
    pub products_per_store: u32,
    /// Average orders per store per month in the latest month (earlier months have fewer).
    pub orders_per_store_month: u32,
    /// Months of order history.
    pub months: u32,
    /// Relative weight of each tier code among the subscriptions.
    pub tier_weights: BTreeMap<String, u32>,
    /// Random seed: the same seed gives the same data.
    pub seed: u64,
    /// Daily capacity snapshots before today (today's is captured from the data).
    pub history_days: u32,
}

impl Default for DemoSizes {
    fn default() -> Self {
        DemoSizes {
            merchants: 40,
            products_per_store: 120,
            orders_per_store_month: 60,
            months: 6,
            tier_weights: BTreeMap::from([
                ("essential".to_owned(), 45),
                ("professional".to_owned(), 30),
                ("business".to_owned(), 18),
                ("enterprise".to_owned(), 7),
            ]),
            seed: 42,
            history_days: 180,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Merchants.
    pub merchants: u64,
    /// Stores.
    pub stores: u64,
    /// Products.
    pub products: u64,
    /// Orders.
    pub orders: u64,
    /// Order items.
    pub order_items: u64,
    /// Loyalty cards.
    pub loyalty_cards: u64,
    /// Daily capacity snapshots (history and today).
    pub snapshots: u64,
}

const ADJECTIVES: [&str; 16] = [
    "Nordic", "Urban", "Golden", "Green", "Blue", "Alpine", "Coastal", "Rustic", "Bright", "Silver", "Wild",
    "Little", "Royal", "Happy", "Modern", "Sunny",
];
const NOUNS: [&str; 16] = [
    "Outfitters",
    "Bakery",
    "Books",
    "Garden",
    "Coffee",
    "Kitchen",
    "Cycles",
    "Toys",
    "Apparel",
    "Pets",
    "Studio",
    "Market",
    "Tea House",
    "Ceramics",
    "Optics",
    "Wines",
];
const CITIES: [&str; 10] =
    ["Berlin", "Lisbon", "Vienna", "Lyon", "Porto", "Munich", "Madrid", "Milan", "Ghent", "Tallinn"];
const THINGS: [&str; 12] = [
    "Mug",
    "Backpack",
    "Notebook",
    "Candle",
    "Scarf",
    "Lamp",
    "Bottle",
    "Plant Pot",
    "Jacket",
    "Board Game",
    "Teapot",
    "Poster",
];
const COLOURS: [&str; 8] = ["Red", "Oak", "Black", "Sand", "Olive", "Navy", "White", "Rose"];
const BATCH: usize = 1_000;

/// An order to write: when, and its items as (product id, quantity, unit price in cents).
type DemoOrder = (DateTime<Utc>, Vec<(i64, i32, i64)>);

/// Fills an empty database. Refuses one that already has merchants (the data would mix).
pub async fn seed_demo(
    db: &DatabaseConnection,
    sizes: &DemoSizes,
    progress: bool,
) -> anyhow::Result<DemoReport> {
    use merchants::entity::merchant;
    let existing = merchant::Entity::find().count(db).await?;
    if existing > 0 {
        bail!("the database already holds {existing} merchants; seed-demo fills an empty database only");
    }
    let tiers = billing::entity::subscription_tier::Entity::find()
        .all(db)
        .await
        .context("reading the tier catalogue")?;
    let weighted: Vec<(&billing::entity::subscription_tier::Model, u32)> = tiers
        .iter()
        .filter_map(|t| sizes.tier_weights.get(&t.code).map(|w| (t, *w)))
        .filter(|(_, w)| *w > 0)
        .collect();
    if weighted.is_empty() {
        bail!(
            "--tiers names no known tier with a positive weight (known: essential, professional, business, enterprise)"
        );
    }
    let bar = if progress { ProgressBar::new(u64::from(sizes.merchants)) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} seeding merchants {pos}/{len} [{bar:30}] {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut rng = StdRng::seed_from_u64(sizes.seed);
    let now = Utc::now();
    let mut report = DemoReport::default();
    for m in 0..sizes.merchants {
        let total: u32 = weighted.iter().map(|(_, w)| w).sum();
        let mut pick = rng.random_range(0..total);
        let tier = weighted
            .iter()
            .find(|(_, w)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            })
            .map_or(weighted[0].0, |(t, _)| *t);
        let txn = db.begin().await?;
        seed_merchant(&txn, &mut rng, sizes, tier, m, now, &mut report).await?;
        sea_orm::TransactionSession::commit(txn).await?;
        bar.inc(1);
        bar.set_message(format!("{} products, {} orders", report.products, report.orders));
    }
    bar.finish_and_clear();
    report.snapshots = seed_history(db, &mut rng, now, sizes.history_days).await?;
    Ok(report)
}

/// Today's snapshot from the data just written, and `days` earlier daily snapshots leading up
/// to it: about 6 % growth a month for stores and products (a little faster for orders), ±1 %
/// noise, and busier weekends in the orders.
async fn seed_history(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    now: DateTime<Utc>,
    days: u32,
) -> anyhow::Result<u64> {
    use forecast::entity::capacity_snapshot;
    let today = forecast::capture_daily_snapshot(db, now, None).await?.snapshot;
    let mut rows = Vec::new();
    for back in 1..=i64::from(days) {
        let day = today.snapshot_date - Duration::days(back);
        let mut noise = || 1.0 + rng.random_range(-0.01..0.01);
        let shrink = |monthly: f64| (1.0 + monthly).powf(-(back as f64) / 30.0);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let count =
            |today: i64, monthly: f64, noise: f64| ((today as f64) * shrink(monthly) * noise).round() as i64;
        let mut row: capacity_snapshot::ActiveModel = today.clone().into();
        row.id = NotSet;
        row.created_at = Set(day.and_hms_opt(0, 0, 5).map_or(now, |t| t.and_utc()));
        row.snapshot_date = Set(day);
        row.total_merchants = Set(count(today.total_merchants, 0.05, 1.0));
        row.total_stores = Set(count(today.total_stores, 0.06, 1.0));
        row.active_stores = Set(count(today.active_stores, 0.06, 1.0));
        row.total_subscriptions = Set(count(today.total_subscriptions, 0.05, 1.0));
        row.active_subscriptions = Set(count(today.active_subscriptions, 0.05, 1.0));
        row.total_products = Set(count(today.total_products, 0.06, noise()));
        row.total_orders_month =
            Set(count(today.total_orders_month, 0.08, noise() * if weekend { 1.03 } else { 1.0 }));
        row.total_team_members = Set(count(today.total_team_members, 0.04, 1.0));
        row.db_size_mb = Set((today.db_size_mb * shrink(0.07) * noise() * 100.0).round() / 100.0);
        row.storage_used_gb = Set((today.storage_used_gb * shrink(0.07) * 1000.0).round() / 1000.0);
        rows.push(row);
    }
    for chunk in rows.chunks(BATCH / 4) {
        capacity_snapshot::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(u64::from(days) + 1)
}

async fn seed_merchant(
    db: &impl ConnectionTrait,
    rng: &mut StdRng,
    sizes: &DemoSizes,
    tier: &billing::entity::subscription_tier::Model,
    index: u32,
    now: DateTime<Utc>,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    use billing::entity::merchant_subscription;
    use merchants::entity::merchant;
    use stores::entity::{
        inventory, order, order_item, product, product_translation, store, store_domain, team_member,
    };

    let name = format!("{} {}", ADJECTIVES[rng.random_range(0..16)], NOUNS[rng.random_range(0..16)]);
    let slug = format!("{}-{}", name.to_lowercase().replace(' ', "-"), index + 1);
    let created = now - Duration::days(i64::from(sizes.months) * 30 + rng.random_range(0..60));
    let merchant_id = merchant::Entity::insert(merchant::ActiveModel {
        id: NotSet,
        created_at: Set(created),
        name: Set(name.clone()),
        slug: Set(slug.clone()),
        contact_email: Set(format!("owner@{slug}.example")),
        is_active: Set(true),
    })
    .exec(db)
    .await?
    .last_insert_id;
    report.merchants += 1;

    // Subscription: mostly active, some in trial, a few past due.
    let annual = rng.random_bool(0.3);
    let status = match rng.random_range(0..100) {
        0..80 => "active",
        80..93 => "trialing",
        _ => "past_due",
    };
    let period_start = now - Duration::days(rng.random_range(0..28));
    merchant_subscription::Entity::insert(merchant_subscription::ActiveModel {
        id: NotSet,
        created_at: Set(created),
        merchant_id: Set(merchant_id),
        tier_code: Set(tier.code.clone()),
        status: Set(status.to_owned()),
        billing_cycle: Set(if annual { "annual" } else { "monthly" }.to_owned()),
        current_period_start: Set(period_start),
        current_period_end: Set(period_start + Duration::days(if annual { 365 } else { 30 })),
        trial_ends_at: Set((status == "trialing").then(|| now + Duration::days(rng.random_range(1..30)))),
        cancelled_at: Set(None),
    })
    .exec(db)
    .await?;

    let store_count: u32 = match rng.random_range(0..10) {
        0..6 => 1,
        6..9 => 2,
        _ => 3,
    };
    // Tier limits are per merchant, summed over its stores: share them out.
    let per_store =
        |limit: Option<i64>| limit.map(|l| u64::try_from(l).unwrap_or(0) / u64::from(store_count));
    let product_cap = per_store(tier.max_products);
    let monthly_order_cap = per_store(tier.max_orders_per_month);
    let team_cap = tier.max_team_members.map_or(5, |t| t.clamp(1, 5)) as u32;
    let mut team_left = rng.random_range(1..=team_cap);

    for s in 0..store_count {
        let code = format!("{slug}-{}", s + 1);
        let store_id = store::Entity::insert(store::ActiveModel {
            id: NotSet,
            created_at: Set(created + Duration::days(i64::from(s) * 7)),
            merchant_id: Set(merchant_id),
            code: Set(code.clone()),
            name: Set(format!("{name} {}", CITIES[rng.random_range(0..CITIES.len())])),
            is_active: Set(rng.random_bool(0.95)),
            last_activity_at: Set(Some(now - Duration::minutes(rng.random_range(1..3_000)))),
        })
        .exec(db)
        .await?
        .last_insert_id;
        report.stores += 1;
        store_domain::Entity::insert(store_domain::ActiveModel {
            id: NotSet,
            created_at: Set(created),
            store_id: Set(store_id),
            domain: Set(format!("{code}.shops.example")),
            is_primary: Set(true),
            is_verified: Set(true),
            verified_at: Set(Some(created)),
        })
        .exec(db)
        .await?;

        let members = if s + 1 == store_count {
            team_left
        } else {
            rng.random_range(1..=team_left.max(1)).min(team_left)
        };
        team_left -= members;
        if members > 0 {
            team_member::Entity::insert_many((0..members).map(|t| team_member::ActiveModel {
                id: NotSet,
                created_at: Set(created),
                store_id: Set(store_id),
                email: Set(format!("staff{}@{code}.example", t + 1)),
                role: Set(if t == 0 { "owner" } else { "staff" }.to_owned()),
            }))
            .exec(db)
            .await?;
        }

        // Products, each with a title and an inventory row.
        let wanted = u64::from(sizes.products_per_store) * rng.random_range(50..=150) / 100;
        let products = product_cap.map_or(wanted, |cap| wanted.min(cap));
        let mut product_ids: Vec<i64> = Vec::with_capacity(products as usize);
        for chunk_start in (0..products).step_by(BATCH) {
            let chunk = chunk_start..(chunk_start + BATCH as u64).min(products);
            let rows: Vec<product::ActiveModel> = chunk
                .clone()
                .map(|p| product::ActiveModel {
                    id: NotSet,
                    created_at: Set(created + Duration::minutes(p as i64)),
                    store_id: Set(store_id),
                    store_sku: Set(format!("SKU-{:06}", p + 1)),
                    gtin: Set(Some(format!("40{:011}", rng.random_range(0..100_000_000_000u64)))),
                    is_active: Set(rng.random_bool(0.95)),
                })
                .collect();
            let ids = product::Entity::insert_many(rows).exec_with_returning_keys(db).await?;
            let mut translations = Vec::with_capacity(ids.len() * 2);
            let mut stock = Vec::with_capacity(ids.len());
            for &id in &ids {
                let title = format!(
                    "{} {}",
                    COLOURS[rng.random_range(0..COLOURS.len())],
                    THINGS[rng.random_range(0..THINGS.len())]
                );
                if rng.random_bool(0.3) {
                    translations.push(translation(id, "de", &title, created));
                }
                translations.push(translation(id, "en", &title, created));
                stock.push(inventory::ActiveModel {
                    id: NotSet,
                    created_at: Set(created),
                    store_id: Set(store_id),
                    product_id: Set(id),
                    warehouse: Set("main".to_owned()),
                    bin_location: Set(format!(
                        "A-{:02}-{:02}",
                        rng.random_range(1..40),
                        rng.random_range(1..12)
                    )),
                    quantity: Set(rng.random_range(0..500)),
                });
            }
            product_translation::Entity::insert_many(translations).exec(db).await?;
            inventory::Entity::insert_many(stock).exec(db).await?;
            product_ids.extend(ids);
        }
        report.products += products;
        if product_ids.is_empty() {
            continue;
        }

        // Orders: the latest month has about `orders_per_store_month`; each earlier month ~8 % fewer.
        let mut orders: Vec<DemoOrder> = Vec::new();
        for months_ago in 0..sizes.months {
            let base = f64::from(sizes.orders_per_store_month) * 0.92f64.powi(months_ago as i32);
            let mut count = (base * rng.random_range(0.8..1.2)).round() as u64;
            if let Some(cap) = monthly_order_cap {
                count = count.min(cap);
            }
            let month_end =
                if months_ago == 0 { now } else { now - Duration::days(i64::from(months_ago) * 30) };
            let month_begin = month_end - Duration::days(30);
            let span = (month_end - month_begin).num_seconds().max(1);
            let mut placed = 0;
            while placed < count {
                let at = month_begin + Duration::seconds(rng.random_range(0..span));
                // Weekly seasonality: weekends are busier; reject some weekday draws.
                let weekend = matches!(at.weekday(), Weekday::Sat | Weekday::Sun);
                if !weekend && rng.random_bool(0.3) {
                    continue;
                }
                let items = (0..rng.random_range(1..=3))
                    .map(|_| {
                        let product = product_ids[rng.random_range(0..product_ids.len())];
                        (product, rng.random_range(1..=3), rng.random_range(299..=12_999))
                    })
                    .collect();
                orders.push((at, items));
                placed += 1;
            }
        }
        orders.sort_by_key(|(at, _)| *at);
        for chunk in orders.chunks(BATCH) {
            let rows: Vec<order::ActiveModel> = chunk
                .iter()
                .map(|(at, items)| order::ActiveModel {
                    id: NotSet,
                    created_at: Set(*at),
                    store_id: Set(store_id),
                    customer_id: Set(Some(rng.random_range(1..5_000))),
                    status: Set(match rng.random_range(0..100) {
                        0..85 => "completed",
                        85..90 => "pending",
                        90..95 => "cancelled",
                        _ => "refunded",
                    }
                    .to_owned()),
                    total_cents: Set(items.iter().map(|(_, q, price)| i64::from(*q) * price).sum()),
                    currency: Set("EUR".to_owned()),
                })
                .collect();
            let ids = order::Entity::insert_many(rows).exec_with_returning_keys(db).await?;
            let items: Vec<order_item::ActiveModel> = ids
                .iter()
                .zip(chunk)
                .flat_map(|(&order_id, (at, items))| {
                    items.iter().map(move |&(product_id, quantity, unit_price_cents)| {
                        order_item::ActiveModel {
                            id: NotSet,
                            created_at: Set(*at),
                            order_id: Set(order_id),
                            product_id: Set(product_id),
                            quantity: Set(quantity),
                            unit_price_cents: Set(unit_price_cents),
                        }
                    })
                })
                .collect();
            report.order_items += items.len() as u64;
            for items in items.chunks(BATCH) {
                order_item::Entity::insert_many(items.to_vec()).exec(db).await?;
            }
        }
        report.orders += orders.len() as u64;

        if s == 0 && rng.random_bool(0.5) {
            report.loyalty_cards += seed_loyalty(db, rng, merchant_id, store_id, &slug, created).await?;
        }
    }
    Ok(())
}

fn translation(
    product_id: i64,
    language: &str,
    title: &str,
    at: DateTime<Utc>,
) -> stores::entity::product_translation::ActiveModel {
    stores::entity::product_translation::ActiveModel {
        id: NotSet,
        created_at: Set(at),
        product_id: Set(product_id),
        language: Set(language.to_owned()),
        title: Set(title.to_owned()),
        description: Set(None),
    }
}

/// A points or stamps program with cards whose balances match their (adjust) transactions.
async fn seed_loyalty(
    db: &impl ConnectionTrait,
    rng: &mut StdRng,
    merchant_id: i64,
    store_id: i64,
    slug: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<u64> {
    use loyalty::entity::{loyalty_card, loyalty_program, loyalty_transaction};
    let points = rng.random_bool(0.7);
    let program_id = loyalty_program::Entity::insert(loyalty_program::ActiveModel {
        id: NotSet,
        created_at: Set(at),
        merchant_id: Set(merchant_id),
        name: Set(if points { "Points Club" } else { "Stamp Card" }.to_owned()),
        kind: Set(if points { "points" } else { "stamps" }.to_owned()),
        points_per_euro: Set(points.then_some(1)),
        stamps_required: Set((!points).then_some(10)),
        reward: Set(if points { "5 EUR voucher per 500 points" } else { "Free coffee" }.to_owned()),
        is_active: Set(true),
    })
    .exec(db)
    .await?
    .last_insert_id;
    let cards = rng.random_range(5..25u64);
    for c in 0..cards {
        let (balance, stamps) =
            if points { (rng.random_range(0..2_000i64), 0) } else { (0, rng.random_range(0..10i32)) };
        let card_id = loyalty_card::Entity::insert(loyalty_card::ActiveModel {
            id: NotSet,
            created_at: Set(at),
            program_id: Set(program_id),
            card_number: Set(format!("{slug}-{:05}", c + 1)),
            customer_ref: Set(format!("customer-{}", rng.random_range(1..5_000))),
            points_balance: Set(balance),
            stamps: Set(stamps),
            enrolled_store_id: Set(store_id),
        })
        .exec(db)
        .await?
        .last_insert_id;
        loyalty_transaction::Entity::insert(loyalty_transaction::ActiveModel {
            id: NotSet,
            created_at: Set(at),
            card_id: Set(card_id),
            store_id: Set(store_id),
            kind: Set("adjust".to_owned()),
            points_delta: Set(balance),
            stamps_delta: Set(stamps),
            order_id: Set(None),
            idempotency_key: Set(Some(format!("demo:{slug}:{c}"))),
        })
        .exec(db)
        .await?;
    }
    Ok(cards)
}

/// Parses `essential=45,professional=30,…`.
pub fn parse_tier_weights(input: &str) -> Result<BTreeMap<String, u32>, String> {
    input
        .split(',')
        .map(|pair| {
            let (code, weight) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?}: expected tier=weight, e.g. essential=45"))?;
            let weight = weight.trim().parse::<u32>().map_err(|e| format!("{pair:?}: weight: {e}"))?;
            Ok((code.trim().to_lowercase(), weight))
        })
        .collect()
}
