//! A campaign's open enrolments, found without reading its closed ones: whether a campaign
//! still has someone to email (asked each time an enrolment closes) costs one index probe,
//! however many of its contacts are done. Partial: only open enrolments are in it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// The index's condition, which a query states word for word (with its values written in,
/// not bound) for the database to use the index.
pub const OPEN_ENROLMENT: &str = "state IN ('pending', 'active')";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE INDEX ix_campaign_contacts_open ON campaign_contacts (campaign_id) \
                 WHERE {OPEN_ENROLMENT}"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ix_campaign_contacts_open")
            .await?;
        Ok(())
    }
}
