//! Image routes over HTTP: upload, fetch the three variants, delete; every bad input refused with
//! its status and code while nothing is stored and the counters stay put; the plan's limit;
//! concurrent identical uploads; the S3 backend.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use tests::{Backend, Part, TestApp, e2e_test};

const UPLOAD: &str = "/api/v1/admin/images/upload";
const STATS: &str = "/api/v1/admin/images/stats";

fn encoded(width: u32, height: u32, seed: u8, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8 ^ seed, (y % 256) as u8, ((x / 7 + y / 5) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    encoded(width, height, seed, ImageFormat::Jpeg)
}

/// A GIF whose screen is `width`×`height`, holding `frames` frames of 1×1 pixel.
fn gif(width: u16, height: u16, frames: usize) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]); // 2-colour table
    for _ in 0..frames {
        out.extend_from_slice(&[0x21, 0xF9, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
        out.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00]);
    }
    out.push(0x3B);
    out
}

/// A valid PNG header (good CRC) claiming `width`×`height`, with no pixel data after it.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

async fn upload(app: &TestApp, parts: &[Part<'_>]) -> tests::Reply {
    app.post_multipart(UPLOAD, Some(&app.admin_token), parts).await
}

/// Files below `root` (none when it does not exist yet); an unreadable directory fails the test.
fn files_under(root: &std::path::Path) -> usize {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return 0,
        Err(e) => panic!("reading {}: {e}", root.display()),
    };
    entries.map(|e| e.unwrap().path()).map(|p| if p.is_dir() { files_under(&p) } else { 1 }).sum()
}

fn uploads_root(app: &TestApp) -> std::path::PathBuf {
    app.state.images.files().local_root().expect("the local backend").to_path_buf()
}

e2e_test!(async fn a_photo_is_uploaded_its_three_variants_fetched_and_deleted(app) {
    let photo = jpeg(3000, 2000, 1);
    let stored = upload(&app, &[Part::File("file", "beach.jpg", &photo), Part::Text("store_id", "1"), Part::Text("product_id", "1"), Part::Text("type", "product")]).await;
    assert_eq!(stored.status, 201, "{}", stored.text);
    let body = &stored.json;
    assert_eq!(body["type"], "product");
    assert_eq!(body["original_filename"], "beach.jpg");
    assert_eq!((body["width"].as_u64(), body["height"].as_u64()), (Some(3000), Some(2000)));
    assert_eq!(body["hash"].as_str().unwrap().len(), 64);
    assert_eq!(body["deduplicated"], false);

    let mut total = 0;
    for (name, size) in [("original", (2000, 1333)), ("800", (800, 533)), ("200", (200, 133))] {
        let variant = &body["variants"][name];
        assert_eq!((variant["width"].as_u64().unwrap(), variant["height"].as_u64().unwrap()), size, "{name}");
        let url = variant["url"].as_str().unwrap();
        assert!(url.starts_with("/images/products/"), "{url}");
        let (status, headers, file) = app.get_raw(url, &[]).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(headers["content-type"], "image/webp");
        assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(file.len() as u64, variant["bytes"].as_u64().unwrap());
        let decoded = image::load_from_memory_with_format(&file, ImageFormat::WebP).unwrap();
        assert_eq!((u64::from(decoded.width()), u64::from(decoded.height())), size);
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let (status, _, body) = app.get_raw(url, &[("if-none-match", &etag)]).await;
        assert_eq!((status, body.len()), (304, 0));
        total += file.len() as u64;
    }
    let stats = app.get_as_admin(STATS).await;
    assert_eq!(stats.status, 200);
    assert_eq!(stats.json["total_files"], 3);
    assert_eq!(stats.json["total_bytes"], total);
    assert_eq!(stats.json["total_images"], 1);
    assert_eq!(stats.json["max_files_per_dir"], 3);
    assert_eq!(stats.json["products_estimated"], 1);
    assert!(stats.json["backend"].as_str().unwrap().starts_with("local:"));

    // /health's image_storage block reads the same counters.
    app.refresh_figures().await;
    let health = app.get_as_admin("/api/v1/admin/platform-health/health").await;
    assert_eq!(health.json["image_storage"]["total_files"], 3);

    let id = body["id"].as_i64().unwrap();
    assert_eq!(app.get_as_admin(&format!("/api/v1/admin/images/{id}")).await.json["hash"], body["hash"]);
    assert_eq!(app.delete_as_admin(&format!("/api/v1/admin/images/{id}")).await.status, 204);
    let url = body["variants"]["800"]["url"].as_str().unwrap();
    assert_eq!(app.get_raw(url, &[]).await.0, 404);
    assert_eq!(files_under(&uploads_root(&app)), 0);
    assert_eq!(app.get_as_admin(STATS).await.json["total_files"], 0);
    let again = app.delete_as_admin(&format!("/api/v1/admin/images/{id}")).await;
    assert_eq!((again.status, again.json["error"]["code"].as_str()), (404, Some("not_found")));
});

