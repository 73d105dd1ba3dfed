//! The rules of sending: which enrolments are due now, within which limits and from which
//! account; claiming them at most once; and what each SMTP outcome means. The engine only
//! loops, talks SMTP and reports outcomes here.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, contact, email_account, message};
use rand::Rng as _;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::campaigns::{self, CampaignStatus};
use super::compose::{self, ComposeError, Draft, Thread};
use super::contacts::ContactStatus;
use super::email_accounts::AccountStatus;
use super::enrolments::{self, EnrolmentState};
use super::messages::{self, EmailEvent, MessageState};
use super::quotas;
use super::suppressions;
use super::tracking::Tracker;
use super::window::{self, Window};
use crate::error::{AppError, AppResult};

/// How the sending rules are tuned; the defaults are production's.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Waits before each retry of a temporarily refused email; past the last, it fails.
    pub retry_schedule: Vec<Duration>,
    /// A `sending` row older than this belongs to a process that died: its outcome is unknown.
    pub stale_after: Duration,
    /// How long a claim holds a `queued` email before it returns to due (renewed while its
    /// worker's lane waits to send it).
    pub lease: Duration,
    /// How soon an enrolment held by a missing field is looked at again.
    pub recheck_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        Policy {
            retry_schedule: vec![minutes(1), minutes(5), minutes(30), minutes(120)],
            stale_after: minutes(10),
            lease: Duration::from_secs(60),
            recheck_after: minutes(60),
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// One email claimed for sending: its row is committed as `queued` under the claim's token.
#[derive(Clone, Debug)]
pub struct Job {
    /// The claim that queued it; only this claim may start it.
    pub token: String,
    pub message: message::Model,
    pub account: email_account::Model,
    pub from: String,
    pub to: String,
    pub bytes: Vec<u8>,
    /// The local days whose limits this send took (released if nothing was delivered).
    pub campaign_day: String,
    pub account_day: String,
}

/// How one SMTP attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx after the data.
    Sent(String),
    /// 5xx on RCPT or DATA: the recipient's server refused it for good.
    Bounced(String),
    /// 4xx, or no connection: nothing was delivered; try again later.
    Deferred(String),
    /// The account cannot send as configured (credentials refused, a host that is not
    /// allowed): its sends wait until its settings change. The text is its `lastError`.
    AccountError(String),
    /// Refused before any recipient was tried (e.g. 5xx on MAIL FROM).
    Failed(String),
    /// The connection broke after the data was handed over: maybe delivered.
    Unknown(String),
    /// Claimed but never handed to SMTP (the worker is stopping): due again at once, the
    /// attempt not counted.
    Released,
    /// The engine failed on this email (a bug, caught): it ends `failed` with reason
    /// `internal`, never retried.
    Internal(String),
}

impl Outcome {
    /// Its name in metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Sent(_) => "sent",
            Outcome::Bounced(_) => "bounced",
            Outcome::Deferred(_) => "deferred",
            Outcome::AccountError(_) => "account_error",
            Outcome::Failed(_) => "failed",
            Outcome::Unknown(_) => "unknown",
            Outcome::Released => "released",
            Outcome::Internal(_) => "internal",
        }
    }
}

/// An account that may send now, and how many more it may send this pass.
struct Ready {
    account: email_account::Model,
    day: String,
    /// Emails this pass may still take from it.
    room: i32,
    /// Emails left in its day.
    left: i32,
}

async fn ready_accounts(
    db: &impl ConnectionTrait,
    accounts: &[&email_account::Model],
    now: DateTime<Utc>,
) -> AppResult<Vec<Ready>> {
    let mut out = Vec::new();
    for account in accounts {
        if AccountStatus::of(account) != AccountStatus::Ok
            || account.next_send_at.is_some_and(|at| at > now)
        {
            continue;
        }
        // A corrupt row stops its own account only (the error, naming it, is logged).
        let Ok(day) = quotas::account_day(account, now) else {
            continue;
        };
        let left = account.daily_limit - quotas::sent_on(db, &account.id, &day).await?;
        if left > 0 {
            // With a send gap, one email per pass; the gap decides when the next may go.
            let room = if account.send_gap_seconds > 0 {
                1
            } else {
                left
            };
            out.push(Ready {
                account: (*account).clone(),
                day,
                room,
                left,
            });
        }
    }
    Ok(out)
}

