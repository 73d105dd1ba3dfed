//! Groups: named sets of contacts.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{contact_group, group_member};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::{
    Page, PageRequest, Patch, SortOrder, clean_text, contacts, filter_text, like_contains,
    sort_field,
};
use crate::error::{AppError, AppResult};
use crate::ids;

/// Most contact ids one membership call takes.
pub const MAX_MEMBERS_PER_CALL: usize = 1000;
pub const MAX_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 2000;

#[derive(Clone, Debug, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct GroupPatch {
    pub name: Patch<String>,
    pub description: Patch<String>,
}

#[derive(Clone, Debug, Default)]
pub struct GroupFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
}

pub const SORT_FIELDS: &[(&str, contact_group::Column)] = &[
    ("createdAt", contact_group::Column::CreatedAt),
    ("updatedAt", contact_group::Column::UpdatedAt),
    ("name", contact_group::Column::Name),
];

/// The outcome of adding or removing members.
#[derive(Clone, Debug)]
pub struct MembershipChange {
    pub group: contact_group::Model,
    /// Contacts whose membership changed.
    pub changed: u64,
    /// Contacts already in the wanted state.
    pub unchanged: u64,
}

fn name(value: Option<String>) -> AppResult<String> {
    clean_text("name", value, MAX_NAME)?
        .ok_or_else(|| AppError::invalid_field("name", "Name is required"))
}

fn description(value: Option<String>) -> AppResult<Option<String>> {
    clean_text("description", value, MAX_DESCRIPTION)
}

pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    input: GroupInput,
    now: DateTime<Utc>,
) -> AppResult<contact_group::Model> {
    let row = contact_group::ActiveModel {
        id: Set(ids::new_id(ids::GROUP)),
        workspace_id: Set(workspace_id.to_owned()),
        name: Set(name(input.name)?),
        description: Set(description(input.description)?),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(row.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<contact_group::Model> {
    crate::service::owned::<contact_group::Entity>(db, workspace_id, id).await
}

impl crate::service::Owned for contact_group::Entity {
    const NOUN: &'static str = "Group";
    fn workspace_column() -> contact_group::Column {
        contact_group::Column::WorkspaceId
    }
    fn id_column() -> contact_group::Column {
        contact_group::Column::Id
    }
}

pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    patch: GroupPatch,
    now: DateTime<Utc>,
) -> AppResult<contact_group::Model> {
    let mut row: contact_group::ActiveModel = get(db, workspace_id, id).await?.into();
    if let Some(value) = patch.name {
        row.name = Set(name(value)?);
    }
    if let Some(value) = patch.description {
        row.description = Set(description(value)?);
    }
    row.updated_at = Set(now);
    Ok(row.update(db).await?)
}

/// Deletes a group (its contacts stay); returns its id.
pub async fn delete(db: &impl ConnectionTrait, workspace_id: &str, id: &str) -> AppResult<String> {
    let result = contact_group::Entity::delete_many()
        .filter(contact_group::Column::Id.eq(id))
        .filter(contact_group::Column::WorkspaceId.eq(workspace_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found("Group"));
    }
    Ok(id.to_owned())
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    filter: &GroupFilter,
    page: PageRequest,
    sort: Option<&str>,
    order: SortOrder,
) -> AppResult<Page<contact_group::Model>> {
    let column = sort_field(sort, SORT_FIELDS)?;
    let mut cond = Condition::all().add(contact_group::Column::WorkspaceId.eq(workspace_id));
    if let Some(name) = filter_text("name", filter.name.as_deref())? {
        cond = cond.add(
            Expr::expr(Func::lower(Expr::col(contact_group::Column::Name)))
                .like(LikeExpr::new(like_contains(&name.to_lowercase())).escape('\\')),
        );
    }
    let query = contact_group::Entity::find().filter(cond);
    let ordering = super::Ordering::new(column, contact_group::Column::Id, order);
    super::fetch_page(db, query, page, ordering, None).await
}

/// Member counts of the given groups (absent groups count 0).
pub async fn contact_counts(
    db: &impl ConnectionTrait,
    group_ids: &[String],
) -> AppResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = group_member::Entity::find()
        .select_only()
        .column(group_member::Column::GroupId)
        .column_as(group_member::Column::ContactId.count(), "n")
        .filter(group_member::Column::GroupId.is_in(group_ids.iter().cloned()))
        .group_by(group_member::Column::GroupId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Ids among `ids` that are groups of this workspace.
pub async fn known_ids(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    ids: &[String],
) -> AppResult<HashSet<String>> {
    crate::service::owned_ids::<contact_group::Entity>(db, workspace_id, ids).await
}

/// The distinct `ids`, all of which must be groups of this workspace (else 400 naming the rest).
pub async fn existing_ids(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    ids: &[String],
    field: &str,
) -> AppResult<Vec<String>> {
    let distinct = dedupe(ids);
    let known = known_ids(db, workspace_id, &distinct).await?;
    let unknown: Vec<&String> = distinct.iter().filter(|id| !known.contains(*id)).collect();
    if !unknown.is_empty() {
        return Err(AppError::unknown_ids(field, "group", &unknown));
    }
    Ok(distinct)
}

fn dedupe(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect()
}

/// Inserts (group, contact) memberships, ignoring those that already exist.
pub async fn insert_memberships(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    pairs: impl IntoIterator<Item = (String, String)>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let rows: Vec<group_member::ActiveModel> = pairs
        .into_iter()
        .map(|(group_id, contact_id)| group_member::ActiveModel {
            group_id: Set(group_id),
            contact_id: Set(contact_id),
            workspace_id: Set(workspace_id.to_owned()),
            created_at: Set(now),
        })
        .collect();
    let mut inserted = 0;
    // 4 columns a row keeps each statement well under every engine's parameter limit.
    for chunk in rows.chunks(5000) {
        let result = group_member::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                group_member::Column::GroupId,
                group_member::Column::ContactId,
            ])
            .exec_without_returning(db)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(n) = result {
            inserted += n;
        }
    }
    Ok(inserted)
}

/// Checks a membership request: the group exists, the ids are few enough and all contacts of
/// this workspace (else 400 listing the unknown ones).
async fn check_members(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    group_id: &str,
    contact_ids: &[String],
) -> AppResult<(contact_group::Model, Vec<String>)> {
    let group = get(db, workspace_id, group_id).await?;
    if contact_ids.is_empty() {
        return Err(AppError::invalid_field(
            "contactIds",
            "contactIds must not be empty",
        ));
    }
    if contact_ids.len() > MAX_MEMBERS_PER_CALL {
        return Err(AppError::validation(format!(
            "At most {MAX_MEMBERS_PER_CALL} contactIds per call"
        ))
        .with_details(json!({ "field": "contactIds", "max": MAX_MEMBERS_PER_CALL })));
    }
    let distinct = dedupe(contact_ids);
    let known = contacts::known_ids(db, workspace_id, &distinct).await?;
    let unknown: Vec<&String> = distinct.iter().filter(|id| !known.contains(*id)).collect();
    if !unknown.is_empty() {
        return Err(AppError::unknown_ids("contactIds", "contact", &unknown));
    }
    Ok((group, distinct))
}

/// Adds contacts to a group; contacts already in it are left as they are.
pub async fn add_contacts<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    group_id: &str,
    contact_ids: &[String],
    now: DateTime<Utc>,
) -> AppResult<MembershipChange> {
    let txn = crate::db::begin_write(db).await?;
    let (group, distinct) = check_members(&txn, workspace_id, group_id, contact_ids).await?;
    let added = insert_memberships(
        &txn,
        workspace_id,
        distinct.iter().map(|c| (group.id.clone(), c.clone())),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(MembershipChange {
        group,
        changed: added,
        unchanged: distinct.len() as u64 - added,
    })
}

/// Removes contacts from a group; contacts not in it are left as they are.
pub async fn remove_contacts<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    group_id: &str,
    contact_ids: &[String],
) -> AppResult<MembershipChange> {
    let txn = crate::db::begin_write(db).await?;
    let (group, distinct) = check_members(&txn, workspace_id, group_id, contact_ids).await?;
    let removed = group_member::Entity::delete_many()
        .filter(group_member::Column::GroupId.eq(&group.id))
        .filter(group_member::Column::ContactId.is_in(distinct.iter().cloned()))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(MembershipChange {
        group,
        changed: removed,
        unchanged: distinct.len() as u64 - removed,
    })
}
