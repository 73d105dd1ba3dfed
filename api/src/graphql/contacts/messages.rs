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
    async fn contact_id(&self) -> ID {
        ID(self.0.contact_id.clone())
    }
    async fn step(&self) -> i32 {
        self.0.step
    }
    /// The variant of the step chosen for this contact (`var_…`).
    async fn variant_id(&self) -> Option<ID> {
        self.0.variant_id.clone().map(ID)
    }
    /// What its variant and spintax were drawn from (16 hex digits): a preview with this seed
    /// shows the same choices.
    async fn seed(&self) -> Option<String> {
        self.0.seed.map(crate::service::campaigns::seed_text)
    }
    /// The subject as sent (spintax chosen, variables filled).
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The body as sent: an HTML email's HTML part (tracking links and pixel included), or
    /// the plain text; line ends as they travel (CRLF). Null for a skipped step.
    async fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }
    /// The plain-text part of an HTML email (null for a plain one).
    async fn body_text(&self) -> Option<&str> {
        self.0.body_text.as_deref()
    }
    /// Why a `skipped` step was not sent: `condition` (its `sendIf` was false).
    async fn skip_reason(&self) -> Option<&str> {
        self.0.skip_reason.as_deref()
    }
    async fn email_account_id(&self) -> ID {
        ID(self.0.email_account_id.clone())
    }
    /// The SMTP `Message-ID` header.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// `queued`, `sending`, `deferred` (refused for now, retried), `sent`, `bounced`,
    /// `failed`, `unknown` (the sending process stopped mid-send: never re-sent) or `skipped`
    /// (the step's condition was false).
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
    /// When its step was first claimed (or skipped).
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
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
