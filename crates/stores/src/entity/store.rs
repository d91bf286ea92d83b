use merchants::{MerchantId, Timestamp};
use sea_orm::entity::prelude::*;

use crate::StoreId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "store")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: StoreId,
    pub created_at: Timestamp,
    pub merchant_id: MerchantId,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub is_active: bool,
    /// Last product, inventory or order write; a store is "active" when this is within 30 days.
    pub last_activity_at: Option<Timestamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
