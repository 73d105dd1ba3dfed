//! Email accounts in GraphQL. The SMTP password is accepted and never returned.

use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, SelectionField, SimpleObject,
};
use entity::{email_account, unmatched_report};

use super::loaders::SentOn;
use super::plain::InPlace;
use super::types::{Deleted, PageInfo, SortOrder};
use super::{db, loader, now, principal};
use crate::error::AppError;
use crate::ids::rfc3339;
use crate::secrets::Keyring;
use crate::service::PageRequest;
use crate::service::columns::Columns;
use crate::service::email_accounts::{self as svc, AccountStatus, SmtpSecurity};
use crate::service::webhooks::UrlPolicy;
use crate::service::{inbound, pacing, quotas};

impl EmailAccount {
    /// The columns a selection of an `EmailAccount` reads from the model.
    pub fn columns_for(selection: SelectionField<'_>) -> Columns<email_account::Entity> {
        selection
            .selection_set()
            .fold(Columns::none(), |read, field| {
                read.union(Self::columns_of(field.name()))
            })
    }

    /// The columns a field of `EmailAccount` reads from the model (beyond the id, always
    /// read). A field missing here reads them all.
    fn columns_of(field: &str) -> Columns<email_account::Entity> {
        use email_account::Column as C;
        Columns::of(match field {
            "id" | "__typename" => &[],
            "email" => &[C::Email],
            "name" => &[C::Name],
            "smtpHost" => &[C::SmtpHost],
            "smtpPort" => &[C::SmtpPort],
            "smtpUsername" => &[C::SmtpUsername],
            "smtpSecurity" => &[C::SmtpSecurity],
            "dailyLimit" => &[C::DailyLimit],
            "ramp" => &[C::Ramp, C::CreatedAt],
            "dailyLimitToday" => &[C::Ramp, C::DailyLimit, C::Timezone, C::CreatedAt],
            "providerLimits" => &[C::ProviderLimits],
            "timezone" | "sentToday" => &[C::Timezone],
            "sendGapSeconds" => &[C::SendGapSeconds],
            "status" => &[C::Status],
            "lastError" => &[C::LastError],
            "replyTracking" | "imapHost" => &[C::ImapHost],
            "imapPort" => &[C::ImapPort],
            "imapUsername" => &[C::ImapUsername],
            "imapSecurity" => &[C::ImapSecurity],
            "imapCheckedAt" => &[C::ImapCheckedAt],
            "unmatchedReports" => &[],
            "createdAt" => &[C::CreatedAt],
            "updatedAt" => &[C::UpdatedAt],
            _ => return Columns::all(),
        })
    }
}

/// An SMTP mailbox campaigns send from.
pub struct EmailAccount(pub email_account::Model);

impl InPlace for EmailAccount {
    const HELD: &'static [&'static str] = &[
        "id",
        "email",
        "name",
        "smtpHost",
        "smtpPort",
        "smtpUsername",
        "smtpSecurity",
        "dailyLimit",
        "ramp",
        "dailyLimitToday",
        "providerLimits",
        "timezone",
        "sendGapSeconds",
        "status",
        "lastError",
        "replyTracking",
        "imapHost",
        "imapPort",
        "imapUsername",
        "imapSecurity",
        "imapCheckedAt",
        "createdAt",
        "updatedAt",
    ];
    const LOADED: &'static [&'static str] = &[];
    const WAITING: &'static [&'static str] = &["sentToday", "unmatchedReports"];
}