// A file no committed upload holds (what an upload killed between writing its files and
// committing leaves, until `reconcile`) is never served; neither is a deleted image's file put
// back.
e2e_test!(async fn only_committed_content_is_served(app) {
    let photo = jpeg(1200, 900, 5);
    let stored = upload(&app, &[Part::File("file", "a.jpg", &photo), Part::Text("store_id", "1"), Part::Text("product_id", "1")]).await;
    assert_eq!(stored.status, 201, "{}", stored.text);
    let url = stored.json["variants"]["800"]["url"].as_str().unwrap().to_owned();
    let (status, _, file) = app.get_raw(&url, &[]).await;
    assert_eq!(status, 200);
    let root = uploads_root(&app);
    let orphan_hash = "ab".repeat(32);
    let orphan = root.join(format!("products/ab/ab/{orphan_hash}_800.webp"));
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, &file).unwrap();
    assert_eq!(app.get_raw(&format!("/images/products/ab/ab/{orphan_hash}_800.webp"), &[]).await.0, 404);

    let id = stored.json["id"].as_i64().unwrap();
    assert_eq!(app.delete_as_admin(&format!("/api/v1/admin/images/{id}")).await.status, 204);
    let path = root.join(url.trim_start_matches("/images/"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &file).unwrap();
    assert_eq!(app.get_raw(&url, &[]).await.0, 404, "served after its content was deleted");
});

e2e_test!(async fn bad_uploads_are_refused_and_nothing_is_stored(app) {
    let photo = jpeg(400, 300, 2);
    let mut truncated_jpeg = photo.clone();
    truncated_jpeg.truncate(photo.len() * 2 / 3);
    let mut truncated_png = encoded(400, 300, 3, ImageFormat::Png);
    truncated_png.truncate(truncated_png.len() / 2);
    let wide = encoded(60_000, 1, 4, ImageFormat::Png);
    let html = b"<!doctype html><html><body>hello</body></html>".to_vec();
    let bomb = gif(30_000, 30_000, 500);
    let bomb_png = png_claiming(100_000, 100_000);
    let before = app.get_as_admin(STATS).await.json;

    let store = Part::Text("store_id", "1");
    let cases: Vec<(&str, Vec<Part<'_>>, u16, &str)> = vec![
        ("empty file", vec![Part::File("file", "a.jpg", b""), store], 400, "bad_request"),
        ("no file", vec![store], 400, "bad_request"),
        ("no store", vec![Part::File("file", "a.jpg", &photo)], 400, "bad_request"),
        ("store not a number", vec![Part::File("file", "a.jpg", &photo), Part::Text("store_id", "x")], 400, "bad_request"),
        ("unknown type", vec![Part::File("file", "a.jpg", &photo), store, Part::Text("type", "poster")], 400, "bad_request"),
        ("unknown field", vec![Part::File("file", "a.jpg", &photo), store, Part::Text("color", "red")], 400, "bad_request"),
        ("two files", vec![Part::File("file", "a.jpg", &photo), Part::File("file", "b.jpg", &photo), store], 400, "bad_request"),
        ("text named .jpg", vec![Part::File("file", "a.jpg", b"just some text, honestly"), store], 415, "unsupported_media_type"),
        ("HTML named .jpg", vec![Part::File("file", "a.jpg", &html), store], 415, "unsupported_media_type"),
        ("truncated JPEG", vec![Part::File("file", "a.jpg", &truncated_jpeg), store], 422, "invalid_image"),
        ("truncated PNG", vec![Part::File("file", "a.png", &truncated_png), store], 422, "invalid_image"),
        ("PNG claiming 100000x100000", vec![Part::File("file", "a.png", &bomb_png), store], 422, "invalid_image"),
        ("60000x1", vec![Part::File("file", "a.png", &wide), store], 422, "invalid_image"),
        ("animated GIF bomb", vec![Part::File("file", "a.gif", &bomb), store], 422, "invalid_image"),
        ("unknown store", vec![Part::File("file", "a.jpg", &photo), Part::Text("store_id", "999")], 404, "not_found"),
        ("unknown product", vec![Part::File("file", "a.jpg", &photo), store, Part::Text("product_id", "999")], 404, "not_found"),
        // Product 4 belongs to acme-lisbon (store 2).
        ("product of another store", vec![Part::File("file", "a.jpg", &photo), store, Part::Text("product_id", "4")], 422, "product_of_another_store"),
    ];
    for (case, parts, status, code) in cases {
        let reply = upload(&app, &parts).await;
        assert_eq!((reply.status, reply.json["error"]["code"].as_str()), (status, Some(code)), "{case}: {}", reply.text);
        assert!(!reply.json["error"]["message"].as_str().unwrap().is_empty(), "{case}");
    }
    let not_multipart = app.post_json_as_admin(UPLOAD, "{}").await;
    assert_eq!((not_multipart.status, not_multipart.json["error"]["code"].as_str()), (400, Some("bad_request")));
    let anonymous = app.post_multipart(UPLOAD, None, &[Part::File("file", "a.jpg", &photo), store]).await;
    assert_eq!(anonymous.status, 401);
    let viewer = app.post_multipart(UPLOAD, Some(&app.viewer_token.clone()), &[Part::File("file", "a.jpg", &photo), store]).await;
    assert_eq!(viewer.status, 403);

    assert_eq!(app.get_as_admin(STATS).await.json, before, "counters unchanged");
    assert_eq!(files_under(&uploads_root(&app)), 0, "no file stored");
    let rows = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), "SELECT COUNT(*) AS n FROM image")).await.unwrap().unwrap();
    assert_eq!(rows.try_get::<i64>("", "n").unwrap(), 0, "no row stored");

    // The same GIF trick on a modest screen is fine: only the first frame is decoded.
    let many_frames = gif(1_000, 1_000, 5_000);
    let reply = upload(&app, &[Part::File("file", "anim.gif", &many_frames), store]).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!((reply.json["width"].as_u64(), reply.json["height"].as_u64()), (Some(1000), Some(1000)));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_size_limit_gets_413_and_nothing_is_stored() {
    tests::run_with(
        Backend::Sqlite,
        |s| s.images.max_upload_mb = 1,
        |app| async move {
            let too_big = vec![0xAB; 1_500_000];
            let reply =
                upload(&app, &[Part::File("file", "huge.jpg", &too_big), Part::Text("store_id", "1")]).await;
            assert_eq!(
                (reply.status, reply.json["error"]["code"].as_str()),
                (413, Some("payload_too_large")),
                "{}",
                reply.text
            );
            assert_eq!(app.get_as_admin(STATS).await.json["total_files"], 0);
            assert_eq!(files_under(&uploads_root(&app)), 0);
        },
    )
    .await;
}

