//! The campaign mutations and their inputs.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

use entity::states::ReplyScope;

use super::campaign::Campaign;
use super::preview::TestSend;
use crate::graphql::types::Deleted;
use crate::graphql::{db, now, principal};
use crate::service::campaigns as svc;
use crate::service::enrolments;

#[derive(InputObject)]
pub struct StepInput {
    pub subject: Option<String>,
    pub body: Option<String>,
    /// Days after the previous step; the first step must be 0 (the default), later ones
    /// default to 1.
    pub delay_days: Option<i32>,
    /// A/B/n: the step's versions (instead of `subject` and `body`), each sent to a share of
    /// contacts by its weight. A step without them is one variant.
    pub variants: Option<Vec<VariantInput>>,
    /// When a follow-up goes out: `always` (the default), or only if an earlier email of the
    /// sequence was `opened` / `clicked` by the contact, or none was (`not_opened`,
    /// `not_clicked`). A step whose condition is false is skipped (recorded with reason
    /// `condition`).
    pub send_if: Option<svc::SendIf>,
}

/// One version of a step's email.
#[derive(InputObject)]
pub struct VariantInput {
    /// Keep an existing variant (and its figures) by giving its id; leave out for a new one.
    pub id: Option<ID>,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// Its share of the step's contacts against the other variants' weights (default 1; 0
    /// sends it to nobody).
    pub weight: Option<i32>,
}

impl From<StepInput> for svc::StepInput {
    fn from(s: StepInput) -> Self {
        svc::StepInput {
            subject: s.subject,
            body: s.body,
            delay_days: s.delay_days,
            variants: s.variants.map(|v| {
                v.into_iter()
                    .map(|v| svc::VariantInput {
                        id: v.id.map(|id| id.0),
                        subject: v.subject,
                        body: v.body,
                        weight: v.weight,
                    })
                    .collect()
            }),
            send_if: s.send_if,
        }
    }
}

/// Fields present replace the current (or default) schedule's.
#[derive(InputObject)]
pub struct ScheduleInput {
    /// IANA name, e.g. `America/Sao_Paulo` (default `UTC`), or `contact`: each contact's own
    /// zone (`fallbackTimezone` for contacts without one).
    pub timezone: Option<String>,
    /// ISO weekdays, 1 = Monday (default Monday to Friday): the days a window opens.
    pub days: Option<Vec<i32>>,
    /// `HH:MM` (default `09:00`).
    pub start_time: Option<String>,
    /// `HH:MM` (default `17:00`); before `startTime`, the window runs across midnight (e.g.
    /// 18:00–09:00) and closes the next morning.
    pub end_time: Option<String>,
    /// With `timezone: "contact"`: the zone of contacts without one (default UTC).
    pub fallback_timezone: MaybeUndefined<String>,
    /// Local dates (`YYYY-MM-DD`) on which no window opens (holidays); replaces the list.
    pub skip_dates: Option<Vec<String>>,
}

impl From<ScheduleInput> for svc::ScheduleInput {
    fn from(s: ScheduleInput) -> Self {
        svc::ScheduleInput {
            timezone: s.timezone,
            days: s.days,
            start_time: s.start_time,
            end_time: s.end_time,
            fallback_timezone: s.fallback_timezone.into(),
            skip_dates: s.skip_dates,
        }
    }
}

/// A new campaign (a draft). `name` is required.
#[derive(InputObject)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub email_account_id: Option<ID>,
    /// Inbox rotation: more accounts to send from beside `emailAccountId`. Each contact keeps
    /// one account for its whole sequence; newcomers go to the account with most room today.
    pub email_account_ids: Option<Vec<ID>>,
    pub steps: Option<Vec<StepInput>>,
    pub schedule: Option<ScheduleInput>,
    /// Default 100.
    pub daily_limit: Option<i32>,
    /// Default true.
    pub track_opens: Option<bool>,
    /// Default true.
    pub track_clicks: Option<bool>,
    /// Default true.
    pub stop_on_reply: Option<bool>,
    /// Whose enrolments a reply stops (with `stopOnReply`): `contact` (default), or `company`
    /// — everyone enrolled at the replier's email domain, free-mail domains excepted.
    pub stop_on_reply_scope: Option<ReplyScope>,
    /// Let the campaign pick each step's best variant by itself.
    pub auto_winner: Option<AutoWinnerInput>,
    /// Days a contact's sequence waits after an out-of-office answer that names no return
    /// date (one that does holds it until that date). 0 to 90, default 7; 0: no wait.
    pub ooo_pause_days: Option<i32>,
}

