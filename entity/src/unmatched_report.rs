use sea_orm::entity::prelude::*;

/// A delivery report read from an account's INBOX that quotes no email this account sent: kept
/// for the operator to see, and it changes nothing (anyone can send such a report).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unmatched_reports")]
pub struct Model {
    /// `urp_…`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub email_account_id: String,
    /// The report's own `Message-ID` (as in `inbound_messages`).
    pub header_id: String,
    /// Its `From` address.
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// JSON list of `{address, action, status, diagnostic}` as the report named them.
    pub recipients: String,
    /// The Message-ID the report quotes, when it quotes one (not one this account sent).
    pub quoted_message_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
