//! Merchant writes on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use merchants::{Error, MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;
use time::OffsetDateTime;

db_test!(async fn a_merchant_slug_is_unique(db) {
    let new = || NewMerchant { name: "Acme", slug: MerchantSlug::parse("acme").unwrap(), contact_email: "a@acme.com" };
    let first = create_merchant(&db, new(), OffsetDateTime::now_utc()).await.unwrap();
    assert!(first.is_active);
    assert_eq!(first.slug.as_str(), "acme");

    let error = create_merchant(&db, new(), OffsetDateTime::now_utc()).await.unwrap_err();
    assert!(matches!(error, Error::DuplicateSlug(ref slug) if slug.as_str() == "acme"), "{error:?}");
});

#[test]
fn ids_are_positive_integers() {
    use merchants::MerchantId;
    assert_eq!("42".parse::<MerchantId>().unwrap().get(), 42);
    for bad in ["0", "-3", "x", "", "1.5"] {
        assert!(bad.parse::<MerchantId>().is_err(), "{bad:?}");
    }
    assert_eq!(MerchantId::new(0), None);
    assert_eq!(serde_json::to_string(&MerchantId::new(7).unwrap()).unwrap(), "7");
}
