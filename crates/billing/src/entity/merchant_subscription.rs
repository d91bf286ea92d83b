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
    /// When the merchant asked to cancel.
    pub cancelled_at: Option<Timestamp>,
    /// When the subscription first became active (paid).
    pub activated_at: Option<Timestamp>,
    /// Cancelled, running until `current_period_end`.
    pub cancel_at_period_end: bool,
    /// When it stopped being live (cancelled at period end, or a trial expired).
    pub ended_at: Option<Timestamp>,
}

impl Model {
    /// Its lifespan, for the dynamics and as-of figures.
    pub fn span(&self) -> crate::SubscriptionSpan {
        crate::SubscriptionSpan {
            merchant_id: self.merchant_id,
            tier: self.tier_code,
            started_at: self.created_at.get(),
            activated_at: self.activated_at.map(merchants::Timestamp::get),
            ended_at: self.ended_at.map(merchants::Timestamp::get),
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
