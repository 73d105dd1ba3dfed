//! The exact filters of a contacts list read an index leading with the workspace on both
//! engines, in the default order (newest first), so a page stops after its rows and a bounded
//! total after its count: the company filter (case-insensitive, through the same `lower(…)`
//! the listing compares) and the status filter.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// `(name, columns)` of each index on `contacts`.
const INDEXES: &[(&str, &str)] = &[
    (
        "ix_contacts_ws_company_lower",
        "workspace_id, lower(company), created_at, id",
    ),
    (
        "ix_contacts_ws_status",
        "workspace_id, status, created_at, id",
    ),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, columns) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON contacts ({columns})"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
