use sea_orm::entity::prelude::*;

use crate::states::{CampaignStatus, ReplyScope};

#[derive(Clone, Debug, Default, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    /// `draft`, `running`, `paused` or `completed`.
    pub status: CampaignStatus,
    pub email_account_id: Option<String>,
    /// Inbox rotation: further accounts to send from, `[acc_…]` (null when only `email_account_id`).
    pub email_account_ids: Option<Json>,
    /// Why a paused campaign was paused by the system (e.g. `bounce_rate`).
    pub paused_reason: Option<String>,
    /// `[{subject, body, delayDays}]`, in sending order.
    pub steps: Json,
    /// `{timezone, days, startTime, endTime}`.
    pub schedule: Json,
    pub daily_limit: i32,
    pub track_opens: bool,
    pub track_clicks: bool,
    pub stop_on_reply: bool,
    /// Enrolled contacts, kept in step with `campaign_contacts`.
    pub contact_count: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    /// `{metric, minSentPerVariant}`: the campaign picks each step's best variant by itself.
    pub auto_winner: Option<Json>,
    /// Whose enrolments a reply stops: the replier's, or everyone's at its email domain.
    pub stop_on_reply_scope: ReplyScope,
    /// Days a sequence waits after an out-of-office answer that names no return date (0: it
    /// does not wait).
    pub ooo_pause_days: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
