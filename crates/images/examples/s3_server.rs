//! A standalone S3-compatible server for local clusters (`scripts/cluster.sh`): the same
//! in-process `s3s` server the tests use, serving one bucket from a temporary directory until
//! stopped. Prints the `ORION__IMAGES__…` settings that reach it, one per line.
//!
//! ```sh
//! cargo run -p images --example s3_server -- orion
//! ```

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let bucket = std::env::args().nth(1).unwrap_or_else(|| "orion".to_owned());
    let server = images::testing::S3TestServer::start().await?;
    server.bucket(&bucket)?;
    let s3 = server.config(&bucket);
    println!("ORION__IMAGES__BACKEND=s3");
    println!("ORION__IMAGES__S3__ENDPOINT={}", server.endpoint);
    println!("ORION__IMAGES__S3__BUCKET={}", s3.bucket);
    println!("ORION__IMAGES__S3__REGION={}", s3.region);
    println!("ORION__IMAGES__S3__ACCESS_KEY_ID={}", s3.access_key_id);
    println!("ORION__IMAGES__S3__SECRET_ACCESS_KEY={}", s3.secret_access_key);
    println!("ORION__IMAGES__S3__PATH_STYLE=true");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
