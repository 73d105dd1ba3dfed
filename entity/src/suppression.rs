use sea_orm::entity::prelude::*;

use crate::states::{SuppressionKind, SuppressionSource};

/// An address or a domain the workspace never emails. Unique on (workspace, kind, value).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suppressions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    /// `email` or `domain`.
    pub kind: SuppressionKind,
    /// The normal form: an address as `addresses::parse` normalises it, a domain in lower-case
    /// IDNA ASCII.
    pub value: String,
    /// `unsubscribe`, `bounce`, `complaint`, `reply` or `manual`.
    pub source: SuppressionSource,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
