//! What happened to an email, and what it means for its enrolment, contact and campaign: the one
//! place an email event is recorded (`record_email_event`, `record_sent`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, contact, message};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::{EnrolmentState, advance, close};
use crate::error::{AppError, AppResult};
use crate::service::campaigns;
use crate::service::contacts::{self, ContactStatus, LeadStatus};
use crate::service::messages::{self, EmailEvent, MessageState};
use crate::service::stats::{self, EventKind};
use crate::service::{events, suppressions};

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
    // What a person's reply says counts for every reply, not only an email's first.
    if let EmailEvent::Replied { class, .. } = &event {
        reply_says(txn, &person, *class, now).await?;
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
                    crate::service::replies::stop_company(txn, &campaign, &person, now).await?;
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
        EmailEvent::AutoReplied { return_date, .. } => {
            crate::service::replies::hold_out_of_office(txn, &campaign, &person, *return_date, now)
                .await?;
        }
        EmailEvent::Sent { .. } | EmailEvent::Opened | EmailEvent::Clicked { .. } => {}
    }
    Ok(())
}

/// What a person's reply says, applied: the contact's lead status follows it (a reply that
/// says nothing in particular only sets a status never set), and a request to be removed is
/// honoured as an unsubscribe — a suppression (source `reply`), the contact unsubscribed, every
/// open enrolment closed.
async fn reply_says(
    txn: &DatabaseTransaction,
    person: &contact::Model,
    class: LeadStatus,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if class != LeadStatus::Other || person.lead_status.is_none() {
        contacts::set_lead_status(txn, person, class, now).await?;
    }
    if class == LeadStatus::UnsubscribeRequest {
        suppressions::record(
            txn,
            &person.workspace_id,
            &person.email_normalized,
            suppressions::Source::Reply,
            now,
        )
        .await?;
        contacts::set_status(txn, person, ContactStatus::Unsubscribed, now).await?;
        close_everywhere(txn, &person.id, EnrolmentState::Unsubscribed, now).await?;
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
