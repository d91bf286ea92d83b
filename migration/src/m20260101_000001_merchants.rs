use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{drop_tables, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Merchant {
    Table,
    Name,
    Slug,
    ContactEmail,
    IsActive,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table(Merchant::Table)
                    .col(string(Merchant::Name))
                    .col(string_uniq(Merchant::Slug))
                    .col(string(Merchant::ContactEmail))
                    .col(boolean(Merchant::IsActive).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [Merchant::Table]).await
    }
}
