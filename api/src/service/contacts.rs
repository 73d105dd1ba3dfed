//! Contacts: the people a workspace emails.

use std::collections::{HashMap, HashSet};

use entity::{contact, group_member, workspace};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait,
    Set, TransactionSession, TransactionTrait,
};
use serde_json::{Value, json};

use super::{
    Page, PageRequest, Patch, SortOrder, clean_text, events, filter_text, groups, like_contains,
    sort_field, suppressions,
};
use crate::error::{AppError, AppResult, ErrorCode, is_unique_violation};
use crate::ids;

/// Most contacts one `create_many` call takes.
pub const MAX_BATCH: usize = 1000;
/// Longest name or company.
pub const MAX_TEXT: usize = 200;
/// Longest phone number.
pub const MAX_PHONE: usize = 50;
pub const MAX_CUSTOM_FIELDS: usize = 100;
pub const MAX_CUSTOM_FIELDS_BYTES: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactStatus {
    Active,
    Unsubscribed,
    Bounced,
}

impl ContactStatus {
    pub const ALL: [ContactStatus; 3] = [
        ContactStatus::Active,
        ContactStatus::Unsubscribed,
        ContactStatus::Bounced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Active => "active",
            ContactStatus::Unsubscribed => "unsubscribed",
            ContactStatus::Bounced => "bounced",
        }
    }

    pub fn parse(value: &str) -> Option<ContactStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Fields of a new contact; `email` is required and checked here, not by the caller.
#[derive(Clone, Debug, Default)]
pub struct ContactInput {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub custom_fields: Option<Value>,
    pub status: Option<ContactStatus>,
    pub group_ids: Option<Vec<String>>,
}

/// A partial update: fields present are replaced, `Some(None)` clears.
#[derive(Clone, Debug, Default)]
pub struct ContactPatch {
    pub email: Patch<String>,
    pub first_name: Patch<String>,
    pub last_name: Patch<String>,
    pub company: Patch<String>,
    pub phone: Patch<String>,
    pub custom_fields: Patch<Value>,
    pub status: Patch<ContactStatus>,
    pub group_ids: Patch<Vec<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct ContactFilter {
    /// Case-insensitive substring of the email.
    pub email: Option<String>,
    /// Membership of this group.
    pub group: Option<String>,
    pub status: Option<ContactStatus>,
    /// Case-insensitive exact company name.
    pub company: Option<String>,
}

pub const SORT_FIELDS: &[(&str, contact::Column)] = &[
    ("createdAt", contact::Column::CreatedAt),
    ("updatedAt", contact::Column::UpdatedAt),
    ("email", contact::Column::EmailNormalized),
    ("firstName", contact::Column::FirstName),
    ("lastName", contact::Column::LastName),
    ("company", contact::Column::Company),
];

fn normalize_email(email: Option<String>) -> AppResult<(String, String)> {
    let address = super::addresses::parse("email", email.as_deref().unwrap_or_default())?;
    Ok((address.display, address.normalized))
}

/// Integers past 2^53 cannot travel as JSON numbers without changing: refuse them rather than
/// keep a different number (send such values as strings).
fn exact_number(n: &serde_json::Number) -> bool {
    if let Some(i) = n.as_i64() {
        return i.unsigned_abs() <= MAX_EXACT_INTEGER;
    }
    if let Some(u) = n.as_u64() {
        return u <= MAX_EXACT_INTEGER;
    }
    n.as_f64()
        .is_some_and(|f| f.abs() <= MAX_EXACT_INTEGER as f64)
}

/// The largest magnitude a custom number may have: 2^53, beyond which JSON numbers lose digits.
pub const MAX_EXACT_INTEGER: u64 = 9_007_199_254_740_992;

fn check_custom_fields(value: Value) -> AppResult<Value> {
    let invalid = |message: String| AppError::invalid_field("customFields", message);
    let Value::Object(map) = value else {
        return Err(invalid("customFields must be an object".into()));
    };
    if map.len() > MAX_CUSTOM_FIELDS {
        return Err(invalid(format!(
            "customFields may hold at most {MAX_CUSTOM_FIELDS} keys"
        )));
    }
    for (key, value) in &map {
        let valid_key = key.len() <= 64
            && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            return Err(invalid(format!(
                "customFields key '{key}' must start with a letter or '_' and hold only letters, digits and '_' (at most 64)"
            )));
        }
        if value.is_object() || value.is_array() {
            return Err(invalid(format!(
                "customFields value of '{key}' must be a string, number, boolean or null"
            )));
        }
        if let Value::Number(n) = value
            && !exact_number(n)
        {
            return Err(invalid(format!(
                "customFields value of '{key}' is a number too large to keep exactly: send it as a string"
            )));
        }
        if let Value::String(text) = value
            && text
                .chars()
                .any(|c| super::addresses::is_deceptive(c) && !matches!(c, '\n' | '\t'))
        {
            return Err(invalid(format!(
                "customFields value of '{key}' must not contain control or invisible characters"
            )));
        }
    }
    let value = Value::Object(map);
    if value.to_string().len() > MAX_CUSTOM_FIELDS_BYTES {
        return Err(invalid(format!(
            "customFields must be at most {MAX_CUSTOM_FIELDS_BYTES} bytes"
        )));
    }
    Ok(value)
}

