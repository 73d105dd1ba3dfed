//! Campaigns, enrolments and stats in GraphQL.

use async_graphql::parser::types::{Field, Selection};
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::NaiveDate;
use entity::{campaign, campaign_contact, email_account, message};
use sea_orm::IdenStatic;
use tokio::sync::OnceCell;

use super::contacts::Contact;
use super::email_accounts::EmailAccount;
use super::loaders::{CampaignById, CountersOfCampaign, EmailAccountById, TimelineOf};
use super::plain::{self, InPlace, Plain, PlainList};
use super::types::{Deleted, PageInfo, SortOrder};
use super::{db, loader, principal, reads};
use crate::error::AppError;
use crate::ids::rfc3339;
use crate::service::PageRequest;
use crate::service::campaigns::{
    self as svc, CampaignStatus as SvcStatus, EnrolmentState as SvcState,
};
use crate::service::columns::Columns;
use crate::service::stats::{self, Counts};
use crate::service::{enrolments, sending_status};

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "lowercase")]
pub enum CampaignStatus {
    Draft,
    Running,
    Paused,
    Completed,
}

impl From<CampaignStatus> for SvcStatus {
    fn from(s: CampaignStatus) -> Self {
        match s {
            CampaignStatus::Draft => SvcStatus::Draft,
            CampaignStatus::Running => SvcStatus::Running,
            CampaignStatus::Paused => SvcStatus::Paused,
            CampaignStatus::Completed => SvcStatus::Completed,
        }
    }
}

impl From<SvcStatus> for CampaignStatus {
    fn from(s: SvcStatus) -> Self {
        match s {
            SvcStatus::Draft => CampaignStatus::Draft,
            SvcStatus::Running => CampaignStatus::Running,
            SvcStatus::Paused => CampaignStatus::Paused,
            SvcStatus::Completed => CampaignStatus::Completed,
        }
    }
}

/// Where a contact is in a campaign.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "lowercase")]
pub enum EnrolmentState {
    Pending,
    Active,
    Completed,
    Replied,
    Bounced,
    Unsubscribed,
    Failed,
}

impl From<EnrolmentState> for SvcState {
    fn from(s: EnrolmentState) -> Self {
        match s {
            EnrolmentState::Pending => SvcState::Pending,
            EnrolmentState::Active => SvcState::Active,
            EnrolmentState::Completed => SvcState::Completed,
            EnrolmentState::Replied => SvcState::Replied,
            EnrolmentState::Bounced => SvcState::Bounced,
            EnrolmentState::Unsubscribed => SvcState::Unsubscribed,
            EnrolmentState::Failed => SvcState::Failed,
        }
    }
}

impl From<SvcState> for EnrolmentState {
    fn from(s: SvcState) -> Self {
        match s {
            SvcState::Pending => EnrolmentState::Pending,
            SvcState::Active => EnrolmentState::Active,
            SvcState::Completed => EnrolmentState::Completed,
            SvcState::Replied => EnrolmentState::Replied,
            SvcState::Bounced => EnrolmentState::Bounced,
            SvcState::Unsubscribed => EnrolmentState::Unsubscribed,
            SvcState::Failed => EnrolmentState::Failed,
        }
    }
}

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
}

/// When the campaign may send: ISO weekdays (1 = Monday) and a local time window.
#[derive(SimpleObject)]
pub struct Schedule {
    pub timezone: String,
    pub days: Vec<i32>,
    pub start_time: String,
    pub end_time: String,
}

pub struct Campaign {
    model: campaign::Model,
    /// The totals, when a listing read them with the page; otherwise loaded on demand.
    totals: Option<Counts>,
    /// Every figure, when a listing read them with the page.
    stats: Option<stats::CampaignStats>,
    /// The email account, when a listing read it with the page.
    account: Option<Option<email_account::Model>>,
    /// The columns `model` holds (a listing reads only those its selection shows).
    read: Columns<campaign::Entity>,
}

impl From<campaign::Model> for Campaign {
    fn from(model: campaign::Model) -> Self {
        Campaign {
            model,
            totals: None,
            stats: None,
            account: None,
            read: Columns::all(),
        }
    }
}

