use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Workspaces {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    WorkspaceId,
    Url,
    Events,
    Description,
    Active,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    FailingSince,
    DisabledReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    WorkspaceId,
    Type,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WorkspaceId,
    WebhookId,
    EventId,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    WorkspaceId,
    WebhookId,
    EventId,
    EventType,
    Attempt,
    StatusCode,
    Error,
    DurationMs,
    Success,
    CreatedAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(40).not_null().to_owned()
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn serial(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(id(Webhooks::Id).primary_key())
                    .col(id(Webhooks::WorkspaceId))
                    .col(ColumnDef::new(Webhooks::Url).string_len(2048).not_null())
                    .col(ColumnDef::new(Webhooks::Events).json_binary().not_null())
                    .col(ColumnDef::new(Webhooks::Description).text())
                    .col(ColumnDef::new(Webhooks::Active).boolean().not_null())
                    .col(ColumnDef::new(Webhooks::Secret).string_len(128).not_null())
                    .col(ColumnDef::new(Webhooks::PreviousSecret).string_len(128))
                    .col(
                        ColumnDef::new(Webhooks::PreviousSecretExpiresAt)
                            .timestamp_with_time_zone(),
                    )
                    .col(ColumnDef::new(Webhooks::FailingSince).timestamp_with_time_zone())
                    .col(ColumnDef::new(Webhooks::DisabledReason).text())
                    .col(ts(Webhooks::CreatedAt))
                    .col(ts(Webhooks::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhooks_workspace")
                            .from(Webhooks::Table, Webhooks::WorkspaceId)
                            .to(Workspaces::Table, Workspaces::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhooks_workspace_created")
                    .table(Webhooks::Table)
                    .col(Webhooks::WorkspaceId)
                    .col(Webhooks::CreatedAt)
                    .col(Webhooks::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(id(Events::Id).primary_key())
                    .col(id(Events::WorkspaceId))
                    .col(ColumnDef::new(Events::Type).string_len(64).not_null())
                    .col(ColumnDef::new(Events::Payload).text().not_null())
                    .col(ts(Events::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_events_workspace_created")
                    .table(Events::Table)
                    .col(Events::WorkspaceId)
                    .col(Events::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(serial(WebhookDeliveries::Id))
                    .col(id(WebhookDeliveries::WorkspaceId))
                    .col(id(WebhookDeliveries::WebhookId))
                    .col(id(WebhookDeliveries::EventId))
                    .col(
                        ColumnDef::new(WebhookDeliveries::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::Attempts)
                            .integer()
                            .not_null(),
                    )
                    .col(ts(WebhookDeliveries::NextAttemptAt))
                    .col(ColumnDef::new(WebhookDeliveries::LockedUntil).timestamp_with_time_zone())
                    .col(ts(WebhookDeliveries::CreatedAt))
                    .col(ts(WebhookDeliveries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_webhook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(serial(WebhookAttempts::Id))
                    .col(id(WebhookAttempts::WorkspaceId))
                    .col(id(WebhookAttempts::WebhookId))
                    .col(id(WebhookAttempts::EventId))
                    .col(
                        ColumnDef::new(WebhookAttempts::EventType)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookAttempts::Attempt)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookAttempts::StatusCode).integer())
                    .col(ColumnDef::new(WebhookAttempts::Error).text())
                    .col(
                        ColumnDef::new(WebhookAttempts::DurationMs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookAttempts::Success)
                            .boolean()
                            .not_null(),
                    )
                    .col(ts(WebhookAttempts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_webhook")
                            .from(WebhookAttempts::Table, WebhookAttempts::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempts_webhook_created")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::WebhookId)
                    .col(WebhookAttempts::CreatedAt)
                    .col(WebhookAttempts::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            Events::Table.into_iden(),
            Webhooks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
