use sea_orm::entity::prelude::*;

use crate::{MerchantId, MerchantSlug, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: MerchantId,
    pub created_at: Timestamp,
    pub name: String,
    #[sea_orm(unique)]
    pub slug: MerchantSlug,
    pub contact_email: String,
    pub is_active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
