//! Pages of contacts: filtered by address, company, status or group, sorted, each with its
//! group ids when asked, the total read beside the page.

use entity::{contact, group_member, workspace};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait,
};

use super::ContactStatus;
use crate::error::AppResult;
use crate::service::pages::{self, Ordering};
use crate::service::{Page, PageRequest, SortOrder, filter_text, like_contains, sort_field};

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

/// A listed contact; `group_ids` is there when the listing asked for them.
#[derive(Clone, Debug)]
pub struct Listed {
    pub contact: contact::Model,
    pub group_ids: Option<Vec<String>>,
}

/// A page of contacts matching `filter`, in a total order (ties broken by id), from the page
/// number or the cursor asked for. With `with_group_ids`, each contact's group ids come in the
/// same statement as the page.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    filter: &ContactFilter,
    page: PageRequest,
    sort: Option<&str>,
    order: SortOrder,
    with_group_ids: bool,
) -> AppResult<Page<Listed>> {
    let ordering = ordering(sort_field(sort, SORT_FIELDS)?, order);
    let Matching {
        query,
        cond,
        filtered,
    } = matching(workspace_id, filter)?;
    // Served by an index in order, without sorting (see `Ordering::keys`).
    let select = ordering.page(query.clone(), &page)?;
    if filtered {
        // A filtered total is counted (bounded) beside the page.
        let total = filtered_total(db, workspace_id, query, cond);
        let page_only = select.column_as(Expr::value(sea_orm::Value::BigInt(None)), TOTAL);
        let rows = page_rows(db, page_only, ordering, with_group_ids);
        let ((total, estimated), rows) = tokio::try_join!(total, rows)?;
        return Ok(listed_page(
            rows,
            page,
            ordering,
            (total, estimated),
            with_group_ids,
        ));
    }
    // Unfiltered: the workspace's maintained count, read by the page's own statement.
    let count = Query::select()
        .column(workspace::Column::ContactCount)
        .from(workspace::Entity)
        .and_where(workspace::Column::Id.eq(workspace_id))
        .to_owned();
    let with_total = select.column_as(Expr::SubQuery(None, Box::new(count.into())), TOTAL);
    let rows = page_rows(db, with_total, ordering, with_group_ids).await?;
    let total = match rows.first().and_then(|row| row.total) {
        Some(total) => total,
        // A page past the end has no row to carry the count.
        None => {
            crate::service::workspaces::get(db, workspace_id)
                .await?
                .contact_count
        }
    };
    Ok(listed_page(
        rows,
        page,
        ordering,
        (u64::try_from(total).unwrap_or(0), false),
        with_group_ids,
    ))
}

/// Contacts read to estimate how many a filter matches when more than `EXACT_TOTAL_UP_TO` do:
/// the workspace's newest, so the estimate costs the same however many the workspace holds.
const ESTIMATE_SAMPLE: u64 = 4_000;

/// How many contacts `query` (the workspace's, narrowed by `cond`) holds: counted up to
/// `EXACT_TOTAL_UP_TO`; beyond, the share of a sample that matches times the workspace's
/// count, and `true`.
async fn filtered_total(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    query: sea_orm::Select<contact::Entity>,
    cond: Condition,
) -> AppResult<(u64, bool)> {
    if let Some(counted) = pages::count_up_to(db, query).await? {
        return Ok((counted, false));
    }
    let estimated = estimate(db, workspace_id, cond).await?.unwrap_or(0);
    Ok((Ord::max(estimated, pages::EXACT_TOTAL_UP_TO + 1), true))
}

/// The workspace's contacts matching `cond`, extrapolated from its newest `ESTIMATE_SAMPLE`.
async fn estimate(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    cond: Condition,
) -> AppResult<Option<u64>> {
    let sample = contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .order_by_desc(contact::Column::CreatedAt)
        .order_by_desc(contact::Column::Id)
        .limit(ESTIMATE_SAMPLE)
        .into_query();
    // The sample is named as the table, so the filter's columns read from it.
    let count = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(sample, Alias::new(contact::Entity.table_name()))
        .cond_where(cond)
        .to_owned();
    let backend = db.get_database_backend();
    let Some(row) = db.query_one_raw(backend.build(&count)).await? else {
        return Ok(None);
    };
    let matched = u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0);
    let held = crate::service::workspaces::get(db, workspace_id)
        .await?
        .contact_count;
    let held = u64::try_from(held).unwrap_or(0);
    let sampled = Ord::min(held, ESTIMATE_SAMPLE);
    if sampled == 0 {
        return Ok(None);
    }
    Ok(Some(
        (u128::from(matched) * u128::from(held) / u128::from(sampled)) as u64,
    ))
}

/// The contacts a filter matches, the condition that says so, and whether anything narrowed
/// them.
pub struct Matching {
    pub query: sea_orm::Select<contact::Entity>,
    pub cond: Condition,
    pub filtered: bool,
}

/// The workspace's contacts matching `filter` (unordered).
pub fn matching(workspace_id: &str, filter: &ContactFilter) -> AppResult<Matching> {
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
        if status != ContactStatus::Active {
            // The condition of the partial index of the statuses few contacts have, as it
            // is written there (a literal), so both engines see the index applies.
            cond = cond.add(
                Expr::col((contact::Entity, contact::Column::Status)).ne(Expr::cust("'active'")),
            );
        }
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
    Ok(Matching {
        query: contact::Entity::find().filter(cond.clone()),
        cond,
        filtered,
    })
}

/// How contacts sorted by `column` are ordered: email is unique in a workspace.
pub fn ordering(column: contact::Column, order: SortOrder) -> Ordering<contact::Column> {
    let ordering = Ordering::new(column, contact::Column::Id, order);
    match column {
        contact::Column::EmailNormalized => ordering.unique(),
        _ => ordering,
    }
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
    mut rows: Vec<ListedRow>,
    request: PageRequest,
    ordering: Ordering<contact::Column>,
    (total, estimated): (u64, bool),
    with_group_ids: bool,
) -> Page<Listed> {
    let next_cursor = ordering.finish(&request, &mut rows, |row| &row.contact);
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
        estimated,
        next_cursor,
    }
}

/// Runs a page statement; with `with_group_ids`, wraps it so each contact's group ids are
/// aggregated for the page's rows only (not for the rows an OFFSET skips), in the page's order.
async fn page_rows(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<contact::Entity>,
    ordering: Ordering<contact::Column>,
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
    ordering.sort_outer(&mut outer, &page);
    Ok(ListedRow::find_by_statement(backend.build(&outer))
        .all(db)
        .await?)
}
