//! The database refuses a state, status or kind value the code does not know: a check
//! constraint on PostgreSQL, a pair of triggers (insert, update of the column) on SQLite,
//! which cannot add a constraint to an existing table. Named `<table>_<column>_check`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

/// `(table, column, allowed values)`, as of this migration (a later one adding a value
/// replaces that column's check).
pub const CHECKS: &[(&str, &str, &[&str])] = &[
    ("contacts", "status", &["active", "unsubscribed", "bounced"]),
    (
        "campaigns",
        "status",
        &["draft", "running", "paused", "completed"],
    ),
    (
        "campaign_contacts",
        "state",
        &[
            "pending",
            "active",
            "completed",
            "replied",
            "bounced",
            "unsubscribed",
            "failed",
        ],
    ),
    (
        "messages",
        "state",
        &[
            "queued", "sending", "deferred", "sent", "bounced", "failed", "unknown",
        ],
    ),
    ("email_accounts", "status", &["ok", "error"]),
    (
        "email_accounts",
        "smtp_security",
        &["tls", "starttls", "none"],
    ),
    (
        "email_accounts",
        "imap_security",
        &["tls", "starttls", "none"],
    ),
    (
        "contact_imports",
        "status",
        &["queued", "running", "completed", "failed"],
    ),
    ("contact_imports", "duplicates", &["skip", "update"]),
    ("workspaces", "plan", &["free", "starter", "pro"]),
    ("suppressions", "kind", &["email", "domain"]),
    (
        "suppressions",
        "source",
        &["unsubscribe", "bounce", "complaint", "reply", "manual"],
    ),
    (
        "webhook_deliveries",
        "status",
        &["pending", "delivering", "succeeded", "failed"],
    ),
    (
        "email_events",
        "kind",
        &[
            "sent",
            "opened",
            "clicked",
            "replied",
            "bounced",
            "unsubscribed",
            "auto_replied",
        ],
    ),
    (
        "campaign_event_firsts",
        "kind",
        &[
            "sent",
            "opened",
            "clicked",
            "replied",
            "bounced",
            "unsubscribed",
            "auto_replied",
        ],
    ),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `'a', 'b', …` (the values are this file's constants, never input).
pub(crate) fn listed(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, values) in CHECKS {
            let name = format!("{table}_{column}_check");
            let allowed = listed(values);
            match manager.get_database_backend() {
                DatabaseBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({allowed}))"
                    ))
                    .await?;
                }
                _ => {
                    let refuse = format!(
                        "WHEN NEW.{column} NOT IN ({allowed}) BEGIN \
                         SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                    );
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} {refuse}"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name}_update BEFORE UPDATE OF {column} ON {table} {refuse}"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, _) in CHECKS {
            let name = format!("{table}_{column}_check");
            match manager.get_database_backend() {
                DatabaseBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"
                    ))
                    .await?;
                }
                _ => {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_insert"))
                        .await?;
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_update"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
