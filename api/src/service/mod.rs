//! Business rules, one module per domain. Plain async functions over a connection; every
//! function that touches tenant data takes the workspace id, so tenancy cannot be forgotten.

pub mod accounts;
pub mod addresses;
pub mod campaigns;
pub mod columns;
pub mod compose;
pub mod contacts;
pub mod dns;
pub mod domains;
pub mod email_accounts;
pub mod enrolments;
pub mod events;
pub mod groups;
pub mod html;
pub mod idempotency;
pub mod imports;
pub mod inbound;
pub mod inbox;
pub mod mailbox_leases;
pub mod messages;
pub mod network;
pub mod pacing;
pub mod pages;
pub mod parking;
pub mod quotas;
pub mod replies;
pub mod sending;
pub mod sending_status;
pub mod stats;
pub mod suppressions;
pub mod templates;
pub mod tracking;
pub mod unknown_outcomes;
pub mod webhooks;
pub mod window;
pub mod workspaces;

use serde_json::json;

pub use pages::{
    Cursor, DEFAULT_PER_PAGE, EXACT_TOTAL_UP_TO, MAX_PAGE, MAX_PER_PAGE, Ordering, Page,
    PageRequest, fetch_page,
};

use crate::error::{AppError, AppResult};

/// An entity whose rows belong to one workspace, found by their string id.
pub trait Owned: sea_orm::EntityTrait {
    /// What a missing row is called in its 404 ("Contact").
    const NOUN: &'static str;
    /// The column naming the row's workspace.
    fn workspace_column() -> Self::Column;
    /// The column holding the row's id.
    fn id_column() -> Self::Column;
}

/// The workspace's row `id` of `E`: the one place tenancy is applied to a lookup by id. A row
/// of another workspace is "not found", exactly as a missing one.
pub async fn owned<E>(
    db: &impl sea_orm::ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<E::Model>
where
    E: Owned,
    String: Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    E::find_by_id(id.to_owned())
        .filter(E::workspace_column().eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(E::NOUN))
}

/// The ids among `ids` that are rows of `E` in this workspace (one statement).
pub async fn owned_ids<E: Owned>(
    db: &impl sea_orm::ConnectionTrait,
    workspace_id: &str,
    ids: &[String],
) -> AppResult<std::collections::HashSet<String>> {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    Ok(E::find()
        .select_only()
        .column(E::id_column())
        .filter(E::workspace_column().eq(workspace_id))
        .filter(E::id_column().is_in(ids.iter().cloned()))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

impl SortOrder {
    pub fn to_orm(self) -> sea_orm::Order {
        match self {
            SortOrder::Asc => sea_orm::Order::Asc,
            SortOrder::Desc => sea_orm::Order::Desc,
        }
    }
}

/// Resolves a public sort field name against the allowed ones (default `createdAt`).
pub fn sort_field<C: Copy>(requested: Option<&str>, allowed: &[(&str, C)]) -> AppResult<C> {
    let name = requested.unwrap_or("createdAt");
    allowed
        .iter()
        .find(|(field, _)| *field == name)
        .map(|(_, column)| *column)
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|(field, _)| *field).collect();
            AppError::validation(format!(
                "Unknown sort field '{name}'; allowed: {}",
                names.join(", ")
            ))
            .with_details(json!({ "field": "sort", "allowed": names }))
        })
}

/// Trims a free-text field; empty becomes `None`; overly long is a validation error.
pub fn clean_text(field: &str, value: Option<String>, max: usize) -> AppResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    // Length and characters are judged on the text as sent, so the published limits hold
    // exactly (surrounding spaces count; a control character is refused even at an edge).
    if value.chars().count() > max {
        return Err(AppError::invalid_field(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| addresses::is_deceptive(c) && !matches!(c, '\n' | '\t'))
    {
        return Err(AppError::invalid_field(
            field,
            format!("{field} must not contain control or invisible characters"),
        ));
    }
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    Ok(Some(trimmed.to_owned()))
}

/// Longest text a substring filter takes.
pub const MAX_FILTER_CHARS: usize = 320;

/// A filter's text, trimmed; `None` when blank. Longer than `MAX_FILTER_CHARS` as sent is a
/// validation error on `field` (SQLite refuses very long patterns).
pub fn filter_text<'a>(field: &str, value: Option<&'a str>) -> AppResult<Option<&'a str>> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > MAX_FILTER_CHARS {
        return Err(AppError::invalid_field(
            field,
            format!("The {field} filter takes at most {MAX_FILTER_CHARS} characters"),
        ));
    }
    Ok(Some(value.trim()).filter(|v| !v.is_empty()))
}

/// A `LIKE` pattern matching `needle` (a checked filter text) anywhere, with `%`, `_` and `\`
/// escaped.
pub fn like_contains(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for ch in needle.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// A field update: absent (`None`), cleared (`Some(None)`) or set (`Some(Some(v))`).
pub type Patch<T> = Option<Option<T>>;
