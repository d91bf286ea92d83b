//! Writes to stores and what they own. Each function takes the connection first and runs in a
//! (nested) transaction of its own, so it is atomic on its own and inside a caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
    TransactionSession, TransactionTrait,
};

use crate::entity::{inventory, order, order_item, product, store, store_domain, team_member};
use crate::{DomainName, Error, Result};

/// A new store's fields.
#[derive(Debug, Clone, Copy)]
pub struct NewStore<'a> {
    /// The owning merchant.
    pub merchant_id: i64,
    /// Platform-wide unique code.
    pub code: &'a str,
    /// Display name.
    pub name: &'a str,
}

/// A new product's fields.
#[derive(Debug, Clone, Copy)]
pub struct NewProduct<'a> {
    /// The store that sells it.
    pub store_id: i64,
    /// Unique within the store; may repeat across stores.
    pub store_sku: &'a str,
    /// Global trade item number, if known.
    pub gtin: Option<&'a str>,
}

/// One line of a new order.
#[derive(Debug, Clone, Copy)]
pub struct NewOrderItem {
    /// A product of the ordering store.
    pub product_id: i64,
    /// At least 1.
    pub quantity: i32,
    /// Price of one unit, in cents.
    pub unit_price_cents: i64,
}

/// A new order's fields.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    /// The store that took the order.
    pub store_id: i64,
    /// The customer, if known.
    pub customer_id: Option<i64>,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: &'a str,
    /// At least one item.
    pub items: &'a [NewOrderItem],
    /// When the order was placed (UTC); also the store's new `last_activity_at`.
    pub placed_at: DateTime<Utc>,
}

/// Creates a store for a merchant.
pub async fn create_store<C>(db: &C, new: NewStore<'_>) -> Result<store::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let result = store::ActiveModel {
        merchant_id: Set(new.merchant_id),
        code: Set(new.code.to_owned()),
        name: Set(new.name.to_owned()),
        is_active: Set(true),
        last_activity_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    result.map_err(|error| match unique_violation(&error) {
        Some(_) => Error::DuplicateStoreCode(new.code.to_owned()),
        None => Error::Db(error),
    })
}

/// Adds a domain to a store. Domains are unique platform-wide; a store has at most one primary.
pub async fn add_store_domain<C>(
    db: &C,
    store_id: i64,
    domain: &DomainName,
    is_primary: bool,
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
        return Err(Error::DuplicateDomain(domain.to_string()));
    }
    if is_primary && primary_domain(&txn, store_id).await?.is_some() {
        return Err(Error::SecondPrimaryDomain { store_id });
    }
    let inserted = store_domain::ActiveModel {
        store_id: Set(store_id),
        domain: Set(domain.as_str().to_owned()),
        is_primary: Set(is_primary),
        is_verified: Set(false),
        verified_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    // A concurrent writer can win between the checks and the insert: the unique indexes decide.
    .map_err(|error| match unique_violation(&error) {
        Some(message) if message.contains("domain") && !message.contains("primary") => {
            Error::DuplicateDomain(domain.to_string())
        }
        Some(_) if is_primary => Error::SecondPrimaryDomain { store_id },
        Some(_) => Error::DuplicateDomain(domain.to_string()),
        None => Error::Db(error),
    })?;
    txn.commit().await?;
    Ok(inserted)
}

/// The store's primary domain, if it has one.
pub async fn primary_domain(db: &impl ConnectionTrait, store_id: i64) -> Result<Option<store_domain::Model>> {
    Ok(store_domain::Entity::find()
        .filter(store_domain::Column::StoreId.eq(store_id))
        .filter(store_domain::Column::IsPrimary.eq(true))
        .one(db)
        .await?)
}

/// Creates a product and marks the store active.
pub async fn create_product<C>(db: &C, new: NewProduct<'_>, now: DateTime<Utc>) -> Result<product::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    find_store(&txn, new.store_id).await?;
    let inserted = product::ActiveModel {
        store_id: Set(new.store_id),
        store_sku: Set(new.store_sku.to_owned()),
        gtin: Set(new.gtin.map(str::to_owned)),
        is_active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|error| match unique_violation(&error) {
        Some(_) => Error::DuplicateSku { store_id: new.store_id, sku: new.store_sku.to_owned() },
        None => Error::Db(error),
    })?;
    mark_store_active(&txn, new.store_id, now).await?;
    txn.commit().await?;
    Ok(inserted)
}

