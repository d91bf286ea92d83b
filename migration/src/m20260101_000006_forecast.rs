use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{drop_tables, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Seed 000's CapacitySnapshot, plus merchants, images, image files and system averages.
#[derive(DeriveIden)]
enum CapacitySnapshot {
    Table,
    SnapshotDate,
    TotalMerchants,
    TotalStores,
    ActiveStores,
    TrialStores,
    TotalSubscriptions,
    ActiveSubscriptions,
    TotalProducts,
    TotalOrdersMonth,
    TotalTeamMembers,
    TotalImages,
    TotalImageFiles,
    StorageUsedGb,
    DbSizeMb,
    TheoreticalProductsLimit,
    TheoreticalOrdersLimit,
    TheoreticalTeamLimit,
    TierDistribution,
    AvgCpuPercent,
    AvgMemoryPercent,
    AvgDiskPercent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CapacitySnapshot as S;
        manager
            .create_table(
                table(S::Table)
                    // Unique: at most one snapshot per UTC day, across all admin-api instances.
                    .col(date_uniq(S::SnapshotDate))
                    .col(big_integer(S::TotalMerchants))
                    .col(big_integer(S::TotalStores))
                    .col(big_integer(S::ActiveStores))
                    .col(big_integer(S::TrialStores))
                    .col(big_integer(S::TotalSubscriptions))
                    .col(big_integer(S::ActiveSubscriptions))
                    .col(big_integer(S::TotalProducts))
                    .col(big_integer(S::TotalOrdersMonth))
                    .col(big_integer(S::TotalTeamMembers))
                    .col(big_integer(S::TotalImages))
                    .col(big_integer(S::TotalImageFiles))
                    .col(double(S::StorageUsedGb))
                    .col(double(S::DbSizeMb))
                    // NULL = unlimited (an Enterprise subscription is sold).
                    .col(big_integer_null(S::TheoreticalProductsLimit))
                    .col(big_integer_null(S::TheoreticalOrdersLimit))
                    .col(big_integer_null(S::TheoreticalTeamLimit))
                    .col(json(S::TierDistribution))
                    .col(double_null(S::AvgCpuPercent))
                    .col(double_null(S::AvgMemoryPercent))
                    .col(double_null(S::AvgDiskPercent))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [CapacitySnapshot::Table]).await
    }
}
