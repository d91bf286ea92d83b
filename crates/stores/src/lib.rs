//! Stores (formerly "vendors") and what they own: store domains, products (+ translations),
//! orders (+ items), inventory and team members.
//!
//! Without the `db` feature: the ids, [`DomainName`], [`OrderStatus`] and [`TeamRole`]. With it
//! (the default): the entities and the write and read functions.
//!
//! Architecture invariant: depends only on `merchants`. Subscription limits are checked by the
//! caller through `billing` *before* it calls the write functions here (billing depends on
//! stores, not the other way round). Every product or order write moves its store's
//! `last_activity_at` forward in the same transaction.

mod domain_name;
#[cfg(feature = "db")]
pub mod entity;
mod ids;
#[cfg(feature = "db")]
mod write;

pub use domain_name::{DomainName, DomainNameError};
pub use ids::{OrderId, ProductId, StoreDomainId, StoreId};
#[cfg(feature = "db")]
pub use write::*;

use serde::{Deserialize, Serialize};

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum OrderStatus {
    /// Placed, not yet fulfilled.
    #[cfg_attr(feature = "db", sea_orm(string_value = "pending"))]
    Pending,
    /// Fulfilled.
    #[cfg_attr(feature = "db", sea_orm(string_value = "completed"))]
    Completed,
    /// Cancelled before fulfilment.
    #[cfg_attr(feature = "db", sea_orm(string_value = "cancelled"))]
    Cancelled,
    /// Paid back.
    #[cfg_attr(feature = "db", sea_orm(string_value = "refunded"))]
    Refunded,
}

/// A team member's role in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum TeamRole {
    /// Runs the store.
    #[cfg_attr(feature = "db", sea_orm(string_value = "owner"))]
    Owner,
    /// Works in it.
    #[cfg_attr(feature = "db", sea_orm(string_value = "staff"))]
    Staff,
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store does not exist.
    #[error("store {0} not found")]
    StoreNotFound(StoreId),
    /// The product does not exist.
    #[error("product {0} not found")]
    ProductNotFound(ProductId),
    /// The product belongs to another store than the one named with it.
    #[error("product {product_id} does not belong to store {store_id}")]
    ProductOfAnotherStore {
        /// The product.
        product_id: ProductId,
        /// The store named with it.
        store_id: StoreId,
    },
    /// Another store (of any merchant) already uses this domain.
    #[error("domain {0} is already used by a store")]
    DuplicateDomain(DomainName),
    /// The store already has a primary domain.
    #[error("store {0} already has a primary domain")]
    SecondPrimaryDomain(StoreId),
    /// The SKU is already used by another product of the same store.
    #[error("SKU {sku:?} already exists in store {store_id}")]
    DuplicateSku {
        /// The store.
        store_id: StoreId,
        /// The SKU.
        sku: String,
    },
    /// The store code is already taken.
    #[error("store code {0:?} is already taken")]
    DuplicateStoreCode(String),
    /// The team member's email is already on the store's team.
    #[error("{email} is already on the team of store {store_id}")]
    DuplicateTeamMember {
        /// The store.
        store_id: StoreId,
        /// The email.
        email: String,
    },
    /// An order needs at least one item, each with a positive quantity and a non-negative price.
    #[error("invalid order: {0}")]
    InvalidOrder(&'static str),
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;
