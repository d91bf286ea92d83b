//! Uploading and deleting images: content-addressed and stored once per distinct content, with
//! the storage counters changed in the same transaction as the rows.
//!
//! Ordering, so that nothing is half-written:
//! - an upload is validated, hashed and processed before any transaction starts (CPU work off the
//!   executor, see [`Processor`]);
//! - the transaction takes the write lock first (SQLite `BEGIN IMMEDIATE`; on PostgreSQL the
//!   blob's unique key), checks the per-product limit, writes the variant files (each atomic),
//!   then the counters and the `image` row, and commits. If anything fails the rows roll back and
//!   the files written are removed; if the process dies before the commit, the complete files
//!   are left with no row, and [`reconcile`] finds and removes them;
//! - a delete removes the row, and when the content's last reference goes, the blob row, its
//!   counters and its files, all while holding the same lock, so an upload of the same content
//!   racing with it either references the blob before it goes or writes the files anew after.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set, SqliteTransactionMode, Statement, TransactionOptions, TransactionSession,
    TransactionTrait,
};

use time::OffsetDateTime;

use crate::entity::{image, image_blob, image_shard, image_storage_stats};
use crate::keys::{ImageKind, Variant, fit_within, parse_storage_key, shard_of, storage_key};
use crate::pipeline::{
    PipelineError, PipelineSettings, Processed, Processor, Slot, check_size, content_hash,
};
use crate::storage::{ByteRange, FileStore, ReadOutcome, StorageError};
use crate::{ImageId, StorageStats, VARIANTS_PER_IMAGE, load_storage_stats};

/// A new upload's owner and limits. The caller has checked that the store exists and that the
/// product belongs to it.
#[derive(Debug, Clone, Copy)]
pub struct NewImage<'a> {
    /// The owning store.
    pub store_id: i64,
    /// The product it shows, if any.
    pub product_id: Option<i64>,
    /// What it is for.
    pub kind: ImageKind,
    /// The file name the uploader sent (kept for people; never used to guess the format).
    pub original_filename: &'a str,
    /// The merchant's `max_images_per_product` (`None` = unlimited), checked inside the write's
    /// transaction so concurrent uploads cannot pass it together. Applies when `product_id` is set.
    pub max_per_product: Option<i64>,
}

/// One stored variant file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVariant {
    /// Which.
    pub variant: Variant,
    /// Its storage key, e.g. `products/ab/cd/abcd…_800.webp`.
    pub key: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// File size.
    pub bytes: u64,
}

/// A stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// The `image` row id.
    pub id: ImageId,
    /// The owning store.
    pub store_id: i64,
    /// The product, if any.
    pub product_id: Option<i64>,
    /// What it is for.
    pub kind: ImageKind,
    /// SHA-256 of the uploaded bytes (64 hex digits).
    pub hash: String,
    /// Width of the upload after EXIF orientation.
    pub width: u32,
    /// Height of the upload after EXIF orientation.
    pub height: u32,
    /// The file name the uploader sent.
    pub original_filename: String,
    /// When it was uploaded.
    pub created_at: OffsetDateTime,
    /// `original`, `800`, `200`.
    pub variants: Vec<StoredVariant>,
    /// Identical content was already stored: this upload added a reference, not files.
    pub deduplicated: bool,
}

