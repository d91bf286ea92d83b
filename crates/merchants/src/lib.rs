//! Merchants: the tenants of the platform (formerly "companies"). A merchant owns stores,
//! holds one live subscription and runs loyalty programs.
//!
//! Architecture invariant: this crate depends on no other Orion crate; everything else points here.

pub mod entity;
mod slug;

pub use slug::{MerchantSlug, SlugError};

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

/// A new merchant's fields.
#[derive(Debug, Clone)]
pub struct NewMerchant<'a> {
    /// Display name.
    pub name: &'a str,
    /// URL-safe unique identifier.
    pub slug: MerchantSlug,
    /// Where the platform writes to the merchant.
    pub contact_email: &'a str,
}

/// Inserts a merchant. A duplicate slug fails with the database's unique-constraint error.
pub async fn create_merchant(
    db: &impl ConnectionTrait,
    new: NewMerchant<'_>,
) -> Result<entity::merchant::Model, DbErr> {
    entity::merchant::ActiveModel {
        name: Set(new.name.to_owned()),
        slug: Set(new.slug.as_str().to_owned()),
        contact_email: Set(new.contact_email.to_owned()),
        is_active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}
