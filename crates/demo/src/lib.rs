//! Demo data: a realistic platform in an empty database, written only through the domain crates'
//! public functions, so every rule they enforce (unique codes, SKUs and domains, one primary
//! domain, limits per merchant, loyalty balances) holds for the demo too.
//!
//! Merchants joining over time (half before the history window, half during it), each with one to
//! three stores (each with a verified primary domain), a subscription that lives a realistic life
//! (a trial, paid for or left to expire, some cancelled or past due), products (with an English
//! title, some also German, and stock) added in batches since the store opened, team members,
//! orders with items since the store opened, growing month by month with busier weekends, and
//! loyalty programs with cards. Every merchant stays within its tier's limits, so the
//! subscription-capacity figures are plausible. One transaction per merchant: an interrupted run
//! leaves whole merchants only.
//!
//! The daily history is then measured, not made up: `forecast::backfill_snapshots` measures each
//! past day as of its capture moment from these rows, the same way the daily capture measures
//! today. Used by `admin-api seed-demo`, the first start of an empty embedded database, the
//! end-to-end tests and the load tests.

use std::collections::BTreeMap;

use billing::{BillingCycle, TierCode};
use merchants::{MerchantId, MerchantSlug, NewMerchant};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};
use stores::{
    NewOrder, NewOrderItem, NewProduct, NewStore, OrderStatus, ProductId, Stock, StoreId, TeamRole, Title,
};
use time::{Duration, OffsetDateTime, Weekday};

mod history;

/// Sizes of the demo data (the defaults finish in seconds on SQLite). With the `cli` feature,
/// also the flags of `admin-api seed-demo`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct DemoSizes {
    /// Merchants to create (each with 1 to 3 stores).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 40))]
    pub merchants: u32,
    /// Average products per store (each store gets 50 % to 150 % of it, within tier limits).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 120))]
    pub products_per_store: u32,
    /// Average orders per store per month in the latest month (earlier months have fewer).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 60))]
    pub orders_per_store_month: u32,
    /// Months of order history.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 6))]
    pub months: u32,
    /// Relative weight of each tier among the subscriptions.
    #[cfg_attr(
        feature = "cli",
        arg(long = "tiers", default_value = "essential=45,professional=30,business=18,enterprise=7", value_parser = TierWeights::parse)
    )]
    pub tier_weights: TierWeights,
    /// Random seed: the same seed gives the same data.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 42))]
    pub seed: u64,
    /// Days of history: merchants join over this window (and `months`), and a snapshot of each
    /// day before today is measured from the data as of that day.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 180))]
    pub history_days: u32,
}

impl Default for DemoSizes {
    fn default() -> Self {
        DemoSizes {
            merchants: 40,
            products_per_store: 120,
            orders_per_store_month: 60,
            months: 6,
            tier_weights: TierWeights::default(),
            seed: 42,
            history_days: 180,
        }
    }
}

/// When a service fills its database with demo data (admin-api's `[demo]`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DemoSettings {
    /// On start-up, fill an empty embedded SQLite database with the default demo data (never on
    /// PostgreSQL), so a fresh clone shows a populated platform.
    pub seed_empty_sqlite: bool,
}

impl Default for DemoSettings {
    fn default() -> Self {
        DemoSettings { seed_empty_sqlite: true }
    }
}

/// Relative weights of the tiers, e.g. `essential=45,professional=30,business=18,enterprise=7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierWeights(BTreeMap<TierCode, u32>);

impl Default for TierWeights {
    fn default() -> Self {
        TierWeights(BTreeMap::from([
            (TierCode::Essential, 45),
            (TierCode::Professional, 30),
            (TierCode::Business, 18),
            (TierCode::Enterprise, 7),
        ]))
    }
}

