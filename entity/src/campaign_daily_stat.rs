use sea_orm::entity::prelude::*;

/// Events of a campaign per UTC day, for timelines.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_daily_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: String,
    /// `YYYY-MM-DD`, UTC.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    pub sent: i64,
    pub opened: i64,
    pub clicked: i64,
    pub replied: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
    /// Automatic answers (out of office, auto-responders): not replies.
    pub auto_replied: i64,
    /// Opens and clicks by anyone, machines included (`opened`/`clicked` count readers only).
    pub opened_raw: i64,
    pub clicked_raw: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
