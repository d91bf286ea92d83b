//! Merchant writes on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use merchants::{MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;

db_test!(async fn a_merchant_slug_is_unique(db) {
    let new = || NewMerchant { name: "Acme", slug: MerchantSlug::parse("acme").unwrap(), contact_email: "a@acme.com" };
    let first = create_merchant(&db, new()).await.unwrap();
    assert!(first.is_active);
    assert_eq!(first.slug, "acme");

    assert!(create_merchant(&db, new()).await.is_err());
});
