//! Claiming due emails: each committed as a `queued` message under one claim's token before
//! any SMTP traffic, every daily limit and send gap taken in the database.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, contact, email_account, message};
use rand::Rng as _;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::due::{Ready, due_campaigns, due_query, ready_accounts};
use super::types::{Job, Policy, millis};
use crate::error::{AppError, AppResult};
use crate::service::campaigns::{self, CampaignStatus, Step};
use crate::service::compose::{self, ComposeError, Composed, Draft, Thread};
use crate::service::contacts::ContactStatus;
use crate::service::enrolments::{self, EnrolmentState};
use crate::service::messages::{self, MessageState};
use crate::service::quotas;
use crate::service::suppressions::{self, Source};
use crate::service::tracking::Tracker;
use crate::service::window::{self, Window};

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
    // Only the campaigns with something due, found from one range of the due index: a
    // campaign with nothing due costs nothing here, however many are running.
    let due = due_campaigns(db, now).await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let running = campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(due))
        .filter(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
        .order_by_asc(campaign::Column::Id)
        .all(db)
        .await?;
    if running.is_empty() {
        return Ok(Vec::new());
    }
    let token = crate::ids::new_id("clm");
    // Start the pass at a random campaign so a busy one cannot starve the others.
    let offset = rand::rng().random_range(0..running.len());
    let open: Vec<(&campaign::Model, Window)> = (0..running.len())
        .map(|i| &running[(offset + i) % running.len()])
        .filter_map(|campaign| {
            // A corrupt campaign is reported (by the error's log) and skipped; the others go on.
            let window = campaigns::window_of(campaign).ok()?;
            window.contains(now).then_some((campaign, window))
        })
        .collect();
    // Campaigns are claimed side by side on PostgreSQL (each in its own transaction, so the
    // pass waits on their round trips together); SQLite takes one writer at a time. The
    // pass's limit is shared: a campaign starting once it is reached claims nothing.
    let side_by_side = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => CLAIMS_SIDE_BY_SIDE,
        _ => 1,
    };
    let left = AtomicUsize::new(limit);
    let mut shares = Vec::with_capacity(open.len());
    for (campaign, window) in open {
        let share = Share {
            campaign,
            window,
            left: &left,
        };
        shares.push(share.claim(db, tracker, policy, now, &token, busy));
    }
    let claims = futures_util::stream::iter(shares)
        .buffer_unordered(side_by_side)
        .collect::<Vec<_>>()
        .await;
    let mut jobs = Vec::new();
    for (campaign, claimed) in claims {
        match claimed {
            Ok(claimed) => jobs.extend(claimed),
            Err(err) if err.code == crate::error::ErrorCode::Internal => {
                tracing::error!(campaign = %campaign.id, message = %err.message, "claiming failed; the campaign is skipped this pass");
            }
            Err(err) => return Err(err),
        }
    }
    Ok(jobs)
}

/// Campaigns one pass claims side by side on PostgreSQL.
const CLAIMS_SIDE_BY_SIDE: usize = 4;

/// One campaign's turn in a pass, taking from the pass's shared limit.
struct Share<'a> {
    campaign: &'a campaign::Model,
    window: Window,
    left: &'a AtomicUsize,
}

impl<'a> Share<'a> {
    async fn claim(
        self,
        db: &DatabaseConnection,
        tracker: &Tracker,
        policy: &Policy,
        now: DateTime<Utc>,
        token: &str,
        busy: &HashSet<String>,
    ) -> (&'a campaign::Model, AppResult<Vec<Job>>) {
        let room = self.left.load(Ordering::Acquire);
        if room == 0 {
            return (self.campaign, Ok(Vec::new()));
        }
        let claimed = claim_campaign(
            db,
            tracker,
            policy,
            self.campaign,
            &self.window,
            now,
            room,
            token,
            busy,
        )
        .await;
        if let Ok(jobs) = &claimed {
            let _ = self
                .left
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    Some(n.saturating_sub(jobs.len()))
                });
        }
        (self.campaign, claimed)
    }
}

