//! Claiming due emails: each committed as a `queued` message under one claim's token before
//! any SMTP traffic, every daily limit and send gap taken in the database.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, email_account};
use rand::Rng as _;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::due::{Ready, due_campaigns, due_query, ready_accounts};
use super::pass::{Claimed, Found, Pass, Reserved, lock};
use super::types::{Job, Policy, millis};
use crate::error::AppResult;
use crate::service::campaigns::{self, CampaignStatus};
use crate::service::parking::{self, Parked};
use crate::service::quotas;
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
    let (running, resting): (Vec<_>, Vec<_>) = campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(due))
        .order_by_asc(campaign::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .partition(|c| c.status == CampaignStatus::Running);
    // Due work that cannot go now leaves the due range until it can, so later passes do not
    // read it again: a paused campaign's until it resumes, a closed window's until it opens.
    let mut parks: Vec<(&campaign::Model, Parked, Option<DateTime<Utc>>)> = resting
        .iter()
        .filter(|c| c.status == CampaignStatus::Paused)
        .map(|c| (c, Parked::CampaignPaused, None))
        .collect();
    let token = crate::ids::new_id("clm");
    // Start the pass at a random campaign so a busy one cannot starve the others.
    let offset = rand::rng().random_range(0..running.len().max(1));
    let mut open: Vec<(&campaign::Model, Window)> = Vec::with_capacity(running.len());
    for campaign in (0..running.len()).map(|i| &running[(offset + i) % running.len()]) {
        // A corrupt campaign is reported (by the error's log) and skipped; the others go on.
        let (Ok(window), Ok(schedule)) = (
            campaigns::window_of(campaign),
            campaigns::schedule_of(campaign),
        ) else {
            continue;
        };
        // Sending in each contact's zone, some contact's window may be open at any time: the
        // pass looks at each due contact's own.
        if window.contains(now) || schedule.per_contact() {
            open.push((campaign, window));
        } else {
            parks.push((
                campaign,
                Parked::OutsideWindow,
                Some(window.next_opening(now)),
            ));
        }
    }
    for (campaign, why, until) in parks {
        if let Err(err) = park_resting(db, campaign, why, until, now).await {
            tracing::error!(campaign = %campaign.id, message = %err.message, "parking due work failed; it is read again next pass");
        }
    }
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

/// Parks the due work of a campaign that cannot send now (see `Parked`), in a transaction of
/// its own. The campaign's row is locked (shared) and must be as the pass read it: a resume or
/// an edit committing meanwhile, which brings parked work back, wins.
async fn park_resting(
    db: &DatabaseConnection,
    campaign: &campaign::Model,
    why: Parked,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    if still_as_read(&txn, campaign).await? {
        parking::park_due(&txn, &campaign.id, why, until, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Whether the campaign's row, locked (shared) until the transaction ends, is still what was
/// read: same status, same last change.
async fn still_as_read(txn: &DatabaseTransaction, read: &campaign::Model) -> AppResult<bool> {
    let now = campaign::Entity::find_by_id(read.id.clone())
        .lock_shared()
        .one(txn)
        .await?;
    Ok(now.is_some_and(|c| c.status == read.status && c.updated_at == read.updated_at))
}

/// The campaign's day is full: its due work waits for the window of its next local day.
async fn park_for_the_day(
    txn: &DatabaseTransaction,
    campaign: &campaign::Model,
    window: &Window,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if still_as_read(txn, campaign).await? {
        let tomorrow = window::next_local_midnight(window.timezone(), now);
        // In each contact's own zone, the day's end is all the campaign knows.
        let until = campaigns::next_due(campaign, tomorrow)?;
        parking::park_due(txn, &campaign.id, Parked::DailyLimit, Some(until), now).await?;
    }
    Ok(())
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
        park_for_the_day(&txn, &campaign, window, now).await?;
        txn.commit().await?;
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
        per_contact: campaigns::schedule_of(&campaign)?.per_contact(),
        now,
        token,
        steps: campaigns::steps_of(&campaign)?,
        campaign_day: &campaign_day,
        lease_until: crate::db::now_ms(&txn).await? + millis(policy.lease),
        queued: Mutex::default(),
        claimed: Mutex::default(),
        campaign_quota: Mutex::default(),
        account_quotas: Mutex::default(),
        due_count: due.len() as i32,
        auto_winner: campaigns::auto_winner_of(&campaign)?,
        winners: Mutex::default(),
    };
    // The campaign's day, taken for the whole pass at once.
    let wanted = Ord::min(take_n, due.len() as i64) as i32;
    let taken = quotas::take_up_to(
        &txn,
        &campaign.id,
        &campaign_day,
        campaign.daily_limit,
        wanted,
    )
    .await?;
    *lock(&pass.campaign_quota) = Reserved {
        day: campaign_day.clone(),
        taken,
        used: 0,
    };
    let mut campaign_left = campaign_room;
    let mut jobs = Vec::new();
    let mut closed_any = false;
    let mut full = false;
    for enrolment in due {
        if campaign_left <= 0 {
            full = true;
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
            Claimed::CampaignFull => {
                full = true;
                break;
            }
        }
    }
    pass.write_claimed().await?;
    if full || campaign_left <= 0 {
        // What it did not claim today waits for tomorrow out of the due range.
        park_for_the_day(&txn, &campaign, window, now).await?;
    }
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
