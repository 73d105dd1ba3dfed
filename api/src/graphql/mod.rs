//! The GraphQL schema: one query and one mutation object per domain, merged.

mod account;
mod by_hand;
mod campaigns;
mod checks;
mod contacts;
mod cost;
mod domains;
mod email_accounts;
mod errors;
mod execute;
mod groups;
mod imports;
mod inbox;
pub mod introspection;
mod loaders;
mod parsed;
mod plain;
mod schema;
mod size;
mod suppressions;
mod types;
mod unknown_outcomes;
mod webhooks;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::auth::Principal;
use crate::error::AppError;

pub use cost::{ASSUMED_ENROLMENTS, ASSUMED_MESSAGES, COST_BUDGET, list_cost, page_cost};
pub use execute::{Answer, execute, execute_any, is_introspection_only, refusal};
pub use loaders::DbLoader;
pub use parsed::{MAX_KEPT_TEXT, MAX_PARSED, MAX_PARSED_BYTES, ParsedQueries};
pub use schema::{
    MAX_DEPTH, MAX_INTROSPECTION_DEPTH, Schemas, Shared, build_schema, build_schemas, sdl,
};
pub use size::{MAX_EXPANDED_FIELDS, MAX_QUERY_NAMES, check_expanded_size};

#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    contacts::ContactQuery,
    groups::GroupQuery,
    email_accounts::EmailAccountQuery,
    campaigns::CampaignQuery,
    webhooks::WebhookQuery,
    imports::ImportQuery,
    unknown_outcomes::UnknownOutcomeQuery,
    suppressions::SuppressionQuery,
    domains::DomainQuery,
    inbox::InboxQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    contacts::ContactMutation,
    groups::GroupMutation,
    email_accounts::EmailAccountMutation,
    campaigns::CampaignMutation,
    webhooks::WebhookMutation,
    imports::ImportMutation,
    unknown_outcomes::UnknownOutcomeMutation,
    suppressions::SuppressionMutation,
    domains::DomainMutation,
    inbox::InboxMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// The authenticated caller, or UNAUTHENTICATED.
fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, AppError> {
    ctx.data_opt::<Principal>().ok_or_else(|| {
        AppError::unauthenticated("Authentication required: send 'Authorization: Bearer <token>'")
    })
}

/// The connection a page listing reads through (`db::Reads`).
fn reads<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a crate::db::Reads> {
    ctx.data::<crate::db::Reads>()
}

fn db<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// Now on the app's clock: the time every write of a request is stamped with.
fn now(ctx: &Context<'_>) -> async_graphql::Result<chrono::DateTime<chrono::Utc>> {
    Ok(ctx.data::<crate::clock::Clock>()?.now())
}

fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DataLoader<DbLoader>> {
    ctx.data::<DataLoader<DbLoader>>()
}