impl Campaign {
    fn listed(listed: svc::Listed) -> Self {
        Campaign {
            model: listed.campaign,
            totals: listed.totals,
            stats: listed.stats,
            account: listed.account,
            read: listed.columns,
        }
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

    /// What a `campaigns` selection asks of its items: the columns its fields show, and beside
    /// them the counters and the email account.
    fn wanted(ctx: &Context<'_>) -> svc::ListWith {
        let mut with = svc::ListWith {
            columns: Columns::none(),
            totals: false,
            steps: false,
            account: None,
        };
        let page = ctx.field();
        for items in page.selection_set().filter(|f| f.name() == "items") {
            for field in items.selection_set() {
                match field.name() {
                    "stats" => {
                        with.totals = true;
                        with.steps |= field.selection_set().any(|f| f.name() == "steps");
                    }
                    "emailAccount" => {
                        let asked = EmailAccount::columns_for(field);
                        with.account = Some(with.account.map_or(asked, |a| a.union(asked)));
                    }
                    _ => {}
                }
                with.columns = with.columns.union(Self::columns_of(field.name()));
            }
        }
        with
    }

    /// The columns a field of `Campaign` reads from the model (beyond the id and workspace,
    /// always read). A field missing here reads them all.
    fn columns_of(field: &str) -> Columns<campaign::Entity> {
        use campaign::Column as C;
        Columns::of(match field {
            "id" | "__typename" | "sendingStatus" | "contacts" => &[],
            "name" => &[C::Name],
            "status" => &[C::Status],
            "emailAccountId" | "emailAccount" => &[C::EmailAccountId],
            "emailAccountIds" => &[C::EmailAccountId, C::EmailAccountIds],
            "pausedReason" => &[C::PausedReason],
            "steps" => &[C::Steps],
            "schedule" => &[C::Schedule],
            "dailyLimit" => &[C::DailyLimit],
            "trackOpens" => &[C::TrackOpens],
            "trackClicks" => &[C::TrackClicks],
            "stopOnReply" => &[C::StopOnReply],
            "contactCount" | "stats" => &[C::ContactCount],
            "createdAt" => &[C::CreatedAt],
            "updatedAt" => &[C::UpdatedAt],
            "startedAt" => &[C::StartedAt],
            "completedAt" => &[C::CompletedAt],
            _ => return Columns::all(),
        })
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
    async fn status(&self) -> Result<CampaignStatus> {
        Ok(SvcStatus::of(&self.model)?.into())
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
    /// Why it is or is not sending right now.
    async fn sending_status(&self, ctx: &Context<'_>) -> Result<SendingStatus> {
        let now = ctx.data::<crate::clock::Clock>()?.now();
        let s =
            sending_status::status(db(ctx)?, &self.model.workspace_id, &self.model.id, now).await?;
        Ok(SendingStatus {
            state: s.state.to_owned(),
            paused_reason: s.paused_reason,
            next_window_at: s.next_window_at.as_ref().map(rfc3339),
            next_due_at: s.next_due_at.as_ref().map(rfc3339),
            sent_today: s.sent_today,
            daily_limit: s.daily_limit,
            due_now: s.due_now as i64,
            missing_fields: s
                .missing_fields
                .into_iter()
                .map(|(field, contacts)| MissingField {
                    field,
                    contacts: contacts as i64,
                })
                .collect(),
            unknown_outcomes: s.unknown_outcomes as i64,
            failed: s.failed as i64,
            accounts: s
                .accounts
                .into_iter()
                .map(|a| AccountToday {
                    email_account_id: ID(a.account.id.clone()),
                    email: a.account.email.clone(),
                    status: a.account.status.clone(),
                    last_error: a.account.last_error.clone(),
                    sent_today: a.sent_today,
                    daily_limit: a.account.daily_limit,
                    reply_tracking: crate::service::email_accounts::reply_tracking(&a.account)
                        .to_owned(),
                })
                .collect(),
        })
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
                subject: s.subject,
                body: s.body,
                delay_days: s.delay_days,
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
        })
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
        from: Option<String>,
        to: Option<String>,
    ) -> Result<Plain<CampaignStats>> {
        let (from, to) = stats::day_range(from.as_deref(), to.as_deref())?;
        Ok(Plain(CampaignStats {
            campaign_id: self.model.id.clone(),
            contact_count: self.model.contact_count,
            // Per-step figures are asked for with the steps (`Campaign::wanted`).
            step_count: if self.read.contains(campaign::Column::Steps) {
                svc::step_count(&self.model)
            } else {
                0
            },
            from,
            to,
            totals: self.totals,
            computed: OnceCell::new_with(self.stats.clone()),
        }))
    }
    /// Enrolled contacts with their state, newest first.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        state: Option<EnrolmentState>,
    ) -> Result<CampaignContactPage> {
        let request = PageRequest::new(page, per_page)?;
        let found = enrolments::enrolments(
            db(ctx)?,
            &self.model.workspace_id,
            &self.model.id,
            state.map(Into::into),
            request,
        )
        .await?;
        let page_info = PageInfo::of(&found);
        Ok(CampaignContactPage {
            items: found
                .items
                .into_iter()
                .map(|(enrolment, contact)| CampaignContact { enrolment, contact })
                .collect(),
            page_info,
        })
    }
}

