use sea_orm::entity::prelude::*;

/// A conversation in the inbox: one campaign's emails to one contact and the replies to them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_threads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub campaign_id: String,
    pub contact_id: String,
    /// The account the thread's emails go out from (answers too).
    pub email_account_id: String,
    /// A reply arrived since someone last read it.
    pub unread: bool,
    pub last_message_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
