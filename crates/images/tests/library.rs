//! The library on a real database (SQLite and PostgreSQL) and a real directory: files, rows and
//! counters move together; identical content is stored once; failures leave nothing behind;
//! reconcile finds drift, orphans and missing files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::Cursor;
use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage};
use images::entity::{image as image_row, image_blob};
use images::pipeline::content_hash;
use images::{
    Error, FileStore, ImageKind, ImageLibrary, NewImage, PipelineError, PipelineSettings, ReconcileOptions,
    StorageConfig, StorageStats, Variant, find_image, load_storage_stats, reconcile, storage_key,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Statement};

fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8 ^ seed, (y % 256) as u8, ((x * y) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

struct Fixture {
    db: DatabaseConnection,
    dir: tempfile::TempDir,
    library: ImageLibrary,
    store_id: i64,
    product_id: i64,
}

impl Fixture {
    async fn new(db: DatabaseConnection) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::open(&StorageConfig::Local { root: dir.path().join("uploads") }).unwrap();
        let library = ImageLibrary::new(files, PipelineSettings::default(), 2);
        exec(&db, "INSERT INTO merchant (name, slug, contact_email) VALUES ('M', 'm', 'm@example.com')")
            .await;
        exec(&db, "INSERT INTO store (merchant_id, code, name) VALUES (1, 's1', 'S1')").await;
        exec(&db, "INSERT INTO product (store_id, store_sku) VALUES (1, 'sku-1')").await;
        Fixture { db, dir, library, store_id: 1, product_id: 1 }
    }

    /// Reserves a processing slot and uploads.
    async fn upload(&self, new: NewImage<'_>, bytes: Vec<u8>) -> images::Result<images::StoredImage> {
        let slot = self.library.reserve().await?;
        self.library.upload(&self.db, slot, new, bytes).await
    }

    fn root(&self) -> std::path::PathBuf {
        self.dir.path().join("uploads")
    }

    fn product_image(&self, max: Option<i64>) -> NewImage<'static> {
        NewImage {
            store_id: self.store_id,
            product_id: Some(self.product_id),
            kind: ImageKind::Product,
            original_filename: "photo.jpg",
            max_per_product: max,
        }
    }

    async fn stats(&self) -> StorageStats {
        load_storage_stats(&self.db).await.unwrap()
    }

    async fn rows(&self) -> (u64, u64) {
        (
            image_row::Entity::find().count(&self.db).await.unwrap(),
            image_blob::Entity::find().count(&self.db).await.unwrap(),
        )
    }
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
}

fn files_under(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("reading {}: {e}", dir.display()),
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

migration::db_test!(async fn an_upload_writes_three_files_one_row_and_the_counters(db) {
    let fx = Fixture::new(db).await;
    let bytes = jpeg(2400, 1200, 1);
    let stored = fx.upload(fx.product_image(None), bytes.clone()).await.unwrap();

    assert_eq!(stored.hash, content_hash(&bytes));
    assert_eq!(stored.hash.len(), 64);
    assert!(!stored.deduplicated);
    assert_eq!((stored.width, stored.height), (2400, 1200));
    let sizes: Vec<_> = stored.variants.iter().map(|v| (v.variant, v.width, v.height)).collect();
    assert_eq!(sizes, [(Variant::Original, 2000, 1000), (Variant::Medium, 800, 400), (Variant::Thumbnail, 200, 100)]);

    let on_disk = files_under(&fx.root());
    let expected: Vec<String> = {
        let mut keys: Vec<_> = stored.variants.iter().map(|v| v.key.clone()).collect();
        keys.sort();
        keys
    };
    assert_eq!(on_disk, expected);
    assert!(expected[0].starts_with(&format!("products/{}/{}/", &stored.hash[..2], &stored.hash[2..4])));
    for variant in &stored.variants {
        let file = std::fs::read(fx.root().join(&variant.key)).unwrap();
        assert_eq!(file.len() as u64, variant.bytes);
        assert_eq!(&file[8..12], b"WEBP");
        let decoded = image::load_from_memory_with_format(&file, ImageFormat::WebP).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (variant.width, variant.height));
    }

    let stats = fx.stats().await;
    assert_eq!(stats.total_files, 3);
    assert_eq!(stats.total_bytes, stored.variants.iter().map(|v| v.bytes).sum::<u64>());
    assert_eq!(stats.total_blobs, 1);
    assert_eq!(stats.max_files_per_dir, 3);
    assert_eq!(stats.products_estimated(), 1);
    assert_eq!(find_image(&fx.db, stored.id).await.unwrap(), Some(stored));
});