/// One campaign's share of a claim, in one write transaction: its room today, the accounts
/// ready to send, its due enrolments locked, then each claimed in turn.
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
    let Some(campaign) = still_running(&txn, &campaign.id).await? else {
        return Ok(Vec::new());
    };
    let campaign_day = window::local_day(window.timezone(), now).to_string();
    let campaign_room =
        campaign.daily_limit - quotas::sent_on(&txn, &campaign.id, &campaign_day).await?;
    if campaign_room <= 0 {
        return Ok(Vec::new());
    }
    let mut ready = ready_to_send(&txn, &campaign, busy, now).await?;
    let capacity: i32 = ready.iter().map(|r| r.room).sum();
    let take_n = Ord::min(
        Ord::min(limit as i64, i64::from(campaign_room)),
        i64::from(capacity),
    );
    if take_n <= 0 {
        return Ok(Vec::new());
    }
    let due = lock_due(&txn, &campaign.id, &ready, now, take_n as u64).await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Found::read(&txn, &campaign, &due).await?;
    let pass = Pass {
        txn: &txn,
        tracker,
        policy,
        campaign: &campaign,
        window,
        now,
        token,
        steps: campaigns::steps_of(&campaign)?,
        campaign_day: &campaign_day,
        lease_until: crate::db::now_ms(&txn).await? + millis(policy.lease),
        queued: Mutex::default(),
        claimed: Mutex::default(),
    };
    let mut campaign_left = campaign_room;
    let mut jobs = Vec::new();
    let mut closed_any = false;
    for enrolment in due {
        if campaign_left <= 0 {
            break;
        }
        let Some(person) = found.people.get(&enrolment.contact_id) else {
            continue;
        };
        let claimed = pass.claim_one(
            &enrolment,
            person,
            &found.barred,
            &mut found.earlier,
            &mut ready,
            &mut jobs,
        );
        match claimed.await? {
            Claimed::Queued => campaign_left -= 1,
            Claimed::Closed => closed_any = true,
            Claimed::Skipped => {}
            Claimed::CampaignFull => break,
        }
    }
    pass.write_claimed().await?;
    if closed_any {
        campaigns::complete_if_done(&txn, &campaign.id, now).await?;
    }
    txn.commit().await?;
    Ok(jobs)
}