#[Object]
impl EmailAccount {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn smtp_host(&self) -> &str {
        &self.0.smtp_host
    }
    async fn smtp_port(&self) -> i32 {
        self.0.smtp_port
    }
    async fn smtp_username(&self) -> &str {
        &self.0.smtp_username
    }
    async fn smtp_security(&self) -> Result<SmtpSecurity> {
        let security = SmtpSecurity::parse(&self.0.smtp_security).ok_or_else(|| {
            AppError::corrupt(
                "email_accounts",
                &self.0.id,
                "smtp_security",
                &self.0.smtp_security,
            )
        })?;
        Ok(security)
    }
    /// Most emails sent from this account per day, across campaigns.
    async fn daily_limit(&self) -> i32 {
        self.0.daily_limit
    }
    /// Its warm-up ramp (null: none).
    async fn ramp(&self) -> Option<Ramp> {
        pacing::ramp_of(&self.0).map(|r| Ramp {
            start_per_day: r.start_per_day,
            increase_per_day: r.increase_per_day,
            started_at: rfc3339(&r.started_at.unwrap_or(self.0.created_at)),
        })
    }
    /// What it may send today: `dailyLimit`, or less while its ramp grows.
    async fn daily_limit_today(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(pacing::daily_limit(&self.0, now(ctx)?))
    }
    /// Sends per hour to each recipient provider (null: no limit).
    async fn provider_limits(&self) -> Option<ProviderLimits> {
        pacing::provider_limits_of(&self.0).map(|l| ProviderLimits {
            google: l.google,
            microsoft: l.microsoft,
            yahoo: l.yahoo,
            other: l.other,
        })
    }
    /// IANA zone whose days the daily limit counts in.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    /// Least seconds between two sends (plus up to 50 % random jitter); 0 = none.
    async fn send_gap_seconds(&self) -> i32 {
        self.0.send_gap_seconds
    }
    /// `ok`, or `error` after the SMTP server refused the credentials (sends wait until the
    /// account's connection settings are updated).
    async fn status(&self) -> AccountStatus {
        self.0.status
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// `on` when replies and bounce reports are read from the mailbox (IMAP settings given),
    /// `off` otherwise.
    async fn reply_tracking(&self) -> &'static str {
        svc::reply_tracking(&self.0)
    }
    async fn imap_host(&self) -> Option<&str> {
        self.0.imap_host.as_deref()
    }
    async fn imap_port(&self) -> Option<i32> {
        self.0.imap_port
    }
    async fn imap_username(&self) -> Option<&str> {
        self.0.imap_username.as_deref()
    }
    async fn imap_security(&self) -> Option<SmtpSecurity> {
        self.0
            .imap_security
            .as_deref()
            .and_then(SmtpSecurity::parse)
    }
    /// When the mailbox was last read.
    async fn imap_checked_at(&self) -> Option<String> {
        self.0.imap_checked_at.as_ref().map(rfc3339)
    }
    /// Emails sent (or being sent) today, in the account's time zone.
    async fn sent_today(&self, ctx: &Context<'_>) -> Result<i32> {
        let now = now(ctx)?;
        let key = SentOn {
            scope: self.0.id.clone(),
            day: quotas::account_day(&self.0, now)?,
        };
        Ok(loader(ctx)?.load_one(key).await?.unwrap_or(0))
    }
    /// Delivery reports read from this mailbox that quote no email this account sent (a
    /// forged or misdirected report): kept for you to see, with no effect. Newest first.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn unmatched_reports(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
    ) -> Result<UnmatchedReportPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let found =
            inbound::unmatched_reports(db(ctx)?, &who.workspace_id, &self.0.id, request).await?;
        let page_info = PageInfo::of(&found);
        let items = found
            .items
            .into_iter()
            .map(UnmatchedReport::try_from)
            .collect::<Result<_, _>>()?;
        Ok(UnmatchedReportPage { items, page_info })
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
    async fn updated_at(&self) -> String {
        rfc3339(&self.0.updated_at)
    }
}

/// A delivery report that quotes no email its account sent.
#[derive(SimpleObject)]
pub struct UnmatchedReport {
    pub id: ID,
    /// The report's `From` address.
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// The recipients the report names, with what it says happened to each.
    pub recipients: Vec<ReportedRecipient>,
    /// The Message-ID the report quotes, when it quotes one.
    pub quoted_message_id: Option<String>,
    pub received_at: String,
}

/// One recipient block of a delivery report.
#[derive(SimpleObject)]
pub struct ReportedRecipient {
    pub address: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: String,
    /// e.g. `5.1.1`.
    pub status: String,
    pub diagnostic: Option<String>,
}

impl TryFrom<unmatched_report::Model> for UnmatchedReport {
    type Error = crate::error::AppError;

