//! Loyalty: merchant-based programs (points per euro spent, or N stamps earn the reward), cards
//! valid in every store of the program's merchant and in no other merchant's store, and
//! earn/redeem/stamp/reward/adjust transactions.
//!
//! Without the `db` feature: the ids, [`ProgramRule`], the kinds and [`points_for`]. With it (the
//! default): the entities and the card operations.
//!
//! Invariants: a balance never goes negative (a conditional update, backed by a CHECK
//! constraint); an order earns at most once (idempotency key `order:{id}:earn`, unique in the
//! database); a balance change and its transaction row commit together or not at all.

#[cfg(feature = "db")]
mod cards;
#[cfg(feature = "db")]
pub mod entity;
mod ids;
mod rules;

#[cfg(feature = "db")]
pub use cards::*;
pub use ids::{CardId, LoyaltyTransactionId, ProgramId};
pub use rules::{ProgramKind, ProgramRule, TransactionKind, points_for};

use stores::{OrderId, StoreId};

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
    /// The card's program belongs to another merchant than the store.
    #[error("card {card_id} is not valid at store {store_id}")]
    CardNotValidAtStore {
        /// The card.
        card_id: CardId,
        /// The store.
        store_id: StoreId,
    },
    /// A card can only be enrolled at a store of its program's merchant.
    #[error("program {program_id} cannot enroll cards at store {store_id} of another merchant")]
    StoreOfAnotherMerchant {
        /// The program.
        program_id: ProgramId,
        /// The store.
        store_id: StoreId,
    },
    /// The order already earned.
    #[error("order {0} has already earned")]
    AlreadyEarned(OrderId),
    /// The operation does not fit the program (points vs stamps).
    #[error("this operation does not apply to a {0:?} program")]
    WrongProgramKind(ProgramKind),
    /// Amounts must be positive; programs need a positive rate.
    #[error("invalid amount: {0}")]
    InvalidAmount(&'static str),
    /// Program, card, store or order missing.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The database failed.
    #[cfg(feature = "db")]
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// This crate's result.
pub type Result<T> = std::result::Result<T, Error>;
