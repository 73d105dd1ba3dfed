//! What a campaign's start warns about before it sends: a From domain that fails a mailbox
//! provider's rules (or was never checked), an HTML body with no visible unsubscribe link, a
//! free-mail address sent through another provider's SMTP. With
//! `FLUENZR_REQUIRE_AUTHENTICATED_DOMAINS=true` the warnings refuse the start instead.

use chrono::{DateTime, Utc};
use entity::states::CampaignStatus;
use entity::{campaign, domain, email_account};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use super::shape::{accounts_of, steps_of};
use crate::error::{AppError, AppResult};
use crate::service::domains::{self, Report};
use crate::service::html;

/// The operator's choice: warn, or refuse.
#[derive(Clone, Copy, Debug, Default)]
pub struct Preflight {
    pub require_authenticated_domains: bool,
}

/// One thing that will hurt the campaign's delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// `domain_fails`, `domain_unchecked`, `no_unsubscribe_link`, `free_mail_elsewhere`.
    pub code: &'static str,
    pub message: String,
    pub fix: String,
    /// The 1-based step it is about.
    pub step: Option<i32>,
    /// The sending domain it is about.
    pub domain: Option<String>,
}

/// Free-mail domains and the SMTP hosts of their own provider.
const FREE_MAIL: &[(&str, &[&str])] = &[
    ("gmail.com", &["gmail.com", "google.com", "googlemail.com"]),
    (
        "googlemail.com",
        &["gmail.com", "google.com", "googlemail.com"],
    ),
    (
        "outlook.com",
        &["outlook.com", "office365.com", "hotmail.com", "live.com"],
    ),
    (
        "hotmail.com",
        &["outlook.com", "office365.com", "hotmail.com", "live.com"],
    ),
    (
        "live.com",
        &["outlook.com", "office365.com", "hotmail.com", "live.com"],
    ),
    ("yahoo.com", &["yahoo.com"]),
    ("icloud.com", &["icloud.com", "me.com", "mail.me.com"]),
];

/// Whether an HTML body has a link a reader can follow to unsubscribe: an `href` to
/// `{{unsubscribeUrl}}`.
fn has_unsubscribe_link(body: &str) -> bool {
    let (_, urls) = html::rewrite_links(body, str::to_owned);
    urls.iter().any(|u| {
        let compact: String = u.chars().filter(|c| !c.is_whitespace()).collect();
        compact.contains("{{unsubscribeUrl")
    })
}

/// The warnings of starting `campaign` now (reads the stored domain checks: no DNS here).
pub async fn warnings(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
) -> AppResult<Vec<Warning>> {
    let mut out = vec![];
    for (n, step) in steps_of(campaign)?.iter().enumerate() {
        let variants = step.variants();
        let html_bodies = variants
            .iter()
            .filter(|v| html::is_html(&v.body) && !has_unsubscribe_link(&v.body));
        if html_bodies.count() > 0 {
            out.push(Warning {
                code: "no_unsubscribe_link",
                message: format!("Step {} is HTML with no visible unsubscribe link; Gmail and Yahoo expect one beside the one-click header.", n + 1),
                fix: "Add a link such as <a href=\"{{unsubscribeUrl}}\">Unsubscribe</a> to the body.".into(),
                step: Some(n as i32 + 1),
                domain: None,
            });
        }
    }
    let ids = accounts_of(campaign)?;
    let accounts = email_account::Entity::find()
        .filter(email_account::Column::Id.is_in(ids))
        .filter(email_account::Column::WorkspaceId.eq(&campaign.workspace_id))
        .all(db)
        .await?;
    let mut seen: Vec<String> = vec![];
    for account in &accounts {
        let name = domains::domain_of_account(account);
        if let Some((_, hosts)) = FREE_MAIL.iter().find(|(d, _)| *d == name) {
            let host = account.smtp_host.to_ascii_lowercase();
            if !hosts
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")))
            {
                out.push(Warning {
                    code: "free_mail_elsewhere",
                    message: format!("{} is a {name} address sent through {host}: {name} publishes no SPF or DKIM for other servers, so receivers treat it as forged.", account.email),
                    fix: format!("Send from an address at your own domain, or through {name}'s own SMTP server."),
                    step: None,
                    domain: Some(name.clone()),
                });
            }
            continue;
        }
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let row = domain::Entity::find()
            .filter(domain::Column::WorkspaceId.eq(&campaign.workspace_id))
            .filter(domain::Column::Name.eq(&name))
            .one(db)
            .await?;
        let report: Option<Report> = row
            .and_then(|r| r.report)
            .and_then(|r| serde_json::from_value(r).ok());
        let Some(report) = report else {
            out.push(Warning {
                code: "domain_unchecked",
                message: format!("{name} has not been checked against DNS yet."),
                fix: format!("Check it (POST /v1/domains/{name}/check, or the Domains page) and fix what it reports."),
                step: None,
                domain: Some(name.clone()),
            });
            continue;
        };
        for (rules, verdict) in [
            (
                "Gmail's and Yahoo's bulk-sender",
                &report.verdicts.gmail_yahoo_bulk,
            ),
            (
                "Outlook's high-volume sender",
                &report.verdicts.microsoft_high_volume,
            ),
        ] {
            if verdict.passed() {
                continue;
            }
            let codes: Vec<&str> = verdict.problems.iter().map(|p| p.code.as_str()).collect();
            out.push(Warning {
                code: "domain_fails",
                message: format!("{name} fails {rules} rules ({}): its email is likely to be refused or filed as spam.", codes.join(", ")),
                fix: verdict.problems.first().map(|p| p.fix.clone()).unwrap_or_default(),
                step: None,
                domain: Some(name.clone()),
            });
        }
    }
    Ok(out)
}

/// Starts (or resumes) the campaign as `lifecycle::start` does; when the operator requires
/// authenticated domains, a draft or paused campaign whose start warns is refused instead (a
/// 409 listing the warnings, nothing changed). Returns the campaign and whether it started.
pub async fn start_checked<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    preflight: Preflight,
    now: DateTime<Utc>,
) -> AppResult<(campaign::Model, bool)> {
    if preflight.require_authenticated_domains {
        let current = super::get(db, workspace_id, id).await?;
        if current.status != CampaignStatus::Running {
            refuse_on(&warnings(db, &current).await?)?;
        }
    }
    super::start(db, workspace_id, id, now).await
}

/// A 409 listing the warnings, when there are any.
fn refuse_on(warnings: &[Warning]) -> AppResult<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    let listed: Vec<_> = warnings
        .iter()
        .map(|w| json!({ "code": w.code, "message": w.message, "fix": w.fix, "step": w.step, "domain": w.domain }))
        .collect();
    Err(AppError::new(
        crate::error::ErrorCode::DomainNotAuthenticated,
        "This campaign cannot start until its deliverability warnings are fixed",
    )
    .with_details(json!({ "warnings": listed })))
}