/// Enrolments of a campaign due at `now` (follow-ups or first steps), earliest first: the
/// read the claim locks. Read-only here, for diagnostics and the benchmark.
pub async fn find_due(
    db: &impl ConnectionTrait,
    campaign_id: &str,
    follow_up: bool,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<campaign_contact::Model>> {
    Ok(due_query(campaign_id, follow_up, now, limit)
        .all(db)
        .await?)
}

fn due_query(
    campaign_id: &str,
    follow_up: bool,
    now: DateTime<Utc>,
    limit: u64,
) -> sea_orm::Select<campaign_contact::Entity> {
    campaign_contact::Entity::find()
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(campaign_contact::Column::FollowUp.eq(follow_up))
        .filter(campaign_contact::Column::NextSendAt.lte(now))
        .order_by_asc(campaign_contact::Column::NextSendAt)
        .limit(limit)
}

/// Claims up to `limit` due emails across running campaigns, each committed as a `queued`
/// message (leased to this claim) before any SMTP traffic. Follow-ups go before first steps; every limit is taken
/// atomically in the database, so two workers never overshoot one.
pub async fn claim(
    db: &DatabaseConnection,
    tracker: &Tracker,
    policy: &Policy,
    now: DateTime<Utc>,
    limit: usize,
) -> AppResult<Vec<Job>> {
    claim_except(db, tracker, policy, now, limit, &HashSet::new()).await
}

/// `claim`, leaving out the accounts in `busy` (this worker's lanes still sending for them).
pub async fn claim_except(
    db: &DatabaseConnection,
    tracker: &Tracker,
    policy: &Policy,
    now: DateTime<Utc>,
    limit: usize,
    busy: &HashSet<String>,
) -> AppResult<Vec<Job>> {
    let running = campaign::Entity::find()
        .filter(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
        .order_by_asc(campaign::Column::Id)
        .all(db)
        .await?;
    if running.is_empty() {
        return Ok(Vec::new());
    }
    let mut jobs = Vec::new();
    let token = crate::ids::new_id("clm");
    // Start the pass at a random campaign so a busy one cannot starve the others.
    let offset = rand::rng().random_range(0..running.len());
    for i in 0..running.len() {
        if jobs.len() >= limit {
            break;
        }
        let campaign = &running[(offset + i) % running.len()];
        // A corrupt campaign is reported (by the error's log) and skipped; the others go on.
        let Ok(window) = campaigns::window_of(campaign) else {
            continue;
        };
        if !window.contains(now) {
            continue;
        }
        // A cheap indexed read first: most passes find most campaigns with nothing due, and
        // should not take the write lock for them.
        if find_due(db, &campaign.id, true, now, 1).await?.is_empty()
            && find_due(db, &campaign.id, false, now, 1).await?.is_empty()
        {
            continue;
        }
        let room = limit - jobs.len();
        let claimed = claim_campaign(
            db, tracker, policy, campaign, &window, now, room, &token, busy,
        );
        match claimed.await {
            Ok(claimed) => jobs.extend(claimed),
            Err(err) if err.code == crate::error::ErrorCode::Internal => {
                tracing::error!(campaign = %campaign.id, message = %err.message, "claiming failed; the campaign is skipped this pass");
            }
            Err(err) => return Err(err),
        }
    }
    Ok(jobs)
}

#[allow(clippy::too_many_arguments)]
async fn claim_campaign(
    db: &DatabaseConnection,
    tracker: &Tracker,
    policy: &Policy,
    campaign: &campaign::Model,
    window: &Window,
    now: DateTime<Utc>,
    limit: usize,
    token: &str,
    busy: &HashSet<String>,
) -> AppResult<Vec<Job>> {
    let txn = crate::db::begin_write(db).await?;
    // Re-read inside the transaction: a pause that committed since the list was read wins. Not
    // locked: a pause committing after this read is seen by `begin` before each email's SMTP
    // transaction, and locking here would hold every outcome of the campaign while this claim
    // composes its batch.
    let Some(campaign) = campaign::Entity::find_by_id(campaign.id.clone())
        .filter(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
        .one(&txn)
        .await?
    else {
        return Ok(Vec::new());
    };
    let campaign_day = window::local_day(window.timezone(), now).to_string();
    let campaign_room =
        campaign.daily_limit - quotas::sent_on(&txn, &campaign.id, &campaign_day).await?;
    if campaign_room <= 0 {
        return Ok(Vec::new());
    }
    let account_ids = campaigns::accounts_of(&campaign)?;
    let accounts = email_account::Entity::find()
        .filter(email_account::Column::Id.is_in(account_ids.clone()))
        .filter(email_account::Column::WorkspaceId.eq(&campaign.workspace_id))
        .all(&txn)
        .await?;
    let ordered: Vec<&email_account::Model> = account_ids
        .iter()
        .filter(|id| !busy.contains(*id))
        .filter_map(|id| accounts.iter().find(|a| &a.id == id))
        .collect();
    let mut ready = ready_accounts(&txn, &ordered, now).await?;
    let capacity: i32 = ready.iter().map(|r| r.room).sum();
    let take_n = Ord::min(
        Ord::min(limit as i64, i64::from(campaign_room)),
        i64::from(capacity),
    );
    if take_n <= 0 {
        return Ok(Vec::new());
    }
    let take_n = take_n as u64;

    let ready_ids: Vec<String> = ready.iter().map(|r| r.account.id.clone()).collect();
    let mut due = due_query(&campaign.id, true, now, take_n)
        .filter(campaign_contact::Column::EmailAccountId.is_in(ready_ids.clone()))
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    if (due.len() as u64) < take_n {
        // A newcomer goes to any ready account; one already placed waits for its own.
        let firsts = due_query(&campaign.id, false, now, take_n - due.len() as u64)
            .filter(
                sea_orm::Condition::any()
                    .add(campaign_contact::Column::EmailAccountId.is_null())
                    .add(campaign_contact::Column::EmailAccountId.is_in(ready_ids)),
            )
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        due.extend(firsts);
    }
    if due.is_empty() {
        return Ok(Vec::new());
    }

    let contact_ids: Vec<String> = due.iter().map(|e| e.contact_id.clone()).collect();
    let people: HashMap<String, contact::Model> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(contact_ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let emails: Vec<String> = people
        .values()
        .map(|p| p.email_normalized.clone())
        .collect();
    let barred = suppressions::sources_of(&txn, &campaign.workspace_id, &emails).await?;
    let mut earlier: HashMap<(String, i32), message::Model> = message::Entity::find()
        .filter(message::Column::CampaignId.eq(&campaign.id))
        .filter(message::Column::ContactId.is_in(contact_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| ((m.contact_id.clone(), m.step), m))
        .collect();
    let steps = campaigns::steps_of(&campaign)?;
    let lease_until = crate::db::now_ms(&txn).await? + millis(policy.lease);
    let mut campaign_left = campaign_room;
    let mut jobs = Vec::new();
    let mut closed_any = false;

    for enrolment in due {
        if campaign_left <= 0 {
            break;
        }
        let Some(person) = people.get(&enrolment.contact_id) else {
            continue;
        };
        // Suppression: whatever the campaign, an unsubscribed or bounced contact, or one at a
        // suppressed address, is never emailed.
        let status = match ContactStatus::parse(&person.status) {
            Some(ContactStatus::Active) => barred
                .get(&person.email_normalized)
                .map_or(ContactStatus::Active, |source| source.contact_status()),
            other => other.unwrap_or(ContactStatus::Unsubscribed),
        };
        let suppressed = match status {
            ContactStatus::Active => None,
            ContactStatus::Bounced => Some(EnrolmentState::Bounced),
            _ => Some(EnrolmentState::Unsubscribed),
        };
        if let Some(state) = suppressed {
            enrolments::close(&txn, &campaign.id, &person.id, state, None, now).await?;
            closed_any = true;
            continue;
        }
        let step_no = enrolment.current_step + 1;
        let Some(step) = steps.get(Ord::max(enrolment.current_step, 0) as usize) else {
            enrolments::close(
                &txn,
                &campaign.id,
                &person.id,
                EnrolmentState::Completed,
                None,
                now,
            )
            .await?;
            closed_any = true;
            continue;
        };
        // The contact keeps one account for its whole sequence; a newcomer gets the ready
        // account with the most room left today.
        let pick = match &enrolment.email_account_id {
            Some(id) => ready.iter().position(|r| &r.account.id == id && r.room > 0),
            None => ready
                .iter()
                .enumerate()
                .filter(|(_, r)| r.room > 0)
                .max_by_key(|(_, r)| r.left)
                .map(|(i, _)| i),
        };
        let Some(pick) = pick else {
            continue;
        };
        let account = ready[pick].account.clone();
        let account_day = ready[pick].day.clone();
        let thread = if step_no > 1 {
            earlier.get(&(person.id.clone(), 1)).map(|m| Thread {
                message_id: m.message_id.clone(),
                subject: m.subject.clone(),
            })
        } else {
            None
        };
        let retry = match earlier.remove(&(person.id.clone(), step_no)) {
            Some(m) if MessageState::of(&m) == MessageState::Deferred => Some(m),
            // This step was already attempted (or is held by another claim): the enrolment is
            // settled from that message instead of blocking the campaign on the unique index.
            Some(m) => {
                closed_any |= settle_attempted(&txn, &campaign, &m, now).await?;
                continue;
            }
            None => None,
        };
        let (key, smtp_id) = match &retry {
            Some(m) => (m.id.clone(), m.message_id.clone()),
            None => messages::new_ids(&account.email),
        };
        // Composing is total (a property test says so); should it ever panic, that one
        // contact's enrolment fails (`internal`) and everyone else's sending goes on.
        let composed = crate::panics::guard_sync(
            crate::panics::SENDER,
            &format!("compose {}/{} step {step_no}", campaign.id, person.id),
            || {
                compose::compose(&Draft {
                    campaign: &campaign,
                    step,
                    contact: person,
                    account: &account,
                    message_key: &key,
                    message_id: &smtp_id,
                    thread: thread.as_ref(),
                    tracker,
                })
            },
        );
        let composed = match composed {
            Some(Ok(c)) => c,
            None => {
                enrolments::close(
                    &txn,
                    &campaign.id,
                    &person.id,
                    EnrolmentState::Failed,
                    Some("internal"),
                    now,
                )
                .await?;
                closed_any = true;
                continue;
            }
            Some(Err(err @ ComposeError::MissingField(_))) => {
                let due = window.next_opening(crate::clock::after(now, policy.recheck_after));
                let reason = err.reason();
                enrolments::reschedule(&txn, &campaign.id, &person.id, due, Some(&reason), now)
                    .await?;
                continue;
            }
            Some(Err(err)) => {
                let reason = err.reason();
                enrolments::close(
                    &txn,
                    &campaign.id,
                    &person.id,
                    EnrolmentState::Failed,
                    Some(&reason),
                    now,
                )
                .await?;
                closed_any = true;
                continue;
            }
        };

        if !quotas::take(&txn, &campaign.id, &campaign_day, campaign.daily_limit).await? {
            break;
        }
        if !quotas::take(&txn, &account.id, &account_day, account.daily_limit).await? {
            quotas::give_back(&txn, &campaign.id, &campaign_day).await?;
            ready[pick].room = 0;
            continue;
        }
        if account.send_gap_seconds > 0 {
            let gap =
                f64::from(account.send_gap_seconds) * (1.0 + rand::rng().random_range(0.0..0.5));
            let next = now + chrono::Duration::milliseconds((gap * 1000.0) as i64);
            let won = email_account::Entity::update_many()
                .col_expr(email_account::Column::NextSendAt, Expr::value(next))
                .filter(email_account::Column::Id.eq(&account.id))
                .filter(
                    sea_orm::Condition::any()
                        .add(email_account::Column::NextSendAt.is_null())
                        .add(email_account::Column::NextSendAt.lte(now)),
                )
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if !won {
                quotas::give_back(&txn, &campaign.id, &campaign_day).await?;
                quotas::give_back(&txn, &account.id, &account_day).await?;
                ready[pick].room = 0;
                continue;
            }
        }

        let row = match retry {
            Some(m) => {
                let moved = message::Entity::update_many()
                    .col_expr(
                        message::Column::State,
                        Expr::value(MessageState::Queued.as_str()),
                    )
                    .col_expr(message::Column::LeaseUntilMs, Expr::value(lease_until))
                    .col_expr(message::Column::ClaimToken, Expr::value(token))
                    .col_expr(
                        message::Column::CampaignDay,
                        Expr::value(campaign_day.as_str()),
                    )
                    .col_expr(
                        message::Column::AccountDay,
                        Expr::value(account_day.as_str()),
                    )
                    .col_expr(
                        message::Column::Attempts,
                        Expr::col(message::Column::Attempts).add(1),
                    )
                    .col_expr(
                        message::Column::EmailAccountId,
                        Expr::value(account.id.as_str()),
                    )
                    .col_expr(message::Column::UpdatedAt, Expr::value(now))
                    .filter(message::Column::Id.eq(&m.id))
                    .filter(message::Column::State.eq(MessageState::Deferred.as_str()))
                    .exec(&txn)
                    .await?
                    .rows_affected;
                if moved != 1 {
                    return Err(AppError::internal(
                        "a deferred message changed under its lock",
                    ));
                }
                message::Model {
                    state: MessageState::Queued.as_str().to_owned(),
                    attempts: m.attempts + 1,
                    email_account_id: account.id.clone(),
                    updated_at: now,
                    lease_until_ms: Some(lease_until),
                    claim_token: Some(token.to_owned()),
                    campaign_day: Some(campaign_day.clone()),
                    account_day: Some(account_day.clone()),
                    ..m
                }
            }
            None => {
                message::ActiveModel {
                    id: Set(key.clone()),
                    workspace_id: Set(campaign.workspace_id.clone()),
                    campaign_id: Set(campaign.id.clone()),
                    contact_id: Set(person.id.clone()),
                    step: Set(step_no),
                    email_account_id: Set(account.id.clone()),
                    message_id: Set(smtp_id.clone()),
                    subject: Set(composed.subject.clone()),
                    state: Set(MessageState::Queued.as_str().to_owned()),
                    attempts: Set(1),
                    lease_until_ms: Set(Some(lease_until)),
                    claim_token: Set(Some(token.to_owned())),
                    campaign_day: Set(Some(campaign_day.clone())),
                    account_day: Set(Some(account_day.clone())),
                    accepted_reply: Set(None),
                    last_reply: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    sent_at: Set(None),
                    opened_at: Set(None),
                    clicked_at: Set(None),
                    replied_at: Set(None),
                }
                .insert(&txn)
                .await?
            }
        };
        campaign_contact::Entity::update_many()
            .col_expr(
                campaign_contact::Column::NextSendAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                campaign_contact::Column::EmailAccountId,
                Expr::value(account.id.as_str()),
            )
            .col_expr(
                campaign_contact::Column::Reason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
            .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
            .filter(campaign_contact::Column::ContactId.eq(&person.id))
            .exec(&txn)
            .await?;
        ready[pick].room -= 1;
        ready[pick].left -= 1;
        campaign_left -= 1;
        jobs.push(Job {
            token: token.to_owned(),
            message: row,
            account,
            from: composed.from,
            to: composed.to,
            bytes: composed.bytes,
            campaign_day: campaign_day.clone(),
            account_day,
        });
    }
    if closed_any {
        campaigns::complete_if_done(&txn, &campaign.id).await?;
    }
    txn.commit().await?;
    Ok(jobs)
}

/// An enrolment came due for a step that already has a message: a sent one moves it on, a
/// queued or sending one (another claim's) leaves it waiting for that outcome, any other ends
/// it with reason `step_already_attempted`. Returns whether it closed.
async fn settle_attempted(
    txn: &sea_orm::DatabaseTransaction,
    campaign: &campaign::Model,
    m: &message::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let reason = Some("step_already_attempted");
    match MessageState::of(m) {
        MessageState::Sent => {
            tracing::warn!(message = %m.id, "an enrolment came due for a step already sent; moved on");
            enrolments::advance(
                txn,
                campaign,
                &m.contact_id,
                m.step,
                m.sent_at.unwrap_or(now),
            )
            .await
        }
        MessageState::Queued | MessageState::Sending => {
            campaign_contact::Entity::update_many()
                .col_expr(
                    campaign_contact::Column::NextSendAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
                .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
                .filter(campaign_contact::Column::ContactId.eq(&m.contact_id))
                .exec(txn)
                .await?;
            Ok(false)
        }
        MessageState::Bounced => {
            let state = EnrolmentState::Bounced;
            enrolments::close(txn, &campaign.id, &m.contact_id, state, reason, now).await?;
            Ok(true)
        }
        _ => {
            let state = EnrolmentState::Failed;
            enrolments::close(txn, &campaign.id, &m.contact_id, state, reason, now).await?;
            Ok(true)
        }
    }
}

/// What starting a claimed email found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Begun {
    /// Committed as `sending`: its SMTP transaction may start.
    Started,
    /// Its campaign is no longer running: the email went back to due (not sent).
    Returned,
    /// The claim was lost (its lease ended and the sweep returned it, or another claim holds
    /// it now): it must not be sent.
    Lost,
}

/// Moves a claimed email from `queued` to `sending`, committed alone, just before its SMTP
/// transaction: only while this claim still holds it and its campaign is still running (a
/// pause stops the next send of every lane). A paused campaign's email goes back to due.
pub async fn begin(
    db: &DatabaseConnection,
    policy: &Policy,
    job: &Job,
    now: DateTime<Utc>,
) -> AppResult<Begun> {
    let backend = db.get_database_backend();
    let started = message::Entity::update_many()
        .col_expr(
            message::Column::State,
            Expr::value(MessageState::Sending.as_str()),
        )
        .col_expr(
            message::Column::LeaseUntilMs,
            Expr::cust(format!(
                "{} + {}",
                crate::db::now_ms_sql(backend),
                millis(policy.stale_after)
            )),
        )
        .col_expr(
            message::Column::AcceptedReply,
            Expr::value(Option::<String>::None),
        )
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.eq(&job.message.id))
        .filter(message::Column::State.eq(MessageState::Queued.as_str()))
        .filter(message::Column::ClaimToken.eq(&job.token))
        .filter(
            message::Column::CampaignId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(campaign::Column::Id)
                    .from(campaign::Entity)
                    .and_where(campaign::Column::Id.eq(&job.message.campaign_id))
                    .and_where(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?
        .rows_affected;
    if started == 1 {
        return Ok(Begun::Started);
    }
    if release(db, job, "not started: the campaign is not running", now).await? {
        Ok(Begun::Returned)
    } else {
        Ok(Begun::Lost)
    }
}

/// Saves the server's 2xx reply on a `sending` email at once, in one statement and before its
/// outcome is recorded: a worker that dies between the two leaves an email the sweep records
/// `sent`, not one in doubt.
pub async fn accepted(db: &DatabaseConnection, job: &Job, reply: &str) -> AppResult<()> {
    message::Entity::update_many()
        .col_expr(message::Column::AcceptedReply, Expr::value(reply))
        .filter(message::Column::Id.eq(&job.message.id))
        .filter(message::Column::State.eq(MessageState::Sending.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a claimed email that never started back: `deferred` (the same row and Message-ID,
/// the attempt not counted), its day's limits given back, its enrolment due at once. Only
/// while `job`'s claim still holds it; false when it does not.
pub async fn release(
    db: &DatabaseConnection,
    job: &Job,
    why: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    let held = message::Entity::find_by_id(job.message.id.clone())
        .filter(message::Column::State.eq(MessageState::Queued.as_str()))
        .filter(message::Column::ClaimToken.eq(&job.token))
        .lock_exclusive()
        .one(&txn)
        .await?;
    let Some(m) = held else {
        return Ok(false);
    };
    return_to_due(&txn, &m, why, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// A `queued` row (locked by the caller) back to due.
async fn return_to_due(
    txn: &impl ConnectionTrait,
    m: &message::Model,
    why: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let moved = message::Entity::update_many()
        .col_expr(
            message::Column::State,
            Expr::value(MessageState::Deferred.as_str()),
        )
        .col_expr(message::Column::LastReply, Expr::value(why))
        .col_expr(
            message::Column::Attempts,
            Expr::value(Ord::max(m.attempts - 1, 0)),
        )
        .col_expr(
            message::Column::LeaseUntilMs,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            message::Column::ClaimToken,
            Expr::value(Option::<String>::None),
        )
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.eq(&m.id))
        .filter(message::Column::State.eq(MessageState::Queued.as_str()))
        .exec(txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(AppError::internal(
            "a queued message changed under its lock",
        ));
    }
    give_back_days(txn, m).await?;
    enrolments::reschedule(txn, &m.campaign_id, &m.contact_id, now, None, now).await?;
    Ok(())
}

async fn give_back_days(txn: &impl ConnectionTrait, m: &message::Model) -> AppResult<()> {
    if let Some(day) = &m.campaign_day {
        quotas::give_back(txn, &m.campaign_id, day).await?;
    }
    if let Some(day) = &m.account_day {
        quotas::give_back(txn, &m.email_account_id, day).await?;
    }
    Ok(())
}

/// Extends the lease of the emails `token` still holds `queued` (a lane waiting its turn).
pub async fn renew(db: &DatabaseConnection, policy: &Policy, token: &str) -> AppResult<u64> {
    let backend = db.get_database_backend();
    Ok(message::Entity::update_many()
        .col_expr(
            message::Column::LeaseUntilMs,
            Expr::cust(format!(
                "{} + {}",
                crate::db::now_ms_sql(backend),
                millis(policy.lease)
            )),
        )
        .filter(message::Column::ClaimToken.eq(token))
        .filter(message::Column::State.eq(MessageState::Queued.as_str()))
        .exec(db)
        .await?
        .rows_affected)
}

/// Records how a claimed email's SMTP attempt ended.
pub async fn finish(
    db: &DatabaseConnection,
    policy: &Policy,
    job: &Job,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let m = &job.message;
    // Locked: the sweep and this finish cannot both act on one email.
    let still_sending = message::Entity::find_by_id(m.id.clone())
        .filter(message::Column::State.eq(MessageState::Sending.as_str()))
        .lock_exclusive()
        .one(&txn)
        .await?;
    let Some(m) = still_sending.as_ref() else {
        // The sweep already called it unknown: that report stands.
        return Ok(());
    };
    let give_back = |txn| async move {
        quotas::give_back(txn, &job.message.campaign_id, &job.campaign_day).await?;
        quotas::give_back(txn, &job.account.id, &job.account_day).await?;
        AppResult::Ok(())
    };
    match outcome {
        Outcome::Sent(reply) => {
            enrolments::record_email_event(&txn, m, EmailEvent::Sent { reply }, now).await?;
        }
        Outcome::Bounced(reply) => {
            enrolments::record_email_event(&txn, m, EmailEvent::Bounced { reply }, now).await?;
        }
        Outcome::Failed(reply) => {
            let event = EmailEvent::Failed {
                reason: "refused".into(),
                reply: Some(reply),
            };
            give_back(&txn).await?;
            enrolments::record_email_event(&txn, m, event, now).await?;
        }
        Outcome::Unknown(_) => {
            enrolments::record_email_event(&txn, m, EmailEvent::Unknown, now).await?;
        }
        Outcome::Internal(text) => {
            let event = EmailEvent::Failed {
                reason: "internal".into(),
                reply: Some(text),
            };
            enrolments::record_email_event(&txn, m, event, now).await?;
        }
        Outcome::Deferred(reply) => {
            give_back(&txn).await?;
            let attempt = Ord::max(m.attempts, 1) as usize;
            match policy.retry_schedule.get(attempt - 1) {
                Some(wait) => {
                    defer(&txn, m, &reply, 0, now).await?;
                    let campaign = campaigns::get(&txn, &m.workspace_id, &m.campaign_id).await?;
                    let due = campaigns::window_of(&campaign)?
                        .next_opening(crate::clock::after(now, *wait));
                    enrolments::reschedule(
                        &txn,
                        &m.campaign_id,
                        &m.contact_id,
                        due,
                        Some("retrying"),
                        now,
                    )
                    .await?;
                }
                None => {
                    let event = EmailEvent::Failed {
                        reason: "delivery_failed".into(),
                        reply: Some(reply),
                    };
                    enrolments::record_email_event(&txn, m, event, now).await?;
                }
            }
        }
        Outcome::Released => {
            give_back(&txn).await?;
            defer(&txn, m, "not started: the worker stopped", 1, now).await?;
            enrolments::reschedule(&txn, &m.campaign_id, &m.contact_id, now, None, now).await?;
        }
        Outcome::AccountError(reply) => {
            give_back(&txn).await?;
            // Not the recipient's fault: the attempt does not count, and the email waits for
            // the account to be fixed.
            defer(&txn, m, &reply, 1, now).await?;
            super::email_accounts::set_error(&txn, &job.account.id, &reply).await?;
            enrolments::reschedule(
                &txn,
                &m.campaign_id,
                &m.contact_id,
                now,
                Some("account_error"),
                now,
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

async fn defer(
    txn: &impl ConnectionTrait,
    m: &message::Model,
    reply: &str,
    uncount: i32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    message::Entity::update_many()
        .col_expr(
            message::Column::State,
            Expr::value(MessageState::Deferred.as_str()),
        )
        .col_expr(message::Column::LastReply, Expr::value(reply))
        .col_expr(
            message::Column::Attempts,
            Expr::value(Ord::max(m.attempts - uncount, 0)),
        )
        .col_expr(message::Column::UpdatedAt, Expr::value(now))
        .filter(message::Column::Id.eq(&m.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Ends leases that ran out, on the database's clock: a `queued` row (its worker died or
/// lost it before starting) returns to due; a `sending` row whose 2xx reply was saved is
/// recorded `sent`; any other `sending` row (its worker died mid-send) becomes `unknown` (the
/// enrolment fails with `outcome_unknown`): reported, never sent again. Each row is decided under its lock. Returns how many became unknown.
pub async fn sweep(
    db: &DatabaseConnection,
    _policy: &Policy,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let backend = db.get_database_backend();
    let expired = || {
        Expr::cust(format!(
            "lease_until_ms < {}",
            crate::db::now_ms_sql(backend)
        ))
    };
    let stale = message::Entity::find()
        .filter(message::Column::State.is_in([
            MessageState::Queued.as_str(),
            MessageState::Sending.as_str(),
        ]))
        .filter(expired())
        .limit(500)
        .all(db)
        .await?;
    let mut unknown = 0;
    for m in stale {
        let txn = crate::db::begin_write(db).await?;
        let still = message::Entity::find_by_id(m.id.clone())
            .filter(message::Column::State.eq(m.state.as_str()))
            .filter(expired())
            .lock_exclusive()
            .one(&txn)
            .await?;
        match still {
            Some(m) if m.state == MessageState::Queued.as_str() => {
                tracing::info!(message = %m.id, campaign = %m.campaign_id, "a claim's lease ran out before its send started; due again");
                return_to_due(&txn, &m, "not started: its claim ran out", now).await?;
            }
            Some(m) => match m.accepted_reply.clone() {
                // The server had accepted it; only the recording was lost.
                Some(reply) => {
                    tracing::info!(message = %m.id, campaign = %m.campaign_id, "the sending process stopped after the server accepted the email; recorded sent");
                    enrolments::record_email_event(&txn, &m, EmailEvent::Sent { reply }, now)
                        .await?;
                }
                None => {
                    tracing::warn!(message = %m.id, campaign = %m.campaign_id, "outcome unknown: the sending process stopped mid-send");
                    enrolments::record_email_event(&txn, &m, EmailEvent::Unknown, now).await?;
                    unknown += 1;
                }
            },
            None => {}
        }
        txn.commit().await?;
    }
    Ok(unknown)
}

/// Enrolments of running campaigns whose next email is due by `now` (not yet claimed).
pub async fn due_unsent(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<i64> {
    use sea_orm::{PaginatorTrait, QuerySelect, QueryTrait};
    let running = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .filter(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
        .into_query();
    let due = campaign_contact::Entity::find()
        .filter(campaign_contact::Column::NextSendAt.lte(now))
        .filter(campaign_contact::Column::CampaignId.in_subquery(running))
        .count(db)
        .await?;
    Ok(i64::try_from(due).unwrap_or(i64::MAX))
}
