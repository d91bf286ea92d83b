//! What another service writes to issue and check admin tokens against Orion's tables:
//! `cargo run -p accounts --example issue_token`.

use std::time::Duration;

use accounts::{Email, Role, TokenVerifier};
use migration::MigratorTrait;
use time::OffsetDateTime;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = sea_orm::Database::connect("sqlite::memory:").await?;
    migration::Migrator::up(&db, None).await?;
    let issued = accounts::create_admin(
        &db,
        &Email::parse("ops@example.com")?,
        Role::Admin,
        OffsetDateTime::now_utc(),
    )
    .await?;
    println!("token {}… for {} (stored as a SHA-256 hash only)", issued.prefix, issued.user.email);
    let verifier = TokenVerifier::new(Duration::from_secs(10));
    println!("verified: {:?}", verifier.verify(&db, &issued.token).await?);
    println!("a made-up token: {:?}", verifier.verify(&db, "orion_0000").await?);
    Ok(())
}
