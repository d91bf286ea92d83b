//! SeaORM entities owned by this crate.
#![allow(missing_docs)] // Generated column enums; the fields are documented on the models.

pub mod alert_instance;
pub mod alert_notification;
pub mod alert_silence;
