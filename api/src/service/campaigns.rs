//! Campaigns: sequences of emails sent to enrolled contacts on a schedule, and their lifecycle.

use entity::{campaign, email_account};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IdenStatic,
    PaginatorTrait, QueryFilter, QuerySelect, QueryTrait, Set, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::columns::{Columns, Reader};
pub use super::enrolments::EnrolmentState;
use super::window::Window;
use super::{
    Page, PageRequest, Patch, SortOrder, clean_text, email_accounts, enrolments, events,
    sort_field, stats, templates,
};
use crate::error::{AppError, AppResult};
use crate::ids;

pub const MAX_STEPS: usize = 20;
pub const DEFAULT_DAILY_LIMIT: i32 = 100;
pub const MAX_DAILY_LIMIT: i32 = 10_000;
pub const MAX_NAME: usize = 200;
/// Longest subject line (RFC 5322 line limit).
pub const MAX_SUBJECT_CHARS: usize = 998;
pub const MAX_BODY_CHARS: usize = 100_000;
pub const MAX_DELAY_DAYS: i32 = 365;
/// Most contact ids one enrolment call takes (a group has no limit).
pub const MAX_ENROL_IDS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignStatus {
    Draft,
    Running,
    Paused,
    Completed,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 4] = [
        CampaignStatus::Draft,
        CampaignStatus::Running,
        CampaignStatus::Paused,
        CampaignStatus::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Completed => "completed",
        }
    }

    pub fn parse(value: &str) -> Option<CampaignStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The stored status; a value this code never writes is a corrupt row: an internal error
    /// (logged), never a status to act on.
    pub fn of(campaign: &campaign::Model) -> AppResult<CampaignStatus> {
        Self::parse(&campaign.status).ok_or_else(|| corrupt(campaign, "status"))
    }
}

/// One email of the sequence, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub subject: String,
    pub body: String,
    pub delay_days: i32,
}

