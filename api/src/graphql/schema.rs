//! Building the executable schemas, each holding what every request shares.

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema, SchemaBuilder, ValidationMode};
use sea_orm::DatabaseConnection;

use super::cost::{COST_BUDGET, CostLimit};
use super::parsed::ParsedQueries;
use super::{AppSchema, Mutation, Query, introspection};
use crate::auth::{KeyCache, Sessions};
use crate::service::webhooks::UrlPolicy;

/// Depth limit of data queries.
pub const MAX_DEPTH: usize = 12;
/// Depth limit of introspection-only queries: the standard introspection query (graphql-js,
/// graphql-core, GraphiQL) nests `ofType` eight times under `__schema { types { fields { type`.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(COST_BUDGET)
}

/// async-graphql's words when `limit_complexity` refuses a query.
pub(super) const TOO_COMPLEX: &str = "Query is too complex.";

/// The schemas a server executes against: one for data, one for introspection-only queries
/// (deeper, but it resolves nothing but the schema itself).
#[derive(Clone)]
pub struct Schemas {
    /// What sizes an introspection answer, read from the schema at its first introspection.
    pub model: Arc<std::sync::OnceLock<introspection::Model>>,
    /// Answers of introspection-only queries, kept by text.
    pub answers: Arc<introspection::Answers>,
    pub data: AppSchema,
    /// `data` without the validation rules a kept document has already passed (see
    /// `ParsedQueries`): it still counts cost and depth against the same limits.
    pub validated: AppSchema,
    /// `None` when an operator switched introspection off.
    pub introspection: Option<AppSchema>,
    /// Says what a refused query costs (never executes one: it only sees queries over budget).
    pub probe: AppSchema,
    /// Query texts parsed recently.
    pub parsed: Arc<ParsedQueries>,
}

/// What every request shares.
pub struct Shared {
    pub db: DatabaseConnection,
    /// Listing reads, without sqlx's release ping on PostgreSQL.
    pub reads: crate::db::Reads,
    pub sessions: Arc<Sessions>,
    pub keys: Arc<KeyCache>,
    pub policy: UrlPolicy,
    pub clock: crate::clock::Clock,
    pub smtp_trust: crate::engine::smtp::Trust,
    pub logins: Arc<crate::throttle::LoginThrottle>,
    pub keyring: crate::secrets::Keyring,
    /// The bound on each workspace's pending uploads.
    pub import_quota: crate::service::imports::ImportQuota,
    /// Signs tracking and unsubscribe links (a preview shows them as they would go out).
    pub tracker: crate::service::tracking::Tracker,
    /// Checks sending domains.
    pub dns: crate::service::dns::Dns,
    /// Signs a test send with its domain's key.
    pub signers: crate::service::domains::Signers,
    pub preflight: crate::service::campaigns::Preflight,
}

/// The executable schema, holding what every request shares.
pub fn build_schema(shared: Shared) -> AppSchema {
    attach(builder(), shared).finish()
}

fn attach(
    builder: SchemaBuilder<Query, Mutation, EmptySubscription>,
    shared: Shared,
) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    builder
        .data(shared.clock)
        .data(shared.smtp_trust)
        .data(shared.db)
        .data(shared.reads)
        .data(shared.sessions)
        .data(shared.keys)
        .data(shared.policy)
        .data(shared.logins)
        .data(shared.keyring)
        .data(shared.import_quota)
        .data(shared.tracker)
        .data(shared.dns)
        .data(shared.signers)
        .data(shared.preflight)
}

/// Both schemas; with `introspection` off, neither answers `__schema`/`__type`.
pub fn build_schemas(shared: impl Fn() -> Shared, introspection: bool) -> Schemas {
    let probe = attach(
        Schema::build(Query::default(), Mutation::default(), EmptySubscription)
            .limit_depth(MAX_DEPTH)
            .extension(CostLimit),
        shared(),
    )
    .finish();
    if !introspection {
        return Schemas {
            data: attach(builder().disable_introspection(), shared()).finish(),
            validated: attach(
                builder()
                    .disable_introspection()
                    .validation_mode(ValidationMode::Fast),
                shared(),
            )
            .finish(),
            introspection: None,
            probe,
            parsed: Arc::default(),
            model: Arc::default(),
            answers: Arc::default(),
        };
    }
    // Its cost is what its answer holds (`introspection::Weigher`), checked before it runs.
    let deep = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_INTROSPECTION_DEPTH);
    Schemas {
        data: build_schema(shared()),
        validated: attach(builder().validation_mode(ValidationMode::Fast), shared()).finish(),
        introspection: Some(attach(deep, shared()).finish()),
        probe,
        parsed: Arc::default(),
        model: Arc::default(),
        answers: Arc::default(),
    }
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    builder().finish().sdl()
}