impl TierWeights {
    /// Parses `tier=weight` pairs separated by commas; at least one weight must be positive.
    pub fn parse(input: &str) -> std::result::Result<TierWeights, String> {
        let weights = input
            .split(',')
            .map(|pair| {
                let (code, weight) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("{pair:?}: expected tier=weight, e.g. essential=45"))?;
                let tier = TierCode::parse(&code.trim().to_lowercase()).ok_or_else(|| {
                    format!("{pair:?}: unknown tier (essential, professional, business, enterprise)")
                })?;
                let weight = weight.trim().parse::<u32>().map_err(|e| format!("{pair:?}: weight: {e}"))?;
                Ok((tier, weight))
            })
            .collect::<std::result::Result<BTreeMap<_, _>, String>>()?;
        if weights.values().all(|w| *w == 0) {
            return Err("give at least one tier a positive weight".to_owned());
        }
        Ok(TierWeights(weights))
    }

    /// The weight of `tier` (0 when not listed).
    pub fn of(&self, tier: TierCode) -> u32 {
        self.0.get(&tier).copied().unwrap_or(0)
    }

    fn pick(&self, rng: &mut StdRng) -> TierCode {
        let total: u32 = self.0.values().sum();
        let mut left = rng.random_range(0..total.max(1));
        for (tier, weight) in &self.0 {
            if left < *weight {
                return *tier;
            }
            left -= weight;
        }
        TierCode::Essential
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

impl std::fmt::Display for DemoReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} merchants, {} stores, {} products, {} orders ({} items), {} loyalty cards, {} daily snapshots",
            self.merchants,
            self.stores,
            self.products,
            self.orders,
            self.order_items,
            self.loyalty_cards,
            self.snapshots
        )
    }
}

/// Why the demo data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database already holds merchants: demo rows would mix with them.
    #[error("the database already holds {0} merchants; demo data goes into an empty database only")]
    NotEmpty(u64),
    /// A domain rule refused a write (a bug in the demo: it keeps every rule).
    #[error("a {0} write was refused: {1}")]
    Refused(&'static str, String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;

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

/// The number of merchants in the database (seeding needs zero).
pub async fn merchant_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(merchants::entity::merchant::Entity::find().count(db).await?)
}

/// Fills an empty database; `progress` is called after each merchant with the report so far.
/// Refuses a database that already has merchants.
pub async fn seed_demo(
    db: &DatabaseConnection,
    sizes: &DemoSizes,
    mut progress: impl FnMut(&DemoReport),
) -> Result<DemoReport> {
    let existing = merchant_count(db).await?;
    if existing > 0 {
        return Err(Error::NotEmpty(existing));
    }
    let mut rng = StdRng::seed_from_u64(sizes.seed);
    let now = OffsetDateTime::now_utc();
    let tiers = billing::tiers(db).await.map_err(|e| refused("subscription")(&e))?;
    let mut report = DemoReport::default();
    for index in 0..sizes.merchants {
        let tier = sizes.tier_weights.pick(&mut rng);
        let limits = tiers.iter().find(|t| t.code == tier).map(|t| t.limits).unwrap_or_default();
        let txn = db.begin().await?;
        seed_merchant(&txn, &mut rng, sizes, (tier, limits), index, now, &mut report).await?;
        txn.commit().await?;
        progress(&report);
    }
    // Cancelled subscriptions whose period is over and unpaid trials end, as the hourly job does.
    billing::end_due(db, now).await.map_err(|e| refused("subscription")(&e))?;
    report.snapshots = history::measure_history(db, now, sizes.history_days).await?;
    Ok(report)
}

fn refused(what: &'static str) -> impl Fn(&dyn std::fmt::Display) -> Error {
    move |error| Error::Refused(what, error.to_string())
}

