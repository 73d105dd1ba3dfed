//! Webhook subscriptions: where events go, which ones, and the secrets that sign them.

use std::net::IpAddr;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use entity::{webhook, webhook_attempt};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::events::{self, CATALOGUE, TEST_EVENT};
use super::{Page, PageRequest, Patch, clean_text};
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::secrets::{Keyring, webhook_secret_context};

pub const WEBHOOK: &str = "whk";
/// How long a rotated-out secret keeps signing.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// Which target URLs are acceptable. Private and loopback targets need the operator's consent.
#[derive(Clone, Copy, Debug, Default)]
pub struct UrlPolicy {
    pub allow_private: bool,
}

use super::network::is_public;

fn refuse(message: impl Into<String>) -> AppError {
    AppError::invalid_field("url", message)
}

/// Longest webhook URL accepted.
pub const MAX_URL: usize = 2048;
pub const MAX_DESCRIPTION: usize = 500;
/// How long saving a webhook waits for DNS before accepting the name unresolved.
const SAVE_LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Checks a target URL's shape and, unless private targets are allowed, where it resolves.
pub async fn check_url(policy: UrlPolicy, raw: &str) -> AppResult<url::Url> {
    if raw.trim().len() > MAX_URL {
        return Err(refuse(format!("url must be at most {MAX_URL} characters")));
    }
    let url =
        url::Url::parse(raw.trim()).map_err(|_| refuse("url must be an absolute http(s) URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_private => {}
        "http" => return Err(refuse("url must use https")),
        _ => return Err(refuse("url must be an absolute http(s) URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("url must not carry credentials"));
    }
    let host = url.host().ok_or_else(|| refuse("url needs a host"))?;
    if policy.allow_private {
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    if port != 80 && port != 443 {
        return Err(refuse("url must use port 80 or 443"));
    }
    // A name that does not resolve now is accepted (DNS may be down, the record may come
    // later): every delivery checks where the name resolves when it connects, which is also
    // what defeats rebinding. A name that resolves to a private address is refused now.
    let addresses: Vec<IpAddr> = match host {
        url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        url::Host::Domain(name) => {
            let lookup = tokio::net::lookup_host((name, port));
            match tokio::time::timeout(SAVE_LOOKUP_TIMEOUT, lookup).await {
                Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                _ => Vec::new(),
            }
        }
    };
    if addresses.iter().any(|ip| !is_public(*ip)) {
        return Err(refuse(
            "url must not point at a loopback, private, link-local or multicast address",
        ));
    }
    Ok(url)
}

fn check_events(events: Option<Vec<String>>) -> AppResult<Vec<String>> {
    let events = events.unwrap_or_else(|| vec!["*".to_owned()]);
    if events.is_empty() {
        return Err(AppError::invalid_field(
            "events",
            "events must list event types or be [\"*\"]",
        ));
    }
    let unknown: Vec<&String> = events
        .iter()
        .filter(|e| e.as_str() != "*" && !CATALOGUE.contains(&e.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::validation("Unknown event types")
            .with_details(json!({ "field": "events", "unknown": unknown, "allowed": CATALOGUE })));
    }
    let mut events = events;
    events.sort();
    events.dedup();
    if events.iter().any(|e| e == "*") {
        events = vec!["*".to_owned()];
    }
    Ok(events)
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[derive(Clone, Debug, Default)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub active: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct WebhookPatch {
    pub url: Patch<String>,
    pub events: Patch<Vec<String>>,
    pub description: Patch<String>,
    pub active: Patch<bool>,
}

/// Creates a subscription; returns the row (its secret sealed, as stored) and the plain
/// signing secret the caller shows once.
pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    policy: UrlPolicy,
    input: WebhookInput,
    keyring: &Keyring,
    now: DateTime<Utc>,
) -> AppResult<(webhook::Model, String)> {
    let raw = input.url.ok_or_else(|| refuse("url is required"))?;
    let url = check_url(policy, &raw).await?;
    let events = check_events(input.events)?;
    let id = ids::new_id(WEBHOOK);
    let secret = new_secret();
    let row = webhook::ActiveModel {
        id: Set(id.clone()),
        workspace_id: Set(workspace_id.to_owned()),
        url: Set(url.to_string()),
        events: Set(json!(events)),
        description: Set(clean_text(
            "description",
            input.description,
            MAX_DESCRIPTION,
        )?),
        active: Set(input.active.unwrap_or(true)),
        secret: Set(keyring.seal(&secret, &webhook_secret_context(&id))),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        failing_since: Set(None),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok((row.insert(db).await?, secret))
}

/// The secrets a webhook's deliveries are signed with, opened: the current one, and the
/// previous one while its overlap lasts (at `now`).
pub fn signing_secrets(
    row: &webhook::Model,
    keyring: &Keyring,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    let context = webhook_secret_context(&row.id);
    let open = |stored: &str| keyring.open(stored, &context).map_err(AppError::internal);
    let mut secrets = vec![open(&row.secret)?];
    if let (Some(old), Some(until)) = (&row.previous_secret, row.previous_secret_expires_at)
        && until > now
    {
        secrets.push(open(old)?);
    }
    Ok(secrets)
}

pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<webhook::Model> {
    crate::service::owned::<webhook::Entity>(db, workspace_id, id).await
}

impl crate::service::Owned for webhook::Entity {
    const NOUN: &'static str = "Webhook";
    fn workspace_column() -> webhook::Column {
        webhook::Column::WorkspaceId
    }
    fn id_column() -> webhook::Column {
        webhook::Column::Id
    }
}

pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    policy: UrlPolicy,
    patch: WebhookPatch,
    now: DateTime<Utc>,
) -> AppResult<webhook::Model> {
    let current = get(db, workspace_id, id).await?;
    let mut row: webhook::ActiveModel = current.into();
    if let Some(url) = patch.url {
        let url = url.ok_or_else(|| refuse("url cannot be removed"))?;
        row.url = Set(check_url(policy, &url).await?.to_string());
    }
    if let Some(events) = patch.events {
        row.events = Set(json!(check_events(events)?));
    }
    if let Some(description) = patch.description {
        row.description = Set(clean_text("description", description, MAX_DESCRIPTION)?);
    }
    if let Some(active) = patch.active {
        let active =
            active.ok_or_else(|| AppError::invalid_field("active", "active cannot be removed"))?;
        row.active = Set(active);
        if active {
            // Re-enabling starts a fresh failure window.
            row.disabled_reason = Set(None);
            row.failing_since = Set(None);
        }
    }
    row.updated_at = Set(now);
    Ok(row.update(db).await?)
}

pub async fn delete(db: &impl ConnectionTrait, workspace_id: &str, id: &str) -> AppResult<String> {
    let result = webhook::Entity::delete_many()
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::WorkspaceId.eq(workspace_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found("Webhook"));
    }
    Ok(id.to_owned())
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    page: PageRequest,
) -> AppResult<Page<webhook::Model>> {
    let query = webhook::Entity::find().filter(webhook::Column::WorkspaceId.eq(workspace_id));
    let ordering = super::Ordering::new(
        webhook::Column::CreatedAt,
        webhook::Column::Id,
        super::SortOrder::Desc,
    );
    super::fetch_page(db, query, page, ordering, None).await
}

/// Issues a new secret; the old one keeps signing (as a second signature) for 24 hours.
/// Returns the row and the new plain secret the caller shows once.
pub async fn rotate_secret(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    keyring: &Keyring,
    now: DateTime<Utc>,
) -> AppResult<(webhook::Model, String)> {
    let current = get(db, workspace_id, id).await?;
    // Both secrets are sealed for the row, so the current one moves over as it is stored.
    let old = current.secret.clone();
    let secret = new_secret();
    let sealed = keyring.seal(&secret, &webhook_secret_context(&current.id));
    let mut row: webhook::ActiveModel = current.into();
    row.previous_secret = Set(Some(old));
    row.previous_secret_expires_at = Set(Some(now + Duration::hours(ROTATION_OVERLAP_HOURS)));
    row.secret = Set(sealed);
    row.updated_at = Set(now);
    Ok((row.update(db).await?, secret))
}

/// Queues a `webhook.test` event for this endpoint only; returns the event id.
pub async fn send_test<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    use sea_orm::TransactionSession;
    // The event and its delivery are written together, or not at all.
    let txn = crate::db::begin_write(db).await?;
    let webhook = get(&txn, workspace_id, id).await?;
    let event = events::emit_to(
        &txn,
        &webhook,
        TEST_EVENT,
        json!({ "webhookId": webhook.id, "message": "This is a test event from FluenzR." }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(event)
}

/// The attempt log of a webhook, newest first.
pub async fn attempts(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    page: PageRequest,
) -> AppResult<Page<webhook_attempt::Model>> {
    let webhook = get(db, workspace_id, id).await?;
    let query =
        webhook_attempt::Entity::find().filter(webhook_attempt::Column::WebhookId.eq(&webhook.id));
    let ordering = super::Ordering::new(
        webhook_attempt::Column::CreatedAt,
        webhook_attempt::Column::Id,
        super::SortOrder::Desc,
    );
    super::fetch_page(db, query, page, ordering, None).await
}

/// Deliveries waiting (pending or being delivered) and the age in seconds of the oldest.
pub async fn outbox_backlog(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(i64, i64)> {
    use entity::webhook_delivery;
    use sea_orm::{PaginatorTrait, QuerySelect};
    let waiting = || {
        webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.is_in(["pending", "delivering"]))
    };
    let depth = waiting().count(db).await?;
    let oldest: Option<chrono::DateTime<chrono::Utc>> = waiting()
        .select_only()
        .column(webhook_delivery::Column::CreatedAt)
        .order_by_asc(webhook_delivery::Column::CreatedAt)
        .into_tuple()
        .one(db)
        .await?;
    let age = oldest.map_or(0, |at| (now - at).num_seconds().max(0));
    Ok((i64::try_from(depth).unwrap_or(i64::MAX), age))
}
