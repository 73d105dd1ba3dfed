//! Suppressions: the addresses and domains a workspace never emails. Existing unsubscribed and
//! bounced contacts become suppressions of their address.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Suppressions {
    Table,
    Id,
    WorkspaceId,
    Kind,
    Value,
    Source,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Workspaces {
    Table,
    Id,
}

/// One suppression per unsubscribed or bounced contact; its id reuses the contact id's ULID.
const COPY_CONTACTS: &str = "INSERT INTO suppressions (id, workspace_id, kind, value, source, created_at) \
     SELECT 'sup_' || substr(id, 5), workspace_id, 'email', email_normalized, \
            CASE status WHEN 'bounced' THEN 'bounce' ELSE 'unsubscribe' END, updated_at \
     FROM contacts WHERE status IN ('unsubscribed', 'bounced')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Suppressions::Table)
                    .col(
                        ColumnDef::new(Suppressions::Id)
                            .string_len(40)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Suppressions::WorkspaceId)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Suppressions::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Suppressions::Value)
                            .string_len(320)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Suppressions::Source)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Suppressions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_suppressions_workspace")
                            .from(Suppressions::Table, Suppressions::WorkspaceId)
                            .to(Workspaces::Table, Workspaces::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Every enforcement is a lookup of this index: an address, or its domain.
        manager
            .create_index(
                Index::create()
                    .name("ux_suppressions_value")
                    .table(Suppressions::Table)
                    .col(Suppressions::WorkspaceId)
                    .col(Suppressions::Kind)
                    .col(Suppressions::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The list, newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_suppressions_created")
                    .table(Suppressions::Table)
                    .col(Suppressions::WorkspaceId)
                    .col(Suppressions::CreatedAt)
                    .col(Suppressions::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(COPY_CONTACTS)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Suppressions::Table).to_owned())
            .await
    }
}
