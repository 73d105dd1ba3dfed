//! Reading the mailbox: IMAP settings and checkpoint per account, auto-reply counters, and the
//! record of inbound messages already acted on.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailAccounts {
    Table,
    ImapHost,
    ImapPort,
    ImapUsername,
    ImapPassword,
    ImapSecurity,
    ImapUidValidity,
    ImapLastUid,
    ImapCheckedAt,
}

#[derive(DeriveIden)]
enum CampaignStats {
    Table,
    AutoReplied,
}

#[derive(DeriveIden)]
enum CampaignDailyStats {
    Table,
    AutoReplied,
}

#[derive(DeriveIden)]
enum InboundMessages {
    Table,
    EmailAccountId,
    HeaderId,
    Kind,
    MessageId,
    CreatedAt,
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

async fn drop_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(EmailAccounts::ImapHost)
                .string_len(253)
                .to_owned(),
            ColumnDef::new(EmailAccounts::ImapPort).integer().to_owned(),
            ColumnDef::new(EmailAccounts::ImapUsername)
                .string_len(320)
                .to_owned(),
            ColumnDef::new(EmailAccounts::ImapPassword)
                .text()
                .to_owned(),
            ColumnDef::new(EmailAccounts::ImapSecurity)
                .string_len(16)
                .to_owned(),
            ColumnDef::new(EmailAccounts::ImapUidValidity)
                .big_integer()
                .to_owned(),
            ColumnDef::new(EmailAccounts::ImapLastUid)
                .big_integer()
                .to_owned(),
            ColumnDef::new(EmailAccounts::ImapCheckedAt)
                .timestamp_with_time_zone()
                .to_owned(),
        ] {
            add_column(manager, EmailAccounts::Table, column).await?;
        }
        add_column(
            manager,
            CampaignStats::Table,
            ColumnDef::new(CampaignStats::AutoReplied)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;
        add_column(
            manager,
            CampaignDailyStats::Table,
            ColumnDef::new(CampaignDailyStats::AutoReplied)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(InboundMessages::Table)
                    .col(
                        ColumnDef::new(InboundMessages::EmailAccountId)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(InboundMessages::HeaderId)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(InboundMessages::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(InboundMessages::MessageId).string_len(40))
                    .col(
                        ColumnDef::new(InboundMessages::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(InboundMessages::EmailAccountId)
                            .col(InboundMessages::HeaderId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InboundMessages::Table).to_owned())
            .await?;
        drop_column(
            manager,
            CampaignDailyStats::Table,
            CampaignDailyStats::AutoReplied,
        )
        .await?;
        drop_column(manager, CampaignStats::Table, CampaignStats::AutoReplied).await?;
        for column in [
            EmailAccounts::ImapHost,
            EmailAccounts::ImapPort,
            EmailAccounts::ImapUsername,
            EmailAccounts::ImapPassword,
            EmailAccounts::ImapSecurity,
            EmailAccounts::ImapUidValidity,
            EmailAccounts::ImapLastUid,
            EmailAccounts::ImapCheckedAt,
        ] {
            drop_column(manager, EmailAccounts::Table, column).await?;
        }
        Ok(())
    }
}
