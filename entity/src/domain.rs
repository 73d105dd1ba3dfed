use sea_orm::entity::prelude::*;

/// A domain the workspace's email accounts send from, with its last DNS check. Unique on
/// (workspace, name).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domains")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    /// Lower-case IDNA ASCII.
    pub name: String,
    /// The last check's findings (the API's `Domain` without the keys), none before the first.
    pub report: Option<Json>,
    /// The verdicts of the last check (`pass` or `fail`): a daily check compares against them.
    pub gmail_verdict: Option<String>,
    pub microsoft_verdict: Option<String>,
    pub checked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