migration::db_test!(async fn identical_content_is_stored_once_and_deleted_with_its_last_reference(db) {
    let fx = Fixture::new(db).await;
    let bytes = jpeg(640, 480, 2);
    let first = fx.upload(fx.product_image(None), bytes.clone()).await.unwrap();
    let second = fx.upload(fx.product_image(None), bytes.clone()).await.unwrap();
    assert!(second.deduplicated);
    assert_ne!(first.id, second.id);
    assert_eq!(first.variants, second.variants);
    assert_eq!(files_under(&fx.root()).len(), 3);
    let after_two = fx.stats().await;
    assert_eq!((after_two.total_files, after_two.total_blobs), (3, 1));
    assert_eq!(fx.rows().await, (2, 1));

    // The same content as a banner is another kind: its own files.
    let banner = NewImage { kind: ImageKind::Banner, product_id: None, ..fx.product_image(None) };
    let as_banner = fx.upload(banner, bytes).await.unwrap();
    assert!(!as_banner.deduplicated);
    assert!(as_banner.variants[0].key.starts_with("banners/"));
    assert_eq!(fx.stats().await.total_files, 6);

    fx.library.delete(&fx.db, first.id).await.unwrap();
    assert_eq!(files_under(&fx.root()).len(), 6, "a reference remains");
    assert_eq!(fx.stats().await.total_files, 6);

    fx.library.delete(&fx.db, second.id).await.unwrap();
    fx.library.delete(&fx.db, as_banner.id).await.unwrap();
    assert_eq!(fx.stats().await, StorageStats::default());
    assert_eq!(fx.rows().await, (0, 0));
    // Files and the shard directories they left empty are gone; the root stays.
    assert!(fx.root().is_dir());
    assert_eq!(std::fs::read_dir(fx.root().join("products")).map(|d| d.count()).unwrap_or(0), 0);
    assert!(files_under(&fx.root()).is_empty());

    assert!(matches!(fx.library.delete(&fx.db, first.id).await, Err(Error::NotFound(id)) if id == first.id));
});

migration::db_test!(async fn refused_uploads_leave_no_file_row_or_count(db) {
    let fx = Fixture::new(db).await;
    let mut truncated = jpeg(300, 200, 3);
    truncated.truncate(truncated.len() / 2);
    type Expect = fn(&Error) -> bool;
    let cases: Vec<(Vec<u8>, Expect)> = vec![
        (Vec::new(), |e| matches!(e, Error::Rejected(PipelineError::Empty))),
        (b"<html><body>not an image</body></html>".to_vec(), |e| {
            matches!(e, Error::Rejected(PipelineError::UnsupportedFormat))
        }),
        (truncated, |e| matches!(e, Error::Rejected(PipelineError::Corrupt(_)))),
        (vec![0xFF; PipelineSettings::default().max_upload_bytes + 1], |e| {
            matches!(e, Error::Rejected(PipelineError::TooLarge { .. }))
        }),
    ];
    for (bytes, expected) in cases {
        let error = fx.upload(fx.product_image(None), bytes).await.unwrap_err();
        assert!(expected(&error), "unexpected {error:?}");
    }
    assert_eq!(fx.stats().await, StorageStats::default());
    assert_eq!(fx.rows().await, (0, 0));
    assert!(files_under(&fx.root()).is_empty());
});

