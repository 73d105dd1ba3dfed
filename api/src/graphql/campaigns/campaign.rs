//! The `Campaign` object: its fields, its steps and schedule.

use async_graphql::parser::types::{Field, Selection};
use async_graphql::{Context, ID, Object, Result, SimpleObject, Value};
use chrono::NaiveDate;
use entity::states::ReplyScope;
use entity::{campaign, email_account};
use sea_orm::IdenStatic;
use tokio::sync::OnceCell;

use super::contacts::CampaignContactPage;
use super::preview::{ContactPlan, EmailPreview};
use super::sending::SendingStatus;
use super::states::{CampaignStatus, EnrolmentState};
use super::stats::{CampaignStats, figure_waits};
use crate::error::AppError;
use crate::graphql::email_accounts::EmailAccount;
use crate::graphql::loaders::EmailAccountById;
use crate::graphql::plain::{self, InPlace, Plain};
use crate::graphql::{db, loader, now};
use crate::ids::rfc3339;
use crate::service::PageRequest;
use crate::service::campaigns as svc;
use crate::service::columns::Columns;
use crate::service::stats::{self, Counts};
use crate::service::{enrolments, sending_status};

/// One email of the sequence. Subject and body take `{{firstName}}`-style variables (any contact
/// field or `customFields` key), optionally with a fallback: `{{firstName | there}}`.
#[derive(SimpleObject)]
pub struct CampaignStep {
    /// 1-based position.
    pub step: i32,
    pub subject: String,
    pub body: String,
    /// Days to wait after the previous step (0 for the first).
    pub delay_days: i32,
    /// When it goes out: `always`, or on what the contact did with the earlier emails.
    pub send_if: svc::SendIf,
    /// Its versions (A/B/n), each sent to a share of contacts by weight; a step without
    /// variants is one (`subject` and `body` are the first's).
    pub variants: Vec<StepVariant>,
}

/// Once every variant of a step has `minSentPerVariant` emails sent, the best by `metric`
/// gets all further sends.
#[derive(SimpleObject)]
pub struct AutoWinner {
    pub metric: svc::WinnerMetric,
    pub min_sent_per_variant: i32,
}

/// A variable a step names that no field of the workspace has.
#[derive(SimpleObject)]
pub struct StepWarning {
    /// 1-based step.
    pub step: i32,
    pub variant_id: ID,
    /// `subject` or `body`.
    pub part: String,
    pub variable: String,
    /// The known field it most likely meant (`firstname` → `firstName`).
    pub suggestion: Option<String>,
    pub message: String,
}

/// Something that will hurt a campaign's delivery, as its start warns (and, when the operator
/// requires authenticated domains, refuses).
#[derive(SimpleObject)]
pub struct PreflightWarning {
    /// `domain_fails`, `domain_unchecked`, `no_unsubscribe_link` or `free_mail_elsewhere`.
    pub code: String,
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// The 1-based step it is about.
    pub step: Option<i32>,
    /// The sending domain it is about.
    pub domain: Option<String>,
}

impl From<svc::PreflightWarning> for PreflightWarning {
    fn from(w: svc::PreflightWarning) -> Self {
        PreflightWarning {
            code: w.code.to_owned(),
            message: w.message,
            fix: w.fix,
            step: w.step,
            domain: w.domain,
        }
    }
}

/// One version of a step's email.
#[derive(SimpleObject)]
pub struct StepVariant {
    /// `var_…`
    pub id: ID,
    pub subject: String,
    pub body: String,
    pub weight: i32,
}

/// When the campaign may send: ISO weekdays (1 = Monday) and a local time window (across
/// midnight when `endTime` is before `startTime`), never on `skipDates`.
#[derive(SimpleObject)]
pub struct Schedule {
    /// An IANA zone, or `contact` (each contact's own zone).
    pub timezone: String,
    pub days: Vec<i32>,
    pub start_time: String,
    pub end_time: String,
    /// The zone of contacts without one, when `timezone` is `contact` (null: UTC).
    pub fallback_timezone: Option<String>,
    /// Local dates (`YYYY-MM-DD`) on which no window opens.
    pub skip_dates: Vec<String>,
}

pub struct Campaign {
    pub(super) model: campaign::Model,
    /// The totals, when a listing read them with the page; otherwise loaded on demand.
    pub(super) totals: Option<Counts>,
    /// Every figure, when a listing read them with the page.
    pub(super) stats: Option<stats::CampaignStats>,
    /// The email account, when a listing read it with the page.
    pub(super) account: Option<Option<email_account::Model>>,
    /// The columns `model` holds (a listing reads only those its selection shows).
    pub(super) read: Columns<campaign::Entity>,
    /// The timeline of a day range, when read with the campaign.
    pub(super) timeline: Option<ReadTimeline>,
}

