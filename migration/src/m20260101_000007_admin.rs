use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{drop_tables, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdminUser {
    Table,
    Email,
    Role,
}

/// API tokens: random, shown once, stored as a SHA-256 hash; the prefix identifies a token for
/// revocation without revealing it.
#[derive(DeriveIden)]
enum ApiToken {
    Table,
    AdminUserId,
    TokenPrefix,
    TokenHash,
    LastUsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table(AdminUser::Table)
                    .col(string_uniq(AdminUser::Email))
                    .col(string_len(AdminUser::Role, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table(ApiToken::Table)
                    .col(big_integer(ApiToken::AdminUserId))
                    .col(string_len(ApiToken::TokenPrefix, 16))
                    .col(string_len_uniq(ApiToken::TokenHash, 64))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .foreign_key(&mut fk(
                        ApiToken::Table,
                        ApiToken::AdminUserId,
                        AdminUser::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_api_token_prefix", ApiToken::Table, [ApiToken::TokenPrefix])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [ApiToken::Table.into_iden(), AdminUser::Table.into_iden()]).await
    }
}
