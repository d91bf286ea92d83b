//! Stores (formerly "vendors") and what they own: store domains, products (+ translations),
//! orders (+ items), inventory and team members.
//!
//! Architecture invariant: depends only on `merchants`. Subscription limits are checked by the
//! caller through `billing` *before* it calls the write functions here (billing depends on
//! stores, not the other way round). Every product or order write marks its store active
//! (`last_activity_at`) in the same transaction.

mod domain_name;
pub mod entity;
mod write;

pub use domain_name::{DomainName, DomainNameError};
pub use write::*;

use sea_orm::DbErr;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store does not exist.
    #[error("store {0} not found")]
    StoreNotFound(i64),
    /// The product does not exist in that store.
    #[error("product {product_id} not found in store {store_id}")]
    ProductNotFound {
        /// The store that was searched.
        store_id: i64,
        /// The product asked for.
        product_id: i64,
    },
    /// Another store (of any merchant) already uses this domain.
    #[error("domain {0} is already used by a store")]
    DuplicateDomain(String),
    /// The store already has a primary domain.
    #[error("store {store_id} already has a primary domain")]
    SecondPrimaryDomain {
        /// The store.
        store_id: i64,
    },
    /// The SKU is already used by another product of the same store.
    #[error("SKU {sku:?} already exists in store {store_id}")]
    DuplicateSku {
        /// The store.
        store_id: i64,
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
        store_id: i64,
        /// The email.
        email: String,
    },
    /// An order needs at least one item, each with a positive quantity and a non-negative price.
    #[error("invalid order: {0}")]
    InvalidOrder(&'static str),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;
