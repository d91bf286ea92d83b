//! Images: the upload pipeline (validate by content, decode, resize to the `original`, `800` and
//! `200` variants, encode lossy WebP), content-addressed storage on the local filesystem or an
//! S3-compatible bucket, and O(1) storage statistics kept in the database.
//!
//! - [`pipeline`]: pure and synchronous: bytes in, three WebP variants out ([`process`]), plus
//!   [`Processor`] to run it off the async executor with bounded concurrency.
//! - [`storage`]: [`FileStore`], one interface over both backends (atomic writes).
//! - [`library`]: [`ImageLibrary`] uploads (deduplicated by SHA-256) and deletes, writing rows and
//!   counters in one transaction; [`reconcile`] walks the storage and fixes the counters.
//! - [`load_storage_stats`]: the counters, read in two indexed single-row queries.
//!
//! Architecture invariant: stands alone; depends on no other Orion crate. Callers check store and
//! product ownership and pass the plan's per-product limit in [`NewImage`].

pub mod entity;
pub mod library;
pub mod pipeline;
mod stats;
pub mod storage;

pub use library::{
    Error, ImageKind, ImageLibrary, NewImage, ReconcileOptions, ReconcileReport, StoredImage, StoredVariant,
    find_image, reconcile, storage_key,
};
pub use pipeline::{PipelineError, PipelineSettings, Processed, Processor, SourceFormat, Variant, process};
pub use stats::{StorageStats, VARIANTS_PER_IMAGE, load_storage_stats};
pub use storage::{FileStore, S3Config, StorageConfig, StorageError, StoredFile};
