use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000001_merchants::Merchant;
use crate::util::{drop_tables, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SubscriptionTier {
    Table,
    Code,
    Name,
    SortOrder,
    PriceMonthlyCents,
    PriceAnnualCents,
    MaxProducts,
    MaxOrdersPerMonth,
    MaxTeamMembers,
    MaxImagesPerProduct,
    MaxApiRequestsPerDay,
}

#[derive(DeriveIden)]
enum MerchantSubscription {
    Table,
    MerchantId,
    TierCode,
    Status,
    BillingCycle,
    CurrentPeriodStart,
    CurrentPeriodEnd,
    TrialEndsAt,
    CancelledAt,
}

/// The tier catalogue: seed 002 "Tier Resource Allocations" and the marketing prices of
/// seeds/INDEX.md (cents; annual = 10 × monthly; Enterprise's annual price is negotiated).
/// `None` = unlimited.
type TierRow = (&'static str, &'static str, i32, i64, Option<i64>, [Option<i64>; 5]);
const TIERS: [TierRow; 4] = [
    ("essential", "Essential", 1, 4_900, Some(49_000), [Some(200), Some(100), Some(1), Some(3), Some(1_000)]),
    (
        "professional",
        "Professional",
        2,
        9_900,
        Some(99_000),
        [Some(500), Some(500), Some(3), Some(5), Some(5_000)],
    ),
    (
        "business",
        "Business",
        3,
        19_900,
        Some(199_000),
        [Some(2_000), Some(2_000), Some(10), Some(8), Some(20_000)],
    ),
    ("enterprise", "Enterprise", 4, 39_900, None, [None; 5]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table(SubscriptionTier::Table)
                    .col(string_len_uniq(SubscriptionTier::Code, 32))
                    .col(string(SubscriptionTier::Name))
                    .col(integer(SubscriptionTier::SortOrder))
                    .col(big_integer(SubscriptionTier::PriceMonthlyCents))
                    .col(big_integer_null(SubscriptionTier::PriceAnnualCents))
                    .col(big_integer_null(SubscriptionTier::MaxProducts))
                    .col(big_integer_null(SubscriptionTier::MaxOrdersPerMonth))
                    .col(big_integer_null(SubscriptionTier::MaxTeamMembers))
                    .col(big_integer_null(SubscriptionTier::MaxImagesPerProduct))
                    .col(big_integer_null(SubscriptionTier::MaxApiRequestsPerDay))
                    .to_owned(),
            )
            .await?;

        let mut insert = Query::insert()
            .into_table(SubscriptionTier::Table)
            .columns([
                SubscriptionTier::Code,
                SubscriptionTier::Name,
                SubscriptionTier::SortOrder,
                SubscriptionTier::PriceMonthlyCents,
                SubscriptionTier::PriceAnnualCents,
                SubscriptionTier::MaxProducts,
                SubscriptionTier::MaxOrdersPerMonth,
                SubscriptionTier::MaxTeamMembers,
                SubscriptionTier::MaxImagesPerProduct,
                SubscriptionTier::MaxApiRequestsPerDay,
            ])
            .to_owned();
        for (code, name, sort, monthly, annual, [products, orders, team, images, api]) in TIERS {
            insert.values_panic([
                code.into(),
                name.into(),
                sort.into(),
                monthly.into(),
                annual.into(),
                products.into(),
                orders.into(),
                team.into(),
                images.into(),
                api.into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                table(MerchantSubscription::Table)
                    .col(big_integer(MerchantSubscription::MerchantId))
                    .col(string_len(MerchantSubscription::TierCode, 32))
                    .col(string_len(MerchantSubscription::Status, 16))
                    .col(string_len(MerchantSubscription::BillingCycle, 16))
                    .col(timestamp_with_time_zone(MerchantSubscription::CurrentPeriodStart))
                    .col(timestamp_with_time_zone(MerchantSubscription::CurrentPeriodEnd))
                    .col(timestamp_with_time_zone_null(MerchantSubscription::TrialEndsAt))
                    .col(timestamp_with_time_zone_null(MerchantSubscription::CancelledAt))
                    .foreign_key(&mut fk(
                        MerchantSubscription::Table,
                        MerchantSubscription::MerchantId,
                        Merchant::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MerchantSubscription::Table, MerchantSubscription::TierCode)
                            .to(SubscriptionTier::Table, SubscriptionTier::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_merchant_subscription_merchant",
                MerchantSubscription::Table,
                [MerchantSubscription::MerchantId],
            ))
            .await?;
        // One live subscription per merchant, enforced by the database.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_merchant_subscription_live ON merchant_subscription (merchant_id) \
                 WHERE status IN ('trialing', 'active', 'past_due')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [MerchantSubscription::Table.into_iden(), SubscriptionTier::Table.into_iden()])
            .await
    }
}
