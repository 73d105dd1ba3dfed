//! The inbox: one thread per (campaign, contact) someone replied in. A reply read from the
//! mailbox is kept in full (`record_received`: its text, and its HTML as received, sanitized
//! whenever it is served); an answer written here goes out through the thread's account,
//! threaded (`In-Reply-To`, `References`), and is kept as the thread's next message
//! (`compose_answer`, `record_answer`).

use chrono::{DateTime, Utc};
use entity::{contact, email_account, inbox_message, inbox_thread, message};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::messages::MessageState;
use super::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::ids;

/// Longest text or HTML kept of one message (bytes); the rest is cut at a character boundary.
pub const MAX_BODY: usize = 256 * 1024;
/// Longest answer written from the inbox (characters).
pub const MAX_ANSWER: usize = 20_000;

/// What the inbox keeps of a received reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub from: String,
    pub subject: String,
    pub text: String,
    /// As received; sanitized whenever it is served.
    pub html: Option<String>,
}

impl Received {
    /// What the inbox keeps of a parsed reply (its subject and text already read).
    pub fn of(message: &mail_parser::Message<'_>, subject: &str, text: &str) -> Received {
        Received {
            from: message
                .from()
                .and_then(|from| from.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .chars()
                .take(320)
                .collect(),
            subject: subject.to_owned(),
            text: bounded(text.to_owned()),
            html: message.body_html(0).map(|h| bounded(h.into_owned())),
        }
    }
}

/// `text`, cut to at most [`MAX_BODY`] bytes at a character boundary.
pub fn bounded(mut text: String) -> String {
    if text.len() > MAX_BODY {
        let mut cut = MAX_BODY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// HTML as it is served: sanitized (scripts, styles, event handlers, forms and remote frames
/// gone; links kept, opening in a new context without a referrer).
pub fn sanitized(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

/// The thread of a sent email's (campaign, contact), made on its first reply. In the
/// caller's transaction.
async fn thread_of(
    txn: &impl ConnectionTrait,
    sent: &message::Model,
    now: DateTime<Utc>,
) -> AppResult<inbox_thread::Model> {
    inbox_thread::Entity::insert(inbox_thread::ActiveModel {
        id: Set(ids::new_id(ids::INBOX_THREAD)),
        workspace_id: Set(sent.workspace_id.clone()),
        campaign_id: Set(sent.campaign_id.clone()),
        contact_id: Set(sent.contact_id.clone()),
        email_account_id: Set(sent.email_account_id.clone()),
        unread: Set(true),
        last_message_at: Set(now),
        created_at: Set(now),
    })
    .on_conflict_do_nothing_on([
        inbox_thread::Column::CampaignId,
        inbox_thread::Column::ContactId,
    ])
    .exec_without_returning(txn)
    .await?;
    inbox_thread::Entity::find()
        .filter(inbox_thread::Column::CampaignId.eq(&sent.campaign_id))
        .filter(inbox_thread::Column::ContactId.eq(&sent.contact_id))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("an inbox thread vanished while being written"))
}

/// Keeps a reply to `sent` in its thread, unread. In the caller's transaction (the one that
/// records the reply).
pub async fn record_received(
    txn: &impl ConnectionTrait,
    sent: &message::Model,
    header_id: &str,
    received: Received,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let thread = thread_of(txn, sent, now).await?;
    inbox_message::Entity::insert(inbox_message::ActiveModel {
        id: Set(ids::new_id(ids::INBOX_MESSAGE)),
        workspace_id: Set(sent.workspace_id.clone()),
        thread_id: Set(thread.id.clone()),
        outbound: Set(false),
        message_id: Set(header_id.chars().take(255).collect()),
        from_address: Set(received.from),
        subject: Set(received.subject.chars().take(998).collect()),
        body_text: Set(received.text),
        body_html: Set(received.html),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    inbox_thread::Entity::update_many()
        .col_expr(inbox_thread::Column::Unread, Expr::value(true))
        .col_expr(inbox_thread::Column::LastMessageAt, Expr::value(now))
        .filter(inbox_thread::Column::Id.eq(&thread.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Which threads a listing shows.
#[derive(Clone, Debug, Default)]
pub struct ThreadFilter {
    pub lead_status: Option<entity::states::LeadStatus>,
    pub campaign_id: Option<String>,
    pub unread: Option<bool>,
}

/// A workspace's threads, the latest message first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    workspace_id: &str,
    filter: ThreadFilter,
    request: PageRequest,
) -> AppResult<Page<inbox_thread::Model>> {
    let mut query =
        inbox_thread::Entity::find().filter(inbox_thread::Column::WorkspaceId.eq(workspace_id));
    if let Some(campaign) = filter.campaign_id {
        query = query.filter(inbox_thread::Column::CampaignId.eq(campaign));
    }
    if let Some(unread) = filter.unread {
        query = query.filter(inbox_thread::Column::Unread.eq(unread));
    }
    if let Some(status) = filter.lead_status {
        query = query.filter(
            inbox_thread::Column::ContactId.in_subquery(
                Query::select()
                    .column(contact::Column::Id)
                    .from(contact::Entity)
                    .and_where(contact::Column::WorkspaceId.eq(workspace_id))
                    .and_where(contact::Column::LeadStatus.eq(status.as_str()))
                    .to_owned(),
            ),
        );
    }
    let ordering = super::Ordering::new(
        inbox_thread::Column::LastMessageAt,
        inbox_thread::Column::Id,
        super::SortOrder::Desc,
    );
    super::fetch_page(db, query, request, ordering, None).await
}

impl super::Owned for inbox_thread::Entity {
    const NOUN: &'static str = "Thread";
    fn workspace_column() -> inbox_thread::Column {
        inbox_thread::Column::WorkspaceId
    }
    fn id_column() -> inbox_thread::Column {
        inbox_thread::Column::Id
    }
}

/// One of the workspace's threads.
pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<inbox_thread::Model> {
    super::owned::<inbox_thread::Entity>(db, workspace_id, id).await
}

/// The campaign's emails that went out to the thread's contact, in the order they went.
async fn sent_in(
    db: &impl ConnectionTrait,
    thread: &inbox_thread::Model,
) -> AppResult<Vec<message::Model>> {
    Ok(message::Entity::find()
        .filter(message::Column::CampaignId.eq(&thread.campaign_id))
        .filter(message::Column::ContactId.eq(&thread.contact_id))
        .filter(message::Column::SentAt.is_not_null())
        .order_by_asc(message::Column::SentAt)
        .all(db)
        .await?)
}

/// The replies and answers kept in a thread, oldest first.
async fn kept_in(
    db: &impl ConnectionTrait,
    thread: &inbox_thread::Model,
) -> AppResult<Vec<inbox_message::Model>> {
    Ok(inbox_message::Entity::find()
        .filter(inbox_message::Column::ThreadId.eq(&thread.id))
        .order_by_asc(inbox_message::Column::CreatedAt)
        .all(db)
        .await?)
}

/// One message of a conversation, in the order it happened.
#[derive(Clone, Debug)]
pub struct Entry {
    /// `msg_…` for a campaign's email, `ibm_…` for a reply or an answer.
    pub id: String,
    /// `campaign` (a step sent), `reply` (received) or `answer` (written from the inbox).
    pub kind: &'static str,
    pub step: Option<i32>,
    pub from: String,
    pub subject: String,
    pub text: String,
    /// Sanitized.
    pub html: Option<String>,
    pub at: DateTime<Utc>,
}

/// Every sent and received message of a thread, oldest first: the campaign's emails to the
/// contact (as sent), the replies (as received, HTML sanitized) and the answers.
pub async fn conversation(
    db: &impl ConnectionTrait,
    thread: &inbox_thread::Model,
) -> AppResult<Vec<Entry>> {
    let account = email_account::Entity::find_by_id(thread.email_account_id.clone())
        .one(db)
        .await?
        .map(|a| a.email)
        .unwrap_or_default();
    let mut entries: Vec<Entry> = sent_in(db, thread)
        .await?
        .into_iter()
        .filter(|m| m.state != MessageState::Skipped)
        .map(|m| {
            let html = m.body_text.is_some().then(|| m.body.clone()).flatten();
            Entry {
                id: m.id,
                kind: "campaign",
                step: Some(m.step),
                from: account.clone(),
                subject: m.subject,
                text: m.body_text.or(m.body).unwrap_or_default(),
                html: html.as_deref().map(sanitized),
                at: m.sent_at.unwrap_or(m.created_at),
            }
        })
        .collect();
    entries.extend(kept_in(db, thread).await?.into_iter().map(|m| Entry {
        id: m.id,
        kind: if m.outbound { "answer" } else { "reply" },
        step: None,
        from: m.from_address,
        subject: m.subject,
        text: m.body_text,
        html: m.body_html.as_deref().map(sanitized),
        at: m.created_at,
    }));
    // At the same instant, a campaign's email came before the reply to it.
    let rank = |e: &Entry| usize::from(e.kind != "campaign");
    entries.sort_by(|a, b| (a.at, rank(a), &a.id).cmp(&(b.at, rank(b), &b.id)));
    Ok(entries)
}

/// Marks a thread read; answers it.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<inbox_thread::Model> {
    let thread = get(db, workspace_id, id).await?;
    inbox_thread::Entity::update_many()
        .col_expr(inbox_thread::Column::Unread, Expr::value(false))
        .filter(inbox_thread::Column::Id.eq(&thread.id))
        .exec(db)
        .await?;
    get(db, workspace_id, id).await
}

/// An answer ready to go out through the thread's account.
pub struct Answer {
    pub thread: inbox_thread::Model,
    pub account: email_account::Model,
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub bytes: Vec<u8>,
}

/// Composes an answer to a thread: plain text, from the thread's account to the contact,
/// `Re:` the last reply's subject, `In-Reply-To` the last reply and `References` every message
/// of the thread (the campaign's emails first), so the contact's client shows it in the same
/// conversation.
pub async fn compose_answer(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    body: &str,
) -> AppResult<Answer> {
    let text = body.trim();
    if text.is_empty() {
        return Err(AppError::invalid_field("body", "body must not be empty"));
    }
    if text.chars().count() > MAX_ANSWER {
        return Err(AppError::invalid_field(
            "body",
            format!("body must be at most {MAX_ANSWER} characters"),
        ));
    }
    let thread = get(db, workspace_id, id).await?;
    let person = super::contacts::get(db, workspace_id, &thread.contact_id).await?;
    let account = email_account::Entity::find_by_id(thread.email_account_id.clone())
        .filter(email_account::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("EmailAccount"))?;
    let mut references: Vec<String> = sent_in(db, &thread)
        .await?
        .into_iter()
        .map(|m| m.message_id)
        .collect();
    let kept = kept_in(db, &thread).await?;
    let last_reply = kept.iter().rev().find(|m| !m.outbound);
    references.extend(
        kept.iter()
            .map(|m| m.message_id.clone())
            .filter(|id| id.starts_with('<')),
    );
    // A long thread names its first and latest messages only.
    if references.len() > 20 {
        let tail = references.split_off(references.len() - 19);
        references.truncate(1);
        references.extend(tail);
    }
    let subject = super::compose::reply_subject(
        last_reply
            .map(|m| m.subject.as_str())
            .or_else(|| kept.last().map(|m| m.subject.as_str()))
            .unwrap_or_default(),
    );
    let (_, message_id) = super::messages::new_ids(&account.email);
    let invalid = |address: &str| AppError::validation(format!("'{address}' is not an address"));
    let from = Mailbox::new(
        account.name.clone().filter(|n| !n.trim().is_empty()),
        account.email.parse().map_err(|_| invalid(&account.email))?,
    );
    let to = Mailbox::new(
        None,
        person.email.parse().map_err(|_| invalid(&person.email))?,
    );
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject.clone())
        .message_id(Some(message_id.clone()));
    if let Some(reply) = last_reply.filter(|m| m.message_id.starts_with('<')) {
        builder = builder.in_reply_to(reply.message_id.clone());
    }
    if !references.is_empty() {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("References"),
            references.join(" "),
        ));
    }
    let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let email = builder
        .singlepart(SinglePart::plain(text.clone()))
        .map_err(|e| AppError::validation(format!("the answer cannot be written: {e}")))?;
    Ok(Answer {
        thread,
        from: account.email.clone(),
        to: person.email,
        account,
        message_id,
        subject,
        text,
        bytes: email.formatted(),
    })
}

/// Keeps an answer that went out as the thread's latest message (the thread stays read).
pub async fn record_answer(
    db: &impl ConnectionTrait,
    answer: &Answer,
    now: DateTime<Utc>,
) -> AppResult<inbox_message::Model> {
    let row = inbox_message::ActiveModel {
        id: Set(ids::new_id(ids::INBOX_MESSAGE)),
        workspace_id: Set(answer.thread.workspace_id.clone()),
        thread_id: Set(answer.thread.id.clone()),
        outbound: Set(true),
        message_id: Set(answer.message_id.clone()),
        from_address: Set(answer.from.clone()),
        subject: Set(answer.subject.clone()),
        body_text: Set(answer.text.clone()),
        body_html: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    inbox_thread::Entity::update_many()
        .col_expr(inbox_thread::Column::LastMessageAt, Expr::value(now))
        .col_expr(inbox_thread::Column::Unread, Expr::value(false))
        .filter(inbox_thread::Column::Id.eq(&answer.thread.id))
        .exec(db)
        .await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_html_is_served_without_scripts_or_handlers() {
        let html = r#"<p onclick="steal()">Hi <b>there</b></p><script>alert(1)</script><a href="https://example.com/x">link</a><img src="x" onerror="e()"><iframe src="https://evil.example"></iframe>"#;
        let clean = sanitized(html);
        assert!(clean.contains("<b>there</b>"), "{clean}");
        assert!(clean.contains(r#"href="https://example.com/x""#), "{clean}");
        for gone in ["script", "onclick", "onerror", "iframe", "alert"] {
            assert!(!clean.contains(gone), "{gone} kept: {clean}");
        }
    }

    #[test]
    fn bodies_are_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_BODY);
        let cut = bounded(long);
        assert!(cut.len() <= MAX_BODY);
        assert!(cut.chars().all(|c| c == 'é'));
    }

    proptest::proptest! {
        #[test]
        fn any_html_is_sanitized_without_panicking(html in "\\PC{0,400}") {
            let clean = sanitized(&html);
            proptest::prop_assert!(!clean.to_ascii_lowercase().contains("<script"));
        }
    }
}