/// The campaign re-read inside the transaction, if it is still running: a pause that
/// committed since the list was read wins. Not locked: a pause committing after this read is
/// seen by `begin` before each email's SMTP transaction, and locking here would hold every
/// outcome of the campaign while this claim composes its batch.
async fn still_running(
    txn: &DatabaseTransaction,
    campaign_id: &str,
) -> AppResult<Option<campaign::Model>> {
    Ok(campaign::Entity::find_by_id(campaign_id.to_owned())
        .filter(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
        .one(txn)
        .await?)
}

/// The campaign's accounts that may send now, in its own order, leaving out `busy` ones.
async fn ready_to_send(
    txn: &DatabaseTransaction,
    campaign: &campaign::Model,
    busy: &HashSet<String>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Ready>> {
    let account_ids = campaigns::accounts_of(campaign)?;
    let accounts = email_account::Entity::find()
        .filter(email_account::Column::Id.is_in(account_ids.clone()))
        .filter(email_account::Column::WorkspaceId.eq(&campaign.workspace_id))
        .all(txn)
        .await?;
    let ordered: Vec<&email_account::Model> = account_ids
        .iter()
        .filter(|id| !busy.contains(*id))
        .filter_map(|id| accounts.iter().find(|a| &a.id == id))
        .collect();
    ready_accounts(txn, &ordered, now).await
}

/// Up to `take_n` due enrolments, locked (skipping those another claim holds): follow-ups of
/// the ready accounts first, then first steps.
async fn lock_due(
    txn: &DatabaseTransaction,
    campaign_id: &str,
    ready: &[Ready],
    now: DateTime<Utc>,
    take_n: u64,
) -> AppResult<Vec<campaign_contact::Model>> {
    let ready_ids: Vec<String> = ready.iter().map(|r| r.account.id.clone()).collect();
    let mut due = due_query(campaign_id, true, now, take_n)
        .filter(campaign_contact::Column::EmailAccountId.is_in(ready_ids.clone()))
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(txn)
        .await?;
    if (due.len() as u64) < take_n {
        // A newcomer goes to any ready account; one already placed waits for its own.
        let firsts = due_query(campaign_id, false, now, take_n - due.len() as u64)
            .filter(
                sea_orm::Condition::any()
                    .add(campaign_contact::Column::EmailAccountId.is_null())
                    .add(campaign_contact::Column::EmailAccountId.is_in(ready_ids)),
            )
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(txn)
            .await?;
        due.extend(firsts);
    }
    Ok(due)
}

/// What the claim reads about its due contacts, in one statement each.
struct Found {
    people: HashMap<String, contact::Model>,
    /// Suppressions of their addresses, by normalized address.
    barred: HashMap<String, Source>,
    /// Their earlier messages in this campaign, by contact and step.
    earlier: HashMap<(String, i32), message::Model>,
}

impl Found {
    async fn read(
        txn: &DatabaseTransaction,
        campaign: &campaign::Model,
        due: &[campaign_contact::Model],
    ) -> AppResult<Found> {
        let contact_ids: Vec<String> = due.iter().map(|e| e.contact_id.clone()).collect();
        let people: HashMap<String, contact::Model> = contact::Entity::find()
            .filter(contact::Column::Id.is_in(contact_ids.clone()))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let emails: Vec<String> = people
            .values()
            .map(|p| p.email_normalized.clone())
            .collect();
        let barred = suppressions::sources_of(txn, &campaign.workspace_id, &emails).await?;
        let earlier = message::Entity::find()
            .filter(message::Column::CampaignId.eq(&campaign.id))
            .filter(message::Column::ContactId.is_in(contact_ids))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| ((m.contact_id.clone(), m.step), m))
            .collect();
        Ok(Found {
            people,
            barred,
            earlier,
        })
    }
}

/// What claiming one due enrolment came to.
enum Claimed {
    /// Its email is queued (and its job added).
    Queued,
    /// Its enrolment ended.
    Closed,
    /// Nothing this pass (it waits, or its account has no room left).
    Skipped,
    /// The campaign's day is full: the pass ends.
    CampaignFull,
}

/// What taking the day's limits for one email found.
enum Limits {
    Taken,
    CampaignFull,
    /// The account's day is full, or another worker's send gap holds it.
    AccountFull,
}

/// The email a claim is about to queue: to whom, which step, from which account.
struct Slot<'a> {
    person: &'a contact::Model,
    step_no: i32,
    account: &'a email_account::Model,
    account_day: &'a str,
}

/// One campaign's claim, inside its write transaction: what each enrolment's turn reads.
struct Pass<'a> {
    txn: &'a DatabaseTransaction,
    tracker: &'a Tracker,
    policy: &'a Policy,
    campaign: &'a campaign::Model,
    window: &'a Window,
    now: DateTime<Utc>,
    token: &'a str,
    steps: Vec<Step>,
    campaign_day: &'a str,
    lease_until: i64,
    /// New message rows queued by this pass, written together before it commits.
    queued: Mutex<Vec<message::ActiveModel>>,
    /// The enrolments this pass claimed, by the account each keeps: moved off due together.
    claimed: Mutex<HashMap<String, Vec<String>>>,
}

