//! The campaign queries: one campaign, and the listing.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::campaign::Campaign;
use super::states::CampaignStatus;
use crate::graphql::plain::PlainList;
use crate::graphql::types::{PageInfo, SortOrder};
use crate::graphql::{db, principal, reads};
use crate::service::PageRequest;
use crate::service::campaigns as svc;

#[derive(SimpleObject)]
pub struct CampaignPage {
    pub items: PlainList<Campaign>,
    pub page_info: PageInfo,
}

#[derive(InputObject, Default)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
}

#[derive(Default)]
pub struct CampaignQuery;

#[Object]
impl CampaignQuery {
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Campaign> {
        let who = principal(ctx)?;
        let Some(timeline) = Campaign::figures_wanted(ctx) else {
            return Ok(svc::get(db(ctx)?, &who.workspace_id, &id).await?.into());
        };
        // The figures (and the timeline asked for) ride on the campaign's own statement.
        let read = svc::get_with_figures(db(ctx)?, &who.workspace_id, &id, timeline).await?;
        Ok(Campaign::with_figures(read, timeline))
    }

    /// Campaigns, filtered by status, sorted (`createdAt`, `updatedAt`, `name`) and paginated.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    // A list field's arguments are its public paging, filter and sort.
    #[allow(clippy::too_many_arguments)]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
        filter: Option<CampaignFilter>,
        sort: Option<String>,
        #[graphql(default)] order: SortOrder,
    ) -> Result<CampaignPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let filter = svc::CampaignFilter {
            status: filter.and_then(|f| f.status),
        };
        let with = Campaign::wanted(ctx);
        let found = svc::list(
            reads(ctx)?,
            &who.workspace_id,
            &filter,
            request,
            sort.as_deref(),
            order.into(),
            with,
        )
        .await?;
        let page_info = PageInfo::of(&found);
        Ok(CampaignPage {
            items: PlainList(found.items.into_iter().map(Campaign::listed).collect()),
            page_info,
        })
    }
}
