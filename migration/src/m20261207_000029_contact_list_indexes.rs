//! On PostgreSQL the name sorts of a contacts list read an index leading with the workspace,
//! so a page reads its rows in order instead of sorting the workspace: first name, last name
//! and company (a missing value sorts as the greatest, through its `IS NULL` — the same
//! expression the listing orders by). Email, unique in a workspace, is served by its unique
//! index; the dates by theirs. SQLite keeps sorting a page's matches itself: there the three
//! indexes cost single creates 16 % (each insert writes three more index pages to the WAL),
//! more than the reads they would save (BENCHMARKS.md).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// `(name, columns)` of each index on `contacts`.
const INDEXES: &[(&str, &str)] = &[
    (
        "ix_contacts_ws_first_name",
        "workspace_id, (first_name IS NULL), first_name, id",
    ),
    (
        "ix_contacts_ws_last_name",
        "workspace_id, (last_name IS NULL), last_name, id",
    ),
    (
        "ix_contacts_ws_company",
        "workspace_id, (company IS NULL), company, id",
    ),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        for (name, columns) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON contacts ({columns})"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
