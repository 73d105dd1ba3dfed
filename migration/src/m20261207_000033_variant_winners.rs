//! A/B winners: a campaign may pick the best variant of each step by itself (`auto_winner`:
//! the metric and the sends each variant needs first), and the decision is kept once per
//! (campaign, step) — the key makes two workers deciding at once agree on one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    AutoWinner,
}

#[derive(DeriveIden)]
enum CampaignWinners {
    Table,
    CampaignId,
    Step,
    VariantId,
    Metric,
    DecidedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .add_column(ColumnDef::new(Campaigns::AutoWinner).json_binary().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CampaignWinners::Table)
                    .col(
                        ColumnDef::new(CampaignWinners::CampaignId)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CampaignWinners::Step).integer().not_null())
                    .col(
                        ColumnDef::new(CampaignWinners::VariantId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CampaignWinners::Metric)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CampaignWinners::DecidedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CampaignWinners::CampaignId)
                            .col(CampaignWinners::Step),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaign_winners_campaign")
                            .from(CampaignWinners::Table, CampaignWinners::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CampaignWinners::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .drop_column(Campaigns::AutoWinner)
                    .to_owned(),
            )
            .await
    }
}