/// Why an image operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The upload is not an acceptable image (each reason is the uploader's to fix).
    #[error(transparent)]
    Rejected(#[from] PipelineError),
    /// The product already has as many images as its merchant's plan allows.
    #[error("the product has {current} images, the most its merchant's plan allows ({limit})")]
    LimitReached {
        /// `max_images_per_product`.
        limit: i64,
        /// Images the product has.
        current: i64,
    },
    /// No image with this id.
    #[error("no image {0}")]
    NotFound(ImageId),
    /// The file storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The database failed.
    #[error("image database: {0}")]
    Db(#[from] DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;

/// Uploads and deletes images: the pipeline, the file store and the database rows together.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct ImageLibrary {
    files: FileStore,
    processor: Processor,
    /// Contents (`kind/hash`) known to be committed, so serving a file asks the database once per
    /// content, not per request. Entries go when this process deletes the content; past
    /// [`COMMITTED_CACHE`] entries the set starts over.
    committed: std::sync::Arc<std::sync::Mutex<HashSet<String>>>,
    /// The storage counters as last read, see [`ImageLibrary::stats`].
    stats: std::sync::Arc<StatsCache>,
}

/// How long [`ImageLibrary::stats`] reuses a read of the counters.
const STATS_FRESH: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Debug, Default)]
struct StatsCache {
    /// Stores and deletes through this library so far: a read made before one is stale.
    writes: std::sync::atomic::AtomicU64,
    /// When, at which count of writes, and what was read.
    last: std::sync::Mutex<Option<(std::time::Instant, u64, StorageStats)>>,
    /// A caller is reading the counters again because the last read is over a second old.
    refreshing: std::sync::atomic::AtomicBool,
}

/// Clears [`StatsCache::refreshing`] when the read ends, also when it fails or is dropped.
struct Refreshing<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Release);
    }
}

/// Most contents [`ImageLibrary`] remembers as committed.
const COMMITTED_CACHE: usize = 100_000;

/// A content's key in [`ImageLibrary`]'s committed set.
fn committed_key(kind: ImageKind, hash: &str) -> String {
    format!("{kind:?}/{hash}")
}

impl ImageLibrary {
    /// A library writing to `files`, processing at most `max_concurrent` uploads at once.
    pub fn new(files: FileStore, settings: PipelineSettings, max_concurrent: usize) -> ImageLibrary {
        ImageLibrary {
            files,
            processor: Processor::new(settings, max_concurrent),
            committed: Default::default(),
            stats: Default::default(),
        }
    }

    /// The storage counters ([`load_storage_stats`]), read from the database about once a
    /// second however many ask: within a second of a read its result is the answer; after that,
    /// one caller reads again while the others are answered with the last read (nobody waits
    /// for another's read). A store or delete through this library makes the next call read, so
    /// its caller sees its own change; other instances' changes show within about a second.
    pub async fn stats<C: ConnectionTrait>(&self, db: &C) -> std::result::Result<StorageStats, DbErr> {
        use std::sync::atomic::Ordering;
        let cache = &*self.stats;
        let writes = cache.writes.load(Ordering::Acquire);
        let last = *cache.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Held while this caller reads again a read that is only old (not one a write made stale).
        let _refreshing = match last {
            Some((at, seen, stats)) if seen == writes => {
                if at.elapsed() < STATS_FRESH || cache.refreshing.swap(true, Ordering::AcqRel) {
                    return Ok(stats);
                }
                Some(Refreshing(&cache.refreshing))
            }
            _ => None,
        };
        let stats = load_storage_stats(db).await?;
        let mut last = cache.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A read that began after a later write than this one's is kept.
        if last.is_none_or(|(_, seen, _)| seen <= writes) {
            *last = Some((std::time::Instant::now(), writes, stats));
        }
        Ok(stats)
    }