    fn try_from(report: unmatched_report::Model) -> Result<Self, Self::Error> {
        let recipients = inbound::named_recipients(&report)?
            .into_iter()
            .map(|r| ReportedRecipient {
                address: r.address,
                action: r.action,
                status: r.status,
                diagnostic: r.diagnostic,
            })
            .collect();
        Ok(UnmatchedReport {
            id: ID(report.id),
            sender: report.sender,
            subject: report.subject,
            recipients,
            quoted_message_id: report.quoted_message_id,
            received_at: rfc3339(&report.created_at),
        })
    }
}

#[derive(SimpleObject)]
pub struct UnmatchedReportPage {
    pub items: Vec<UnmatchedReport>,
    pub page_info: PageInfo,
}

/// The result of logging in to one server.
#[derive(SimpleObject)]
pub struct ConnectionCheck {
    pub ok: bool,
    /// What went wrong, as a class: `connection_refused`, `timeout`, `tls_failed`,
    /// `auth_failed`, `not_smtp`, `not_imap`, `host_not_allowed`, `unreachable` or
    /// `mailbox_failed` (the server's own words are never repeated).
    pub error: Option<String>,
    /// Each step tried, in order, with what happened.
    pub steps: Vec<CheckStep>,
}

/// One step of a connection check: `connect`, `tls`, `login`, `mailbox`.
#[derive(SimpleObject)]
pub struct CheckStep {
    pub step: String,
    pub ok: bool,
    /// What happened, described (never the server's own reply).
    pub reply: String,
}

