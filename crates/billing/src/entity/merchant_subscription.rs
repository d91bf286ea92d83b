use merchants::{MerchantId, Timestamp};
use sea_orm::entity::prelude::*;

use crate::{BillingCycle, SubscriptionId, SubscriptionStatus, TierCode};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: SubscriptionId,
    pub created_at: Timestamp,
    pub merchant_id: MerchantId,
    pub tier_code: TierCode,
    pub status: SubscriptionStatus,
    pub billing_cycle: BillingCycle,
    pub current_period_start: Timestamp,
    pub current_period_end: Timestamp,
    pub trial_ends_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
