use sea_orm::entity::prelude::*;

/// Files in one leaf shard directory: `kind` plus `shard` = `{h[0:2]}/{h[2:4]}`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "image_shard")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: TimeDateTimeWithTimeZone,
    pub kind: crate::ImageKind,
    pub shard: String,
    pub files: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
