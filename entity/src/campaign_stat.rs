use sea_orm::entity::prelude::*;

/// Unique-contact counters of a campaign (`step` 0) or one of its steps, kept in the same
/// transaction as each email event so reading stats never scans events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub step: i32,
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
