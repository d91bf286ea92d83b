use merchants::MerchantId;
use sea_orm::entity::prelude::*;

use crate::{BillingCycle, SubscriptionId, SubscriptionStatus, TierCode};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: SubscriptionId,
    pub created_at: TimeDateTimeWithTimeZone,
    pub merchant_id: MerchantId,
    pub tier_code: TierCode,
    pub status: SubscriptionStatus,
    pub billing_cycle: BillingCycle,
    pub current_period_start: TimeDateTimeWithTimeZone,
    pub current_period_end: TimeDateTimeWithTimeZone,
    pub trial_ends_at: Option<TimeDateTimeWithTimeZone>,
    pub cancelled_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