    /// The counters changed: the next [`ImageLibrary::stats`] reads them again.
    fn counters_changed(&self) {
        self.stats.writes.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The file store.
    pub fn files(&self) -> &FileStore {
        &self.files
    }

    /// The pipeline's settings (e.g. `max_upload_bytes` for reading a request body).
    pub fn settings(&self) -> &PipelineSettings {
        self.processor.settings()
    }

    /// Waits for a processing slot. Reserve it *before* reading an upload's body: the uploads held
    /// in memory at once are then bounded by the processing concurrency.
    pub async fn reserve(&self) -> Result<Slot> {
        Ok(self.processor.reserve().await?)
    }

    /// Stores `bytes` for `new` in `slot`: validated, processed into the three variants and
    /// written, unless identical content of the same kind is already stored, which is then
    /// referenced instead.
    pub async fn upload<C>(
        &self,
        db: &C,
        slot: Slot,
        new: NewImage<'_>,
        bytes: Vec<u8>,
    ) -> Result<StoredImage>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        check_size(&bytes, self.settings())?;
        let (bytes, hash) = tokio::task::spawn_blocking(move || {
            let hash = content_hash(&bytes);
            (bytes, hash)
        })
        .await
        .map_err(|e| DbErr::Custom(format!("hashing task failed: {e}")))?;

        // Known content costs no decoding: one more reference.
        if let Some(stored) = reference_existing(db, &new, &hash).await? {
            return Ok(stored);
        }
        let processed = self.processor.process_hashed(slot, bytes, Some(hash)).await?;
        self.store_new(db, &new, processed).await
    }

    async fn store_new<C>(&self, db: &C, new: &NewImage<'_>, processed: Processed) -> Result<StoredImage>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let txn = begin_write(db).await?;
        let bytes_of = |variant: Variant| {
            processed.variants.iter().find(|v| v.variant == variant).map_or(0, |v| v.webp.len() as i64)
        };
        let inserted = image_blob::Entity::insert(image_blob::ActiveModel {
            created_at: Set(OffsetDateTime::now_utc()),
            kind: Set(new.kind),
            hash: Set(processed.hash.clone()),
            width: Set(i32::try_from(processed.width).unwrap_or(i32::MAX)),
            height: Set(i32::try_from(processed.height).unwrap_or(i32::MAX)),
            bytes_original: Set(bytes_of(Variant::Original)),
            bytes800: Set(bytes_of(Variant::Medium)),
            bytes200: Set(bytes_of(Variant::Thumbnail)),
            ref_count: Set(1),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([image_blob::Column::Kind, image_blob::Column::Hash]).do_nothing().to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            // A concurrent upload of the same content stored it first: reference that.
            let stored = add_reference(&txn, new, &processed.hash).await?.ok_or_else(|| {
                DbErr::RecordNotFound(format!("image blob {} after conflict", processed.hash))
            })?;
            txn.commit().await?;
            return Ok(stored);
        }
        let blob = find_blob(&txn, new.kind, &processed.hash)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("image blob {} after insert", processed.hash)))?;
        check_product_limit(&txn, new).await?;