/// A timeline read with its campaign, for the day range it covers.
pub(super) struct ReadTimeline {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub series: Vec<(NaiveDate, Counts)>,
}

impl From<campaign::Model> for Campaign {
    fn from(model: campaign::Model) -> Self {
        Campaign {
            model,
            totals: None,
            stats: None,
            account: None,
            read: Columns::all(),
            timeline: None,
        }
    }
}

impl Campaign {
    /// A campaign read with its figures, and with the timeline of `range` when one was asked.
    pub(super) fn with_figures(
        read: svc::WithFigures,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Self {
        Campaign {
            model: read.campaign,
            totals: Some(read.stats.totals),
            stats: Some(read.stats),
            account: None,
            read: Columns::all(),
            timeline: range
                .zip(read.timeline)
                .map(|((from, to), series)| ReadTimeline { from, to, series }),
        }
    }
}

impl Campaign {
    /// What reading one campaign should bring with it for this selection: `None` when no
    /// `stats` is asked for (or it is asked for more than once); else, with its figures, the
    /// day range of its timeline when that is asked for. A range that does not parse brings
    /// nothing: the `stats` field then answers the error itself.
    pub(super) fn figures_wanted(ctx: &Context<'_>) -> Option<Option<(NaiveDate, NaiveDate)>> {
        let field = ctx.field();
        let mut asked = field.selection_set().filter(|f| f.name() == "stats");
        let stats = asked.next()?;
        if asked.next().is_some() {
            return None;
        }
        if !stats.selection_set().any(|f| f.name() == "timeline") {
            return Some(None);
        }
        let arguments = stats.arguments().ok()?;
        let text = |name: &str| match arguments.iter().find(|(n, _)| n.as_str() == name) {
            None | Some((_, Value::Null)) => Some(None),
            Some((_, Value::String(value))) => Some(Some(value.as_str())),
            Some(_) => None,
        };
        let today = now(ctx).ok()?.date_naive();
        stats::day_range(text("from")?, text("to")?, today)
            .ok()
            .map(Some)
    }

