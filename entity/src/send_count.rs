use sea_orm::entity::prelude::*;

/// Emails taken from a daily limit: per email account or campaign (`scope`) and local day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "send_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    /// `YYYY-MM-DD` in the scope's time zone.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    pub sent: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