/// Counts and rates for a campaign or one step. Rates are percentages (0–100, 2 decimals) of
/// the contacts emailed at least once, 0 when none were.
#[derive(SimpleObject)]
pub struct Figures {
    pub sent: i64,
    pub opened: i64,
    pub clicked: i64,
    pub replied: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
    /// Contacts whose only answers were automatic (out of office); never counted as replies.
    pub auto_replied: i64,
    pub open_rate: f64,
    pub click_rate: f64,
    pub reply_rate: f64,
    pub bounce_rate: f64,
    pub unsubscribe_rate: f64,
}

impl From<Counts> for Figures {
    fn from(c: Counts) -> Self {
        Figures {
            sent: c.sent,
            opened: c.opened,
            clicked: c.clicked,
            replied: c.replied,
            bounced: c.bounced,
            unsubscribed: c.unsubscribed,
            auto_replied: c.auto_replied,
            open_rate: c.rate(c.opened),
            click_rate: c.rate(c.clicked),
            reply_rate: c.rate(c.replied),
            bounce_rate: c.rate(c.bounced),
            unsubscribe_rate: c.rate(c.unsubscribed),
        }
    }
}

#[derive(SimpleObject)]
pub struct StepStats {
    pub step: i32,
    #[graphql(flatten)]
    pub figures: Figures,
}

/// Events on one UTC day.
#[derive(SimpleObject)]
pub struct DailyStats {
    pub date: String,
    pub sent: i64,
    pub opened: i64,
    pub clicked: i64,
    pub replied: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
    pub auto_replied: i64,
}

pub struct CampaignStats {
    campaign_id: String,
    contact_count: i64,
    step_count: usize,
    from: NaiveDate,
    to: NaiveDate,
    /// The totals, when read with a listing's page.
    totals: Option<Counts>,
    /// The counters, loaded once for all the figures asked for.
    computed: OnceCell<stats::CampaignStats>,
}

impl CampaignStats {
    /// The campaign's totals: read with the page, or from the loaded counters.
    async fn totals(&self, ctx: &Context<'_>) -> Result<Counts> {
        match self.totals {
            Some(totals) => Ok(totals),
            None => Ok(self.computed(ctx).await?.totals),
        }
    }

    async fn computed(&self, ctx: &Context<'_>) -> Result<&stats::CampaignStats> {
        self.computed
            .get_or_try_init(|| async {
                let rows = loader(ctx)?
                    .load_one(CountersOfCampaign(self.campaign_id.clone()))
                    .await?
                    .unwrap_or_default();
                Ok(stats::CampaignStats::from_rows(&rows, self.step_count))
            })
            .await
    }
}

/// The figures of `CampaignStats` read from the totals (`totals`) or from every counter
/// (`computed`), whichever the campaign was read with.
const FIGURES: &[&str] = &[
    "sent",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "unsubscribed",
    "autoReplied",
    "openRate",
    "clickRate",
    "replyRate",
    "bounceRate",
    "unsubscribeRate",
];

