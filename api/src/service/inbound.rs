//! What arrives in a sending account's INBOX, and what it means: a reply to an email FluenzR
//! sent, an automatic answer (never a reply), a delivery report (a hard bounce, or a delay), or
//! nothing of ours. Classifying is pure (`classify`); `record` applies one message, once.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use entity::states::LeadStatus;
use entity::{email_account, inbound_message, message, unmatched_report};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::Digest;

use super::enrolments::record_email_event;
use super::messages::EmailEvent;
use crate::error::AppResult;

/// One recipient block of a delivery report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// `Final-Recipient` (or `Original-Recipient`), without its type.
    pub address: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: String,
    /// e.g. `5.1.1`.
    pub status: String,
    pub diagnostic: Option<String>,
}

impl Recipient {
    /// A permanent failure: `Action: failed` with a 5.x.x status.
    pub fn is_hard_bounce(&self) -> bool {
        self.action.eq_ignore_ascii_case("failed") && self.status.starts_with('5')
    }

    /// What is kept as the message's last reply.
    pub fn summary(&self) -> String {
        match &self.diagnostic {
            Some(d) => format!("{} {}: {d}", self.action, self.status),
            None => format!("{} {}", self.action, self.status),
        }
    }
}

/// What an inbound message is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inbound {
    /// A person answered. `refs`: the Message-IDs it answers, most likely first.
    Reply {
        refs: Vec<String>,
        subject: String,
        excerpt: String,
        /// What it says, read by rules.
        class: LeadStatus,
        /// What the inbox keeps of it: its sender, text and HTML (as received).
        received: Box<super::inbox::Received>,
    },
    /// An out-of-office or auto-responder answer, with the day its writer is back when it
    /// says.
    AutoReply {
        refs: Vec<String>,
        subject: String,
        return_date: Option<NaiveDate>,
    },
    /// A delivery status notification (RFC 3464 / RFC 6533).
    Report {
        /// The Message-ID of the email it reports on, when the report carries it.
        original: Option<String>,
        /// The ids the report's own `In-Reply-To`/`References` name.
        refs: Vec<String>,
        recipients: Vec<Recipient>,
        /// Its `From` address and subject, kept when it matches no email sent.
        sender: Option<String>,
        subject: Option<String>,
    },
    /// Nothing FluenzR acts on.
    Other,
}

impl Inbound {
    pub fn kind(&self) -> &'static str {
        match self {
            Inbound::Reply { .. } => "reply",
            Inbound::AutoReply { .. } => "auto_reply",
            Inbound::Report { recipients, .. }
                if recipients.iter().any(Recipient::is_hard_bounce) =>
            {
                "bounce"
            }
            Inbound::Report { .. } => "report",
            Inbound::Other => "other",
        }
    }
}

/// `<id>` (how Message-IDs are stored) from a parsed id, which mail-parser gives bare.
fn bracketed(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{id}>")
}

fn header_text<'a>(message: &'a Message<'a>, name: &str) -> Option<Cow<'a, str>> {
    message
        .header_raw(name)
        .map(|raw| Cow::Owned(raw.trim().to_owned()))
}

/// The ids this message answers: `In-Reply-To` first, then `References` from the newest.
fn references(message: &Message) -> Vec<String> {
    let mut refs: Vec<String> = Vec::new();
    let mut add = |id: &str| {
        let id = bracketed(id);
        if !refs.contains(&id) {
            refs.push(id);
        }
    };
    let in_reply_to = message.in_reply_to();
    if let Some(list) = in_reply_to.as_text_list() {
        list.iter().for_each(|id| add(id));
    } else if let Some(id) = in_reply_to.as_text() {
        add(id);
    }
    let references = message.references();
    if let Some(list) = references.as_text_list() {
        list.iter().rev().for_each(|id| add(id));
    } else if let Some(id) = references.as_text() {
        add(id);
    }
    refs
}

/// Subjects mail clients give automatic answers (lower case, matched anywhere).
const AUTO_SUBJECTS: &[&str] = &[
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "out of office",
    "out of the office",
    "abwesenheitsnotiz",
    "automatische antwort",
    "réponse automatique",
    "respuesta automática",
    "resposta automática",
    "risposta automatica",
    "automatisch antwoord",
];

