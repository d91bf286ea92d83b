//! SIGTERM while uploads are being processed (seed 004's fault list): the requests in flight
//! complete (201), new connections are refused instead of answered with 5xx, the process exits 0
//! within `server.shutdown_timeout_seconds`, and every stored file belongs to a committed image.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::Cursor;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn admin_api(dir: &std::path::Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_admin-api"));
    command
        .args(["--config-dir", "/nonexistent-config-dir"])
        .env("ORION__DATABASE__URL", format!("sqlite://{}/orion.db?mode=rwc", dir.display()))
        .env("ORION__SERVER__DATA_DIR", dir)
        .env("ORION__IMAGES__ROOT", dir.join("uploads"))
        .env("ORION__SERVER__PORT", port.to_string())
        .env("ORION__SERVER__SHUTDOWN_TIMEOUT_SECONDS", "10")
        .env("ORION__RATE_LIMIT__ENABLED", "false")
        .env("ORION__DEMO__SEED_EMPTY_SQLITE", "false")
        .env("RUST_LOG", "error");
    command
}

/// A 24-megapixel JPEG (big enough that processing it is still going on when the signal comes).
fn photo(shade: u8) -> Vec<u8> {
    let image =
        image::RgbImage::from_fn(6_000, 4_000, |x, y| image::Rgb([(x / 24) as u8, (y / 16) as u8, shade]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

const BOUNDARY: &str = "orion-shutdown-boundary";

/// A multipart body with `store_id` 1 and the file.
fn multipart(file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"store_id\"\r\n\r\n1\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_uploads_in_flight_finish_refuses_new_connections_and_exits_zero() {
    let dir = std::env::temp_dir().join(format!("orion-shutdown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let run = |args: &[&str]| {
        let out = admin_api(&dir, port).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["migrate"]);
    run(&["seed-demo", "--merchants", "1", "--months", "1", "--history-days", "1"]);
    let token = run(&["create-admin", "--email", "ops@orion.example"]).lines().last().unwrap().to_owned();
    let mut server = admin_api(&dir, port).arg("serve").stdout(Stdio::null()).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/readyz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bodies = [multipart(&photo(10)), multipart(&photo(200))];
    let uploads: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            tokio::spawn(async move {
                let response = client
                    .post(format!("{base}/api/v1/admin/images/upload"))
                    .bearer_auth(&token)
                    .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (response.status().as_u16(), Instant::now())
            })
        })
        .collect();
    // The uploads are being received and processed (their connections accepted): stop the server.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let signalled = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = client.get(format!("{base}/livez")).timeout(Duration::from_secs(2)).send().await;
    assert!(late.is_err(), "a new connection after SIGTERM is refused, not answered: {late:?}");
    for upload in uploads {
        let (status, done) = upload.await.unwrap();
        assert_eq!(status, 201, "an upload in flight completes");
        assert!(done > signalled, "the upload was still in flight when the signal came");
    }
    let exit = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(signalled.elapsed() < Duration::from_secs(11), "not stopped within shutdown_timeout_seconds");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
    // Two images, three variants each, and nothing else (no staging files) in the storage.
    let mut files = Vec::new();
    let mut dirs = vec![dir.join("uploads")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { files.push(path) }
        }
    }
    assert_eq!(files.len(), 6, "{files:?}");
    assert!(files.iter().all(|f| f.extension().is_some_and(|e| e == "webp")), "{files:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
