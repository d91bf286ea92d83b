//! Images: the upload pipeline (validate by content, decode, resize to the `original`, `800` and
//! `200` variants, encode lossy WebP), hash-sharded storage backends (local filesystem,
//! S3-compatible object storage) and O(1) storage statistics kept in the database.
//!
//! Built so far: the pure pipeline ([`pipeline`]: sniffing, guards, decoding with EXIF
//! orientation, Lanczos3 resizing, lossy WebP, content hash, storage keys) and reading the
//! storage statistics ([`load_storage_stats`]). Still to come with the image-pipeline issue: the
//! storage backends (local filesystem, S3), the DB rows and counters written with each upload,
//! reconcile, and the routes.
//!
//! Architecture invariant: stands alone; depends on no other Orion crate.

mod stats;

pub use stats::{StorageStats, VARIANTS_PER_IMAGE, load_storage_stats};

pub mod pipeline;

pub use pipeline::{
    PipelineError, PipelineSettings, Processed, Processor, SourceFormat, Variant, process, storage_key,
};
