//! A silence: no notification for the alerts it matches between its start and end.

use merchants::Timestamp;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_silence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: Timestamp,
    /// The rule it silences; `None`: any rule whose labels match.
    pub rule: Option<String>,
    /// Labels an alert must carry (all of them, equal values); `{}`: no condition.
    pub labels: Json,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub comment: String,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
