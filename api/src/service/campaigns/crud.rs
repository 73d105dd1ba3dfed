//! Creating, reading, updating and deleting campaigns.

use chrono::{DateTime, NaiveDate, Utc};
use entity::campaign;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, QueryTrait, Set, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::input::{
    CampaignInput, CampaignPatch, DEFAULT_DAILY_LIMIT, DEFAULT_OOO_PAUSE_DAYS, check_account,
    check_auto_winner, check_rotation, check_schedule, check_steps, daily_limit, name,
    ooo_pause_days,
};
use super::shape::{Schedule, schedule_of, step_count, steps_of};
use super::{CampaignStatus, illegal};
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::service::parking::{self, Parked};
use crate::service::stats;

pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    input: CampaignInput,
    now: DateTime<Utc>,
) -> AppResult<campaign::Model> {
    let name = name(input.name)?;
    let steps = check_steps(input.steps.unwrap_or_default(), &[])?;
    let schedule = check_schedule(input.schedule.unwrap_or_default(), Schedule::default())?;
    let daily_limit = daily_limit(input.daily_limit.unwrap_or(DEFAULT_DAILY_LIMIT))?;
    let account = match input.email_account_id {
        Some(id) => Some(check_account(db, workspace_id, &id).await?),
        None => None,
    };
    let rotation = check_rotation(
        db,
        workspace_id,
        input.email_account_ids.unwrap_or_default(),
    )
    .await?;
    let row = campaign::ActiveModel {
        id: Set(ids::new_id(ids::CAMPAIGN)),
        workspace_id: Set(workspace_id.to_owned()),
        name: Set(name),
        status: Set(CampaignStatus::Draft),
        email_account_id: Set(account),
        email_account_ids: Set(rotation),
        paused_reason: Set(None),
        steps: Set(json!(steps)),
        schedule: Set(json!(schedule)),
        daily_limit: Set(daily_limit),
        track_opens: Set(input.track_opens.unwrap_or(true)),
        track_clicks: Set(input.track_clicks.unwrap_or(true)),
        stop_on_reply: Set(input.stop_on_reply.unwrap_or(true)),
        stop_on_reply_scope: Set(input.stop_on_reply_scope.unwrap_or_default()),
        ooo_pause_days: Set(ooo_pause_days(
            input.ooo_pause_days.unwrap_or(DEFAULT_OOO_PAUSE_DAYS),
        )?),
        contact_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        started_at: Set(None),
        completed_at: Set(None),
        auto_winner: Set(match input.auto_winner {
            Some(auto) => Some(json!(check_auto_winner(auto)?)),
            None => None,
        }),
    };
    Ok(row.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<campaign::Model> {
    crate::service::owned::<campaign::Entity>(db, workspace_id, id).await
}

/// A campaign read with its figures in the same statement.
pub struct WithFigures {
    pub campaign: campaign::Model,
    /// Every counter: totals and each step's.
    pub stats: stats::CampaignStats,
    /// The daily tallies of the range asked for, zero-filled.
    pub timeline: Option<Vec<(NaiveDate, stats::Counts)>>,
}

const COUNTERS: &str = "fz_counters";
const TIMELINE: &str = "fz_timeline";

/// The workspace's campaign `id` with every counter and, when a day range is given, its
/// timeline over those days: one statement (as `get`, then the counters, then the tallies).
pub async fn get_with_figures(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    timeline: Option<(NaiveDate, NaiveDate)>,
) -> AppResult<WithFigures> {
    let backend = db.get_database_backend();
    let campaign_id = "\"campaigns\".\"id\"";
    let mut find = campaign::Entity::find_by_id(id.to_owned())
        .filter(campaign::Column::WorkspaceId.eq(workspace_id))
        .column_as(stats::packed_counters(backend, campaign_id), COUNTERS);
    if let Some((from, to)) = timeline {
        find = find.column_as(
            stats::packed_timeline(backend, campaign_id, from, to),
            TIMELINE,
        );
    }
    let row = db
        .query_one_raw(find.build(backend))
        .await?
        .ok_or_else(|| AppError::not_found("Campaign"))?;
    let campaign = campaign::Model::from_query_result(&row, "")?;
    let counters: Option<String> = row.try_get("", COUNTERS)?;
    let stats = stats::CampaignStats::from_packed(counters.as_deref(), step_count(&campaign))?;
    let timeline = match timeline {
        Some((from, to)) => {
            let packed: Option<String> = row.try_get("", TIMELINE)?;
            Some(stats::timeline_from_packed(packed.as_deref(), from, to)?)
        }
        None => None,
    };
    Ok(WithFigures {
        campaign,
        stats,
        timeline,
    })
}

impl crate::service::Owned for campaign::Entity {
    const NOUN: &'static str = "Campaign";
    fn workspace_column() -> campaign::Column {
        campaign::Column::WorkspaceId
    }
    fn id_column() -> campaign::Column {
        campaign::Column::Id
    }
}

/// The campaign, locked until the end of `txn` (PostgreSQL `FOR UPDATE`; a SQLite write
/// transaction already excludes other writers): what is checked here stays true until commit.
pub(crate) async fn get_locked(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<campaign::Model> {
    campaign::Entity::find_by_id(id.to_owned())
        .filter(campaign::Column::WorkspaceId.eq(workspace_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Campaign"))
}

/// Updates a campaign. Steps and the email account change only while draft or paused; a
/// completed campaign only takes a new name. The status is checked on the locked row, so a
/// concurrent start cannot slip between the check and the write.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    patch: CampaignPatch,
    now: DateTime<Utc>,
) -> AppResult<campaign::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    let status = current.status;
    let editable = matches!(status, CampaignStatus::Draft | CampaignStatus::Paused);
    if status == CampaignStatus::Completed {
        let only_name = patch.email_account_id.is_none()
            && patch.email_account_ids.is_none()
            && patch.steps.is_none()
            && patch.schedule.is_none()
            && patch.daily_limit.is_none()
            && patch.track_opens.is_none()
            && patch.track_clicks.is_none()
            && patch.stop_on_reply.is_none()
            && patch.stop_on_reply_scope.is_none()
            && patch.ooo_pause_days.is_none();
        if !only_name {
            return Err(illegal(
                &current,
                "a completed campaign can only be renamed",
            ));
        }
    }
    if !editable
        && (patch.steps.is_some()
            || patch.email_account_id.is_some()
            || patch.email_account_ids.is_some())
    {
        return Err(illegal(
            &current,
            "steps and email accounts change only while draft or paused",
        ));
    }
    let patch_touches_timing = patch.schedule.is_some() || patch.daily_limit.is_some();
    let cannot_clear =
        |field: &str| AppError::invalid_field(field, format!("{field} cannot be removed"));
    let mut row: campaign::ActiveModel = current.clone().into();
    if let Some(v) = patch.name {
        row.name = Set(name(v)?);
    }
    if let Some(v) = patch.steps {
        row.steps = Set(json!(check_steps(
            v.unwrap_or_default(),
            &steps_of(&current)?
        )?));
    }
    if let Some(v) = patch.schedule {
        let input = v.ok_or_else(|| cannot_clear("schedule"))?;
        row.schedule = Set(json!(check_schedule(input, schedule_of(&current)?)?));
    }
    if let Some(v) = patch.auto_winner {
        row.auto_winner = Set(match v {
            Some(auto) => Some(json!(check_auto_winner(auto)?)),
            None => None,
        });
    }
    if let Some(v) = patch.daily_limit {
        row.daily_limit = Set(daily_limit(v.ok_or_else(|| cannot_clear("dailyLimit"))?)?);
    }
    if let Some(v) = patch.track_opens {
        row.track_opens = Set(v.ok_or_else(|| cannot_clear("trackOpens"))?);
    }
    if let Some(v) = patch.track_clicks {
        row.track_clicks = Set(v.ok_or_else(|| cannot_clear("trackClicks"))?);
    }
    if let Some(v) = patch.stop_on_reply_scope {
        row.stop_on_reply_scope = Set(v.unwrap_or_default());
    }
    if let Some(v) = patch.ooo_pause_days {
        row.ooo_pause_days = Set(ooo_pause_days(v.unwrap_or(DEFAULT_OOO_PAUSE_DAYS))?);
    }
    if let Some(v) = patch.stop_on_reply {
        row.stop_on_reply = Set(v.ok_or_else(|| cannot_clear("stopOnReply"))?);
    }
    if let Some(v) = patch.email_account_id {
        row.email_account_id = Set(match v {
            Some(id) => Some(check_account(&txn, workspace_id, &id).await?),
            None => None,
        });
    }
    if let Some(v) = patch.email_account_ids {
        row.email_account_ids =
            Set(check_rotation(&txn, workspace_id, v.unwrap_or_default()).await?);
    }
    let timing = patch_touches_timing;
    row.updated_at = Set(now);
    let updated = row.update(&txn).await?;
    if timing {
        // Work parked for the old limit or window is due again by the new ones.
        let due = super::shape::next_due(&updated, now)?;
        let parked = [Parked::DailyLimit, Parked::OutsideWindow];
        parking::unpark(&txn, &updated.id, &parked, due, now).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a campaign that is not running, with its enrolments and figures.
pub async fn delete(db: &impl ConnectionTrait, workspace_id: &str, id: &str) -> AppResult<String> {
    let current = get(db, workspace_id, id).await?;
    let result = campaign::Entity::delete_many()
        .filter(campaign::Column::Id.eq(&current.id))
        .filter(campaign::Column::Status.ne(CampaignStatus::Running.as_str()))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(illegal(&current, "pause it before deleting it"));
    }
    Ok(current.id)
}

/// Campaigns by id (callers pass ids they already scoped to a workspace).
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[String]) -> AppResult<Vec<campaign::Model>> {
    Ok(campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?)
}