e2e_test!(async fn the_plans_images_per_product_limit_is_enforced(app) {
    // Acme is on Professional: 5 images per product.
    for seed in 0..5u8 {
        let photo = jpeg(64, 64, seed);
        let reply = upload(&app, &[Part::File("file", "p.jpg", &photo), Part::Text("store_id", "1"), Part::Text("product_id", "2")]).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let before = app.get_as_admin(STATS).await.json;
    let sixth = jpeg(64, 64, 99);
    let reply = upload(&app, &[Part::File("file", "p.jpg", &sixth), Part::Text("store_id", "1"), Part::Text("product_id", "2")]).await;
    assert_eq!((reply.status, reply.json["error"]["code"].as_str()), (403, Some("limit_reached")), "{}", reply.text);
    assert!(reply.json["error"]["message"].as_str().unwrap().contains('5'));
    assert_eq!(app.get_as_admin(STATS).await.json, before);
    // Another product of the same store has its own allowance; banners have none.
    let other = upload(&app, &[Part::File("file", "p.jpg", &sixth), Part::Text("store_id", "1"), Part::Text("product_id", "3")]).await;
    assert_eq!(other.status, 201);
    // Globex is on Enterprise: unlimited.
    for seed in 0..7u8 {
        let photo = jpeg(32, 32, seed);
        let reply = upload(&app, &[Part::File("file", "g.jpg", &photo), Part::Text("store_id", "3"), Part::Text("product_id", "6")]).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }

    // A merchant without a live subscription gets no product images at all.
    let now = time::OffsetDateTime::now_utc();
    let lapsed = merchants::create_merchant(&app.db, merchants::NewMerchant { name: "Lapsed", slug: merchants::MerchantSlug::parse("lapsed").unwrap(), contact_email: "l@example.com" }, now).await.unwrap();
    let store = stores::create_store(&app.db, stores::NewStore { merchant_id: lapsed.id, code: "lapsed-1", name: "Lapsed" }, now).await.unwrap();
    let product = stores::create_product(&app.db, store.id, stores::NewProduct { store_sku: "L-1", gtin: None, titles: &[], stock: None }, now).await.unwrap();
    let (store_id, product_id) = (store.id.to_string(), product.id.to_string());
    let reply = upload(&app, &[Part::File("file", "p.jpg", &sixth), Part::Text("store_id", &store_id), Part::Text("product_id", &product_id)]).await;
    assert_eq!((reply.status, reply.json["error"]["code"].as_str()), (403, Some("no_live_subscription")), "{}", reply.text);
});

e2e_test!(async fn concurrent_uploads_of_the_same_photo_store_it_once(app) {
    let photo = jpeg(1600, 1200, 5);
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (app, photo) = (app.clone(), photo.clone());
            tokio::spawn(async move {
                upload(&app, &[Part::File("file", "same.jpg", &photo), Part::Text("store_id", "3")]).await
            })
        })
        .collect();
    let mut hashes = std::collections::HashSet::new();
    let mut fresh = 0;
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 201, "{}", reply.text);
        fresh += usize::from(reply.json["deduplicated"] == Value::Bool(false));
        hashes.insert(reply.json["hash"].as_str().unwrap().to_owned());
    }
    assert_eq!((fresh, hashes.len()), (1, 1));
    let stats = app.get_as_admin(STATS).await.json;
    assert_eq!((stats["total_files"].as_u64(), stats["total_images"].as_u64()), (Some(3), Some(1)));
    assert_eq!(files_under(&uploads_root(&app)), 3);
});

