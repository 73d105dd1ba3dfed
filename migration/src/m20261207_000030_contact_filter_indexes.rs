//! The exact filters of a contacts list read an index leading with the workspace: the status
//! filter for the statuses few contacts have (`unsubscribed`, `bounced`), on both engines — a
//! partial index, which the listing names by repeating its condition, and which a contact
//! enters only when it leaves `active` (so creates never write it; `active`, most of a
//! workspace, is found first by reading the dates' index); and on PostgreSQL the company
//! filter (case-insensitive, through the same `lower(…)` the listing compares, then the
//! default order, so a company's page is read in order and stops). On SQLite the company index
//! cost CSV imports 44 % of their speed (each row lands on another page of it), more than
//! the 15 % writes may lose: there a company's page is still found by a scan (BENCHMARKS.md).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// `(name, columns and condition, PostgreSQL only)` of each index on `contacts`.
const INDEXES: &[(&str, &str, bool)] = &[
    (
        "ix_contacts_ws_company_lower",
        "(workspace_id, lower(company), created_at, id)",
        true,
    ),
    (
        "ix_contacts_ws_status_rare",
        "(workspace_id, status, created_at, id) WHERE status <> 'active'",
        false,
    ),
];

fn wanted(db: &impl ConnectionTrait, postgres_only: bool) -> bool {
    !postgres_only || db.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, columns, postgres_only) in INDEXES {
            if !wanted(db, *postgres_only) {
                continue;
            }
            db.execute_unprepared(&format!("CREATE INDEX {name} ON contacts {columns}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _, postgres_only) in INDEXES {
            if !wanted(db, *postgres_only) {
                continue;
            }
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
