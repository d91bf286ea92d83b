//! Loyalty: merchant-based programs (points per euro spent, or N stamps earn the reward), cards
//! valid in every store of the program's merchant and in no other merchant's store, and
//! earn/redeem/stamp/reward/adjust transactions.
//!
//! Invariants: a balance never goes negative (a conditional update, backed by a CHECK
//! constraint); an order earns at most once (idempotency key `order:{id}:earn`, unique in the
//! database); a balance change and its transaction row commit together or not at all.

pub mod entity;
mod rules;

pub use rules::{ProgramKind, points_for};

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
    TransactionSession, TransactionTrait,
};

use entity::{loyalty_card, loyalty_program, loyalty_transaction};
use stores::entity::{order, store};

/// Loyalty errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Redeeming or adjusting would take the points balance below zero.
    #[error("insufficient points: balance {balance}, requested {requested}")]
    InsufficientBalance {
        /// Points on the card.
        balance: i64,
        /// Points asked for.
        requested: i64,
    },
    /// Not enough stamps for the reward.
    #[error("insufficient stamps: {stamps} of {required}")]
    InsufficientStamps {
        /// Stamps on the card.
        stamps: i32,
        /// Stamps the reward needs.
        required: i32,
    },
    /// The store belongs to another merchant than the card's program.
    #[error("card {card_id} is not valid at store {store_id}")]
    CardNotValidAtStore {
        /// The card.
        card_id: i64,
        /// The store.
        store_id: i64,
    },
    /// The order already earned.
    #[error("order {0} has already earned")]
    AlreadyEarned(i64),
    /// The operation does not fit the program (points vs stamps).
    #[error("this operation does not apply to a {0} program")]
    WrongProgramKind(String),
    /// Amounts must be positive; programs need a positive rate.
    #[error("invalid amount: {0}")]
    InvalidAmount(&'static str),
    /// Program, card, store or order missing.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;

/// Creates a program for a merchant.
pub async fn create_program(
    db: &impl ConnectionTrait,
    merchant_id: i64,
    name: &str,
    kind: ProgramKind,
    reward: &str,
) -> Result<loyalty_program::Model> {
    let (kind_name, points, stamps) = match kind {
        ProgramKind::Points { points_per_euro } if points_per_euro > 0 => {
            ("points", Some(points_per_euro), None)
        }
        ProgramKind::Stamps { stamps_required } if stamps_required > 0 => {
            ("stamps", None, Some(stamps_required))
        }
        _ => return Err(Error::InvalidAmount("points per euro and stamps required must be positive")),
    };
    Ok(loyalty_program::ActiveModel {
        merchant_id: Set(merchant_id),
        name: Set(name.to_owned()),
        kind: Set(kind_name.to_owned()),
        points_per_euro: Set(points),
        stamps_required: Set(stamps),
        reward: Set(reward.to_owned()),
        is_active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Issues a card, enrolled at a store of the program's merchant.
pub async fn enroll_card(
    db: &impl ConnectionTrait,
    program_id: i64,
    card_number: &str,
    customer_ref: &str,
    enrolled_store_id: i64,
) -> Result<loyalty_card::Model> {
    let program =
        loyalty_program::Entity::find_by_id(program_id).one(db).await?.ok_or(Error::NotFound("program"))?;
    let store =
        store::Entity::find_by_id(enrolled_store_id).one(db).await?.ok_or(Error::NotFound("store"))?;
    if store.merchant_id != program.merchant_id {
        return Err(Error::CardNotValidAtStore { card_id: 0, store_id: enrolled_store_id });
    }
    Ok(loyalty_card::ActiveModel {
        program_id: Set(program_id),
        card_number: Set(card_number.to_owned()),
        customer_ref: Set(customer_ref.to_owned()),
        points_balance: Set(0),
        stamps: Set(0),
        enrolled_store_id: Set(enrolled_store_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Earns for an order of `store_id`: points for a points program, one stamp for a stamps program.
/// An order earns at most once.
pub async fn earn_for_order<C>(
    db: &C,
    card_id: i64,
    store_id: i64,
    order_id: i64,
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
    let (kind, points, stamps) = match (program.points_per_euro, program.stamps_required) {
        (Some(rate), _) => ("earn", points_for(order.total_cents, rate), 0),
        (None, Some(_)) => ("stamp", 0, 1),
        (None, None) => return Err(Error::WrongProgramKind(program.kind)),
    };
    let key = format!("order:{order_id}:earn");
    let existing = loyalty_transaction::Entity::find()
        .filter(loyalty_transaction::Column::IdempotencyKey.eq(key.as_str()))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(Error::AlreadyEarned(order_id));
    }
    apply(db, &card, store_id, kind, points, stamps, Some(order_id), Some(key)).await.map_err(|error| {
        match error {
            Error::Db(db_error)
                if matches!(db_error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                Error::AlreadyEarned(order_id)
            }
            other => other,
        }
    })
}

/// Redeems points at a store of the program's merchant.
pub async fn redeem_points<C>(
    db: &C,
    card_id: i64,
    store_id: i64,
    points: i64,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    if points <= 0 {
        return Err(Error::InvalidAmount("points to redeem must be positive"));
    }
    let (card, program) = card_at_store(db, card_id, store_id).await?;
    if program.points_per_euro.is_none() {
        return Err(Error::WrongProgramKind(program.kind));
    }
    apply(db, &card, store_id, "redeem", -points, 0, None, None).await
}

/// Exchanges `stamps_required` stamps for the reward.
pub async fn redeem_reward<C>(db: &C, card_id: i64, store_id: i64) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let (card, program) = card_at_store(db, card_id, store_id).await?;
    let Some(required) = program.stamps_required else {
        return Err(Error::WrongProgramKind(program.kind));
    };
    apply(db, &card, store_id, "reward", 0, -required, None, None).await
}

/// Corrects a points balance by `delta` (positive or negative; never below zero).
pub async fn adjust_points<C>(
    db: &C,
    card_id: i64,
    store_id: i64,
    delta: i64,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    if delta == 0 {
        return Err(Error::InvalidAmount("an adjustment must change the balance"));
    }
    let (card, _) = card_at_store(db, card_id, store_id).await?;
    apply(db, &card, store_id, "adjust", delta, 0, None, None).await
}

/// The card and its program, if the store belongs to the program's merchant.
async fn card_at_store(
    db: &impl ConnectionTrait,
    card_id: i64,
    store_id: i64,
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

/// Changes the balance and writes the transaction row in one transaction. The update only
/// applies when the result stays at or above zero, so concurrent redeems cannot overdraw.
#[allow(clippy::too_many_arguments)] // internal: one call per transaction kind above
async fn apply<C>(
    db: &C,
    card: &loyalty_card::Model,
    store_id: i64,
    kind: &str,
    points: i64,
    stamps: i32,
    order_id: Option<i64>,
    idempotency_key: Option<String>,
) -> Result<loyalty_transaction::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let updated = loyalty_card::Entity::update_many()
        .col_expr(
            loyalty_card::Column::PointsBalance,
            Expr::col(loyalty_card::Column::PointsBalance).add(points),
        )
        .col_expr(loyalty_card::Column::Stamps, Expr::col(loyalty_card::Column::Stamps).add(stamps))
        .filter(loyalty_card::Column::Id.eq(card.id))
        .filter(Expr::col(loyalty_card::Column::PointsBalance).add(points).gte(0))
        .filter(Expr::col(loyalty_card::Column::Stamps).add(stamps).gte(0))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        let now = loyalty_card::Entity::find_by_id(card.id).one(db).await?.ok_or(Error::NotFound("card"))?;
        return Err(if stamps < 0 && now.stamps + stamps < 0 {
            Error::InsufficientStamps { stamps: now.stamps, required: -stamps }
        } else {
            Error::InsufficientBalance { balance: now.points_balance, requested: -points }
        });
    }
    let row = loyalty_transaction::ActiveModel {
        card_id: Set(card.id),
        store_id: Set(store_id),
        kind: Set(kind.to_owned()),
        points_delta: Set(points),
        stamps_delta: Set(stamps),
        order_id: Set(order_id),
        idempotency_key: Set(idempotency_key),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(row)
}
