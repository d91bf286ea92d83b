//! Store rules on SQLite and PostgreSQL: domains, SKUs, activity.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use chrono::{Duration, TimeZone, Utc};
use merchants::{MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use stores::entity::{order_item, product, store};
use stores::{
    DomainName, Error, NewOrder, NewOrderItem, NewProduct, NewStore, add_store_domain, create_order,
    create_product, create_store,
};

async fn store(db: &DatabaseConnection, slug: &str, code: &str) -> store::Model {
    let merchant = create_merchant(
        db,
        NewMerchant {
            name: slug,
            slug: MerchantSlug::parse(slug).unwrap(),
            contact_email: "ops@example.com",
        },
    )
    .await
    .unwrap();
    create_store(db, NewStore { merchant_id: merchant.id, code, name: code }).await.unwrap()
}

fn domain(raw: &str) -> DomainName {
    DomainName::parse(raw).unwrap()
}

db_test!(async fn a_domain_is_unique_across_all_stores(db) {
    let first = store(&db, "acme", "acme-main").await;
    let second = store(&db, "globex", "globex-main").await;
    add_store_domain(&db, first.id, &domain("shop.acme.com"), true).await.unwrap();

    let error = add_store_domain(&db, second.id, &domain("shop.acme.com"), false).await.unwrap_err();

    assert!(matches!(error, Error::DuplicateDomain(ref d) if d == "shop.acme.com"), "{error:?}");
    let error = add_store_domain(&db, first.id, &domain("shop.acme.com"), false).await.unwrap_err();
    assert!(matches!(error, Error::DuplicateDomain(_)), "{error:?}");
});

db_test!(async fn a_store_has_at_most_one_primary_domain(db) {
    let shop = store(&db, "acme", "acme-main").await;
    add_store_domain(&db, shop.id, &domain("acme.com"), true).await.unwrap();
    add_store_domain(&db, shop.id, &domain("www.acme.com"), false).await.unwrap();

    let error = add_store_domain(&db, shop.id, &domain("acme.shop"), true).await.unwrap_err();

    assert!(matches!(error, Error::SecondPrimaryDomain { store_id } if store_id == shop.id), "{error:?}");
    let primary = stores::primary_domain(&db, shop.id).await.unwrap().unwrap();
    assert_eq!(primary.domain, "acme.com");
});

db_test!(async fn the_database_refuses_a_second_primary_even_past_the_checks(db) {
    use sea_orm::{ActiveModelTrait, Set};
    let shop = store(&db, "acme", "acme-main").await;
    add_store_domain(&db, shop.id, &domain("acme.com"), true).await.unwrap();
    let raw = stores::entity::store_domain::ActiveModel {
        store_id: Set(shop.id),
        domain: Set("b.acme.com".into()),
        is_primary: Set(true),
        is_verified: Set(false),
        verified_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    assert!(raw.insert(&db).await.is_err());
});

db_test!(async fn a_sku_is_unique_per_store_but_may_repeat_across_stores(db) {
    let first = store(&db, "acme", "acme-main").await;
    let second = store(&db, "globex", "globex-main").await;
    let now = Utc::now();
    create_product(&db, NewProduct { store_id: first.id, store_sku: "SKU-1", gtin: None }, now).await.unwrap();

    let duplicate =
        create_product(&db, NewProduct { store_id: first.id, store_sku: "SKU-1", gtin: None }, now).await;
    let elsewhere =
        create_product(&db, NewProduct { store_id: second.id, store_sku: "SKU-1", gtin: None }, now).await;

    assert!(matches!(duplicate, Err(Error::DuplicateSku { ref sku, .. }) if sku == "SKU-1"), "{duplicate:?}");
    assert!(elsewhere.is_ok());
    assert_eq!(product::Entity::find().count(&db).await.unwrap(), 2);
});

db_test!(async fn product_and_order_writes_mark_the_store_active(db) {
    let shop = store(&db, "acme", "acme-main").await;
    assert_eq!(shop.last_activity_at, None);
    let created = Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap();
    let item = create_product(&db, NewProduct { store_id: shop.id, store_sku: "A", gtin: Some("4006381333931") }, created)
        .await
        .unwrap();
    let after_product = store::Entity::find_by_id(shop.id).one(&db).await.unwrap().unwrap();
    assert_eq!(after_product.last_activity_at, Some(created));

    let placed_at = created + Duration::days(3);
    let items = [NewOrderItem { product_id: item.id, quantity: 2, unit_price_cents: 1_250 }];
    let order = create_order(&db, NewOrder { store_id: shop.id, customer_id: Some(7), currency: "EUR", items: &items, placed_at })
        .await
        .unwrap();

    assert_eq!(order.total_cents, 2_500);
    let after_order = store::Entity::find_by_id(shop.id).one(&db).await.unwrap().unwrap();
    assert_eq!(after_order.last_activity_at, Some(placed_at));
    assert_eq!(order_item::Entity::find().count(&db).await.unwrap(), 1);
});

db_test!(async fn an_order_for_another_stores_product_is_refused_with_nothing_written(db) {
    let first = store(&db, "acme", "acme-main").await;
    let second = store(&db, "globex", "globex-main").await;
    let foreign = create_product(&db, NewProduct { store_id: second.id, store_sku: "G", gtin: None }, Utc::now())
        .await
        .unwrap();
    let items = [NewOrderItem { product_id: foreign.id, quantity: 1, unit_price_cents: 100 }];

    let result =
        create_order(&db, NewOrder { store_id: first.id, customer_id: None, currency: "EUR", items: &items, placed_at: Utc::now() })
            .await;

    assert!(matches!(result, Err(Error::ProductNotFound { .. })), "{result:?}");
    assert_eq!(stores::entity::order::Entity::find().count(&db).await.unwrap(), 0);
});

db_test!(async fn writes_to_an_unknown_store_are_refused(db) {
    let result = create_product(&db, NewProduct { store_id: 999, store_sku: "X", gtin: None }, Utc::now()).await;
    assert!(matches!(result, Err(Error::StoreNotFound(999))), "{result:?}");
});
