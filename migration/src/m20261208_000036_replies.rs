//! Replies you can act on: a campaign's out-of-office pause (days a sequence waits after an
//! auto-reply that names no return date) and a contact's lead status (what its replies say,
//! or what a person set).

use sea_orm_migration::prelude::*;

/// The state columns this migration adds, and what each may hold.
pub const CHECKS: &[(&str, &str, &[&str])] = &[(
    "contacts",
    "lead_status",
    &[
        "interested",
        "not_interested",
        "wrong_person",
        "unsubscribe_request",
        "other",
    ],
)];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    OooPauseDays,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    LeadStatus,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .add_column(
                        ColumnDef::new(Campaigns::OooPauseDays)
                            .integer()
                            .not_null()
                            .default(7),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(ColumnDef::new(Contacts::LeadStatus).string_len(32).null())
                    .to_owned(),
            )
            .await?;
        crate::m20261207_000031_message_content::replace_checks(manager, CHECKS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .drop_column(Contacts::LeadStatus)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .drop_column(Campaigns::OooPauseDays)
                    .to_owned(),
            )
            .await
    }
}
