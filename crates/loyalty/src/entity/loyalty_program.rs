use merchants::{MerchantId, Timestamp};
use sea_orm::entity::prelude::*;

use crate::{ProgramId, ProgramKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "loyalty_program")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ProgramId,
    pub created_at: Timestamp,
    pub merchant_id: MerchantId,
    pub name: String,
    pub kind: ProgramKind,
    pub points_per_euro: Option<i32>,
    pub stamps_required: Option<i32>,
    pub reward: String,
    pub is_active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
