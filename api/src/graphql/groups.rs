//! Groups in GraphQL.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::contact_group;

use super::contacts::{ContactFilter, ContactPage};
use super::loaders::ContactCountOfGroup;
use super::types::{Deleted, PageInfo, SortOrder};
use super::{db, loader, now, principal};
use crate::ids::rfc3339;
use crate::service::PageRequest;
use crate::service::contacts as contact_svc;
use crate::service::groups::{self as svc};

/// A named set of contacts.
pub struct Group(pub contact_group::Model);

#[Object]
impl Group {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// How many contacts are in the group.
    async fn contact_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(loader(ctx)?
            .load_one(ContactCountOfGroup(self.0.id.clone()))
            .await?
            .unwrap_or(0))
    }
    /// The group's contacts, filtered, sorted and paginated like `contacts`.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    // A list field's arguments are its public paging, filter and sort.
    #[allow(clippy::too_many_arguments)]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
        filter: Option<ContactFilter>,
        sort: Option<String>,
        #[graphql(default)] order: SortOrder,
    ) -> Result<ContactPage> {
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let mut filter: contact_svc::ContactFilter = filter.unwrap_or_default().into();
        filter.group = Some(self.0.id.clone());
        let found = contact_svc::list(
            db(ctx)?,
            &self.0.workspace_id,
            &filter,
            request,
            sort.as_deref(),
            order.into(),
            ContactPage::wants_group_ids(ctx),
        )
        .await?;
        Ok(ContactPage::from_page(found))
    }
    /// RFC 3339, UTC.
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
    /// RFC 3339, UTC.
    async fn updated_at(&self) -> String {
        rfc3339(&self.0.updated_at)
    }
}

#[derive(SimpleObject)]
pub struct GroupPage {
    pub items: Vec<Group>,
    pub page_info: PageInfo,
}

#[derive(InputObject, Default)]
pub struct GroupFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
}

/// A new group. `name` is required.
#[derive(InputObject)]
pub struct GroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Fields present are replaced; `null` clears `description`.
#[derive(InputObject)]
pub struct GroupUpdate {
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
}

#[derive(SimpleObject)]
pub struct GroupContactsAdded {
    pub group: Group,
    /// Contacts newly added.
    pub added: u64,
    /// Contacts that were already members.
    pub already_members: u64,
}

#[derive(SimpleObject)]
pub struct GroupContactsRemoved {
    pub group: Group,
    /// Contacts taken out of the group.
    pub removed: u64,
    /// Contacts that were not members.
    pub not_members: u64,
}

#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    async fn group(&self, ctx: &Context<'_>, id: ID) -> Result<Group> {
        let who = principal(ctx)?;
        Ok(Group(svc::get(db(ctx)?, &who.workspace_id, &id).await?))
    }

    /// Groups, sorted (`createdAt`, `updatedAt`, `name`; default `createdAt`) and paginated.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    // A list field's arguments are its public paging, filter and sort.
    #[allow(clippy::too_many_arguments)]
    async fn groups(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
        filter: Option<GroupFilter>,
        sort: Option<String>,
        #[graphql(default)] order: SortOrder,
    ) -> Result<GroupPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let filter = svc::GroupFilter {
            name: filter.and_then(|f| f.name),
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
        Ok(GroupPage {
            items: found.items.into_iter().map(Group).collect(),
            page_info,
        })
    }
}

#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    async fn create_group(&self, ctx: &Context<'_>, input: GroupInput) -> Result<Group> {
        let who = principal(ctx)?;
        let input = svc::GroupInput {
            name: input.name,
            description: input.description,
        };
        Ok(Group(
            svc::create(db(ctx)?, &who.workspace_id, input, now(ctx)?).await?,
        ))
    }

    async fn update_group(&self, ctx: &Context<'_>, id: ID, input: GroupUpdate) -> Result<Group> {
        let who = principal(ctx)?;
        let patch = svc::GroupPatch {
            name: input.name.into(),
            description: input.description.into(),
        };
        Ok(Group(
            svc::update(db(ctx)?, &who.workspace_id, &id, patch, now(ctx)?).await?,
        ))
    }

    /// Deletes a group; its contacts are kept.
    async fn delete_group(&self, ctx: &Context<'_>, id: ID) -> Result<Deleted> {
        let who = principal(ctx)?;
        Ok(Deleted::new(
            svc::delete(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }

    /// Adds up to 1000 contacts to a group. Idempotent; unknown ids fail the whole call.
    async fn add_contacts_to_group(
        &self,
        ctx: &Context<'_>,
        id: ID,
        contact_ids: Vec<ID>,
    ) -> Result<GroupContactsAdded> {
        let who = principal(ctx)?;
        let ids: Vec<String> = contact_ids.into_iter().map(|i| i.0).collect();
        let change = svc::add_contacts(db(ctx)?, &who.workspace_id, &id, &ids, now(ctx)?).await?;
        Ok(GroupContactsAdded {
            group: Group(change.group),
            added: change.changed,
            already_members: change.unchanged,
        })
    }

    /// Removes up to 1000 contacts from a group. Idempotent; unknown ids fail the whole call.
    async fn remove_contacts_from_group(
        &self,
        ctx: &Context<'_>,
        id: ID,
        contact_ids: Vec<ID>,
    ) -> Result<GroupContactsRemoved> {
        let who = principal(ctx)?;
        let ids: Vec<String> = contact_ids.into_iter().map(|i| i.0).collect();
        let change = svc::remove_contacts(db(ctx)?, &who.workspace_id, &id, &ids).await?;
        Ok(GroupContactsRemoved {
            group: Group(change.group),
            removed: change.changed,
            not_members: change.unchanged,
        })
    }
}
