use merchants::Timestamp;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "capacity_snapshot")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: Timestamp,
    #[sea_orm(unique)]
    pub snapshot_date: TimeDate,
    pub total_merchants: i64,
    pub total_stores: i64,
    pub active_stores: i64,
    pub enabled_stores: i64,
    pub trial_stores: i64,
    pub total_subscriptions: i64,
    pub active_subscriptions: i64,
    pub total_products: i64,
    pub total_orders_month: i64,
    pub orders_last_30_days: i64,
    pub new_merchants_month: i64,
    pub churned_merchants_month: i64,
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

impl From<Model> for crate::Snapshot {
    fn from(row: Model) -> crate::Snapshot {
        crate::Snapshot {
            snapshot_date: row.snapshot_date,
            total_merchants: row.total_merchants,
            total_stores: row.total_stores,
            active_stores: row.active_stores,
            enabled_stores: row.enabled_stores,
            trial_stores: row.trial_stores,
            total_subscriptions: row.total_subscriptions,
            active_subscriptions: row.active_subscriptions,
            total_products: row.total_products,
            total_orders_month: row.total_orders_month,
            orders_last_30_days: row.orders_last_30_days,
            new_merchants_month: row.new_merchants_month,
            churned_merchants_month: row.churned_merchants_month,
            total_team_members: row.total_team_members,
            total_images: row.total_images,
            total_image_files: row.total_image_files,
            storage_used_gb: row.storage_used_gb,
            db_size_mb: row.db_size_mb,
            theoretical_products_limit: row.theoretical_products_limit,
            theoretical_orders_limit: row.theoretical_orders_limit,
            theoretical_team_limit: row.theoretical_team_limit,
            tier_distribution: serde_json::from_value(row.tier_distribution).unwrap_or_default(),
            avg_cpu_percent: row.avg_cpu_percent,
            avg_memory_percent: row.avg_memory_percent,
            avg_disk_percent: row.avg_disk_percent,
        }
    }
}
