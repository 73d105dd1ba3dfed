use sea_orm::entity::prelude::*;

use crate::states::EventKind;

/// The first event of a kind for a contact in a campaign (`step` 0) or step: what makes the
/// counters count unique contacts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_event_firsts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub step: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: EventKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
