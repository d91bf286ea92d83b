//! Writes to stores and what they own, and the reads other crates build on. Each write takes the
//! connection first and runs in a (nested) transaction of its own, so it is atomic on its own and
//! inside a caller's transaction. Every time is the caller's: `at` (or `placed_at`) is when the
//! event happened, so imports can keep their original dates.

use std::collections::HashSet;

use merchants::{MerchantId, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set,
    SqlErr, TransactionSession, TransactionTrait,
};
use time::OffsetDateTime;

use crate::entity::{
    inventory, order, order_item, product, product_translation, store, store_domain, team_member,
};
use crate::{DomainName, Error, OrderId, OrderStatus, ProductId, Result, StoreDomainId, StoreId, TeamRole};

/// Rows per multi-row INSERT (well under SQLite's bound-parameter limit).
const BATCH: usize = 1_000;

/// A new store's fields.
#[derive(Debug, Clone, Copy)]
pub struct NewStore<'a> {
    /// The owning merchant.
    pub merchant_id: MerchantId,
    /// Platform-wide unique code.
    pub code: &'a str,
    /// Display name.
    pub name: &'a str,
}

/// A product's title in one language.
#[derive(Debug, Clone, Copy)]
pub struct Title<'a> {
    /// ISO 639-1 code, e.g. `en`.
    pub language: &'a str,
    /// The title.
    pub title: &'a str,
}

/// Stock of a product in one warehouse bin.
#[derive(Debug, Clone, Copy)]
pub struct Stock<'a> {
    /// The warehouse.
    pub warehouse: &'a str,
    /// The bin in it.
    pub bin_location: &'a str,
    /// Units.
    pub quantity: i32,
}

/// A new product's fields.
#[derive(Debug, Clone, Copy)]
pub struct NewProduct<'a> {
    /// Unique within the store; may repeat across stores.
    pub store_sku: &'a str,
    /// Global trade item number, if known.
    pub gtin: Option<&'a str>,
    /// Its titles.
    pub titles: &'a [Title<'a>],
    /// Its initial stock, if any.
    pub stock: Option<Stock<'a>>,
}

/// One line of a new order.
#[derive(Debug, Clone, Copy)]
pub struct NewOrderItem {
    /// A product of the ordering store.
    pub product_id: ProductId,
    /// At least 1.
    pub quantity: i32,
    /// Price of one unit, in cents.
    pub unit_price_cents: i64,
}

/// A new order's fields.
#[derive(Debug, Clone, Copy)]
pub struct NewOrder<'a> {
    /// The customer in the shop's own customer system, if known.
    pub customer_id: Option<i64>,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: &'a str,
    /// `Pending` for a new order; imports bring their own.
    pub status: OrderStatus,
    /// At least one item.
    pub items: &'a [NewOrderItem],
    /// When the order was placed; also the store's new `last_activity_at`.
    pub placed_at: OffsetDateTime,
}

/// Creates a store for a merchant.
pub async fn create_store(
    db: &impl ConnectionTrait,
    new: NewStore<'_>,
    at: OffsetDateTime,
) -> Result<store::Model> {
    store::ActiveModel {
        merchant_id: Set(new.merchant_id),
        code: Set(new.code.to_owned()),
        name: Set(new.name.to_owned()),
        is_active: Set(true),
        last_activity_at: Set(None),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|error| match unique_violation(&error) {
        Some(_) => Error::DuplicateStoreCode(new.code.to_owned()),
        None => Error::Db(error),
    })
}

/// Enables or disables a store (a disabled store is not served; it still counts as a store).
pub async fn set_store_enabled(db: &impl ConnectionTrait, store_id: StoreId, enabled: bool) -> Result<()> {
    let updated = store::Entity::update_many()
        .col_expr(store::Column::IsActive, Expr::value(enabled))
        .filter(store::Column::Id.eq(store_id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::StoreNotFound(store_id));
    }
    Ok(())
}

/// The store, or `StoreNotFound`.
pub async fn find_store(db: &impl ConnectionTrait, store_id: StoreId) -> Result<store::Model> {
    store::Entity::find_by_id(store_id).one(db).await?.ok_or(Error::StoreNotFound(store_id))
}

