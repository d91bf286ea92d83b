//! SeaORM entities owned by this crate.
#![allow(missing_docs)] // Generated column enums; the fields are documented in DESIGN §2.

pub mod loyalty_card;
pub mod loyalty_program;
pub mod loyalty_transaction;
