//! Pages of campaigns, each with what the listing asked to read beside it (its counters, its
//! email account), in one statement.

use entity::{campaign, email_account};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IdenStatic, PaginatorTrait, QueryFilter,
    QuerySelect, QueryTrait,
};

use super::CampaignStatus;
use super::shape::step_count;
use crate::error::AppResult;
use crate::service::columns::{Columns, Reader};
use crate::service::pages::Ordering;
use crate::service::{Page, PageRequest, SortOrder, sort_field, stats};

#[derive(Clone, Debug, Default)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
}

pub const SORT_FIELDS: &[(&str, campaign::Column)] = &[
    ("createdAt", campaign::Column::CreatedAt),
    ("updatedAt", campaign::Column::UpdatedAt),
    ("name", campaign::Column::Name),
];

/// What a listing reads: the campaign columns its answer shows, and beside each campaign, in
/// the page's own statement, its counters and email account.
#[derive(Clone, Copy, Debug)]
pub struct ListWith {
    /// The campaign's columns to read; the rest of each model keeps its defaults (the id, the
    /// workspace and what the statement itself needs are always read).
    pub columns: Columns<campaign::Entity>,
    /// The campaign's totals.
    pub totals: bool,
    /// Every counter: totals and each step's (the steps are then read too, for their count).
    pub steps: bool,
    /// The email account's columns to read, when it is asked for (its id is always read).
    pub account: Option<Columns<email_account::Entity>>,
}

/// A listed campaign with what the listing was asked to read beside it.
pub struct Listed {
    /// The campaign, with only `columns` read.
    pub campaign: campaign::Model,
    pub columns: Columns<campaign::Entity>,
    /// The totals, when asked for (alone or with the steps).
    pub totals: Option<stats::Counts>,
    /// Every figure, when the steps were asked for: computed once from the counters read with
    /// the page.
    pub stats: Option<stats::CampaignStats>,
    /// The email account, when asked for (`Some(None)`: the campaign has none), with only the
    /// columns asked for read.
    pub account: Option<Option<email_account::Model>>,
}

const TOTAL: &str = "fz_total";
const COUNTERS: &str = "fz_counters";
const ACCOUNT: &str = "fz_ea_";

/// A page of campaigns in a total order (ties broken by id), with its total, and with `with`
/// the counters and email account of each: one statement whatever the page size.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    filter: &CampaignFilter,
    page: PageRequest,
    sort: Option<&str>,
    order: SortOrder,
    with: ListWith,
) -> AppResult<Page<Listed>> {
    let column = sort_field(sort, SORT_FIELDS)?;
    let mut cond = Condition::all().add(campaign::Column::WorkspaceId.eq(workspace_id));
    if let Some(status) = filter.status {
        cond = cond.add(campaign::Column::Status.eq(status.as_str()));
    }
    // The total rides on every row: an uncorrelated subquery, run once.
    let count = Query::select()
        .expr(Expr::col((campaign::Entity, campaign::Column::Id)).count())
        .from(campaign::Entity)
        .cond_where(cond.clone())
        .to_owned();
    let mut columns = with.columns.union(Columns::of(&[
        campaign::Column::Id,
        campaign::Column::WorkspaceId,
        column,
    ]));
    if with.steps {
        columns.add(campaign::Column::Steps);
    }
    if with.account.is_some() {
        columns.add(campaign::Column::EmailAccountId);
    }
    let mut find = campaign::Entity::find().select_only();
    for c in columns.iter() {
        find = find.column(c);
    }
    let ordering = Ordering::new(column, campaign::Column::Id, order);
    let inner = ordering
        .page(find.filter(cond.clone()), &page)?
        .column_as(Expr::SubQuery(None, Box::new(count.into())), TOTAL);
    let backend = db.get_database_backend();
    let table = Alias::new("page");
    let mut outer = Query::select();
    // The account's columns come first, so each row reads as [account…, campaign…, extras].
    let account_columns = with
        .account
        .map(|a| a.union(Columns::of(&[email_account::Column::Id])));
    if let Some(account_columns) = account_columns {
        let account = Alias::new("fz_ea");
        outer.join_as(
            JoinType::LeftJoin,
            email_account::Entity,
            account.clone(),
            Condition::all()
                .add(
                    Expr::col((account.clone(), email_account::Column::Id))
                        .equals((table.clone(), campaign::Column::EmailAccountId)),
                )
                .add(
                    Expr::col((account.clone(), email_account::Column::WorkspaceId))
                        .equals((table.clone(), campaign::Column::WorkspaceId)),
                ),
        );
        for c in account_columns.iter() {
            outer.expr_as(
                Expr::col((account.clone(), c)),
                Alias::new(format!("{ACCOUNT}{}", c.as_str())),
            );
        }
    }
    outer
        .column((table.clone(), Asterisk))
        .from_subquery(inner.into_query(), table.clone());
    if with.steps {
        outer.expr_as(stats::packed_counters(backend, "\"page\".\"id\""), COUNTERS);
    } else if with.totals {
        stats::join_totals(&mut outer, table.clone(), campaign::Column::Id);
    }
    ordering.sort_outer(&mut outer, &table);
    let rows = db.query_all_raw(backend.build(&outer)).await?;
    let campaigns = Reader::new(columns, account_columns.map_or(0, |a| a.len()));
    let accounts = account_columns.map(|a| Reader::new(a, 0));
    let mut total = None;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let campaign = campaigns.read(row)?;
        total = Some(row.try_get::<i64>("", TOTAL)?);
        let (totals, stats) = if with.steps {
            let packed: Option<String> = row.try_get("", COUNTERS)?;
            let stats =
                stats::CampaignStats::from_packed(packed.as_deref(), step_count(&campaign))?;
            (Some(stats.totals), Some(stats))
        } else if with.totals {
            (Some(stats::joined_totals(row)?), None)
        } else {
            (None, None)
        };
        let account = match &accounts {
            // The id is the first column read: NULL when the campaign has no account.
            Some(accounts) => Some(match row.try_get_by_index::<Option<String>>(0)? {
                Some(_) => Some(accounts.read(row)?),
                None => None,
            }),
            None => None,
        };
        items.push(Listed {
            campaign,
            columns,
            totals,
            stats,
            account,
        });
    }
    let total = match total {
        Some(total) => u64::try_from(total).unwrap_or(0),
        // A page past the end has no row to carry the total.
        None => campaign::Entity::find().filter(cond).count(db).await?,
    };
    let next_cursor = ordering.finish(&page, &mut items, |listed| &listed.campaign);
    Ok(Page {
        items,
        request: page,
        total,
        estimated: false,
        next_cursor,
    })
}