/// Whether a figure of `CampaignStats` waits, given what the campaign was read with.
fn figure_waits(field: &str, totals: bool, computed: bool) -> bool {
    match field {
        "steps" => !computed,
        f if FIGURES.contains(&f) => !(totals || computed),
        f => f != "__typename" && !CampaignStats::HELD.contains(&f),
    }
}

impl InPlace for CampaignStats {
    const HELD: &'static [&'static str] = &["campaignId", "contacts"];
    const LOADED: &'static [&'static str] = &[
        "sent",
        "opened",
        "clicked",
        "replied",
        "bounced",
        "unsubscribed",
        "autoReplied",
        "openRate",
        "clickRate",
        "replyRate",
        "bounceRate",
        "unsubscribeRate",
        "steps",
    ];
    const WAITING: &'static [&'static str] = &["timeline"];

    fn holds(&self, field: &Field) -> bool {
        !figure_waits(
            &field.name.node,
            self.totals.is_some(),
            self.computed.initialized(),
        )
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
        "contactCount",
        "createdAt",
        "updatedAt",
        "startedAt",
        "completedAt",
    ];
    const LOADED: &'static [&'static str] = &["emailAccount", "stats"];
    const WAITING: &'static [&'static str] = &["sendingStatus", "contacts"];

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
                ),
                _ => false,
            }),
            _ => false,
        }
    }
}

#[Object]
impl CampaignStats {
    async fn campaign_id(&self) -> ID {
        ID(self.campaign_id.clone())
    }
    /// Contacts enrolled.
    async fn contacts(&self) -> i64 {
        self.contact_count
    }
    async fn sent(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.sent)
    }
    async fn opened(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.opened)
    }
    async fn clicked(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.clicked)
    }
    async fn replied(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.replied)
    }
    async fn bounced(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.bounced)
    }
    async fn unsubscribed(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.unsubscribed)
    }
    /// Contacts who answered automatically (out of office, auto-responder): not replies.
    async fn auto_replied(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.auto_replied)
    }
    async fn open_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.opened))
    }
    async fn click_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.clicked))
    }
    async fn reply_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.replied))
    }
    async fn bounce_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.bounced))
    }
    async fn unsubscribe_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.unsubscribed))
    }
    /// The same figures for each step.
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::service::campaigns::MAX_STEPS, child_complexity)"
    )]
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<StepStats>> {
        Ok(self
            .computed(ctx)
            .await?
            .steps
            .iter()
            .map(|&(step, counts)| StepStats {
                step,
                figures: counts.into(),
            })
            .collect())
    }
    /// Events per UTC day between `from` and `to`.
    #[graphql(complexity = "crate::graphql::list_cost(31, child_complexity)")]
    async fn timeline(&self, ctx: &Context<'_>) -> Result<Vec<DailyStats>> {
        let key = TimelineOf {
            campaign_id: self.campaign_id.clone(),
            from: self.from,
            to: self.to,
        };
        let series = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(series
            .into_iter()
            .map(|(day, c)| DailyStats {
                date: day.format("%Y-%m-%d").to_string(),
                sent: c.sent,
                opened: c.opened,
                clicked: c.clicked,
                replied: c.replied,
                bounced: c.bounced,
                unsubscribed: c.unsubscribed,
                auto_replied: c.auto_replied,
            })
            .collect())
    }
}

/// A contact in a campaign.
pub struct CampaignContact {
    enrolment: campaign_contact::Model,
    contact: entity::contact::Model,
}