/// The store and its product; `StoreNotFound`, `ProductNotFound`, or `ProductOfAnotherStore`
/// when the product exists in another store.
pub async fn product_of_store(
    db: &impl ConnectionTrait,
    store_id: StoreId,
    product_id: ProductId,
) -> Result<(store::Model, product::Model)> {
    let store = find_store(db, store_id).await?;
    let product =
        product::Entity::find_by_id(product_id).one(db).await?.ok_or(Error::ProductNotFound(product_id))?;
    if product.store_id != store_id {
        return Err(Error::ProductOfAnotherStore { product_id, store_id });
    }
    Ok((store, product))
}

/// Adds a domain to a store, unverified. Domains are unique platform-wide; a store has at most
/// one primary.
pub async fn add_store_domain<C>(
    db: &C,
    store_id: StoreId,
    domain: &DomainName,
    is_primary: bool,
    at: OffsetDateTime,
) -> Result<store_domain::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    find_store(&txn, store_id).await?;
    let taken = store_domain::Entity::find()
        .filter(store_domain::Column::Domain.eq(domain.as_str()))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(Error::DuplicateDomain(domain.clone()));
    }
    if is_primary && primary_domain(&txn, store_id).await?.is_some() {
        return Err(Error::SecondPrimaryDomain(store_id));
    }
    let inserted = store_domain::ActiveModel {
        store_id: Set(store_id),
        domain: Set(domain.clone()),
        is_primary: Set(is_primary),
        is_verified: Set(false),
        verified_at: Set(None),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    // A concurrent writer can win between the checks and the insert: the unique indexes decide.
    .map_err(|error| match unique_violation(&error) {
        Some(message) if message.contains("domain") && !message.contains("primary") => {
            Error::DuplicateDomain(domain.clone())
        }
        Some(_) if is_primary => Error::SecondPrimaryDomain(store_id),
        Some(_) => Error::DuplicateDomain(domain.clone()),
        None => Error::Db(error),
    })?;
    txn.commit().await?;
    Ok(inserted)
}

