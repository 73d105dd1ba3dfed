//! Emails whose outcome is unknown (`unknown`: the connection broke after the data was sent, or
//! the sending process died): one found in its account's Sent folder is recorded sent; the rest
//! wait for the operator's decision — send again, count as sent, or skip.
//!
//! Every move out of `unknown` is conditional on the row still being `unknown`, inside the
//! transaction that records it, so two deciders (the reader and an operator, two operators)
//! resolve a message once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, contact, message};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::campaigns::{self, CampaignStatus};
use super::enrolments::{EnrolmentState, record_email_event};
use super::messages::{EmailEvent, MessageState};
use super::{Page, PageRequest};
use crate::error::{AppError, AppResult};

/// Most message ids one resolve names.
pub const MAX_RESOLVE_IDS: usize = 1000;
/// Unknown emails of one account looked up in its Sent folder per mailbox pass (newest first).
pub const SENT_LOOKUPS_PER_PASS: u64 = 100;

/// The reason an enrolment closed on an unknown outcome carries.
const OUTCOME_UNKNOWN: &str = "outcome_unknown";

/// What the operator decides for unknown outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Back to due: sent again, with the same Message-ID.
    Resend,
    /// Recorded sent (the operator knows it arrived).
    MarkSent,
    /// Given up: the enrolment stays closed `failed`, reason `skipped`.
    Skip,
}

/// Which unknown emails of a campaign a decision covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Ids(Vec<String>),
    All,
}

impl Selection {
    /// From the request's `messageIds` and `all`: exactly one of them.
    pub fn of(message_ids: Option<Vec<String>>, all: Option<bool>) -> AppResult<Selection> {
        match (message_ids, all.unwrap_or(false)) {
            (Some(_), true) => Err(AppError::invalid_field(
                "messageIds",
                "Give either messageIds or all: true, not both",
            )),
            (None, false) => Err(AppError::invalid_field(
                "messageIds",
                "Give messageIds, or all: true",
            )),
            (None, true) => Ok(Selection::All),
            (Some(ids), false) if ids.is_empty() => Err(AppError::invalid_field(
                "messageIds",
                "messageIds must name at least one message",
            )),
            (Some(ids), false) if ids.len() > MAX_RESOLVE_IDS => Err(AppError::invalid_field(
                "messageIds",
                format!("At most {MAX_RESOLVE_IDS} messageIds at once"),
            )),
            (Some(ids), false) => Ok(Selection::Ids(ids)),
        }
    }
}

/// An email whose outcome is unknown, with its recipient's address.
#[derive(Clone, Debug)]
pub struct UnknownOutcome {
    pub message: message::Model,
    pub email: String,
}

/// A campaign's unknown outcomes, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    campaign_id: &str,
    request: PageRequest,
) -> AppResult<Page<UnknownOutcome>> {
    campaigns::get(db, workspace_id, campaign_id).await?;
    let query = message::Entity::find()
        .filter(message::Column::WorkspaceId.eq(workspace_id))
        .filter(message::Column::CampaignId.eq(campaign_id))
        .filter(message::Column::State.eq(MessageState::Unknown.as_str()));
    let ordering = super::Ordering::new(
        message::Column::UpdatedAt,
        message::Column::Id,
        super::SortOrder::Desc,
    );
    let page = super::fetch_page(db, query, request, ordering, None).await?;
    let ids: Vec<String> = page.items.iter().map(|m| m.contact_id.clone()).collect();
    let emails: HashMap<String, String> = contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .column(contact::Column::Email)
        .filter(contact::Column::Id.is_in(ids))
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(page.map(|m| UnknownOutcome {
        email: emails.get(&m.contact_id).cloned().unwrap_or_default(),
        message: m,
    }))
}

/// The unknown emails of an account the mailbox reader looks for in its Sent folder.
pub async fn of_account(
    db: &impl ConnectionTrait,
    email_account_id: &str,
) -> AppResult<Vec<message::Model>> {
    Ok(message::Entity::find()
        .filter(message::Column::EmailAccountId.eq(email_account_id))
        .filter(message::Column::State.eq(MessageState::Unknown.as_str()))
        .order_by_desc(message::Column::UpdatedAt)
        .limit(SENT_LOOKUPS_PER_PASS)
        .all(db)
        .await?)
}

/// Records as sent an unknown email found in its account's Sent folder. False when it is no
/// longer unknown (someone decided meanwhile).
pub async fn found_in_sent(
    db: &DatabaseConnection,
    message_id: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    let Some(found) = take(&txn, message_id, now).await? else {
        txn.rollback().await?;
        return Ok(false);
    };
    record_sent(&txn, &found, "found in the Sent folder", now).await?;
    txn.commit().await?;
    Ok(true)
}

