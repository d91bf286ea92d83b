use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    pub merchant_id: i64,
    pub tier_code: String,
    /// trialing | active | past_due | cancelled | expired
    pub status: String,
    /// monthly | annual
    pub billing_cycle: String,
    pub current_period_start: DateTimeUtc,
    pub current_period_end: DateTimeUtc,
    pub trial_ends_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
