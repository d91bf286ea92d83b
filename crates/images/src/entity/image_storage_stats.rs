use sea_orm::entity::prelude::*;

/// The single row of storage totals.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "image_storage_stats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: TimeDateTimeWithTimeZone,
    pub total_files: i64,
    pub total_bytes: i64,
    pub total_blobs: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