        let mut written = Vec::with_capacity(processed.variants.len());
        let outcome = async {
            for variant in processed.variants {
                let key = storage_key(new.kind, &processed.hash, variant.variant);
                self.files.put(&key, variant.webp).await?;
                written.push(key);
            }
            let file_count = written.len() as i64;
            change_counters(&txn, new.kind, &blob.hash, file_count, blob.total_bytes(), 1).await?;
            let row = insert_image(&txn, new, blob.id).await?;
            txn.commit().await?;
            Ok::<_, Error>(row)
        }
        .await;
        match outcome {
            Ok(row) => {
                self.counters_changed();
                Ok(stored_image(row, &blob, false))
            }
            Err(error) => {
                for key in &written {
                    if let Err(e) = self.files.delete(key).await {
                        tracing::warn!(key, error = %e, "could not remove a file of a failed upload");
                    }
                }
                Err(error)
            }
        }
    }

    /// Deletes image `id`. When it was the last reference to its content, the variant files go
    /// too (with the shard directories they leave empty) and the counters shrink.
    pub async fn delete<C>(&self, db: &C, id: ImageId) -> Result<()>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let txn = begin_write(db).await?;
        let backend = txn.get_database_backend();
        let removed = txn
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    DatabaseBackend::Postgres => "DELETE FROM image WHERE id = $1 RETURNING blob_id",
                    _ => "DELETE FROM image WHERE id = ? RETURNING blob_id",
                },
                [id.into()],
            ))
            .await?
            .ok_or(Error::NotFound(id))?;
        let blob_id: i64 = removed.try_get("", "blob_id")?;
        image_blob::Entity::update_many()
            .col_expr(image_blob::Column::RefCount, Expr::col(image_blob::Column::RefCount).sub(1))
            .filter(image_blob::Column::Id.eq(blob_id))
            .exec(&txn)
            .await?;
        let blob = image_blob::Entity::find_by_id(blob_id)
            .one(&txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("image blob {blob_id} of image {id}")))?;
        if blob.ref_count <= 0 {
            let kind = blob.kind;
            if let Ok(mut committed) = self.committed.lock() {
                committed.remove(&committed_key(kind, &blob.hash));
            }
            image_blob::Entity::delete_by_id(blob.id).exec(&txn).await?;
            change_counters(&txn, kind, &blob.hash, -(VARIANTS_PER_IMAGE as i64), -blob.total_bytes(), -1)
                .await?;
            // Under the write lock, so a concurrent upload of this content waits and rewrites
            // the files after. A file that cannot be removed stays as an orphan for `reconcile`.
            for variant in Variant::ALL {
                let key = storage_key(kind, &blob.hash, variant);
                if let Err(e) = self.files.delete(&key).await {
                    tracing::warn!(key, error = %e, "could not remove an image file; reconcile will");
                }
            }
        }
        txn.commit().await?;
        self.counters_changed();
        Ok(())
    }

    /// Streams a variant file (or the part `range` asks for); `Missing` for a key that is not a
    /// variant's, or whose content no committed upload holds: the files an upload writes before
    /// its transaction commits (left behind when the process is killed in between, until
    /// `reconcile` removes them) are never served.
    pub async fn read_variant(
        &self,
        db: &impl ConnectionTrait,
        key: &str,
        range: Option<ByteRange>,
    ) -> Result<ReadOutcome> {
        let Some((kind, hash, _)) = parse_storage_key(key) else {
            return Ok(ReadOutcome::Missing);
        };
        let content = committed_key(kind, hash);
        let known = self.committed.lock().is_ok_and(|committed| committed.contains(&content));
        if !known {
            let row = image_blob::Entity::find()
                .filter(image_blob::Column::Kind.eq(kind))
                .filter(image_blob::Column::Hash.eq(hash))
                .one(db)
                .await?;
            if row.is_none() {
                return Ok(ReadOutcome::Missing);
            }
            if let Ok(mut committed) = self.committed.lock() {
                if committed.len() >= COMMITTED_CACHE {
                    committed.clear();
                }
                committed.insert(content);
            }
        }
        Ok(self.files.read(key, range).await?)
    }
}

/// Image `id`, if stored.
pub async fn find_image(
    db: &impl ConnectionTrait,
    id: ImageId,
) -> std::result::Result<Option<StoredImage>, DbErr> {
    let Some((row, Some(blob))) =
        image::Entity::find_by_id(id).find_also_related(image_blob::Entity).one(db).await?
    else {
        return Ok(None);
    };
    Ok(Some(stored_image(row, &blob, false)))
}

/// Starts a transaction that holds the write lock from its first statement (SQLite `BEGIN
/// IMMEDIATE`; PostgreSQL locks rows as it writes them).
async fn begin_write<C: TransactionTrait>(db: &C) -> std::result::Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Adds a reference to stored content of the same kind and hash, in its own transaction.
async fn reference_existing<C>(db: &C, new: &NewImage<'_>, hash: &str) -> Result<Option<StoredImage>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = begin_write(db).await?;
    let stored = add_reference(&txn, new, hash).await?;
    if stored.is_some() {
        txn.commit().await?;
    }
    Ok(stored)
}

async fn add_reference(
    txn: &impl ConnectionTrait,
    new: &NewImage<'_>,
    hash: &str,
) -> Result<Option<StoredImage>> {
    let updated = image_blob::Entity::update_many()
        .col_expr(image_blob::Column::RefCount, Expr::col(image_blob::Column::RefCount).add(1))
        .filter(image_blob::Column::Kind.eq(new.kind))
        .filter(image_blob::Column::Hash.eq(hash))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(None);
    }
    let blob = find_blob(txn, new.kind, hash)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("image blob {hash} after update")))?;
    check_product_limit(txn, new).await?;
    let row = insert_image(txn, new, blob.id).await?;
    Ok(Some(stored_image(row, &blob, true)))
}

