use sea_orm::entity::prelude::*;

/// The variant a campaign picked as the best of one step (its `autoWinner`), once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_winners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: String,
    /// 1-based step.
    #[sea_orm(primary_key, auto_increment = false)]
    pub step: i32,
    pub variant_id: String,
    /// `reply`, `click` or `open`: what it was best at.
    pub metric: String,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
