use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "capacity_snapshot")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    #[sea_orm(unique)]
    pub snapshot_date: Date,
    pub total_merchants: i64,
    pub total_stores: i64,
    pub active_stores: i64,
    pub trial_stores: i64,
    pub total_subscriptions: i64,
    pub active_subscriptions: i64,
    pub total_products: i64,
    pub total_orders_month: i64,
    pub total_team_members: i64,
    pub total_images: i64,
    pub total_image_files: i64,
    pub storage_used_gb: f64,
    pub db_size_mb: f64,
    pub theoretical_products_limit: Option<i64>,
    pub theoretical_orders_limit: Option<i64>,
    pub theoretical_team_limit: Option<i64>,
    pub tier_distribution: Json,
    pub avg_cpu_percent: Option<f64>,
    pub avg_memory_percent: Option<f64>,
    pub avg_disk_percent: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
