//! The emails sent to a contact (`Contact.messages`).

use async_graphql::{ID, Object};
use entity::message;

use crate::ids::rfc3339;

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
        self.0.state.as_str()
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
