use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Workspaces {
    Table,
    Id,
    Name,
    Plan,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    WorkspaceId,
    Email,
    Name,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    WorkspaceId,
    Name,
    Prefix,
    KeyHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    WorkspaceId,
    Email,
    EmailNormalized,
    FirstName,
    LastName,
    Company,
    Phone,
    CustomFields,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContactGroups {
    Table,
    Id,
    WorkspaceId,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupId,
    ContactId,
    WorkspaceId,
    CreatedAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string_len(40).not_null().to_owned()
}

fn timestamp(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn workspace_fk(table: impl IntoIden, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table.into_iden(), Alias::new("workspace_id"))
        .to(Workspaces::Table, Workspaces::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Workspaces::Table)
                    .col(id(Workspaces::Id).primary_key())
                    .col(ColumnDef::new(Workspaces::Name).string().not_null())
                    .col(ColumnDef::new(Workspaces::Plan).string_len(16).not_null())
                    .col(timestamp(Workspaces::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id).primary_key())
                    .col(id(Users::WorkspaceId))
                    .col(
                        ColumnDef::new(Users::Email)
                            .string()
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Users::Name).string())
                    .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                    .col(timestamp(Users::CreatedAt))
                    .foreign_key(&mut workspace_fk(Users::Table, "fk_users_workspace"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(id(ApiKeys::Id).primary_key())
                    .col(id(ApiKeys::WorkspaceId))
                    .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                    .col(ColumnDef::new(ApiKeys::Prefix).string_len(32).not_null())
                    .col(
                        ColumnDef::new(ApiKeys::KeyHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(timestamp(ApiKeys::CreatedAt))
                    .col(ColumnDef::new(ApiKeys::LastUsedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(ApiKeys::RevokedAt).timestamp_with_time_zone())
                    .foreign_key(&mut workspace_fk(ApiKeys::Table, "fk_api_keys_workspace"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_api_keys_workspace")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::WorkspaceId)
                    .col(ApiKeys::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(
                        ColumnDef::new(Settings::Key)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Settings::Value).text().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(id(Contacts::Id).primary_key())
                    .col(id(Contacts::WorkspaceId))
                    .col(ColumnDef::new(Contacts::Email).string_len(320).not_null())
                    .col(
                        ColumnDef::new(Contacts::EmailNormalized)
                            .string_len(320)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Contacts::FirstName).string())
                    .col(ColumnDef::new(Contacts::LastName).string())
                    .col(ColumnDef::new(Contacts::Company).string())
                    .col(ColumnDef::new(Contacts::Phone).string())
                    .col(
                        ColumnDef::new(Contacts::CustomFields)
                            .json_binary()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Contacts::Status).string_len(16).not_null())
                    .col(timestamp(Contacts::CreatedAt))
                    .col(timestamp(Contacts::UpdatedAt))
                    .foreign_key(&mut workspace_fk(Contacts::Table, "fk_contacts_workspace"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_contacts_workspace_email")
                    .table(Contacts::Table)
                    .col(Contacts::WorkspaceId)
                    .col(Contacts::EmailNormalized)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_contacts_workspace_created", Contacts::CreatedAt),
            ("ix_contacts_workspace_updated", Contacts::UpdatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Contacts::Table)
                        .col(Contacts::WorkspaceId)
                        .col(col)
                        .col(Contacts::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ContactGroups::Table)
                    .col(id(ContactGroups::Id).primary_key())
                    .col(id(ContactGroups::WorkspaceId))
                    .col(ColumnDef::new(ContactGroups::Name).string().not_null())
                    .col(ColumnDef::new(ContactGroups::Description).text())
                    .col(timestamp(ContactGroups::CreatedAt))
                    .col(timestamp(ContactGroups::UpdatedAt))
                    .foreign_key(&mut workspace_fk(
                        ContactGroups::Table,
                        "fk_contact_groups_workspace",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contact_groups_workspace_created")
                    .table(ContactGroups::Table)
                    .col(ContactGroups::WorkspaceId)
                    .col(ContactGroups::CreatedAt)
                    .col(ContactGroups::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(id(GroupMembers::GroupId))
                    .col(id(GroupMembers::ContactId))
                    .col(id(GroupMembers::WorkspaceId))
                    .col(timestamp(GroupMembers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(GroupMembers::GroupId)
                            .col(GroupMembers::ContactId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_group_members_group")
                            .from(GroupMembers::Table, GroupMembers::GroupId)
                            .to(ContactGroups::Table, ContactGroups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_group_members_contact")
                            .from(GroupMembers::Table, GroupMembers::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_group_members_contact")
                    .table(GroupMembers::Table)
                    .col(GroupMembers::ContactId)
                    .col(GroupMembers::GroupId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GroupMembers::Table.into_iden(),
            ContactGroups::Table.into_iden(),
            Contacts::Table.into_iden(),
            Settings::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Users::Table.into_iden(),
            Workspaces::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
