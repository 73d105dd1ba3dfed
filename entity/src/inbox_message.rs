use sea_orm::entity::prelude::*;

/// A reply received in a thread, or an answer written to it from FluenzR.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub thread_id: String,
    /// Written from FluenzR (an answer), not received.
    pub outbound: bool,
    /// Its RFC 5322 `Message-ID`, `<…>`.
    pub message_id: String,
    pub from_address: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    /// As received: sanitized whenever it is served.
    #[sea_orm(column_type = "Text", nullable)]
    pub body_html: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
