//! Diagnostics: why a campaign is or is not sending right now.

use chrono::{DateTime, Utc};
use entity::{campaign_contact, email_account};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::campaigns::{self, CampaignStatus};
use super::email_accounts::AccountStatus;
use super::enrolments::EnrolmentState;
use super::{quotas, window};
use crate::error::AppResult;

/// Why a campaign is or is not sending right now.
#[derive(Clone, Debug)]
pub struct SendingStatus {
    /// `sending`, `draft`, `paused`, `completed`, `outside_window`, `daily_limit_reached`,
    /// `account_error` or `nothing_due`.
    pub state: &'static str,
    pub paused_reason: Option<String>,
    pub next_window_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub sent_today: i32,
    pub daily_limit: i32,
    pub due_now: u64,
    /// `(field, enrolments waiting on it)`.
    pub missing_fields: Vec<(String, u64)>,
    pub unknown_outcomes: u64,
    pub failed: u64,
    pub accounts: Vec<AccountToday>,
    /// What holds sending back or soon will: a ramp, an hourly provider limit, a domain
    /// nearing Gmail's bulk-sender volume.
    pub notes: Vec<Note>,
}

#[derive(Clone, Debug)]
pub struct AccountToday {
    pub account: email_account::Model,
    pub sent_today: i32,
    /// What it may send today: its `dailyLimit`, or less while it ramps up.
    pub limit_today: i32,
}

/// Something that holds sending back or soon will: `code` for programs, `message` for people.
#[derive(Clone, Debug)]
pub struct Note {
    /// `ramp_limit`, `provider_limit` or `gmail_volume`.
    pub code: &'static str,
    pub message: String,
}

/// Emails a day to Gmail addresses from one domain at which Gmail holds it to its bulk
/// sender rules; sending status warns from nine tenths of it.
pub const GMAIL_BULK_PER_DAY: i32 = 5_000;

/// The `send_counts` scope of a From domain's emails to Gmail addresses (counted by day).
pub fn gmail_scope(workspace_id: &str, domain: &str) -> String {
    format!("gmail/{workspace_id}/{domain}")
}

pub async fn status(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    campaign_id: &str,
    now: DateTime<Utc>,
) -> AppResult<SendingStatus> {
    let campaign = campaigns::get(db, workspace_id, campaign_id).await?;
    let window = campaigns::window_of(&campaign)?;
    // Sending in each contact's zone, the campaign has no one window: its contacts wait for
    // theirs (`nothing_due`, `nextDueAt`).
    let per_contact = campaigns::schedule_of(&campaign)?.per_contact();
    let closed = !per_contact && !window.contains(now);
    let campaign_day = window::local_day(window.timezone(), now).to_string();
    let sent_today = quotas::sent_on(db, &campaign.id, &campaign_day).await?;
    let ids = campaigns::accounts_of(&campaign)?;
    let mut accounts = Vec::new();
    for account in super::email_accounts::by_ids(db, &ids).await? {
        if account.workspace_id != workspace_id {
            continue;
        }
        let sent = quotas::sent_today(db, &account, now).await?;
        accounts.push(AccountToday {
            limit_today: super::pacing::daily_limit(&account, now),
            account,
            sent_today: sent,
        });
    }
    accounts.sort_by_key(|a| ids.iter().position(|id| *id == a.account.id));

    let reasons: Vec<(Option<String>, String, i64)> = campaign_contact::Entity::find()
        .select_only()
        .column(campaign_contact::Column::Reason)
        .column(campaign_contact::Column::State)
        .column_as(campaign_contact::Column::ContactId.count(), "n")
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
        .filter(campaign_contact::Column::Reason.is_not_null())
        .group_by(campaign_contact::Column::Reason)
        .group_by(campaign_contact::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let mut missing_fields = Vec::new();
    let (mut unknown_outcomes, mut failed) = (0, 0);
    let mut notes = Vec::new();
    for (reason, state, n) in reasons {
        let reason = reason.unwrap_or_default();
        if let Some(provider) = reason.strip_prefix(super::pacing::PROVIDER_REASON) {
            notes.push(Note {
                code: "provider_limit",
                message: format!("{n} contacts wait for the next hour: the account's hourly limit of emails to {provider} recipients is reached"),
            });
        } else if let Some(field) = reason.strip_prefix("missing_field:") {
            missing_fields.push((field.to_owned(), n as u64));
        } else if reason == "outcome_unknown" {
            unknown_outcomes += n as u64;
        } else if state == EnrolmentState::Failed.as_str() {
            failed += n as u64;
        }
    }
    let next_due_at: Option<DateTime<Utc>> = campaign_contact::Entity::find()
        .select_only()
        .column(campaign_contact::Column::NextSendAt)
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
        .filter(campaign_contact::Column::NextSendAt.is_not_null())
        .order_by_asc(campaign_contact::Column::NextSendAt)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    let due_now = campaign_contact::Entity::find()
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
        .filter(campaign_contact::Column::NextSendAt.lte(now))
        .count(db)
        .await?;

    let usable: Vec<&AccountToday> = accounts
        .iter()
        .filter(|a| a.account.status == AccountStatus::Ok)
        .collect();
    let state = match campaign.status {
        CampaignStatus::Draft => "draft",
        CampaignStatus::Paused => "paused",
        CampaignStatus::Completed => "completed",
        CampaignStatus::Running if closed => "outside_window",
        CampaignStatus::Running if sent_today >= campaign.daily_limit => "daily_limit_reached",
        CampaignStatus::Running if usable.is_empty() => "account_error",
        CampaignStatus::Running if usable.iter().all(|a| a.sent_today >= a.limit_today) => {
            "daily_limit_reached"
        }
        CampaignStatus::Running if due_now == 0 => "nothing_due",
        CampaignStatus::Running => "sending",
    };
    Ok(SendingStatus {
        state,
        paused_reason: campaign.paused_reason.clone(),
        next_window_at: Some(window.next_opening(now)).filter(|_| closed),
        next_due_at,
        sent_today,
        daily_limit: campaign.daily_limit,
        due_now,
        missing_fields,
        unknown_outcomes,
        failed,
        notes: pacing_notes(db, workspace_id, &accounts, notes, now).await?,
        accounts,
    })
}

/// The notes of the campaign's accounts: a ramp holding one below its `dailyLimit`, a From
/// domain near Gmail's bulk volume today.
async fn pacing_notes(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    accounts: &[AccountToday],
    mut notes: Vec<Note>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Note>> {
    let mut domains: Vec<String> = vec![];
    for a in accounts {
        if a.limit_today < a.account.daily_limit {
            let day = super::pacing::ramp_day(&a.account, now) + 1;
            notes.push(Note {
                code: "ramp_limit",
                message: format!(
                    "{} is warming up: day {day} of its ramp allows {} of its {} emails a day",
                    a.account.email, a.limit_today, a.account.daily_limit
                ),
            });
        }
        let domain = super::domains::domain_of_account(&a.account);
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    let day = now.date_naive().to_string();
    for domain in domains {
        let sent = quotas::sent_on(db, &gmail_scope(workspace_id, &domain), &day).await?;
        if sent * 10 >= GMAIL_BULK_PER_DAY * 9 {
            notes.push(Note {
                code: "gmail_volume",
                message: format!(
                    "{domain} sent {sent} emails to Gmail addresses today: from {GMAIL_BULK_PER_DAY} a day Gmail holds it to its bulk-sender rules for good (SPF, DKIM, DMARC, one-click unsubscribe)"
                ),
            });
        }
    }
    Ok(notes)
}