/// When sending may happen: ISO weekdays (1 = Monday) and a local time window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub timezone: String,
    pub days: Vec<i32>,
    pub start_time: String,
    pub end_time: String,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            timezone: "UTC".into(),
            days: vec![1, 2, 3, 4, 5],
            start_time: "09:00".into(),
            end_time: "17:00".into(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct StepInput {
    pub subject: Option<String>,
    pub body: Option<String>,
    pub delay_days: Option<i32>,
}

#[derive(Clone, Debug, Default)]
pub struct ScheduleInput {
    pub timezone: Option<String>,
    pub days: Option<Vec<i32>>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub email_account_id: Option<String>,
    pub email_account_ids: Option<Vec<String>>,
    pub steps: Option<Vec<StepInput>>,
    pub schedule: Option<ScheduleInput>,
    pub daily_limit: Option<i32>,
    pub track_opens: Option<bool>,
    pub track_clicks: Option<bool>,
    pub stop_on_reply: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct CampaignPatch {
    pub name: Patch<String>,
    pub email_account_id: Patch<String>,
    pub email_account_ids: Patch<Vec<String>>,
    pub steps: Patch<Vec<StepInput>>,
    pub schedule: Patch<ScheduleInput>,
    pub daily_limit: Patch<i32>,
    pub track_opens: Patch<bool>,
    pub track_clicks: Patch<bool>,
    pub stop_on_reply: Patch<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
}

pub const SORT_FIELDS: &[(&str, campaign::Column)] = &[
    ("createdAt", campaign::Column::CreatedAt),
    ("updatedAt", campaign::Column::UpdatedAt),
    ("name", campaign::Column::Name),
];

/// The outcome of an enrolment call.
#[derive(Clone, Debug)]
pub struct Enrolment {
    pub campaign: campaign::Model,
    pub added: u64,
    /// Unsubscribed or bounced contacts, never enrolled.
    pub skipped: u64,
    pub already_enrolled: u64,
}

fn corrupt(campaign: &campaign::Model, what: &str) -> AppError {
    AppError::internal(format!("campaign {} has a corrupt {what}", campaign.id))
}

/// The stored steps; steps that do not decode are a corrupt row (an internal error, logged),
/// never "no steps".
pub fn steps_of(campaign: &campaign::Model) -> AppResult<Vec<Step>> {
    serde_json::from_value(campaign.steps.clone()).map_err(|_| corrupt(campaign, "steps"))
}

/// How many steps the campaign has, without decoding them.
pub fn step_count(campaign: &campaign::Model) -> usize {
    campaign.steps.as_array().map_or(0, Vec::len)
}

pub fn schedule_of(campaign: &campaign::Model) -> AppResult<Schedule> {
    serde_json::from_value(campaign.schedule.clone()).map_err(|_| corrupt(campaign, "schedule"))
}

/// The campaign's sending window; a stored schedule that does not build one is a corrupt row.
pub fn window_of(campaign: &campaign::Model) -> AppResult<Window> {
    let s = schedule_of(campaign)?;
    Window::new(&s.timezone, &s.days, &s.start_time, &s.end_time)
        .map_err(|_| corrupt(campaign, "schedule"))
}

/// Every email account the campaign sends from: `emailAccountId` first, then the rotation. A
/// rotation that does not decode is a corrupt row (an internal error, logged), never "the
/// first account only".
pub fn accounts_of(campaign: &campaign::Model) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = campaign.email_account_id.iter().cloned().collect();
    let rotation: Vec<String> = match &campaign.email_account_ids {
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| corrupt(campaign, "rotation"))?,
        None => Vec::new(),
    };
    for id in rotation {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

pub const MAX_ROTATION: usize = 50;

async fn check_rotation(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    ids: Vec<String>,
) -> AppResult<Option<serde_json::Value>> {
    if ids.len() > MAX_ROTATION {
        return Err(AppError::invalid_field(
            "emailAccountIds",
            format!("At most {MAX_ROTATION} email accounts per campaign"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if out.contains(&id) {
            continue;
        }
        email_accounts::get(db, workspace_id, &id)
            .await
            .map_err(|e| e.with_details(json!({ "field": "emailAccountIds", "id": id })))?;
        out.push(id);
    }
    Ok(if out.is_empty() {
        None
    } else {
        Some(json!(out))
    })
}

fn name(value: Option<String>) -> AppResult<String> {
    clean_text("name", value, MAX_NAME)?
        .ok_or_else(|| AppError::invalid_field("name", "Name is required"))
}

fn daily_limit(value: i32) -> AppResult<i32> {
    if !(1..=MAX_DAILY_LIMIT).contains(&value) {
        return Err(AppError::invalid_field(
            "dailyLimit",
            format!("dailyLimit must be between 1 and {MAX_DAILY_LIMIT}"),
        ));
    }
    Ok(value)
}

fn step_error(
    index: usize,
    part: &str,
    message: impl Into<String>,
    position: Option<usize>,
) -> AppError {
    let message = message.into();
    let mut details =
        json!({ "field": "steps", "step": index + 1, "part": part, "reason": message });
    if let Some(position) = position {
        details["position"] = json!(position);
    }
    AppError::validation(format!("Step {} {part}: {message}", index + 1)).with_details(details)
}

/// Checks a sequence: text present, templates well-formed, first delay 0, later delays ≥ 0.
fn check_steps(inputs: Vec<StepInput>) -> AppResult<Vec<Step>> {
    if inputs.len() > MAX_STEPS {
        return Err(AppError::invalid_field(
            "steps",
            format!("A campaign has at most {MAX_STEPS} steps"),
        ));
    }
    let mut steps = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        let subject = input
            .subject
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        if subject.is_empty() && index == 0 {
            return Err(step_error(
                index,
                "subject",
                "the first step needs a subject",
                None,
            ));
        }
        if subject.chars().count() > MAX_SUBJECT_CHARS || subject.contains(['\r', '\n']) {
            return Err(step_error(
                index,
                "subject",
                format!("subject must be one line of at most {MAX_SUBJECT_CHARS} characters"),
                None,
            ));
        }
        let body = input.body.unwrap_or_default();
        if body.trim().is_empty() {
            return Err(step_error(index, "body", "body is required", None));
        }
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(step_error(
                index,
                "body",
                format!("body must be at most {MAX_BODY_CHARS} characters"),
                None,
            ));
        }
        for (part, text) in [("subject", &subject), ("body", &body)] {
            templates::parse(text)
                .map_err(|e| step_error(index, part, e.message, Some(e.position)))?;
        }
        let delay_days = input.delay_days.unwrap_or(if index == 0 { 0 } else { 1 });
        if index == 0 && delay_days != 0 {
            return Err(step_error(
                index,
                "delayDays",
                "the first step is sent at once: delayDays must be 0",
                None,
            ));
        }
        if !(0..=MAX_DELAY_DAYS).contains(&delay_days) {
            return Err(step_error(
                index,
                "delayDays",
                format!("delayDays must be between 0 and {MAX_DELAY_DAYS}"),
                None,
            ));
        }
        steps.push(Step {
            subject,
            body,
            delay_days,
        });
    }
    Ok(steps)
}

fn check_time(field: &str, value: &str) -> AppResult<String> {
    let bad = || AppError::invalid_field(field, format!("{field} must be a time of day as HH:MM"));
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

/// Applies a schedule input over `base` (the default, or the current schedule).
fn check_schedule(input: ScheduleInput, base: Schedule) -> AppResult<Schedule> {
    let timezone = match input.timezone {
        Some(tz) => {
            let tz = tz.trim().to_owned();
            tz.parse::<chrono_tz::Tz>().map_err(|_| {
                AppError::invalid_field(
                    "schedule.timezone",
                    format!("'{tz}' is not an IANA time zone such as Europe/Lisbon"),
                )
            })?;
            tz
        }
        None => base.timezone,
    };
    let days = match input.days {
        Some(mut days) => {
            if days.is_empty() || days.iter().any(|d| !(1..=7).contains(d)) {
                return Err(AppError::invalid_field(
                    "schedule.days",
                    "days must list ISO weekdays from 1 (Monday) to 7 (Sunday)",
                ));
            }
            days.sort_unstable();
            days.dedup();
            days
        }
        None => base.days,
    };
    let start_time = match input.start_time {
        Some(t) => check_time("schedule.startTime", &t)?,
        None => base.start_time,
    };
    let end_time = match input.end_time {
        Some(t) => check_time("schedule.endTime", &t)?,
        None => base.end_time,
    };
    if start_time >= end_time {
        return Err(AppError::invalid_field(
            "schedule.endTime",
            "endTime must be later than startTime",
        ));
    }
    Ok(Schedule {
        timezone,
        days,
        start_time,
        end_time,
    })
}

async fn check_account(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<String> {
    email_accounts::get(db, workspace_id, id)
        .await
        .map(|account| account.id)
        .map_err(|e| e.with_details(json!({ "field": "emailAccountId" })))
}

pub(crate) fn illegal(campaign: &campaign::Model, reason: &str) -> AppError {
    AppError::conflict(format!("Campaign is {}: {reason}", campaign.status))
        .with_details(json!({ "status": campaign.status, "reason": reason }))
}

pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    input: CampaignInput,
) -> AppResult<campaign::Model> {
    let name = name(input.name)?;
    let steps = check_steps(input.steps.unwrap_or_default())?;
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
    let now = ids::now();
    let row = campaign::ActiveModel {
        id: Set(ids::new_id(ids::CAMPAIGN)),
        workspace_id: Set(workspace_id.to_owned()),
        name: Set(name),
        status: Set(CampaignStatus::Draft.as_str().to_owned()),
        email_account_id: Set(account),
        email_account_ids: Set(rotation),
        paused_reason: Set(None),
        steps: Set(json!(steps)),
        schedule: Set(json!(schedule)),
        daily_limit: Set(daily_limit),
        track_opens: Set(input.track_opens.unwrap_or(true)),
        track_clicks: Set(input.track_clicks.unwrap_or(true)),
        stop_on_reply: Set(input.stop_on_reply.unwrap_or(true)),
        contact_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        started_at: Set(None),
        completed_at: Set(None),
    };
    Ok(row.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<campaign::Model> {
    campaign::Entity::find_by_id(id.to_owned())
        .filter(campaign::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Campaign"))
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
) -> AppResult<campaign::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    let status = CampaignStatus::of(&current)?;
    let editable = matches!(status, CampaignStatus::Draft | CampaignStatus::Paused);
    if status == CampaignStatus::Completed {
        let only_name = patch.email_account_id.is_none()
            && patch.email_account_ids.is_none()
            && patch.steps.is_none()
            && patch.schedule.is_none()
            && patch.daily_limit.is_none()
            && patch.track_opens.is_none()
            && patch.track_clicks.is_none()
            && patch.stop_on_reply.is_none();
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
    let cannot_clear =
        |field: &str| AppError::invalid_field(field, format!("{field} cannot be removed"));
    let mut row: campaign::ActiveModel = current.clone().into();
    if let Some(v) = patch.name {
        row.name = Set(name(v)?);
    }
    if let Some(v) = patch.steps {
        row.steps = Set(json!(check_steps(v.unwrap_or_default())?));
    }
    if let Some(v) = patch.schedule {
        let input = v.ok_or_else(|| cannot_clear("schedule"))?;
        row.schedule = Set(json!(check_schedule(input, schedule_of(&current)?)?));
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
    row.updated_at = Set(ids::now());
    let updated = row.update(&txn).await?;
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

/// What a listing reads: the campaign columns its answer shows, and beside each campaign, in
/// the page's own statement, its counters and email account.
#[derive(Clone, Copy, Debug)]
pub struct ListWith {
    /// The campaign's columns to read; the rest of each model keeps its defaults (the id, the
    /// workspace and what the statement itself needs are always read).
    pub columns: Columns<campaign::Entity>,
    /// The campaign's totals.
    pub totals: bool,
    /// Every counter: totals and each step's (the steps are then read too, for their count).
    pub steps: bool,
    /// The email account's columns to read, when it is asked for (its id is always read).
    pub account: Option<Columns<email_account::Entity>>,
}

/// A listed campaign with what the listing was asked to read beside it.
pub struct Listed {
    /// The campaign, with only `columns` read.
    pub campaign: campaign::Model,
    pub columns: Columns<campaign::Entity>,
    /// The totals, when asked for (alone or with the steps).
    pub totals: Option<stats::Counts>,
    /// Every figure, when the steps were asked for: computed once from the counters read with
    /// the page.
    pub stats: Option<stats::CampaignStats>,
    /// The email account, when asked for (`Some(None)`: the campaign has none), with only the
    /// columns asked for read.
    pub account: Option<Option<email_account::Model>>,
}

const TOTAL: &str = "fz_total";
const COUNTERS: &str = "fz_counters";
const ACCOUNT: &str = "fz_ea_";

/// A page of campaigns in a total order (ties broken by id), with its total, and with `with`
/// the counters and email account of each: one statement whatever the page size.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    filter: &CampaignFilter,
    page: PageRequest,
    sort: Option<&str>,
    order: SortOrder,
    with: ListWith,
) -> AppResult<Page<Listed>> {
    let column = sort_field(sort, SORT_FIELDS)?;
    let mut cond = Condition::all().add(campaign::Column::WorkspaceId.eq(workspace_id));
    if let Some(status) = filter.status {
        cond = cond.add(campaign::Column::Status.eq(status.as_str()));
    }
    // The total rides on every row: an uncorrelated subquery, run once.
    let count = Query::select()
        .expr(Expr::col((campaign::Entity, campaign::Column::Id)).count())
        .from(campaign::Entity)
        .cond_where(cond.clone())
        .to_owned();
    let mut columns = with.columns.union(Columns::of(&[
        campaign::Column::Id,
        campaign::Column::WorkspaceId,
        column,
    ]));
    if with.steps {
        columns.add(campaign::Column::Steps);
    }
    if with.account.is_some() {
        columns.add(campaign::Column::EmailAccountId);
    }
    let mut find = campaign::Entity::find().select_only();
    for c in columns.iter() {
        find = find.column(c);
    }
    let inner = super::sorted(
        find.filter(cond.clone()),
        column,
        campaign::Column::Id,
        order,
    )
    .offset(page.offset())
    .limit(page.per_page)
    .column_as(Expr::SubQuery(None, Box::new(count.into())), TOTAL);
    let backend = db.get_database_backend();
    let table = Alias::new("page");
    let mut outer = Query::select();
    // The account's columns come first, so each row reads as [account…, campaign…, extras].
    let account_columns = with
        .account
        .map(|a| a.union(Columns::of(&[email_account::Column::Id])));
    if let Some(account_columns) = account_columns {
        let account = Alias::new("fz_ea");
        outer.join_as(
            JoinType::LeftJoin,
            email_account::Entity,
            account.clone(),
            Condition::all()
                .add(
                    Expr::col((account.clone(), email_account::Column::Id))
                        .equals((table.clone(), campaign::Column::EmailAccountId)),
                )
                .add(
                    Expr::col((account.clone(), email_account::Column::WorkspaceId))
                        .equals((table.clone(), campaign::Column::WorkspaceId)),
                ),
        );
        for c in account_columns.iter() {
            outer.expr_as(
                Expr::col((account.clone(), c)),
                Alias::new(format!("{ACCOUNT}{}", c.as_str())),
            );
        }
    }
    outer
        .column((table.clone(), Asterisk))
        .from_subquery(inner.into_query(), table.clone());
    if with.steps {
        outer.expr_as(stats::packed_counters(backend, "\"page\".\"id\""), COUNTERS);
    } else if with.totals {
        stats::join_totals(&mut outer, table.clone(), campaign::Column::Id);
    }
    super::sorted_outer(&mut outer, table, column, campaign::Column::Id, order);
    let rows = db.query_all_raw(backend.build(&outer)).await?;
    let campaigns = Reader::new(columns, account_columns.map_or(0, |a| a.len()));
    let accounts = account_columns.map(|a| Reader::new(a, 0));
    let mut total = None;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let campaign = campaigns.read(row)?;
        total = Some(row.try_get::<i64>("", TOTAL)?);
        let (totals, stats) = if with.steps {
            let packed: Option<String> = row.try_get("", COUNTERS)?;
            let stats =
                stats::CampaignStats::from_packed(packed.as_deref(), step_count(&campaign))?;
            (Some(stats.totals), Some(stats))
        } else if with.totals {
            (Some(stats::joined_totals(row)?), None)
        } else {
            (None, None)
        };
        let account = match &accounts {
            // The id is the first column read: NULL when the campaign has no account.
            Some(accounts) => Some(match row.try_get_by_index::<Option<String>>(0)? {
                Some(_) => Some(accounts.read(row)?),
                None => None,
            }),
            None => None,
        };
        items.push(Listed {
            campaign,
            columns,
            totals,
            stats,
            account,
        });
    }
    let total = match total {
        Some(total) => u64::try_from(total).unwrap_or(0),
        // A page past the end has no row to carry the total.
        None => campaign::Entity::find().filter(cond).count(db).await?,
    };
    Ok(Page {
        items,
        request: page,
        total,
    })
}

/// Campaigns by id (callers pass ids they already scoped to a workspace).
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[String]) -> AppResult<Vec<campaign::Model>> {
    Ok(campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?)
}

/// Moves `from` → `to` in one conditional statement, so concurrent calls cannot both win.
async fn transition(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    from: &[CampaignStatus],
    to: CampaignStatus,
) -> AppResult<bool> {
    let now = ids::now();
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

/// The campaign as the REST API shows it (also the `data` of campaign events).
pub fn to_json(c: &campaign::Model) -> AppResult<serde_json::Value> {
    let steps: Vec<serde_json::Value> = steps_of(c)?
        .iter()
        .enumerate()
        .map(|(i, s)| json!({ "step": i + 1, "subject": s.subject, "body": s.body, "delayDays": s.delay_days }))
        .collect();
    Ok(json!({
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "emailAccountId": c.email_account_id,
        "emailAccountIds": accounts_of(c)?,
        "pausedReason": c.paused_reason,
        "steps": steps,
        "schedule": schedule_of(c)?,
        "dailyLimit": c.daily_limit,
        "trackOpens": c.track_opens,
        "trackClicks": c.track_clicks,
        "stopOnReply": c.stop_on_reply,
        "contactCount": c.contact_count,
        "createdAt": ids::rfc3339(&c.created_at),
        "updatedAt": ids::rfc3339(&c.updated_at),
        "startedAt": c.started_at.as_ref().map(ids::rfc3339),
        "completedAt": c.completed_at.as_ref().map(ids::rfc3339),
    }))
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
) -> AppResult<(campaign::Model, bool)> {
    let moved = transition(&txn, current, from, to).await?;
    let after = get(&txn, workspace_id, &current.id).await?;
    if moved {
        events::emit(&txn, workspace_id, event_type, to_json(&after)?).await?;
    }
    txn.commit().await?;
    if !moved && CampaignStatus::of(&after)? != to {
        return Err(illegal(&after, "it changed state meanwhile"));
    }
    Ok((after, moved))
}

/// Starts (or resumes) a campaign. Starting a running campaign changes nothing. Returns the
/// campaign and whether this call moved it (only then is `campaign.started` emitted).
pub async fn start<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(campaign::Model, bool)> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    match CampaignStatus::of(&current)? {
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
    transition_and_emit(
        txn,
        workspace_id,
        &current,
        &[CampaignStatus::Draft, CampaignStatus::Paused],
        CampaignStatus::Running,
        "campaign.started",
    )
    .await
}

/// Pauses a running campaign; pausing a paused one changes nothing.
pub async fn pause<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
) -> AppResult<(campaign::Model, bool)> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    match CampaignStatus::of(&current)? {
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
    )
    .await
}

/// Marks a running (or paused) campaign completed: every contact is done.
pub async fn complete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
) -> AppResult<(campaign::Model, bool)> {
    let txn = crate::db::begin_write(db).await?;
    let current = get_locked(&txn, workspace_id, id).await?;
    match CampaignStatus::of(&current)? {
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
    )
    .await
}

/// Completes a started campaign that has no open enrolment left (`campaign.completed`), on the
/// transaction of the change that closed its last one. Returns whether it completed.
pub async fn complete_if_done(txn: &impl ConnectionTrait, campaign_id: &str) -> AppResult<bool> {
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
        CampaignStatus::of(&current)?,
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
    )
    .await?;
    if moved {
        let after = get(txn, &current.workspace_id, campaign_id).await?;
        events::emit(
            txn,
            &current.workspace_id,
            "campaign.completed",
            to_json(&after)?,
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
) -> AppResult<bool> {
    let moved = transition(
        txn,
        campaign,
        &[CampaignStatus::Running],
        CampaignStatus::Paused,
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
        )
        .await?;
    }
    Ok(moved)
}
