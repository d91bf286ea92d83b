//! Alerting: alert instances (at most one open per rule), silences, and the notification outbox.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{drop_tables, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AlertInstance {
    Table,
    Rule,
    Severity,
    State,
    Value,
    LastValue,
    Labels,
    Annotations,
    StartedAt,
    FiredAt,
    ResolvedAt,
    LastTrueAt,
    Notified,
    AcknowledgedBy,
    AcknowledgedAt,
}

#[derive(DeriveIden)]
enum AlertNotification {
    Table,
    AlertId,
    Status,
    IdempotencyKey,
    Payload,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LeaseOwner,
    DeliveredAt,
    LastError,
}

#[derive(DeriveIden)]
enum AlertSilence {
    Table,
    Rule,
    Labels,
    StartsAt,
    EndsAt,
    Comment,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table(AlertInstance::Table)
                    .col(string_len(AlertInstance::Rule, 128))
                    .col(string_len(AlertInstance::Severity, 16))
                    .col(string_len(AlertInstance::State, 16))
                    .col(double(AlertInstance::Value))
                    .col(double(AlertInstance::LastValue))
                    .col(json(AlertInstance::Labels))
                    .col(json(AlertInstance::Annotations))
                    .col(timestamp_with_time_zone(AlertInstance::StartedAt))
                    .col(timestamp_with_time_zone_null(AlertInstance::FiredAt))
                    .col(timestamp_with_time_zone_null(AlertInstance::ResolvedAt))
                    .col(timestamp_with_time_zone(AlertInstance::LastTrueAt))
                    .col(string_len_null(AlertInstance::Notified, 16))
                    .col(string_len_null(AlertInstance::AcknowledgedBy, 255))
                    .col(timestamp_with_time_zone_null(AlertInstance::AcknowledgedAt))
                    .to_owned(),
            )
            .await?;
        // At most one open (pending or firing) alert per rule, whichever instance opens it: a
        // partial unique index (SQLite and PostgreSQL both have them).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_alert_instance_open_rule ON alert_instance (rule) WHERE state <> 'resolved'",
            )
            .await?;
        manager
            .create_index(index(
                "idx_alert_instance_state_resolved",
                AlertInstance::Table,
                [AlertInstance::State, AlertInstance::ResolvedAt],
            ))
            .await?;
        manager
            .create_table(
                table(AlertNotification::Table)
                    .col(big_integer(AlertNotification::AlertId))
                    .col(string_len(AlertNotification::Status, 16))
                    .col(string_len_uniq(AlertNotification::IdempotencyKey, 128))
                    .col(text(AlertNotification::Payload))
                    .col(integer(AlertNotification::Attempts).default(0))
                    .col(timestamp_with_time_zone(AlertNotification::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(AlertNotification::LeaseUntil))
                    .col(string_len_null(AlertNotification::LeaseOwner, 32))
                    .col(timestamp_with_time_zone_null(AlertNotification::DeliveredAt))
                    .col(text_null(AlertNotification::LastError))
                    .foreign_key(&mut fk(
                        AlertNotification::Table,
                        AlertNotification::AlertId,
                        AlertInstance::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_alert_notification_due",
                AlertNotification::Table,
                [AlertNotification::DeliveredAt, AlertNotification::NextAttemptAt],
            ))
            .await?;
        manager
            .create_table(
                table(AlertSilence::Table)
                    .col(string_len_null(AlertSilence::Rule, 128))
                    .col(json(AlertSilence::Labels))
                    .col(timestamp_with_time_zone(AlertSilence::StartsAt))
                    .col(timestamp_with_time_zone(AlertSilence::EndsAt))
                    .col(text(AlertSilence::Comment))
                    .col(string_len(AlertSilence::CreatedBy, 255))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_alert_silence_ends", AlertSilence::Table, [AlertSilence::EndsAt]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                AlertSilence::Table.into_iden(),
                AlertNotification::Table.into_iden(),
                AlertInstance::Table.into_iden(),
            ],
        )
        .await
    }
}
