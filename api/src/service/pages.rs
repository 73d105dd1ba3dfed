//! Pages of a list: by number (`page`, an OFFSET) or after a cursor (the sort keys of the last
//! row a page showed, so a deep page costs what the first does), and totals that stay cheap
//! (counted exactly up to `EXACT_TOTAL_UP_TO`, estimated and said to be beyond).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, ColumnType, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select, Value,
};
use serde::{Deserialize, Serialize};

use super::SortOrder;
use crate::error::{AppError, AppResult};

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;
/// The furthest page a list serves (beyond it an offset would not fit the database's integers).
pub const MAX_PAGE: i64 = 10_000_000;
/// Up to this many matching rows a total is exact; beyond, the count stops and the total is
/// estimated (`Page::estimated`).
pub const EXACT_TOTAL_UP_TO: u64 = 10_000;
/// Longest cursor text taken (the ones this API makes are far shorter).
const MAX_CURSOR_CHARS: usize = 2048;

/// A validated page request: `page` ≥ 1 or a cursor, `per_page` in 1..=100 (larger values are
/// clamped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// The page shown: the one asked for, or the one the cursor leads to.
    pub page: u64,
    pub per_page: u64,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    pub fn new(page: Option<i32>, per_page: Option<i32>, cursor: Option<&str>) -> AppResult<Self> {
        let (page, per_page) = (page.map(i64::from), per_page.map(i64::from));
        // A blank cursor is none: the first page.
        let cursor = cursor
            .filter(|text| !text.trim().is_empty())
            .map(Cursor::decode)
            .transpose()?;
        let page = match (page, &cursor) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid_field(
                    "cursor",
                    "Give page or cursor, not both (a cursor knows its page)",
                ));
            }
            (None, Some(cursor)) => cursor.page,
            (None, None) => 1,
            (Some(p), None) if (1..=MAX_PAGE).contains(&p) => p as u64,
            (Some(p), None) if p > MAX_PAGE => {
                return Err(AppError::invalid_field(
                    "page",
                    format!("page must be at most {MAX_PAGE}"),
                ));
            }
            (Some(_), None) => {
                return Err(AppError::invalid_field("page", "page must be 1 or more"));
            }
        };
        let per_page = match per_page {
            None => DEFAULT_PER_PAGE,
            Some(p) if p >= 1 => Ord::min(p as u64, MAX_PER_PAGE),
            Some(_) => {
                return Err(AppError::invalid_field(
                    "perPage",
                    "perPage must be 1 or more",
                ));
            }
        };
        Ok(PageRequest {
            page,
            per_page,
            cursor,
        })
    }

    /// Rows skipped before the page: none after a cursor.
    pub fn offset(&self) -> u64 {
        match self.cursor {
            Some(_) => 0,
            None => (self.page - 1).saturating_mul(self.per_page),
        }
    }

    /// Rows a page reads: one more than it shows, which says whether another page follows.
    pub fn limit(&self) -> u64 {
        self.per_page + 1
    }
}

/// One page of a list, with the total across all pages.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub request: PageRequest,
    pub total: u64,
    /// The total was estimated, not counted (more than `EXACT_TOTAL_UP_TO` rows match).
    pub estimated: bool,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u64 {
        self.total.div_ceil(self.request.per_page)
    }

    pub fn map<U>(mut self, f: impl FnMut(T) -> U) -> Page<U> {
        let items = std::mem::take(&mut self.items).into_iter().map(f).collect();
        self.with_items(items)
    }

    /// The same page of the list holding `items` instead (read from the ones it had).
    pub fn with_items<U>(self, items: Vec<U>) -> Page<U> {
        Page {
            items,
            request: self.request,
            total: self.total,
            estimated: self.estimated,
            next_cursor: self.next_cursor,
        }
    }
}

/// A position in a list: the page it leads to, the list and order it was made for, and the
/// sort value and id of the row before it. Sent as URL-safe base64 of its JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    #[serde(rename = "p")]
    page: u64,
    #[serde(rename = "l")]
    list: String,
    #[serde(rename = "v")]
    value: serde_json::Value,
    #[serde(rename = "i")]
    id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str) -> AppResult<Cursor> {
        if text.len() > MAX_CURSOR_CHARS {
            return Err(not_a_cursor());
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| not_a_cursor())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| not_a_cursor())?;
        if !(2..=MAX_PAGE as u64 + 1).contains(&cursor.page) {
            return Err(not_a_cursor());
        }
        Ok(cursor)
    }
}

