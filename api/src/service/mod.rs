//! Business rules, one module per domain. Plain async functions over a connection; every
//! function that touches tenant data takes the workspace id, so tenancy cannot be forgotten.

pub mod accounts;
pub mod addresses;
pub mod campaigns;
pub mod columns;
pub mod compose;
pub mod contacts;
pub mod email_accounts;
pub mod enrolments;
pub mod events;
pub mod groups;
pub mod html;
pub mod idempotency;
pub mod imports;
pub mod inbound;
pub mod mailbox_leases;
pub mod messages;
pub mod network;
pub mod parking;
pub mod quotas;
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

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;
/// The furthest page a list serves (beyond it an offset would not fit the database's integers).
pub const MAX_PAGE: i64 = 10_000_000;

/// A validated page request: `page` ≥ 1, `per_page` in 1..=100 (larger values are clamped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    pub fn new(page: Option<i32>, per_page: Option<i32>) -> AppResult<Self> {
        let (page, per_page) = (page.map(i64::from), per_page.map(i64::from));
        let page = match page {
            None => 1,
            Some(p) if (1..=MAX_PAGE).contains(&p) => p as u64,
            Some(p) if p > MAX_PAGE => {
                return Err(AppError::invalid_field(
                    "page",
                    format!("page must be at most {MAX_PAGE}"),
                ));
            }
            Some(_) => return Err(AppError::invalid_field("page", "page must be 1 or more")),
        };
        let per_page = match per_page {
            None => DEFAULT_PER_PAGE,
            Some(p) if p >= 1 => (p as u64).min(MAX_PER_PAGE),
            Some(_) => {
                return Err(AppError::invalid_field(
                    "perPage",
                    "perPage must be 1 or more",
                ));
            }
        };
        Ok(PageRequest { page, per_page })
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

/// One page of a list, with the total across all pages.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub request: PageRequest,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u64 {
        self.total.div_ceil(self.request.per_page)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            request: self.request,
            total: self.total,
        }
    }
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

/// Counts `query` and fetches the requested page of it, concurrently, in the order `sorted`
/// gives (which must end in a unique column, so pages never overlap).
pub async fn fetch_page<E>(
    db: &impl sea_orm::ConnectionTrait,
    query: sea_orm::Select<E>,
    page: PageRequest,
    sorted: impl FnOnce(sea_orm::Select<E>) -> sea_orm::Select<E>,
) -> AppResult<Page<E::Model>>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    // The total and the page do not depend on each other: ask for both at once.
    let count = query.clone();
    let total = async { Ok::<_, AppError>(count.count(db).await?) };
    let items = async {
        Ok::<_, AppError>(
            sorted(query)
                .offset(page.offset())
                .limit(page.per_page)
                .all(db)
                .await?,
        )
    };
    let (total, items) = tokio::try_join!(total, items)?;
    Ok(Page {
        items,
        request: page,
        total,
    })
}

/// What a page sorted by `column` is ordered by, each key in the sort's direction, over the
/// entity's own table or over the page wrapped as `table`: always a total order, its keys the
/// leading columns of an index after the workspace. A nullable field orders by its `IS NULL`
/// first, so a missing value sorts as the greatest on every engine (last ascending, first
/// descending) and one `(workspace, field IS NULL, field, id)` index serves both directions;
/// a field `unique` in a workspace needs no tie-break (its unique index serves it); any other
/// is then ordered by id.
pub fn order_keys<C: sea_orm::ColumnTrait>(
    column: C,
    id: C,
    table: Option<&sea_orm::sea_query::Alias>,
    unique: bool,
) -> Vec<sea_orm::sea_query::Expr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let col = |c: C| match table {
        Some(table) => Expr::col((table.clone(), c)),
        None => Expr::col((c.entity_name(), c)),
    };
    let mut keys = Vec::with_capacity(3);
    if column.def().is_null() {
        keys.push(col(column).is_null());
    }
    keys.push(col(column));
    if !unique {
        keys.push(col(id));
    }
    keys
}

/// Orders a query by `order_keys` (a field not unique in its workspace: ties broken by id).
pub fn sorted<E, C>(
    query: sea_orm::Select<E>,
    column: C,
    id: C,
    order: SortOrder,
) -> sea_orm::Select<E>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ColumnTrait,
{
    order_keys(column, id, None, false)
        .into_iter()
        .fold(query, |query, key| {
            sea_orm::QueryOrder::order_by(query, key, order.to_orm())
        })
}

/// Orders a query wrapped around a page (`FROM (page) AS table`) the way `sorted` ordered the
/// page inside: a derived table's order is not guaranteed to survive the wrapping.
pub fn sorted_outer<C>(
    outer: &mut sea_orm::sea_query::SelectStatement,
    table: sea_orm::sea_query::Alias,
    column: C,
    id: C,
    order: SortOrder,
) where
    C: sea_orm::ColumnTrait,
{
    for key in order_keys(column, id, Some(&table), false) {
        outer.order_by_expr(key, order.to_orm());
    }
}

/// A field update: absent (`None`), cleared (`Some(None)`) or set (`Some(Some(v))`).
pub type Patch<T> = Option<Option<T>>;
