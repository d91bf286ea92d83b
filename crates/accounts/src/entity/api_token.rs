use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::{AdminUserId, ApiTokenId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ApiTokenId,
    pub created_at: Timestamp,
    pub admin_user_id: AdminUserId,
    pub token_prefix: String,
    pub token_hash: String,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
