//! One campaign's pass inside its claim's transaction: what it reads about its due contacts,
//! each enrolment's turn (closed, composed, its limits taken, queued) and what the pass writes
//! before its claim commits.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, contact, email_account, message};
use rand::Rng as _;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use super::due::Ready;
use super::types::{Job, Policy};
use crate::error::{AppError, AppResult};
use crate::service::campaigns::{Step, Variant};
use crate::service::compose::{self, ComposeError, Composed, Draft, Thread};
use crate::service::contacts::ContactStatus;
use crate::service::enrolments::{self, EnrolmentState};
use crate::service::messages::{self, MessageState};
use crate::service::quotas;
use crate::service::suppressions::{self, Source};
use crate::service::tracking::Tracker;
use crate::service::window::Window;

/// What the claim reads about its due contacts, in one statement each.
pub(super) struct Found {
    pub(super) people: HashMap<String, contact::Model>,
    /// Suppressions of their addresses, by normalized address.
    pub(super) barred: HashMap<String, Source>,
    /// Their earlier messages in this campaign, by contact and step.
    pub(super) earlier: HashMap<(String, i32), message::Model>,
}

impl Found {
    pub(super) async fn read(
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
pub(super) enum Claimed {
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
    /// Emails this pass may still take from the account.
    room: i32,
}

/// One campaign's claim, inside its write transaction: what each enrolment's turn reads.
pub(super) struct Pass<'a> {
    pub(super) txn: &'a DatabaseTransaction,
    pub(super) tracker: &'a Tracker,
    pub(super) policy: &'a Policy,
    pub(super) campaign: &'a campaign::Model,
    /// The campaign's window (in its home zone).
    pub(super) window: &'a Window,
    /// Whether each contact is sent to in its own zone.
    pub(super) per_contact: bool,
    pub(super) now: DateTime<Utc>,
    pub(super) token: &'a str,
    pub(super) steps: Vec<Step>,
    pub(super) campaign_day: &'a str,
    pub(super) lease_until: i64,
    /// New message rows queued by this pass, written together before it commits.
    pub(super) queued: Mutex<Vec<message::ActiveModel>>,
    /// The enrolments this pass claimed, by the account each keeps: moved off due together.
    pub(super) claimed: Mutex<HashMap<String, Vec<String>>>,
    /// Emails taken from the campaign's day for this pass at once, and how many it used.
    pub(super) campaign_quota: Mutex<Reserved>,
    /// The same for each account's day, taken when the pass first sends from it.
    pub(super) account_quotas: Mutex<HashMap<String, Reserved>>,
    /// Due enrolments this pass locked: the most it takes from any one day.
    pub(super) due_count: i32,
    /// The campaign's automatic A/B winner, decoded once for the pass.
    pub(super) auto_winner: Option<crate::service::campaigns::AutoWinner>,
    /// Each step's automatic A/B winner, looked up (or decided) once per pass.
    pub(super) winners: Mutex<HashMap<i32, Option<String>>>,
}

/// Emails a pass took from one daily limit, and how many of them it used; what it did not
/// use is given back before it commits.
#[derive(Default)]
pub(super) struct Reserved {
    pub(super) day: String,
    pub(super) taken: i32,
    pub(super) used: i32,
}

impl Reserved {
    fn use_one(&mut self) -> bool {
        let free = self.used < self.taken;
        self.used += i32::from(free);
        free
    }

