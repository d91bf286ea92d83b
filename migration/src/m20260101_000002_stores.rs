use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000001_merchants::Merchant;
use crate::util::{drop_tables, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Store {
    Table,
    MerchantId,
    Code,
    Name,
    IsActive,
    LastActivityAt,
}

#[derive(DeriveIden)]
enum StoreDomain {
    Table,
    StoreId,
    Domain,
    IsPrimary,
    IsVerified,
    VerifiedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Product {
    Table,
    StoreId,
    StoreSku,
    Gtin,
    IsActive,
}

#[derive(DeriveIden)]
enum ProductTranslation {
    Table,
    ProductId,
    Language,
    Title,
    Description,
}

#[derive(DeriveIden)]
pub(crate) enum Order {
    Table,
    StoreId,
    CustomerId,
    Status,
    TotalCents,
    Currency,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrderItem {
    Table,
    OrderId,
    ProductId,
    Quantity,
    UnitPriceCents,
}

#[derive(DeriveIden)]
enum Inventory {
    Table,
    StoreId,
    ProductId,
    Warehouse,
    BinLocation,
    Quantity,
}

#[derive(DeriveIden)]
enum TeamMember {
    Table,
    StoreId,
    Email,
    Role,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};

        manager
            .create_table(
                table(Store::Table)
                    .col(big_integer(Store::MerchantId))
                    .col(string_uniq(Store::Code))
                    .col(string(Store::Name))
                    .col(boolean(Store::IsActive).default(true))
                    .col(timestamp_with_time_zone_null(Store::LastActivityAt))
                    .foreign_key(&mut fk(Store::Table, Store::MerchantId, Merchant::Table, Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_store_merchant", Store::Table, [Store::MerchantId])).await?;
        manager.create_index(index("idx_store_last_activity", Store::Table, [Store::LastActivityAt])).await?;

        manager
            .create_table(
                table(StoreDomain::Table)
                    .col(big_integer(StoreDomain::StoreId))
                    .col(string_uniq(StoreDomain::Domain))
                    .col(boolean(StoreDomain::IsPrimary).default(false))
                    .col(boolean(StoreDomain::IsVerified).default(false))
                    .col(timestamp_with_time_zone_null(StoreDomain::VerifiedAt))
                    .foreign_key(&mut fk(StoreDomain::Table, StoreDomain::StoreId, Store::Table, Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_store_domain_store", StoreDomain::Table, [StoreDomain::StoreId]))
            .await?;
        // At most one primary domain per store, enforced by the database (partial unique index:
        // same syntax on SQLite and PostgreSQL).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_store_domain_one_primary ON store_domain (store_id) WHERE is_primary",
            )
            .await?;

        manager
            .create_table(
                table(Product::Table)
                    .col(big_integer(Product::StoreId))
                    .col(string(Product::StoreSku))
                    .col(string_null(Product::Gtin))
                    .col(boolean(Product::IsActive).default(true))
                    .foreign_key(&mut fk(Product::Table, Product::StoreId, Store::Table, Restrict))
                    .to_owned(),
            )
            .await?;
        // Seed 002 "Critical Indexes", renamed to stores. The store+SKU index is unique: a SKU
        // identifies a product within its store (and may repeat across stores).
        manager
            .create_index(index(
                "idx_product_store_active",
                Product::Table,
                [Product::StoreId, Product::IsActive],
            ))
            .await?;
        manager.create_index(index("idx_product_gtin", Product::Table, [Product::Gtin])).await?;
        manager
            .create_index(
                index("idx_product_store_sku", Product::Table, [Product::StoreId, Product::StoreSku])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table(ProductTranslation::Table)
                    .col(big_integer(ProductTranslation::ProductId))
                    .col(string_len(ProductTranslation::Language, 8))
                    .col(string(ProductTranslation::Title))
                    .col(text_null(ProductTranslation::Description))
                    .foreign_key(&mut fk(
                        ProductTranslation::Table,
                        ProductTranslation::ProductId,
                        Product::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_product_translation_product_language",
                    ProductTranslation::Table,
                    [ProductTranslation::ProductId, ProductTranslation::Language],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table(Order::Table)
                    .col(big_integer(Order::StoreId))
                    .col(big_integer_null(Order::CustomerId))
                    .col(string_len(Order::Status, 16))
                    .col(big_integer(Order::TotalCents))
                    .col(string_len(Order::Currency, 3))
                    .foreign_key(&mut fk(Order::Table, Order::StoreId, Store::Table, Restrict))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_order_store_status", Order::Table, [Order::StoreId, Order::Status]))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_created")
                    .table(Order::Table)
                    .col((Order::CreatedAt, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_order_customer", Order::Table, [Order::CustomerId])).await?;

        manager
            .create_table(
                table(OrderItem::Table)
                    .col(big_integer(OrderItem::OrderId))
                    .col(big_integer(OrderItem::ProductId))
                    .col(integer(OrderItem::Quantity))
                    .col(big_integer(OrderItem::UnitPriceCents))
                    .foreign_key(&mut fk(OrderItem::Table, OrderItem::OrderId, Order::Table, Cascade))
                    .foreign_key(&mut fk(OrderItem::Table, OrderItem::ProductId, Product::Table, Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_order_item_order", OrderItem::Table, [OrderItem::OrderId])).await?;
        manager
            .create_index(index("idx_order_item_product", OrderItem::Table, [OrderItem::ProductId]))
            .await?;

        manager
            .create_table(
                table(Inventory::Table)
                    .col(big_integer(Inventory::StoreId))
                    .col(big_integer(Inventory::ProductId))
                    .col(string(Inventory::Warehouse))
                    .col(string(Inventory::BinLocation))
                    .col(integer(Inventory::Quantity))
                    .foreign_key(&mut fk(Inventory::Table, Inventory::StoreId, Store::Table, Restrict))
                    .foreign_key(&mut fk(Inventory::Table, Inventory::ProductId, Product::Table, Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_inventory_product_location",
                    Inventory::Table,
                    [Inventory::ProductId, Inventory::Warehouse, Inventory::BinLocation],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_inventory_store", Inventory::Table, [Inventory::StoreId])).await?;

        manager
            .create_table(
                table(TeamMember::Table)
                    .col(big_integer(TeamMember::StoreId))
                    .col(string(TeamMember::Email))
                    .col(string_len(TeamMember::Role, 16))
                    .foreign_key(&mut fk(TeamMember::Table, TeamMember::StoreId, Store::Table, Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_team_member_store_email",
                    TeamMember::Table,
                    [TeamMember::StoreId, TeamMember::Email],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                TeamMember::Table.into_iden(),
                Inventory::Table.into_iden(),
                OrderItem::Table.into_iden(),
                Order::Table.into_iden(),
                ProductTranslation::Table.into_iden(),
                Product::Table.into_iden(),
                StoreDomain::Table.into_iden(),
                Store::Table.into_iden(),
            ],
        )
        .await
    }
}