migration::db_test!(async fn the_per_product_limit_holds_for_new_and_known_content(db) {
    let fx = Fixture::new(db).await;
    let a = jpeg(64, 64, 4);
    let b = jpeg(64, 64, 5);
    fx.upload(fx.product_image(Some(2)), a.clone()).await.unwrap();
    fx.upload(fx.product_image(Some(2)), a.clone()).await.unwrap();
    let before = fx.stats().await;

    let new_content = fx.upload(fx.product_image(Some(2)), b.clone()).await.unwrap_err();
    assert!(matches!(new_content, Error::LimitReached { limit: 2, current: 2 }), "{new_content:?}");
    let known_content = fx.upload(fx.product_image(Some(2)), a).await.unwrap_err();
    assert!(matches!(known_content, Error::LimitReached { limit: 2, current: 2 }), "{known_content:?}");

    assert_eq!(fx.stats().await, before);
    assert_eq!(fx.rows().await, (2, 1));
    assert_eq!(files_under(&fx.root()).len(), 3);
    // Without a product the limit does not apply.
    let banner = NewImage { kind: ImageKind::Banner, product_id: None, ..fx.product_image(Some(2)) };
    fx.upload(banner, b).await.unwrap();
});

migration::db_test!(async fn concurrent_uploads_of_the_same_content_store_it_once(db) {
    let fx = Fixture::new(db).await;
    let bytes = jpeg(800, 600, 6);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (library, db, bytes) = (fx.library.clone(), fx.db.clone(), bytes.clone());
            let new = fx.product_image(None);
            tokio::spawn(async move { library.upload(&db, library.reserve().await?, new, bytes).await })
        })
        .collect();
    let mut fresh = 0;
    for task in tasks {
        let stored = task.await.unwrap().unwrap();
        fresh += usize::from(!stored.deduplicated);
    }
    assert_eq!(fresh, 1, "exactly one upload wrote the files");
    assert_eq!(fx.rows().await, (8, 1));
    let blob = image_blob::Entity::find().one(&fx.db).await.unwrap().unwrap();
    assert_eq!(blob.ref_count, 8);
    let stats = fx.stats().await;
    assert_eq!((stats.total_files, stats.total_blobs, stats.max_files_per_dir), (3, 1, 3));
    assert_eq!(files_under(&fx.root()).len(), 3);
});

migration::db_test!(async fn concurrent_uploads_to_one_product_cannot_pass_its_limit_together(db) {
    let fx = Fixture::new(db).await;
    let tasks: Vec<_> = (0..6u8)
        .map(|seed| {
            let (library, db) = (fx.library.clone(), fx.db.clone());
            let new = fx.product_image(Some(3));
            tokio::spawn(async move { library.upload(&db, library.reserve().await?, new, jpeg(48, 48, 100 + seed)).await })
        })
        .collect();
    let mut outcomes = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => outcomes.0 += 1,
            Err(Error::LimitReached { limit: 3, .. }) => outcomes.1 += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(outcomes, (3, 3));
    assert_eq!(fx.stats().await.total_files, 9);
    assert_eq!(files_under(&fx.root()).len(), 9);
});

migration::db_test!(async fn a_storage_failure_rolls_the_upload_back(db) {
    let fx = Fixture::new(db).await;
    let bytes = jpeg(320, 240, 7);
    let hash = content_hash(&bytes);
    // A plain file where the shard directory must go: the storage write fails.
    std::fs::create_dir_all(fx.root().join("products")).unwrap();
    std::fs::write(fx.root().join("products").join(&hash[..2]), b"in the way").unwrap();

    let error = fx.upload(fx.product_image(None), bytes.clone()).await.unwrap_err();
    assert!(matches!(error, Error::Storage(_)), "{error:?}");
    assert_eq!(fx.stats().await, StorageStats::default());
    assert_eq!(fx.rows().await, (0, 0));

    std::fs::remove_file(fx.root().join("products").join(&hash[..2])).unwrap();
    let stored = fx.upload(fx.product_image(None), bytes).await.unwrap();
    assert!(!stored.deduplicated);
    assert_eq!(fx.stats().await.total_files, 3);
});

