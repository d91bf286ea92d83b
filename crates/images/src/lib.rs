//! Images: the upload pipeline (validate by content, decode, resize to the `original`, `800` and
//! `200` variants, encode lossy WebP), hash-sharded storage backends (local filesystem,
//! S3-compatible object storage) and O(1) storage statistics kept in the database.
//!
//! Not built yet: the schema (`image_blob`, `image`, `image_storage_stats`, `image_shard`) is in
//! `migration/`; the pipeline and backends arrive with the image-pipeline issue.
//!
//! Architecture invariant: stands alone; depends on no other Orion crate.
