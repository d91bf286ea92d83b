use merchants::Timestamp;
use sea_orm::entity::prelude::*;
use stores::StoreId;

use crate::{CardId, ProgramId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "loyalty_card")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: CardId,
    pub created_at: Timestamp,
    pub program_id: ProgramId,
    #[sea_orm(unique)]
    pub card_number: String,
    pub customer_ref: String,
    pub points_balance: i64,
    pub stamps: i32,
    pub enrolled_store_id: StoreId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
