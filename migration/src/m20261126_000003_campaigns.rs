use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Workspaces {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EmailAccounts {
    Table,
    Id,
    WorkspaceId,
    Email,
    Name,
    SmtpHost,
    SmtpPort,
    SmtpUsername,
    SmtpPassword,
    SmtpSecurity,
    DailyLimit,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    WorkspaceId,
    Name,
    Status,
    EmailAccountId,
    Steps,
    Schedule,
    DailyLimit,
    TrackOpens,
    TrackClicks,
    StopOnReply,
    ContactCount,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum CampaignContacts {
    Table,
    CampaignId,
    ContactId,
    WorkspaceId,
    State,
    CurrentStep,
    NextSendAt,
    LastSentAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailEvents {
    Table,
    Id,
    WorkspaceId,
    CampaignId,
    ContactId,
    Step,
    Kind,
    OccurredAt,
    Metadata,
}

#[derive(DeriveIden)]
enum CampaignStats {
    Table,
    CampaignId,
    Step,
}

#[derive(DeriveIden)]
enum CampaignDailyStats {
    Table,
    CampaignId,
    Day,
}

#[derive(DeriveIden)]
enum CampaignEventFirsts {
    Table,
    CampaignId,
    Step,
    Kind,
    ContactId,
}

const COUNTERS: [&str; 6] = [
    "sent",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "unsubscribed",
];

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(40).not_null().to_owned()
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0.into_iden(), from.1.into_iden())
        .to(to.0.into_iden(), to.1.into_iden())
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn with_counters(mut table: TableCreateStatement) -> TableCreateStatement {
    for name in COUNTERS {
        table.col(
            ColumnDef::new(Alias::new(name))
                .big_integer()
                .not_null()
                .default(0),
        );
    }
    table
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailAccounts::Table)
                    .col(id(EmailAccounts::Id).primary_key())
                    .col(id(EmailAccounts::WorkspaceId))
                    .col(
                        ColumnDef::new(EmailAccounts::Email)
                            .string_len(320)
                            .not_null(),
                    )
                    .col(ColumnDef::new(EmailAccounts::Name).string())
                    .col(ColumnDef::new(EmailAccounts::SmtpHost).string().not_null())
                    .col(ColumnDef::new(EmailAccounts::SmtpPort).integer().not_null())
                    .col(
                        ColumnDef::new(EmailAccounts::SmtpUsername)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailAccounts::SmtpPassword)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailAccounts::SmtpSecurity)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailAccounts::DailyLimit)
                            .integer()
                            .not_null(),
                    )
                    .col(ts(EmailAccounts::CreatedAt))
                    .col(ts(EmailAccounts::UpdatedAt))
                    .foreign_key(&mut cascade(
                        "fk_email_accounts_workspace",
                        (EmailAccounts::Table, EmailAccounts::WorkspaceId),
                        (Workspaces::Table, Workspaces::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_email_accounts_workspace_created")
                    .table(EmailAccounts::Table)
                    .col(EmailAccounts::WorkspaceId)
                    .col(EmailAccounts::CreatedAt)
                    .col(EmailAccounts::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(id(Campaigns::Id).primary_key())
                    .col(id(Campaigns::WorkspaceId))
                    .col(ColumnDef::new(Campaigns::Name).string().not_null())
                    .col(ColumnDef::new(Campaigns::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Campaigns::EmailAccountId).string_len(40))
                    .col(ColumnDef::new(Campaigns::Steps).json_binary().not_null())
                    .col(ColumnDef::new(Campaigns::Schedule).json_binary().not_null())
                    .col(ColumnDef::new(Campaigns::DailyLimit).integer().not_null())
                    .col(ColumnDef::new(Campaigns::TrackOpens).boolean().not_null())
                    .col(ColumnDef::new(Campaigns::TrackClicks).boolean().not_null())
                    .col(ColumnDef::new(Campaigns::StopOnReply).boolean().not_null())
                    .col(
                        ColumnDef::new(Campaigns::ContactCount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ts(Campaigns::CreatedAt))
                    .col(ts(Campaigns::UpdatedAt))
                    .col(ColumnDef::new(Campaigns::StartedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Campaigns::CompletedAt).timestamp_with_time_zone())
                    .foreign_key(&mut cascade(
                        "fk_campaigns_workspace",
                        (Campaigns::Table, Campaigns::WorkspaceId),
                        (Workspaces::Table, Workspaces::Id),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaigns_email_account")
                            .from(Campaigns::Table, Campaigns::EmailAccountId)
                            .to(EmailAccounts::Table, EmailAccounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_campaigns_workspace_created", Campaigns::CreatedAt),
            ("ix_campaigns_workspace_updated", Campaigns::UpdatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Campaigns::Table)
                        .col(Campaigns::WorkspaceId)
                        .col(col)
                        .col(Campaigns::Id)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_campaigns_status")
                    .table(Campaigns::Table)
                    .col(Campaigns::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CampaignContacts::Table)
                    .col(id(CampaignContacts::CampaignId))
                    .col(id(CampaignContacts::ContactId))
                    .col(id(CampaignContacts::WorkspaceId))
                    .col(
                        ColumnDef::new(CampaignContacts::State)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CampaignContacts::CurrentStep)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CampaignContacts::NextSendAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(CampaignContacts::LastSentAt).timestamp_with_time_zone())
                    .col(ts(CampaignContacts::CreatedAt))
                    .col(ts(CampaignContacts::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(CampaignContacts::CampaignId)
                            .col(CampaignContacts::ContactId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_campaign_contacts_campaign",
                        (CampaignContacts::Table, CampaignContacts::CampaignId),
                        (Campaigns::Table, Campaigns::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_campaign_contacts_contact",
                        (CampaignContacts::Table, CampaignContacts::ContactId),
                        (Contacts::Table, Contacts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_contacts_contact")
                    .table(CampaignContacts::Table)
                    .col(CampaignContacts::ContactId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_contacts_campaign_created")
                    .table(CampaignContacts::Table)
                    .col(CampaignContacts::CampaignId)
                    .col(CampaignContacts::CreatedAt)
                    .col(CampaignContacts::ContactId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailEvents::Table)
                    .col(
                        ColumnDef::new(EmailEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(id(EmailEvents::WorkspaceId))
                    .col(id(EmailEvents::CampaignId))
                    .col(id(EmailEvents::ContactId))
                    .col(ColumnDef::new(EmailEvents::Step).integer().not_null())
                    .col(ColumnDef::new(EmailEvents::Kind).string_len(16).not_null())
                    .col(ts(EmailEvents::OccurredAt))
                    .col(
                        ColumnDef::new(EmailEvents::Metadata)
                            .json_binary()
                            .not_null(),
                    )
                    .foreign_key(&mut cascade(
                        "fk_email_events_campaign",
                        (EmailEvents::Table, EmailEvents::CampaignId),
                        (Campaigns::Table, Campaigns::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_email_events_campaign_time")
                    .table(EmailEvents::Table)
                    .col(EmailEvents::CampaignId)
                    .col(EmailEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(with_counters(
                Table::create()
                    .table(CampaignStats::Table)
                    .col(id(CampaignStats::CampaignId))
                    .col(ColumnDef::new(CampaignStats::Step).integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(CampaignStats::CampaignId)
                            .col(CampaignStats::Step),
                    )
                    .foreign_key(&mut cascade(
                        "fk_campaign_stats_campaign",
                        (CampaignStats::Table, CampaignStats::CampaignId),
                        (Campaigns::Table, Campaigns::Id),
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_table(with_counters(
                Table::create()
                    .table(CampaignDailyStats::Table)
                    .col(id(CampaignDailyStats::CampaignId))
                    .col(
                        ColumnDef::new(CampaignDailyStats::Day)
                            .string_len(10)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CampaignDailyStats::CampaignId)
                            .col(CampaignDailyStats::Day),
                    )
                    .foreign_key(&mut cascade(
                        "fk_campaign_daily_stats_campaign",
                        (CampaignDailyStats::Table, CampaignDailyStats::CampaignId),
                        (Campaigns::Table, Campaigns::Id),
                    ))
                    .to_owned(),
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CampaignEventFirsts::Table)
                    .col(id(CampaignEventFirsts::CampaignId))
                    .col(
                        ColumnDef::new(CampaignEventFirsts::Step)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CampaignEventFirsts::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(id(CampaignEventFirsts::ContactId))
                    .primary_key(
                        Index::create()
                            .col(CampaignEventFirsts::CampaignId)
                            .col(CampaignEventFirsts::Step)
                            .col(CampaignEventFirsts::Kind)
                            .col(CampaignEventFirsts::ContactId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_campaign_event_firsts_campaign",
                        (CampaignEventFirsts::Table, CampaignEventFirsts::CampaignId),
                        (Campaigns::Table, Campaigns::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CampaignEventFirsts::Table.into_iden(),
            CampaignDailyStats::Table.into_iden(),
            CampaignStats::Table.into_iden(),
            EmailEvents::Table.into_iden(),
            CampaignContacts::Table.into_iden(),
            Campaigns::Table.into_iden(),
            EmailAccounts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
