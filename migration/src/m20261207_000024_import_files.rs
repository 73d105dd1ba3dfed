//! Import files are kept only while needed: each import records the size of the file it holds
//! (the workspace's pending uploads are bounded by it), and the files of finished imports,
//! which nothing reads again, are dropped.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContactImports {
    Table,
    FileBytes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ContactImports::Table)
                    .add_column(
                        ColumnDef::new(ContactImports::FileBytes)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE contact_imports SET source = '' WHERE status = 'completed'")
            .await?;
        db.execute_unprepared(
            "UPDATE contact_imports SET file_bytes = LENGTH(source) WHERE source <> ''",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ContactImports::Table)
                    .drop_column(ContactImports::FileBytes)
                    .to_owned(),
            )
            .await
    }
}
