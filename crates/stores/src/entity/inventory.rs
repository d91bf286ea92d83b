use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::{ProductId, StoreId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: Timestamp,
    pub store_id: StoreId,
    pub product_id: ProductId,
    pub warehouse: String,
    pub bin_location: String,
    pub quantity: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
