//! One index finds everything due, across campaigns: the sending pass reads the campaigns that
//! have a due enrolment from it (a range of the index up to now), so campaigns with nothing
//! due cost nothing per pass. Partial: closed enrolments (no next send) are not in it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_campaign_contacts_next_due ON campaign_contacts \
                 (next_send_at, campaign_id) WHERE next_send_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ix_campaign_contacts_next_due")
            .await?;
        Ok(())
    }
}