/// Creates an order with its items (all products of the ordering store) and marks the store active.
/// The total is the sum of the items.
pub async fn create_order<C>(db: &C, new: NewOrder<'_>) -> Result<order::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    if new.items.is_empty() {
        return Err(Error::InvalidOrder("an order needs at least one item"));
    }
    if new.items.iter().any(|item| item.quantity < 1 || item.unit_price_cents < 0) {
        return Err(Error::InvalidOrder("quantities must be at least 1 and prices not negative"));
    }
    let total_cents = new
        .items
        .iter()
        .try_fold(0i64, |sum, item| {
            sum.checked_add(item.unit_price_cents.checked_mul(i64::from(item.quantity))?)
        })
        .ok_or(Error::InvalidOrder("the order total does not fit in 64 bits of cents"))?;

    let txn = db.begin().await?;
    find_store(&txn, new.store_id).await?;
    for item in new.items {
        let found = product::Entity::find_by_id(item.product_id)
            .filter(product::Column::StoreId.eq(new.store_id))
            .one(&txn)
            .await?;
        if found.is_none() {
            return Err(Error::ProductNotFound { store_id: new.store_id, product_id: item.product_id });
        }
    }
    let inserted = order::ActiveModel {
        store_id: Set(new.store_id),
        customer_id: Set(new.customer_id),
        status: Set("pending".to_owned()),
        total_cents: Set(total_cents),
        currency: Set(new.currency.to_owned()),
        created_at: Set(new.placed_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for item in new.items {
        order_item::ActiveModel {
            order_id: Set(inserted.id),
            product_id: Set(item.product_id),
            quantity: Set(item.quantity),
            unit_price_cents: Set(item.unit_price_cents),
            created_at: Set(new.placed_at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    mark_store_active(&txn, new.store_id, new.placed_at).await?;
    txn.commit().await?;
    Ok(inserted)
}

/// Adds a team member (unique email per store).
pub async fn add_team_member<C>(db: &C, store_id: i64, email: &str, role: &str) -> Result<team_member::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    find_store(&txn, store_id).await?;
    let inserted = team_member::ActiveModel {
        store_id: Set(store_id),
        email: Set(email.to_owned()),
        role: Set(role.to_owned()),
        created_at: Set(Utc::now()),
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

/// Sets the stock of a product in a warehouse bin (one row per product, warehouse and bin).
pub async fn set_inventory<C>(
    db: &C,
    product_id: i64,
    warehouse: &str,
    bin_location: &str,
    quantity: i32,
) -> Result<inventory::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let product = product::Entity::find_by_id(product_id).one(&txn).await?;
    let Some(product) = product else {
        return Err(Error::ProductNotFound { store_id: 0, product_id });
    };
    let existing = inventory::Entity::find()
        .filter(inventory::Column::ProductId.eq(product_id))
        .filter(inventory::Column::Warehouse.eq(warehouse))
        .filter(inventory::Column::BinLocation.eq(bin_location))
        .one(&txn)
        .await?;
    let row = match existing {
        Some(row) => {
            let mut active: inventory::ActiveModel = row.into();
            active.quantity = Set(quantity);
            active.update(&txn).await?
        }
        None => {
            inventory::ActiveModel {
                store_id: Set(product.store_id),
                product_id: Set(product_id),
                warehouse: Set(warehouse.to_owned()),
                bin_location: Set(bin_location.to_owned()),
                quantity: Set(quantity),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    txn.commit().await?;
    Ok(row)
}

async fn find_store(db: &impl ConnectionTrait, store_id: i64) -> Result<store::Model> {
    store::Entity::find_by_id(store_id).one(db).await?.ok_or(Error::StoreNotFound(store_id))
}

/// Moves `last_activity_at` forward to `at` (never backwards, so back-dated writes are harmless).
async fn mark_store_active(db: &impl ConnectionTrait, store_id: i64, at: DateTime<Utc>) -> Result<()> {
    store::Entity::update_many()
        .col_expr(store::Column::LastActivityAt, Expr::value(at))
        .filter(store::Column::Id.eq(store_id))
        .filter(store::Column::LastActivityAt.is_null().or(store::Column::LastActivityAt.lt(at)))
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
