//! Images: the upload pipeline (validate by content, decode, resize to the `original`, `800` and
//! `200` variants, encode lossy WebP), content-addressed storage on the local filesystem or an
//! S3-compatible bucket, and O(1) storage statistics kept in the database.
//!
//! Features, so a service links only what it calls:
//! - always: [`ImageKind`], [`Variant`], the storage keys, [`StorageStats`];
//! - `pipeline`: [`pipeline`], pure and synchronous: bytes in, three WebP variants out
//!   ([`process`]), plus [`Processor`] to run it off the async executor with bounded concurrency;
//! - `storage`: [`FileStore`], one interface over both backends (atomic writes, streamed reads);
//! - `db`: the tables and [`load_storage_stats`] (two indexed single-row reads);
//! - `library` (default, all of the above): [`ImageLibrary`] uploads (deduplicated by SHA-256)
//!   and deletes, writing rows and counters in one transaction; [`reconcile`] walks the storage
//!   and fixes the counters;
//! - `test-s3`: [`testing::S3TestServer`], an in-process S3 server for tests.
//!
//! Architecture invariant: stands alone; depends on no other Orion crate. Callers check store and
//! product ownership and pass the plan's per-product limit in [`NewImage`].

#[cfg(feature = "db")]
pub mod entity;
mod ids;
mod keys;
#[cfg(feature = "library")]
pub mod library;
#[cfg(feature = "pipeline")]
pub mod pipeline;
#[cfg(feature = "library")]
mod settings;
mod stats;
#[cfg(feature = "storage")]
pub mod storage;
#[cfg(feature = "test-s3")]
pub mod testing;

pub use ids::{ImageId, InvalidImageId};
pub use keys::{ImageKind, Variant, fit_within, parse_storage_key, shard_of, storage_key};
#[cfg(feature = "library")]
pub use library::{
    Error, ImageLibrary, NewImage, ReconcileOptions, ReconcileReport, Result, StoredImage, StoredVariant,
    find_image, reconcile,
};
#[cfg(feature = "pipeline")]
pub use pipeline::{PipelineError, PipelineSettings, Processed, Processor, Slot, SourceFormat, process};
#[cfg(feature = "library")]
pub use settings::{ImageSettings, StorageBackend};
pub use stats::{ImageStorageMetrics, StorageStats, VARIANTS_PER_IMAGE};
#[cfg(feature = "db")]
pub use stats::{load_storage_stats, storage_stats_as_of};
#[cfg(feature = "storage")]
pub use storage::{
    ByteRange, FileRead, FileStore, ReadOutcome, S3Config, StorageConfig, StorageError, StoredFile,
};
