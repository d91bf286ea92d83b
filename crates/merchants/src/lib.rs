//! Merchants: the tenants of the platform (formerly "companies"). A merchant owns stores,
//! holds one live subscription and runs loyalty programs.
//!
//! Without the `db` feature this crate is [`MerchantId`], [`MerchantSlug`] and [`define_id!`];
//! with it (the default), the `merchant` entity, [`create_merchant`] and the [`sql`] helpers
//! shared by the crates' aggregate queries.
//!
//! Architecture invariant: this crate depends on no other Orion crate; everything else points here.

#[cfg(feature = "db")]
pub mod entity;
mod id;
mod slug;
#[cfg(feature = "db")]
pub mod sql;
mod timestamp;
#[cfg(feature = "db")]
mod write;

pub use id::{InvalidId, MerchantId};
pub use slug::{MerchantSlug, SlugError};
pub use timestamp::Timestamp;
#[cfg(feature = "db")]
pub use write::{NewMerchant, create_merchant};

/// What can go wrong with merchants.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another merchant has this slug.
    #[error("merchant slug {0} is already taken")]
    DuplicateSlug(MerchantSlug),
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;
