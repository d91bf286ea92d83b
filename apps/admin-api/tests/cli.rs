//! The binary's commands, run as a new operator would: `create-admin` prints a token as the last
//! line of stdout, `revoke-token` revokes it by prefix, bad input fails with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::process::{Command, Output};

use migration::testing::{Backend, TestDb};
use sea_orm::{ConnectionTrait, FromQueryResult};

fn admin_api(db_url: &str, args: &[&str]) -> Output {
    admin_api_with(db_url, &[], args)
}

/// The binary on `db_url` with no config files, extra environment `env`, and `args`.
fn admin_api_with(db_url: &str, env: &[(&str, &std::path::Path)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_admin-api"))
        .args(args)
        .args(["--config-dir", "/nonexistent-config-dir"])
        .env("ORION__DATABASE__URL", db_url)
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn tokens_are_created_shown_once_and_revoked(backend: Backend) {
    let db = TestDb::create(backend).await;
    let created = admin_api(&db.url, &["create-admin", "--email", "Ops@Example.com"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let out = stdout(&created);
    let token = out.lines().last().unwrap();
    assert!(token.starts_with("orion_") && token.len() == 70, "{out}");
    assert!(out.contains("ops@example.com (role admin)"), "{out}");

    let stored = sea_orm::JsonValue::find_by_statement(sea_orm::Statement::from_string(
        db.conn.get_database_backend(),
        "SELECT token_hash, token_prefix FROM api_token",
    ))
    .all(&db.conn)
    .await
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0]["token_hash"], token, "stored hashed, never in clear");
    assert_eq!(stored[0]["token_prefix"], &token[..14]);

    let prefix = &token[..14];
    let revoked = admin_api(&db.url, &["revoke-token", prefix]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    assert!(stdout(&revoked).contains("Revoked 1 token"));
    let again = admin_api(&db.url, &["revoke-token", prefix]);
    assert!(!again.status.success(), "revoking a revoked token reports that nothing matched");

    let bad = admin_api(&db.url, &["create-admin", "--email", "not-an-email"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an email address"));
    db.drop_database().await;
}

#[tokio::test]
async fn sqlite() {
    tokens_are_created_shown_once_and_revoked(Backend::Sqlite).await
}

#[tokio::test]
async fn postgres() {
    tokens_are_created_shown_once_and_revoked(Backend::Postgres).await
}

/// `images reconcile` on drifted counters and an orphan file: reports both, fixes the counters,
/// and removes the orphan when asked.
async fn images_reconcile_reports_and_fixes_drift(backend: Backend) {
    let db = TestDb::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("uploads");
    let run = |args: &[&str]| admin_api_with(&db.url, &[("ORION__IMAGES__ROOT", &root)], args);
    // One file of a real variant's shape that no image refers to, and counters that are wrong.
    let orphan = root.join("products/ee/ee").join(format!("{}_200.webp", "ee".repeat(32)));
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"RIFF0000WEBPVP8 ").unwrap();
    db.conn
        .execute_unprepared("UPDATE image_storage_stats SET total_files = 42, total_bytes = 7")
        .await
        .unwrap();

    let report = run(&["images", "reconcile"]);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let out = stdout(&report);
    assert!(out.contains("orphan files: 1 (0 removed); missing files: 0"), "{out}");
    assert!(out.contains("Counters had drifted"), "{out}");
    assert!(out.lines().any(|l| l.split_whitespace().eq(["files", "42", "1"])), "{out}");
    assert!(orphan.exists(), "kept without --remove-orphans-older-than");

    let sweep = run(&["images", "reconcile", "--remove-orphans-older-than", "0"]);
    let out = stdout(&sweep);
    assert!(out.contains("orphan files: 1 (1 removed)"), "{out}");
    assert!(!orphan.exists());
    let again = stdout(&run(&["images", "reconcile"]));
    assert!(again.contains("No drift.") && again.contains("orphan files: 0"), "{again}");
    let stats = images::load_storage_stats(&db.conn).await.unwrap();
    assert_eq!(stats, images::StorageStats::default());
    db.drop_database().await;
}

#[tokio::test]
async fn images_reconcile_sqlite() {
    images_reconcile_reports_and_fixes_drift(Backend::Sqlite).await
}

#[tokio::test]
async fn images_reconcile_postgres() {
    images_reconcile_reports_and_fixes_drift(Backend::Postgres).await
}
