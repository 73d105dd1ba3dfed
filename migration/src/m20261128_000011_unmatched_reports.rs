//! Delivery reports that quote no email the account sent: kept, visible, with no effect.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UnmatchedReports {
    Table,
    Id,
    WorkspaceId,
    EmailAccountId,
    HeaderId,
    Sender,
    Subject,
    Recipients,
    QuotedMessageId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UnmatchedReports::Table)
                    .col(
                        ColumnDef::new(UnmatchedReports::Id)
                            .string_len(40)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(UnmatchedReports::WorkspaceId)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(UnmatchedReports::EmailAccountId)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(UnmatchedReports::HeaderId)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(UnmatchedReports::Sender).string_len(512))
                    .col(ColumnDef::new(UnmatchedReports::Subject).string_len(998))
                    .col(
                        ColumnDef::new(UnmatchedReports::Recipients)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(UnmatchedReports::QuotedMessageId).string_len(255))
                    .col(
                        ColumnDef::new(UnmatchedReports::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("unmatched_reports_account_created")
                    .table(UnmatchedReports::Table)
                    .col(UnmatchedReports::EmailAccountId)
                    .col(UnmatchedReports::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UnmatchedReports::Table).to_owned())
            .await
    }
}
