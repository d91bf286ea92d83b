//! What the capacity figures needed beyond the first schema: the subscription lifecycle's times
//! (activated, cancel at period end, ended), the rolling and dynamic figures of the daily
//! snapshots, and indexes for activity and rolling windows.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000002_stores::{Order, Product};
use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MerchantSubscription {
    Table,
    ActivatedAt,
    CancelAtPeriodEnd,
    EndedAt,
}

#[derive(DeriveIden)]
enum CapacitySnapshot {
    Table,
    #[sea_orm(iden = "orders_last_30_days")]
    OrdersLast30Days,
    EnabledStores,
    NewMerchantsMonth,
    ChurnedMerchantsMonth,
}

#[derive(DeriveIden)]
enum Created {
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        let columns = [
            (
                MerchantSubscription::Table.into_iden(),
                timestamp_with_time_zone_null(MerchantSubscription::ActivatedAt),
            ),
            (
                MerchantSubscription::Table.into_iden(),
                boolean(MerchantSubscription::CancelAtPeriodEnd).default(false).to_owned(),
            ),
            (
                MerchantSubscription::Table.into_iden(),
                timestamp_with_time_zone_null(MerchantSubscription::EndedAt),
            ),
            (
                CapacitySnapshot::Table.into_iden(),
                big_integer(CapacitySnapshot::OrdersLast30Days).default(0).to_owned(),
            ),
            (
                CapacitySnapshot::Table.into_iden(),
                big_integer(CapacitySnapshot::EnabledStores).default(0).to_owned(),
            ),
            (
                CapacitySnapshot::Table.into_iden(),
                big_integer(CapacitySnapshot::NewMerchantsMonth).default(0).to_owned(),
            ),
            (
                CapacitySnapshot::Table.into_iden(),
                big_integer(CapacitySnapshot::ChurnedMerchantsMonth).default(0).to_owned(),
            ),
        ];
        for (table, mut column) in columns {
            manager.alter_table(Table::alter().table(table).add_column(&mut column).to_owned()).await?;
        }
        // Subscriptions activated before this migration: their start is the best known time.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE merchant_subscription SET activated_at = created_at WHERE status IN ('active', 'past_due')",
            )
            .await?;
        // Activity (an order or a product in the last 30 days) and rolling order windows per store.
        manager
            .create_index(index(
                "idx_order_store_created",
                Order::Table,
                [Order::StoreId.into_iden(), Created::CreatedAt.into_iden()],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_product_store_created",
                Product::Table,
                [Product::StoreId.into_iden(), Created::CreatedAt.into_iden()],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_product_store_created").table(Product::Table).to_owned())
            .await?;
        manager
            .drop_index(Index::drop().name("idx_order_store_created").table(Order::Table).to_owned())
            .await?;
        let columns = [
            (CapacitySnapshot::Table.into_iden(), CapacitySnapshot::ChurnedMerchantsMonth.into_iden()),
            (CapacitySnapshot::Table.into_iden(), CapacitySnapshot::NewMerchantsMonth.into_iden()),
            (CapacitySnapshot::Table.into_iden(), CapacitySnapshot::EnabledStores.into_iden()),
            (CapacitySnapshot::Table.into_iden(), CapacitySnapshot::OrdersLast30Days.into_iden()),
            (MerchantSubscription::Table.into_iden(), MerchantSubscription::EndedAt.into_iden()),
            (MerchantSubscription::Table.into_iden(), MerchantSubscription::CancelAtPeriodEnd.into_iden()),
            (MerchantSubscription::Table.into_iden(), MerchantSubscription::ActivatedAt.into_iden()),
        ];
        for (table, column) in columns {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
