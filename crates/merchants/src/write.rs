use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, SqlErr};
use time::OffsetDateTime;

use crate::entity::merchant;
use crate::{Error, MerchantSlug, Result};

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

/// Inserts a merchant that joined `at` (now, or the original date when importing).
pub async fn create_merchant(
    db: &impl ConnectionTrait,
    new: NewMerchant<'_>,
    at: OffsetDateTime,
) -> Result<merchant::Model> {
    merchant::ActiveModel {
        name: Set(new.name.to_owned()),
        slug: Set(new.slug.clone()),
        contact_email: Set(new.contact_email.to_owned()),
        is_active: Set(true),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::DuplicateSlug(new.slug),
        _ => Error::Db(error),
    })
}
