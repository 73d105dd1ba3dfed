//! What a campaign would do for one contact: the email a step would send (`Campaign.preview`,
//! and the test send), and the plan of its remaining steps (`Campaign.plan`).

use async_graphql::{ID, SimpleObject};

use super::states::EnrolmentState;
use crate::ids::rfc3339;
use crate::service::campaigns as svc;

/// One header line as it would travel.
#[derive(SimpleObject)]
pub struct EmailHeader {
    pub name: String,
    pub value: String,
}

/// An email exactly as it would go out: the variant chosen, spintax drawn (from `seed`),
/// variables filled, links tracked, headers set.
#[derive(SimpleObject)]
pub struct EmailPreview {
    pub step: i32,
    pub variant_id: ID,
    /// What the variant and spintax were drawn from (16 hex digits): send it back to see the
    /// same email again.
    pub seed: String,
    pub subject: String,
    /// An HTML email's HTML part, or the plain text (line ends CRLF, as it travels).
    pub body: String,
    /// An HTML email's plain-text part.
    pub body_text: Option<String>,
    pub from: String,
    pub to: String,
    pub email_account_id: ID,
    pub headers: Vec<EmailHeader>,
}

impl From<svc::Preview> for EmailPreview {
    fn from(p: svc::Preview) -> Self {
        EmailPreview {
            step: p.step,
            variant_id: ID(p.variant_id),
            seed: svc::seed_text(p.seed),
            subject: p.subject,
            body: p.body,
            body_text: p.body_text,
            from: p.from,
            to: p.to,
            email_account_id: ID(p.account.id),
            headers: p
                .headers
                .into_iter()
                .map(|(name, value)| EmailHeader { name, value })
                .collect(),
        }
    }
}

/// Why a step is planned where it is.
#[derive(SimpleObject)]
pub struct PlanReason {
    /// `delay`, `window`, `skip_date`, `daily_limit`, `dst`, `condition`, `missing_field`,
    /// `contact_zone`, `campaign_paused` or `campaign_draft`.
    pub code: String,
    pub message: String,
}

/// One remaining step of a contact's sequence.
#[derive(SimpleObject)]
pub struct PlannedStep {
    pub step: i32,
    /// RFC 3339, UTC; null while the campaign is a draft.
    pub planned_at: Option<String>,
    pub email_account_id: Option<ID>,
    pub reasons: Vec<PlanReason>,
}

/// A contact's place in a campaign and the plan of what is left, computed without sending.
#[derive(SimpleObject)]
pub struct ContactPlan {
    pub contact_id: ID,
    pub state: EnrolmentState,
    pub reason: Option<String>,
    /// The zone the contact's windows and delays are counted in.
    pub timezone: String,
    pub steps: Vec<PlannedStep>,
}

impl From<svc::Plan> for ContactPlan {
    fn from(p: svc::Plan) -> Self {
        ContactPlan {
            contact_id: ID(p.contact_id),
            state: p.state,
            reason: p.reason,
            timezone: p.timezone,
            steps: p
                .steps
                .into_iter()
                .map(|s| PlannedStep {
                    step: s.step,
                    planned_at: s.planned_at.as_ref().map(rfc3339),
                    email_account_id: s.email_account_id.map(ID),
                    reasons: s
                        .reasons
                        .into_iter()
                        .map(|r| PlanReason {
                            code: r.code.to_owned(),
                            message: r.message,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// What a test send came to.
#[derive(SimpleObject)]
pub struct TestSend {
    /// Whether the SMTP server accepted it.
    pub sent: bool,
    /// `sent`, `refused` (5xx), `deferred` (4xx or no connection), `failed` or `unknown`
    /// (the connection broke after the data).
    pub outcome: String,
    /// The server's reply to an accepted email.
    pub smtp_reply: Option<String>,
    /// The email, as sent.
    pub email: EmailPreview,
}