migration::db_test!(async fn reconcile_reports_drift_orphans_and_missing_files_and_fixes_the_counters(db) {
    let fx = Fixture::new(db).await;
    let kept = fx.upload(fx.product_image(None), jpeg(500, 500, 8)).await.unwrap();
    let damaged = fx.upload(fx.product_image(None), jpeg(500, 400, 9)).await.unwrap();
    let good = fx.stats().await;

    // An upload that died before its commit: complete files, no row.
    let orphan = storage_key(ImageKind::Product, &"ee".repeat(32), Variant::Thumbnail);
    fx.library.files().put(&orphan, b"RIFF....WEBP".to_vec()).await.unwrap();
    // A lost file and counters that drifted.
    let lost = damaged.variants[1].key.clone();
    std::fs::remove_file(fx.root().join(&lost)).unwrap();
    exec(&fx.db, "UPDATE image_storage_stats SET total_files = 99, total_bytes = 1").await;

    let mut calls = Vec::new();
    let keep_all = ReconcileOptions { remove_orphans_before: None };
    let report = reconcile(&fx.db, fx.library.files(), keep_all, |seen| calls.push(seen)).await.unwrap();
    assert!(report.drifted());
    assert_eq!((report.recorded.total_files, report.recorded.total_bytes), (99, 1));
    assert_eq!(report.orphans, std::slice::from_ref(&orphan));
    assert_eq!(report.orphans_removed, 0);
    assert_eq!(report.missing, std::slice::from_ref(&lost));
    assert_eq!(calls.last(), Some(&6));
    // Counted as the storage holds it: 5 referenced files plus the orphan.
    assert_eq!(report.found.total_files, 6);
    assert_eq!(fx.stats().await, report.found);

    let sweep = ReconcileOptions { remove_orphans_before: Some(time::OffsetDateTime::now_utc() + time::Duration::seconds(1)) };
    let report = reconcile(&fx.db, fx.library.files(), sweep, |_| {}).await.unwrap();
    assert_eq!(report.orphans_removed, 1);
    assert!(!fx.root().join(&orphan).exists());
    assert_eq!(report.found.total_files, 5);
    assert_eq!(
        report.found.total_bytes,
        kept.variants.iter().map(|v| v.bytes).sum::<u64>() + damaged.variants[0].bytes + damaged.variants[2].bytes
    );
    assert_eq!(fx.stats().await, report.found);

    // Once fixed, a further run finds no drift.
    let report = reconcile(&fx.db, fx.library.files(), keep_all, |_| {}).await.unwrap();
    assert!(!report.drifted(), "{report:?}");
    assert_eq!(good.total_blobs, report.found.total_blobs);
});

// The counters as `/images/stats` reads them: once a second at most, but a library's own store
// and delete show at once; another instance's (a second library on the same database) within a
// second.
migration::db_test!(async fn stats_show_own_writes_at_once_and_others_within_a_second(db) {
    let fx = Fixture::new(db).await;
    let files = FileStore::open(&StorageConfig::Local { root: fx.root() }).unwrap();
    let other = ImageLibrary::new(files, PipelineSettings::default(), 1);
    assert_eq!(fx.library.stats(&fx.db).await.unwrap(), StorageStats::default());

    let stored = fx.upload(fx.product_image(None), jpeg(400, 300, 7)).await.unwrap();
    let after_upload = fx.library.stats(&fx.db).await.unwrap();
    assert_eq!(after_upload, fx.stats().await, "own upload shown at once");
    assert_eq!((after_upload.total_files, after_upload.total_blobs), (3, 1));

    let slot = other.reserve().await.unwrap();
    other.upload(&fx.db, slot, fx.product_image(None), jpeg(400, 300, 8)).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let seen = fx.library.stats(&fx.db).await.unwrap();
    assert_eq!((seen.total_files, seen.total_blobs), (6, 2), "another instance's upload within a second");

    fx.library.delete(&fx.db, stored.id).await.unwrap();
    assert_eq!(fx.library.stats(&fx.db).await.unwrap().total_blobs, 1, "own delete shown at once");
});
