//! Loyalty rules on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test helpers: a panic is a failed test.

use loyalty::entity::{loyalty_card, loyalty_transaction};
use loyalty::{
    CardId, Error, ProgramRule, create_program, earn_for_order, enroll_card, redeem_points, redeem_reward,
};
use merchants::{MerchantId, MerchantSlug, NewMerchant, create_merchant};
use migration::db_test;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use stores::{NewOrder, NewOrderItem, NewProduct, NewStore, OrderId, OrderStatus, ProductId, StoreId};
use time::OffsetDateTime;

struct Shop {
    merchant_id: MerchantId,
    store_id: StoreId,
    product_id: ProductId,
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

async fn shop(db: &DatabaseConnection, slug: &str) -> Shop {
    let new = NewMerchant { name: slug, slug: MerchantSlug::parse(slug).unwrap(), contact_email: "x@y.z" };
    let m = create_merchant(db, new, now()).await.unwrap();
    let s = stores::create_store(db, NewStore { merchant_id: m.id, code: slug, name: slug }, now())
        .await
        .unwrap();
    let product = NewProduct { store_sku: "P", gtin: None, titles: &[], stock: None };
    let p = stores::create_product(db, s.id, product, now()).await.unwrap();
    Shop { merchant_id: m.id, store_id: s.id, product_id: p.id }
}

async fn order(db: &DatabaseConnection, shop: &Shop, cents: i64) -> OrderId {
    let items = [NewOrderItem { product_id: shop.product_id, quantity: 1, unit_price_cents: cents }];
    let new = NewOrder {
        customer_id: None,
        currency: "EUR",
        status: OrderStatus::Completed,
        items: &items,
        placed_at: now(),
    };
    stores::create_order(db, shop.store_id, new).await.unwrap().id
}

async fn card(db: &DatabaseConnection, id: CardId) -> loyalty_card::Model {
    loyalty_card::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

async fn points_card(db: &DatabaseConnection, shop: &Shop) -> CardId {
    let rule = ProgramRule::Points { points_per_euro: 2 };
    let program = create_program(db, shop.merchant_id, "Points", rule, "5 € off", now()).await.unwrap();
    enroll_card(db, program.id, "CARD-1", "customer-1", shop.store_id, now()).await.unwrap().id
}

db_test!(async fn an_order_earns_points_that_can_be_redeemed(db) {
    let acme = shop(&db, "acme").await;
    let card_id = points_card(&db, &acme).await;
    let order_id = order(&db, &acme, 2_599).await;

    earn_for_order(&db, card_id, acme.store_id, order_id, now()).await.unwrap();
    assert_eq!(card(&db, card_id).await.points_balance, 50);
    redeem_points(&db, card_id, acme.store_id, 30, now()).await.unwrap();

    assert_eq!(card(&db, card_id).await.points_balance, 20);
    assert_eq!(loyalty_transaction::Entity::find().count(&db).await.unwrap(), 2);
});

db_test!(async fn redeeming_more_than_the_balance_is_refused_with_nothing_written(db) {
    let acme = shop(&db, "acme").await;
    let card_id = points_card(&db, &acme).await;
    let order_id = order(&db, &acme, 1_000).await;
    earn_for_order(&db, card_id, acme.store_id, order_id, now()).await.unwrap();

    let result = redeem_points(&db, card_id, acme.store_id, 21, now()).await;

    assert!(matches!(result, Err(Error::InsufficientBalance { balance: 20, requested: 21 })), "{result:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 20);
    assert_eq!(loyalty_transaction::Entity::find().count(&db).await.unwrap(), 1);
    let adjust = loyalty::adjust(&db, card_id, acme.store_id, -25, 0, now()).await;
    assert!(matches!(adjust, Err(Error::InsufficientBalance { .. })), "{adjust:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 20);
});

db_test!(async fn an_order_earns_only_once(db) {
    let acme = shop(&db, "acme").await;
    let card_id = points_card(&db, &acme).await;
    let order_id = order(&db, &acme, 1_000).await;
    earn_for_order(&db, card_id, acme.store_id, order_id, now()).await.unwrap();

    let again = earn_for_order(&db, card_id, acme.store_id, order_id, now()).await;

    assert!(matches!(again, Err(Error::AlreadyEarned(id)) if id == order_id), "{again:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 20);
    assert_eq!(loyalty_transaction::Entity::find().count(&db).await.unwrap(), 1);
});

db_test!(async fn a_card_works_in_every_store_of_its_merchant_and_no_other(db) {
    let acme = shop(&db, "acme").await;
    let globex = shop(&db, "globex").await;
    let card_id = points_card(&db, &acme).await;
    let second =
        stores::create_store(&db, NewStore { merchant_id: acme.merchant_id, code: "acme-2", name: "Acme 2" }, now()).await.unwrap();
    loyalty::adjust(&db, card_id, acme.store_id, 10, 0, now()).await.unwrap();

    assert!(redeem_points(&db, card_id, second.id, 5, now()).await.is_ok());
    let elsewhere = redeem_points(&db, card_id, globex.store_id, 1, now()).await;

    assert!(matches!(elsewhere, Err(Error::CardNotValidAtStore { .. })), "{elsewhere:?}");
    assert_eq!(card(&db, card_id).await.points_balance, 5);
    let foreign_order = order(&db, &globex, 1_000).await;
    let earn = earn_for_order(&db, card_id, globex.store_id, foreign_order, now()).await;
    assert!(matches!(earn, Err(Error::CardNotValidAtStore { .. })), "{earn:?}");
});

db_test!(async fn stamps_earn_the_reward(db) {
    let acme = shop(&db, "acme").await;
    let rule = ProgramRule::Stamps { stamps_required: 3 };
    let program = create_program(&db, acme.merchant_id, "Coffee", rule, "Free coffee", now()).await.unwrap();
    let card_id = enroll_card(&db, program.id, "STAMP-1", "c", acme.store_id, now()).await.unwrap().id;
    for _ in 0..2 {
        let order_id = order(&db, &acme, 300).await;
        earn_for_order(&db, card_id, acme.store_id, order_id, now()).await.unwrap();
    }
    let early = redeem_reward(&db, card_id, acme.store_id, now()).await;
    assert!(matches!(early, Err(Error::InsufficientStamps { stamps: 2, required: 3 })), "{early:?}");

    let order_id = order(&db, &acme, 300).await;
    earn_for_order(&db, card_id, acme.store_id, order_id, now()).await.unwrap();
    redeem_reward(&db, card_id, acme.store_id, now()).await.unwrap();

    assert_eq!(card(&db, card_id).await.stamps, 0);
});

db_test!(async fn cards_are_enrolled_only_at_the_programs_merchant(db) {
    let acme = shop(&db, "acme").await;
    let globex = shop(&db, "globex").await;
    let rule = ProgramRule::Points { points_per_euro: 1 };
    let program = create_program(&db, acme.merchant_id, "Points", rule, "x", now()).await.unwrap();
    let refused = enroll_card(&db, program.id, "CARD-9", "c", globex.store_id, now()).await;
    assert!(
        matches!(refused, Err(Error::StoreOfAnotherMerchant { program_id, store_id }) if program_id == program.id && store_id == globex.store_id),
        "{refused:?}"
    );
});
