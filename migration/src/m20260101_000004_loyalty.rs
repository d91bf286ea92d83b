use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000001_merchants::Merchant;
use crate::m20260101_000002_stores::{Order, Store};
use crate::util::{drop_tables, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoyaltyProgram {
    Table,
    MerchantId,
    Name,
    Kind,
    PointsPerEuro,
    StampsRequired,
    Reward,
    IsActive,
}

#[derive(DeriveIden)]
enum LoyaltyCard {
    Table,
    ProgramId,
    CardNumber,
    CustomerRef,
    PointsBalance,
    Stamps,
    EnrolledStoreId,
}

#[derive(DeriveIden)]
enum LoyaltyTransaction {
    Table,
    CardId,
    StoreId,
    Kind,
    PointsDelta,
    StampsDelta,
    OrderId,
    IdempotencyKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};

        manager
            .create_table(
                table(LoyaltyProgram::Table)
                    .col(big_integer(LoyaltyProgram::MerchantId))
                    .col(string(LoyaltyProgram::Name))
                    .col(string_len(LoyaltyProgram::Kind, 16))
                    .col(integer_null(LoyaltyProgram::PointsPerEuro))
                    .col(integer_null(LoyaltyProgram::StampsRequired))
                    .col(string(LoyaltyProgram::Reward))
                    .col(boolean(LoyaltyProgram::IsActive).default(true))
                    .foreign_key(&mut fk(
                        LoyaltyProgram::Table,
                        LoyaltyProgram::MerchantId,
                        Merchant::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_loyalty_program_merchant",
                LoyaltyProgram::Table,
                [LoyaltyProgram::MerchantId],
            ))
            .await?;

        manager
            .create_table(
                table(LoyaltyCard::Table)
                    .col(big_integer(LoyaltyCard::ProgramId))
                    .col(string_uniq(LoyaltyCard::CardNumber))
                    .col(string(LoyaltyCard::CustomerRef))
                    // Balances never go negative: the domain refuses it, the database backs it up.
                    .col(
                        big_integer(LoyaltyCard::PointsBalance)
                            .default(0)
                            .check(Expr::col(LoyaltyCard::PointsBalance).gte(0)),
                    )
                    .col(integer(LoyaltyCard::Stamps).default(0).check(Expr::col(LoyaltyCard::Stamps).gte(0)))
                    .col(big_integer(LoyaltyCard::EnrolledStoreId))
                    .foreign_key(&mut fk(
                        LoyaltyCard::Table,
                        LoyaltyCard::ProgramId,
                        LoyaltyProgram::Table,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        LoyaltyCard::Table,
                        LoyaltyCard::EnrolledStoreId,
                        Store::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_loyalty_card_program", LoyaltyCard::Table, [LoyaltyCard::ProgramId]))
            .await?;

        manager
            .create_table(
                table(LoyaltyTransaction::Table)
                    .col(big_integer(LoyaltyTransaction::CardId))
                    .col(big_integer(LoyaltyTransaction::StoreId))
                    .col(string_len(LoyaltyTransaction::Kind, 16))
                    .col(big_integer(LoyaltyTransaction::PointsDelta))
                    .col(integer(LoyaltyTransaction::StampsDelta))
                    .col(big_integer_null(LoyaltyTransaction::OrderId))
                    .col(string_null(LoyaltyTransaction::IdempotencyKey).unique_key())
                    .foreign_key(&mut fk(
                        LoyaltyTransaction::Table,
                        LoyaltyTransaction::CardId,
                        LoyaltyCard::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        LoyaltyTransaction::Table,
                        LoyaltyTransaction::StoreId,
                        Store::Table,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        LoyaltyTransaction::Table,
                        LoyaltyTransaction::OrderId,
                        Order::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_loyalty_transaction_card",
                LoyaltyTransaction::Table,
                [LoyaltyTransaction::CardId],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_loyalty_transaction_order",
                LoyaltyTransaction::Table,
                [LoyaltyTransaction::OrderId],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                LoyaltyTransaction::Table.into_iden(),
                LoyaltyCard::Table.into_iden(),
                LoyaltyProgram::Table.into_iden(),
            ],
        )
        .await
    }
}
