//! CSV imports of contacts: the uploaded file, where the import stands, and its row errors.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContactImports {
    Table,
    Id,
    WorkspaceId,
    Status,
    Source,
    Delimiter,
    Mapping,
    GroupId,
    Duplicates,
    Total,
    Processed,
    Position,
    Created,
    Updated,
    Skipped,
    FailedRows,
    Errors,
    LockedUntil,
    CreatedAt,
    StartedAt,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let count = |col: ContactImports| {
            ColumnDef::new(col)
                .integer()
                .not_null()
                .default(0)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(ContactImports::Table)
                    .col(
                        ColumnDef::new(ContactImports::Id)
                            .string_len(40)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ContactImports::WorkspaceId)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContactImports::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ContactImports::Source).text().not_null())
                    .col(
                        ColumnDef::new(ContactImports::Delimiter)
                            .string_len(4)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContactImports::Mapping)
                            .json_binary()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ContactImports::GroupId).string_len(40))
                    .col(
                        ColumnDef::new(ContactImports::Duplicates)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(count(ContactImports::Total))
                    .col(count(ContactImports::Processed))
                    .col(
                        ColumnDef::new(ContactImports::Position)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(count(ContactImports::Created))
                    .col(count(ContactImports::Updated))
                    .col(count(ContactImports::Skipped))
                    .col(count(ContactImports::FailedRows))
                    .col(
                        ColumnDef::new(ContactImports::Errors)
                            .json_binary()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ContactImports::LockedUntil).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(ContactImports::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ContactImports::StartedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(ContactImports::CompletedAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contact_imports_status")
                    .table(ContactImports::Table)
                    .col(ContactImports::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ContactImports::Table).to_owned())
            .await
    }
}