async fn find_blob(
    db: &impl ConnectionTrait,
    kind: ImageKind,
    hash: &str,
) -> std::result::Result<Option<image_blob::Model>, DbErr> {
    image_blob::Entity::find()
        .filter(image_blob::Column::Kind.eq(kind))
        .filter(image_blob::Column::Hash.eq(hash))
        .one(db)
        .await
}

/// Refuses one more image of the product when it has `max_per_product` already. Runs after the
/// transaction's first write, so on SQLite it holds the database's write lock; on PostgreSQL an
/// advisory lock per product serialises concurrent uploads to the same product.
async fn check_product_limit(txn: &impl ConnectionTrait, new: &NewImage<'_>) -> Result<()> {
    let (Some(product_id), Some(limit)) = (new.product_id, new.max_per_product) else {
        return Ok(());
    };
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        /// Advisory lock namespace of image limits ("img").
        const NAMESPACE: i32 = 0x0069_6d67;
        let key = i32::try_from(product_id.rem_euclid(i64::from(i32::MAX))).unwrap_or(0);
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1, $2)",
            [NAMESPACE.into(), key.into()],
        ))
        .await?;
    }
    let current = image::Entity::find().filter(image::Column::ProductId.eq(product_id)).count(txn).await?;
    let current = i64::try_from(current).unwrap_or(i64::MAX);
    if current >= limit {
        return Err(Error::LimitReached { limit, current });
    }
    Ok(())
}

async fn insert_image(
    txn: &impl ConnectionTrait,
    new: &NewImage<'_>,
    blob_id: i64,
) -> std::result::Result<image::Model, DbErr> {
    image::ActiveModel {
        created_at: Set(OffsetDateTime::now_utc()),
        store_id: Set(new.store_id),
        product_id: Set(new.product_id),
        blob_id: Set(blob_id),
        kind: Set(new.kind),
        original_filename: Set(new.original_filename.to_owned()),
        ..Default::default()
    }
    .insert(txn)
    .await
}

