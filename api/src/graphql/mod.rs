//! The GraphQL schema: one query and one mutation object per domain, merged.

mod account;
mod campaigns;
mod contacts;
mod email_accounts;
mod groups;
mod loaders;
mod types;
mod webhooks;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::auth::{KeyCache, Principal, Sessions};
use crate::error::{AppError, ErrorCode};
use crate::service::webhooks::UrlPolicy;

pub use loaders::DbLoader;

#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    contacts::ContactQuery,
    groups::GroupQuery,
    email_accounts::EmailAccountQuery,
    campaigns::CampaignQuery,
    webhooks::WebhookQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    contacts::ContactMutation,
    groups::GroupMutation,
    email_accounts::EmailAccountMutation,
    campaigns::CampaignMutation,
    webhooks::WebhookMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(12)
        .limit_complexity(2000)
}

/// The executable schema, holding what every request shares.
pub fn build_schema(
    db: DatabaseConnection,
    sessions: Arc<Sessions>,
    keys: Arc<KeyCache>,
    policy: UrlPolicy,
    clock: crate::clock::Clock,
    smtp_trust: crate::engine::smtp::Trust,
) -> AppSchema {
    builder()
        .data(clock)
        .data(smtp_trust)
        .data(db)
        .data(sessions)
        .data(keys)
        .data(policy)
        .finish()
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Attaches what belongs to one request: the caller and fresh, per-request loaders.
fn prepare(
    request: async_graphql::Request,
    db: &DatabaseConnection,
    principal: Option<Principal>,
) -> async_graphql::Request {
    // No batching delay: keys of one list are all queued before the batch task first runs.
    let loader =
        DataLoader::new(DbLoader::new(db.clone()), tokio::spawn).delay(std::time::Duration::ZERO);
    let request = request.data(loader);
    match principal {
        Some(principal) => request.data(principal),
        None => request,
    }
}

/// Executes one request for `principal` with fresh loaders. Errors the resolvers did not code
/// (syntax, validation, variable types) are the caller's: they get `BAD_REQUEST`.
pub async fn execute(
    schema: &AppSchema,
    db: &DatabaseConnection,
    request: async_graphql::Request,
    principal: Option<Principal>,
) -> async_graphql::Response {
    let mut response = schema.execute(prepare(request, db, principal)).await;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadRequest.as_str());
        }
    }
    response
}

/// The authenticated caller, or UNAUTHENTICATED.
fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, AppError> {
    ctx.data_opt::<Principal>().ok_or_else(|| {
        AppError::unauthenticated("Authentication required: send 'Authorization: Bearer <token>'")
    })
}

fn db<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DataLoader<DbLoader>> {
    ctx.data::<DataLoader<DbLoader>>()
}