fn text(field: &str, value: Option<String>) -> AppResult<Option<String>> {
    clean_text(field, value, MAX_TEXT)
}

/// Checks every field of a new contact and builds its row (not yet inserted).
fn build_row(workspace_id: &str, input: ContactInput) -> AppResult<contact::ActiveModel> {
    let (email, email_normalized) = normalize_email(input.email)?;
    let custom_fields = match input.custom_fields {
        Some(Value::Null) | None => json!({}),
        Some(value) => check_custom_fields(value)?,
    };
    let now = ids::now();
    Ok(contact::ActiveModel {
        id: Set(ids::new_id(ids::CONTACT)),
        workspace_id: Set(workspace_id.to_owned()),
        email: Set(email),
        email_normalized: Set(email_normalized),
        first_name: Set(text("firstName", input.first_name)?),
        last_name: Set(text("lastName", input.last_name)?),
        company: Set(text("company", input.company)?),
        phone: Set(clean_text("phone", input.phone, MAX_PHONE)?),
        custom_fields: Set(custom_fields),
        status: Set(input
            .status
            .unwrap_or(ContactStatus::Active)
            .as_str()
            .to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// The contact as the REST API shows it (also the `data` of contact events).
pub fn to_json(c: &contact::Model, group_ids: &[String]) -> Value {
    json!({
        "id": c.id,
        "email": c.email,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "company": c.company,
        "phone": c.phone,
        "customFields": c.custom_fields,
        "status": c.status,
        "groupIds": group_ids,
        "createdAt": ids::rfc3339(&c.created_at),
        "updatedAt": ids::rfc3339(&c.updated_at),
    })
}

async fn emit(db: &impl ConnectionTrait, event_type: &str, c: &contact::Model) -> AppResult<()> {
    let groups = group_ids_of(db, std::slice::from_ref(&c.id)).await?;
    let group_ids = groups.get(&c.id).cloned().unwrap_or_default();
    events::emit(db, &c.workspace_id, event_type, to_json(c, &group_ids)).await?;
    Ok(())
}

fn duplicate_email() -> AppError {
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
) -> AppResult<contact::Model> {
    let group_ids = input.group_ids.clone();
    let mut row = build_row(workspace_id, input)?;
    let txn = crate::db::begin_write(db).await?;
    apply_suppressions(&txn, workspace_id, vec![&mut row]).await?;
    let contact = row.insert(&txn).await.map_err(on_write_error)?;
    if let Some(group_ids) = group_ids {
        set_groups(&txn, workspace_id, &contact.id, &group_ids).await?;
    }
    emit(&txn, "contact.created", &contact).await?;
    // Last: the workspace row stays locked until the commit, and every contact write of the
    // workspace waits for it.
    super::workspaces::add_contacts(&txn, workspace_id, 1).await?;
    txn.commit().await?;
    Ok(contact)
}

/// New contacts at a suppressed address land with the status their suppression gives
/// (bounced for a bounce, otherwise unsubscribed) rather than active: one lookup for them all.
async fn apply_suppressions(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    rows: Vec<&mut contact::ActiveModel>,
) -> AppResult<()> {
    let active = ContactStatus::Active.as_str();
    let mut rows: Vec<&mut contact::ActiveModel> = rows
        .into_iter()
        .filter(|r| r.status.as_ref() == active)
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
            row.status = Set(source.contact_status().as_str().to_owned());
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
    contact::Entity::find_by_id(id.to_owned())
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Contact"))
}

pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    patch: ContactPatch,
) -> AppResult<contact::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = get(&txn, workspace_id, id).await?;
    let was_unsubscribed = current.status == ContactStatus::Unsubscribed.as_str();
    let made_active = matches!(patch.status, Some(Some(ContactStatus::Active)));
    let moved = patch.email.is_some();
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
    if let Some(v) = patch.custom_fields {
        row.custom_fields = Set(match v {
            Some(Value::Null) | None => json!({}),
            Some(value) => check_custom_fields(value)?,
        });
    }
    if let Some(v) = patch.status {
        let status =
            v.ok_or_else(|| AppError::invalid_field("status", "status cannot be removed"))?;
        row.status = Set(status.as_str().to_owned());
    }
    // An active contact may not be at a suppressed address: asking for it is refused; an
    // address changed to a suppressed one takes the suppression's status.
    if (made_active || moved) && row.status.as_ref() == ContactStatus::Active.as_str() {
        let email = row.email_normalized.as_ref().clone();
        let barred =
            suppressions::sources_of(&txn, workspace_id, std::slice::from_ref(&email)).await?;
        if let Some(source) = barred.get(&email) {
            if made_active {
                return Err(suppressed(*source));
            }
            row.status = Set(source.contact_status().as_str().to_owned());
        }
    }
    row.updated_at = Set(ids::now());
    let contact = row.update(&txn).await.map_err(on_write_error)?;
    if let Some(group_ids) = patch.group_ids {
        set_groups(
            &txn,
            workspace_id,
            &contact.id,
            &group_ids.unwrap_or_default(),
        )
        .await?;
    }
    emit(&txn, "contact.updated", &contact).await?;
    if !was_unsubscribed && contact.status == ContactStatus::Unsubscribed.as_str() {
        emit(&txn, "contact.unsubscribed", &contact).await?;
    }
    txn.commit().await?;
    Ok(contact)
}

/// Deletes a contact with its memberships and enrolments (campaign counts follow); returns its id.
pub async fn delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let contact = get(&txn, workspace_id, id).await?;
    emit(&txn, "contact.deleted", &contact).await?;
    let enrolled_in = super::enrolments::forget_contact(&txn, &contact.id).await?;
    // Its enrolments and messages go with it (a send in flight finds its row gone and records
    // nothing); a campaign it was the last one open in completes.
    contact::Entity::delete_by_id(contact.id.clone())
        .exec(&txn)
        .await?;
    for campaign_id in enrolled_in {
        super::campaigns::complete_if_done(&txn, &campaign_id).await?;
    }
    // Last, as in `create`.
    super::workspaces::add_contacts(&txn, workspace_id, -1).await?;
    txn.commit().await?;
    Ok(contact.id)
}

/// Sets a contact's status on the system's behalf (a bounce, an unsubscribe link), emitting
/// `contact.updated` (and `contact.unsubscribed`) when it changes. Returns whether it changed.
pub async fn set_status(
    db: &impl ConnectionTrait,
    current: &contact::Model,
    status: ContactStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    if current.status == status.as_str() {
        return Ok(false);
    }
    let mut row: contact::ActiveModel = current.clone().into();
    row.status = Set(status.as_str().to_owned());
    row.updated_at = Set(now);
    let contact = row.update(db).await?;
    emit(db, "contact.updated", &contact).await?;
    if status == ContactStatus::Unsubscribed {
        emit(db, "contact.unsubscribed", &contact).await?;
    }
    Ok(true)
}

/// Replaces a contact's group memberships with exactly `group_ids`.
async fn set_groups(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    contact_id: &str,
    group_ids: &[String],
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
    )
    .await?;
    Ok(())
}

