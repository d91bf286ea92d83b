//! Admin users and tokens on SQLite and PostgreSQL: issued once, stored hashed, verified, cached
//! for the configured time only, revoked by prefix or in full.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use std::time::Duration;

use accounts::{Email, Role, TokenVerifier, Verified, admin_count, create_admin, hash_token, revoke_token};
use migration::db_test;
use sea_orm::EntityTrait;
use time::OffsetDateTime;

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

db_test!(async fn a_token_verifies_until_it_is_revoked(db) {
    let now = OffsetDateTime::now_utc();
    let issued = create_admin(&db, &email("Ops@Example.com"), Role::Admin, now).await.unwrap();
    assert_eq!(issued.user.email, "ops@example.com");
    assert_eq!(&issued.token[..issued.prefix.len()], issued.prefix);
    let stored = accounts::entity::api_token::Entity::find().all(&db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token_hash, hash_token(&issued.token), "stored hashed, never in clear");

    let verifier = TokenVerifier::new(Duration::ZERO);
    let verified = verifier.verify(&db, &issued.token).await.unwrap();
    assert_eq!(verified, Some(Verified { user_id: issued.user.id, role: Role::Admin }));
    assert_eq!(verifier.verify(&db, "orion_not-a-token").await.unwrap(), None);

    assert_eq!(revoke_token(&db, &issued.prefix, now).await.unwrap(), 1);
    assert_eq!(verifier.verify(&db, &issued.token).await.unwrap(), None, "no cache: revoked at once");
    assert_eq!(revoke_token(&db, &issued.token, now).await.unwrap(), 0, "nothing live left to revoke");
});

db_test!(async fn a_cached_verification_outlives_a_revocation_only_for_its_ttl(db) {
    let now = OffsetDateTime::now_utc();
    let issued = create_admin(&db, &email("ops@example.com"), Role::Admin, now).await.unwrap();
    let cached = TokenVerifier::new(Duration::from_secs(3600));
    assert!(cached.verify(&db, &issued.token).await.unwrap().is_some());
    revoke_token(&db, &issued.token, now).await.unwrap();
    assert!(cached.verify(&db, &issued.token).await.unwrap().is_some(), "trusted for the cache's ttl");
    assert!(TokenVerifier::new(Duration::ZERO).verify(&db, &issued.token).await.unwrap().is_none());
});

db_test!(async fn a_user_keeps_one_row_and_takes_the_latest_role(db) {
    let now = OffsetDateTime::now_utc();
    let first = create_admin(&db, &email("a@example.com"), Role::Viewer, now).await.unwrap();
    assert_eq!(admin_count(&db).await.unwrap(), 0, "viewers are not admins");
    let second = create_admin(&db, &email("a@example.com"), Role::Admin, now).await.unwrap();
    assert_eq!(first.user.id, second.user.id);
    assert_eq!(second.user.role, Role::Admin);
    assert_ne!(first.token, second.token, "a new token each time");
    assert_eq!(admin_count(&db).await.unwrap(), 1);
});
