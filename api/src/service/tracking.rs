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

async fn record(
    db: &DatabaseConnection,
    message_id: &str,
    event: EmailEvent,
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
    enrolments::record_email_event(&txn, &found, event, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// An open pixel was fetched. Unknown tokens are ignored (the pixel is served anyway).
pub async fn open(
    db: &DatabaseConnection,
    tracker: &Tracker,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(id) = tracker.message_of(LinkKind::Open, token) {
        record(db, &id, EmailEvent::Opened, now).await?;
    }
    Ok(())
}

/// A tracked link was followed: records the click and returns where to send the reader, which
/// is always the URL signed into the token (a URL that was in that message).
pub async fn click(
    db: &DatabaseConnection,
    tracker: &Tracker,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let (id, url) = tracker
        .click_of(token)
        .ok_or_else(|| AppError::not_found("Link"))?;
    record(db, &id, EmailEvent::Clicked { url: url.clone() }, now).await?;
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
    record(db, &found.id, EmailEvent::Unsubscribed, now).await?;
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
}
