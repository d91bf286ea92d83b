use merchants::Timestamp;
use sea_orm::entity::prelude::*;

use crate::{Tier, TierCode, TierLimits};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription_tier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: Timestamp,
    #[sea_orm(unique)]
    pub code: TierCode,
    pub name: String,
    pub sort_order: i32,
    pub price_monthly_cents: i64,
    /// `None`: negotiated (Enterprise).
    pub price_annual_cents: Option<i64>,
    /// `None` = unlimited, here and below.
    pub max_products: Option<i64>,
    pub max_orders_per_month: Option<i64>,
    pub max_team_members: Option<i64>,
    pub max_images_per_product: Option<i64>,
    pub max_api_requests_per_day: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for Tier {
    fn from(row: Model) -> Tier {
        Tier {
            code: row.code,
            name: row.name,
            price_monthly_cents: row.price_monthly_cents,
            price_annual_cents: row.price_annual_cents,
            limits: TierLimits {
                max_products: row.max_products,
                max_orders_per_month: row.max_orders_per_month,
                max_team_members: row.max_team_members,
                max_images_per_product: row.max_images_per_product,
                max_api_requests_per_day: row.max_api_requests_per_day,
            },
        }
    }
}
