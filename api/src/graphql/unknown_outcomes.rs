//! Emails whose outcome is unknown, and the operator's decision about them.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};

use super::types::PageInfo;
use super::{db, now, principal};
use crate::ids::rfc3339;
use crate::service::PageRequest;
use crate::service::unknown_outcomes::{self as svc, Action, Selection};

/// An email whose outcome is unknown: the connection broke after its content was sent, so it
/// may or may not have been delivered.
#[derive(SimpleObject)]
pub struct UnknownOutcome {
    /// The message (`msg_…`).
    pub id: ID,
    pub contact_id: ID,
    /// The recipient's address.
    pub email: String,
    pub step: i32,
    pub subject: String,
    pub updated_at: String,
}

#[derive(SimpleObject)]
pub struct UnknownOutcomePage {
    pub items: Vec<UnknownOutcome>,
    pub page_info: PageInfo,
}

/// What to do with emails whose outcome is unknown.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "snake_case")]
pub enum UnknownOutcomeAction {
    /// Send again (the same Message-ID), at the next opportunity.
    Resend,
    /// Count as sent: the sequence goes on.
    MarkSent,
    /// Give up: the enrolment stays closed `failed`, reason `skipped`.
    Skip,
}

impl From<UnknownOutcomeAction> for Action {
    fn from(a: UnknownOutcomeAction) -> Self {
        match a {
            UnknownOutcomeAction::Resend => Action::Resend,
            UnknownOutcomeAction::MarkSent => Action::MarkSent,
            UnknownOutcomeAction::Skip => Action::Skip,
        }
    }
}

#[derive(SimpleObject)]
pub struct ResolvedOutcomes {
    /// How many emails were resolved (ids not unknown, or not the campaign's, are left alone).
    pub resolved: u64,
}

#[derive(Default)]
pub struct UnknownOutcomeQuery;

#[Object]
impl UnknownOutcomeQuery {
    /// A campaign's emails whose outcome is unknown, newest first.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn unknown_outcomes(
        &self,
        ctx: &Context<'_>,
        campaign_id: ID,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
    ) -> Result<UnknownOutcomePage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let found = svc::list(db(ctx)?, &who.workspace_id, &campaign_id, request).await?;
        let page_info = PageInfo::of(&found);
        Ok(UnknownOutcomePage {
            items: found
                .items
                .into_iter()
                .map(|u| UnknownOutcome {
                    id: ID(u.message.id),
                    contact_id: ID(u.message.contact_id),
                    email: u.email,
                    step: u.message.step,
                    subject: u.message.subject,
                    updated_at: rfc3339(&u.message.updated_at),
                })
                .collect(),
            page_info,
        })
    }
}

#[derive(Default)]
pub struct UnknownOutcomeMutation;

#[Object]
impl UnknownOutcomeMutation {
    /// Decides about a campaign's emails whose outcome is unknown: the listed `messageIds`, or
    /// `all: true`.
    async fn resolve_unknown_outcomes(
        &self,
        ctx: &Context<'_>,
        campaign_id: ID,
        message_ids: Option<Vec<ID>>,
        all: Option<bool>,
        action: UnknownOutcomeAction,
    ) -> Result<ResolvedOutcomes> {
        let who = principal(ctx)?;
        let selection = Selection::of(
            message_ids.map(|ids| ids.into_iter().map(|id| id.0).collect()),
            all,
        )?;
        let now = now(ctx)?;
        let resolved = svc::resolve(
            db(ctx)?,
            &who.workspace_id,
            &campaign_id,
            selection,
            action.into(),
            now,
        )
        .await?;
        Ok(ResolvedOutcomes { resolved })
    }
}
