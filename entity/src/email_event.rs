use sea_orm::entity::prelude::*;

use crate::states::EventKind;

/// Something that happened to one email: sent, opened, clicked, replied, bounced, unsubscribed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "email_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub workspace_id: String,
    pub campaign_id: String,
    pub contact_id: String,
    /// 1-based step of the campaign.
    pub step: i32,
    pub kind: EventKind,
    pub occurred_at: DateTimeUtc,
    pub metadata: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
