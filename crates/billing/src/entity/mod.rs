//! SeaORM entities owned by this crate.
#![allow(missing_docs)] // Generated column enums; the fields are documented in DESIGN §2.

pub mod merchant_subscription;
pub mod subscription_tier;
