//! Contacts in GraphQL: the `Contact` object, the queries and the mutations.
//!
//! A contact's campaigns (`campaigns`) name `graphql::campaigns::campaign::Campaign`, whose
//! enrolled contacts name `Contact` here: the GraphQL types go round, the imports do not (this
//! module only composes its own `campaigns`).

mod campaigns;
mod export;
mod messages;

use async_graphql::parser::types::Field;
use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject};
use entity::contact;
use entity::states::LeadStatus;
use serde_json::Value;

use self::campaigns::ContactCampaign;
use self::messages::Message;
use super::loaders::{EnrolmentsOfContact, GroupIdsOfContact, MessagesOfContact};
use super::plain::{InPlace, PlainList};
use super::types::{Deleted, PageInfo, SortOrder};
use super::{db, loader, now, principal, reads};
use crate::ids::rfc3339;
use crate::service::PageRequest;
use crate::service::contacts::{self as svc, ContactFilter as SvcFilter};

pub use entity::states::ContactStatus;

/// A person the workspace can email.
pub struct Contact {
    model: contact::Model,
    /// Group ids fetched with the contact by a listing; otherwise loaded on demand.
    group_ids: Option<Vec<String>>,
}

impl From<contact::Model> for Contact {
    fn from(model: contact::Model) -> Self {
        Contact {
            model,
            group_ids: None,
        }
    }
}

#[Object]
impl Contact {
    async fn id(&self) -> ID {
        ID(self.model.id.clone())
    }
    async fn email(&self) -> &str {
        &self.model.email
    }
    async fn first_name(&self) -> Option<&str> {
        self.model.first_name.as_deref()
    }
    async fn last_name(&self) -> Option<&str> {
        self.model.last_name.as_deref()
    }
    async fn company(&self) -> Option<&str> {
        self.model.company.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }
    /// Its own IANA time zone: campaigns whose schedule says `timezone: "contact"` send to it
    /// in its local window.
    async fn timezone(&self) -> Option<&str> {
        self.model.timezone.as_deref()
    }
    /// Free-form fields usable as template variables: an object of scalars.
    async fn custom_fields(&self) -> Json<Value> {
        Json(self.model.custom_fields.clone())
    }
    async fn status(&self) -> ContactStatus {
        self.model.status
    }
    /// What its replies say: read from each human reply by rules (`interested`,
    /// `not_interested`, `wrong_person`, `unsubscribe_request`, `other`), or set by a person.
    async fn lead_status(&self) -> Option<LeadStatus> {
        self.model.lead_status
    }
    /// Ids of the groups this contact belongs to.
    async fn group_ids(&self, ctx: &Context<'_>) -> Result<Vec<ID>> {
        if let Some(ids) = &self.group_ids {
            return Ok(ids.iter().cloned().map(ID).collect());
        }
        let ids = loader(ctx)?
            .load_one(GroupIdsOfContact(self.model.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(ids.into_iter().map(ID).collect())
    }
    /// Campaigns the contact is enrolled in, newest enrolment first.
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::graphql::ASSUMED_ENROLMENTS, child_complexity)"
    )]
    async fn campaigns(&self, ctx: &Context<'_>) -> Result<Vec<ContactCampaign>> {
        let rows = loader(ctx)?
            .load_one(EnrolmentsOfContact(self.model.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(ContactCampaign).collect())
    }
    /// Every email sent (or being sent) to this contact, oldest first; `campaignId` narrows
    /// it to one campaign.
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::graphql::ASSUMED_MESSAGES, child_complexity)"
    )]
    async fn messages(&self, ctx: &Context<'_>, campaign_id: Option<ID>) -> Result<Vec<Message>> {
        let rows = loader(ctx)?
            .load_one(MessagesOfContact(self.model.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|m| campaign_id.as_ref().is_none_or(|id| m.campaign_id == id.0))
            .map(Message)
            .collect())
    }
    /// RFC 3339, UTC.
    async fn created_at(&self) -> String {
        rfc3339(&self.model.created_at)
    }
    /// RFC 3339, UTC.
    async fn updated_at(&self) -> String {
        rfc3339(&self.model.updated_at)
    }
}