/// The refusal of text that is not a cursor this API made (or not one for this list's column).
fn not_a_cursor() -> AppError {
    AppError::invalid_field(
        "cursor",
        "cursor is not one this API gave: pass meta.nextCursor of the previous page as it came",
    )
}

/// How a list is ordered: by `column` in `order`, ties broken by `id` unless the column is
/// unique in the list. Always a total order, its keys the leading columns of an index after
/// the workspace; it also says where a cursor's page starts.
#[derive(Clone, Copy, Debug)]
pub struct Ordering<C> {
    pub column: C,
    pub id: C,
    pub order: SortOrder,
    unique: bool,
}

impl<C: ColumnTrait> Ordering<C> {
    pub fn new(column: C, id: C, order: SortOrder) -> Self {
        Ordering {
            column,
            id,
            order,
            unique: false,
        }
    }

    /// The column is unique in the list: no tie-break is needed (its unique index serves it).
    pub fn unique(self) -> Self {
        Ordering {
            unique: true,
            ..self
        }
    }

    /// The list and order a cursor belongs to.
    fn list(&self) -> String {
        let direction = match self.order {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        };
        format!(
            "{}.{}.{direction}",
            self.column.entity_name(),
            self.column.as_str()
        )
    }

    fn col(&self, c: C, table: Option<&Alias>) -> Expr {
        match table {
            Some(table) => Expr::col((table.clone(), c)),
            None => Expr::col((c.entity_name(), c)),
        }
    }

    /// What the list is ordered by, each key in the sort's direction, over the entity's own
    /// table or over the page wrapped as `table`. A nullable field orders by its `IS NULL`
    /// first, so a missing value sorts as the greatest on every engine (last ascending, first
    /// descending) and one `(workspace, field IS NULL, field, id)` index serves both
    /// directions; a unique field needs no tie-break; any other is then ordered by id.
    pub fn keys(&self, table: Option<&Alias>) -> Vec<Expr> {
        let mut keys = Vec::with_capacity(3);
        if self.column.def().is_null() {
            keys.push(self.col(self.column, table).is_null());
        }
        keys.push(self.col(self.column, table));
        if !self.unique {
            keys.push(self.col(self.id, table));
        }
        keys
    }

    /// Orders a query by `keys`.
    pub fn sort<E: EntityTrait>(&self, query: Select<E>) -> Select<E> {
        self.keys(None).into_iter().fold(query, |query, key| {
            QueryOrder::order_by(query, key, self.order.to_orm())
        })
    }

    /// Orders a query wrapped around a page (`FROM (page) AS table`) as the page inside was:
    /// a derived table's order is not guaranteed to survive the wrapping.
    pub fn sort_outer(&self, outer: &mut SelectStatement, table: &Alias) {
        for key in self.keys(Some(table)) {
            outer.order_by_expr(key, self.order.to_orm());
        }
    }

    /// The rows after the request's cursor (`None` without one): the sort keys compared as one
    /// row value, which an index on them serves as a range.
    pub fn after(&self, request: &PageRequest, table: Option<&Alias>) -> AppResult<Option<Expr>> {
        let Some(cursor) = &request.cursor else {
            return Ok(None);
        };
        if cursor.list != self.list() {
            return Err(AppError::invalid_field(
                "cursor",
                "This cursor was made for another list or sort order",
            ));
        }
        let nullable = self.column.def().is_null();
        let id = Expr::val(cursor.id.clone());
        let (mut left, mut right) = (Vec::with_capacity(3), Vec::with_capacity(3));
        match value_of(self.column, &cursor.value)? {
            // After a missing value come only missing values, in id order.
            None if nullable => {
                left.push(self.col(self.column, table).is_null());
                right.push(Expr::val(true));
                left.push(self.col(self.id, table));
                right.push(id);
            }
            None => return Err(not_a_cursor()),
            Some(value) => {
                if nullable {
                    left.push(self.col(self.column, table).is_null());
                    right.push(Expr::val(false));
                }
                left.push(self.col(self.column, table));
                right.push(Expr::val(value));
                if !self.unique {
                    left.push(self.col(self.id, table));
                    right.push(id);
                }
            }
        }
        let (left, right) = (Expr::tuple(left), Expr::tuple(right));
        Ok(Some(match self.order {
            SortOrder::Asc => left.gt(right),
            SortOrder::Desc => left.lt(right),
        }))
    }

