//! Everything held about one contact (`contactExport`): privacy law's right of access.

use async_graphql::{ID, Json, Object, SimpleObject};
use entity::states::{EnrolmentState, EventKind};
use serde_json::Value;

use super::Contact;
use super::messages::Message;
use crate::graphql::suppressions::Suppression;
use crate::ids::rfc3339;
use crate::service::contacts::ContactExport as Held;

/// Everything the workspace holds about a contact, read at one instant.
pub struct ContactExport(pub Held);

/// One campaign the contact is (or was) enrolled in.
#[derive(SimpleObject)]
pub struct ExportedEnrolment {
    pub campaign_id: ID,
    pub state: EnrolmentState,
    pub current_step: i32,
    pub reason: Option<String>,
    pub email_account_id: Option<ID>,
    pub enrolled_at: String,
    pub last_sent_at: Option<String>,
    pub next_send_at: Option<String>,
}

/// A reply received from the contact, or an answer written to it from the inbox.
#[derive(SimpleObject)]
pub struct ExportedInboxMessage {
    pub id: ID,
    pub thread_id: ID,
    /// `reply` (received) or `answer` (written from the inbox).
    pub kind: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    /// As received.
    pub html: Option<String>,
    pub at: String,
}

/// One event of one of its emails, with what was recorded about it.
#[derive(SimpleObject)]
pub struct ExportedEvent {
    #[graphql(name = "type")]
    pub kind: EventKind,
    pub campaign_id: ID,
    pub step: i32,
    pub occurred_at: String,
    /// What was recorded with it: the reply's subject, excerpt and class, a clicked link, the
    /// server's answer…
    pub detail: Json<Value>,
}

#[Object]
impl ContactExport {
    async fn contact(&self) -> Contact {
        Contact {
            model: self.0.contact.clone(),
            group_ids: Some(self.0.group_ids.clone()),
        }
    }
    async fn enrolments(&self) -> Vec<ExportedEnrolment> {
        self.0
            .enrolments
            .iter()
            .map(|e| ExportedEnrolment {
                campaign_id: ID(e.campaign_id.clone()),
                state: e.state,
                current_step: e.current_step,
                reason: e.reason.clone(),
                email_account_id: e.email_account_id.clone().map(ID),
                enrolled_at: rfc3339(&e.created_at),
                last_sent_at: e.last_sent_at.as_ref().map(rfc3339),
                next_send_at: e.next_send_at.as_ref().map(rfc3339),
            })
            .collect()
    }
    /// Every email, with the subject and body sent.
    async fn messages(&self) -> Vec<Message> {
        self.0.messages.iter().cloned().map(Message).collect()
    }
    /// Every event of its emails, oldest first.
    async fn events(&self) -> Vec<ExportedEvent> {
        self.0
            .events
            .iter()
            .map(|e| ExportedEvent {
                kind: e.kind,
                campaign_id: ID(e.campaign_id.clone()),
                step: e.step,
                occurred_at: rfc3339(&e.occurred_at),
                detail: Json(e.metadata.clone()),
            })
            .collect()
    }
    /// The suppressions covering its address: its own, its domain's.
    async fn suppressions(&self) -> Vec<Suppression> {
        self.0
            .suppressions
            .iter()
            .cloned()
            .map(Suppression)
            .collect()
    }
    /// Every reply received in full and every answer written, oldest first.
    async fn inbox(&self) -> Vec<ExportedInboxMessage> {
        self.0
            .inbox
            .iter()
            .map(|m| ExportedInboxMessage {
                id: ID(m.id.clone()),
                thread_id: ID(m.thread_id.clone()),
                kind: if m.outbound { "answer" } else { "reply" }.to_owned(),
                from: m.from_address.clone(),
                subject: m.subject.clone(),
                text: m.body_text.clone(),
                html: m.body_html.clone(),
                at: rfc3339(&m.created_at),
            })
            .collect()
    }
    /// RFC 3339, UTC.
    async fn exported_at(&self) -> String {
        rfc3339(&self.0.exported_at)
    }
}