impl InPlace for Contact {
    const HELD: &'static [&'static str] = &[
        "id",
        "email",
        "firstName",
        "lastName",
        "company",
        "phone",
        "timezone",
        "customFields",
        "status",
        "leadStatus",
        "createdAt",
        "updatedAt",
    ];
    const LOADED: &'static [&'static str] = &["groupIds"];
    const WAITING: &'static [&'static str] = &["campaigns", "messages"];

    fn holds(&self, field: &Field) -> bool {
        field.name.node == "groupIds" && self.group_ids.is_some()
    }
}

#[derive(SimpleObject)]
pub struct ContactPage {
    pub items: PlainList<Contact>,
    pub page_info: PageInfo,
}

impl ContactPage {
    pub fn from_page(page: crate::service::Page<svc::Listed>) -> Self {
        let page_info = PageInfo::of(&page);
        let items = page
            .items
            .into_iter()
            .map(|listed| Contact {
                model: listed.contact,
                group_ids: listed.group_ids,
            })
            .collect();
        ContactPage {
            items: PlainList(items),
            page_info,
        }
    }

    /// Whether the selection asks for the items' group ids (then the listing fetches them).
    pub fn wants_group_ids(ctx: &Context<'_>) -> bool {
        ctx.look_ahead().field("items").field("groupIds").exists()
    }
}

#[derive(InputObject, Default)]
pub struct ContactFilter {
    /// Case-insensitive substring of the email address.
    pub email: Option<String>,
    /// Only members of this group.
    pub group: Option<ID>,
    pub status: Option<ContactStatus>,
    /// Case-insensitive exact company name.
    pub company: Option<String>,
}

impl From<ContactFilter> for SvcFilter {
    fn from(f: ContactFilter) -> Self {
        SvcFilter {
            email: f.email,
            group: f.group.map(|g| g.0),
            status: f.status,
            company: f.company,
        }
    }
}

/// A new contact. `email` is required.
#[derive(InputObject)]
pub struct ContactInput {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
    /// IANA name, e.g. `America/Sao_Paulo`.
    pub timezone: Option<String>,
    pub custom_fields: Option<Json<Value>>,
    pub status: Option<ContactStatus>,
    pub lead_status: Option<LeadStatus>,
    /// Groups to put the contact in.
    pub group_ids: Option<Vec<ID>>,
}

impl From<ContactInput> for svc::ContactInput {
    fn from(i: ContactInput) -> Self {
        svc::ContactInput {
            email: i.email,
            first_name: i.first_name,
            last_name: i.last_name,
            company: i.company,
            phone: i.phone,
            timezone: i.timezone,
            custom_fields: i.custom_fields.map(|j| j.0),
            status: i.status,
            lead_status: i.lead_status,
            group_ids: i
                .group_ids
                .map(|ids| ids.into_iter().map(|id| id.0).collect()),
        }
    }
}

/// Fields present are replaced; `null` clears an optional field.
#[derive(InputObject)]
pub struct ContactUpdate {
    pub email: MaybeUndefined<String>,
    pub first_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    pub company: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    /// IANA name; `null` clears it.
    pub timezone: MaybeUndefined<String>,
    pub custom_fields: MaybeUndefined<Json<Value>>,
    pub status: MaybeUndefined<ContactStatus>,
    /// `null` clears it. A change emits `contact.lead_status_changed`.
    pub lead_status: MaybeUndefined<LeadStatus>,
    /// Replaces the contact's groups.
    pub group_ids: MaybeUndefined<Vec<ID>>,
}

impl From<ContactUpdate> for svc::ContactPatch {
    fn from(u: ContactUpdate) -> Self {
        svc::ContactPatch {
            email: u.email.into(),
            first_name: u.first_name.into(),
            last_name: u.last_name.into(),
            company: u.company.into(),
            phone: u.phone.into(),
            timezone: u.timezone.into(),
            custom_fields: u.custom_fields.map_value(|j| j.0).into(),
            status: u.status.map_value(Into::into).into(),
            lead_status: u.lead_status.into(),
            group_ids: u
                .group_ids
                .map_value(|ids| ids.into_iter().map(|id| id.0).collect())
                .into(),
        }
    }
}

#[derive(SimpleObject)]
pub struct ItemError {
    pub code: String,
    pub message: String,
    pub details: Option<Json<Value>>,
}

#[derive(SimpleObject)]
pub struct ContactBatchItem {
    /// Position of the item in the request.
    pub index: usize,
    pub success: bool,
    pub contact: Option<Contact>,
    pub error: Option<ItemError>,
}