async fn seed_merchant<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    rng: &mut StdRng,
    sizes: &DemoSizes,
    (tier, limits): (TierCode, billing::TierLimits),
    index: u32,
    now: OffsetDateTime,
    report: &mut DemoReport,
) -> Result<()> {
    let name = format!("{} {}", ADJECTIVES[rng.random_range(0..16)], NOUNS[rng.random_range(0..16)]);
    let slug = format!("{}-{}", name.to_lowercase().replace(' ', "-"), index + 1);
    // Half the merchants were there before the window; the others joined during it, evenly.
    let window = i64::from(sizes.history_days.max(sizes.months * 30)).max(1);
    let days_ago =
        if rng.random_bool(0.5) { window + rng.random_range(0..60) } else { rng.random_range(0..window) };
    let created = now - Duration::days(days_ago) - Duration::seconds(rng.random_range(0..86_400));
    let merchant_slug = MerchantSlug::parse(&slug).map_err(|e| refused("merchant")(&e))?;
    let contact = format!("owner@{slug}.example");
    let merchant = merchants::create_merchant(
        db,
        NewMerchant { name: &name, slug: merchant_slug, contact_email: &contact },
        created,
    )
    .await
    .map_err(|e| refused("merchant")(&e))?;
    report.merchants += 1;
    // Stores of a merchant whose subscription ended stop selling and adding products then.
    let active_until = subscribe(db, rng, merchant.id, tier, now, created).await?;

    let store_count: u32 = match rng.random_range(0..10) {
        0..6 => 1,
        6..9 => 2,
        _ => 3,
    };
    // Tier limits are per merchant, summed over its stores: share them out.
    let per_store =
        |limit: Option<i64>| limit.map(|l| u64::try_from(l).unwrap_or(0) / u64::from(store_count));
    let product_cap = per_store(limits.max_products);
    let monthly_order_cap = per_store(limits.max_orders_per_month);
    let team_cap = limits.max_team_members.map_or(5, |t| t.clamp(1, 5)) as u32;
    let mut team_left = rng.random_range(1..=team_cap);

    for s in 0..store_count {
        let opened = (created + Duration::days(i64::from(s) * 7)).min(now);
        let code = format!("{slug}-{}", s + 1);
        let store_name = format!("{name} {}", CITIES[rng.random_range(0..CITIES.len())]);
        let store = stores::create_store(
            db,
            NewStore { merchant_id: merchant.id, code: &code, name: &store_name },
            opened,
        )
        .await
        .map_err(|e| refused("store")(&e))?;
        report.stores += 1;
        let domain =
            stores::DomainName::parse(&format!("{code}.shops.example")).map_err(|e| refused("domain")(&e))?;
        let added = stores::add_store_domain(db, store.id, &domain, true, opened)
            .await
            .map_err(|e| refused("domain")(&e))?;
        stores::verify_store_domain(db, added.id, opened).await.map_err(|e| refused("domain")(&e))?;
        if !rng.random_bool(0.95) {
            stores::set_store_enabled(db, store.id, false).await.map_err(|e| refused("store")(&e))?;
        }

        let members = if s + 1 == store_count {
            team_left
        } else {
            rng.random_range(1..=team_left.max(1)).min(team_left)
        };
        team_left -= members;
        for t in 0..members {
            let role = if t == 0 { TeamRole::Owner } else { TeamRole::Staff };
            stores::add_team_member(db, store.id, &format!("staff{}@{code}.example", t + 1), role, opened)
                .await
                .map_err(|e| refused("team member")(&e))?;
        }

        let wanted = u64::from(sizes.products_per_store) * rng.random_range(50..=150) / 100;
        let count = product_cap.map_or(wanted, |cap| wanted.min(cap));
        let product_ids = seed_products(db, rng, store.id, count, opened, active_until.max(opened)).await?;
        report.products += product_ids.len() as u64;
        if product_ids.is_empty() {
            continue;
        }
        let orders = seed_orders(
            db,
            rng,
            sizes,
            store.id,
            &product_ids,
            monthly_order_cap,
            (opened, active_until, now),
        )
        .await?;
        report.orders += orders.0;
        report.order_items += orders.1;
        if s == 0 && rng.random_bool(0.5) {
            report.loyalty_cards += seed_loyalty(db, rng, merchant.id, store.id, &slug, opened).await?;
        }
    }
    Ok(())
}