/// Adds `files`, `bytes` and `blobs` (negative to remove) to the totals and the shard's count.
async fn change_counters(
    txn: &impl ConnectionTrait,
    kind: ImageKind,
    hash: &str,
    files: i64,
    bytes: i64,
    blobs: i64,
) -> std::result::Result<(), DbErr> {
    use image_storage_stats::Column as Stats;
    image_storage_stats::Entity::update_many()
        .col_expr(Stats::TotalFiles, Expr::col(Stats::TotalFiles).add(files))
        .col_expr(Stats::TotalBytes, Expr::col(Stats::TotalBytes).add(bytes))
        .col_expr(Stats::TotalBlobs, Expr::col(Stats::TotalBlobs).add(blobs))
        .exec(txn)
        .await?;
    let shard = shard_of(hash);
    if files > 0 {
        image_shard::Entity::insert(image_shard::ActiveModel {
            created_at: Set(OffsetDateTime::now_utc()),
            kind: Set(kind),
            shard: Set(shard),
            files: Set(files),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([image_shard::Column::Kind, image_shard::Column::Shard])
                .value(
                    image_shard::Column::Files,
                    Expr::col((image_shard::Entity, image_shard::Column::Files)).add(files),
                )
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    } else {
        image_shard::Entity::update_many()
            .col_expr(image_shard::Column::Files, Expr::col(image_shard::Column::Files).add(files))
            .filter(image_shard::Column::Kind.eq(kind))
            .filter(image_shard::Column::Shard.eq(&shard))
            .exec(txn)
            .await?;
        image_shard::Entity::delete_many()
            .filter(image_shard::Column::Kind.eq(kind))
            .filter(image_shard::Column::Shard.eq(shard))
            .filter(image_shard::Column::Files.lte(0))
            .exec(txn)
            .await?;
    }
    Ok(())
}

fn stored_image(row: image::Model, blob: &image_blob::Model, deduplicated: bool) -> StoredImage {
    let kind = row.kind;
    let (width, height) = (u32::try_from(blob.width).unwrap_or(0), u32::try_from(blob.height).unwrap_or(0));
    let variants = Variant::ALL
        .into_iter()
        .map(|variant| {
            let (w, h) = fit_within(width, height, variant.bound());
            let bytes = blob.variant_bytes(variant);
            StoredVariant {
                variant,
                key: storage_key(kind, &blob.hash, variant),
                width: w,
                height: h,
                bytes: u64::try_from(bytes).unwrap_or(0),
            }
        })
        .collect();
    StoredImage {
        id: row.id,
        store_id: row.store_id,
        product_id: row.product_id,
        kind,
        hash: blob.hash.clone(),
        width,
        height,
        original_filename: row.original_filename,
        created_at: row.created_at,
        variants,
        deduplicated,
    }
}

/// What [`reconcile`] found and did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReconcileReport {
    /// The counters before.
    pub recorded: StorageStats,
    /// What the storage holds (after removing orphans, when asked to).
    pub found: StorageStats,
    /// Files no stored image refers to (left by an upload that died before its commit, or a
    /// delete whose file removal failed).
    pub orphans: Vec<String>,
    /// Of those, removed.
    pub orphans_removed: usize,
    /// Files stored images refer to that are not in the storage.
    pub missing: Vec<String>,
    /// Local staging files of interrupted writes, removed.
    pub staging_removed: usize,
}

impl ReconcileReport {
    /// Did the counters differ from the storage?
    pub fn drifted(&self) -> bool {
        self.recorded != self.found
    }
}

/// The report for people: counters before and after, orphans, missing files, the verdict.
impl std::fmt::Display for ReconcileReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (was, holds) = (self.recorded, self.found);
        writeln!(f, "  {:<18} {:>14} {:>14}", "", "counters were", "storage holds")?;
        for (name, a, b) in [
            ("files", was.total_files, holds.total_files),
            ("bytes", was.total_bytes, holds.total_bytes),
            ("images", was.total_blobs, holds.total_blobs),
            ("fullest directory", was.max_files_per_dir, holds.max_files_per_dir),
        ] {
            writeln!(f, "  {name:<18} {a:>14} {b:>14}")?;
        }
        writeln!(
            f,
            "  orphan files: {} ({} removed); missing files: {}; staging files removed: {}",
            self.orphans.len(),
            self.orphans_removed,
            self.missing.len(),
            self.staging_removed
        )?;
        for key in self.missing.iter().take(20) {
            writeln!(f, "  missing: {key}")?;
        }
        for key in self.orphans.iter().take(20) {
            writeln!(f, "  orphan:  {key}")?;
        }
        write!(
            f,
            "{}",
            if self.drifted() { "Counters had drifted; they now match the storage." } else { "No drift." }
        )
    }
}

/// Options of [`reconcile`].
#[derive(Debug, Clone, Copy)]
pub struct ReconcileOptions {
    /// Remove orphan files last written before this (uploads in flight are younger).
    pub remove_orphans_before: Option<OffsetDateTime>,
}

