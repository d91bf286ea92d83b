use sea_orm::entity::prelude::*;

/// One uploaded image: who it belongs to and which stored blob holds its variants.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "image")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: crate::ImageId,
    pub created_at: TimeDateTimeWithTimeZone,
    pub store_id: i64,
    pub product_id: Option<i64>,
    pub blob_id: i64,
    pub kind: crate::ImageKind,
    pub original_filename: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::image_blob::Entity",
        from = "Column::BlobId",
        to = "super::image_blob::Column::Id"
    )]
    Blob,
}

impl Related<super::image_blob::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Blob.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
