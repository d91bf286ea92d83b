//! Loyalty rules on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use chrono::Utc;
use loyalty::entity::{loyalty_card, loyalty_transaction};
use loyalty::{
    Error, ProgramKind, create_program, earn_for_order, enroll_card, redeem_points, redeem_reward,
};
use merchants::{MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use stores::{NewOrder, NewOrderItem, NewProduct, NewStore, create_order, create_product, create_store};

struct Shop {
    merchant_id: i64,
    store_id: i64,
    product_id: i64,
}

async fn shop(db: &DatabaseConnection, slug: &str) -> Shop {
    let m = create_merchant(
        db,
        NewMerchant { name: slug, slug: MerchantSlug::parse(slug).unwrap(), contact_email: "x@y.z" },
    )
    .await
    .unwrap();
    let s = create_store(db, NewStore { merchant_id: m.id, code: slug, name: slug }).await.unwrap();
    let p = create_product(db, NewProduct { store_id: s.id, store_sku: "P", gtin: None }, Utc::now())
        .await
        .unwrap();
    Shop { merchant_id: m.id, store_id: s.id, product_id: p.id }
}

async fn order(db: &DatabaseConnection, shop: &Shop, cents: i64) -> i64 {
    let items = [NewOrderItem { product_id: shop.product_id, quantity: 1, unit_price_cents: cents }];
    create_order(
        db,
        NewOrder {
            store_id: shop.store_id,
            customer_id: None,
            currency: "EUR",
            items: &items,
            placed_at: Utc::now(),
        },
    )
    .await
    .unwrap()
    .id
}

async fn card(db: &DatabaseConnection, id: i64) -> loyalty_card::Model {
    loyalty_card::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

async fn points_card(db: &DatabaseConnection, shop: &Shop) -> i64 {
    let program =
        create_program(db, shop.merchant_id, "Points", ProgramKind::Points { points_per_euro: 2 }, "5 € off")
            .await
            .unwrap();
    enroll_card(db, program.id, "CARD-1", "customer-1", shop.store_id).await.unwrap().id
}

db_test!(async fn an_order_earns_points_that_can_be_redeemed(db) {
    let acme = shop(&db, "acme").await;
    let card_id = points_card(&db, &acme).await;
    let order_id = order(&db, &acme, 2_599).await;

    earn_for_order(&db, card_id, acme.store_id, order_id).await.unwrap();
    assert_eq!(card(&db, card_id).await.points_balance, 50);
    redeem_points(&db, card_id, acme.store_id, 30).await.unwrap();

    assert_eq!(card(&db, card_id).await.points_balance, 20);
    assert_eq!(loyalty_transaction::Entity::find().count(&db).await.unwrap(), 2);
});

db_test!(async fn redeeming_more_than_the_balance_is_refused_with_nothing_written(db) {
    let acme = shop(&db, "acme").await;
    let card_id = points_card(&db, &acme).await;
    let order_id = order(&db, &acme, 1_000).await;
    earn_for_order(&db, card_id, acme.store_id, order_id).await.unwrap();

    let result = redeem_points(&db, card_id, acme.store_id, 21).await;

    assert!(matches!(result, Err(Error::InsufficientBalance { balance: 20, requested: 21 })), "{result:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 20);
    assert_eq!(loyalty_transaction::Entity::find().count(&db).await.unwrap(), 1);
    let adjust = loyalty::adjust_points(&db, card_id, acme.store_id, -25).await;
    assert!(matches!(adjust, Err(Error::InsufficientBalance { .. })), "{adjust:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 20);
});

db_test!(async fn an_order_earns_only_once(db) {
    let acme = shop(&db, "acme").await;
    let card_id = points_card(&db, &acme).await;
    let order_id = order(&db, &acme, 1_000).await;
    earn_for_order(&db, card_id, acme.store_id, order_id).await.unwrap();

    let again = earn_for_order(&db, card_id, acme.store_id, order_id).await;

    assert!(matches!(again, Err(Error::AlreadyEarned(id)) if id == order_id), "{again:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 20);
    assert_eq!(loyalty_transaction::Entity::find().count(&db).await.unwrap(), 1);
});

db_test!(async fn a_card_works_in_every_store_of_its_merchant_and_no_other(db) {
    let acme = shop(&db, "acme").await;
    let globex = shop(&db, "globex").await;
    let card_id = points_card(&db, &acme).await;
    let second = create_store(&db, NewStore { merchant_id: acme.merchant_id, code: "acme-2", name: "Acme 2" }).await.unwrap();
    loyalty::adjust_points(&db, card_id, acme.store_id, 10).await.unwrap();

    assert!(redeem_points(&db, card_id, second.id, 5).await.is_ok());
    let elsewhere = redeem_points(&db, card_id, globex.store_id, 1).await;

    assert!(matches!(elsewhere, Err(Error::CardNotValidAtStore { .. })), "{elsewhere:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 5);
    let foreign_order = order(&db, &globex, 1_000).await;
    let earn = earn_for_order(&db, card_id, globex.store_id, foreign_order).await;
    assert!(matches!(earn, Err(Error::CardNotValidAtStore { .. })), "{earn:?}");
});

db_test!(async fn stamps_earn_the_reward(db) {
    let acme = shop(&db, "acme").await;
    let program = create_program(&db, acme.merchant_id, "Coffee", ProgramKind::Stamps { stamps_required: 3 }, "Free coffee")
        .await
        .unwrap();
    let card_id = enroll_card(&db, program.id, "STAMP-1", "c", acme.store_id).await.unwrap().id;
    for _ in 0..2 {
        let order_id = order(&db, &acme, 300).await;
        earn_for_order(&db, card_id, acme.store_id, order_id).await.unwrap();
    }
    let early = redeem_reward(&db, card_id, acme.store_id).await;
    assert!(matches!(early, Err(Error::InsufficientStamps { stamps: 2, required: 3 })), "{early:?}");

    let order_id = order(&db, &acme, 300).await;
    earn_for_order(&db, card_id, acme.store_id, order_id).await.unwrap();
    redeem_reward(&db, card_id, acme.store_id).await.unwrap();

    assert_eq!(card(&db, card_id).await.stamps, 0);
});
