//! Enrolments: a contact's life in a campaign. A typed state with explicit transitions
//! (`pending` → `active` → `completed` | `replied` | `bounced` | `unsubscribed` | `failed`), the
//! scheduling of each next step, and the one function that records what happened to an email.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, contact, group_member, message};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::campaigns::{self, CampaignStatus, Enrolment, MAX_ENROL_IDS, get};
use super::contacts::ContactStatus;
use super::messages::{self, EmailEvent, MessageState};
use super::stats::{self, EventKind};
use super::{Page, PageRequest, contacts, events, groups, suppressions};
use crate::error::{AppError, AppResult};

pub use entity::states::EnrolmentState;

/// Enrols contacts (by id and/or a whole group) in one set-based statement. Idempotent;
/// unsubscribed and bounced contacts, and contacts at suppressed addresses, are skipped.
pub async fn enrol<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    campaign_id: &str,
    contact_ids: Option<Vec<String>>,
    group_id: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Enrolment> {
    let contact_ids = contact_ids.unwrap_or_default();
    if contact_ids.is_empty() && group_id.is_none() {
        return Err(AppError::validation("Give contactIds, groupId or both")
            .with_details(json!({ "field": "contactIds" })));
    }
    if contact_ids.len() > MAX_ENROL_IDS {
        return Err(AppError::invalid_field(
            "contactIds",
            format!("At most {MAX_ENROL_IDS} contactIds per call; enrol a group for more"),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    // Locked: a completion deciding beside this enrolment either sees these contacts or is
    // seen completed here.
    let campaign = campaigns::get_locked(&txn, workspace_id, campaign_id).await?;
    if let Some(group_id) = &group_id {
        groups::get(&txn, workspace_id, group_id)
            .await
            .map_err(|e| e.with_details(json!({ "field": "groupId" })))?;
    }
    if !contact_ids.is_empty() {
        let known = contacts::known_ids(&txn, workspace_id, &contact_ids).await?;
        let mut unknown: Vec<&String> = contact_ids
            .iter()
            .filter(|id| !known.contains(*id))
            .collect();
        unknown.dedup();
        if !unknown.is_empty() {
            return Err(AppError::unknown_ids("contactIds", "contact", &unknown));
        }
    }

    let mut who = Condition::any();
    if !contact_ids.is_empty() {
        who = who.add(
            Expr::col((contact::Entity, contact::Column::Id)).is_in(contact_ids.iter().cloned()),
        );
    }
    if let Some(group_id) = &group_id {
        who = who.add(
            Expr::col((contact::Entity, contact::Column::Id)).in_subquery(
                Query::select()
                    .column(group_member::Column::ContactId)
                    .from(group_member::Entity)
                    .and_where(Expr::col(group_member::Column::GroupId).eq(group_id.as_str()))
                    .to_owned(),
            ),
        );
    }
    let candidates = Condition::all()
        .add(Expr::col((contact::Entity, contact::Column::WorkspaceId)).eq(workspace_id))
        .add(who);
    // Active, at an address (and domain) the workspace has not suppressed.
    let eligible = candidates
        .clone()
        .add(
            Expr::col((contact::Entity, contact::Column::Status))
                .eq(contacts::ContactStatus::Active.as_str()),
        )
        .add(suppressions::not_suppressed(txn.get_database_backend()));
    let candidate_count = contact::Entity::find()
        .filter(candidates)
        .count(&txn)
        .await?;
    let eligible_count = contact::Entity::find()
        .filter(eligible.clone())
        .count(&txn)
        .await?;

    // A campaign that has started schedules newcomers at once; a draft waits for its start.
    let (state, next_send_at) = match campaign.status {
        CampaignStatus::Draft => (EnrolmentState::Pending, None),
        _ => (
            EnrolmentState::Active,
            Some(campaigns::next_due(&campaign, now)?),
        ),
    };
    let select = Query::select()
        .expr(Expr::val(campaign.id.as_str()))
        .column((contact::Entity, contact::Column::Id))
        .expr(Expr::val(workspace_id))
        .expr(Expr::val(state.as_str()))
        .expr(Expr::val(0))
        .expr(Expr::val(next_send_at))
        .expr(Expr::val(false))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .from(contact::Entity)
        .cond_where(eligible)
        .to_owned();
    let insert = Query::insert()
        .into_table(campaign_contact::Entity)
        .columns([
            campaign_contact::Column::CampaignId,
            campaign_contact::Column::ContactId,
            campaign_contact::Column::WorkspaceId,
            campaign_contact::Column::State,
            campaign_contact::Column::CurrentStep,
            campaign_contact::Column::NextSendAt,
            campaign_contact::Column::FollowUp,
            campaign_contact::Column::CreatedAt,
            campaign_contact::Column::UpdatedAt,
        ])
        .select_from(select)
        .map_err(AppError::internal)?
        .on_conflict(
            OnConflict::columns([
                campaign_contact::Column::CampaignId,
                campaign_contact::Column::ContactId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    let added = txn.execute(&insert).await?.rows_affected();
    if added > 0 {
        campaign::Entity::update_many()
            .col_expr(
                campaign::Column::ContactCount,
                Expr::col(campaign::Column::ContactCount).add(added as i64),
            )
            .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
            .filter(campaign::Column::Id.eq(&campaign.id))
            .exec(&txn)
            .await?;
    }
    if added > 0 && campaign.status == CampaignStatus::Completed {
        campaigns::reopen(&txn, &campaign, now).await?;
    }
    let campaign = get(&txn, workspace_id, campaign_id).await?;
    txn.commit().await?;
    Ok(Enrolment {
        campaign,
        added,
        skipped: candidate_count - eligible_count,
        already_enrolled: eligible_count - added,
    })
}

/// A page of a campaign's enrolments with their contacts, newest first.
pub async fn enrolments(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    campaign_id: &str,
    state: Option<EnrolmentState>,
    page: PageRequest,
) -> AppResult<Page<(campaign_contact::Model, contact::Model)>> {
    let campaign = get(db, workspace_id, campaign_id).await?;
    let mut query = campaign_contact::Entity::find()
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id));
    if let Some(state) = state {
        query = query.filter(campaign_contact::Column::State.eq(state.as_str()));
    }
    let ordering = super::Ordering::new(
        campaign_contact::Column::CreatedAt,
        campaign_contact::Column::ContactId,
        super::SortOrder::Desc,
    );
    // Unfiltered, the total is the campaign's kept count of its enrolments.
    let known = match state {
        None => Some(u64::try_from(campaign.contact_count).unwrap_or(0)),
        Some(_) => None,
    };
    let mut enrolled = super::fetch_page(db, query, page, ordering, known).await?;
    let ids: Vec<String> = enrolled
        .items
        .iter()
        .map(|r| r.contact_id.clone())
        .collect();
    let mut people: HashMap<String, contact::Model> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let items = std::mem::take(&mut enrolled.items)
        .into_iter()
        .filter_map(|row| people.remove(&row.contact_id).map(|c| (row, c)))
        .collect();
    Ok(enrolled.with_items(items))
}

/// Enrolments of the given contacts (for `Contact.campaigns`).
pub async fn enrolments_of_contacts(
    db: &impl ConnectionTrait,
    contact_ids: &[String],
) -> AppResult<HashMap<String, Vec<campaign_contact::Model>>> {
    let rows = campaign_contact::Entity::find()
        .filter(campaign_contact::Column::ContactId.is_in(contact_ids.iter().cloned()))
        .order_by_desc(campaign_contact::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<campaign_contact::Model>> = HashMap::new();
    for row in rows {
        out.entry(row.contact_id.clone()).or_default().push(row);
    }
    Ok(out)
}

/// Takes a deleted contact out of its campaigns' counts (before the rows go); answers those campaigns.
pub async fn forget_contact(db: &impl ConnectionTrait, contact_id: &str) -> AppResult<Vec<String>> {
    let campaigns: Vec<String> = campaign_contact::Entity::find()
        .select_only()
        .column(campaign_contact::Column::CampaignId)
        .filter(campaign_contact::Column::ContactId.eq(contact_id))
        .into_tuple()
        .all(db)
        .await?;
    campaign::Entity::update_many()
        .col_expr(
            campaign::Column::ContactCount,
            Expr::col(campaign::Column::ContactCount).sub(1),
        )
        .filter(
            campaign::Column::Id.in_subquery(
                Query::select()
                    .column(campaign_contact::Column::CampaignId)
                    .from(campaign_contact::Entity)
                    .and_where(Expr::col(campaign_contact::Column::ContactId).eq(contact_id))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    Ok(campaigns)
}

/// Adds to a campaign's enrolled-contact count (for bulk loads that insert enrolments directly).
pub async fn add_to_contact_count(
    db: &impl ConnectionTrait,
    campaign_id: &str,
    n: i64,
) -> AppResult<()> {
    campaign::Entity::update_many()
        .col_expr(
            campaign::Column::ContactCount,
            Expr::col(campaign::Column::ContactCount).add(n),
        )
        .filter(campaign::Column::Id.eq(campaign_id))
        .exec(db)
        .await?;
    Ok(())
}

/// `pending` → `active` for every waiting enrolment of a campaign that starts: each first
/// step is due at the window's next opening.
pub async fn schedule_pending(
    txn: &impl ConnectionTrait,
    campaign: &campaign::Model,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let due = campaigns::next_due(campaign, now)?;
    let result = campaign_contact::Entity::update_many()
        .col_expr(
            campaign_contact::Column::State,
            Expr::value(EnrolmentState::Active.as_str()),
        )
        .col_expr(campaign_contact::Column::NextSendAt, Expr::value(due))
        .col_expr(campaign_contact::Column::FollowUp, Expr::value(false))
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
        .filter(campaign_contact::Column::State.eq(EnrolmentState::Pending.as_str()))
        .exec(txn)
        .await?;
    if result.rows_affected > 0 {
        // Due now: the senders wake when this commits.
        crate::signals::send(txn, crate::signals::Signal::Sending).await?;
    }
    Ok(result.rows_affected)
}

/// Whether any enrolment of the campaign is still open (pending or active).
pub async fn any_open(db: &impl ConnectionTrait, campaign_id: &str) -> AppResult<bool> {
    let found = campaign_contact::Entity::find()
        .select_only()
        .column(campaign_contact::Column::ContactId)
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        // Written as the open-enrolments index states it, so the database reads that index.
        .filter(Expr::cust(migration::OPEN_ENROLMENT))
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// Moves one open enrolment to a final state (with a reason); no effect on a closed one.
pub async fn close(
    txn: &impl ConnectionTrait,
    campaign_id: &str,
    contact_id: &str,
    to: EnrolmentState,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let result = campaign_contact::Entity::update_many()
        .col_expr(campaign_contact::Column::State, Expr::value(to.as_str()))
        .col_expr(campaign_contact::Column::Reason, Expr::value(reason))
        .col_expr(
            campaign_contact::Column::NextSendAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(campaign_contact::Column::ContactId.eq(contact_id))
        .filter(campaign_contact::Column::State.is_in(EnrolmentState::OPEN))
        .exec(txn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Puts an open enrolment back in the queue at `due` (a retry, a wait), saying why.
pub async fn reschedule(
    txn: &impl ConnectionTrait,
    campaign_id: &str,
    contact_id: &str,
    due: DateTime<Utc>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    campaign_contact::Entity::update_many()
        .col_expr(campaign_contact::Column::NextSendAt, Expr::value(due))
        .col_expr(campaign_contact::Column::Reason, Expr::value(reason))
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(campaign_contact::Column::ContactId.eq(contact_id))
        .filter(campaign_contact::Column::State.eq(EnrolmentState::Active.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// After step `step` went out: the next step is due `delayDays` later, moved into the window;
/// after the last step the enrolment is `completed`. Returns whether it completed.
pub(crate) async fn advance(
    txn: &DatabaseTransaction,
    campaign: &campaign::Model,
    contact: &contact::Model,
    step: i32,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    move_on(txn, campaign, contact, step, now, true).await
}

/// [`advance`], for a step that went out (`sent`) or was skipped (its condition was false:
/// the enrolment's last send is left as it was).
pub(crate) async fn move_on(
    txn: &DatabaseTransaction,
    campaign: &campaign::Model,
    contact: &contact::Model,
    step: i32,
    now: DateTime<Utc>,
    sent: bool,
) -> AppResult<bool> {
    let steps = campaigns::steps_of(campaign)?;
    let next = steps.get(step as usize);
    let (state, due) = match next {
        Some(next) => {
            // Calendar days in the sending zone (the contact's, when the schedule sends in
            // each contact's own): "two days later" is the same local time.
            let window = campaigns::window_for(campaign, contact.timezone.as_deref())?;
            let days = u32::try_from(next.delay_days).unwrap_or(0);
            let after = super::window::add_calendar_days(window.timezone(), now, days);
            (EnrolmentState::Active, Some(window.next_opening(after)))
        }
        None => (EnrolmentState::Completed, None),
    };
    let mut update = campaign_contact::Entity::update_many()
        .col_expr(campaign_contact::Column::State, Expr::value(state.as_str()))
        .col_expr(campaign_contact::Column::CurrentStep, Expr::value(step));
    if sent {
        update = update.col_expr(campaign_contact::Column::LastSentAt, Expr::value(now));
    }
    update
        .col_expr(campaign_contact::Column::NextSendAt, Expr::value(due))
        .col_expr(campaign_contact::Column::FollowUp, Expr::value(true))
        .col_expr(
            campaign_contact::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
        .filter(campaign_contact::Column::ContactId.eq(&contact.id))
        .filter(campaign_contact::Column::State.eq(EnrolmentState::Active.as_str()))
        .exec(txn)
        .await?;
    Ok(state == EnrolmentState::Completed)
}

/// Closes every open enrolment of a contact (unsubscribed or bounced: never emailed again by
/// any campaign) and completes the campaigns this leaves with nobody to email.
async fn close_everywhere(
    txn: &DatabaseTransaction,
    contact_id: &str,
    to: EnrolmentState,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let open: Vec<String> = campaign_contact::Entity::find()
        .select_only()
        .column(campaign_contact::Column::CampaignId)
        .filter(campaign_contact::Column::ContactId.eq(contact_id))
        .filter(campaign_contact::Column::State.is_in(EnrolmentState::OPEN))
        .into_tuple()
        .all(txn)
        .await?;
    for campaign_id in open {
        close(txn, &campaign_id, contact_id, to, None, now).await?;
        campaigns::complete_if_done(txn, &campaign_id, now).await?;
    }
    Ok(())
}

/// Bounces past this share of sends (after `BOUNCE_PAUSE_MIN_SENT`) pause the campaign.
pub const BOUNCE_PAUSE_PERCENT: i64 = 5;
pub const BOUNCE_PAUSE_MIN_SENT: i64 = 20;

/// Records what happened to one email, all in the caller's transaction: the message row, the
/// email event and its counters, the `email.*` outbox event, and what it means for the
/// enrolment, the contact and the campaign. The only way an email event is written.
pub async fn record_email_event(
    txn: &DatabaseTransaction,
    message: &message::Model,
    event: EmailEvent,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let EmailEvent::Sent { reply } = &event {
        return record_sent(txn, vec![(message.clone(), reply.clone())], now).await;
    }
    // The campaign's row is locked first, before any counter: every transaction that records
    // an event takes its locks in this order (a completion or a pause decided later in it
    // cannot deadlock with another event's counters), and the campaign's counters are one row
    // every event of it updates anyway.
    let campaign = campaign::Entity::find_by_id(message.campaign_id.clone())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Campaign"))?;
    let person = contact::Entity::find_by_id(message.contact_id.clone())
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Contact"))?;

    let mut update = message::Entity::update_many()
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.eq(&message.id));
    let mut counted: Vec<EventKind> = Vec::new();
    // Opens and clicks notify once per message; every hit still counts on the timeline.
    let mut notify = true;
    match &event {
        EmailEvent::Sent { .. } => {
            return Err(AppError::internal(
                "a sent email is recorded by record_sent",
            ));
        }
        EmailEvent::Bounced { reply } => {
            update = update
                .col_expr(
                    message::Column::State,
                    Expr::value(MessageState::Bounced.as_str()),
                )
                .col_expr(message::Column::LastReply, Expr::value(reply.as_str()));
            // A refused email was still sent to the server: it counts among `sent`, so the
            // bounce rate is over every email that went out.
            if message.sent_at.is_none() {
                update = update.col_expr(message::Column::SentAt, Expr::value(now));
                counted.push(EventKind::Sent);
            }
            counted.push(EventKind::Bounced);
        }
        EmailEvent::Opened => {
            notify = message.opened_at.is_none();
            if notify {
                update = update.col_expr(message::Column::OpenedAt, Expr::value(now));
            }
            counted.push(EventKind::Opened);
        }
        EmailEvent::Clicked { .. } => {
            notify = message.clicked_at.is_none();
            if notify {
                update = update.col_expr(message::Column::ClickedAt, Expr::value(now));
            }
            counted.push(EventKind::Clicked);
        }
        EmailEvent::Replied { .. } => {
            notify = message.replied_at.is_none();
            if notify {
                update = update.col_expr(message::Column::RepliedAt, Expr::value(now));
            }
            counted.push(EventKind::Replied);
        }
        EmailEvent::AutoReplied { .. } => counted.push(EventKind::AutoReplied),
        EmailEvent::Unsubscribed => {
            notify = person.status != ContactStatus::Unsubscribed;
            if notify {
                counted.push(EventKind::Unsubscribed);
            }
        }
        EmailEvent::Failed { reply, .. } => {
            update = update
                .col_expr(
                    message::Column::State,
                    Expr::value(MessageState::Failed.as_str()),
                )
                .col_expr(message::Column::LastReply, Expr::value(reply.clone()));
        }
        EmailEvent::Unknown => {
            update = update.col_expr(
                message::Column::State,
                Expr::value(MessageState::Unknown.as_str()),
            );
        }
    }
    // Conditional on the state the caller read (and holds locked): a row another transaction
    // moved meanwhile is not written over; the caller's transaction is refused instead.
    let written = update
        .filter(message::Column::State.eq(message.state))
        .exec(txn)
        .await?
        .rows_affected;
    if written != 1 {
        return Err(AppError::internal(format!(
            "message {} left state {} before its event was recorded",
            message.id, message.state
        )));
    }
    // Every unsubscribe and hard bounce suppresses the address, even for a contact whose
    // status already said so.
    let suppress = match &event {
        EmailEvent::Unsubscribed => Some(suppressions::Source::Unsubscribe),
        EmailEvent::Bounced { .. } => Some(suppressions::Source::Bounce),
        _ => None,
    };
    if let Some(source) = suppress {
        suppressions::record(
            txn,
            &person.workspace_id,
            &person.email_normalized,
            source,
            now,
        )
        .await?;
    }
    for kind in counted {
        stats::record(
            txn,
            stats::NewEvent {
                workspace_id: message.workspace_id.clone(),
                campaign_id: message.campaign_id.clone(),
                contact_id: message.contact_id.clone(),
                step: message.step,
                kind,
                at: now,
                metadata: {
                    let mut metadata = json!({ "messageId": message.id });
                    event.add_detail(&mut metadata);
                    metadata
                },
            },
        )
        .await?;
    }
    if !notify {
        return Ok(());
    }
    events::emit(
        txn,
        &message.workspace_id,
        event.event_type(),
        messages::event_data(message, &person, &event),
        now,
    )
    .await?;

    match &event {
        EmailEvent::Bounced { .. } => {
            contacts::set_status(txn, &person, ContactStatus::Bounced, now).await?;
            close(
                txn,
                &campaign.id,
                &person.id,
                EnrolmentState::Bounced,
                None,
                now,
            )
            .await?;
            close_everywhere(txn, &person.id, EnrolmentState::Bounced, now).await?;
            campaigns::complete_if_done(txn, &campaign.id, now).await?;
            let totals = stats::totals(txn, &campaign.id).await?;
            if totals.sent >= BOUNCE_PAUSE_MIN_SENT
                && totals.bounced * 100 > totals.sent * BOUNCE_PAUSE_PERCENT
            {
                campaigns::pause_for(txn, &campaign, "bounce_rate", now).await?;
            }
        }
        EmailEvent::Replied { .. } => {
            if campaign.stop_on_reply {
                close(
                    txn,
                    &campaign.id,
                    &person.id,
                    EnrolmentState::Replied,
                    None,
                    now,
                )
                .await?;
                if campaign.stop_on_reply_scope == entity::states::ReplyScope::Company {
                    super::replies::stop_company(txn, &campaign, &person, now).await?;
                }
                campaigns::complete_if_done(txn, &campaign.id, now).await?;
            }
        }
        EmailEvent::Unsubscribed => {
            contacts::set_status(txn, &person, ContactStatus::Unsubscribed, now).await?;
            close_everywhere(txn, &person.id, EnrolmentState::Unsubscribed, now).await?;
        }
        EmailEvent::Failed { reason, .. } => {
            close(
                txn,
                &campaign.id,
                &person.id,
                EnrolmentState::Failed,
                Some(reason),
                now,
            )
            .await?;
            campaigns::complete_if_done(txn, &campaign.id, now).await?;
        }
        EmailEvent::Unknown => {
            let reason = Some("outcome_unknown");
            close(
                txn,
                &campaign.id,
                &person.id,
                EnrolmentState::Failed,
                reason,
                now,
            )
            .await?;
            campaigns::complete_if_done(txn, &campaign.id, now).await?;
        }
        EmailEvent::Sent { .. }
        | EmailEvent::Opened
        | EmailEvent::Clicked { .. }
        | EmailEvent::AutoReplied { .. } => {}
    }
    Ok(())
}

/// Records that emails went out, each with its server's reply, all in the caller's transaction
/// (which holds their message rows locked): the message rows, the `sent` events and their
/// counters, the `email.sent` outbox events, each enrolment moved on to its next step and the
/// campaigns this completes. Its statements do not grow with the emails but for one per
/// enrolment moved on, so a worker records many outcomes at the price of few. The only way a
/// `sent` event is written.
pub async fn record_sent(
    txn: &DatabaseTransaction,
    sent: Vec<(message::Model, String)>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if sent.is_empty() {
        return Ok(());
    }
    // The campaigns' rows are locked first, in id order, as every event's transaction does
    // (see `record_email_event`).
    let mut campaign_ids: Vec<String> = sent.iter().map(|(m, _)| m.campaign_id.clone()).collect();
    campaign_ids.sort();
    campaign_ids.dedup();
    let campaigns: HashMap<String, campaign::Model> = campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(campaign_ids))
        .order_by_asc(campaign::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let people: HashMap<String, contact::Model> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(sent.iter().map(|(m, _)| m.contact_id.clone())))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();

    // Conditional on the states the caller read (and holds locked): a row another transaction
    // moved meanwhile is not written over; the caller's transaction is refused instead.
    let mut states: Vec<&str> = sent.iter().map(|(m, _)| m.state.as_str()).collect();
    states.sort();
    states.dedup();
    let replies = messages::text_by_id(
        message::Column::LastReply,
        sent.iter()
            .map(|(m, reply)| (m.id.as_str(), reply.as_str())),
    )
    .ok_or_else(|| AppError::internal("no sent email to record"))?;
    let written = message::Entity::update_many()
        .col_expr(
            message::Column::State,
            Expr::value(MessageState::Sent.as_str()),
        )
        .col_expr(message::Column::SentAt, Expr::value(now))
        .col_expr(message::Column::LastReply, replies)
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.is_in(sent.iter().map(|(m, _)| m.id.clone())))
        .filter(message::Column::State.is_in(states))
        .exec(txn)
        .await?
        .rows_affected;
    if written != sent.len() as u64 {
        return Err(AppError::internal(format!(
            "{} of {} sent messages left their state before their event was recorded",
            sent.len() as u64 - written,
            sent.len()
        )));
    }

    let mut counted = Vec::with_capacity(sent.len());
    let mut outbox = Vec::with_capacity(sent.len());
    for (m, reply) in &sent {
        let person = people
            .get(&m.contact_id)
            .ok_or_else(|| AppError::not_found("Contact"))?;
        let event = EmailEvent::Sent {
            reply: reply.clone(),
        };
        let mut metadata = json!({ "messageId": m.id });
        event.add_detail(&mut metadata);
        counted.push(stats::NewEvent {
            workspace_id: m.workspace_id.clone(),
            campaign_id: m.campaign_id.clone(),
            contact_id: m.contact_id.clone(),
            step: m.step,
            kind: EventKind::Sent,
            at: now,
            metadata,
        });
        outbox.push((
            m.workspace_id.clone(),
            event.event_type(),
            messages::event_data(m, person, &event),
        ));
    }
    stats::record_many(txn, counted).await?;
    events::emit_each(txn, outbox, now).await?;

    let mut completed = std::collections::BTreeSet::new();
    for (m, _) in &sent {
        let campaign = campaigns
            .get(&m.campaign_id)
            .ok_or_else(|| AppError::not_found("Campaign"))?;
        let person = people
            .get(&m.contact_id)
            .ok_or_else(|| AppError::not_found("Contact"))?;
        if advance(txn, campaign, person, m.step, now).await? {
            completed.insert(campaign.id.clone());
        }
    }
    for campaign_id in completed {
        campaigns::complete_if_done(txn, &campaign_id, now).await?;
    }
    Ok(())
}
