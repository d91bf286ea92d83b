use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::{DomainName, StoreDomainId, StoreId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "store_domain")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: StoreDomainId,
    pub created_at: Timestamp,
    pub store_id: StoreId,
    #[sea_orm(unique)]
    pub domain: DomainName,
    pub is_primary: bool,
    pub is_verified: bool,
    pub verified_at: Option<Timestamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