/// A listed contact; `group_ids` is there when the listing asked for them.
#[derive(Clone, Debug)]
pub struct Listed {
    pub contact: contact::Model,
    pub group_ids: Option<Vec<String>>,
}

/// A page of contacts matching `filter`, in a total order (ties broken by id). With
/// `with_group_ids`, each contact's group ids come in the same statement as the page.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    filter: &ContactFilter,
    page: PageRequest,
    sort: Option<&str>,
    order: SortOrder,
    with_group_ids: bool,
) -> AppResult<Page<Listed>> {
    let column = sort_field(sort, SORT_FIELDS)?;
    let mut filtered = false;
    let mut cond = Condition::all().add(contact::Column::WorkspaceId.eq(workspace_id));
    if let Some(email) = filter_text("email", filter.email.as_deref())? {
        filtered = true;
        cond = cond.add(
            Expr::col(contact::Column::EmailNormalized)
                .like(LikeExpr::new(like_contains(&email.to_lowercase())).escape('\\')),
        );
    }
    if let Some(status) = filter.status {
        filtered = true;
        cond = cond.add(contact::Column::Status.eq(status.as_str()));
    }
    if let Some(company) = filter_text("company", filter.company.as_deref())? {
        filtered = true;
        cond = cond.add(ExprTrait::eq(
            Func::lower(Expr::col(contact::Column::Company)),
            company.to_lowercase(),
        ));
    }
    if let Some(group) = &filter.group {
        filtered = true;
        cond = cond.add(
            contact::Column::Id.in_subquery(
                Query::select()
                    .column(group_member::Column::ContactId)
                    .from(group_member::Entity)
                    .and_where(group_member::Column::GroupId.eq(group.as_str()))
                    .and_where(group_member::Column::WorkspaceId.eq(workspace_id))
                    .to_owned(),
            ),
        );
    }
    let query = contact::Entity::find().filter(cond);
    let select = super::sorted(query.clone(), column, contact::Column::Id, order)
        .offset(page.offset())
        .limit(page.per_page);
    if filtered {
        // A filtered total needs a COUNT: it runs beside the page.
        let total = async { Ok::<_, AppError>(query.count(db).await?) };
        let page_only = select.column_as(Expr::value(sea_orm::Value::BigInt(None)), TOTAL);
        let rows = page_rows(db, page_only, column, order, with_group_ids);
        let (total, rows) = tokio::try_join!(total, rows)?;
        return Ok(listed_page(rows, page, total, with_group_ids));
    }
    // Unfiltered: the workspace's maintained count, read by the page's own statement.
    let count = Query::select()
        .column(workspace::Column::ContactCount)
        .from(workspace::Entity)
        .and_where(workspace::Column::Id.eq(workspace_id))
        .to_owned();
    let with_total = select.column_as(Expr::SubQuery(None, Box::new(count.into())), TOTAL);
    let rows = page_rows(db, with_total, column, order, with_group_ids).await?;
    let total = match rows.first().and_then(|row| row.total) {
        Some(total) => total,
        // A page past the end has no row to carry the count.
        None => {
            super::workspaces::get(db, workspace_id)
                .await?
                .contact_count
        }
    };
    Ok(listed_page(
        rows,
        page,
        u64::try_from(total).unwrap_or(0),
        with_group_ids,
    ))
}