    fn unuse_one(&mut self) {
        self.used = Ord::max(self.used - 1, 0);
    }
}

impl Pass<'_> {
    /// Claims one due enrolment: suppressed or finished ones close; otherwise its email is
    /// composed, the day's limits taken, and its message queued under this claim.
    pub(super) async fn claim_one(
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
        if self.per_contact {
            // The contact's own window: closed now, it waits for its next opening.
            let window = self.window_for(person);
            if !window.contains(self.now) {
                let due = window.next_opening(self.now);
                let (campaign_id, now) = (&self.campaign.id, self.now);
                let reason = Some(crate::service::parking::Parked::OutsideWindow.reason());
                enrolments::reschedule(self.txn, campaign_id, &person.id, due, reason, now).await?;
                return Ok(Claimed::Skipped);
            }
        }
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
                let closed =
                    settle_attempted(self.txn, self.campaign, person, &m, self.now).await?;
                return Ok(if closed {
                    Claimed::Closed
                } else {
                    Claimed::Skipped
                });
            }
            None => None,
        };
        if retry.is_none() && !condition_holds(step, &person.id, step_no, earlier) {
            let completed = self.skip(person, step_no, &account).await?;
            return Ok(if completed {
                Claimed::Closed
            } else {
                Claimed::Skipped
            });
        }
        let (key, smtp_id) = match &retry {
            Some(m) => (m.id.clone(), m.message_id.clone()),
            None => messages::new_ids(&account.email),
        };
        // A retried email is the same email: its seed, so its variant and spintax, are kept.
        let seed = retry
            .as_ref()
            .and_then(|m| m.seed)
            .unwrap_or_else(|| rand::rng().random());
        let won = match retry.as_ref().and_then(|m| m.variant_id.clone()) {
            Some(kept) => Some(kept),
            None => self.winner(step_no, step).await?,
        };
        let variant = crate::service::campaigns::pick_variant(step, seed, won.as_deref());
        let draft = Draft {
            campaign: self.campaign,
            variant: &variant,
            seed,
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
            room: ready[pick].room,
        };
        match self.take_limits(&slot).await? {
            Limits::Taken => {}
            Limits::CampaignFull => return Ok(Claimed::CampaignFull),
            Limits::AccountFull => {
                ready[pick].room = 0;
                return Ok(Claimed::Skipped);
            }
        }
        let content = Content {
            variant: &variant,
            seed,
            composed: &composed,
        };
        let row = match retry {
            Some(m) => self.requeue(m, &slot, &content).await?,
            None => self.insert_queued(&slot, key, smtp_id, &content).await?,
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

    /// The step's automatic A/B winner, if the campaign has one and it is decided (deciding
    /// it when its variants have the sends asked for); looked up once per pass.
    async fn winner(&self, step_no: i32, step: &Step) -> AppResult<Option<String>> {
        let Some(auto) = self.auto_winner else {
            return Ok(None);
        };
        if step.variants().len() < 2 {
            return Ok(None);
        }
        if let Some(known) = lock(&self.winners).get(&step_no) {
            return Ok(known.clone());
        }
        let (campaign, now) = (self.campaign, self.now);
        let found =
            crate::service::campaigns::winner(self.txn, campaign, step_no, step, auto, now).await?;
        lock(&self.winners).insert(step_no, found.clone());
        Ok(found)
    }

    /// The window `person` is sent to in: the campaign's, in the contact's zone when each
    /// contact is sent to in its own.
    fn window_for(&self, person: &contact::Model) -> Window {
        match person.timezone.as_deref().filter(|_| self.per_contact) {
            Some(zone) => self.window.in_zone(zone),
            None => self.window.clone(),
        }
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
                    .window_for(draft.contact)
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

    /// Takes one email from the campaign's and the account's day (from what the pass took of
    /// each at once), and the account's send gap; on a refusal whatever was taken is given back.
    async fn take_limits(&self, slot: &Slot<'_>) -> AppResult<Limits> {
        let account = slot.account;
        if !lock(&self.campaign_quota).use_one() {
            return Ok(Limits::CampaignFull);
        }
        let reserved = lock(&self.account_quotas)
            .get(&account.id)
            .is_some_and(|r| r.used < r.taken);
        if !reserved {
            let wanted = Ord::min(slot.room, self.due_count);
            let (id, day) = (&account.id, slot.account_day);
            let limit = crate::service::pacing::daily_limit(account, self.now);
            let taken = quotas::take_up_to(self.txn, id, day, limit, wanted).await?;
            let mut quotas = lock(&self.account_quotas);
            let entry = quotas.entry(account.id.clone()).or_default();
            entry.day = slot.account_day.to_owned();
            entry.taken += taken;
        }
        let taken = lock(&self.account_quotas)
            .get_mut(&account.id)
            .is_some_and(Reserved::use_one);
        if !taken {
            lock(&self.campaign_quota).unuse_one();
            return Ok(Limits::AccountFull);
        }
        if account.send_gap_seconds > 0 && !self.take_gap(account).await? {
            lock(&self.campaign_quota).unuse_one();
            if let Some(r) = lock(&self.account_quotas).get_mut(&account.id) {
                r.unuse_one();
            }
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
    async fn requeue(
        &self,
        m: message::Model,
        slot: &Slot<'_>,
        content: &Content<'_>,
    ) -> AppResult<message::Model> {
        let (now, token, lease_until) = (self.now, self.token, self.lease_until);
        let variant_id = content.variant_id();
        let moved = message::Entity::update_many()
            .col_expr(
                message::Column::Subject,
                Expr::value(content.composed.subject.as_str()),
            )
            .col_expr(message::Column::VariantId, Expr::value(variant_id.clone()))
            .col_expr(message::Column::Seed, Expr::value(content.seed))
            .col_expr(
                message::Column::Body,
                Expr::value(content.composed.body.as_str()),
            )
            .col_expr(
                message::Column::BodyText,
                Expr::value(content.composed.body_text.clone()),
            )
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
            subject: content.composed.subject.clone(),
            variant_id,
            seed: Some(content.seed),
            body: Some(content.composed.body.clone()),
            body_text: content.composed.body_text.clone(),
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
        content: &Content<'_>,
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
            subject: Set(content.composed.subject.clone()),
            variant_id: Set(content.variant_id()),
            seed: Set(Some(content.seed)),
            body: Set(Some(content.composed.body.clone())),
            body_text: Set(content.composed.body_text.clone()),
            skip_reason: Set(None),
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

    /// A step whose condition is false: recorded as a `skipped` message (reason `condition`)
    /// and the enrolment moved on as if it had gone out now. Returns whether it completed.
    async fn skip(
        &self,
        person: &contact::Model,
        step_no: i32,
        account: &email_account::Model,
    ) -> AppResult<bool> {
        let (key, smtp_id) = messages::new_ids(&account.email);
        let now = self.now;
        message::Entity::insert(message::ActiveModel {
            id: Set(key),
            workspace_id: Set(self.campaign.workspace_id.clone()),
            campaign_id: Set(self.campaign.id.clone()),
            contact_id: Set(person.id.clone()),
            step: Set(step_no),
            email_account_id: Set(account.id.clone()),
            message_id: Set(smtp_id),
            subject: Set(String::new()),
            state: Set(MessageState::Skipped),
            attempts: Set(0),
            lease_until_ms: Set(None),
            claim_token: Set(None),
            campaign_day: Set(None),
            account_day: Set(None),
            accepted_reply: Set(None),
            last_reply: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            sent_at: Set(None),
            opened_at: Set(None),
            clicked_at: Set(None),
            replied_at: Set(None),
            variant_id: Set(None),
            seed: Set(None),
            body: Set(None),
            body_text: Set(None),
            skip_reason: Set(Some(SKIPPED_BY_CONDITION.to_owned())),
        })
        .exec_without_returning(self.txn)
        .await?;
        enrolments::move_on(self.txn, self.campaign, person, step_no, now, false).await
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

    /// Writes what the pass claimed, in a few statements: its new message rows, what it took
    /// of a day and did not use given back, and its enrolments moved off due (one statement
    /// per account they keep).
    pub(super) async fn write_claimed(&self) -> AppResult<()> {
        let rows = std::mem::take(&mut *lock(&self.queued));
        for chunk in rows.chunks(500) {
            message::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(self.txn)
                .await?;
        }
        // What the pass took of a day and did not use goes back.
        let unused = |r: &Reserved| r.taken - r.used;
        let campaign = std::mem::take(&mut *lock(&self.campaign_quota));
        quotas::give_back_n(
            self.txn,
            &self.campaign.id,
            &campaign.day,
            unused(&campaign),
        )
        .await?;
        let accounts = std::mem::take(&mut *lock(&self.account_quotas));
        for (account_id, reserved) in accounts {
            quotas::give_back_n(self.txn, &account_id, &reserved.day, unused(&reserved)).await?;
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

/// A skipped step's reason: its `sendIf` was false when it came due.
pub const SKIPPED_BY_CONDITION: &str = "condition";

/// What one message carries: the variant chosen, the seed drawn, the email composed.
struct Content<'a> {
    variant: &'a Variant,
    seed: i64,
    composed: &'a Composed,
}

impl Content<'_> {
    fn variant_id(&self) -> Option<String> {
        Some(self.variant.id.clone()).filter(|id| !id.is_empty())
    }
}

/// Whether a step goes out for this contact: its `sendIf` over what the contact did with the
/// sequence's earlier emails (any of them opened, any clicked).
fn condition_holds(
    step: &Step,
    contact_id: &str,
    step_no: i32,
    earlier: &HashMap<(String, i32), message::Model>,
) -> bool {
    if step.send_if == crate::service::campaigns::SendIf::Always {
        return true;
    }
    let before = (1..step_no).filter_map(|n| earlier.get(&(contact_id.to_owned(), n)));
    let (mut opened, mut clicked) = (false, false);
    for m in before {
        opened |= m.opened_at.is_some();
        clicked |= m.clicked_at.is_some();
    }
    step.send_if.holds(opened, clicked)
}

/// The value behind a pass's lock (a panic elsewhere cannot leave it half-written: each push
/// is whole).
pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
    person: &contact::Model,
    m: &message::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let reason = Some("step_already_attempted");
    match m.state {
        MessageState::Sent => {
            tracing::warn!(message = %m.id, "an enrolment came due for a step already sent; moved on");
            enrolments::advance(txn, campaign, person, m.step, m.sent_at.unwrap_or(now)).await
        }
        MessageState::Skipped => {
            enrolments::move_on(txn, campaign, person, m.step, now, false).await
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