impl From<crate::engine::Checked> for ConnectionCheck {
    fn from(checked: crate::engine::Checked) -> Self {
        ConnectionCheck {
            ok: checked.ok(),
            error: checked.failure().map(|f| f.code().to_owned()),
            steps: checked
                .steps
                .into_iter()
                .map(|s| CheckStep {
                    step: s.step.to_owned(),
                    ok: s.ok,
                    reply: s.reply,
                })
                .collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct EmailAccountTest {
    pub smtp: ConnectionCheck,
    /// The IMAP check; `null` when the account has no IMAP settings (reply tracking off).
    pub imap: Option<ConnectionCheck>,
    /// The account after the check (its `status` and `lastError`).
    pub email_account: EmailAccount,
}

#[derive(SimpleObject)]
pub struct EmailAccountPage {
    pub items: Vec<EmailAccount>,
    pub page_info: PageInfo,
}

/// A new account. `email`, `smtpHost` and `smtpPassword` are required; `smtpSecurity` defaults
/// to `starttls`, `smtpPort` to the security's usual port, `smtpUsername` to `email`.
#[derive(InputObject)]
pub struct EmailAccountInput {
    pub email: Option<String>,
    pub name: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i32>,
    pub smtp_username: Option<String>,
    /// Write-only.
    pub smtp_password: Option<String>,
    pub smtp_security: Option<SmtpSecurity>,
    pub daily_limit: Option<i32>,
    /// IANA zone for the daily limit's days (default `UTC`).
    pub timezone: Option<String>,
    /// Least seconds between two sends (default 60; 0 = none).
    pub send_gap_seconds: Option<i32>,
    /// The IMAP server replies and bounce reports arrive at; without it reply tracking is off.
    pub imap_host: Option<String>,
    /// Default: 993 for `tls`, 143 otherwise.
    pub imap_port: Option<i32>,
    /// Default: `smtpUsername`.
    pub imap_username: Option<String>,
    /// Write-only; required with `imapHost`.
    pub imap_password: Option<String>,
    /// Default `tls`.
    pub imap_security: Option<SmtpSecurity>,
    /// Warm a new mailbox up: its daily limit starts at `startPerDay` and grows by
    /// `increasePerDay` each day (from the day it was added) up to `dailyLimit`.
    pub ramp: Option<RampInput>,
    /// Sends per hour to each recipient provider (the provider known from the recipient
    /// domain's MX records); a provider left out has no limit.
    pub provider_limits: Option<ProviderLimitsInput>,
}

/// A warm-up ramp.
#[derive(InputObject, Clone, Copy)]
pub struct RampInput {
    pub start_per_day: Option<i32>,
    pub increase_per_day: Option<i32>,
}

impl From<RampInput> for pacing::RampInput {
    fn from(r: RampInput) -> Self {
        pacing::RampInput {
            start_per_day: r.start_per_day,
            increase_per_day: r.increase_per_day,
        }
    }
}

/// Sends per hour to each recipient provider.
#[derive(InputObject, SimpleObject, Clone, Copy)]
#[graphql(input_name = "ProviderLimitsInput")]
pub struct ProviderLimits {
    pub google: Option<i32>,
    pub microsoft: Option<i32>,
    pub yahoo: Option<i32>,
    /// Every other provider.
    pub other: Option<i32>,
}

pub type ProviderLimitsInput = ProviderLimits;

impl From<ProviderLimits> for pacing::ProviderLimits {
    fn from(l: ProviderLimits) -> Self {
        pacing::ProviderLimits {
            google: l.google,
            microsoft: l.microsoft,
            yahoo: l.yahoo,
            other: l.other,
        }
    }
}

/// A warm-up ramp as set.
#[derive(SimpleObject)]
pub struct Ramp {
    pub start_per_day: i32,
    pub increase_per_day: i32,
    /// Its first day (when it was set), RFC 3339.
    pub started_at: String,
}

/// Fields present are replaced.
#[derive(InputObject)]
pub struct EmailAccountUpdate {
    pub email: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    pub smtp_host: MaybeUndefined<String>,
    pub smtp_port: MaybeUndefined<i32>,
    pub smtp_username: MaybeUndefined<String>,
    /// Write-only.
    pub smtp_password: MaybeUndefined<String>,
    pub smtp_security: MaybeUndefined<SmtpSecurity>,
    pub daily_limit: MaybeUndefined<i32>,
    pub timezone: MaybeUndefined<String>,
    pub send_gap_seconds: MaybeUndefined<i32>,
    /// `null` turns reply tracking off.
    pub imap_host: MaybeUndefined<String>,
    pub imap_port: MaybeUndefined<i32>,
    pub imap_username: MaybeUndefined<String>,
    /// Write-only.
    pub imap_password: MaybeUndefined<String>,
    pub imap_security: MaybeUndefined<SmtpSecurity>,
    /// `null` ends the ramp.
    pub ramp: MaybeUndefined<RampInput>,
    /// `null` removes every provider limit.
    pub provider_limits: MaybeUndefined<ProviderLimitsInput>,
}

#[derive(Default)]
pub struct EmailAccountQuery;

#[Object]
impl EmailAccountQuery {
    async fn email_account(&self, ctx: &Context<'_>, id: ID) -> Result<EmailAccount> {
        let who = principal(ctx)?;
        Ok(EmailAccount(
            svc::get(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }

    /// Email accounts, sorted (`createdAt`, `updatedAt`, `email`) and paginated.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn email_accounts(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
        sort: Option<String>,
        #[graphql(default)] order: SortOrder,
    ) -> Result<EmailAccountPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let found = svc::list(
            db(ctx)?,
            &who.workspace_id,
            request,
            sort.as_deref(),
            order.into(),
        )
        .await?;
        let page_info = PageInfo::of(&found);
        Ok(EmailAccountPage {
            items: found.items.into_iter().map(EmailAccount).collect(),
            page_info,
        })
    }
}

#[derive(Default)]
pub struct EmailAccountMutation;

#[Object]
impl EmailAccountMutation {
    async fn create_email_account(
        &self,
        ctx: &Context<'_>,
        input: EmailAccountInput,
    ) -> Result<EmailAccount> {
        let who = principal(ctx)?;
        let input = svc::EmailAccountInput {
            email: input.email,
            name: input.name,
            smtp_host: input.smtp_host,
            smtp_port: input.smtp_port,
            smtp_username: input.smtp_username,
            smtp_password: input.smtp_password,
            smtp_security: input.smtp_security,
            daily_limit: input.daily_limit,
            timezone: input.timezone,
            send_gap_seconds: input.send_gap_seconds,
            imap_host: input.imap_host,
            imap_port: input.imap_port,
            imap_username: input.imap_username,
            imap_password: input.imap_password,
            imap_security: input.imap_security,
            ramp: input.ramp.map(Into::into),
            provider_limits: input.provider_limits.map(Into::into),
        };
        Ok(EmailAccount(
            svc::create(
                db(ctx)?,
                &who.workspace_id,
                input,
                *ctx.data::<UrlPolicy>()?,
                ctx.data::<Keyring>()?,
                now(ctx)?,
            )
            .await?,
        ))
    }

    async fn update_email_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: EmailAccountUpdate,
    ) -> Result<EmailAccount> {
        let who = principal(ctx)?;
        let patch = svc::EmailAccountPatch {
            email: input.email.into(),
            name: input.name.into(),
            smtp_host: input.smtp_host.into(),
            smtp_port: input.smtp_port.into(),
            smtp_username: input.smtp_username.into(),
            smtp_password: input.smtp_password.into(),
            smtp_security: input.smtp_security.map_value(Into::into).into(),
            daily_limit: input.daily_limit.into(),
            timezone: input.timezone.into(),
            send_gap_seconds: input.send_gap_seconds.into(),
            imap_host: input.imap_host.into(),
            imap_port: input.imap_port.into(),
            imap_username: input.imap_username.into(),
            imap_password: input.imap_password.into(),
            imap_security: input.imap_security.map_value(Into::into).into(),
            ramp: input.ramp.map_value(Into::into).into(),
            provider_limits: input.provider_limits.map_value(Into::into).into(),
        };
        Ok(EmailAccount(
            svc::update(
                db(ctx)?,
                &who.workspace_id,
                &id,
                patch,
                *ctx.data::<UrlPolicy>()?,
                ctx.data::<Keyring>()?,
                now(ctx)?,
            )
            .await?,
        ))
    }

    /// Logs in to the account's SMTP server as a send would (EHLO, TLS, AUTH; nothing is
    /// sent) and, with IMAP settings, to its IMAP server as the reader would (LOGIN, INBOX
    /// opened read-only). A success clears an `error` status; a refused login sets it.
    async fn test_email_account(&self, ctx: &Context<'_>, id: ID) -> Result<EmailAccountTest> {
        let who = principal(ctx)?;
        let account = svc::get(db(ctx)?, &who.workspace_id, &id).await?;
        let plain = svc::with_passwords(&account, ctx.data::<Keyring>()?)?;
        // Someone is waiting for the answer: an unreachable server is reported within 5 s,
        // and the two servers are tried side by side.
        let timeouts = crate::engine::smtp::Timeouts {
            connect: std::time::Duration::from_secs(5),
            command: std::time::Duration::from_secs(5),
            ..Default::default()
        };
        let trust = ctx.data::<crate::engine::smtp::Trust>()?;
        let allow_private = ctx.data::<UrlPolicy>()?.allow_private;
        let smtp = crate::engine::smtp::check(&plain, &timeouts, trust, allow_private);
        let imap = async {
            match plain.imap_host {
                Some(_) => Some(
                    crate::engine::mailbox::check(&plain, &timeouts, trust, allow_private).await,
                ),
                None => None,
            }
        };
        let (smtp, imap) = tokio::join!(smtp, imap);
        let refused = smtp
            .refused_login()
            .or_else(|| imap.as_ref().and_then(|i| i.refused_login()))
            .map(str::to_owned);
        let ok = smtp.ok() && imap.as_ref().is_none_or(|i| i.ok());
        let account = svc::record_check(db(ctx)?, &account, ok, refused.as_deref()).await?;
        Ok(EmailAccountTest {
            smtp: smtp.into(),
            imap: imap.map(Into::into),
            email_account: EmailAccount(account),
        })
    }

    /// Deletes an account no draft, running or paused campaign uses.
    async fn delete_email_account(&self, ctx: &Context<'_>, id: ID) -> Result<Deleted> {
        let who = principal(ctx)?;
        Ok(Deleted::new(
            svc::delete(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }
}
