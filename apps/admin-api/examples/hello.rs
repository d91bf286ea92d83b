//! The baseline of the load test: an actix-web hello-world route with the same server settings
//! as admin-api (default workers, same features), to compare `/health` throughput against.
//! `cargo run --release -p admin-api --example hello -- 8081`

use actix_web::{App, HttpServer, web};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(8081);
    HttpServer::new(|| App::new().route("/", web::get().to(|| async { "Hello, world!" })))
        .bind(("127.0.0.1", port))?
        .run()
        .await
}