    /// The page's statement: sorted, after the cursor or at the offset, reading `limit` rows.
    pub fn page<E: EntityTrait>(
        &self,
        query: Select<E>,
        request: &PageRequest,
    ) -> AppResult<Select<E>> {
        let mut query = self.sort(query);
        if let Some(after) = self.after(request, None)? {
            query = query.filter(after);
        }
        Ok(query.offset(request.offset()).limit(request.limit()))
    }

    /// Cuts the rows a `page` statement read down to the page and makes the cursor of the
    /// next page when there is one (`model` finds each row's entity model).
    pub fn finish<T, M>(
        &self,
        request: &PageRequest,
        rows: &mut Vec<T>,
        model: impl Fn(&T) -> &M,
    ) -> Option<String>
    where
        M: ModelTrait,
        M::Entity: EntityTrait<Column = C>,
    {
        if rows.len() as u64 <= request.per_page {
            return None;
        }
        rows.truncate(request.per_page as usize);
        let last = model(rows.last()?);
        let id = match last.get(self.id) {
            Value::String(Some(id)) => id,
            _ => return None,
        };
        let cursor = Cursor {
            page: request.page.saturating_add(1),
            list: self.list(),
            value: json_of(last.get(self.column)),
            id,
        };
        Some(cursor.encode())
    }
}

/// A sort value as a cursor carries it.
fn json_of(value: Value) -> serde_json::Value {
    match value {
        Value::String(Some(s)) => s.into(),
        Value::ChronoDateTimeUtc(Some(at)) => at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            .into(),
        Value::BigInt(Some(n)) => n.into(),
        Value::Int(Some(n)) => n.into(),
        _ => serde_json::Value::Null,
    }
}

/// A cursor's sort value as the column's type (`None`: missing).
fn value_of<C: ColumnTrait>(column: C, json: &serde_json::Value) -> AppResult<Option<Value>> {
    if json.is_null() {
        return Ok(None);
    }
    let value = match column.def().get_column_type() {
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => {
            Value::String(Some(json.as_str().ok_or_else(not_a_cursor)?.to_owned()))
        }
        ColumnType::TimestampWithTimeZone | ColumnType::Timestamp | ColumnType::DateTime => {
            let text = json.as_str().ok_or_else(not_a_cursor)?;
            let at = DateTime::parse_from_rfc3339(text).map_err(|_| not_a_cursor())?;
            Value::ChronoDateTimeUtc(Some(at.with_timezone(&Utc)))
        }
        ColumnType::Integer | ColumnType::BigInteger | ColumnType::SmallInteger => {
            Value::BigInt(Some(json.as_i64().ok_or_else(not_a_cursor)?))
        }
        _ => return Err(not_a_cursor()),
    };
    Ok(Some(value))
}

/// How many rows `query` matches, when at most `EXACT_TOTAL_UP_TO` do (`None` beyond): the
/// count stops there, so it costs at most that many rows.
pub async fn count_up_to<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
) -> AppResult<Option<u64>> {
    let backend = db.get_database_backend();
    let mut bounded = query.select_only().expr(Expr::val(1)).into_query();
    bounded.limit(EXACT_TOTAL_UP_TO + 1);
    let count = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(bounded, Alias::new("fz_matching"))
        .to_owned();
    let row = db.query_one_raw(backend.build(&count)).await?;
    let counted = row
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    let counted = u64::try_from(counted).unwrap_or(0);
    Ok((counted <= EXACT_TOTAL_UP_TO).then_some(counted))
}

/// The total of `query`: counted up to `EXACT_TOTAL_UP_TO` (`count_up_to`), else estimated —
/// the planner's row estimate on PostgreSQL, never below the rows counted — and said to be
/// (`true`).
pub async fn bounded_total<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
) -> AppResult<(u64, bool)> {
    let planner = db.get_database_backend() == DbBackend::Postgres;
    let matching = planner.then(|| query.clone().select_only().expr(Expr::val(1)).into_query());
    if let Some(counted) = count_up_to(db, query).await? {
        return Ok((counted, false));
    }
    let planned = match matching {
        Some(matching) => planned_rows(db, &matching).await?,
        None => 0,
    };
    Ok((Ord::max(planned, EXACT_TOTAL_UP_TO + 1), true))
}