#[derive(SimpleObject)]
pub struct ContactBatchResult {
    pub created: usize,
    pub failed: usize,
    pub results: Vec<ContactBatchItem>,
}

#[derive(Default)]
pub struct ContactQuery;

#[Object]
impl ContactQuery {
    async fn contact(&self, ctx: &Context<'_>, id: ID) -> Result<Contact> {
        let who = principal(ctx)?;
        Ok(svc::get(db(ctx)?, &who.workspace_id, &id).await?.into())
    }

    /// Everything held about a contact, in one answer (privacy law's right of access): its
    /// fields, enrolments, every email with the subject and body sent, every event of its
    /// emails (replies with their excerpt), and the suppressions covering its address.
    /// Recorded as a `contact.exported` event.
    async fn contact_export(&self, ctx: &Context<'_>, id: ID) -> Result<export::ContactExport> {
        let who = principal(ctx)?;
        Ok(export::ContactExport(
            svc::export(db(ctx)?, &who.workspace_id, &id, now(ctx)?).await?,
        ))
    }

    /// One email of a campaign to a contact: exactly what was sent (or why a step was
    /// skipped).
    async fn message(&self, ctx: &Context<'_>, id: ID) -> Result<Message> {
        let who = principal(ctx)?;
        let found = crate::service::messages::get_in(db(ctx)?, &who.workspace_id, &id).await?;
        Ok(Message(found))
    }

    /// Contacts, filtered, sorted (`createdAt`, `updatedAt`, `email`, `firstName`, `lastName`,
    /// `company`; default `createdAt`) and paginated.
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
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let filter: SvcFilter = filter.unwrap_or_default().into();
        let found = svc::list(
            reads(ctx)?,
            &who.workspace_id,
            &filter,
            request,
            sort.as_deref(),
            order.into(),
            ContactPage::wants_group_ids(ctx),
        )
        .await?;
        Ok(ContactPage::from_page(found))
    }
}

#[derive(Default)]
pub struct ContactMutation;

#[Object]
impl ContactMutation {
    async fn create_contact(&self, ctx: &Context<'_>, input: ContactInput) -> Result<Contact> {
        let who = principal(ctx)?;
        Ok(
            svc::create(db(ctx)?, &who.workspace_id, input.into(), now(ctx)?)
                .await?
                .into(),
        )
    }

    /// Creates up to 1000 contacts; each item succeeds or fails on its own.
    async fn create_contacts(
        &self,
        ctx: &Context<'_>,
        contacts: Vec<ContactInput>,
    ) -> Result<ContactBatchResult> {
        let who = principal(ctx)?;
        let inputs = contacts.into_iter().map(Into::into).collect();
        let outcomes = svc::create_many(db(ctx)?, &who.workspace_id, inputs, now(ctx)?).await?;
        let results: Vec<ContactBatchItem> = outcomes
            .into_iter()
            .enumerate()
            .map(|(index, outcome)| match outcome {
                Ok(model) => ContactBatchItem {
                    index,
                    success: true,
                    contact: Some(model.into()),
                    error: None,
                },
                Err(err) => ContactBatchItem {
                    index,
                    success: false,
                    contact: None,
                    error: Some(ItemError {
                        code: err.code.as_str().to_owned(),
                        message: err.message,
                        details: err.details.map(Json),
                    }),
                },
            })
            .collect();
        let created = results.iter().filter(|r| r.success).count();
        Ok(ContactBatchResult {
            created,
            failed: results.len() - created,
            results,
        })
    }

    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ContactUpdate,
    ) -> Result<Contact> {
        let who = principal(ctx)?;
        Ok(
            svc::update(db(ctx)?, &who.workspace_id, &id, input.into(), now(ctx)?)
                .await?
                .into(),
        )
    }

    /// Deletes a contact with its memberships and enrolments. With `erase: true` its personal
    /// data goes everywhere (emails with their bodies, replies, events that name it), the
    /// campaigns' figures stay, and its address stays suppressed as a digest only: it is never
    /// emailed again (`contact.erased`).
    async fn delete_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        erase: Option<bool>,
    ) -> Result<Deleted> {
        let who = principal(ctx)?;
        let gone = if erase == Some(true) {
            svc::erase(db(ctx)?, &who.workspace_id, &id, now(ctx)?).await?
        } else {
            svc::delete(db(ctx)?, &who.workspace_id, &id, now(ctx)?).await?
        };
        Ok(Deleted::new(gone))
    }
}
