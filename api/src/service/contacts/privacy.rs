//! What privacy law asks of a contact's data: everything held about a person, in one answer
//! (`export`), and erasure (`erase`): the personal data gone everywhere, the campaigns' figures
//! kept, and the address kept only as a digest so it stays suppressed. Both are recorded as
//! events (`contact.exported`, `contact.erased`).

use chrono::{DateTime, Utc};
use entity::{
    campaign_contact, contact, email_event, event, inbox_message, inbox_thread, message,
    suppression, unmatched_report, webhook_delivery,
};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait,
};
use serde_json::json;

use super::get;
use super::shape::group_ids_of;
use crate::error::AppResult;
use crate::ids::rfc3339;
use crate::service::{addresses, events, like_contains, suppressions};

/// Everything the workspace holds about one contact, as read in one transaction.
pub struct ContactExport {
    pub contact: contact::Model,
    pub group_ids: Vec<String>,
    pub enrolments: Vec<campaign_contact::Model>,
    /// Every email, with the subject and body sent.
    pub messages: Vec<message::Model>,
    /// Every event of its emails (replies with their excerpt and class).
    pub events: Vec<email_event::Model>,
    /// The suppressions that cover its address (its own, its domain's).
    pub suppressions: Vec<suppression::Model>,
    /// Its inbox: every reply received in full and every answer written to it.
    pub inbox: Vec<inbox_message::Model>,
    pub exported_at: DateTime<Utc>,
}

/// Everything the workspace holds about one contact: its fields and groups, its enrolments,
/// every email with the subject and body sent, every event of its emails, and the suppressions
/// that cover its address. Read in one transaction (one consistent picture) that also records
/// the export as `contact.exported`.
pub async fn export<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<ContactExport> {
    let txn = crate::db::begin_write(db).await?;
    let person = get(&txn, workspace_id, id).await?;
    let group_ids = group_ids_of(&txn, std::slice::from_ref(&person.id))
        .await?
        .remove(&person.id)
        .unwrap_or_default();
    let enrolments = campaign_contact::Entity::find()
        .filter(campaign_contact::Column::ContactId.eq(&person.id))
        .order_by_asc(campaign_contact::Column::CreatedAt)
        .all(&txn)
        .await?;
    let messages = message::Entity::find()
        .filter(message::Column::ContactId.eq(&person.id))
        .order_by_asc(message::Column::CreatedAt)
        .all(&txn)
        .await?;
    let events = email_event::Entity::find()
        .filter(email_event::Column::WorkspaceId.eq(workspace_id))
        .filter(email_event::Column::ContactId.eq(&person.id))
        .order_by_asc(email_event::Column::OccurredAt)
        .order_by_asc(email_event::Column::Id)
        .all(&txn)
        .await?;
    let domain = addresses::domain_of(&person.email_normalized).to_owned();
    let covering = suppression::Entity::find()
        .filter(suppression::Column::WorkspaceId.eq(workspace_id))
        .filter(suppression::Column::Value.is_in([person.email_normalized.clone(), domain]))
        .all(&txn)
        .await?;
    let inbox = inbox_message::Entity::find()
        .filter(
            inbox_message::Column::ThreadId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(inbox_thread::Column::Id)
                    .from(inbox_thread::Entity)
                    .and_where(inbox_thread::Column::ContactId.eq(&person.id))
                    .to_owned(),
            ),
        )
        .order_by_asc(inbox_message::Column::CreatedAt)
        .all(&txn)
        .await?;
    events::emit(
        &txn,
        workspace_id,
        "contact.exported",
        json!({ "id": person.id, "exportedAt": rfc3339(&now) }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(ContactExport {
        contact: person,
        group_ids,
        enrolments,
        messages,
        events,
        suppressions: covering,
        inbox,
        exported_at: now,
    })
}

/// Erases a contact: the contact, its memberships, enrolments, emails (subjects, bodies), inbox
/// threads (replies in full, answers) and its email events go; the outbox events and unmatched reports that name it go
/// with their pending deliveries; the campaigns' counters stay as they are. Its address stays
/// suppressed, kept only as a digest (`suppressions::hashed`), so the person is never emailed
/// again from the workspace. One transaction; `contact.erased` carries only the id.
pub async fn erase<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let person = get(&txn, workspace_id, id).await?;
    suppressions::keep_only_digest(&txn, workspace_id, &person.email_normalized, now).await?;
    email_event::Entity::delete_many()
        .filter(email_event::Column::WorkspaceId.eq(workspace_id))
        .filter(email_event::Column::ContactId.eq(&person.id))
        .exec(&txn)
        .await?;
    // Outbox events carry the contact (its id, address, names) in their payload.
    for needle in [&person.id, &person.email_normalized, &person.email] {
        let naming = || {
            Expr::col(event::Column::Payload)
                .like(LikeExpr::new(like_contains(&format!("\"{needle}\""))).escape('\\'))
        };
        let ids: Vec<String> = event::Entity::find()
            .filter(event::Column::WorkspaceId.eq(workspace_id))
            .filter(naming())
            .all(&txn)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        for chunk in ids.chunks(500) {
            webhook_delivery::Entity::delete_many()
                .filter(webhook_delivery::Column::EventId.is_in(chunk.iter().cloned()))
                .exec(&txn)
                .await?;
            event::Entity::delete_many()
                .filter(event::Column::Id.is_in(chunk.iter().cloned()))
                .exec(&txn)
                .await?;
        }
    }
    unmatched_report::Entity::delete_many()
        .filter(unmatched_report::Column::WorkspaceId.eq(workspace_id))
        .filter(
            Expr::col(unmatched_report::Column::Recipients)
                .like(LikeExpr::new(like_contains(&person.email_normalized)).escape('\\')),
        )
        .exec(&txn)
        .await?;
    let enrolled_in = crate::service::enrolments::forget_contact(&txn, &person.id).await?;
    // Enrolments, memberships and emails go with the row.
    contact::Entity::delete_by_id(person.id.clone())
        .exec(&txn)
        .await?;
    for campaign_id in enrolled_in {
        crate::service::campaigns::complete_if_done(&txn, &campaign_id, now).await?;
    }
    events::emit(
        &txn,
        workspace_id,
        "contact.erased",
        json!({ "id": person.id, "erasedAt": rfc3339(&now) }),
        now,
    )
    .await?;
    // Last, as in `create`.
    crate::service::workspaces::add_contacts(&txn, workspace_id, -1).await?;
    txn.commit().await?;
    Ok(person.id)
}
