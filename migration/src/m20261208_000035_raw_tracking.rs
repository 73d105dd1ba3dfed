//! Tracking truth: every open and click hit, a reader's or a machine's, is counted once per
//! contact as `opened_raw` / `clicked_raw` beside the readers' own `opened` / `clicked`. The
//! event kinds' checks take the two new kinds; history starts with raw equal to what was
//! counted (machines' hits were not counted before).

use sea_orm_migration::prelude::*;

const KINDS: &[&str] = &[
    "sent",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "unsubscribed",
    "auto_replied",
    "opened_raw",
    "clicked_raw",
];

/// The kind columns this migration widens, and what each may hold.
pub const CHECKS: &[(&str, &str, &[&str])] = &[
    ("email_events", "kind", KINDS),
    ("campaign_event_firsts", "kind", KINDS),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CampaignStats {
    Table,
    OpenedRaw,
    ClickedRaw,
}

#[derive(DeriveIden)]
enum CampaignDailyStats {
    Table,
    OpenedRaw,
    ClickedRaw,
}

fn counter(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for (table, column) in [
            (
                CampaignStats::Table.into_iden(),
                CampaignStats::OpenedRaw.into_iden(),
            ),
            (
                CampaignStats::Table.into_iden(),
                CampaignStats::ClickedRaw.into_iden(),
            ),
            (
                CampaignDailyStats::Table.into_iden(),
                CampaignDailyStats::OpenedRaw.into_iden(),
            ),
            (
                CampaignDailyStats::Table.into_iden(),
                CampaignDailyStats::ClickedRaw.into_iden(),
            ),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(counter(column))
                        .to_owned(),
                )
                .await?;
        }
        crate::m20261207_000031_message_content::replace_checks(manager, CHECKS).await?;
        let db = manager.get_connection();
        for table in ["campaign_stats", "campaign_daily_stats"] {
            db.execute_unprepared(&format!(
                "UPDATE {table} SET opened_raw = opened, clicked_raw = clicked"
            ))
            .await?;
        }
        db.execute_unprepared(
            "INSERT INTO campaign_event_firsts (campaign_id, step, kind, contact_id) \
             SELECT campaign_id, step, kind || '_raw', contact_id FROM campaign_event_firsts \
             WHERE kind IN ('opened', 'clicked')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["email_events", "campaign_event_firsts"] {
            db.execute_unprepared(&format!(
                "DELETE FROM {table} WHERE kind IN ('opened_raw', 'clicked_raw')"
            ))
            .await?;
        }
        let before: Vec<(&str, &str, &[&str])> = crate::m20261207_000026_state_checks::CHECKS
            .iter()
            .filter(|(t, c, _)| CHECKS.iter().any(|(t2, c2, _)| t == t2 && c == c2))
            .copied()
            .collect();
        crate::m20261207_000031_message_content::replace_checks(manager, &before).await?;
        for (table, column) in [
            (
                CampaignStats::Table.into_iden(),
                CampaignStats::OpenedRaw.into_iden(),
            ),
            (
                CampaignStats::Table.into_iden(),
                CampaignStats::ClickedRaw.into_iden(),
            ),
            (
                CampaignDailyStats::Table.into_iden(),
                CampaignDailyStats::OpenedRaw.into_iden(),
            ),
            (
                CampaignDailyStats::Table.into_iden(),
                CampaignDailyStats::ClickedRaw.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