/// Applies the operator's decision to the selected unknown emails of a campaign of the
/// workspace; ids of other campaigns or workspaces, or no longer unknown, are left alone.
/// Returns how many were resolved.
pub async fn resolve(
    db: &DatabaseConnection,
    workspace_id: &str,
    campaign_id: &str,
    selection: Selection,
    action: Action,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let txn = crate::db::begin_write(db).await?;
    campaigns::get(&txn, workspace_id, campaign_id).await?;
    let mut candidates = message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::WorkspaceId.eq(workspace_id))
        .filter(message::Column::CampaignId.eq(campaign_id))
        .filter(message::Column::State.eq(MessageState::Unknown.as_str()));
    if let Selection::Ids(ids) = selection {
        candidates = candidates.filter(message::Column::Id.is_in(ids));
    }
    let ids: Vec<String> = candidates.into_tuple().all(&txn).await?;
    let mut resolved = 0;
    for id in ids {
        let Some(found) = take(&txn, &id, now).await? else {
            continue;
        };
        match action {
            Action::MarkSent => {
                record_sent(&txn, &found, "marked sent by the operator", now).await?
            }
            Action::Resend => {
                // The sender's retry path takes a `deferred` row again, same id, same Message-ID.
                set_state(
                    &txn,
                    &found,
                    MessageState::Deferred,
                    "resend requested",
                    now,
                )
                .await?;
                reopen(&txn, &found, Some(now), now).await?;
            }
            Action::Skip => {
                set_state(
                    &txn,
                    &found,
                    MessageState::Failed,
                    "skipped by the operator",
                    now,
                )
                .await?;
                campaign_contact::Entity::update_many()
                    .col_expr(campaign_contact::Column::Reason, Expr::value("skipped"))
                    .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
                    .filter(campaign_contact::Column::CampaignId.eq(&found.campaign_id))
                    .filter(campaign_contact::Column::ContactId.eq(&found.contact_id))
                    .filter(campaign_contact::Column::State.eq(EnrolmentState::Failed.as_str()))
                    .filter(campaign_contact::Column::Reason.eq(OUTCOME_UNKNOWN))
                    .exec(&txn)
                    .await?;
            }
        }
        resolved += 1;
    }
    txn.commit().await?;
    Ok(resolved)
}

/// The message, if it is still `unknown`; its row is written (and so locked) by this
/// transaction from here on.
async fn take(
    txn: &DatabaseTransaction,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<message::Model>> {
    let moved = message::Entity::update_many()
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.eq(id))
        .filter(message::Column::State.eq(MessageState::Unknown.as_str()))
        .exec(txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Ok(None);
    }
    Ok(message::Entity::find_by_id(id.to_owned()).one(txn).await?)
}

async fn set_state(
    txn: &DatabaseTransaction,
    m: &message::Model,
    state: MessageState,
    reply: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    message::Entity::update_many()
        .col_expr(message::Column::State, Expr::value(state.as_str()))
        .col_expr(message::Column::LastReply, Expr::value(reply))
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.eq(&m.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Records `sent` the usual way (counters, `email.sent`, the next step scheduled), with the
/// enrolment the unknown outcome had closed opened again first.
async fn record_sent(
    txn: &DatabaseTransaction,
    m: &message::Model,
    reply: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    reopen(txn, m, None, now).await?;
    record_email_event(
        txn,
        m,
        EmailEvent::Sent {
            reply: reply.to_owned(),
        },
        now,
    )
    .await
}

/// Opens again the enrolment an unknown outcome closed (`failed`, `outcome_unknown`), due at
/// `due`; a campaign that completed for want of open enrolments runs again.
async fn reopen(
    txn: &DatabaseTransaction,
    m: &message::Model,
    due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let opened = campaign_contact::Entity::update_many()
        .col_expr(
            campaign_contact::Column::State,
            Expr::value(EnrolmentState::Active.as_str()),
        )
        .col_expr(
            campaign_contact::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(campaign_contact::Column::NextSendAt, Expr::value(due))
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(&m.campaign_id))
        .filter(campaign_contact::Column::ContactId.eq(&m.contact_id))
        .filter(campaign_contact::Column::State.eq(EnrolmentState::Failed.as_str()))
        .filter(campaign_contact::Column::Reason.eq(OUTCOME_UNKNOWN))
        .exec(txn)
        .await?
        .rows_affected;
    if opened == 1 {
        campaign::Entity::update_many()
            .col_expr(
                campaign::Column::Status,
                Expr::value(CampaignStatus::Running.as_str()),
            )
            .col_expr(
                campaign::Column::CompletedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
            .filter(campaign::Column::Id.eq(&m.campaign_id))
            .filter(campaign::Column::Status.eq(CampaignStatus::Completed.as_str()))
            .exec(txn)
            .await?;
    }
    Ok(())
}
