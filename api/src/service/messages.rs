//! Messages: one row per (enrolment, step), the record of exactly what was sent to whom.

use std::collections::HashMap;

use entity::{contact, message};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::error::{AppError, AppResult};
use crate::ids;

pub const PREFIX: &str = "msg";

pub use entity::states::MessageState;

/// Something that happened to one email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmailEvent {
    /// The SMTP server accepted it (its reply).
    Sent {
        reply: String,
    },
    /// Refused for good (5xx on RCPT or DATA, or a bounce report).
    Bounced {
        reply: String,
    },
    Opened,
    Clicked {
        url: String,
    },
    Replied {
        subject: String,
        excerpt: String,
        /// What the reply says, read by rules.
        class: entity::states::LeadStatus,
    },
    /// An automatic answer (out of office, auto-responder): never a reply.
    AutoReplied {
        subject: String,
        /// The day its writer is back, when it says.
        return_date: Option<chrono::NaiveDate>,
    },
    Unsubscribed,
    /// Given up: retries exhausted or refused before any recipient was tried.
    Failed {
        reason: String,
        reply: Option<String>,
    },
    /// The process stopped between handing it to SMTP and hearing back.
    Unknown,
}

impl EmailEvent {
    /// The webhook event type.
    pub fn event_type(&self) -> &'static str {
        match self {
            EmailEvent::Sent { .. } => "email.sent",
            EmailEvent::Bounced { .. } => "email.bounced",
            EmailEvent::Opened => "email.opened",
            EmailEvent::Clicked { .. } => "email.clicked",
            EmailEvent::Replied { .. } => "email.replied",
            EmailEvent::AutoReplied { .. } => "email.auto_replied",
            EmailEvent::Unsubscribed => "email.unsubscribed",
            EmailEvent::Failed { .. } | EmailEvent::Unknown => "email.failed",
        }
    }

    /// Adds `detail` to a JSON object (the webhook payload, the event row's metadata).
    pub fn add_detail(&self, into: &mut Value) {
        if let (Value::Object(out), Value::Object(extra)) = (into, self.detail()) {
            out.extend(extra);
        }
    }

    /// What the event adds to the webhook payload and the event row's metadata.
    pub fn detail(&self) -> Value {
        match self {
            EmailEvent::Sent { reply } | EmailEvent::Bounced { reply } => {
                json!({ "smtpReply": reply })
            }
            EmailEvent::Clicked { url } => json!({ "url": url, "machine": false }),
            EmailEvent::Replied {
                subject,
                excerpt,
                class,
            } => {
                json!({ "replySubject": subject, "excerpt": excerpt, "classification": class })
            }
            EmailEvent::AutoReplied {
                subject,
                return_date,
            } => json!({
                "replySubject": subject,
                "returnDate": return_date.map(|d| d.format("%Y-%m-%d").to_string()),
            }),
            EmailEvent::Failed { reason, reply } => json!({ "reason": reason, "smtpReply": reply }),
            EmailEvent::Unknown => json!({ "reason": "outcome_unknown" }),
            EmailEvent::Opened => json!({ "machine": false }),
            EmailEvent::Unsubscribed => json!({}),
        }
    }
}

/// The `data` of `email.*` webhooks.
pub fn event_data(m: &message::Model, c: &contact::Model, event: &EmailEvent) -> Value {
    let mut data = json!({
        "messageId": m.id,
        "campaignId": m.campaign_id,
        "contactId": m.contact_id,
        "email": c.email,
        "step": m.step,
        "emailAccountId": m.email_account_id,
        "subject": m.subject,
        "variantId": m.variant_id,
        "smtpMessageId": m.message_id,
    });
    event.add_detail(&mut data);
    data
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> AppResult<message::Model> {
    message::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Message"))
}

/// One message of the workspace (another workspace's is not found).
pub async fn get_in(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<message::Model> {
    message::Entity::find_by_id(id.to_owned())
        .filter(message::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Message"))
}

/// Messages of the given contacts, oldest first (for `Contact.messages`).
pub async fn of_contacts(
    db: &impl ConnectionTrait,
    contact_ids: &[String],
) -> AppResult<HashMap<String, Vec<message::Model>>> {
    let rows = message::Entity::find()
        .filter(message::Column::ContactId.is_in(contact_ids.iter().cloned()))
        .order_by_asc(message::Column::CreatedAt)
        .order_by_asc(message::Column::Step)
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<message::Model>> = HashMap::new();
    for row in rows {
        out.entry(row.contact_id.clone()).or_default().push(row);
    }
    Ok(out)
}

/// Each message its own text in one statement: `CASE WHEN id = … THEN … END` over `by_id`
/// (message id, text), leaving `column` as it is on any other row; `None` when `by_id` is empty.
pub fn text_by_id<'a>(
    column: message::Column,
    by_id: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Expr> {
    let mut by_id = by_id.into_iter();
    let (id, text) = by_id.next()?;
    let mut case = Expr::case(message::Column::Id.eq(id), Expr::val(text));
    for (id, text) in by_id {
        case = case.case(message::Column::Id.eq(id), Expr::val(text));
    }
    Some(case.finally(Expr::col(column)).into())
}

/// A new message id and the SMTP `Message-ID` it travels with (domain of the sending address).
pub fn new_ids(from_address: &str) -> (String, String) {
    let id = ids::new_id(PREFIX);
    let domain = from_address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("fluenzr.invalid");
    let smtp = format!("<{id}@{domain}>");
    (id, smtp)
}
