//! Messages gain a claim lease: `queued` (claimed, not started) rows hold a lease on the
//! database's clock and name the claim that took them, so a dead worker's claims return to due
//! instead of being called unknown; `sending` rows carry, on the same clock, when their outcome
//! becomes unknown. The local days whose limits a send took are kept so they can be given back.
//! A server's 2xx reply is saved the moment it comes, before the outcome is recorded, so a
//! worker that dies in between leaves an email known to be sent, not one in doubt.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    State,
    LeaseUntilMs,
    ClaimToken,
    CampaignDay,
    AccountDay,
    AcceptedReply,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for column in [
            ColumnDef::new(Messages::LeaseUntilMs)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Messages::ClaimToken)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Messages::CampaignDay)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Messages::AccountDay)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Messages::AcceptedReply)
                .text()
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
        manager
            .create_index(
                Index::create()
                    .name("messages_state_lease")
                    .table(Messages::Table)
                    .col(Messages::State)
                    .col(Messages::LeaseUntilMs)
                    .to_owned(),
            )
            .await?;
        // Rows in flight when this runs keep the old rule: unknown ten minutes from now.
        let now_ms = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint",
            _ => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE messages SET lease_until_ms = {now_ms} + 600000 WHERE state = 'sending'"
            ))
            .await?;
        Ok(())
    }
}
