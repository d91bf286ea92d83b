use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000002_stores::{Product, Store};
use crate::util::{drop_tables, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One stored set of variants per distinct content (kind + hash): identical uploads are stored once
/// and referenced by several `image` rows.
#[derive(DeriveIden)]
enum ImageBlob {
    Table,
    Kind,
    Hash,
    Width,
    Height,
    BytesOriginal,
    Bytes800,
    Bytes200,
    RefCount,
}

#[derive(DeriveIden)]
enum Image {
    Table,
    StoreId,
    ProductId,
    BlobId,
    Kind,
    OriginalFilename,
}

/// O(1) storage statistics: a single row of totals, updated in the transaction of every write.
#[derive(DeriveIden)]
enum ImageStorageStats {
    Table,
    TotalFiles,
    TotalBytes,
    TotalBlobs,
}

/// Files per leaf shard directory (`{kind}/{h[0:2]}/{h[2:4]}`); the fullest one is an index probe.
#[derive(DeriveIden)]
enum ImageShard {
    Table,
    Kind,
    Shard,
    Files,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Restrict, SetNull};

        manager
            .create_table(
                table(ImageBlob::Table)
                    .col(string_len(ImageBlob::Kind, 16))
                    .col(string_len(ImageBlob::Hash, 64))
                    .col(integer(ImageBlob::Width))
                    .col(integer(ImageBlob::Height))
                    .col(big_integer(ImageBlob::BytesOriginal))
                    .col(big_integer(ImageBlob::Bytes800))
                    .col(big_integer(ImageBlob::Bytes200))
                    .col(big_integer(ImageBlob::RefCount).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("idx_image_blob_kind_hash", ImageBlob::Table, [ImageBlob::Kind, ImageBlob::Hash])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table(Image::Table)
                    .col(big_integer(Image::StoreId))
                    .col(big_integer_null(Image::ProductId))
                    .col(big_integer(Image::BlobId))
                    .col(string_len(Image::Kind, 16))
                    .col(string(Image::OriginalFilename))
                    .foreign_key(&mut fk(Image::Table, Image::StoreId, Store::Table, Restrict))
                    .foreign_key(&mut fk(Image::Table, Image::ProductId, Product::Table, SetNull))
                    .foreign_key(&mut fk(Image::Table, Image::BlobId, ImageBlob::Table, Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_image_store", Image::Table, [Image::StoreId])).await?;
        manager.create_index(index("idx_image_product", Image::Table, [Image::ProductId])).await?;
        manager.create_index(index("idx_image_blob", Image::Table, [Image::BlobId])).await?;

        manager
            .create_table(
                table(ImageStorageStats::Table)
                    .col(big_integer(ImageStorageStats::TotalFiles).default(0))
                    .col(big_integer(ImageStorageStats::TotalBytes).default(0))
                    .col(big_integer(ImageStorageStats::TotalBlobs).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ImageStorageStats::Table)
                    .columns([
                        ImageStorageStats::TotalFiles,
                        ImageStorageStats::TotalBytes,
                        ImageStorageStats::TotalBlobs,
                    ])
                    .values_panic([0i64.into(), 0i64.into(), 0i64.into()])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table(ImageShard::Table)
                    .col(string_len(ImageShard::Kind, 16))
                    .col(string_len(ImageShard::Shard, 8))
                    .col(big_integer(ImageShard::Files).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("idx_image_shard_kind_shard", ImageShard::Table, [ImageShard::Kind, ImageShard::Shard])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_image_shard_files", ImageShard::Table, [ImageShard::Files])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                ImageShard::Table.into_iden(),
                ImageStorageStats::Table.into_iden(),
                Image::Table.into_iden(),
                ImageBlob::Table.into_iden(),
            ],
        )
        .await
    }
}
