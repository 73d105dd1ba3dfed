//! Deliverability: the sending domains a workspace's accounts use, with their last DNS check
//! (`domains`), the DKIM keys FluenzR signs with (`dkim_keys`, private halves sealed), an
//! account's warm-up ramp and hourly limits per recipient provider, and a campaign's reply
//! scope.

use sea_orm_migration::prelude::*;

/// The state columns this migration adds, and what each may hold.
pub const CHECKS: &[(&str, &str, &[&str])] = &[
    ("dkim_keys", "state", &["pending", "published", "active"]),
    ("campaigns", "stop_on_reply_scope", &["contact", "company"]),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Domains {
    Table,
    Id,
    WorkspaceId,
    Name,
    Report,
    GmailVerdict,
    MicrosoftVerdict,
    CheckedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DkimKeys {
    Table,
    Id,
    WorkspaceId,
    Domain,
    Selector,
    Algorithm,
    PrivateKey,
    PublicKey,
    State,
    PublishedAt,
    ActivatedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailAccounts {
    Table,
    Ramp,
    ProviderLimits,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    StopOnReplyScope,
}

#[derive(DeriveIden)]
enum Workspaces {
    Table,
    Id,
}

fn id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string_len(40).not_null().to_owned()
}

fn at(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Domains::Table)
                    .col(id(Domains::Id).primary_key())
                    .col(id(Domains::WorkspaceId))
                    .col(ColumnDef::new(Domains::Name).string_len(253).not_null())
                    .col(ColumnDef::new(Domains::Report).json_binary().null())
                    .col(ColumnDef::new(Domains::GmailVerdict).string_len(8).null())
                    .col(
                        ColumnDef::new(Domains::MicrosoftVerdict)
                            .string_len(8)
                            .null(),
                    )
                    .col(at(Domains::CheckedAt).null())
                    .col(at(Domains::CreatedAt).not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_domains_workspace")
                            .from(Domains::Table, Domains::WorkspaceId)
                            .to(Workspaces::Table, Workspaces::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_domains_name")
                    .table(Domains::Table)
                    .col(Domains::WorkspaceId)
                    .col(Domains::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_domains_checked")
                    .table(Domains::Table)
                    .col(Domains::CheckedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DkimKeys::Table)
                    .col(id(DkimKeys::Id).primary_key())
                    .col(id(DkimKeys::WorkspaceId))
                    .col(ColumnDef::new(DkimKeys::Domain).string_len(253).not_null())
                    .col(ColumnDef::new(DkimKeys::Selector).string_len(63).not_null())
                    .col(
                        ColumnDef::new(DkimKeys::Algorithm)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DkimKeys::PrivateKey).text().not_null())
                    .col(ColumnDef::new(DkimKeys::PublicKey).text().not_null())
                    .col(ColumnDef::new(DkimKeys::State).string_len(16).not_null())
                    .col(at(DkimKeys::PublishedAt).null())
                    .col(at(DkimKeys::ActivatedAt).null())
                    .col(at(DkimKeys::CreatedAt).not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_dkim_keys_workspace")
                            .from(DkimKeys::Table, DkimKeys::WorkspaceId)
                            .to(Workspaces::Table, Workspaces::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_dkim_keys_selector")
                    .table(DkimKeys::Table)
                    .col(DkimKeys::WorkspaceId)
                    .col(DkimKeys::Domain)
                    .col(DkimKeys::Selector)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(EmailAccounts::Table)
                    .add_column(ColumnDef::new(EmailAccounts::Ramp).json_binary().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(EmailAccounts::Table)
                    .add_column(
                        ColumnDef::new(EmailAccounts::ProviderLimits)
                            .json_binary()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .add_column(
                        ColumnDef::new(Campaigns::StopOnReplyScope)
                            .string_len(16)
                            .not_null()
                            .default("contact"),
                    )
                    .to_owned(),
            )
            .await?;
        // Counts per provider and hour, and per From domain for Gmail, key longer scopes and
        // hours (`2026-12-07T14`); SQLite does not enforce a text column's length.
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE send_counts ALTER COLUMN scope TYPE varchar(320), \
                     ALTER COLUMN day TYPE varchar(16)",
                )
                .await?;
        }
        crate::m20261207_000031_message_content::replace_checks(manager, CHECKS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared(
                "DELETE FROM send_counts WHERE length(scope) > 40 OR length(day) > 10",
            )
            .await?;
            db.execute_unprepared(
                "ALTER TABLE send_counts ALTER COLUMN scope TYPE varchar(40), \
                 ALTER COLUMN day TYPE varchar(10)",
            )
            .await?;
        }
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Sqlite {
            for (table, column, _) in CHECKS {
                for when in ["insert", "update"] {
                    manager
                        .get_connection()
                        .execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_{column}_check_{when}"
                        ))
                        .await?;
                }
            }
        }
        manager
            .drop_table(Table::drop().table(DkimKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Domains::Table).to_owned())
            .await?;
        for column in [EmailAccounts::Ramp, EmailAccounts::ProviderLimits] {
            manager
                .alter_table(
                    Table::alter()
                        .table(EmailAccounts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .drop_column(Campaigns::StopOnReplyScope)
                    .to_owned(),
            )
            .await
    }
}