impl Pass<'_> {
    /// Claims one due enrolment: suppressed or finished ones close; otherwise its email is
    /// composed, the day's limits taken, and its message queued under this claim.
    async fn claim_one(
        &self,
        enrolment: &campaign_contact::Model,
        person: &contact::Model,
        barred: &HashMap<String, Source>,
        earlier: &mut HashMap<(String, i32), message::Model>,
        ready: &mut [Ready],
        jobs: &mut Vec<Job>,
    ) -> AppResult<Claimed> {
        if let Some(state) = suppression(person, barred) {
            self.close(&person.id, state, None).await?;
            return Ok(Claimed::Closed);
        }
        let step_no = enrolment.current_step + 1;
        let Some(step) = self.steps.get(Ord::max(enrolment.current_step, 0) as usize) else {
            self.close(&person.id, EnrolmentState::Completed, None)
                .await?;
            return Ok(Claimed::Closed);
        };
        let Some(pick) = pick_account(ready, enrolment) else {
            return Ok(Claimed::Skipped);
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
            Some(m) if m.state == MessageState::Deferred => Some(m),
            // This step was already attempted (or is held by another claim): the enrolment is
            // settled from that message instead of blocking the campaign on the unique index.
            Some(m) => {
                let closed = settle_attempted(self.txn, self.campaign, &m, self.now).await?;
                return Ok(if closed {
                    Claimed::Closed
                } else {
                    Claimed::Skipped
                });
            }
            None => None,
        };
        let (key, smtp_id) = match &retry {
            Some(m) => (m.id.clone(), m.message_id.clone()),
            None => messages::new_ids(&account.email),
        };
        let draft = Draft {
            campaign: self.campaign,
            step,
            contact: person,
            account: &account,
            message_key: &key,
            message_id: &smtp_id,
            thread: thread.as_ref(),
            tracker: self.tracker,
        };
        let composed = match self.compose(&draft, step_no).await? {
            Ok(composed) => composed,
            Err(claimed) => return Ok(claimed),
        };
        let slot = Slot {
            person,
            step_no,
            account: &account,
            account_day: &account_day,
        };
        match self.take_limits(&slot).await? {
            Limits::Taken => {}
            Limits::CampaignFull => return Ok(Claimed::CampaignFull),
            Limits::AccountFull => {
                ready[pick].room = 0;
                return Ok(Claimed::Skipped);
            }
        }
        let row = match retry {
            Some(m) => self.requeue(m, &slot).await?,
            None => {
                self.insert_queued(&slot, key, smtp_id, &composed.subject)
                    .await?
            }
        };
        self.mark_claimed(&slot).await?;
        ready[pick].room -= 1;
        ready[pick].left -= 1;
        jobs.push(Job {
            token: self.token.to_owned(),
            message: row,
            account,
            from: composed.from,
            to: composed.to,
            bytes: composed.bytes,
            campaign_day: self.campaign_day.to_owned(),
            account_day,
        });
        Ok(Claimed::Queued)
    }

    async fn close(
        &self,
        contact_id: &str,
        state: EnrolmentState,
        reason: Option<&str>,
    ) -> AppResult<()> {
        let campaign_id = &self.campaign.id;
        enrolments::close(self.txn, campaign_id, contact_id, state, reason, self.now).await?;
        Ok(())
    }

    /// The composed email, or what became of an enrolment whose email cannot be composed: a
    /// missing field holds it for a while, anything else ends it.
    async fn compose(
        &self,
        draft: &Draft<'_>,
        step_no: i32,
    ) -> AppResult<Result<Composed, Claimed>> {
        let contact_id = &draft.contact.id;
        // Composing is total (a property test says so); should it ever panic, that one
        // contact's enrolment fails (`internal`) and everyone else's sending goes on.
        let composed = crate::panics::guard_sync(
            crate::panics::SENDER,
            &format!("compose {}/{} step {step_no}", self.campaign.id, contact_id),
            || compose::compose(draft),
        );
        match composed {
            Some(Ok(c)) => Ok(Ok(c)),
            None => {
                self.close(contact_id, EnrolmentState::Failed, Some("internal"))
                    .await?;
                Ok(Err(Claimed::Closed))
            }
            Some(Err(err @ ComposeError::MissingField(_))) => {
                let due = self
                    .window
                    .next_opening(crate::clock::after(self.now, self.policy.recheck_after));
                let reason = err.reason();
                let (campaign_id, now) = (&self.campaign.id, self.now);
                enrolments::reschedule(self.txn, campaign_id, contact_id, due, Some(&reason), now)
                    .await?;
                Ok(Err(Claimed::Skipped))
            }
            Some(Err(err)) => {
                let reason = err.reason();
                self.close(contact_id, EnrolmentState::Failed, Some(&reason))
                    .await?;
                Ok(Err(Claimed::Closed))
            }
        }
    }

    /// Takes one email from the campaign's and the account's day, and the account's send gap;
    /// on a refusal whatever was taken is given back.
    async fn take_limits(&self, slot: &Slot<'_>) -> AppResult<Limits> {
        let (txn, campaign, account) = (self.txn, self.campaign, slot.account);
        if !quotas::take(txn, &campaign.id, self.campaign_day, campaign.daily_limit).await? {
            return Ok(Limits::CampaignFull);
        }
        if !quotas::take(txn, &account.id, slot.account_day, account.daily_limit).await? {
            quotas::give_back(txn, &campaign.id, self.campaign_day).await?;
            return Ok(Limits::AccountFull);
        }
        if account.send_gap_seconds > 0 && !self.take_gap(account).await? {
            quotas::give_back(txn, &campaign.id, self.campaign_day).await?;
            quotas::give_back(txn, &account.id, slot.account_day).await?;
            return Ok(Limits::AccountFull);
        }
        Ok(Limits::Taken)
    }

    /// Moves the account's next send past a randomized gap, if no other claim has already.
    async fn take_gap(&self, account: &email_account::Model) -> AppResult<bool> {
        let now = self.now;
        let gap = f64::from(account.send_gap_seconds) * (1.0 + rand::rng().random_range(0.0..0.5));
        let next = now + chrono::Duration::milliseconds((gap * 1000.0) as i64);
        let won = email_account::Entity::update_many()
            .col_expr(email_account::Column::NextSendAt, Expr::value(next))
            .filter(email_account::Column::Id.eq(&account.id))
            .filter(
                sea_orm::Condition::any()
                    .add(email_account::Column::NextSendAt.is_null())
                    .add(email_account::Column::NextSendAt.lte(now)),
            )
            .exec(self.txn)
            .await?
            .rows_affected
            == 1;
        Ok(won)
    }

    /// A deferred message, queued again under this claim (the same row and Message-ID).
    async fn requeue(&self, m: message::Model, slot: &Slot<'_>) -> AppResult<message::Model> {
        let (now, token, lease_until) = (self.now, self.token, self.lease_until);
        let moved = message::Entity::update_many()
            .col_expr(
                message::Column::State,
                Expr::value(MessageState::Queued.as_str()),
            )
            .col_expr(message::Column::LeaseUntilMs, Expr::value(lease_until))
            .col_expr(message::Column::ClaimToken, Expr::value(token))
            .col_expr(message::Column::CampaignDay, Expr::value(self.campaign_day))
            .col_expr(message::Column::AccountDay, Expr::value(slot.account_day))
            .col_expr(
                message::Column::Attempts,
                Expr::col(message::Column::Attempts).add(1),
            )
            .col_expr(
                message::Column::EmailAccountId,
                Expr::value(slot.account.id.as_str()),
            )
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::Id.eq(&m.id))
            .filter(message::Column::State.eq(MessageState::Deferred.as_str()))
            .exec(self.txn)
            .await?
            .rows_affected;
        if moved != 1 {
            return Err(AppError::internal(
                "a deferred message changed under its lock",
            ));
        }
        Ok(message::Model {
            state: MessageState::Queued,
            attempts: m.attempts + 1,
            email_account_id: slot.account.id.clone(),
            updated_at: now,
            lease_until_ms: Some(lease_until),
            claim_token: Some(token.to_owned()),
            campaign_day: Some(self.campaign_day.to_owned()),
            account_day: Some(slot.account_day.to_owned()),
            ..m
        })
    }

    /// A new message row, queued under this claim (written with the pass's others).
    async fn insert_queued(
        &self,
        slot: &Slot<'_>,
        key: String,
        smtp_id: String,
        subject: &str,
    ) -> AppResult<message::Model> {
        let now = self.now;
        let row = message::ActiveModel {
            id: Set(key),
            workspace_id: Set(self.campaign.workspace_id.clone()),
            campaign_id: Set(self.campaign.id.clone()),
            contact_id: Set(slot.person.id.clone()),
            step: Set(slot.step_no),
            email_account_id: Set(slot.account.id.clone()),
            message_id: Set(smtp_id),
            subject: Set(subject.to_owned()),
            state: Set(MessageState::Queued),
            attempts: Set(1),
            lease_until_ms: Set(Some(self.lease_until)),
            claim_token: Set(Some(self.token.to_owned())),
            campaign_day: Set(Some(self.campaign_day.to_owned())),
            account_day: Set(Some(slot.account_day.to_owned())),
            accepted_reply: Set(None),
            last_reply: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            sent_at: Set(None),
            opened_at: Set(None),
            clicked_at: Set(None),
            replied_at: Set(None),
        };
        let model = sea_orm::TryIntoModel::try_into_model(row.clone())?;
        lock(&self.queued).push(row);
        Ok(model)
    }

    /// The enrolment, no longer due: its email is claimed, from the account it keeps (moved
    /// with the pass's others).
    async fn mark_claimed(&self, slot: &Slot<'_>) -> AppResult<()> {
        lock(&self.claimed)
            .entry(slot.account.id.clone())
            .or_default()
            .push(slot.person.id.clone());
        Ok(())
    }

    /// Writes what the pass claimed, in a few statements: its new message rows, and its
    /// enrolments moved off due (one statement per account they keep).
    async fn write_claimed(&self) -> AppResult<()> {
        let rows = std::mem::take(&mut *lock(&self.queued));
        for chunk in rows.chunks(500) {
            message::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(self.txn)
                .await?;
        }
        let claimed = std::mem::take(&mut *lock(&self.claimed));
        for (account_id, contact_ids) in claimed {
            campaign_contact::Entity::update_many()
                .col_expr(
                    campaign_contact::Column::NextSendAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    campaign_contact::Column::EmailAccountId,
                    Expr::value(account_id.as_str()),
                )
                .col_expr(
                    campaign_contact::Column::Reason,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(self.now))
                .filter(campaign_contact::Column::CampaignId.eq(&self.campaign.id))
                .filter(campaign_contact::Column::ContactId.is_in(contact_ids))
                .exec(self.txn)
                .await?;
        }
        Ok(())
    }
}

