//! Many contacts at once: a batch where each item succeeds or fails on its own (also an
//! import's chunk), and an import's merge into an existing contact.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::contact;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::{Value, json};

use super::crud::{apply_suppressions, duplicate_email};
use super::input::{
    ContactInput, MAX_PHONE, build_row, check_custom_fields, normalize_email, text,
};
use super::shape::{group_ids_of, to_json};
use crate::error::{AppError, AppResult};
use crate::service::{clean_text, events, groups, workspaces};

/// Most contacts one `create_many` call takes.
pub const MAX_BATCH: usize = 1000;

/// One item of a batch: its row and the groups it asks for, or why it fails.
type Item = AppResult<(contact::ActiveModel, Option<Vec<String>>)>;

/// Creates up to `MAX_BATCH` contacts; each item succeeds or fails on its own.
pub async fn create_many<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    inputs: Vec<ContactInput>,
    now: DateTime<Utc>,
) -> AppResult<Vec<AppResult<contact::Model>>> {
    if inputs.len() > MAX_BATCH {
        return Err(
            AppError::validation(format!("A batch holds at most {MAX_BATCH} contacts"))
                .with_details(
                    json!({ "field": "contacts", "max": MAX_BATCH, "received": inputs.len() }),
                ),
        );
    }
    let txn = crate::db::begin_write(db).await?;
    let results = create_many_in(&txn, workspace_id, inputs, now).await?;
    txn.commit().await?;
    Ok(results)
}

/// `create_many` inside the caller's transaction (an import commits each chunk with its
/// progress).
pub async fn create_many_in(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    inputs: Vec<ContactInput>,
    now: DateTime<Utc>,
) -> AppResult<Vec<AppResult<contact::Model>>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // Connections keep generic plans, made once (possibly when the table was empty); lists
        // of up to 1 000 emails and ids are planned for the table as it is now. Transaction-local.
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    let (mut items, emails) = build_items(workspace_id, inputs, now);
    fail_taken_or_unknown(txn, workspace_id, &mut items, emails).await?;
    apply_suppressions(
        txn,
        workspace_id,
        items
            .iter_mut()
            .filter_map(|r| r.as_mut().ok())
            .map(|(row, _)| row)
            .collect(),
    )
    .await?;
    let mut inserted = insert_items(txn, &items).await?;
    let count = record_created(txn, workspace_id, &items, &inserted, now).await?;
    // Last, as in `create`.
    workspaces::add_contacts(txn, workspace_id, count).await?;
    Ok(items
        .into_iter()
        .map(|r| {
            r.and_then(|(row, _)| inserted.remove(row.id.as_ref()).ok_or_else(duplicate_email))
        })
        .collect())
}

/// Each input checked and built into its row; an email repeated within the batch fails every
/// item after its first. Also returns the batch's distinct addresses.
fn build_items(
    workspace_id: &str,
    inputs: Vec<ContactInput>,
    now: DateTime<Utc>,
) -> (Vec<Item>, Vec<String>) {
    let mut items: Vec<Item> = Vec::with_capacity(inputs.len());
    let mut first_index: HashMap<String, usize> = HashMap::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let group_ids = input.group_ids.clone();
        let built = build_row(workspace_id, input, now).and_then(|row| {
            let key = row.email_normalized.as_ref().clone();
            match first_index.get(&key) {
                Some(first) => Err(AppError::conflict("Duplicate email in this batch")
                    .with_details(json!({ "field": "email", "duplicateOf": first }))),
                None => {
                    first_index.insert(key, index);
                    Ok((row, group_ids))
                }
            }
        });
        items.push(built);
    }
    let emails = first_index.into_keys().collect();
    (items, emails)
}

/// Emails that already exist, and groups that do not, fail their items.
async fn fail_taken_or_unknown(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    items: &mut [Item],
    emails: Vec<String>,
) -> AppResult<()> {
    let existing: HashSet<String> = contact::Entity::find()
        .select_only()
        .column(contact::Column::EmailNormalized)
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .filter(contact::Column::EmailNormalized.is_in(emails))
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let wanted_groups: Vec<String> = items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter_map(|(_, g)| g.clone())
        .flatten()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known_groups = groups::known_ids(txn, workspace_id, &wanted_groups).await?;
    for item in items.iter_mut() {
        let failure = match item {
            Ok((row, _)) if existing.contains(row.email_normalized.as_ref()) => {
                Some(duplicate_email())
            }
            Ok((_, Some(group_ids))) => {
                let unknown: Vec<&String> = group_ids
                    .iter()
                    .filter(|g| !known_groups.contains(*g))
                    .collect();
                (!unknown.is_empty()).then(|| AppError::unknown_ids("groupIds", "group", &unknown))
            }
            _ => None,
        };
        if let Some(err) = failure {
            *item = Err(err);
        }
    }
    Ok(())
}

