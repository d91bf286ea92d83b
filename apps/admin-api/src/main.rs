//! Orion admin API.
//!
//! For now this binary opens the database (`ORION_DATABASE_URL`, default the embedded SQLite file
//! `./data/orion.db`), applies every migration and reports the schema state. The HTTP server,
//! CLI, auth and configuration arrive with the admin-API issue.

use anyhow::Context;
use migration::{Migrator, MigratorTrait};

const DEFAULT_DATABASE_URL: &str = "sqlite://data/orion.db?mode=rwc";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("ORION_DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    if url == DEFAULT_DATABASE_URL {
        std::fs::create_dir_all("data").context("creating ./data for the embedded SQLite database")?;
    }
    let db = sea_orm::Database::connect(&url).await.with_context(|| format!("connecting to {url}"))?;
    Migrator::up(&db, None).await.context("applying migrations")?;
    let applied = Migrator::get_applied_migrations(&db).await?.len();
    println!("Orion database at {url}: {applied} migrations applied, schema up to date.");
    Ok(())
}
