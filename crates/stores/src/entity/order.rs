use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::{OrderId, OrderStatus, StoreId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: OrderId,
    pub created_at: Timestamp,
    pub store_id: StoreId,
    /// The customer in the shop's own customer system, if known.
    pub customer_id: Option<i64>,
    pub status: OrderStatus,
    pub total_cents: i64,
    pub currency: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
