//! Images: the upload pipeline (validate by content, decode, resize to the `original`, `800` and
//! `200` variants, encode lossy WebP), hash-sharded storage backends (local filesystem,
//! S3-compatible object storage) and O(1) storage statistics kept in the database.
//!
//! Built so far: reading the storage statistics ([`load_storage_stats`]). The schema
//! (`image_blob`, `image`, `image_storage_stats`, `image_shard`) is in `migration/`; the pipeline
//! and backends arrive with the image-pipeline issue.
//!
//! Architecture invariant: stands alone; depends on no other Orion crate.

mod stats;

pub use stats::{StorageStats, VARIANTS_PER_IMAGE, load_storage_stats};
