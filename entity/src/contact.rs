use sea_orm::entity::prelude::*;

use crate::states::{ContactStatus, LeadStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    /// Lower-cased `email`: the uniqueness and search key.
    pub email_normalized: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub custom_fields: Json,
    /// `active`, `unsubscribed` or `bounced`.
    pub status: ContactStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The contact's own IANA time zone, for schedules that send in each contact's zone.
    pub timezone: Option<String>,
    /// What its replies say (read from each human reply), or what a person set.
    pub lead_status: Option<LeadStatus>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