fn is_automatic(message: &Message) -> bool {
    let header = |name: &str| header_text(message, name).map(|v| v.to_ascii_lowercase());
    if header("Auto-Submitted").is_some_and(|v| !v.starts_with("no")) {
        return true;
    }
    if header("X-Autoreply").is_some() || header("X-Autorespond").is_some() {
        return true;
    }
    if header("Precedence").is_some_and(|v| v == "auto_reply") {
        return true;
    }
    let subject = message.subject().unwrap_or_default().to_lowercase();
    AUTO_SUBJECTS.iter().any(|s| subject.contains(s))
}

/// The fields of a delivery-status body: its blocks (the per-message one first), each a list of
/// `(lower-case name, value)`. Blank or whitespace-only lines separate blocks; a line starting
/// with a space or tab continues the field before it.
pub fn status_fields(text: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks: Vec<Vec<(String, String)>> = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            current.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// `rfc822; user@example.com` → `user@example.com`.
fn typed_address(value: &str) -> String {
    let address = value.split_once(';').map_or(value, |(_, a)| a);
    address
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

fn recipients(text: &str) -> Vec<Recipient> {
    status_fields(text)
        .into_iter()
        .filter_map(|block| {
            let field = |name: &str| {
                block
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            };
            let action = field("action")?;
            let status = field("status")
                .map(|s| s.split_whitespace().next().unwrap_or_default().to_owned())
                .unwrap_or_default();
            Some(Recipient {
                address: field("final-recipient")
                    .or_else(|| field("original-recipient"))
                    .map(|v| typed_address(&v)),
                action: action.to_ascii_lowercase(),
                status,
                diagnostic: field("diagnostic-code").map(|d| {
                    let d = d
                        .split_once(';')
                        .map_or(d.as_str(), |(_, rest)| rest)
                        .trim();
                    d.chars().take(500).collect()
                }),
            })
        })
        .collect()
}

/// The Message-ID of the email a report is about, from its embedded original (the whole
/// message or only its headers).
fn original_id(message: &Message) -> Option<String> {
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let ctype = ct.ctype().to_ascii_lowercase();
        let subtype = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        if let PartType::Message(inner) = &part.body
            && let Some(id) = inner.message_id()
        {
            return Some(bracketed(id));
        }
        let headers_only = (ctype == "text" && subtype == "rfc822-headers")
            || (ctype == "message" && (subtype == "global-headers" || subtype == "rfc822"));
        if headers_only && let Some(text) = part.text_contents() {
            let block = format!("{}\r\n\r\n", text.trim_end());
            if let Some(inner) = MessageParser::default().parse(block.as_bytes())
                && let Some(id) = inner.message_id()
            {
                return Some(bracketed(id));
            }
        }
    }
    None
}

fn report(message: &Message) -> Option<Inbound> {
    let mut status_text: Option<String> = None;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let subtype = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        if ct.ctype().eq_ignore_ascii_case("message")
            && (subtype == "delivery-status" || subtype == "global-delivery-status")
        {
            status_text = Some(match &part.body {
                PartType::Message(inner) => String::from_utf8_lossy(inner.raw_message()).into(),
                _ => String::from_utf8_lossy(part.contents()).into(),
            });
            break;
        }
    }
    let text = status_text?;
    Some(Inbound::Report {
        original: original_id(message),
        refs: references(message),
        recipients: recipients(&text),
        sender: message
            .from()
            .and_then(|from| from.first())
            .and_then(|a| a.address())
            .map(|a| a.chars().take(512).collect()),
        subject: message.subject().map(|s| s.chars().take(998).collect()),
    })
}

/// The day a message was written on, in its writer's own offset (its `Date`), else the day it
/// was received.
fn written_on(message: &Message, received: DateTime<Utc>) -> NaiveDate {
    message
        .date()
        .and_then(|d| {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        })
        .unwrap_or_else(|| received.date_naive())
}

/// What `raw` (one whole message, received at `received`) is. Delivery reports are recognised
/// first (they are automatic and often name the original in their own headers), then automatic
/// answers, then replies to ids in `In-Reply-To`/`References`.
pub fn classify(raw: &[u8], received: DateTime<Utc>) -> Inbound {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Inbound::Other;
    };
    if let Some(found) = report(&message) {
        return found;
    }
    let refs = references(&message);
    if refs.is_empty() {
        return Inbound::Other;
    }
    let subject = message.subject().unwrap_or_default().to_owned();
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    if is_automatic(&message) {
        return Inbound::AutoReply {
            refs,
            subject,
            return_date: super::replies::ooo::return_date(&text, written_on(&message, received)),
        };
    }
    let received = super::inbox::Received::of(&message, &subject, &text);
    Inbound::Reply {
        refs,
        subject,
        excerpt: super::replies::text::excerpt(&text),
        class: super::replies::classify::classify(&text),
        received: Box::new(received),
    }
}

