//! A claimed email's life after its claim: started just before its SMTP transaction, its
//! accepted reply saved, released or renewed while it waits, its outcome recorded, and the
//! leases of dead workers swept.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{campaign, message};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use super::types::{Job, Outcome, Policy, millis};
use crate::error::{AppError, AppResult};
use crate::service::campaigns::{self, CampaignStatus};
use crate::service::enrolments;
use crate::service::messages::{self, EmailEvent, MessageState};
use crate::service::quotas;

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
    let begun = begin_many(db, policy, std::slice::from_ref(job), now).await?;
    begun
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("an email's start went unanswered"))
}

/// `begin` for many claimed emails in one statement (committed before any of their SMTP
/// transactions starts); answers each in order.
pub async fn begin_many(
    db: &DatabaseConnection,
    policy: &Policy,
    jobs: &[Job],
    now: DateTime<Utc>,
) -> AppResult<Vec<Begun>> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    // Each email under its own claim: a row re-claimed since is not this job's to start.
    let held = jobs.iter().fold(Condition::any(), |any, job| {
        any.add(
            Condition::all()
                .add(message::Column::Id.eq(&job.message.id))
                .add(message::Column::ClaimToken.eq(&job.token)),
        )
    });
    let mut campaign_ids: Vec<&str> = jobs
        .iter()
        .map(|j| j.message.campaign_id.as_str())
        .collect();
    campaign_ids.sort_unstable();
    campaign_ids.dedup();
    let mut start = message::Entity::update_many()
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
        .filter(held)
        .filter(message::Column::State.eq(MessageState::Queued.as_str()))
        .filter(
            message::Column::CampaignId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(campaign::Column::Id)
                    .from(campaign::Entity)
                    .and_where(campaign::Column::Id.is_in(campaign_ids))
                    .and_where(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
                    .to_owned(),
            ),
        )
        .into_query();
    start.returning_col(message::Column::Id);
    let mut started = HashSet::new();
    for row in db.query_all(&start).await? {
        started.insert(row.try_get::<String>("", "id")?);
    }
    let mut begun = Vec::with_capacity(jobs.len());
    for job in jobs {
        begun.push(if started.contains(&job.message.id) {
            Begun::Started
        } else if release(db, job, "not started: the campaign is not running", now).await? {
            Begun::Returned
        } else {
            Begun::Lost
        });
    }
    Ok(begun)
}

/// Saves the server's 2xx reply on a `sending` email at once, in one statement and before its
/// outcome is recorded: a worker that dies between the two leaves an email the sweep records
/// `sent`, not one in doubt.
pub async fn accepted(db: &DatabaseConnection, job: &Job, reply: &str) -> AppResult<()> {
    accepted_many(db, &[(job.clone(), reply.to_owned())]).await
}

/// `accepted` for many emails, in one statement.
pub async fn accepted_many(db: &DatabaseConnection, accepted: &[(Job, String)]) -> AppResult<()> {
    let by_id = accepted
        .iter()
        .map(|(job, reply)| (job.message.id.as_str(), reply.as_str()));
    let Some(replies) = messages::text_by_id(message::Column::AcceptedReply, by_id) else {
        return Ok(());
    };
    message::Entity::update_many()
        .col_expr(message::Column::AcceptedReply, replies)
        .filter(message::Column::Id.is_in(accepted.iter().map(|(job, _)| job.message.id.clone())))
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
    hand_back(db, job, why, now, None, now).await
}

/// Hands a claimed email that has not started back until `due`, its enrolment saying why
/// (`reason`): a limit it may not pass before then.
pub async fn release_until(
    db: &DatabaseConnection,
    job: &Job,
    reason: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    hand_back(db, job, reason, due, Some(reason), now).await
}

/// A claimed email still `queued` under this claim back to due at `due`; false when the claim
/// no longer holds it.
async fn hand_back(
    db: &DatabaseConnection,
    job: &Job,
    why: &str,
    due: DateTime<Utc>,
    reason: Option<&str>,
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
    return_to_due(&txn, &m, why, due, now, reason).await?;
    txn.commit().await?;
    Ok(true)
}

/// A `queued` row (locked by the caller) back to due.
async fn return_to_due(
    txn: &impl ConnectionTrait,
    m: &message::Model,
    why: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    reason: Option<&str>,
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
    enrolments::reschedule(txn, &m.campaign_id, &m.contact_id, due, reason, now).await?;
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
            count_gmail(&txn, [job], now).await?;
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
                    let due = campaigns::next_due(&campaign, crate::clock::after(now, *wait))?;
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
            crate::service::email_accounts::set_error(&txn, &job.account.id, &reply).await?;
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

/// Records that these claimed emails went out (`finish` with `Outcome::Sent` for each), in one
/// transaction of a few statements for them all. An email the sweep already called unknown
/// keeps that report.
pub async fn finish_sent(
    db: &DatabaseConnection,
    sent: &[(Job, String)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if sent.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    // Locked, in id order: the sweep and this finish cannot both act on one email.
    let still_sending = message::Entity::find()
        .filter(message::Column::Id.is_in(sent.iter().map(|(job, _)| job.message.id.clone())))
        .filter(message::Column::State.eq(MessageState::Sending.as_str()))
        .order_by_asc(message::Column::Id)
        .lock_exclusive()
        .all(&txn)
        .await?;
    let recorded: std::collections::HashSet<&str> =
        still_sending.iter().map(|m| m.id.as_str()).collect();
    let jobs = sent
        .iter()
        .map(|(job, _)| job)
        .filter(|job| recorded.contains(job.message.id.as_str()));
    count_gmail(&txn, jobs, now).await?;
    let replies: HashMap<&str, &str> = sent
        .iter()
        .map(|(job, reply)| (job.message.id.as_str(), reply.as_str()))
        .collect();
    let items = still_sending
        .into_iter()
        .map(|m| {
            let reply = replies.get(m.id.as_str()).copied().unwrap_or_default();
            (m, reply.to_owned())
        })
        .collect();
    enrolments::record_sent(&txn, items, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Counts the emails to Gmail addresses among `sent` against their From domains' day (one
/// statement per domain; sending status warns near Gmail's bulk volume).
async fn count_gmail<'a>(
    txn: &impl ConnectionTrait,
    sent: impl IntoIterator<Item = &'a Job>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut by_scope: HashMap<String, i32> = HashMap::new();
    for job in sent {
        let to = crate::service::addresses::domain_of(&job.to).to_ascii_lowercase();
        if to == "gmail.com" || to == "googlemail.com" {
            let from = crate::service::domains::domain_of_account(&job.account);
            let scope =
                crate::service::sending_status::gmail_scope(&job.account.workspace_id, &from);
            *by_scope.entry(scope).or_default() += 1;
        }
    }
    let day = now.date_naive().to_string();
    for (scope, n) in by_scope {
        quotas::add(txn, &scope, &day, n).await?;
    }
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
            Some(m) if m.state == MessageState::Queued => {
                tracing::info!(message = %m.id, campaign = %m.campaign_id, "a claim's lease ran out before its send started; due again");
                return_to_due(&txn, &m, "not started: its claim ran out", now, now, None).await?;
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
