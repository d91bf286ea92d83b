use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription_tier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    #[sea_orm(unique)]
    pub code: String,
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
