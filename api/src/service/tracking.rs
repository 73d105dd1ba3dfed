//! Tracking and unsubscribe links: HMAC-signed tokens naming a message (and, for a click, the
//! URL it leads to), and what a hit on each does. A token that does not verify is unknown.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::message;
use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect};
use sha2::Sha256;

use super::enrolments;
use super::messages::EmailEvent;
use super::stats::{self, EventKind};
use crate::error::{AppError, AppResult};

/// Bytes of HMAC-SHA256 kept in a token (128 bits).
const TAG_BYTES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    Open,
    Click,
    Unsubscribe,
}

impl LinkKind {
    fn tag(self) -> &'static str {
        match self {
            LinkKind::Open => "o",
            LinkKind::Click => "c",
            LinkKind::Unsubscribe => "u",
        }
    }
}

/// Makes and checks tracking links for one deployment (its secret and public URL).
#[derive(Clone)]
pub struct Tracker {
    key: Vec<u8>,
    base: String,
}

impl std::fmt::Debug for Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracker").field("base", &self.base).finish()
    }
}

impl Tracker {
    /// `secret`: the server secret (a dedicated key is derived from it); `public_url`: the base
    /// recipients reach this server at.
    pub fn new(secret: &str, public_url: &str) -> Tracker {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"fluenzr tracking links v1");
        Tracker {
            key: mac.finalize().into_bytes().to_vec(),
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn public_url(&self) -> &str {
        &self.base
    }

    fn tag(&self, kind: LinkKind, payload: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(kind.tag().as_bytes());
        mac.update(b"\0");
        mac.update(payload);
        mac.finalize().into_bytes()[..TAG_BYTES].to_vec()
    }

    fn token(&self, kind: LinkKind, payload: &str) -> String {
        let tag = self.tag(kind, payload.as_bytes());
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The payload of a token of `kind`, when its signature holds.
    fn verify(&self, kind: LinkKind, token: &str) -> Option<String> {
        let (payload, tag) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != TAG_BYTES {
            return None;
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(kind.tag().as_bytes());
        mac.update(b"\0");
        mac.update(&payload);
        mac.verify_truncated_left(&tag).ok()?;
        String::from_utf8(payload).ok()
    }

    pub fn open_url(&self, message_id: &str) -> String {
        format!(
            "{}/t/o/{}",
            self.base,
            self.token(LinkKind::Open, message_id)
        )
    }

    pub fn click_url(&self, message_id: &str, url: &str) -> String {
        let payload = format!("{message_id}\n{url}");
        format!(
            "{}/t/c/{}",
            self.base,
            self.token(LinkKind::Click, &payload)
        )
    }

    pub fn unsubscribe_url(&self, message_id: &str) -> String {
        format!(
            "{}/u/{}",
            self.base,
            self.token(LinkKind::Unsubscribe, message_id)
        )
    }

    /// The message id an open or unsubscribe token names.
    pub fn message_of(&self, kind: LinkKind, token: &str) -> Option<String> {
        self.verify(kind, token).filter(|id| !id.contains('\n'))
    }

    /// The message id and URL a click token names.
    pub fn click_of(&self, token: &str) -> Option<(String, String)> {
        let payload = self.verify(LinkKind::Click, token)?;
        let (id, url) = payload.split_once('\n')?;
        Some((id.to_owned(), url.to_owned()))
    }
}

/// Who fetched a pixel or followed a link, as the request shows it.
#[derive(Clone, Debug, Default)]
pub struct Hit {
    pub user_agent: Option<String>,
    /// A `HEAD` request (a link checker), not a `GET`.
    pub head: bool,
    pub from: Option<std::net::IpAddr>,
}

/// Hits sooner than this after the email was sent are a scanner's, not a reader's.
pub const SCANNER_WINDOW_SECONDS: i64 = 10;

/// What in a User-Agent names a link scanner, a security gateway or a fetching library.
const SCANNERS: &[&str] = &[
    "bot",
    "crawler",
    "spider",
    "preview",
    "scanner",
    "barracuda",
    "proofpoint",
    "mimecast",
    "symantec",
    "messagelabs",
    "fireeye",
    "trendmicro",
    "forcepoint",
    "sophos",
    "safelinks",
    "microsoft office protocol discovery",
    "python-requests",
    "curl/",
    "wget/",
    "go-http-client",
    "headlesschrome",
];

/// Why a hit is a machine's (`head_request`, `known_scanner`, `apple_mpp` — Apple Mail
/// Privacy Protection fetches every image through Apple's proxies —, `scanner_fast`: within
/// 10 s of the email being sent), or None for a reader's. Only a reader's open or click counts.
/// (A click is also a machine's, `scanner_all_links`, when another link of the same email was
/// clicked seconds before: see `record`.)
pub fn machine_reason(
    hit: &Hit,
    open: bool,
    sent_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    if hit.head {
        return Some("head_request");
    }
    let agent = hit.user_agent.as_deref().unwrap_or_default();
    let lower = agent.to_ascii_lowercase();
    if SCANNERS.iter().any(|s| lower.contains(s)) {
        return Some("known_scanner");
    }
    let apple_network = matches!(hit.from, Some(std::net::IpAddr::V4(ip)) if ip.octets()[0] == 17);
    if open && (agent.trim() == "Mozilla/5.0" || apple_network) {
        return Some("apple_mpp");
    }
    match sent_at {
        Some(sent) if (now - sent).num_seconds() >= SCANNER_WINDOW_SECONDS => None,
        _ => Some("scanner_fast"),
    }
}

/// Clicks on different links of one email within this many seconds of each other are a
/// scanner following every link (`scanner_all_links`): a reader opens one link at a time.
pub const ALL_LINKS_WINDOW_SECONDS: i64 = 5;

/// The events of `kind` of this email's contact and step within [`ALL_LINKS_WINDOW_SECONDS`]
/// before `now`, this email's only.
async fn in_burst(
    txn: &impl ConnectionTrait,
    found: &message::Model,
    kind: EventKind,
    now: DateTime<Utc>,
) -> AppResult<Vec<entity::email_event::Model>> {
    use entity::email_event;
    use sea_orm::{ColumnTrait, QueryFilter};
    let since = now - chrono::Duration::seconds(ALL_LINKS_WINDOW_SECONDS);
    Ok(email_event::Entity::find()
        .filter(email_event::Column::CampaignId.eq(&found.campaign_id))
        .filter(email_event::Column::OccurredAt.gte(since))
        .filter(email_event::Column::ContactId.eq(&found.contact_id))
        .filter(email_event::Column::Step.eq(found.step))
        .filter(email_event::Column::Kind.eq(kind.as_str()))
        .all(txn)
        .await?
        .into_iter()
        .filter(|e| e.metadata.get("messageId").and_then(|v| v.as_str()) == Some(&found.id))
        .collect())
}

/// Whether another link of this email was clicked within [`ALL_LINKS_WINDOW_SECONDS`] before
/// `now` (every click, a reader's or a machine's, is kept as a raw event with its URL).
async fn other_link_clicked(
    txn: &impl ConnectionTrait,
    found: &message::Model,
    url: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(in_burst(txn, found, EventKind::ClickedRaw, now)
        .await?
        .iter()
        .filter_map(|e| e.metadata.get("url").and_then(|u| u.as_str()))
        .any(|other| other != url))
}

/// The burst's first click was counted as a reader's before the next showed it a scanner's:
/// taken back (its `clicked` event and tallies, the email's `clickedAt` when that click set it),
/// so only people's clicks stay counted. Its webhook went out as a reader's and stands.
async fn take_back_burst(
    txn: &impl ConnectionTrait,
    found: &message::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    let counted = in_burst(txn, found, EventKind::Clicked, now).await?;
    stats::take_back(txn, &counted).await?;
    let since = now - chrono::Duration::seconds(ALL_LINKS_WINDOW_SECONDS);
    if found.clicked_at.is_some_and(|at| at >= since) {
        message::Entity::update_many()
            .col_expr(
                message::Column::ClickedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(message::Column::Id.eq(&found.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

async fn record(
    db: &DatabaseConnection,
    message_id: &str,
    event: EmailEvent,
    hit: Option<&Hit>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    // Locked: concurrent hits on one email decide "first open" one after the other.
    let Some(found) = message::Entity::find_by_id(message_id.to_owned())
        .lock_exclusive()
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    let open = matches!(event, EmailEvent::Opened);
    let mut machine = hit.and_then(|h| machine_reason(h, open, found.sent_at, now));
    if let (None, Some(_), EmailEvent::Clicked { url }) = (machine, hit, &event)
        && other_link_clicked(&txn, &found, url, now).await?
    {
        machine = Some("scanner_all_links");
        take_back_burst(&txn, &found, now).await?;
    }
    let raw = match &event {
        EmailEvent::Opened => Some(EventKind::OpenedRaw),
        EmailEvent::Clicked { .. } => Some(EventKind::ClickedRaw),
        _ => None,
    };
    let mut metadata = serde_json::json!({ "messageId": found.id });
    event.add_detail(&mut metadata);
    // After the event's own detail, which speaks for a reader.
    metadata["machine"] = serde_json::json!(machine.is_some());
    if let Some(reason) = machine {
        metadata["reason"] = serde_json::json!(reason);
    }
    match machine {
        // A machine's hit counts in no reader's figure and no condition (only in the raw
        // totals, below): its webhook says so.
        Some(reason) => {
            // The campaign's row first, as every transaction recording an event locks it.
            entity::campaign::Entity::find_by_id(found.campaign_id.clone())
                .lock_exclusive()
                .one(&txn)
                .await?;
            let person = entity::contact::Entity::find_by_id(found.contact_id.clone())
                .one(&txn)
                .await?;
            if let Some(person) = person {
                let mut data = super::messages::event_data(&found, &person, &event);
                data["machine"] = serde_json::json!(true);
                data["reason"] = serde_json::json!(reason);
                super::events::emit(&txn, &found.workspace_id, event.event_type(), data, now)
                    .await?;
            }
        }
        None => enrolments::record_email_event(&txn, &found, event, now).await?,
    }
    if let Some(kind) = raw {
        let new = stats::NewEvent {
            workspace_id: found.workspace_id.clone(),
            campaign_id: found.campaign_id.clone(),
            contact_id: found.contact_id.clone(),
            step: found.step,
            kind,
            at: now,
            metadata,
        };
        stats::record(&txn, new).await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// An open pixel was fetched. Unknown tokens are ignored (the pixel is served anyway).
pub async fn open(
    db: &DatabaseConnection,
    tracker: &Tracker,
    token: &str,
    hit: &Hit,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(id) = tracker.message_of(LinkKind::Open, token) {
        record(db, &id, EmailEvent::Opened, Some(hit), now).await?;
    }
    Ok(())
}

/// A tracked link was followed: records the click and returns where to send the reader, which
/// is always the URL signed into the token (a URL that was in that message).
pub async fn click(
    db: &DatabaseConnection,
    tracker: &Tracker,
    token: &str,
    hit: &Hit,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let (id, url) = tracker
        .click_of(token)
        .ok_or_else(|| AppError::not_found("Link"))?;
    record(
        db,
        &id,
        EmailEvent::Clicked { url: url.clone() },
        Some(hit),
        now,
    )
    .await?;
    Ok(url)
}

/// Checks an unsubscribe token without changing anything (the confirmation page).
pub async fn unsubscribe_target(
    db: &impl ConnectionTrait,
    tracker: &Tracker,
    token: &str,
) -> AppResult<message::Model> {
    let id = tracker
        .message_of(LinkKind::Unsubscribe, token)
        .ok_or_else(|| AppError::not_found("Link"))?;
    message::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Link"))
}

/// Unsubscribes the message's contact from the whole workspace (idempotent).
pub async fn unsubscribe(
    db: &DatabaseConnection,
    tracker: &Tracker,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let found = unsubscribe_target(db, tracker, token).await?;
    record(db, &found.id, EmailEvent::Unsubscribed, None, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_kind_and_unaltered() {
        let t = Tracker::new("secret", "https://fz.example.com/");
        let url = t.click_url("msg_1", "https://example.com/a?b=1&c=2");
        let token = url.rsplit('/').next().unwrap();
        assert_eq!(
            t.click_of(token),
            Some(("msg_1".into(), "https://example.com/a?b=1&c=2".into()))
        );
        assert_eq!(t.message_of(LinkKind::Open, token), None);
        let other = Tracker::new("other secret", "https://fz.example.com");
        assert_eq!(other.click_of(token), None);
        let (payload, tag) = token.split_once('.').unwrap();
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode("msg_1\nhttps://evil.example")
        );
        assert_eq!(t.click_of(&forged), None);
        assert_eq!(t.click_of(&format!("{payload}.")), None);
        assert_eq!(t.click_of("garbage"), None);
        let open = t.open_url("msg_2");
        assert!(open.starts_with("https://fz.example.com/t/o/"));
        let token = open.rsplit('/').next().unwrap();
        assert_eq!(
            t.message_of(LinkKind::Open, token).as_deref(),
            Some("msg_2")
        );
    }

    #[test]
    fn machines_are_told_from_readers() {
        let sent = DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z")
            .unwrap()
            .to_utc();
        let later = sent + chrono::Duration::minutes(5);
        let reader = Hit {
            user_agent: Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36".into()),
            head: false,
            from: Some("203.0.113.9".parse().unwrap()),
        };
        assert_eq!(machine_reason(&reader, true, Some(sent), later), None);
        assert_eq!(machine_reason(&reader, false, Some(sent), later), None);
        let soon = sent + chrono::Duration::seconds(3);
        assert_eq!(
            machine_reason(&reader, true, Some(sent), soon),
            Some("scanner_fast")
        );
        assert_eq!(
            machine_reason(&reader, true, None, later),
            Some("scanner_fast")
        );
        let head = Hit {
            head: true,
            ..reader.clone()
        };
        assert_eq!(
            machine_reason(&head, false, Some(sent), later),
            Some("head_request")
        );
        for agent in [
            "Barracuda Sentinel (EE)",
            "Mozilla/5.0 (compatible; Proofpoint)",
            "python-requests/2.31",
            "curl/8.5.0",
        ] {
            let scanner = Hit {
                user_agent: Some(agent.into()),
                ..reader.clone()
            };
            assert_eq!(
                machine_reason(&scanner, false, Some(sent), later),
                Some("known_scanner"),
                "{agent}"
            );
        }
        let apple = Hit {
            user_agent: Some("Mozilla/5.0".into()),
            ..reader.clone()
        };
        assert_eq!(
            machine_reason(&apple, true, Some(sent), later),
            Some("apple_mpp")
        );
        // A click from the same agent is not Apple's image proxy.
        assert_eq!(machine_reason(&apple, false, Some(sent), later), None);
        let apple_network = Hit {
            from: Some("17.58.10.2".parse().unwrap()),
            ..reader.clone()
        };
        assert_eq!(
            machine_reason(&apple_network, true, Some(sent), later),
            Some("apple_mpp")
        );
    }
}
