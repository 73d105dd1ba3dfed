//! On PostgreSQL the email substring filter of a contacts list is served by a trigram index
//! (`pg_trgm`, GIN): a search for three characters or more reads the matching rows only,
//! however many contacts the workspace holds. Where the extension is not available, or the
//! database user may not create it, the filter keeps scanning the workspace (nothing else
//! depends on the index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

const INDEX: &str = "ix_contacts_email_trgm";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        // Installed already, or installable here by this user (a trusted extension needs the
        // CREATE privilege on the database).
        let usable = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS installed, \
                 EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') \
                 AND has_database_privilege(current_database(), 'CREATE') AS installable",
            ))
            .await?
            .map(|row| {
                Ok::<_, DbErr>((
                    row.try_get::<bool>("", "installed")?,
                    row.try_get::<bool>("", "installable")?,
                ))
            })
            .transpose()?;
        match usable {
            Some((true, _)) => {}
            Some((false, true)) => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
            }
            _ => return Ok(()),
        }
        db.execute_unprepared(&format!(
            "CREATE INDEX {INDEX} ON contacts USING gin (email_normalized gin_trgm_ops)"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {INDEX}"))
                .await?;
        }
        Ok(())
    }
}