/// The value behind a pass's lock (a panic elsewhere cannot leave it half-written: each push
/// is whole).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How the enrolment ends when its contact may not be emailed. Whatever the campaign, an
/// unsubscribed or bounced contact, or one at a suppressed address, is never emailed.
fn suppression(
    person: &contact::Model,
    barred: &HashMap<String, Source>,
) -> Option<EnrolmentState> {
    let status = match person.status {
        ContactStatus::Active => barred
            .get(&person.email_normalized)
            .map_or(ContactStatus::Active, |s| suppressions::contact_status(*s)),
        other => other,
    };
    match status {
        ContactStatus::Active => None,
        ContactStatus::Bounced => Some(EnrolmentState::Bounced),
        _ => Some(EnrolmentState::Unsubscribed),
    }
}

/// The ready account this enrolment sends from. The contact keeps one account for its whole
/// sequence; a newcomer gets the ready account with the most room left today.
fn pick_account(ready: &[Ready], enrolment: &campaign_contact::Model) -> Option<usize> {
    match &enrolment.email_account_id {
        Some(id) => ready.iter().position(|r| &r.account.id == id && r.room > 0),
        None => ready
            .iter()
            .enumerate()
            .filter(|(_, r)| r.room > 0)
            .max_by_key(|(_, r)| r.left)
            .map(|(i, _)| i),
    }
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
    match m.state {
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
