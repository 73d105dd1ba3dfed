//! The inbox: threads a person replied in, each conversation, marking read and answering.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::inbox_thread;
use entity::states::LeadStatus;

use super::contacts::Contact;
use super::types::PageInfo;
use super::{db, loader, now, principal};
use crate::error::AppError;
use crate::graphql::loaders::ContactById;
use crate::ids::rfc3339;
use crate::service::PageRequest;
use crate::service::inbox as svc;

/// A conversation: one campaign's emails to one contact and the replies to them.
pub struct InboxThread(inbox_thread::Model);

#[Object]
impl InboxThread {
    /// `thr_…`
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn campaign_id(&self) -> ID {
        ID(self.0.campaign_id.clone())
    }
    /// The account its emails (and answers) go out from.
    async fn email_account_id(&self) -> ID {
        ID(self.0.email_account_id.clone())
    }
    /// Who replied.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        loader(ctx)?
            .load_one(ContactById(self.0.contact_id.clone()))
            .await?
            .map(Contact::from)
            .ok_or_else(|| AppError::not_found("Contact").into())
    }
    /// A reply arrived since the thread was last read.
    async fn unread(&self) -> bool {
        self.0.unread
    }
    /// RFC 3339, UTC.
    async fn last_message_at(&self) -> String {
        rfc3339(&self.0.last_message_at)
    }
    /// Every sent and received message, oldest first: the campaign's emails as sent, the
    /// replies as received (HTML sanitized) and the answers written here.
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::graphql::ASSUMED_MESSAGES, child_complexity)"
    )]
    async fn messages(&self, ctx: &Context<'_>) -> Result<Vec<InboxMessage>> {
        let entries = svc::conversation(db(ctx)?, &self.0).await?;
        Ok(entries.into_iter().map(Into::into).collect())
    }
}

/// One message of a conversation.
#[derive(SimpleObject)]
pub struct InboxMessage {
    /// `msg_…` (a campaign's email) or `ibm_…` (a reply or an answer).
    pub id: ID,
    /// `campaign` (a step sent), `reply` (received) or `answer` (written from the inbox).
    pub kind: String,
    /// The campaign step, for a campaign's email.
    pub step: Option<i32>,
    pub from: String,
    pub subject: String,
    pub text: String,
    /// Sanitized: no scripts, styles, event handlers, forms or frames.
    pub html: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
}

impl From<svc::Entry> for InboxMessage {
    fn from(e: svc::Entry) -> Self {
        InboxMessage {
            id: ID(e.id),
            kind: e.kind.to_owned(),
            step: e.step,
            from: e.from,
            subject: e.subject,
            text: e.text,
            html: e.html,
            at: rfc3339(&e.at),
        }
    }
}

#[derive(SimpleObject)]
pub struct InboxThreadPage {
    pub items: Vec<InboxThread>,
    pub page_info: PageInfo,
}

#[derive(InputObject, Default)]
pub struct InboxFilter {
    /// Threads whose contact has this lead status.
    pub lead_status: Option<LeadStatus>,
    pub campaign_id: Option<ID>,
    pub unread: Option<bool>,
}

/// An answer that went out.
#[derive(SimpleObject)]
pub struct InboxAnswer {
    pub thread: InboxThread,
    pub message: InboxMessage,
    /// Whether a copy was appended to the account's Sent folder (only with IMAP set).
    pub saved_to_sent: bool,
}

#[derive(Default)]
pub struct InboxQuery;

#[Object]
impl InboxQuery {
    /// Threads a person replied in, the latest message first.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn inbox(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
        filter: Option<InboxFilter>,
    ) -> Result<InboxThreadPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let filter = filter.unwrap_or_default();
        let filter = svc::ThreadFilter {
            lead_status: filter.lead_status,
            campaign_id: filter.campaign_id.map(|id| id.0),
            unread: filter.unread,
        };
        let found = svc::list(db(ctx)?, &who.workspace_id, filter, request).await?;
        let page_info = PageInfo::of(&found);
        Ok(InboxThreadPage {
            items: found.items.into_iter().map(InboxThread).collect(),
            page_info,
        })
    }

    async fn inbox_thread(&self, ctx: &Context<'_>, id: ID) -> Result<InboxThread> {
        let who = principal(ctx)?;
        Ok(InboxThread(
            svc::get(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }
}

#[derive(Default)]
pub struct InboxMutation;

#[Object]
impl InboxMutation {
    async fn mark_inbox_thread_read(&self, ctx: &Context<'_>, id: ID) -> Result<InboxThread> {
        let who = principal(ctx)?;
        Ok(InboxThread(
            svc::mark_read(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }

    /// Answers a thread: a plain-text email from the thread's account to the contact, in the
    /// same conversation (`In-Reply-To` the last reply, `References` the thread), kept as the
    /// thread's latest message and appended to the account's Sent folder when it reads a
    /// mailbox. A refused or failed send is an error and keeps nothing.
    async fn reply_to_inbox_thread(
        &self,
        ctx: &Context<'_>,
        id: ID,
        body: String,
    ) -> Result<InboxAnswer> {
        use crate::service::sending::Outcome;
        let who = principal(ctx)?;
        let answer = svc::compose_answer(db(ctx)?, &who.workspace_id, &id, &body).await?;
        let sent = super::by_hand::send(
            ctx,
            &who.workspace_id,
            &answer.account,
            &answer.from,
            &answer.to,
            &answer.bytes,
        )
        .await?;
        match sent.outcome {
            Outcome::Sent(_) => {}
            refused => {
                return Err(AppError::new(
                    crate::error::ErrorCode::Conflict,
                    format!(
                        "The answer was not sent: {}",
                        match refused {
                            Outcome::Bounced(_) => "the server refused the recipient",
                            Outcome::Deferred(_) => "the server asked to try again later",
                            Outcome::Unknown(_) => "the server's answer was lost",
                            _ => "the account's server could not be reached",
                        }
                    ),
                )
                .into());
            }
        }
        let kept = svc::record_answer(db(ctx)?, &answer, now(ctx)?).await?;
        let saved_to_sent = if sent.account.imap_host.is_some() {
            match crate::engine::mailbox::append_to_sent(
                &sent.account,
                &sent.bytes,
                &sent.trust,
                sent.allow_private,
            )
            .await
            {
                Ok(_) => true,
                Err(why) => {
                    tracing::warn!(account = %sent.account.id, %why, "answer not appended to Sent");
                    false
                }
            }
        } else {
            false
        };
        let thread = svc::get(db(ctx)?, &who.workspace_id, &id).await?;
        Ok(InboxAnswer {
            thread: InboxThread(thread),
            message: InboxMessage {
                id: ID(kept.id),
                kind: "answer".to_owned(),
                step: None,
                from: kept.from_address,
                subject: kept.subject,
                text: kept.body_text,
                html: None,
                at: rfc3339(&kept.created_at),
            },
            saved_to_sent,
        })
    }
}
