use merchants::Timestamp;
use sea_orm::entity::prelude::*;
use stores::{OrderId, StoreId};

use crate::{CardId, LoyaltyTransactionId, TransactionKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "loyalty_transaction")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: LoyaltyTransactionId,
    pub created_at: Timestamp,
    pub card_id: CardId,
    pub store_id: StoreId,
    pub kind: TransactionKind,
    pub points_delta: i64,
    pub stamps_delta: i32,
    pub order_id: Option<OrderId>,
    pub idempotency_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
