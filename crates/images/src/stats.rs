//! O(1) storage statistics: the single counter row `image_storage_stats` and the fullest shard
//! directory from `image_shard`, both kept in the transaction of every image write. Reading them
//! never walks the storage tree.

use sea_orm::{ConnectionTrait, DbErr, Statement};

/// Variant files stored per image (`original`, `800`, `200`).
pub const VARIANTS_PER_IMAGE: u64 = 3;

/// What the image storage holds (seed 001 `ImageStorageMetrics`, before unit conversion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StorageStats {
    /// Variant files stored.
    pub total_files: u64,
    /// Bytes of all variant files.
    pub total_bytes: u64,
    /// Distinct stored images (identical uploads count once).
    pub total_blobs: u64,
    /// Files in the fullest leaf shard directory.
    pub max_files_per_dir: u64,
}

impl StorageStats {
    /// Images the stored files amount to: one per set of [`VARIANTS_PER_IMAGE`] files, as seed
    /// 001's `products_estimated` (one main image per product).
    pub fn products_estimated(&self) -> u64 {
        self.total_files / VARIANTS_PER_IMAGE
    }
}

/// Reads the counters: two indexed single-row reads, whatever the number of images.
pub async fn load_storage_stats(db: &impl ConnectionTrait) -> Result<StorageStats, DbErr> {
    let backend = db.get_database_backend();
    let totals = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT total_files, total_bytes, total_blobs FROM image_storage_stats ORDER BY id LIMIT 1",
        ))
        .await?;
    let fullest = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT files FROM image_shard ORDER BY files DESC LIMIT 1",
        ))
        .await?;
    let column = |row: &Option<sea_orm::QueryResult>, name: &str| -> Result<u64, DbErr> {
        match row {
            Some(row) => Ok(u64::try_from(row.try_get::<i64>("", name)?).unwrap_or(0)),
            None => Ok(0),
        }
    };
    Ok(StorageStats {
        total_files: column(&totals, "total_files")?,
        total_bytes: column(&totals, "total_bytes")?,
        total_blobs: column(&totals, "total_blobs")?,
        max_files_per_dir: column(&fullest, "files")?,
    })
}
