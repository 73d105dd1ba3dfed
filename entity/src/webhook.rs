use sea_orm::entity::prelude::*;

/// A customer endpoint subscribed to events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    /// Event type names, or `["*"]`.
    pub events: Json,
    pub description: Option<String>,
    pub active: bool,
    /// `whsec_…`: signs every delivery.
    pub secret: String,
    /// The secret before the last rotation; it keeps signing until `previous_secret_expires_at`.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// Since when every attempt has failed (cleared by a success).
    pub failing_since: Option<DateTimeUtc>,
    pub disabled_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
