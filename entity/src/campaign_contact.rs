use sea_orm::entity::prelude::*;

use crate::states::EnrolmentState;

/// A contact's enrolment in a campaign.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: String,
    pub workspace_id: String,
    /// `pending`, `active`, `completed`, `replied`, `bounced`, `unsubscribed` or `failed`.
    pub state: EnrolmentState,
    /// The last step sent (0 before the first).
    pub current_step: i32,
    pub next_send_at: Option<DateTimeUtc>,
    pub last_sent_at: Option<DateTimeUtc>,
    /// The email account the whole sequence goes out from (assigned at the first send).
    pub email_account_id: Option<String>,
    /// Why it waits or stopped, e.g. `missing_field:firstName` or `outcome_unknown`.
    pub reason: Option<String>,
    /// The next send is a follow-up (they go before first steps when limits bind).
    pub follow_up: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
