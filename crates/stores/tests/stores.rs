//! Store rules on SQLite and PostgreSQL: domains, SKUs, activity, bulk writes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use merchants::{MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use stores::entity::{inventory, order, order_item, product, product_translation, store};
use stores::{
    DomainName, Error, NewOrder, NewOrderItem, NewProduct, NewStore, OrderStatus, ProductId, Stock, StoreId,
    Title, add_store_domain, create_order, create_orders, create_product, create_products, create_store,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

async fn store(db: &DatabaseConnection, slug: &str, code: &str) -> store::Model {
    let new = NewMerchant {
        name: slug,
        slug: MerchantSlug::parse(slug).unwrap(),
        contact_email: "ops@example.com",
    };
    let merchant = create_merchant(db, new, OffsetDateTime::now_utc()).await.unwrap();
    let new = NewStore { merchant_id: merchant.id, code, name: code };
    create_store(db, new, OffsetDateTime::now_utc()).await.unwrap()
}

fn domain(raw: &str) -> DomainName {
    DomainName::parse(raw).unwrap()
}

fn sku(store_sku: &str) -> NewProduct<'_> {
    NewProduct { store_sku, gtin: None, titles: &[], stock: None }
}

fn order_of(product_id: ProductId, cents: i64) -> [NewOrderItem; 1] {
    [NewOrderItem { product_id, quantity: 1, unit_price_cents: cents }]
}

fn new_order(items: &[NewOrderItem], placed_at: OffsetDateTime) -> NewOrder<'_> {
    NewOrder { customer_id: Some(7), currency: "EUR", status: OrderStatus::Pending, items, placed_at }
}

db_test!(async fn a_domain_is_unique_across_all_stores(db) {
    let first = store(&db, "acme", "acme-main").await;
    let second = store(&db, "globex", "globex-main").await;
    let now = OffsetDateTime::now_utc();
    add_store_domain(&db, first.id, &domain("shop.acme.com"), true, now).await.unwrap();

    let error = add_store_domain(&db, second.id, &domain("shop.acme.com"), false, now).await.unwrap_err();

    assert!(matches!(error, Error::DuplicateDomain(ref d) if d.as_str() == "shop.acme.com"), "{error:?}");
    let error = add_store_domain(&db, first.id, &domain("shop.acme.com"), false, now).await.unwrap_err();
    assert!(matches!(error, Error::DuplicateDomain(_)), "{error:?}");
});

db_test!(async fn a_store_has_at_most_one_primary_domain(db) {
    let shop = store(&db, "acme", "acme-main").await;
    let now = OffsetDateTime::now_utc();
    add_store_domain(&db, shop.id, &domain("acme.com"), true, now).await.unwrap();
    add_store_domain(&db, shop.id, &domain("www.acme.com"), false, now).await.unwrap();

    let error = add_store_domain(&db, shop.id, &domain("acme.shop"), true, now).await.unwrap_err();

    assert!(matches!(error, Error::SecondPrimaryDomain(id) if id == shop.id), "{error:?}");
    let primary = stores::primary_domain(&db, shop.id).await.unwrap().unwrap();
    assert_eq!(primary.domain.as_str(), "acme.com");
});

db_test!(async fn the_database_refuses_a_second_primary_even_past_the_checks(db) {
    use sea_orm::{ActiveModelTrait, Set};
    let shop = store(&db, "acme", "acme-main").await;
    add_store_domain(&db, shop.id, &domain("acme.com"), true, OffsetDateTime::now_utc()).await.unwrap();
    let raw = stores::entity::store_domain::ActiveModel {
        store_id: Set(shop.id),
        domain: Set(domain("b.acme.com")),
        is_primary: Set(true),
        is_verified: Set(false),
        verified_at: Set(None),
        created_at: Set(merchants::Timestamp::now()),
        ..Default::default()
    };
    let error = raw.insert(&db).await.unwrap_err();
    assert!(matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))), "{error:?}");
});

db_test!(async fn a_sku_is_unique_per_store_but_may_repeat_across_stores(db) {
    let first = store(&db, "acme", "acme-main").await;
    let second = store(&db, "globex", "globex-main").await;
    let now = OffsetDateTime::now_utc();
    create_product(&db, first.id, sku("SKU-1"), now).await.unwrap();

    let duplicate = create_product(&db, first.id, sku("SKU-1"), now).await;
    let elsewhere = create_product(&db, second.id, sku("SKU-1"), now).await;

    assert!(matches!(duplicate, Err(Error::DuplicateSku { ref sku, .. }) if sku == "SKU-1"), "{duplicate:?}");
    assert!(elsewhere.is_ok());
    assert_eq!(product::Entity::find().count(&db).await.unwrap(), 2);
});

db_test!(async fn a_batch_with_a_duplicate_sku_writes_nothing(db) {
    let shop = store(&db, "acme", "acme-main").await;
    let now = OffsetDateTime::now_utc();
    create_product(&db, shop.id, sku("SKU-9"), now).await.unwrap();

    let twice = create_products(&db, shop.id, &[sku("A"), sku("B"), sku("A")], now).await.unwrap_err();
    let taken = create_products(&db, shop.id, &[sku("C"), sku("SKU-9")], now).await.unwrap_err();

    assert!(matches!(twice, Error::DuplicateSku { ref sku, .. } if sku == "A"), "{twice:?}");
    assert!(matches!(taken, Error::DuplicateSku { ref sku, .. } if sku == "SKU-9"), "{taken:?}");
    assert_eq!(product::Entity::find().count(&db).await.unwrap(), 1, "no half-written batch");
});