/// The S3 backend behind the same routes (moto_server on loopback, see scripts/s3-test-server.sh).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_s3_backend_serves_the_same_routes() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        // An S3-compatible server in this process (s3s), with one bucket.
        let server = images::testing::S3TestServer::start().await.unwrap();
        server.bucket("orion-e2e").unwrap();
        let adjust = |s: &mut admin_api::config::Settings| {
            s.images.backend = images::StorageBackend::S3;
            s.images.s3 = server.config("orion-e2e");
        };
        tests::run_with(backend, adjust, |app| async move {
            let photo = jpeg(900, 900, 6);
            let reply = upload(
                &app,
                &[
                    Part::File("file", "s3.jpg", &photo),
                    Part::Text("store_id", "1"),
                    Part::Text("type", "banner"),
                ],
            )
            .await;
            assert_eq!(reply.status, 201, "{}", reply.text);
            for name in ["original", "800", "200"] {
                let url = reply.json["variants"][name]["url"].as_str().unwrap();
                assert!(url.starts_with("/images/banners/"), "{url}");
                let (status, _, file) = app.get_raw(url, &[]).await;
                assert_eq!(status, 200);
                assert_eq!(file.len() as u64, reply.json["variants"][name]["bytes"].as_u64().unwrap());
            }
            let stats = app.get_as_admin(STATS).await.json;
            assert!(stats["backend"].as_str().unwrap().starts_with("s3:"), "{stats}");
            assert_eq!(stats["total_files"], 3);
            let id = reply.json["id"].as_i64().unwrap();
            assert_eq!(app.delete_as_admin(&format!("/api/v1/admin/images/{id}")).await.status, 204);
            let url = reply.json["variants"]["200"]["url"].as_str().unwrap();
            assert_eq!(app.get_raw(url, &[]).await.0, 404);
        })
        .await;
    }
}

/// The S3 store goes down and comes back (seed 004's fault): uploads get 503 with the error
/// shape within seconds, metadata and stats keep answering from the database, and uploads work
/// again once it is back, without a restart; nothing half-written is counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_outage_is_a_503_on_upload_metadata_keeps_answering_and_it_recovers() {
    let server = images::testing::S3TestServer::start().await.unwrap();
    server.bucket("orion-outage").unwrap();
    let config = server.config("orion-outage");
    let adjust = move |s: &mut admin_api::config::Settings| {
        s.images.backend = images::StorageBackend::S3;
        s.images.s3 = config;
    };
    tests::run_with(Backend::Sqlite, adjust, |app| async move {
        let first =
            upload(&app, &[Part::File("file", "a.jpg", &jpeg(300, 200, 1)), Part::Text("store_id", "1")])
                .await;
        assert_eq!(first.status, 201, "{}", first.text);
        let id = first.json["id"].as_i64().unwrap();
        server.set_up(false);
        let started = std::time::Instant::now();
        let refused =
            upload(&app, &[Part::File("file", "b.jpg", &jpeg(300, 200, 2)), Part::Text("store_id", "1")])
                .await;
        assert_eq!(
            (refused.status, refused.json["error"]["code"].as_str()),
            (503, Some("unavailable")),
            "{}",
            refused.text
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "refused within seconds, not after minutes of retries"
        );
        // Metadata and counters come from the database.
        assert_eq!(app.get_as_admin(&format!("/api/v1/admin/images/{id}")).await.status, 200);
        let stats = app.get_as_admin(STATS).await;
        assert_eq!(
            (stats.status, stats.json["total_images"].as_u64()),
            (200, Some(1)),
            "the failed upload is not counted"
        );
        server.set_up(true);
        let again =
            upload(&app, &[Part::File("file", "b.jpg", &jpeg(300, 200, 2)), Part::Text("store_id", "1")])
                .await;
        assert_eq!(again.status, 201, "back without a restart: {}", again.text);
        assert_eq!(app.get_as_admin(STATS).await.json["total_images"], 2);
    })
    .await;
}
