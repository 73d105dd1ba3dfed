//! A campaign's lifecycle: draft → running ⇄ paused → completed, each move made by one
//! conditional statement and announced by its event.

use chrono::{DateTime, Utc};
use entity::campaign;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};

use super::crud::{get, get_locked};
use super::shape::{accounts_of, steps_of, to_json};
use super::{CampaignStatus, illegal};
use crate::error::AppResult;
use crate::service::{enrolments, events, parking};

/// Moves `from` → `to` in one conditional statement, so concurrent calls cannot both win.
async fn transition(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    from: &[CampaignStatus],
    to: CampaignStatus,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mut update = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(to.as_str()))
        .col_expr(campaign::Column::UpdatedAt, Expr::value(now));
    if to == CampaignStatus::Running {
        update = update
            .col_expr(
                campaign::Column::StartedAt,
                Expr::col(campaign::Column::StartedAt).if_null(now),
            )
            .col_expr(
                campaign::Column::PausedReason,
                Expr::value(Option::<String>::None),
            );
    }
    if to == CampaignStatus::Completed {
        update = update.col_expr(campaign::Column::CompletedAt, Expr::value(now));
    }
    let result = update
        .filter(campaign::Column::Id.eq(&campaign.id))
        .filter(campaign::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Runs a transition and, when this call made it, emits its event in the same transaction.
/// Moves the locked campaign of `txn` and emits `event_type` when it moved; commits.
async fn transition_and_emit<T: ConnectionTrait + TransactionSession>(
    txn: T,
    workspace_id: &str,
    current: &campaign::Model,
    from: &[CampaignStatus],
    to: CampaignStatus,
    event_type: &str,
    now: DateTime<Utc>,
) -> AppResult<(campaign::Model, bool)> {
    let moved = transition(&txn, current, from, to, now).await?;
    let after = get(&txn, workspace_id, &current.id).await?;
    if moved {
        events::emit(&txn, workspace_id, event_type, to_json(&after)?, now).await?;
    }
    txn.commit().await?;
    if !moved && after.status != to {
        return Err(illegal(&after, "it changed state meanwhile"));
    }
    Ok((after, moved))
}

/// A completed campaign given new contacts runs again, for them (`campaign.started`); in the
/// caller's transaction, which holds the campaign locked.
pub(crate) async fn reopen(
    txn: &impl ConnectionTrait,
    campaign: &campaign::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let moved = campaign::Entity::update_many()
        .col_expr(
            campaign::Column::Status,
            Expr::value(CampaignStatus::Running.as_str()),
        )
        .col_expr(
            campaign::Column::CompletedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
        .filter(campaign::Column::Id.eq(&campaign.id))
        .filter(campaign::Column::Status.eq(CampaignStatus::Completed.as_str()))
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    if moved {
        let after = get(txn, &campaign.workspace_id, &campaign.id).await?;
        events::emit(
            txn,
            &campaign.workspace_id,
            "campaign.started",
            to_json(&after)?,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Starts (or resumes) a campaign. Starting a running campaign changes nothing. Returns the
/// campaign and whether this call moved it (only then is `campaign.started` emitted).
pub async fn start<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<(campaign::Model, bool)> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    match current.status {
        CampaignStatus::Running => return Ok((current, false)),
        CampaignStatus::Completed => {
            return Err(illegal(&current, "a completed campaign cannot start again"));
        }
        CampaignStatus::Draft | CampaignStatus::Paused => {}
    }
    if accounts_of(&current)?.is_empty() {
        return Err(illegal(
            &current,
            "it needs an emailAccountId before it can start",
        ));
    }
    if steps_of(&current)?.is_empty() {
        return Err(illegal(
            &current,
            "it needs at least one step before it can start",
        ));
    }
    if current.contact_count < 1 {
        return Err(illegal(
            &current,
            "it needs at least one enrolled contact before it can start",
        ));
    }
    enrolments::schedule_pending(&txn, &current, now).await?;
    // What was parked while it could not send is due again at the window's next opening.
    let due = super::shape::next_due(&current, now)?;
    parking::unpark(&txn, &current.id, &parking::Parked::ALL, due, now).await?;
    transition_and_emit(
        txn,
        workspace_id,
        &current,
        &[CampaignStatus::Draft, CampaignStatus::Paused],
        CampaignStatus::Running,
        "campaign.started",
        now,
    )
    .await
}

/// Pauses a running campaign; pausing a paused one changes nothing.
pub async fn pause<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<(campaign::Model, bool)> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    match current.status {
        CampaignStatus::Paused => return Ok((current, false)),
        CampaignStatus::Running => {}
        CampaignStatus::Draft => {
            return Err(illegal(&current, "only a running campaign can be paused"));
        }
        CampaignStatus::Completed => {
            return Err(illegal(&current, "a completed campaign cannot be paused"));
        }
    }
    transition_and_emit(
        txn,
        workspace_id,
        &current,
        &[CampaignStatus::Running],
        CampaignStatus::Paused,
        "campaign.paused",
        now,
    )
    .await
}

/// Marks a running (or paused) campaign completed: every contact is done.
pub async fn complete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<(campaign::Model, bool)> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    match current.status {
        CampaignStatus::Completed => return Ok((current, false)),
        CampaignStatus::Draft => return Err(illegal(&current, "a draft has not started")),
        CampaignStatus::Running | CampaignStatus::Paused => {}
    }
    transition_and_emit(
        txn,
        workspace_id,
        &current,
        &[CampaignStatus::Running, CampaignStatus::Paused],
        CampaignStatus::Completed,
        "campaign.completed",
        now,
    )
    .await
}

/// Completes a started campaign that has no open enrolment left (`campaign.completed`), on the
/// transaction of the change that closed its last one. Returns whether it completed.
pub async fn complete_if_done(
    txn: &impl ConnectionTrait,
    campaign_id: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    // Locked: two transactions closing the last two enrolments cannot each see the other's
    // still open (the second waits, then reads the first's close).
    let Some(current) = campaign::Entity::find_by_id(campaign_id.to_owned())
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(false);
    };
    if !matches!(
        current.status,
        CampaignStatus::Running | CampaignStatus::Paused
    ) || enrolments::any_open(txn, campaign_id).await?
    {
        return Ok(false);
    }
    let moved = transition(
        txn,
        &current,
        &[CampaignStatus::Running, CampaignStatus::Paused],
        CampaignStatus::Completed,
        now,
    )
    .await?;
    if moved {
        let after = get(txn, &current.workspace_id, campaign_id).await?;
        events::emit(
            txn,
            &current.workspace_id,
            "campaign.completed",
            to_json(&after)?,
            now,
        )
        .await?;
    }
    Ok(moved)
}

/// Pauses a running campaign on the system's behalf, saying why (`campaign.paused` carries it).
pub async fn pause_for(
    txn: &sea_orm::DatabaseTransaction,
    campaign: &campaign::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let moved = transition(
        txn,
        campaign,
        &[CampaignStatus::Running],
        CampaignStatus::Paused,
        now,
    )
    .await?;
    if moved {
        campaign::Entity::update_many()
            .col_expr(campaign::Column::PausedReason, Expr::value(reason))
            .filter(campaign::Column::Id.eq(&campaign.id))
            .exec(txn)
            .await?;
        let after = get(txn, &campaign.workspace_id, &campaign.id).await?;
        events::emit(
            txn,
            &campaign.workspace_id,
            "campaign.paused",
            to_json(&after)?,
            now,
        )
        .await?;
    }
    Ok(moved)
}