db_test!(async fn products_come_with_their_titles_and_stock(db) {
    let shop = store(&db, "acme", "acme-main").await;
    let titles = [Title { language: "en", title: "Red Mug" }, Title { language: "de", title: "Rote Tasse" }];
    let stock = Stock { warehouse: "main", bin_location: "A-01", quantity: 12 };
    let products = [
        NewProduct { store_sku: "MUG", gtin: Some("4006381333931"), titles: &titles, stock: Some(stock) },
        sku("PLAIN"),
    ];

    let ids = create_products(&db, shop.id, &products, OffsetDateTime::now_utc()).await.unwrap();

    assert_eq!(ids.len(), 2);
    assert_eq!(product_translation::Entity::find().count(&db).await.unwrap(), 2);
    let rows = inventory::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].product_id, rows[0].quantity), (ids[0], 12));
});

db_test!(async fn product_and_order_writes_mark_the_store_active(db) {
    let shop = store(&db, "acme", "acme-main").await;
    assert_eq!(shop.last_activity_at, None);
    let created = datetime!(2026-10-01 08:00 UTC);
    let item = create_product(&db, shop.id, NewProduct { gtin: Some("4006381333931"), ..sku("A") }, created).await.unwrap();
    let after_product = store::Entity::find_by_id(shop.id).one(&db).await.unwrap().unwrap();
    assert_eq!(after_product.last_activity_at, Some(created.into()));

    let placed_at = created + Duration::days(3);
    let items = [NewOrderItem { product_id: item.id, quantity: 2, unit_price_cents: 1_250 }];
    let order = create_order(&db, shop.id, new_order(&items, placed_at)).await.unwrap();

    assert_eq!(order.total_cents, 2_500);
    assert_eq!(order.status, OrderStatus::Pending);
    let after_order = store::Entity::find_by_id(shop.id).one(&db).await.unwrap().unwrap();
    assert_eq!(after_order.last_activity_at, Some(placed_at.into()));
    assert_eq!(order_item::Entity::find().count(&db).await.unwrap(), 1);

    // A back-dated write never moves the activity backwards.
    let items = order_of(item.id, 100);
    create_order(&db, shop.id, new_order(&items, created)).await.unwrap();
    let later = store::Entity::find_by_id(shop.id).one(&db).await.unwrap().unwrap();
    assert_eq!(later.last_activity_at, Some(placed_at.into()));
});

db_test!(async fn an_order_for_another_stores_product_is_refused_with_nothing_written(db) {
    let first = store(&db, "acme", "acme-main").await;
    let second = store(&db, "globex", "globex-main").await;
    let now = OffsetDateTime::now_utc();
    let own = create_product(&db, first.id, sku("A"), now).await.unwrap();
    let foreign = create_product(&db, second.id, sku("G"), now).await.unwrap();
    let good = order_of(own.id, 100);
    let bad = order_of(foreign.id, 100);

    let result = create_orders(&db, first.id, &[new_order(&good, now), new_order(&bad, now)]).await;

    assert!(
        matches!(result, Err(Error::ProductOfAnotherStore { product_id, store_id }) if product_id == foreign.id && store_id == first.id),
        "{result:?}"
    );
    assert_eq!(order::Entity::find().count(&db).await.unwrap(), 0, "the good order of the batch is not written either");
    let unknown = order_of(ProductId::new(999).unwrap(), 100);
    let result = create_order(&db, first.id, new_order(&unknown, now)).await;
    assert!(matches!(result, Err(Error::ProductNotFound(_))), "{result:?}");
});

db_test!(async fn writes_to_an_unknown_store_are_refused(db) {
    let missing = StoreId::new(999).unwrap();
    let result = create_product(&db, missing, sku("X"), OffsetDateTime::now_utc()).await;
    assert!(matches!(result, Err(Error::StoreNotFound(id)) if id == missing), "{result:?}");
});

db_test!(async fn orders_need_items_with_sane_quantities_and_prices(db) {
    let shop = store(&db, "acme", "acme-main").await;
    let now = OffsetDateTime::now_utc();
    let item = create_product(&db, shop.id, sku("A"), now).await.unwrap();
    for items in [
        vec![],
        vec![NewOrderItem { product_id: item.id, quantity: 0, unit_price_cents: 100 }],
        vec![NewOrderItem { product_id: item.id, quantity: 1, unit_price_cents: -1 }],
        vec![NewOrderItem { product_id: item.id, quantity: 2, unit_price_cents: i64::MAX }],
    ] {
        let result = create_order(&db, shop.id, new_order(&items, now)).await;
        assert!(matches!(result, Err(Error::InvalidOrder(_))), "{items:?}: {result:?}");
    }
    assert_eq!(order::Entity::find().count(&db).await.unwrap(), 0);
});
