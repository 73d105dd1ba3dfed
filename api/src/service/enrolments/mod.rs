//! Enrolments: a contact's life in a campaign. A typed state with explicit transitions
//! (`pending` → `active` → `completed` | `replied` | `bounced` | `unsubscribed` | `failed`), the
//! scheduling of each next step; what happened to an email is recorded in `outcomes`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, contact, group_member};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::campaigns::{self, CampaignStatus, Enrolment, MAX_ENROL_IDS, get};
use super::{Page, PageRequest, contacts, groups, suppressions};
use crate::error::{AppError, AppResult};

pub use entity::states::EnrolmentState;
pub use outcomes::{BOUNCE_PAUSE_MIN_SENT, BOUNCE_PAUSE_PERCENT, record_email_event, record_sent};

mod outcomes;

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