/// Inserts the rows of the items still standing and reads back those that went in, by id.
async fn insert_items(
    txn: &impl ConnectionTrait,
    items: &[Item],
) -> AppResult<HashMap<String, contact::Model>> {
    let rows: Vec<contact::ActiveModel> = items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|(row, _)| row.clone())
        .collect();
    let ids: Vec<String> = rows.iter().map(|r| r.id.as_ref().clone()).collect();
    if !rows.is_empty() {
        contact::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([
                contact::Column::WorkspaceId,
                contact::Column::EmailNormalized,
            ])
            .exec_without_returning(txn)
            .await?;
    }
    // A concurrent writer may have taken an email between the check and the insert.
    Ok(contact::Entity::find()
        .filter(contact::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect())
}

/// The group memberships and `contact.created` events of the contacts that went in; returns
/// how many did.
async fn record_created(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    items: &[Item],
    inserted: &HashMap<String, contact::Model>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let memberships: Vec<(String, String)> = items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|(row, _)| inserted.contains_key(row.id.as_ref()))
        .flat_map(|(row, groups)| {
            let contact_id = row.id.as_ref().clone();
            groups
                .iter()
                .flatten()
                .map(move |g| (g.clone(), contact_id.clone()))
        })
        .collect();
    groups::insert_memberships(txn, workspace_id, memberships, now).await?;
    let created: Vec<Value> = items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter_map(|(row, groups)| {
            let model = inserted.get(row.id.as_ref())?;
            let mut group_ids: Vec<String> = groups.clone().unwrap_or_default();
            group_ids.sort();
            group_ids.dedup();
            Some(to_json(model, &group_ids))
        })
        .collect();
    let count = created.len() as i64;
    events::emit_many(txn, workspace_id, "contact.created", created, now).await?;
    Ok(count)
}

/// Applies the non-empty fields of `input` to the workspace's contact with that email (custom
/// fields merged key by key, groups added), inside the caller's transaction; emits
/// `contact.updated`. For imports that update duplicates.
pub async fn merge_in(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    input: ContactInput,
    now: DateTime<Utc>,
) -> AppResult<contact::Model> {
    let (_, normalized) = normalize_email(input.email.clone())?;
    let current = contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .filter(contact::Column::EmailNormalized.eq(&normalized))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Contact"))?;
    let mut custom = current.custom_fields.clone();
    let mut row: contact::ActiveModel = current.clone().into();
    if let Some(v) = text("firstName", input.first_name)? {
        row.first_name = Set(Some(v));
    }
    if let Some(v) = text("lastName", input.last_name)? {
        row.last_name = Set(Some(v));
    }
    if let Some(v) = text("company", input.company)? {
        row.company = Set(Some(v));
    }
    if let Some(v) = clean_text("phone", input.phone, MAX_PHONE)? {
        row.phone = Set(Some(v));
    }
    if let Some(v) = super::input::timezone(input.timezone)? {
        row.timezone = Set(Some(v));
    }
    if let Some(Value::Object(extra)) = input.custom_fields
        && !extra.is_empty()
    {
        if let Value::Object(map) = &mut custom {
            map.extend(extra);
        } else {
            custom = Value::Object(extra);
        }
        row.custom_fields = Set(check_custom_fields(custom)?);
    }
    let changed = row.is_changed();
    if changed {
        row.updated_at = Set(now);
    }
    let model = if changed {
        row.update(txn).await?
    } else {
        current
    };
    if let Some(groups) = input.group_ids {
        groups::insert_memberships(
            txn,
            workspace_id,
            groups.into_iter().map(|g| (g, model.id.clone())),
            now,
        )
        .await?;
    }
    if changed {
        let group_ids = group_ids_of(txn, std::slice::from_ref(&model.id))
            .await?
            .remove(&model.id)
            .unwrap_or_default();
        events::emit(
            txn,
            workspace_id,
            "contact.updated",
            to_json(&model, &group_ids),
            now,
        )
        .await?;
    }
    Ok(model)
}
