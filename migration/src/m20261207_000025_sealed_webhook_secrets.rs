//! Webhook signing secrets are stored sealed (encrypted with the operator's key), which is
//! longer than the plain `whsec_…`: their columns become text. SQLite does not bound a
//! column's length, so only PostgreSQL changes. The sealing itself happens at start, where the
//! key is known.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE webhooks ALTER COLUMN secret TYPE text, \
                     ALTER COLUMN previous_secret TYPE text",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Sealed secrets do not fit the old width; the columns stay text.
        Ok(())
    }
}
