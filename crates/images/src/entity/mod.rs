//! The image tables (migration `m20260101_000005_images`): `image` (one per upload), `image_blob`
//! (one per distinct content), and the O(1) counters `image_storage_stats` (one row) and
//! `image_shard` (files per leaf shard directory).
#![allow(missing_docs)] // columns are documented in the migration

pub mod image;
pub mod image_blob;
pub mod image_shard;
pub mod image_storage_stats;