/// Once every variant of a step (with a weight above 0) has `minSentPerVariant` emails sent,
/// the one with the best rate of `metric` gets all further sends of that step
/// (`campaign.variant_won`).
#[derive(InputObject)]
pub struct AutoWinnerInput {
    pub metric: Option<svc::WinnerMetric>,
    /// Default 100.
    pub min_sent_per_variant: Option<i32>,
}

impl From<AutoWinnerInput> for svc::AutoWinnerInput {
    fn from(a: AutoWinnerInput) -> Self {
        svc::AutoWinnerInput {
            metric: a.metric,
            min_sent_per_variant: a.min_sent_per_variant,
        }
    }
}

/// Fields present are replaced. Steps and the email account change only while draft or paused.
#[derive(InputObject)]
pub struct CampaignUpdate {
    pub name: MaybeUndefined<String>,
    pub email_account_id: MaybeUndefined<ID>,
    pub email_account_ids: MaybeUndefined<Vec<ID>>,
    pub steps: MaybeUndefined<Vec<StepInput>>,
    pub schedule: MaybeUndefined<ScheduleInput>,
    pub daily_limit: MaybeUndefined<i32>,
    pub track_opens: MaybeUndefined<bool>,
    pub track_clicks: MaybeUndefined<bool>,
    pub stop_on_reply: MaybeUndefined<bool>,
    /// `null` sets the default, `contact`.
    pub stop_on_reply_scope: MaybeUndefined<ReplyScope>,
    /// `null` turns the automatic winner off.
    pub auto_winner: MaybeUndefined<AutoWinnerInput>,
    /// `null` sets the default, 7.
    pub ooo_pause_days: MaybeUndefined<i32>,
}

#[derive(SimpleObject)]
pub struct CampaignEnrolment {
    pub campaign: Campaign,
    /// Contacts newly enrolled.
    pub added: u64,
    /// Unsubscribed or bounced contacts, not enrolled.
    pub skipped: u64,
    pub already_enrolled: u64,
}

#[derive(Default)]
pub struct CampaignMutation;

