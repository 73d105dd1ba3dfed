//! The transactional outbox. `emit` writes an event and one pending delivery per subscribed,
//! active webhook, on the connection (transaction) of the change it reports: a rolled-back
//! change emits nothing, a committed one is never lost.

use chrono::{DateTime, Utc};
use entity::states::DeliveryStatus;
use entity::{event, webhook, webhook_delivery};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::error::AppResult;
use crate::ids;

/// Every event type a webhook can subscribe to.
pub const CATALOGUE: &[&str] = &[
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contact.unsubscribed",
    "contact.lead_status_changed",
    "contact.exported",
    "contact.erased",
    "campaign.started",
    "campaign.paused",
    "campaign.completed",
    "campaign.variant_won",
    "email.sent",
    "email.opened",
    "email.clicked",
    "email.replied",
    "email.auto_replied",
    "email.bounced",
    "email.unsubscribed",
    "email.failed",
    "suppression.deleted",
    "domain.check_failed",
];

/// Sent only by `POST /v1/webhooks/:id/test`, to that endpoint.
pub const TEST_EVENT: &str = "webhook.test";
/// Kept (not delivered) when an endpoint is disabled.
pub const DISABLED_EVENT: &str = "webhook.disabled";

pub const EVENT: &str = "evt";

fn subscribed(webhook: &webhook::Model, event_type: &str) -> bool {
    webhook
        .events
        .as_array()
        .is_some_and(|list| list.iter().any(|e| e == "*" || e == event_type))
}

fn build(
    workspace_id: &str,
    event_type: &str,
    data: Value,
    now: DateTime<Utc>,
) -> event::ActiveModel {
    let id = ids::new_id(EVENT);
    let payload = json!({
        "id": id,
        "type": event_type,
        "createdAt": ids::rfc3339(&now),
        "workspaceId": workspace_id,
        "data": data,
    });
    event::ActiveModel {
        id: Set(id),
        workspace_id: Set(workspace_id.to_owned()),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload.to_string()),
        created_at: Set(now),
    }
}

fn delivery(event: &event::ActiveModel, webhook: &webhook::Model) -> webhook_delivery::ActiveModel {
    let at = *event.created_at.as_ref();
    webhook_delivery::ActiveModel {
        workspace_id: Set(event.workspace_id.as_ref().clone()),
        webhook_id: Set(webhook.id.clone()),
        event_id: Set(event.id.as_ref().clone()),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(at),
        locked_until: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
}

async fn insert_deliveries(
    db: &impl ConnectionTrait,
    rows: Vec<webhook_delivery::ActiveModel>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // Delivered when the caller's transaction commits: the webhook workers wake at once.
    crate::signals::send(db, crate::signals::Signal::Outbox).await?;
    for chunk in rows.chunks(2000) {
        webhook_delivery::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Records an event that happened at `now` and queues it for every active webhook of the
/// workspace subscribed to it.
pub async fn emit(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    event_type: &str,
    data: Value,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let mut ids = emit_many(db, workspace_id, event_type, vec![data], now).await?;
    Ok(ids.pop().unwrap_or_default())
}

/// `emit` for many events of one type, in a constant number of statements.
pub async fn emit_many(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    event_type: &str,
    data: Vec<Value>,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    let each = data
        .into_iter()
        .map(|d| (workspace_id.to_owned(), event_type, d))
        .collect();
    emit_each(db, each, now).await
}

/// `emit` for many events, each of its own workspace and type, in a constant number of
/// statements; returns their ids in order.
pub async fn emit_each(
    db: &impl ConnectionTrait,
    each: Vec<(String, &str, Value)>,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    if each.is_empty() {
        return Ok(Vec::new());
    }
    let events: Vec<event::ActiveModel> = each
        .into_iter()
        .map(|(workspace_id, event_type, d)| build(&workspace_id, event_type, d, now))
        .collect();
    let ids: Vec<String> = events.iter().map(|e| e.id.as_ref().clone()).collect();
    for chunk in events.chunks(2000) {
        event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let mut workspaces: Vec<&String> = events.iter().map(|e| e.workspace_id.as_ref()).collect();
    workspaces.sort();
    workspaces.dedup();
    let webhooks: Vec<webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::WorkspaceId.is_in(workspaces.into_iter().cloned()))
        .filter(webhook::Column::Active.eq(true))
        .all(db)
        .await?;
    let rows = events
        .iter()
        .flat_map(|e| {
            webhooks
                .iter()
                .filter(move |w| {
                    &w.workspace_id == e.workspace_id.as_ref()
                        && subscribed(w, e.event_type.as_ref())
                })
                .map(move |w| delivery(e, w))
        })
        .collect();
    insert_deliveries(db, rows).await?;
    Ok(ids)
}

/// Records an event for one webhook only (the test event).
pub async fn emit_to(
    db: &impl ConnectionTrait,
    webhook: &webhook::Model,
    event_type: &str,
    data: Value,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let event = build(&webhook.workspace_id, event_type, data, now);
    let row = delivery(&event, webhook);
    let event = event.insert(db).await?;
    insert_deliveries(db, vec![row]).await?;
    Ok(event.id)
}

/// Records an event that is kept but delivered nowhere.
pub async fn record_only(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    event_type: &str,
    data: Value,
    now: DateTime<Utc>,
) -> AppResult<String> {
    Ok(build(workspace_id, event_type, data, now)
        .insert(db)
        .await?
        .id)
}