/// PostgreSQL's estimate of the rows `statement` answers (`EXPLAIN`, which runs nothing).
async fn planned_rows(db: &impl ConnectionTrait, statement: &SelectStatement) -> AppResult<u64> {
    let backend = db.get_database_backend();
    let mut explain = backend.build(statement);
    explain.sql = format!("EXPLAIN (FORMAT JSON) {}", explain.sql);
    let Some(row) = db.query_one_raw(explain).await? else {
        return Ok(0);
    };
    let plan: serde_json::Value = match row.try_get_by_index::<serde_json::Value>(0) {
        Ok(plan) => plan,
        Err(_) => serde_json::from_str(&row.try_get_by_index::<String>(0)?).unwrap_or_default(),
    };
    Ok(plan[0]["Plan"]["Plan Rows"]
        .as_f64()
        .map_or(0, |rows| rows.max(0.0) as u64))
}

/// The requested page of `query` in `ordering`, with the cursor of the next page, and its
/// total: `known` (a kept count) when there is one, else `bounded_total`, read beside the page.
pub async fn fetch_page<E, C>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: PageRequest,
    ordering: Ordering<C>,
    known: Option<u64>,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait<Column = C>,
    E::Model: Send + Sync,
    C: ColumnTrait,
{
    let select = ordering.page(query.clone(), &request)?;
    let total = async {
        match known {
            Some(total) => Ok((total, false)),
            None => bounded_total(db, query).await,
        }
    };
    let items = async { Ok::<_, AppError>(select.all(db).await?) };
    let ((total, estimated), mut items) = tokio::try_join!(total, items)?;
    let next_cursor = ordering.finish(&request, &mut items, |model| model);
    Ok(Page {
        items,
        request,
        total,
        estimated,
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::contact;

    fn cursor(list: &str, value: serde_json::Value) -> Cursor {
        Cursor {
            page: 3,
            list: list.into(),
            value,
            id: "cnt_1".into(),
        }
    }

    #[test]
    fn a_cursor_reads_back_as_it_was_made() {
        let made = cursor(
            "contacts.created_at.desc",
            "2026-12-07T10:00:00.123456Z".into(),
        );
        assert_eq!(Cursor::decode(&made.encode()).unwrap(), made);
        let request = PageRequest::new(None, Some(50), Some(&made.encode())).unwrap();
        assert_eq!((request.page, request.offset()), (3, 0));
    }

    #[test]
    fn text_that_is_not_a_cursor_is_a_validation_error_on_cursor() {
        let wrong_page = Cursor {
            page: 0,
            ..cursor("contacts.created_at.desc", serde_json::Value::Null)
        };
        let first = PageRequest::new(None, None, Some(" ")).unwrap();
        assert_eq!(
            (first.page, first.cursor),
            (1, None),
            "a blank cursor is none"
        );
        for text in [
            "!!",
            "e30",
            &URL_SAFE_NO_PAD.encode(b"{\"p\":2}"),
            &wrong_page.encode(),
            &"A".repeat(MAX_CURSOR_CHARS + 1),
        ] {
            let err = PageRequest::new(None, None, Some(text)).unwrap_err();
            assert_eq!(err.details.unwrap()["field"], "cursor", "{text}");
        }
        let given = cursor("contacts.created_at.desc", serde_json::Value::Null).encode();
        let both = PageRequest::new(Some(2), None, Some(&given)).unwrap_err();
        assert_eq!(both.details.unwrap()["field"], "cursor");
    }

    #[test]
    fn a_cursor_only_opens_the_list_and_order_it_was_made_for() {
        let by_created = Ordering::new(
            contact::Column::CreatedAt,
            contact::Column::Id,
            SortOrder::Desc,
        );
        let made = cursor(&by_created.list(), "2026-12-07T10:00:00Z".into());
        let request = PageRequest::new(None, None, Some(&made.encode())).unwrap();
        assert!(by_created.after(&request, None).unwrap().is_some());
        let ascending = Ordering::new(
            contact::Column::CreatedAt,
            contact::Column::Id,
            SortOrder::Asc,
        );
        assert!(ascending.after(&request, None).is_err());
        let by_name = Ordering::new(
            contact::Column::FirstName,
            contact::Column::Id,
            SortOrder::Desc,
        );
        assert!(by_name.after(&request, None).is_err());
        // A value of the wrong type for the column.
        let wrong = cursor(&by_created.list(), 7.into());
        let request = PageRequest::new(None, None, Some(&wrong.encode())).unwrap();
        assert!(by_created.after(&request, None).is_err());
    }
}
