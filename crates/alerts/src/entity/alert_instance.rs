//! One alert: a rule's condition from when it started holding to when it was resolved.

use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::{AlertStatus, Severity};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_instance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: Timestamp,
    /// The rule's name (one open alert per rule: a unique index on the open ones).
    pub rule: String,
    pub severity: Severity,
    /// pending, firing or resolved.
    pub state: AlertStatus,
    /// The value that started it.
    pub value: f64,
    /// The value at the last evaluation that held.
    pub last_value: f64,
    /// Labels of its notifications (alertname, severity, metric, action, the rule's own).
    pub labels: Json,
    /// Annotations of its notifications (summary, description, action).
    pub annotations: Json,
    pub started_at: Timestamp,
    pub fired_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    /// The last evaluation at which the condition held (keep-firing counts from here).
    pub last_true_at: Timestamp,
    /// The last state a notification was queued for (none yet: `None`).
    pub notified: Option<AlertStatus>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<Timestamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
