//! SeaORM entities owned by this crate.
#![allow(missing_docs)] // Generated column enums; the fields are documented in DESIGN §2.

pub mod inventory;
pub mod order;
pub mod order_item;
pub mod product;
pub mod product_translation;
pub mod store;
pub mod store_domain;
pub mod team_member;
