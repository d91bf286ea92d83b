//! `admin-api`: serve (default), migrate, create-admin, revoke-token, seed-demo.
//! See `admin-api --help` and the README.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    admin_api::cli::run(admin_api::cli::Cli::parse()).await
}
