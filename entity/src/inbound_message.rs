use sea_orm::entity::prelude::*;

/// A message read from an account's INBOX that FluenzR acted on (a reply, an automatic answer,
/// a bounce report), by its own `Message-ID`: the same message is never counted twice, even when
/// the mailbox is renumbered (a new UIDVALIDITY).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbound_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub email_account_id: String,
    /// The inbound message's `Message-ID` (or a digest of it when it has none).
    #[sea_orm(primary_key, auto_increment = false)]
    pub header_id: String,
    /// `reply`, `auto_reply`, `bounce`, `report` (a delay or a success notice) or
    /// `unmatched_report` (quoting no email this account sent: see `unmatched_reports`).
    pub kind: String,
    /// The `msg_…` it answered, when one was found.
    pub message_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