/// The inbound message's own identity: its `Message-ID`, or a digest of its bytes.
pub fn header_id(raw: &[u8]) -> String {
    if let Some(message) = MessageParser::default().parse_headers(raw)
        && let Some(id) = message.message_id()
    {
        let id = bracketed(id);
        if id.len() <= 255 {
            return id;
        }
    }
    let digest = sha2::Sha256::digest(raw);
    format!("sha256:{}", base16(&digest))
}

fn base16(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What `record` did with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Read before (the same `Message-ID` in this account): nothing done.
    Duplicate,
    /// Not ours, or about no email this workspace sent.
    Ignored,
    /// A delivery report quoting no email this account sent: kept (`unmatched_reports`),
    /// with no effect.
    Unmatched,
    /// Applied to this message (`msg_…`) as this kind.
    Applied {
        message_id: String,
        kind: &'static str,
    },
}

async fn sent_message<C: ConnectionTrait>(
    db: &C,
    account: &email_account::Model,
    refs: &[String],
) -> AppResult<Option<message::Model>> {
    if refs.is_empty() {
        return Ok(None);
    }
    let found = message::Entity::find()
        .filter(message::Column::WorkspaceId.eq(&account.workspace_id))
        .filter(message::Column::MessageId.is_in(refs.iter().cloned()))
        .all(db)
        .await?;
    // The most likely first: `refs` is ordered.
    Ok(refs
        .iter()
        .find_map(|id| found.iter().find(|m| &m.message_id == id).cloned()))
}

/// The email a delivery report is about: one whose Message-ID the report quotes (its embedded
/// original first, then its own `In-Reply-To`/`References`) and that this very account sent.
/// A report naming only a recipient proves nothing: anyone can write one.
async fn reported_message<C: ConnectionTrait>(
    db: &C,
    account: &email_account::Model,
    original: Option<&String>,
    refs: &[String],
) -> AppResult<Option<message::Model>> {
    let mut quoted: Vec<String> = original.into_iter().cloned().collect();
    quoted.extend(refs.iter().filter(|id| Some(*id) != original).cloned());
    Ok(sent_message(db, account, &quoted)
        .await?
        .filter(|m| m.email_account_id == account.id))
}

