use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::{ProductId, StoreId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ProductId,
    pub created_at: Timestamp,
    pub store_id: StoreId,
    pub store_sku: String,
    pub gtin: Option<String>,
    pub is_active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