const GROUP_IDS: &str = "fz_group_ids";
const TOTAL: &str = "fz_total";

/// One row of a listing: the contact, its joined group ids and the total (NULL when not asked).
struct ListedRow {
    contact: contact::Model,
    group_ids: Option<String>,
    total: Option<i64>,
}

impl FromQueryResult for ListedRow {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(ListedRow {
            contact: contact::Model::from_query_result(row, pre)?,
            group_ids: row.try_get(pre, GROUP_IDS)?,
            total: row.try_get(pre, TOTAL)?,
        })
    }
}

fn listed_page(
    rows: Vec<ListedRow>,
    request: PageRequest,
    total: u64,
    with_group_ids: bool,
) -> Page<Listed> {
    let items = rows
        .into_iter()
        .map(|row| Listed {
            // When asked for, NULL is "no groups".
            group_ids: with_group_ids.then(|| {
                let mut ids: Vec<String> = row
                    .group_ids
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .filter(|id| !id.is_empty())
                    .map(str::to_owned)
                    .collect();
                ids.sort_unstable();
                ids
            }),
            contact: row.contact,
        })
        .collect();
    Page {
        items,
        request,
        total,
    }
}

/// Runs a page statement; with `with_group_ids`, wraps it so each contact's group ids are
/// aggregated for the page's rows only (not for the rows an OFFSET skips), in the page's order.
async fn page_rows(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<contact::Entity>,
    column: contact::Column,
    order: SortOrder,
    with_group_ids: bool,
) -> AppResult<Vec<ListedRow>> {
    if !with_group_ids {
        let select = select.column_as(Expr::value(sea_orm::Value::String(None)), GROUP_IDS);
        return Ok(select.into_model::<ListedRow>().all(db).await?);
    }
    let backend = db.get_database_backend();
    let page = Alias::new("page");
    let joined = match backend {
        DbBackend::Postgres => Func::cust("string_agg"),
        _ => Func::cust("group_concat"),
    }
    .arg(Expr::col((
        group_member::Entity,
        group_member::Column::GroupId,
    )))
    .arg(",");
    let members = Query::select()
        .expr(joined)
        .from(group_member::Entity)
        .and_where(
            Expr::col((group_member::Entity, group_member::Column::ContactId))
                .equals((page.clone(), contact::Column::Id)),
        )
        .to_owned();
    let mut outer = Query::select();
    outer
        .column((page.clone(), Asterisk))
        .expr_as(Expr::SubQuery(None, Box::new(members.into())), GROUP_IDS)
        .from_subquery(select.into_query(), page.clone());
    super::sorted_outer(&mut outer, page, column, contact::Column::Id, order);
    Ok(ListedRow::find_by_statement(backend.build(&outer))
        .all(db)
        .await?)
}

