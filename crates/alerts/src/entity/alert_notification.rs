//! The outbox: one row per notification, written in the transaction of the transition it
//! reports, delivered (at least once) by the webhook worker.

use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::AlertStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: Timestamp,
    pub alert_id: i64,
    /// firing or resolved.
    pub status: AlertStatus,
    /// `orion-alert-<id>-<status>`: unique, sent as `Idempotency-Key`.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// The exact body posted (and signed).
    pub payload: String,
    pub attempts: i32,
    pub next_attempt_at: Timestamp,
    /// A worker holds it until then (another instance does not post it meanwhile).
    pub lease_until: Option<Timestamp>,
    /// The delivery round that holds the lease.
    pub lease_owner: Option<String>,
    pub delivered_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
