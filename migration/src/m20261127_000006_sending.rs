use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailAccounts {
    Table,
    Timezone,
    SendGapSeconds,
    Status,
    LastError,
    NextSendAt,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    EmailAccountIds,
    PausedReason,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CampaignContacts {
    Table,
    CampaignId,
    State,
    EmailAccountId,
    Reason,
    FollowUp,
    NextSendAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    WorkspaceId,
    CampaignId,
    ContactId,
    Step,
    EmailAccountId,
    MessageId,
    Subject,
    State,
    Attempts,
    LastReply,
    CreatedAt,
    UpdatedAt,
    SentAt,
    OpenedAt,
    ClickedAt,
    RepliedAt,
}

#[derive(DeriveIden)]
enum SendCounts {
    Table,
    Scope,
    Day,
    Sent,
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

/// SQLite takes one column per ALTER TABLE.
async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(column.to_owned())
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(EmailAccounts::Timezone)
                .string_len(64)
                .not_null()
                .default("UTC")
                .to_owned(),
            ColumnDef::new(EmailAccounts::SendGapSeconds)
                .integer()
                .not_null()
                .default(60)
                .to_owned(),
            ColumnDef::new(EmailAccounts::Status)
                .string_len(16)
                .not_null()
                .default("ok")
                .to_owned(),
            ColumnDef::new(EmailAccounts::LastError).text().to_owned(),
            ColumnDef::new(EmailAccounts::NextSendAt)
                .timestamp_with_time_zone()
                .to_owned(),
        ] {
            add_column(manager, EmailAccounts::Table, column).await?;
        }
        for column in [
            ColumnDef::new(Campaigns::EmailAccountIds)
                .json_binary()
                .to_owned(),
            ColumnDef::new(Campaigns::PausedReason)
                .string_len(64)
                .to_owned(),
        ] {
            add_column(manager, Campaigns::Table, column).await?;
        }
        for column in [
            ColumnDef::new(CampaignContacts::EmailAccountId)
                .string_len(40)
                .to_owned(),
            ColumnDef::new(CampaignContacts::Reason)
                .string_len(200)
                .to_owned(),
            ColumnDef::new(CampaignContacts::FollowUp)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            add_column(manager, CampaignContacts::Table, column).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_contacts_due")
                    .table(CampaignContacts::Table)
                    .col(CampaignContacts::CampaignId)
                    .col(CampaignContacts::FollowUp)
                    .col(CampaignContacts::NextSendAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_contacts_state")
                    .table(CampaignContacts::Table)
                    .col(CampaignContacts::CampaignId)
                    .col(CampaignContacts::State)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(id(Messages::Id).primary_key())
                    .col(id(Messages::WorkspaceId))
                    .col(id(Messages::CampaignId))
                    .col(id(Messages::ContactId))
                    .col(ColumnDef::new(Messages::Step).integer().not_null())
                    .col(id(Messages::EmailAccountId))
                    .col(
                        ColumnDef::new(Messages::MessageId)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Messages::Subject).text().not_null())
                    .col(ColumnDef::new(Messages::State).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Messages::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Messages::LastReply).text())
                    .col(ts(Messages::CreatedAt))
                    .col(ts(Messages::UpdatedAt))
                    .col(ColumnDef::new(Messages::SentAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Messages::OpenedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Messages::ClickedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Messages::RepliedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_campaign")
                            .from(Messages::Table, Messages::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_contact")
                            .from(Messages::Table, Messages::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One message per (enrolment, step): what makes "never sent twice" a fact.
        manager
            .create_index(
                Index::create()
                    .name("ux_messages_enrolment_step")
                    .table(Messages::Table)
                    .col(Messages::CampaignId)
                    .col(Messages::ContactId)
                    .col(Messages::Step)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_messages_message_id")
                    .table(Messages::Table)
                    .col(Messages::MessageId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_messages_state_updated")
                    .table(Messages::Table)
                    .col(Messages::State)
                    .col(Messages::UpdatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_messages_contact")
                    .table(Messages::Table)
                    .col(Messages::ContactId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SendCounts::Table)
                    .col(id(SendCounts::Scope))
                    .col(ColumnDef::new(SendCounts::Day).string_len(10).not_null())
                    .col(
                        ColumnDef::new(SendCounts::Sent)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(Index::create().col(SendCounts::Scope).col(SendCounts::Day))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [SendCounts::Table.into_iden(), Messages::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for (name, table) in [
            ("ix_campaign_contacts_due", CampaignContacts::Table),
            ("ix_campaign_contacts_state", CampaignContacts::Table),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        for column in [
            CampaignContacts::EmailAccountId.into_iden(),
            CampaignContacts::Reason.into_iden(),
            CampaignContacts::FollowUp.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CampaignContacts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Campaigns::EmailAccountIds.into_iden(),
            Campaigns::PausedReason.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Campaigns::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            EmailAccounts::Timezone.into_iden(),
            EmailAccounts::SendGapSeconds.into_iden(),
            EmailAccounts::Status.into_iden(),
            EmailAccounts::LastError.into_iden(),
            EmailAccounts::NextSendAt.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(EmailAccounts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
