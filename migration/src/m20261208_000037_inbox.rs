//! The inbox: a thread per (campaign, contact) that a person replied in, with the replies
//! received (their text and HTML as received) and the answers written from FluenzR.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InboxThreads {
    Table,
    Id,
    WorkspaceId,
    CampaignId,
    ContactId,
    EmailAccountId,
    Unread,
    LastMessageAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum InboxMessages {
    Table,
    Id,
    WorkspaceId,
    ThreadId,
    Outbound,
    MessageId,
    FromAddress,
    Subject,
    BodyText,
    BodyHtml,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

fn id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string_len(40).not_null().to_owned()
}

fn at(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InboxThreads::Table)
                    .col(id(InboxThreads::Id).primary_key())
                    .col(id(InboxThreads::WorkspaceId))
                    .col(id(InboxThreads::CampaignId))
                    .col(id(InboxThreads::ContactId))
                    .col(id(InboxThreads::EmailAccountId))
                    .col(ColumnDef::new(InboxThreads::Unread).boolean().not_null())
                    .col(at(InboxThreads::LastMessageAt))
                    .col(at(InboxThreads::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inbox_threads_campaign")
                            .from(InboxThreads::Table, InboxThreads::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inbox_threads_contact")
                            .from(InboxThreads::Table, InboxThreads::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_inbox_threads_enrolment")
                    .table(InboxThreads::Table)
                    .col(InboxThreads::CampaignId)
                    .col(InboxThreads::ContactId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inbox_threads_workspace_last")
                    .table(InboxThreads::Table)
                    .col(InboxThreads::WorkspaceId)
                    .col(InboxThreads::LastMessageAt)
                    .col(InboxThreads::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inbox_threads_contact")
                    .table(InboxThreads::Table)
                    .col(InboxThreads::ContactId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InboxMessages::Table)
                    .col(id(InboxMessages::Id).primary_key())
                    .col(id(InboxMessages::WorkspaceId))
                    .col(id(InboxMessages::ThreadId))
                    .col(ColumnDef::new(InboxMessages::Outbound).boolean().not_null())
                    .col(
                        ColumnDef::new(InboxMessages::MessageId)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(InboxMessages::FromAddress)
                            .string_len(320)
                            .not_null(),
                    )
                    .col(ColumnDef::new(InboxMessages::Subject).text().not_null())
                    .col(ColumnDef::new(InboxMessages::BodyText).text().not_null())
                    .col(ColumnDef::new(InboxMessages::BodyHtml).text().null())
                    .col(at(InboxMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inbox_messages_thread")
                            .from(InboxMessages::Table, InboxMessages::ThreadId)
                            .to(InboxThreads::Table, InboxThreads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inbox_messages_thread")
                    .table(InboxMessages::Table)
                    .col(InboxMessages::ThreadId)
                    .col(InboxMessages::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InboxMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(InboxThreads::Table).to_owned())
            .await
    }
}
