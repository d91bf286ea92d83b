use sea_orm::entity::prelude::*;

use merchants::MerchantId;

use crate::StoreId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "store")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: StoreId,
    pub created_at: TimeDateTimeWithTimeZone,
    pub merchant_id: MerchantId,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub is_active: bool,
    /// Last product, inventory or order write; a store is "active" when this is within 30 days.
    pub last_activity_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
