use sea_orm::entity::prelude::*;

/// One stored set of variants per distinct content (kind + SHA-256 of the upload).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "image_blob")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: TimeDateTimeWithTimeZone,
    pub kind: crate::ImageKind,
    pub hash: String,
    pub width: i32,
    pub height: i32,
    pub bytes_original: i64,
    pub bytes800: i64,
    pub bytes200: i64,
    pub ref_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::image::Entity")]
    Image,
}

impl Related<super::image::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Image.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Size of one variant's file.
    pub fn variant_bytes(&self, variant: crate::keys::Variant) -> i64 {
        match variant {
            crate::keys::Variant::Original => self.bytes_original,
            crate::keys::Variant::Medium => self.bytes800,
            crate::keys::Variant::Thumbnail => self.bytes200,
        }
    }

    /// Size of all its variant files.
    pub fn total_bytes(&self) -> i64 {
        crate::keys::Variant::ALL.into_iter().map(|variant| self.variant_bytes(variant)).sum()
    }
}
