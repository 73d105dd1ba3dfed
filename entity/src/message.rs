use sea_orm::entity::prelude::*;

use crate::states::MessageState;

/// One email of a campaign to one contact: at most one row per (campaign, contact, step).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub campaign_id: String,
    pub contact_id: String,
    /// 1-based step of the campaign.
    pub step: i32,
    pub email_account_id: String,
    /// The SMTP `Message-ID`, with its angle brackets.
    pub message_id: String,
    pub subject: String,
    /// `queued`, `sending`, `deferred`, `sent`, `bounced`, `failed` or `unknown`.
    pub state: MessageState,
    pub attempts: i32,
    /// The last SMTP reply (or connection error) seen for it.
    pub last_reply: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub opened_at: Option<DateTimeUtc>,
    pub clicked_at: Option<DateTimeUtc>,
    pub replied_at: Option<DateTimeUtc>,
    /// On the database's clock (ms since the epoch): until when a `queued` claim holds, or
    /// when a `sending` row's outcome becomes unknown.
    pub lease_until_ms: Option<i64>,
    /// The claim that queued it: only that claim may start its send.
    pub claim_token: Option<String>,
    /// The local days whose daily limits this send took (given back if nothing was delivered).
    pub campaign_day: Option<String>,
    pub account_day: Option<String>,
    /// The server's 2xx reply, saved as it came, before the outcome was recorded.
    pub accepted_reply: Option<String>,
    /// `var_…`: the variant of the step chosen for this contact (none on rows from before
    /// variants).
    pub variant_id: Option<String>,
    /// What the message's choices (variant, spintax) were drawn from.
    pub seed: Option<i64>,
    /// The body as sent: an HTML email's HTML part (tracking included), or the plain text.
    pub body: Option<String>,
    /// An HTML email's plain-text part.
    pub body_text: Option<String>,
    /// Why a `skipped` step was not sent (`condition`).
    pub skip_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
