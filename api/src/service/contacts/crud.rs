//! Creating, reading, updating and deleting one contact; a suppressed address is never an
//! active contact.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{contact, group_member};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::{Value, json};

use super::ContactStatus;
use super::input::{
    ContactInput, ContactPatch, MAX_PHONE, build_row, check_custom_fields, normalize_email, text,
};
use super::shape::emit;
use crate::error::{AppError, AppResult, ErrorCode, is_unique_violation};
use crate::service::{clean_text, groups, suppressions};
use entity::states::LeadStatus;

pub(super) fn duplicate_email() -> AppError {
    AppError::conflict("A contact with this email already exists")
        .with_details(json!({ "field": "email" }))
}

fn on_write_error(err: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&err) {
        duplicate_email()
    } else {
        err.into()
    }
}

pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    input: ContactInput,
    now: DateTime<Utc>,
) -> AppResult<contact::Model> {
    let group_ids = input.group_ids.clone();
    let mut row = build_row(workspace_id, input, now)?;
    let txn = crate::db::begin_write(db).await?;
    apply_suppressions(&txn, workspace_id, vec![&mut row]).await?;
    let contact = row.insert(&txn).await.map_err(on_write_error)?;
    if let Some(group_ids) = group_ids {
        set_groups(&txn, workspace_id, &contact.id, &group_ids, now).await?;
    }
    emit(&txn, "contact.created", &contact, now).await?;
    // Last: the workspace row stays locked until the commit, and every contact write of the
    // workspace waits for it.
    crate::service::workspaces::add_contacts(&txn, workspace_id, 1).await?;
    txn.commit().await?;
    Ok(contact)
}

/// New contacts at a suppressed address land with the status their suppression gives
/// (bounced for a bounce, otherwise unsubscribed) rather than active: one lookup for them all.
pub(super) async fn apply_suppressions(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    rows: Vec<&mut contact::ActiveModel>,
) -> AppResult<()> {
    let mut rows: Vec<&mut contact::ActiveModel> = rows
        .into_iter()
        .filter(|r| r.status.as_ref() == &ContactStatus::Active)
        .collect();
    let emails: Vec<String> = rows
        .iter()
        .map(|r| r.email_normalized.as_ref().clone())
        .collect();
    if emails.is_empty() {
        return Ok(());
    }
    let barred = suppressions::sources_of(db, workspace_id, &emails).await?;
    for row in rows.iter_mut() {
        if let Some(source) = barred.get(row.email_normalized.as_ref()) {
            row.status = Set(suppressions::contact_status(*source));
        }
    }
    Ok(())
}

fn suppressed(source: suppressions::Source) -> AppError {
    AppError::new(
        ErrorCode::Suppressed,
        format!(
            "This address is suppressed (source: {}): delete its suppression before making the contact active",
            source.as_str()
        ),
    )
    .with_details(json!({ "field": "status", "source": source.as_str() }))
}

/// One contact of this workspace; another workspace's id is simply not found.
pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<contact::Model> {
    crate::service::owned::<contact::Entity>(db, workspace_id, id).await
}

impl crate::service::Owned for contact::Entity {
    const NOUN: &'static str = "Contact";
    fn workspace_column() -> contact::Column {
        contact::Column::WorkspaceId
    }
    fn id_column() -> contact::Column {
        contact::Column::Id
    }
}

pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    patch: ContactPatch,
    now: DateTime<Utc>,
) -> AppResult<contact::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = get(&txn, workspace_id, id).await?;
    let was_unsubscribed = current.status == ContactStatus::Unsubscribed;
    let made_active = matches!(patch.status, Some(Some(ContactStatus::Active)));
    let moved = patch.email.is_some();
    let lead_before = current.lead_status;
    let mut row: contact::ActiveModel = current.into();
    if let Some(email) = patch.email {
        let (email, normalized) = match email {
            Some(email) => normalize_email(Some(email))?,
            None => return Err(AppError::invalid_field("email", "Email cannot be removed")),
        };
        row.email = Set(email);
        row.email_normalized = Set(normalized);
    }
    if let Some(v) = patch.first_name {
        row.first_name = Set(text("firstName", v)?);
    }
    if let Some(v) = patch.last_name {
        row.last_name = Set(text("lastName", v)?);
    }
    if let Some(v) = patch.company {
        row.company = Set(text("company", v)?);
    }
    if let Some(v) = patch.phone {
        row.phone = Set(clean_text("phone", v, MAX_PHONE)?);
    }
    if let Some(v) = patch.timezone {
        row.timezone = Set(super::input::timezone(v)?);
    }
    if let Some(v) = patch.custom_fields {
        row.custom_fields = Set(match v {
            Some(Value::Null) | None => json!({}),
            Some(value) => check_custom_fields(value)?,
        });
    }
    if let Some(v) = patch.lead_status {
        row.lead_status = Set(v);
    }
    if let Some(v) = patch.status {
        let status =
            v.ok_or_else(|| AppError::invalid_field("status", "status cannot be removed"))?;
        row.status = Set(status);
    }
    // An active contact may not be at a suppressed address: asking for it is refused; an
    // address changed to a suppressed one takes the suppression's status.
    if (made_active || moved) && row.status.as_ref() == &ContactStatus::Active {
        let email = row.email_normalized.as_ref().clone();
        let barred =
            suppressions::sources_of(&txn, workspace_id, std::slice::from_ref(&email)).await?;
        if let Some(source) = barred.get(&email) {
            if made_active {
                return Err(suppressed(*source));
            }
            row.status = Set(suppressions::contact_status(*source));
        }
    }
    row.updated_at = Set(now);
    let contact = row.update(&txn).await.map_err(on_write_error)?;
    if let Some(group_ids) = patch.group_ids {
        set_groups(
            &txn,
            workspace_id,
            &contact.id,
            &group_ids.unwrap_or_default(),
            now,
        )
        .await?;
    }
    // Its emails that waited for a field it had no value for are due again (each is checked
    // again when claimed: one still missing a field waits once more).
    release_held(&txn, &contact.id, now).await?;
    emit(&txn, "contact.updated", &contact, now).await?;
    if !was_unsubscribed && contact.status == ContactStatus::Unsubscribed {
        emit(&txn, "contact.unsubscribed", &contact, now).await?;
    }
    if contact.lead_status != lead_before {
        emit_lead_status(&txn, &contact, lead_before, "api", now).await?;
    }
    txn.commit().await?;
    Ok(contact)
}