/// Walks the whole storage, compares it with the database and sets the counters to what it holds.
/// `progress` is called with the number of files seen so far, every 1,000 files and at the end.
/// Uploads and deletes running meanwhile may leave a small drift; run it when quiet.
pub async fn reconcile<C>(
    db: &C,
    files: &FileStore,
    options: ReconcileOptions,
    mut progress: impl FnMut(u64),
) -> Result<ReconcileReport>
where
    C: ConnectionTrait + TransactionTrait,
{
    let recorded = load_storage_stats(db).await?;
    let mut known: HashMap<(ImageKind, String), u8> = image_blob::Entity::find()
        .select_only()
        .column(image_blob::Column::Kind)
        .column(image_blob::Column::Hash)
        .into_tuple::<(ImageKind, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|key| (key, 0u8))
        .collect();

    let mut seen = 0u64;
    let mut present = Vec::new();
    let mut orphans = Vec::new();
    files
        .walk("", |file| {
            seen += 1;
            if seen.is_multiple_of(1_000) {
                progress(seen);
            }
            match parse_storage_key(&file.key) {
                Some((kind, hash, variant)) if known.contains_key(&(kind, hash.to_owned())) => {
                    if let Some(mask) = known.get_mut(&(kind, hash.to_owned())) {
                        *mask |= 1 << variant_bit(variant);
                    }
                    present.push(file);
                }
                _ => orphans.push(file),
            }
        })
        .await?;
    progress(seen);

    let mut orphans_removed = 0;
    let mut kept_orphans = Vec::new();
    for orphan in &orphans {
        if options.remove_orphans_before.is_some_and(|before| orphan.last_modified < before) {
            files.delete(&orphan.key).await?;
            orphans_removed += 1;
        } else {
            kept_orphans.push(orphan.clone());
        }
    }
    let staging_removed = match options.remove_orphans_before {
        Some(before) => files.remove_stale_staging(before.into()).map_err(|e| {
            StorageError::from(object_store::Error::Generic { store: "local", source: Box::new(e) })
        })?,
        None => 0,
    };

    let missing = known
        .iter()
        .flat_map(|((kind, hash), mask)| {
            Variant::ALL
                .into_iter()
                .filter(move |variant| mask & (1 << variant_bit(*variant)) == 0)
                .map(move |variant| storage_key(*kind, hash, variant))
        })
        .collect();

    // The counters: every file the storage holds (kept orphans included: they use space).
    let mut shards: HashMap<(ImageKind, String), i64> = HashMap::new();
    let mut blobs = HashSet::new();
    let mut found = StorageStats::default();
    for file in present.iter().chain(&kept_orphans) {
        found.total_files += 1;
        found.total_bytes += file.size;
        if let Some((kind, hash, _)) = parse_storage_key(&file.key) {
            *shards.entry((kind, shard_of(hash))).or_default() += 1;
            blobs.insert((kind, hash));
        }
    }
    found.total_blobs = blobs.len() as u64;
    found.max_files_per_dir = shards.values().copied().max().map_or(0, |n| u64::try_from(n).unwrap_or(0));

    let txn = begin_write(db).await?;
    use image_storage_stats::Column as Stats;
    image_storage_stats::Entity::update_many()
        .col_expr(Stats::TotalFiles, Expr::value(i64::try_from(found.total_files).unwrap_or(i64::MAX)))
        .col_expr(Stats::TotalBytes, Expr::value(i64::try_from(found.total_bytes).unwrap_or(i64::MAX)))
        .col_expr(Stats::TotalBlobs, Expr::value(i64::try_from(found.total_blobs).unwrap_or(i64::MAX)))
        .exec(&txn)
        .await?;
    image_shard::Entity::delete_many().exec(&txn).await?;
    let now = OffsetDateTime::now_utc();
    let rows: Vec<_> = shards
        .into_iter()
        .map(|((kind, shard), files)| image_shard::ActiveModel {
            created_at: Set(now),
            kind: Set(kind),
            shard: Set(shard),
            files: Set(files),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(1_000) {
        image_shard::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;

    Ok(ReconcileReport {
        recorded,
        found,
        orphans: orphans.into_iter().map(|file| file.key).collect(),
        orphans_removed,
        missing,
        staging_removed,
    })
}

fn variant_bit(variant: Variant) -> u8 {
    match variant {
        Variant::Original => 0,
        Variant::Medium => 1,
        Variant::Thumbnail => 2,
    }
}