/// A subscription whose trial started when the merchant joined, with a life since: most paid
/// within the trial (some later cancelled, a few past due), some never paid (expired, or still
/// in a recent trial). Returns when it ended (`now` while live).
async fn subscribe(
    db: &impl ConnectionTrait,
    rng: &mut StdRng,
    merchant_id: MerchantId,
    tier: TierCode,
    now: OffsetDateTime,
    joined: OffsetDateTime,
) -> Result<OffsetDateTime> {
    let cycle = if rng.random_bool(0.3) { BillingCycle::Annual } else { BillingCycle::Monthly };
    let subscription = billing::subscribe(db, merchant_id, tier, cycle, joined)
        .await
        .map_err(|e| refused("subscription")(&e))?;
    let paid_at =
        joined + Duration::days(rng.random_range(2..28)) + Duration::seconds(rng.random_range(0..86_400));
    let fate = rng.random_range(0..100);
    if fate < 8 || paid_at > now {
        // Never paid: expires at the trial's end (or is still in it).
        return Ok(subscription.trial_ends_at.map_or(now, |end| end.get().min(now)));
    }
    billing::activate(db, subscription.id, paid_at).await.map_err(|e| refused("subscription")(&e))?;
    match fate {
        8..20 => {
            // Cancelled some time after paying; ends at that period's end.
            let cancelled_at = paid_at + (now - paid_at) * rng.random_range(0.1..1.0);
            let cancelled = billing::cancel(db, subscription.id, cancelled_at)
                .await
                .map_err(|e| refused("subscription")(&e))?;
            return Ok(cancelled.current_period_end.get().min(now));
        }
        20..25 => {
            billing::mark_past_due(db, subscription.id).await.map_err(|e| refused("subscription")(&e))?;
        }
        _ => {}
    }
    Ok(now)
}

/// `count` products with titles and stock, added in ten batches between `opened` and `until`.
async fn seed_products<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    rng: &mut StdRng,
    store_id: StoreId,
    count: u64,
    opened: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<Vec<ProductId>> {
    let skus: Vec<String> = (1..=count).map(|p| format!("SKU-{p:06}")).collect();
    let titles: Vec<String> = (0..count)
        .map(|_| format!("{} {}", COLOURS[rng.random_range(0..8)], THINGS[rng.random_range(0..12)]))
        .collect();
    let german: Vec<bool> = (0..count).map(|_| rng.random_bool(0.3)).collect();
    let bins: Vec<String> = (0..count)
        .map(|_| format!("A-{:02}-{:02}", rng.random_range(1..40), rng.random_range(1..12)))
        .collect();
    let quantities: Vec<i32> = (0..count).map(|_| rng.random_range(0..500)).collect();
    let title_sets: Vec<Vec<Title<'_>>> = (0..skus.len())
        .map(|i| {
            let mut set = vec![Title { language: "en", title: &titles[i] }];
            if german[i] {
                set.push(Title { language: "de", title: &titles[i] });
            }
            set
        })
        .collect();
    let products: Vec<NewProduct<'_>> = (0..skus.len())
        .map(|i| NewProduct {
            store_sku: &skus[i],
            gtin: None,
            titles: &title_sets[i],
            stock: Some(Stock { warehouse: "main", bin_location: &bins[i], quantity: quantities[i] }),
        })
        .collect();
    let span = (until - opened).max(Duration::ZERO);
    let mut ids = Vec::with_capacity(products.len());
    let batches = products.len().div_ceil(10).max(1);
    for (i, batch) in products.chunks(batches).enumerate() {
        let at = opened + span * (i as f64 / 10.0);
        ids.extend(
            stores::create_products(db, store_id, batch, at).await.map_err(|e| refused("product")(&e))?,
        );
    }
    Ok(ids)
}