/// Group ids of each contact (sorted), for the given contacts.
/// Applies the non-empty fields of `input` to the workspace's contact with that email (custom
/// fields merged key by key, groups added), inside the caller's transaction; emits
/// `contact.updated`. For imports that update duplicates.
pub async fn merge_in(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    input: ContactInput,
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
        row.updated_at = Set(ids::now());
    }
    let model = if changed {
        row.update(txn).await?
    } else {
        current
    };
    if let Some(groups) = input.group_ids {
        super::groups::insert_memberships(
            txn,
            workspace_id,
            groups.into_iter().map(|g| (g, model.id.clone())),
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
        )
        .await?;
    }
    Ok(model)
}

pub async fn group_ids_of(
    db: &impl ConnectionTrait,
    contact_ids: &[String],
) -> AppResult<HashMap<String, Vec<String>>> {
    let rows = group_member::Entity::find()
        .filter(group_member::Column::ContactId.is_in(contact_ids.iter().cloned()))
        .order_by_asc(group_member::Column::GroupId)
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        out.entry(row.contact_id).or_default().push(row.group_id);
    }
    Ok(out)
}

/// Creates up to `MAX_BATCH` contacts; each item succeeds or fails on its own.
pub async fn create_many<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    inputs: Vec<ContactInput>,
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
    let results = create_many_in(&txn, workspace_id, inputs).await?;
    txn.commit().await?;
    Ok(results)
}

/// `create_many` inside the caller's transaction (an import commits each chunk with its
/// progress).
pub async fn create_many_in(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    inputs: Vec<ContactInput>,
) -> AppResult<Vec<AppResult<contact::Model>>> {
    let db = txn;
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // Connections keep generic plans, made once (possibly when the table was empty); lists
        // of up to 1 000 emails and ids are planned for the table as it is now. Transaction-local.
        db.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    let mut results: Vec<AppResult<(contact::ActiveModel, Option<Vec<String>>)>> =
        Vec::with_capacity(inputs.len());
    let mut first_index: HashMap<String, usize> = HashMap::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let group_ids = input.group_ids.clone();
        let built = build_row(workspace_id, input).and_then(|row| {
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
        results.push(built);
    }

    // Emails that already exist, and groups that do not, fail their items.
    let emails: Vec<String> = first_index.keys().cloned().collect();
    let existing: HashSet<String> = contact::Entity::find()
        .select_only()
        .column(contact::Column::EmailNormalized)
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .filter(contact::Column::EmailNormalized.is_in(emails))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let wanted_groups: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter_map(|(_, g)| g.clone())
        .flatten()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known_groups = groups::known_ids(db, workspace_id, &wanted_groups).await?;
    for result in results.iter_mut() {
        let failure = match result {
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
            *result = Err(err);
        }
    }

    apply_suppressions(
        db,
        workspace_id,
        results
            .iter_mut()
            .filter_map(|r| r.as_mut().ok())
            .map(|(row, _)| row)
            .collect(),
    )
    .await?;
    let rows: Vec<contact::ActiveModel> = results
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
    let inserted: HashMap<String, contact::Model> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let memberships: Vec<(String, String)> = results
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
    groups::insert_memberships(txn, workspace_id, memberships).await?;
    let created: Vec<Value> = results
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
    events::emit_many(txn, workspace_id, "contact.created", created).await?;
    // Last, as in `create`.
    super::workspaces::add_contacts(txn, workspace_id, count).await?;

    let mut inserted = inserted;
    Ok(results
        .into_iter()
        .map(|r| {
            r.and_then(|(row, _)| inserted.remove(row.id.as_ref()).ok_or_else(duplicate_email))
        })
        .collect())
}

/// Ids among `ids` that are contacts of this workspace.
pub async fn known_ids(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    ids: &[String],
) -> AppResult<HashSet<String>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .filter(contact::Column::Id.is_in(ids.iter().cloned()))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
