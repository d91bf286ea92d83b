//! O(1) storage statistics: the single counter row `image_storage_stats` and the fullest shard
//! directory from `image_shard`, both kept in the transaction of every image write. Reading them
//! never walks the storage tree.

/// Variant files stored per image (`original`, `800`, `200`).
pub const VARIANTS_PER_IMAGE: u64 = 3;

/// What the image storage holds (seed 001 `ImageStorageMetrics`, before unit conversion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
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

/// Seed 001's `ImageStorageMetrics`: the counters in the units people read.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ImageStorageMetrics {
    /// Variant files stored.
    pub total_files: u64,
    /// Their size, MiB (two decimals).
    pub total_size_mb: f64,
    /// Their size, GiB (two decimals).
    pub total_size_gb: f64,
    /// Files in the fullest shard directory.
    pub max_files_per_dir: u64,
    /// Images stored (files / 3 variants), as the original's estimate of products with images.
    pub products_estimated: u64,
}

impl StorageStats {
    /// The seed 001 view of these counters.
    pub fn metrics(&self) -> ImageStorageMetrics {
        let round2 = |value: f64| (value * 100.0).round() / 100.0;
        ImageStorageMetrics {
            total_files: self.total_files,
            total_size_mb: round2(self.total_bytes as f64 / (1024.0 * 1024.0)),
            total_size_gb: round2(self.total_bytes as f64 / (1024.0 * 1024.0 * 1024.0)),
            max_files_per_dir: self.max_files_per_dir,
            products_estimated: self.products_estimated(),
        }
    }

    /// Images the stored files amount to: one per set of [`VARIANTS_PER_IMAGE`] files, as seed
    /// 001's `products_estimated` (one main image per product).
    pub fn products_estimated(&self) -> u64 {
        self.total_files / VARIANTS_PER_IMAGE
    }
}

#[cfg(feature = "db")]
/// Reads the counters: one statement of two indexed single-row reads, whatever the number of
/// images.
pub async fn load_storage_stats(db: &impl sea_orm::ConnectionTrait) -> Result<StorageStats, sea_orm::DbErr> {
    use sea_orm::Statement;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT total_files, total_bytes, total_blobs, \
             (SELECT files FROM image_shard ORDER BY files DESC LIMIT 1) AS max_files_per_dir \
             FROM image_storage_stats ORDER BY id LIMIT 1",
        ))
        .await?;
    let Some(row) = row else { return Ok(StorageStats::default()) };
    let column = |name: &str| -> Result<u64, sea_orm::DbErr> {
        Ok(row.try_get::<Option<i64>>("", name)?.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
    };
    Ok(StorageStats {
        total_files: column("total_files")?,
        total_bytes: column("total_bytes")?,
        total_blobs: column("total_blobs")?,
        max_files_per_dir: column("max_files_per_dir")?,
    })
}

#[cfg(feature = "db")]
/// The counters as they stood at `at`: today's counters minus the images stored after `at`
/// (their blobs' rows), so a capture of today reads the counters and a past day costs one scan
/// of the later blobs. Images deleted since `at` are not seen: the past is what survives.
pub async fn storage_stats_as_of(
    db: &impl sea_orm::ConnectionTrait,
    at: time::OffsetDateTime,
) -> Result<StorageStats, sea_orm::DbErr> {
    use crate::entity::{image_blob, image_shard};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use std::collections::HashMap;

    let now = load_storage_stats(db).await?;
    let later = image_blob::Entity::find().filter(image_blob::Column::CreatedAt.gt(at)).all(db).await?;
    if later.is_empty() {
        return Ok(now);
    }
    let mut files_per_dir: HashMap<(crate::ImageKind, String), i64> = image_shard::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|shard| ((shard.kind, shard.shard), shard.files))
        .collect();
    let variants = VARIANTS_PER_IMAGE as i64;
    let mut later_bytes: u64 = 0;
    for blob in &later {
        *files_per_dir.entry((blob.kind, crate::shard_of(&blob.hash))).or_default() -= variants;
        later_bytes += u64::try_from(blob.total_bytes()).unwrap_or(0);
    }
    let later_count = later.len() as u64;
    Ok(StorageStats {
        total_files: now.total_files.saturating_sub(later_count * VARIANTS_PER_IMAGE),
        total_bytes: now.total_bytes.saturating_sub(later_bytes),
        total_blobs: now.total_blobs.saturating_sub(later_count),
        max_files_per_dir: files_per_dir.into_values().max().map_or(0, |n| u64::try_from(n).unwrap_or(0)),
    })
}