/// Keeps a report that matched nothing, for the operator to see.
async fn keep_unmatched<C: ConnectionTrait>(
    db: &C,
    account: &email_account::Model,
    header: &str,
    report: &Inbound,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Inbound::Report {
        original,
        recipients,
        sender,
        subject,
        ..
    } = report
    else {
        return Ok(());
    };
    let named: Vec<serde_json::Value> = recipients
        .iter()
        .map(|r| {
            serde_json::json!({
                "address": r.address,
                "action": r.action,
                "status": r.status,
                "diagnostic": r.diagnostic,
            })
        })
        .collect();
    unmatched_report::Entity::insert(unmatched_report::ActiveModel {
        id: Set(crate::ids::new_id(UNMATCHED_PREFIX)),
        workspace_id: Set(account.workspace_id.clone()),
        email_account_id: Set(account.id.clone()),
        header_id: Set(header.to_owned()),
        sender: Set(sender.clone()),
        subject: Set(subject.clone()),
        recipients: Set(serde_json::Value::Array(named).to_string()),
        quoted_message_id: Set(original.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Id prefix of unmatched reports.
pub const UNMATCHED_PREFIX: &str = "urp";

/// One recipient an unmatched report named.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct NamedRecipient {
    pub address: Option<String>,
    pub action: String,
    pub status: String,
    pub diagnostic: Option<String>,
}

/// The recipients an unmatched report named, as stored.
pub fn named_recipients(report: &unmatched_report::Model) -> AppResult<Vec<NamedRecipient>> {
    serde_json::from_str(&report.recipients)
        .map_err(|e| crate::error::AppError::internal(format!("stored report recipients: {e}")))
}

/// An account's unmatched reports, newest first. The account must be the workspace's.
pub async fn unmatched_reports<C: ConnectionTrait>(
    db: &C,
    workspace_id: &str,
    email_account_id: &str,
    request: super::PageRequest,
) -> AppResult<super::Page<unmatched_report::Model>> {
    let query = unmatched_report::Entity::find()
        .filter(unmatched_report::Column::WorkspaceId.eq(workspace_id))
        .filter(unmatched_report::Column::EmailAccountId.eq(email_account_id));
    let ordering = super::Ordering::new(
        unmatched_report::Column::CreatedAt,
        unmatched_report::Column::Id,
        super::SortOrder::Desc,
    );
    super::fetch_page(db, query, request, ordering, None).await
}

/// Applies one inbound message of `account`'s INBOX, at most once per `Message-ID`: the record
/// of it, its consequences (events, counters, webhooks, the sequence) commit together.
pub async fn record(
    db: &sea_orm::DatabaseConnection,
    account: &email_account::Model,
    raw: &[u8],
    now: DateTime<Utc>,
) -> AppResult<Recorded> {
    let inbound = classify(raw, now);
    if inbound == Inbound::Other {
        return Ok(Recorded::Ignored);
    }
    let txn = crate::db::begin_write(db).await?;
    let header = header_id(raw);
    // A report acts only on an email it quotes that this account sent.
    let reported = match &inbound {
        Inbound::Report { original, refs, .. } => {
            Some(reported_message(&txn, account, original.as_ref(), refs).await?)
        }
        _ => None,
    };
    let unmatched = matches!(reported, Some(None));
    let inserted = inbound_message::Entity::insert(inbound_message::ActiveModel {
        email_account_id: Set(account.id.clone()),
        header_id: Set(header.clone()),
        kind: Set(if unmatched {
            "unmatched_report".to_owned()
        } else {
            inbound.kind().to_owned()
        }),
        message_id: Set(None),
        created_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        txn.rollback().await?;
        return Ok(Recorded::Duplicate);
    }
    if unmatched {
        keep_unmatched(&txn, account, &header, &inbound, now).await?;
        txn.commit().await?;
        return Ok(Recorded::Unmatched);
    }
    let (target, event) = match inbound {
        Inbound::Reply {
            refs,
            subject,
            excerpt,
            class,
            received,
        } => {
            let target = sent_message(&txn, account, &refs).await?;
            if let Some(found) = &target {
                super::inbox::record_received(&txn, found, &header, *received, now).await?;
            }
            (
                target,
                Some(EmailEvent::Replied {
                    subject,
                    excerpt,
                    class,
                }),
            )
        }
        Inbound::AutoReply {
            refs,
            subject,
            return_date,
        } => (
            sent_message(&txn, account, &refs).await?,
            Some(EmailEvent::AutoReplied {
                subject,
                return_date,
            }),
        ),
        Inbound::Report { recipients, .. } => {
            let target = reported.flatten();
            let hard = recipients.iter().find(|r| r.is_hard_bounce());
            match (hard, recipients.first(), &target) {
                (Some(r), _, _) => (target, Some(EmailEvent::Bounced { reply: r.summary() })),
                // A delay (or a success notice) is kept on the message, not counted.
                (None, Some(r), Some(found)) => {
                    message::Entity::update_many()
                        .col_expr(message::Column::LastReply, Expr::value(r.summary()))
                        .col_expr(message::Column::UpdatedAt, Expr::value(now))
                        .filter(message::Column::Id.eq(&found.id))
                        .exec(&txn)
                        .await?;
                    (target, None)
                }
                _ => (target, None),
            }
        }
        Inbound::Other => (None, None),
    };
    let Some(found) = target else {
        txn.commit().await?;
        return Ok(Recorded::Ignored);
    };
    inbound_message::Entity::update_many()
        .col_expr(
            inbound_message::Column::MessageId,
            Expr::value(found.id.clone()),
        )
        .filter(inbound_message::Column::EmailAccountId.eq(&account.id))
        .filter(inbound_message::Column::HeaderId.eq(&header))
        .exec(&txn)
        .await?;
    let kind = match &event {
        Some(EmailEvent::Replied { .. }) => "reply",
        Some(EmailEvent::AutoReplied { .. }) => "auto_reply",
        Some(_) => "bounce",
        None => "report",
    };
    // A bounce of an email already recorded as bounced changes nothing more.
    let already_bounced = found.state == super::messages::MessageState::Bounced;
    if let Some(event) = event
        && !(kind == "bounce" && already_bounced)
    {
        record_email_event(&txn, &found, event, now).await?;
    }
    txn.commit().await?;
    Ok(Recorded::Applied {
        message_id: found.id,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../tests/fixtures/mail/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn hard(inbound: &Inbound) -> Vec<(Option<String>, String)> {
        match inbound {
            Inbound::Report { recipients, .. } => recipients
                .iter()
                .filter(|r| r.is_hard_bounce())
                .map(|r| (r.address.clone(), r.status.clone()))
                .collect(),
            other => panic!("not a report: {other:?}"),
        }
    }

    fn original(inbound: &Inbound) -> Option<String> {
        match inbound {
            Inbound::Report { original, .. } => original.clone(),
            other => panic!("not a report: {other:?}"),
        }
    }

    #[test]
    fn replies_are_matched_by_in_reply_to_or_references() {
        match classify(&fixture("reply-in-reply-to.eml"), Utc::now()) {
            Inbound::Reply {
                refs,
                subject,
                excerpt,
                ..
            } => {
                assert_eq!(
                    refs[0],
                    "<msg_01ja54rxr02j506pjjqmvr057t@fluenzr.example.com>"
                );
                assert_eq!(subject, "Re: Quick question");
                assert!(!excerpt.is_empty() && !excerpt.contains('>'), "{excerpt}");
            }
            other => panic!("{other:?}"),
        }
        match classify(&fixture("reply-references-only.eml"), Utc::now()) {
            Inbound::Reply { refs, .. } => {
                assert_eq!(
                    refs[0], "<msg_01ja54x3hk373fxah6t728kar5@fluenzr.example.com>",
                    "the newest reference first"
                );
                assert_eq!(refs.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(&fixture("unrelated.eml"), Utc::now()),
            Inbound::Other
        );
    }

    #[test]
    fn automatic_answers_are_not_replies() {
        for (name, id) in [
            ("auto-submitted.eml", "msg_01ja5519b6qmph99gayc5ma3dc"),
            ("x-autoreply.eml", "msg_01ja555f4s5j6qry5ae865ck32"),
            (
                "precedence-auto-reply.eml",
                "msg_01ja559myczat51af7v0kxgs65",
            ),
            (
                "out-of-office-subject.eml",
                "msg_01ja55dtqz84p747mm7k84qz3n",
            ),
        ] {
            match classify(&fixture(name), Utc::now()) {
                Inbound::AutoReply { refs, .. } => {
                    assert_eq!(refs[0], format!("<{id}@fluenzr.example.com>"), "{name}")
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn delivery_reports_name_the_recipient_status_and_original() {
        let cases = [
            (
                "dsn-postfix-hard.eml",
                "bo@example.net",
                "5.1.1",
                Some("msg_01ja55j0hjc2bmxq93wt42wsb0"),
            ),
            (
                "dsn-exim-hard.eml",
                "cy@example.org",
                "5.0.0",
                Some("msg_01ja55p6b5hd8gv015bvmg088x"),
            ),
            (
                "dsn-gmail-hard.eml",
                "dee@example.com",
                "5.1.1",
                Some("msg_01ja55tc4rhv4tyy60vk5fy86x"),
            ),
            (
                "dsn-exchange-hard.eml",
                "eve@example.com",
                "5.1.10",
                Some("msg_01ja55yhybxemrp82fy5swxf3m"),
            ),
            (
                "dsn-global.eml",
                "fay@example.com",
                "5.2.1",
                Some("msg_01ja566xhh1rpw1xq6gzphmekg"),
            ),
            ("dsn-no-original.eml", "gus@example.com", "5.1.1", None),
            (
                "dsn-folded.eml",
                "hal@example.com",
                "5.7.1",
                Some("msg_01ja56b3b4c31v8q9xe6ff4rys"),
            ),
        ];
        for (name, address, status, id) in cases {
            let inbound = classify(&fixture(name), Utc::now());
            assert_eq!(
                hard(&inbound),
                vec![(Some(address.to_owned()), status.to_owned())],
                "{name}"
            );
            assert_eq!(
                original(&inbound),
                id.map(|id| format!("<{id}@fluenzr.example.com>")),
                "{name}"
            );
            assert_eq!(inbound.kind(), "bounce", "{name}");
        }
        let delayed = classify(&fixture("dsn-delayed.eml"), Utc::now());
        assert!(hard(&delayed).is_empty());
        assert_eq!(delayed.kind(), "report");
        assert_eq!(
            original(&delayed).as_deref(),
            Some("<msg_01ja562qqy0npk1xye4hf0vzrw@fluenzr.example.com>")
        );
    }

    #[test]
    fn status_blocks_unfold_and_split_on_blank_lines() {
        let blocks = status_fields(
            "Reporting-MTA: dns; mx.example.com\n \t\nFinal-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1\n  user unknown\n",
        );
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            blocks[1][3],
            (
                "diagnostic-code".to_owned(),
                "smtp; 550 5.1.1 user unknown".to_owned()
            )
        );
    }
}