#[Object]
impl CampaignMutation {
    async fn create_campaign(&self, ctx: &Context<'_>, input: CampaignInput) -> Result<Campaign> {
        let who = principal(ctx)?;
        let input = svc::CampaignInput {
            name: input.name,
            email_account_id: input.email_account_id.map(|id| id.0),
            email_account_ids: input
                .email_account_ids
                .map(|ids| ids.into_iter().map(|id| id.0).collect()),
            steps: input.steps.map(|s| s.into_iter().map(Into::into).collect()),
            schedule: input.schedule.map(Into::into),
            daily_limit: input.daily_limit,
            track_opens: input.track_opens,
            track_clicks: input.track_clicks,
            stop_on_reply: input.stop_on_reply,
            stop_on_reply_scope: input.stop_on_reply_scope,
            auto_winner: input.auto_winner.map(Into::into),
            ooo_pause_days: input.ooo_pause_days,
        };
        Ok(svc::create(db(ctx)?, &who.workspace_id, input, now(ctx)?)
            .await?
            .into())
    }

    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CampaignUpdate,
    ) -> Result<Campaign> {
        let who = principal(ctx)?;
        let patch = svc::CampaignPatch {
            name: input.name.into(),
            email_account_id: input.email_account_id.map_value(|id| id.0).into(),
            email_account_ids: input
                .email_account_ids
                .map_value(|ids| ids.into_iter().map(|id| id.0).collect())
                .into(),
            steps: input
                .steps
                .map_value(|s| s.into_iter().map(Into::into).collect())
                .into(),
            schedule: input.schedule.map_value(Into::into).into(),
            daily_limit: input.daily_limit.into(),
            track_opens: input.track_opens.into(),
            track_clicks: input.track_clicks.into(),
            stop_on_reply: input.stop_on_reply.into(),
            stop_on_reply_scope: input.stop_on_reply_scope.into(),
            auto_winner: input.auto_winner.map_value(Into::into).into(),
            ooo_pause_days: input.ooo_pause_days.into(),
        };
        Ok(
            svc::update(db(ctx)?, &who.workspace_id, &id, patch, now(ctx)?)
                .await?
                .into(),
        )
    }

    /// Deletes a campaign that is not running, with its enrolments and figures.
    async fn delete_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Deleted> {
        let who = principal(ctx)?;
        Ok(Deleted::new(
            svc::delete(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }

    /// draft or paused → running. Needs an email account, a step and an enrolled contact.
    /// Starting a running campaign returns it unchanged.
    /// Sends step `step`, composed for the contact exactly as the campaign would send it, to
    /// the address `to` instead, from the account the contact's emails go from. Nothing is
    /// recorded (no message, no figures, no limit taken).
    async fn send_test_email(
        &self,
        ctx: &Context<'_>,
        id: ID,
        to: String,
        contact_id: ID,
        step: i32,
        variant_id: Option<ID>,
    ) -> Result<TestSend> {
        use crate::service::sending::Outcome;
        let who = principal(ctx)?;
        let request = svc::PreviewRequest {
            contact_id: contact_id.0,
            step,
            variant_id: variant_id.map(|v| v.0),
            seed: None,
            to: Some(to),
            subject: None,
            body: None,
        };
        let tracker = ctx.data::<crate::service::tracking::Tracker>()?;
        let email = svc::preview(db(ctx)?, tracker, &who.workspace_id, &id, request).await?;
        let sent = crate::graphql::by_hand::send(
            ctx,
            &who.workspace_id,
            &email.account,
            &email.from,
            &email.to,
            &email.bytes,
        )
        .await?;
        let outcome = sent.outcome;
        let (sent, outcome, smtp_reply) = match outcome {
            Outcome::Sent(reply) => (true, "sent", Some(reply)),
            Outcome::Bounced(_) => (false, "refused", None),
            Outcome::Deferred(_) => (false, "deferred", None),
            Outcome::Unknown(_) => (false, "unknown", None),
            _ => (false, "failed", None),
        };
        Ok(TestSend {
            sent,
            outcome: outcome.to_owned(),
            smtp_reply,
            email: email.into(),
        })
    }

    async fn start_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Campaign> {
        let who = principal(ctx)?;
        let now = now(ctx)?;
        let preflight = *ctx.data::<svc::Preflight>()?;
        let (campaign, _) =
            svc::start_checked(db(ctx)?, &who.workspace_id, &id, preflight, now).await?;
        Ok(campaign.into())
    }

    /// running → paused; new sends stop at once. Pausing a paused campaign returns it unchanged.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Campaign> {
        let who = principal(ctx)?;
        let (campaign, _) = svc::pause(db(ctx)?, &who.workspace_id, &id, now(ctx)?).await?;
        Ok(campaign.into())
    }

    /// Enrols contacts by id and/or a whole group. Idempotent; unsubscribed and bounced
    /// contacts are skipped.
    async fn add_contacts_to_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        contact_ids: Option<Vec<ID>>,
        group_id: Option<ID>,
    ) -> Result<CampaignEnrolment> {
        let who = principal(ctx)?;
        let ids = contact_ids.map(|ids| ids.into_iter().map(|i| i.0).collect());
        let now = now(ctx)?;
        let outcome = enrolments::enrol(
            db(ctx)?,
            &who.workspace_id,
            &id,
            ids,
            group_id.map(|g| g.0),
            now,
        )
        .await?;
        Ok(CampaignEnrolment {
            campaign: outcome.campaign.into(),
            added: outcome.added,
            skipped: outcome.skipped,
            already_enrolled: outcome.already_enrolled,
        })
    }
}