/// Marks a domain verified (its DNS check passed) at `at`.
pub async fn verify_store_domain(
    db: &impl ConnectionTrait,
    id: StoreDomainId,
    at: OffsetDateTime,
) -> Result<()> {
    store_domain::Entity::update_many()
        .col_expr(store_domain::Column::IsVerified, Expr::value(true))
        .col_expr(store_domain::Column::VerifiedAt, Expr::value(Timestamp::from(at)))
        .filter(store_domain::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The store's primary domain, if it has one.
pub async fn primary_domain(
    db: &impl ConnectionTrait,
    store_id: StoreId,
) -> Result<Option<store_domain::Model>> {
    Ok(store_domain::Entity::find()
        .filter(store_domain::Column::StoreId.eq(store_id))
        .filter(store_domain::Column::IsPrimary.eq(true))
        .one(db)
        .await?)
}

/// Creates products (with their titles and initial stock) in one transaction and marks the store
/// active. Returns their ids in order. A SKU already in the store, or twice in `products`, refuses
/// the whole batch.
pub async fn create_products<C>(
    db: &C,
    store_id: StoreId,
    products: &[NewProduct<'_>],
    at: OffsetDateTime,
) -> Result<Vec<ProductId>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let mut seen = HashSet::new();
    if let Some(twice) = products.iter().find(|p| !seen.insert(p.store_sku)) {
        return Err(Error::DuplicateSku { store_id, sku: twice.store_sku.to_owned() });
    }
    let txn = db.begin().await?;
    find_store(&txn, store_id).await?;
    let mut ids = Vec::with_capacity(products.len());
    for chunk in products.chunks(BATCH) {
        let existing: Option<String> = product::Entity::find()
            .select_only()
            .column(product::Column::StoreSku)
            .filter(product::Column::StoreId.eq(store_id))
            .filter(product::Column::StoreSku.is_in(chunk.iter().map(|p| p.store_sku)))
            .into_tuple()
            .one(&txn)
            .await?;
        if let Some(sku) = existing {
            return Err(Error::DuplicateSku { store_id, sku });
        }
        let rows = chunk.iter().map(|p| product::ActiveModel {
            store_id: Set(store_id),
            store_sku: Set(p.store_sku.to_owned()),
            gtin: Set(p.gtin.map(str::to_owned)),
            is_active: Set(true),
            created_at: Set(at.into()),
            ..Default::default()
        });
        let chunk_ids =
            product::Entity::insert_many(rows).exec_with_returning_keys(&txn).await.map_err(|error| {
                match unique_violation(&error) {
                    Some(_) => Error::DuplicateSku { store_id, sku: chunk[0].store_sku.to_owned() },
                    None => Error::Db(error),
                }
            })?;
        write_titles_and_stock(&txn, store_id, chunk, &chunk_ids, at).await?;
        ids.extend(chunk_ids);
    }
    mark_store_active(&txn, store_id, at).await?;
    txn.commit().await?;
    Ok(ids)
}

async fn write_titles_and_stock(
    txn: &impl ConnectionTrait,
    store_id: StoreId,
    products: &[NewProduct<'_>],
    ids: &[ProductId],
    at: OffsetDateTime,
) -> Result<()> {
    let titles: Vec<_> = products
        .iter()
        .zip(ids)
        .flat_map(|(p, &id)| {
            p.titles.iter().map(move |t| product_translation::ActiveModel {
                product_id: Set(id),
                language: Set(t.language.to_owned()),
                title: Set(t.title.to_owned()),
                description: Set(None),
                created_at: Set(at.into()),
                ..Default::default()
            })
        })
        .collect();
    for chunk in titles.chunks(BATCH) {
        product_translation::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    let stock: Vec<_> = products
        .iter()
        .zip(ids)
        .filter_map(|(p, &id)| {
            let s = p.stock?;
            Some(inventory::ActiveModel {
                store_id: Set(store_id),
                product_id: Set(id),
                warehouse: Set(s.warehouse.to_owned()),
                bin_location: Set(s.bin_location.to_owned()),
                quantity: Set(s.quantity),
                created_at: Set(at.into()),
                ..Default::default()
            })
        })
        .collect();
    if !stock.is_empty() {
        inventory::Entity::insert_many(stock).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Creates one product; see [`create_products`].
pub async fn create_product<C>(
    db: &C,
    store_id: StoreId,
    new: NewProduct<'_>,
    at: OffsetDateTime,
) -> Result<product::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let ids = create_products(db, store_id, &[new], at).await?;
    let id = ids.first().copied().ok_or_else(|| DbErr::RecordNotInserted)?;
    product::Entity::find_by_id(id).one(db).await?.ok_or(Error::ProductNotFound(id))
}

/// Creates orders with their items (all products of the ordering store) in one transaction and
/// marks the store active as of the latest. Each total is the sum of its items. Returns the ids
/// in order.
pub async fn create_orders<C>(db: &C, store_id: StoreId, orders: &[NewOrder<'_>]) -> Result<Vec<OrderId>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let totals = orders.iter().map(order_total).collect::<Result<Vec<i64>>>()?;
    let txn = db.begin().await?;
    find_store(&txn, store_id).await?;
    check_products_of_store(&txn, store_id, orders).await?;
    let mut ids = Vec::with_capacity(orders.len());
    for (chunk, totals) in orders.chunks(BATCH).zip(totals.chunks(BATCH)) {
        let rows = chunk.iter().zip(totals).map(|(o, &total)| order::ActiveModel {
            store_id: Set(store_id),
            customer_id: Set(o.customer_id),
            status: Set(o.status),
            total_cents: Set(total),
            currency: Set(o.currency.to_owned()),
            created_at: Set(o.placed_at.into()),
            ..Default::default()
        });
        let chunk_ids = order::Entity::insert_many(rows).exec_with_returning_keys(&txn).await?;
        let items: Vec<_> = chunk
            .iter()
            .zip(&chunk_ids)
            .flat_map(|(o, &order_id)| {
                o.items.iter().map(move |item| order_item::ActiveModel {
                    order_id: Set(order_id),
                    product_id: Set(item.product_id),
                    quantity: Set(item.quantity),
                    unit_price_cents: Set(item.unit_price_cents),
                    created_at: Set(o.placed_at.into()),
                    ..Default::default()
                })
            })
            .collect();
        for items in items.chunks(BATCH) {
            order_item::Entity::insert_many(items.to_vec()).exec_without_returning(&txn).await?;
        }
        ids.extend(chunk_ids);
    }
    if let Some(latest) = orders.iter().map(|o| o.placed_at).max() {
        mark_store_active(&txn, store_id, latest).await?;
    }
    txn.commit().await?;
    Ok(ids)
}

/// Creates one order; see [`create_orders`].
pub async fn create_order<C>(db: &C, store_id: StoreId, new: NewOrder<'_>) -> Result<order::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let ids = create_orders(db, store_id, &[new]).await?;
    let id = ids.first().copied().ok_or_else(|| DbErr::RecordNotInserted)?;
    Ok(order::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("order {id}")))?)
}

fn order_total(order: &NewOrder<'_>) -> Result<i64> {
    if order.items.is_empty() {
        return Err(Error::InvalidOrder("an order needs at least one item"));
    }
    if order.items.iter().any(|item| item.quantity < 1 || item.unit_price_cents < 0) {
        return Err(Error::InvalidOrder("quantities must be at least 1 and prices not negative"));
    }
    order
        .items
        .iter()
        .try_fold(0i64, |sum, item| {
            sum.checked_add(item.unit_price_cents.checked_mul(i64::from(item.quantity))?)
        })
        .ok_or(Error::InvalidOrder("the order total does not fit in 64 bits of cents"))
}

/// Refuses orders naming a product that is not the store's.
async fn check_products_of_store(
    txn: &impl ConnectionTrait,
    store_id: StoreId,
    orders: &[NewOrder<'_>],
) -> Result<()> {
    let wanted: Vec<ProductId> = orders
        .iter()
        .flat_map(|o| o.items.iter().map(|i| i.product_id))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for chunk in wanted.chunks(BATCH) {
        let found: HashSet<ProductId> = product::Entity::find()
            .select_only()
            .column(product::Column::Id)
            .filter(product::Column::StoreId.eq(store_id))
            .filter(product::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        if let Some(&missing) = chunk.iter().find(|id| !found.contains(id)) {
            let elsewhere = product::Entity::find_by_id(missing).one(txn).await?;
            return Err(match elsewhere {
                Some(_) => Error::ProductOfAnotherStore { product_id: missing, store_id },
                None => Error::ProductNotFound(missing),
            });
        }
    }
    Ok(())
}

/// Adds a team member (unique email per store).
pub async fn add_team_member<C>(
    db: &C,
    store_id: StoreId,
    email: &str,
    role: TeamRole,
    at: OffsetDateTime,
) -> Result<team_member::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    find_store(&txn, store_id).await?;
    let inserted = team_member::ActiveModel {
        store_id: Set(store_id),
        email: Set(email.to_owned()),
        role: Set(role),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|error| match unique_violation(&error) {
        Some(_) => Error::DuplicateTeamMember { store_id, email: email.to_owned() },
        None => Error::Db(error),
    })?;
    txn.commit().await?;
    Ok(inserted)
}

/// Sets the stock of a product in a warehouse bin (one row per product, warehouse and bin) and
/// marks the store active.
pub async fn set_inventory<C>(
    db: &C,
    product_id: ProductId,
    stock: Stock<'_>,
    at: OffsetDateTime,
) -> Result<inventory::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let product =
        product::Entity::find_by_id(product_id).one(&txn).await?.ok_or(Error::ProductNotFound(product_id))?;
    let existing = inventory::Entity::find()
        .filter(inventory::Column::ProductId.eq(product_id))
        .filter(inventory::Column::Warehouse.eq(stock.warehouse))
        .filter(inventory::Column::BinLocation.eq(stock.bin_location))
        .one(&txn)
        .await?;
    let row = match existing {
        Some(row) => {
            let mut active: inventory::ActiveModel = row.into();
            active.quantity = Set(stock.quantity);
            active.update(&txn).await?
        }
        None => {
            inventory::ActiveModel {
                store_id: Set(product.store_id),
                product_id: Set(product_id),
                warehouse: Set(stock.warehouse.to_owned()),
                bin_location: Set(stock.bin_location.to_owned()),
                quantity: Set(stock.quantity),
                created_at: Set(at.into()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    mark_store_active(&txn, product.store_id, at).await?;
    txn.commit().await?;
    Ok(row)
}

/// Moves `last_activity_at` forward to `at` (never backwards, so back-dated writes are harmless).
async fn mark_store_active(db: &impl ConnectionTrait, store_id: StoreId, at: OffsetDateTime) -> Result<()> {
    store::Entity::update_many()
        .col_expr(store::Column::LastActivityAt, Expr::value(Timestamp::from(at)))
        .filter(store::Column::Id.eq(store_id))
        .filter(
            store::Column::LastActivityAt.is_null().or(store::Column::LastActivityAt.lt(Timestamp::from(at))),
        )
        .exec(db)
        .await?;
    Ok(())
}

fn unique_violation(error: &DbErr) -> Option<String> {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => Some(message),
        _ => None,
    }
}
