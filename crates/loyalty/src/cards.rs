//! Programs, cards and their transactions in the database.

use merchants::MerchantId;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr,
    TransactionSession, TransactionTrait,
};
use stores::entity::{order, store};
use stores::{OrderId, StoreId};
use time::OffsetDateTime;

use crate::entity::{loyalty_card, loyalty_program, loyalty_transaction};
use crate::{CardId, Error, ProgramId, ProgramKind, ProgramRule, Result, TransactionKind, points_for};

/// A change of a card's balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Change {
    kind: TransactionKind,
    points: i64,
    stamps: i32,
    order_id: Option<OrderId>,
}

/// Creates a program for a merchant.
pub async fn create_program(
    db: &impl ConnectionTrait,
    merchant_id: MerchantId,
    name: &str,
    rule: ProgramRule,
    reward: &str,
    at: OffsetDateTime,
) -> Result<loyalty_program::Model> {
    let (kind, points, stamps) = match rule {
        ProgramRule::Points { points_per_euro } if points_per_euro > 0 => {
            (ProgramKind::Points, Some(points_per_euro), None)
        }
        ProgramRule::Stamps { stamps_required } if stamps_required > 0 => {
            (ProgramKind::Stamps, None, Some(stamps_required))
        }
        _ => return Err(Error::InvalidAmount("points per euro and stamps required must be positive")),
    };
    Ok(loyalty_program::ActiveModel {
        merchant_id: Set(merchant_id),
        name: Set(name.to_owned()),
        kind: Set(kind),
        points_per_euro: Set(points),
        stamps_required: Set(stamps),
        reward: Set(reward.to_owned()),
        is_active: Set(true),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Issues a card, enrolled at a store of the program's merchant.
pub async fn enroll_card(
    db: &impl ConnectionTrait,
    program_id: ProgramId,
    card_number: &str,
    customer_ref: &str,
    enrolled_store_id: StoreId,
    at: OffsetDateTime,
) -> Result<loyalty_card::Model> {
    let program =
        loyalty_program::Entity::find_by_id(program_id).one(db).await?.ok_or(Error::NotFound("program"))?;
    let store =
        store::Entity::find_by_id(enrolled_store_id).one(db).await?.ok_or(Error::NotFound("store"))?;
    if store.merchant_id != program.merchant_id {
        return Err(Error::StoreOfAnotherMerchant { program_id, store_id: enrolled_store_id });
    }
    Ok(loyalty_card::ActiveModel {
        program_id: Set(program_id),
        card_number: Set(card_number.to_owned()),
        customer_ref: Set(customer_ref.to_owned()),
        points_balance: Set(0),
        stamps: Set(0),
        enrolled_store_id: Set(enrolled_store_id),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Earns for an order of `store_id`: points for a points program, one stamp for a stamps program.
/// An order earns at most once.
pub async fn earn_for_order<C>(
    db: &C,
    card_id: CardId,
    store_id: StoreId,
    order_id: OrderId,
    at: OffsetDateTime,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let (card, program) = card_at_store(db, card_id, store_id).await?;
    let order = order::Entity::find_by_id(order_id)
        .filter(order::Column::StoreId.eq(store_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("order of this store"))?;
    let change = match (program.kind, program.points_per_euro, program.stamps_required) {
        (ProgramKind::Points, Some(rate), _) => Change {
            kind: TransactionKind::Earn,
            points: points_for(order.total_cents, rate),
            stamps: 0,
            order_id: Some(order_id),
        },
        (ProgramKind::Stamps, _, Some(_)) => {
            Change { kind: TransactionKind::Stamp, points: 0, stamps: 1, order_id: Some(order_id) }
        }
        (kind, ..) => return Err(Error::WrongProgramKind(kind)),
    };
    let key = format!("order:{order_id}:earn");
    let existing = loyalty_transaction::Entity::find()
        .filter(loyalty_transaction::Column::IdempotencyKey.eq(key.as_str()))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(Error::AlreadyEarned(order_id));
    }
    apply(db, &card, store_id, change, Some(key), at).await.map_err(|error| match error {
        Error::Db(db_error) if matches!(db_error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Error::AlreadyEarned(order_id)
        }
        other => other,
    })
}

/// Redeems points at a store of the program's merchant.
pub async fn redeem_points<C>(
    db: &C,
    card_id: CardId,
    store_id: StoreId,
    points: i64,
    at: OffsetDateTime,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    if points <= 0 {
        return Err(Error::InvalidAmount("points to redeem must be positive"));
    }
    let (card, program) = card_at_store(db, card_id, store_id).await?;
    if program.kind != ProgramKind::Points {
        return Err(Error::WrongProgramKind(program.kind));
    }
    let change = Change { kind: TransactionKind::Redeem, points: -points, stamps: 0, order_id: None };
    apply(db, &card, store_id, change, None, at).await
}

/// Exchanges `stamps_required` stamps for the reward.
pub async fn redeem_reward<C>(
    db: &C,
    card_id: CardId,
    store_id: StoreId,
    at: OffsetDateTime,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let (card, program) = card_at_store(db, card_id, store_id).await?;
    let (ProgramKind::Stamps, Some(required)) = (program.kind, program.stamps_required) else {
        return Err(Error::WrongProgramKind(program.kind));
    };
    let change = Change { kind: TransactionKind::Reward, points: 0, stamps: -required, order_id: None };
    apply(db, &card, store_id, change, None, at).await
}

/// Corrects a card's balances by `points` and `stamps` (positive or negative, not both zero;
/// never below zero). Imports use it for opening balances.
pub async fn adjust<C>(
    db: &C,
    card_id: CardId,
    store_id: StoreId,
    points: i64,
    stamps: i32,
    at: OffsetDateTime,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    if points == 0 && stamps == 0 {
        return Err(Error::InvalidAmount("an adjustment must change a balance"));
    }
    let (card, _) = card_at_store(db, card_id, store_id).await?;
    let change = Change { kind: TransactionKind::Adjust, points, stamps, order_id: None };
    apply(db, &card, store_id, change, None, at).await
}

/// The card and its program, if the store belongs to the program's merchant.
async fn card_at_store(
    db: &impl ConnectionTrait,
    card_id: CardId,
    store_id: StoreId,
) -> Result<(loyalty_card::Model, loyalty_program::Model)> {
    let card = loyalty_card::Entity::find_by_id(card_id).one(db).await?.ok_or(Error::NotFound("card"))?;
    let program = loyalty_program::Entity::find_by_id(card.program_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("program"))?;
    let store = store::Entity::find_by_id(store_id).one(db).await?.ok_or(Error::NotFound("store"))?;
    if store.merchant_id != program.merchant_id {
        return Err(Error::CardNotValidAtStore { card_id, store_id });
    }
    Ok((card, program))
}

/// Changes the balances and writes the transaction row in one transaction. The update only
/// applies when the result stays at or above zero, so concurrent redeems cannot overdraw.
async fn apply<C>(
    db: &C,
    card: &loyalty_card::Model,
    store_id: StoreId,
    change: Change,
    idempotency_key: Option<String>,
    at: OffsetDateTime,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let updated = loyalty_card::Entity::update_many()
        .col_expr(
            loyalty_card::Column::PointsBalance,
            Expr::col(loyalty_card::Column::PointsBalance).add(change.points),
        )
        .col_expr(loyalty_card::Column::Stamps, Expr::col(loyalty_card::Column::Stamps).add(change.stamps))
        .filter(loyalty_card::Column::Id.eq(card.id))
        .filter(Expr::col(loyalty_card::Column::PointsBalance).add(change.points).gte(0))
        .filter(Expr::col(loyalty_card::Column::Stamps).add(change.stamps).gte(0))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        let now = loyalty_card::Entity::find_by_id(card.id).one(db).await?.ok_or(Error::NotFound("card"))?;
        return Err(if change.stamps < 0 && now.stamps + change.stamps < 0 {
            Error::InsufficientStamps { stamps: now.stamps, required: -change.stamps }
        } else {
            Error::InsufficientBalance { balance: now.points_balance, requested: -change.points }
        });
    }
    let row = loyalty_transaction::ActiveModel {
        card_id: Set(card.id),
        store_id: Set(store_id),
        kind: Set(change.kind),
        points_delta: Set(change.points),
        stamps_delta: Set(change.stamps),
        order_id: Set(change.order_id),
        idempotency_key: Set(idempotency_key),
        created_at: Set(at.into()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(row)
}