/// `contact.lead_status_changed`: the contact as it is now, what its lead status was, and who
/// changed it (`api`, or `reply` when a reply was read).
async fn emit_lead_status(
    db: &impl ConnectionTrait,
    contact: &contact::Model,
    before: Option<LeadStatus>,
    by: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let groups = super::shape::group_ids_of(db, std::slice::from_ref(&contact.id)).await?;
    let mut data = super::shape::to_json(contact, groups.get(&contact.id).map_or(&[], |g| g));
    data["previousLeadStatus"] = serde_json::json!(before);
    data["changedBy"] = serde_json::json!(by);
    crate::service::events::emit(
        db,
        &contact.workspace_id,
        "contact.lead_status_changed",
        data,
        now,
    )
    .await?;
    Ok(())
}

/// Sets a contact's lead status on a reply's behalf, emitting `contact.lead_status_changed`
/// when it changes. Returns whether it changed.
pub async fn set_lead_status(
    db: &impl ConnectionTrait,
    current: &contact::Model,
    status: LeadStatus,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if current.lead_status == Some(status) {
        return Ok(false);
    }
    let mut row: contact::ActiveModel = current.clone().into();
    row.lead_status = Set(Some(status));
    row.updated_at = Set(now);
    let contact = row.update(db).await?;
    emit_lead_status(db, &contact, current.lead_status, "reply", now).await?;
    Ok(true)
}

/// Deletes a contact with its memberships and enrolments (campaign counts follow); returns its id.
pub async fn delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let contact = get(&txn, workspace_id, id).await?;
    emit(&txn, "contact.deleted", &contact, now).await?;
    let enrolled_in = crate::service::enrolments::forget_contact(&txn, &contact.id).await?;
    // Its enrolments and messages go with it (a send in flight finds its row gone and records
    // nothing); a campaign it was the last one open in completes.
    contact::Entity::delete_by_id(contact.id.clone())
        .exec(&txn)
        .await?;
    for campaign_id in enrolled_in {
        crate::service::campaigns::complete_if_done(&txn, &campaign_id, now).await?;
    }
    // Last, as in `create`.
    crate::service::workspaces::add_contacts(&txn, workspace_id, -1).await?;
    txn.commit().await?;
    Ok(contact.id)
}

/// Sets a contact's status on the system's behalf (a bounce, an unsubscribe link), emitting
/// `contact.updated` (and `contact.unsubscribed`) when it changes. Returns whether it changed.
pub async fn set_status(
    db: &impl ConnectionTrait,
    current: &contact::Model,
    status: ContactStatus,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if current.status == status {
        return Ok(false);
    }
    let mut row: contact::ActiveModel = current.clone().into();
    row.status = Set(status);
    row.updated_at = Set(now);
    let contact = row.update(db).await?;
    emit(db, "contact.updated", &contact, now).await?;
    if status == ContactStatus::Unsubscribed {
        emit(db, "contact.unsubscribed", &contact, now).await?;
    }
    Ok(true)
}

/// Replaces a contact's group memberships with exactly `group_ids`.
async fn set_groups(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    contact_id: &str,
    group_ids: &[String],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let wanted = groups::existing_ids(db, workspace_id, group_ids, "groupIds").await?;
    group_member::Entity::delete_many()
        .filter(group_member::Column::ContactId.eq(contact_id))
        .filter(group_member::Column::GroupId.is_not_in(wanted.iter().cloned()))
        .exec(db)
        .await?;
    groups::insert_memberships(
        db,
        workspace_id,
        wanted.iter().map(|g| (g.clone(), contact_id.to_owned())),
        now,
    )
    .await?;
    Ok(())
}

/// Ids among `ids` that are contacts of this workspace.
pub async fn known_ids(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    ids: &[String],
) -> AppResult<HashSet<String>> {
    crate::service::owned_ids::<contact::Entity>(db, workspace_id, ids).await
}

/// A contact's enrolments waiting for a field it had no value for (`missing_field:…`) are due
/// now: its fields changed.
async fn release_held(
    txn: &impl ConnectionTrait,
    contact_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    entity::campaign_contact::Entity::update_many()
        .col_expr(
            entity::campaign_contact::Column::NextSendAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            entity::campaign_contact::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(entity::campaign_contact::Column::ContactId.eq(contact_id))
        .filter(
            entity::campaign_contact::Column::State
                .eq(crate::service::enrolments::EnrolmentState::Active.as_str()),
        )
        .filter(entity::campaign_contact::Column::Reason.starts_with("missing_field:"))
        .exec(txn)
        .await?;
    Ok(())
}