    /// The model, checked to hold `column` (a listing reads only the columns it is asked for).
    fn holding(&self, column: campaign::Column) -> Result<&campaign::Model> {
        if self.read.contains(column) {
            Ok(&self.model)
        } else {
            Err(AppError::internal(format!(
                "a campaign was listed without the {} it is asked for",
                column.as_str()
            ))
            .into())
        }
    }
}

#[Object]
impl Campaign {
    async fn id(&self) -> ID {
        ID(self.model.id.clone())
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    async fn status(&self) -> CampaignStatus {
        self.model.status
    }
    async fn email_account_id(&self) -> Option<ID> {
        self.model.email_account_id.clone().map(ID)
    }
    /// Every account the campaign sends from (`emailAccountId` first, then the rotation).
    async fn email_account_ids(&self) -> Result<Vec<ID>> {
        Ok(svc::accounts_of(&self.model)?.into_iter().map(ID).collect())
    }
    /// Why the system paused it (e.g. `bounce_rate`); null when paused by hand or running.
    async fn paused_reason(&self) -> Option<&str> {
        self.model.paused_reason.as_deref()
    }
    /// When each remaining step of the contact's sequence is planned to go, and why there
    /// (window, skip dates, daily limit, delays, time zone changes, conditions), computed
    /// without sending.
    async fn plan(&self, ctx: &Context<'_>, contact_id: ID) -> Result<ContactPlan> {
        let plan = svc::plan(
            db(ctx)?,
            &self.model.workspace_id,
            &self.model.id,
            &contact_id,
            now(ctx)?,
        )
        .await?;
        Ok(plan.into())
    }
    /// Step `step` for the contact, exactly as it would go out (nothing is sent or kept):
    /// the variant `variantId`, or the one `seed` draws (a random seed when none is given);
    /// with `subject`/`body`, a draft's text in that variant's place.
    #[allow(clippy::too_many_arguments)]
    async fn preview(
        &self,
        ctx: &Context<'_>,
        contact_id: ID,
        step: i32,
        variant_id: Option<ID>,
        #[graphql(desc = "Up to 16 hex digits, as `seed` answered it")] seed: Option<String>,
        #[graphql(desc = "A draft's subject instead of the saved one (a live preview)")]
        subject: Option<String>,
        #[graphql(desc = "A draft's body instead of the saved one (a live preview)")] body: Option<
            String,
        >,
    ) -> Result<EmailPreview> {
        let request = svc::PreviewRequest {
            contact_id: contact_id.0,
            step,
            variant_id: variant_id.map(|v| v.0),
            seed: parse_seed(seed.as_deref())?,
            to: None,
            subject,
            body,
        };
        let tracker = ctx.data::<crate::service::tracking::Tracker>()?;
        let found = svc::preview(
            db(ctx)?,
            tracker,
            &self.model.workspace_id,
            &self.model.id,
            request,
        )
        .await?;
        Ok(found.into())
    }
    /// Why it is or is not sending right now.
    async fn sending_status(&self, ctx: &Context<'_>) -> Result<SendingStatus> {
        let now = now(ctx)?;
        let s =
            sending_status::status(db(ctx)?, &self.model.workspace_id, &self.model.id, now).await?;
        Ok(s.into())
    }
    async fn email_account(&self, ctx: &Context<'_>) -> Result<Option<Plain<EmailAccount>>> {
        if let Some(account) = &self.account {
            return Ok(account.clone().map(|a| Plain(EmailAccount(a))));
        }
        let Some(id) = &self.model.email_account_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(EmailAccountById(id.clone()))
            .await?
            .map(|a| Plain(EmailAccount(a))))
    }
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::service::campaigns::MAX_STEPS, child_complexity)"
    )]
    async fn steps(&self) -> Result<Vec<CampaignStep>> {
        Ok(svc::steps_of(self.holding(campaign::Column::Steps)?)?
            .into_iter()
            .enumerate()
            .map(|(i, s)| CampaignStep {
                step: i as i32 + 1,
                delay_days: s.delay_days,
                send_if: s.send_if,
                variants: s
                    .variants()
                    .into_iter()
                    .map(|v| StepVariant {
                        id: ID(v.id),
                        subject: v.subject,
                        body: v.body,
                        weight: v.weight,
                    })
                    .collect(),
                subject: s.subject,
                body: s.body,
            })
            .collect())
    }
    async fn schedule(&self) -> Result<Schedule> {
        let s = svc::schedule_of(self.holding(campaign::Column::Schedule)?)?;
        Ok(Schedule {
            timezone: s.timezone,
            days: s.days,
            start_time: s.start_time,
            end_time: s.end_time,
            fallback_timezone: s.fallback_timezone,
            skip_dates: s.skip_dates,
        })
    }
    /// Variables the steps name that no contact field and no custom field of the workspace's
    /// contacts has (its newest 2 000 contacts are looked at), each with the field it most
    /// likely meant: advisory, the campaign is saved all the same.
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::service::campaigns::MAX_STEPS, child_complexity)"
    )]
    async fn warnings(&self, ctx: &Context<'_>) -> Result<Vec<StepWarning>> {
        let steps = self.holding(campaign::Column::Steps)?;
        let steps = svc::steps_of(steps)?;
        let custom = svc::custom_fields(db(ctx)?, &self.model.workspace_id).await?;
        Ok(svc::warnings(&steps, &custom)
            .into_iter()
            .map(|w| StepWarning {
                step: w.step,
                variant_id: ID(w.variant_id),
                part: w.part.to_owned(),
                variable: w.variable,
                suggestion: w.suggestion,
                message: w.message,
            })
            .collect())
    }

    /// What starting the campaign now warns about (from the sending domains' last checks and
    /// the steps): a From domain failing a provider's rules or never checked, an HTML step
    /// without a visible unsubscribe link, a free-mail address sent through another
    /// provider's SMTP.
    async fn preflight(&self, ctx: &Context<'_>) -> Result<Vec<PreflightWarning>> {
        let db = db(ctx)?;
        let full = svc::get(db, &self.model.workspace_id, &self.model.id).await?;
        Ok(svc::preflight(db, &full)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// How it picks each step's best variant by itself (null: it does not).
    async fn auto_winner(&self) -> Result<Option<AutoWinner>> {
        Ok(
            svc::auto_winner_of(self.holding(campaign::Column::AutoWinner)?)?.map(|a| AutoWinner {
                metric: a.metric,
                min_sent_per_variant: a.min_sent_per_variant,
            }),
        )
    }
    /// Most emails this campaign sends per day.
    async fn daily_limit(&self) -> i32 {
        self.model.daily_limit
    }
    async fn track_opens(&self) -> bool {
        self.model.track_opens
    }
    async fn track_clicks(&self) -> bool {
        self.model.track_clicks
    }
    /// A reply ends the contact's sequence.
    async fn stop_on_reply(&self) -> bool {
        self.model.stop_on_reply
    }
    /// Whose enrolments a reply stops: the replier's, or everyone's at the replier's email
    /// domain (`company`; free-mail domains excepted).
    async fn stop_on_reply_scope(&self) -> ReplyScope {
        self.model.stop_on_reply_scope
    }
    /// Days a contact's sequence waits after an out-of-office answer that names no return
    /// date (0: it does not wait).
    async fn ooo_pause_days(&self) -> i32 {
        self.model.ooo_pause_days
    }
    /// Contacts enrolled.
    async fn contact_count(&self) -> i64 {
        self.model.contact_count
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.model.created_at)
    }
    async fn updated_at(&self) -> String {
        rfc3339(&self.model.updated_at)
    }
    async fn started_at(&self) -> Option<String> {
        self.model.started_at.as_ref().map(rfc3339)
    }
    async fn completed_at(&self) -> Option<String> {
        self.model.completed_at.as_ref().map(rfc3339)
    }
    /// Unique-contact figures; `from`/`to` (YYYY-MM-DD, UTC, inclusive; default the last 30
    /// days) bound the daily `timeline`.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<Plain<CampaignStats>> {
        let today = now(ctx)?.date_naive();
        let (from, to) = stats::day_range(from.as_deref(), to.as_deref(), today)?;
        Ok(Plain(CampaignStats {
            campaign_id: self.model.id.clone(),
            contact_count: self.model.contact_count,
            // Per-step figures are asked for with the steps (`Campaign::wanted`).
            step_count: if self.read.contains(campaign::Column::Steps) {
                svc::step_count(&self.model)
            } else {
                0
            },
            variant_ids: if self.read.contains(campaign::Column::Steps) {
                svc::steps_of(&self.model)?
                    .iter()
                    .map(|s| s.variants().into_iter().map(|v| v.id).collect())
                    .collect()
            } else {
                Vec::new()
            },
            from,
            to,
            totals: self.totals,
            computed: OnceCell::new_with(self.stats.clone()),
            timeline: self
                .timeline
                .as_ref()
                .filter(|read| (read.from, read.to) == (from, to))
                .map(|read| read.series.clone()),
        }))
    }
    /// Enrolled contacts with their state, newest first.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
        state: Option<EnrolmentState>,
    ) -> Result<CampaignContactPage> {
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let found = enrolments::enrolments(
            db(ctx)?,
            &self.model.workspace_id,
            &self.model.id,
            state,
            request,
        )
        .await?;
        Ok(CampaignContactPage::from_page(found))
    }
}

