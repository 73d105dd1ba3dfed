//! The per-workspace request budget shared by every instance (PostgreSQL only; SQLite runs in
//! one process, which keeps the budget in memory).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        // One row per workspace: the admitted requests of the last minute (microseconds).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE TABLE rate_limits (key varchar(64) PRIMARY KEY, hits bigint[] NOT NULL)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE rate_limits")
            .await?;
        Ok(())
    }
}
