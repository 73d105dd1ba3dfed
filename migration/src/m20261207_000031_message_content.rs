//! Messages keep exactly what went out and why: the variant of its step chosen for the contact,
//! the seed its choices (variant, spintax) were drawn from, the body as sent (the HTML part of
//! an HTML email, tracking included, or the plain text) and the plain part of an HTML email. A
//! step whose condition was false is recorded too, as a `skipped` message with its reason, so
//! every (enrolment, step) says what became of it; the state check gains `skipped`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::m20261207_000026_state_checks::listed;

/// The checks this migration replaces, with their values from now on.
pub const CHECKS: &[(&str, &str, &[&str])] = &[(
    "messages",
    "state",
    &[
        "queued", "sending", "deferred", "sent", "bounced", "failed", "unknown", "skipped",
    ],
)];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    VariantId,
    Seed,
    Body,
    BodyText,
    SkipReason,
}

pub(crate) async fn replace_checks(
    manager: &SchemaManager<'_>,
    checks: &[(&str, &str, &[&str])],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for (table, column, values) in checks {
        let name = format!("{table}_{column}_check");
        let allowed = listed(values);
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({allowed}))"
                ))
                .await?;
            }
            _ => {
                // `IF NOT EXISTS`: a statement prepared just after the schema changed may be
                // run again by the driver, and must then be a no-op, not an error.
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_insert"))
                    .await?;
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_update"))
                    .await?;
                let refuse = format!(
                    "WHEN NEW.{column} NOT IN ({allowed}) BEGIN \
                     SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                );
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER IF NOT EXISTS {name}_insert BEFORE INSERT ON {table} {refuse}"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER IF NOT EXISTS {name}_update BEFORE UPDATE OF {column} ON {table} {refuse}"
                ))
                .await?;
            }
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for column in [
            ColumnDef::new(Messages::VariantId)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Messages::Seed)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Messages::Body).text().null().to_owned(),
            ColumnDef::new(Messages::BodyText).text().null().to_owned(),
            ColumnDef::new(Messages::SkipReason)
                .string()
                .null()
                .to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        replace_checks(manager, CHECKS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM messages WHERE state = 'skipped'")
            .await?;
        let before: Vec<(&str, &str, &[&str])> = crate::m20261207_000026_state_checks::CHECKS
            .iter()
            .filter(|(t, c, _)| CHECKS.iter().any(|(t2, c2, _)| t == t2 && c == c2))
            .copied()
            .collect();
        replace_checks(manager, &before).await?;
        for column in [
            Messages::VariantId,
            Messages::Seed,
            Messages::Body,
            Messages::BodyText,
            Messages::SkipReason,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
