//! The S3 backend against a real S3-compatible server on loopback, started in this process
//! (`images::testing::S3TestServer`: s3s over a temporary directory): uploads land in the bucket
//! under the sharded keys, read back byte for byte, are shared when identical, are removed with
//! their last reference, and reconcile walks the bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use images::testing::S3TestServer;
use images::{
    FileStore, ImageKind, ImageLibrary, NewImage, PipelineSettings, ReconcileOptions, StorageStats,
    load_storage_stats, reconcile,
};
use sea_orm::{ConnectionTrait, Statement};

/// A new, empty bucket on a fresh in-process S3 server (kept alive by the returned handle).
async fn fresh_bucket() -> (FileStore, S3TestServer) {
    let server = S3TestServer::start().await.unwrap();
    let files = FileStore::open(&server.bucket("orion-test").unwrap()).unwrap();
    (files, server)
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

migration::db_test!(async fn uploads_to_s3_read_back_dedupe_and_delete(db) {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_string(backend, "INSERT INTO merchant (name, slug, contact_email) VALUES ('M', 'm', 'm@example.com')")).await.unwrap();
    db.execute_raw(Statement::from_string(backend, "INSERT INTO store (merchant_id, code, name) VALUES (1, 's1', 'S1')")).await.unwrap();

    let (files, _server) = fresh_bucket().await;
    assert!(files.describe().starts_with("s3:http://127.0.0.1"), "{}", files.describe());
    let library = ImageLibrary::new(files.clone(), PipelineSettings::default(), 2);
    let new = NewImage {
        store_id: 1,
        product_id: None,
        kind: ImageKind::Category,
        original_filename: "shoes.jpg",
        max_per_product: None,
    };
    let bytes = jpeg(1200, 900);
    let first = library.upload(&db, library.reserve().await.unwrap(), new, bytes.clone()).await.unwrap();
    let second = library.upload(&db, library.reserve().await.unwrap(), new, bytes).await.unwrap();
    assert!(second.deduplicated);

    let mut listed = Vec::new();
    files.walk("", |file| listed.push(file)).await.unwrap();
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    let mut keys: Vec<_> = first.variants.iter().map(|v| v.key.clone()).collect();
    keys.sort();
    assert_eq!(listed.iter().map(|f| f.key.clone()).collect::<Vec<_>>(), keys);
    assert!(keys[0].starts_with(&format!("categories/{}/{}/", &first.hash[..2], &first.hash[2..4])));
    for variant in &first.variants {
        let body = files.get(&variant.key).await.unwrap().expect("stored variant");
        assert_eq!(body.len() as u64, variant.bytes);
        let decoded = image::load_from_memory_with_format(&body, ImageFormat::WebP).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (variant.width, variant.height));
    }
    let stats = load_storage_stats(&db).await.unwrap();
    assert_eq!((stats.total_files, stats.total_blobs), (3, 1));
    assert_eq!(stats.total_bytes, listed.iter().map(|f| f.size).sum::<u64>());

    let report = reconcile(&db, &files, ReconcileOptions { remove_orphans_before: None }, |_| {}).await.unwrap();
    assert!(!report.drifted(), "{report:?}");
    assert!(report.orphans.is_empty() && report.missing.is_empty());

    library.delete(&db, first.id).await.unwrap();
    assert!(files.get(&keys[0]).await.unwrap().is_some(), "still referenced");
    library.delete(&db, second.id).await.unwrap();
    for key in &keys {
        assert_eq!(files.get(key).await.unwrap(), None, "{key} removed");
    }
    assert_eq!(load_storage_stats(&db).await.unwrap(), StorageStats::default());
});
