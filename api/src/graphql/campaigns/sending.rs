//! Why a campaign is or is not sending right now, as GraphQL objects.

use async_graphql::{ID, SimpleObject};

use crate::ids::rfc3339;
use crate::service::{email_accounts, sending_status};

/// Enrolments waiting for a contact field their templates need.
#[derive(SimpleObject)]
pub struct MissingField {
    pub field: String,
    pub contacts: i64,
}

/// One sending account's day.
#[derive(SimpleObject)]
pub struct AccountToday {
    pub email_account_id: ID,
    pub email: String,
    /// `ok` or `error`.
    pub status: String,
    pub last_error: Option<String>,
    /// Emails sent today in the account's time zone, across its campaigns.
    pub sent_today: i32,
    pub daily_limit: i32,
    /// What it may send today: `dailyLimit`, or less while its warm-up ramp grows.
    pub limit_today: i32,
    /// `on` when replies and bounce reports are read from this account's mailbox, else `off`
    /// (replies cannot stop the sequence and `replyRate` stays 0).
    pub reply_tracking: String,
}

/// Why a campaign is or is not sending right now.
#[derive(SimpleObject)]
pub struct SendingStatus {
    /// `sending`, `draft`, `paused`, `completed`, `outside_window` (see `nextWindowAt`),
    /// `daily_limit_reached`, `account_error` or `nothing_due` (see `nextDueAt`).
    pub state: String,
    pub paused_reason: Option<String>,
    /// When the schedule's window next opens (null while inside it).
    pub next_window_at: Option<String>,
    /// The earliest scheduled send.
    pub next_due_at: Option<String>,
    /// Emails sent today in the campaign's time zone.
    pub sent_today: i32,
    pub daily_limit: i32,
    /// Emails due now.
    pub due_now: i64,
    pub missing_fields: Vec<MissingField>,
    /// Emails whose outcome is unknown (the process stopped mid-send); never re-sent.
    pub unknown_outcomes: i64,
    /// Enrolments stopped for another reason (delivery failed, invalid address).
    pub failed: i64,
    pub accounts: Vec<AccountToday>,
    /// What holds sending back or soon will: `ramp_limit` (an account warming up),
    /// `provider_limit` (contacts waiting for an hourly limit per recipient provider),
    /// `gmail_volume` (a From domain nearing 5 000 emails a day to Gmail addresses).
    pub notes: Vec<SendingNote>,
}

/// Something that holds sending back or soon will.
#[derive(SimpleObject)]
pub struct SendingNote {
    pub code: String,
    pub message: String,
}

impl From<sending_status::SendingStatus> for SendingStatus {
    fn from(s: sending_status::SendingStatus) -> Self {
        SendingStatus {
            state: s.state.to_owned(),
            paused_reason: s.paused_reason,
            next_window_at: s.next_window_at.as_ref().map(rfc3339),
            next_due_at: s.next_due_at.as_ref().map(rfc3339),
            sent_today: s.sent_today,
            daily_limit: s.daily_limit,
            due_now: s.due_now as i64,
            missing_fields: s
                .missing_fields
                .into_iter()
                .map(|(field, contacts)| MissingField {
                    field,
                    contacts: contacts as i64,
                })
                .collect(),
            unknown_outcomes: s.unknown_outcomes as i64,
            failed: s.failed as i64,
            notes: s
                .notes
                .into_iter()
                .map(|n| SendingNote {
                    code: n.code.to_owned(),
                    message: n.message,
                })
                .collect(),
            accounts: s
                .accounts
                .into_iter()
                .map(|a| AccountToday {
                    email_account_id: ID(a.account.id.clone()),
                    email: a.account.email.clone(),
                    status: a.account.status.as_str().to_owned(),
                    last_error: a.account.last_error.clone(),
                    sent_today: a.sent_today,
                    limit_today: a.limit_today,
                    daily_limit: a.account.daily_limit,
                    reply_tracking: email_accounts::reply_tracking(&a.account).to_owned(),
                })
                .collect(),
        }
    }
}
