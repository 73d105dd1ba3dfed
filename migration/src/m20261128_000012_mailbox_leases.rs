//! A lease per mailbox on the database's clock: several workers read each mailbox once per
//! interval, never at the same time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailAccounts {
    Table,
    ImapLockedUntilMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmailAccounts::Table)
                    .add_column(
                        ColumnDef::new(EmailAccounts::ImapLockedUntilMs)
                            .big_integer()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmailAccounts::Table)
                    .drop_column(EmailAccounts::ImapLockedUntilMs)
                    .to_owned(),
            )
            .await
    }
}