/// Orders over the last `months` since the store opened: the latest month about
/// `orders_per_store_month`, each earlier one ~8 % fewer, busier on weekends, within the tier's
/// monthly limit. Returns (orders, items).
async fn seed_orders<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    rng: &mut StdRng,
    sizes: &DemoSizes,
    store_id: StoreId,
    products: &[ProductId],
    monthly_cap: Option<u64>,
    (opened, until, now): (OffsetDateTime, OffsetDateTime, OffsetDateTime),
) -> Result<(u64, u64)> {
    let mut placed: Vec<(OffsetDateTime, Vec<NewOrderItem>, OrderStatus, i64)> = Vec::new();
    // Orders cover the history window too, so its first day has a full 30 days behind it.
    let months = sizes.months.max(sizes.history_days.div_ceil(30) + 1);
    for months_ago in 0..months {
        let base = f64::from(sizes.orders_per_store_month) * 0.92f64.powi(months_ago as i32);
        let mut count = (base * rng.random_range(0.8..1.2)).round() as u64;
        if let Some(cap) = monthly_cap {
            count = count.min(cap);
        }
        let window_end = now - Duration::days(i64::from(months_ago) * 30);
        if window_end <= opened {
            break; // the store did not exist yet
        }
        let (month_begin, month_end) = ((window_end - Duration::days(30)).max(opened), window_end.min(until));
        if month_begin >= month_end {
            continue; // the merchant had left by then
        }
        // A store open for part of the month gets that part of its orders.
        let share =
            (month_end - month_begin).whole_seconds() as f64 / Duration::days(30).whole_seconds() as f64;
        count = (count as f64 * share).round() as u64;
        let span = (month_end - month_begin).whole_seconds().max(1);
        let mut made = 0;
        while made < count {
            let at = month_begin + Duration::seconds(rng.random_range(0..span));
            // Weekly seasonality: weekends are busier; reject some weekday draws.
            let weekend = matches!(at.weekday(), Weekday::Saturday | Weekday::Sunday);
            if !weekend && rng.random_bool(0.3) {
                continue;
            }
            let items = (0..rng.random_range(1..=3))
                .map(|_| NewOrderItem {
                    product_id: products[rng.random_range(0..products.len())],
                    quantity: rng.random_range(1..=3),
                    unit_price_cents: rng.random_range(299..=12_999),
                })
                .collect();
            let status = match rng.random_range(0..100) {
                0..85 => OrderStatus::Completed,
                85..90 => OrderStatus::Pending,
                90..95 => OrderStatus::Cancelled,
                _ => OrderStatus::Refunded,
            };
            placed.push((at, items, status, rng.random_range(1..5_000)));
            made += 1;
        }
    }
    placed.sort_by_key(|(at, ..)| *at);
    let orders: Vec<NewOrder<'_>> = placed
        .iter()
        .map(|(at, items, status, customer)| NewOrder {
            customer_id: Some(*customer),
            currency: "EUR",
            status: *status,
            items,
            placed_at: *at,
        })
        .collect();
    stores::create_orders(db, store_id, &orders).await.map_err(|e| refused("order")(&e))?;
    Ok((orders.len() as u64, orders.iter().map(|o| o.items.len() as u64).sum()))
}

/// A points or stamps program with cards and their opening balances.
async fn seed_loyalty<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    rng: &mut StdRng,
    merchant_id: MerchantId,
    store_id: StoreId,
    slug: &str,
    at: OffsetDateTime,
) -> Result<u64> {
    let points = rng.random_bool(0.7);
    let (name, rule, reward) = if points {
        ("Points Club", loyalty::ProgramRule::Points { points_per_euro: 1 }, "5 EUR voucher per 500 points")
    } else {
        ("Stamp Card", loyalty::ProgramRule::Stamps { stamps_required: 10 }, "Free coffee")
    };
    let program = loyalty::create_program(db, merchant_id, name, rule, reward, at)
        .await
        .map_err(|e| refused("loyalty")(&e))?;
    let cards = rng.random_range(5..25u64);
    for c in 0..cards {
        let customer = format!("customer-{}", rng.random_range(1..5_000));
        let card =
            loyalty::enroll_card(db, program.id, &format!("{slug}-{:05}", c + 1), &customer, store_id, at)
                .await
                .map_err(|e| refused("loyalty")(&e))?;
        let (balance, stamps) =
            if points { (rng.random_range(1..2_000i64), 0) } else { (0, rng.random_range(1..10i32)) };
        loyalty::adjust(db, card.id, store_id, balance, stamps, at)
            .await
            .map_err(|e| refused("loyalty")(&e))?;
    }
    Ok(cards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_weights_parse_and_bad_ones_are_explained() {
        let weights = TierWeights::parse("enterprise=1, Business=3").unwrap();
        assert_eq!(weights.of(TierCode::Enterprise), 1);
        assert_eq!(weights.of(TierCode::Business), 3);
        assert_eq!(weights.of(TierCode::Essential), 0);
        assert!(TierWeights::parse("enterprise").unwrap_err().contains("tier=weight"));
        assert!(TierWeights::parse("enterprise=x").is_err());
        assert!(TierWeights::parse("gold=1").unwrap_err().contains("unknown tier"));
        assert!(TierWeights::parse("essential=0").is_err());
    }
}
