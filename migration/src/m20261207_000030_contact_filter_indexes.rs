//! The exact filters of a contacts list read an index leading with the workspace on both
//! engines: the company filter (case-insensitive, through the same `lower(…)` the listing
//! compares, then the default order, so a page of a company is read in order and stops), and
//! the status filter for the statuses few contacts have (`unsubscribed`, `bounced`: a partial
//! index, which the listing names by repeating its condition; `active` is most of a
//! workspace, found first by reading the dates' index). Every create writes the company index;
//! the status index only takes a contact when it leaves `active` (indexing every status cost
//! batches of 1 000 a tenth more).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// `(name, columns and condition)` of each index on `contacts`.
const INDEXES: &[(&str, &str)] = &[
    (
        "ix_contacts_ws_company_lower",
        "(workspace_id, lower(company), created_at, id)",
    ),
    (
        "ix_contacts_ws_status_rare",
        "(workspace_id, status, created_at, id) WHERE status <> 'active'",
    ),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, columns) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON contacts {columns}"))
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
