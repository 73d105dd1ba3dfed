//! Suppressions in GraphQL.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::suppression;

use super::types::{Deleted, PageInfo, SortOrder};
use super::{db, now, principal};
use crate::ids::rfc3339;
use crate::service::PageRequest;
use crate::service::suppressions as svc;

pub use entity::states::{SuppressionKind, SuppressionSource};

/// An address or a domain the workspace never emails.
pub struct Suppression(pub(crate) suppression::Model);

#[Object]
impl Suppression {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn kind(&self) -> SuppressionKind {
        self.0.kind
    }
    /// The address (normalised: local part lower-cased, domain in IDNA ASCII) or the domain.
    async fn value(&self) -> &str {
        &self.0.value
    }
    /// What suppressed it.
    async fn source(&self) -> SuppressionSource {
        self.0.source
    }
    /// RFC 3339, UTC.
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
}

#[derive(SimpleObject)]
pub struct SuppressionPage {
    pub items: Vec<Suppression>,
    pub page_info: PageInfo,
}

#[derive(InputObject, Default)]
pub struct SuppressionFilter {
    pub kind: Option<SuppressionKind>,
    pub source: Option<SuppressionSource>,
    /// Case-insensitive substring of the value.
    pub value: Option<String>,
}

/// One suppression: `kind` and `value` are required; `source` defaults to `manual`.
#[derive(InputObject, Clone)]
pub struct SuppressionInput {
    pub kind: Option<SuppressionKind>,
    pub value: Option<String>,
    pub source: Option<SuppressionSource>,
}

impl From<SuppressionInput> for svc::NewSuppression {
    fn from(i: SuppressionInput) -> Self {
        svc::NewSuppression {
            kind: i.kind,
            value: i.value,
            source: i.source,
        }
    }
}

#[derive(SimpleObject)]
pub struct SuppressionsAdded {
    /// New suppressions.
    pub created: usize,
    /// Items that were already suppressed (kept as they were).
    pub existing: usize,
    /// Each item's suppression, in the request's order.
    pub items: Vec<Suppression>,
}

#[derive(Default)]
pub struct SuppressionQuery;

#[Object]
impl SuppressionQuery {
    /// Suppressions, filtered, sorted (`createdAt` or `value`; default `createdAt`) and
    /// paginated.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    // A list field's arguments are its public paging, filter and sort.
    #[allow(clippy::too_many_arguments)]
    async fn suppressions(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
        filter: Option<SuppressionFilter>,
        sort: Option<String>,
        #[graphql(default)] order: SortOrder,
    ) -> Result<SuppressionPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let filter = filter.unwrap_or_default();
        let filter = svc::SuppressionFilter {
            kind: filter.kind,
            source: filter.source,
            value: filter.value,
        };
        let found = svc::list(
            db(ctx)?,
            &who.workspace_id,
            &filter,
            request,
            sort.as_deref(),
            order.into(),
        )
        .await?;
        let page_info = PageInfo::of(&found);
        Ok(SuppressionPage {
            items: found.items.into_iter().map(Suppression).collect(),
            page_info,
        })
    }
}

#[derive(Default)]
pub struct SuppressionMutation;

#[Object]
impl SuppressionMutation {
    /// Suppresses one address or domain (`kind`, `value`, `source`), or up to 10 000 given as
    /// `items`, in one transaction: any invalid item refuses them all; one already suppressed
    /// is kept as it is.
    async fn add_suppressions(
        &self,
        ctx: &Context<'_>,
        kind: Option<SuppressionKind>,
        value: Option<String>,
        source: Option<SuppressionSource>,
        items: Option<Vec<SuppressionInput>>,
    ) -> Result<SuppressionsAdded> {
        let who = principal(ctx)?;
        let input = svc::AddInput {
            one: svc::NewSuppression {
                kind,
                value,
                source,
            },
            items: items.map(|items| items.into_iter().map(Into::into).collect()),
        };
        let added = svc::add(db(ctx)?, &who.workspace_id, input, now(ctx)?).await?;
        Ok(SuppressionsAdded {
            created: added.created,
            existing: added.existing,
            items: added.items.into_iter().map(Suppression).collect(),
        })
    }

    /// Deletes a suppression, saying why (logged as a `suppression.deleted` event): the address
    /// can be emailed again.
    async fn delete_suppression(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<Deleted> {
        let who = principal(ctx)?;
        Ok(Deleted::new(
            svc::delete(db(ctx)?, &who.workspace_id, &id, reason, now(ctx)?).await?,
        ))
    }
}