#[Object]
impl CampaignContact {
    async fn contact(&self) -> Contact {
        Contact::from(self.contact.clone())
    }
    async fn state(&self) -> Result<EnrolmentState> {
        enrolment_state(&self.enrolment)
    }
    /// The last step sent (0 before the first).
    async fn current_step(&self) -> i32 {
        self.enrolment.current_step
    }
    async fn enrolled_at(&self) -> String {
        rfc3339(&self.enrolment.created_at)
    }
    async fn last_sent_at(&self) -> Option<String> {
        self.enrolment.last_sent_at.as_ref().map(rfc3339)
    }
    async fn next_send_at(&self) -> Option<String> {
        self.enrolment.next_send_at.as_ref().map(rfc3339)
    }
    /// Why it waits or stopped: `missing_field:<name>`, `retrying`, `account_error`,
    /// `delivery_failed`, `outcome_unknown`, `invalid_address`.
    async fn reason(&self) -> Option<&str> {
        self.enrolment.reason.as_deref()
    }
    /// The account this contact's sequence goes out from (set at its first send).
    async fn email_account_id(&self) -> Option<ID> {
        self.enrolment.email_account_id.clone().map(ID)
    }
}

/// One email of a campaign to one contact.
pub struct Message(pub message::Model);

#[Object]
impl Message {
    /// `msg_…`
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn campaign_id(&self) -> ID {
        ID(self.0.campaign_id.clone())
    }
    async fn step(&self) -> i32 {
        self.0.step
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn email_account_id(&self) -> ID {
        ID(self.0.email_account_id.clone())
    }
    /// The SMTP `Message-ID` header.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// `sending`, `deferred` (refused for now, retried), `sent`, `bounced`, `failed` or
    /// `unknown` (the sending process stopped mid-send: never re-sent).
    async fn state(&self) -> &str {
        &self.0.state
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The last SMTP reply seen for it.
    async fn last_reply(&self) -> Option<&str> {
        self.0.last_reply.as_deref()
    }
    async fn sent_at(&self) -> Option<String> {
        self.0.sent_at.as_ref().map(rfc3339)
    }
    async fn opened_at(&self) -> Option<String> {
        self.0.opened_at.as_ref().map(rfc3339)
    }
    async fn clicked_at(&self) -> Option<String> {
        self.0.clicked_at.as_ref().map(rfc3339)
    }
    async fn replied_at(&self) -> Option<String> {
        self.0.replied_at.as_ref().map(rfc3339)
    }
}

/// Enrolments waiting for a contact field their templates need.
#[derive(SimpleObject)]
pub struct MissingField {
    pub field: String,
    pub contacts: i64,
}

/// One sending account's day.
#[derive(SimpleObject)]
pub struct AccountToday {
    pub email_account_id: ID,
    pub email: String,
    /// `ok` or `error`.
    pub status: String,
    pub last_error: Option<String>,
    /// Emails sent today in the account's time zone, across its campaigns.
    pub sent_today: i32,
    pub daily_limit: i32,
    /// `on` when replies and bounce reports are read from this account's mailbox, else `off`
    /// (replies cannot stop the sequence and `replyRate` stays 0).
    pub reply_tracking: String,
}

/// Why a campaign is or is not sending right now.
#[derive(SimpleObject)]
pub struct SendingStatus {
    /// `sending`, `draft`, `paused`, `completed`, `outside_window` (see `nextWindowAt`),
    /// `daily_limit_reached`, `account_error` or `nothing_due` (see `nextDueAt`).
    pub state: String,
    pub paused_reason: Option<String>,
    /// When the schedule's window next opens (null while inside it).
    pub next_window_at: Option<String>,
    /// The earliest scheduled send.
    pub next_due_at: Option<String>,
    /// Emails sent today in the campaign's time zone.
    pub sent_today: i32,
    pub daily_limit: i32,
    /// Emails due now.
    pub due_now: i64,
    pub missing_fields: Vec<MissingField>,
    /// Emails whose outcome is unknown (the process stopped mid-send); never re-sent.
    pub unknown_outcomes: i64,
    /// Enrolments stopped for another reason (delivery failed, invalid address).
    pub failed: i64,
    pub accounts: Vec<AccountToday>,
}

#[derive(SimpleObject)]
pub struct CampaignContactPage {
    pub items: Vec<CampaignContact>,
    pub page_info: PageInfo,
}

/// A campaign a contact is enrolled in.
pub struct ContactCampaign(pub campaign_contact::Model);

#[Object]
impl ContactCampaign {
    async fn campaign(&self, ctx: &Context<'_>) -> Result<Campaign> {
        loader(ctx)?
            .load_one(CampaignById(self.0.campaign_id.clone()))
            .await?
            .map(Campaign::from)
            .ok_or_else(|| AppError::not_found("Campaign").into())
    }
    async fn state(&self) -> Result<EnrolmentState> {
        enrolment_state(&self.0)
    }
    async fn current_step(&self) -> i32 {
        self.0.current_step
    }
    async fn enrolled_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
}

#[derive(SimpleObject)]
pub struct CampaignPage {
    pub items: PlainList<Campaign>,
    pub page_info: PageInfo,
}

#[derive(InputObject, Default)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
}

#[derive(InputObject)]
pub struct StepInput {
    pub subject: Option<String>,
    pub body: Option<String>,
    /// Days after the previous step; the first step must be 0 (the default), later ones
    /// default to 1.
    pub delay_days: Option<i32>,
}

impl From<StepInput> for svc::StepInput {
    fn from(s: StepInput) -> Self {
        svc::StepInput {
            subject: s.subject,
            body: s.body,
            delay_days: s.delay_days,
        }
    }
}

/// Fields present replace the current (or default) schedule's.
#[derive(InputObject)]
pub struct ScheduleInput {
    /// IANA name, e.g. `America/Sao_Paulo` (default `UTC`).
    pub timezone: Option<String>,
    /// ISO weekdays, 1 = Monday (default Monday to Friday).
    pub days: Option<Vec<i32>>,
    /// `HH:MM` (default `09:00`).
    pub start_time: Option<String>,
    /// `HH:MM`, after `startTime` (default `17:00`).
    pub end_time: Option<String>,
}

impl From<ScheduleInput> for svc::ScheduleInput {
    fn from(s: ScheduleInput) -> Self {
        svc::ScheduleInput {
            timezone: s.timezone,
            days: s.days,
            start_time: s.start_time,
            end_time: s.end_time,
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
pub struct CampaignQuery;

#[Object]
impl CampaignQuery {
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Campaign> {
        let who = principal(ctx)?;
        Ok(svc::get(db(ctx)?, &who.workspace_id, &id).await?.into())
    }

    /// Campaigns, filtered by status, sorted (`createdAt`, `updatedAt`, `name`) and paginated.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        filter: Option<CampaignFilter>,
        sort: Option<String>,
        #[graphql(default)] order: SortOrder,
    ) -> Result<CampaignPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page)?;
        let filter = svc::CampaignFilter {
            status: filter.and_then(|f| f.status).map(Into::into),
        };
        let with = Campaign::wanted(ctx);
        let found = svc::list(
            reads(ctx)?,
            &who.workspace_id,
            &filter,
            request,
            sort.as_deref(),
            order.into(),
            with,
        )
        .await?;
        let page_info = PageInfo::of(&found);
        Ok(CampaignPage {
            items: PlainList(found.items.into_iter().map(Campaign::listed).collect()),
            page_info,
        })
    }
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
        };
        Ok(svc::create(db(ctx)?, &who.workspace_id, input)
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
        };
        Ok(svc::update(db(ctx)?, &who.workspace_id, &id, patch)
            .await?
            .into())
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
    async fn start_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Campaign> {
        let who = principal(ctx)?;
        let now = ctx.data::<crate::clock::Clock>()?.now();
        let (campaign, _) = svc::start(db(ctx)?, &who.workspace_id, &id, now).await?;
        Ok(campaign.into())
    }

    /// running → paused; new sends stop at once. Pausing a paused campaign returns it unchanged.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Campaign> {
        let who = principal(ctx)?;
        let (campaign, _) = svc::pause(db(ctx)?, &who.workspace_id, &id).await?;
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
        let now = ctx.data::<crate::clock::Clock>()?.now();
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

/// An enrolment's stored state; one this code does not know is an error naming the row.
fn enrolment_state(row: &entity::campaign_contact::Model) -> Result<EnrolmentState> {
    let state = SvcState::parse(&row.state).ok_or_else(|| {
        AppError::corrupt(
            "campaign_contacts",
            &format!("{}/{}", row.campaign_id, row.contact_id),
            "state",
            &row.state,
        )
    })?;
    Ok(state.into())
}
