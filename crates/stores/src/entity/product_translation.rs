use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::ProductId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_translation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: Timestamp,
    pub product_id: ProductId,
    pub language: String,
    pub title: String,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
