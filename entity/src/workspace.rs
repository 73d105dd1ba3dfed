use sea_orm::entity::prelude::*;

use crate::states::Plan;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workspaces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// `free`, `starter` or `pro`.
    pub plan: Plan,
    pub created_at: DateTimeUtc,
    /// Contacts of the workspace, kept in step with `contacts` so unfiltered lists need no COUNT.
    pub contact_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