impl InPlace for Campaign {
    const HELD: &'static [&'static str] = &[
        "id",
        "name",
        "status",
        "emailAccountId",
        "emailAccountIds",
        "pausedReason",
        "steps",
        "schedule",
        "dailyLimit",
        "trackOpens",
        "trackClicks",
        "stopOnReply",
        "stopOnReplyScope",
        "oooPauseDays",
        "autoWinner",
        "contactCount",
        "createdAt",
        "updatedAt",
        "startedAt",
        "completedAt",
    ];
    const LOADED: &'static [&'static str] = &["emailAccount", "stats"];
    const WAITING: &'static [&'static str] = &[
        "sendingStatus",
        "contacts",
        "warnings",
        "plan",
        "preview",
        "preflight",
    ];

    fn holds(&self, field: &Field) -> bool {
        let subfields = || field.selection_set.node.items.iter();
        match field.name.node.as_str() {
            // An account's own waiting fields keep the campaign on the concurrent path, so
            // their loads across a page batch together.
            "emailAccount" => {
                (self.account.is_some() || self.model.email_account_id.is_none())
                    && subfields().all(|item| match &item.node {
                        Selection::Field(sub) => {
                            !plain::waits_by_name::<EmailAccount>(&sub.node.name.node)
                        }
                        _ => false,
                    })
            }
            "stats" => subfields().all(|item| match &item.node {
                Selection::Field(figure) => !figure_waits(
                    &figure.node.name.node,
                    self.totals.is_some(),
                    self.stats.is_some(),
                    self.timeline.is_some(),
                ),
                _ => false,
            }),
            _ => false,
        }
    }
}

/// A seed as the API shows it (a decimal integer).
/// A seed as the API shows it (up to 16 hex digits); blank is none.
pub(super) fn parse_seed(seed: Option<&str>) -> Result<Option<i64>, AppError> {
    seed.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            svc::seed_of_text(s).ok_or_else(|| {
                AppError::invalid_field("seed", "seed must be up to 16 hex digits, as answered")
            })
        })
        .transpose()
}
