//! The server's route table: REST, GraphQL, the public routes, probes and pages, with the
//! middleware around each.

use axum::Router;
use axum::middleware;
use axum::routing::get;

use super::AppState;
use super::access::{graphql_auth, rest_auth};
use super::assets::{asset, docs, graphiql, web_app};
use super::handlers::{graphql_post, method_not_allowed, not_found, openapi};
use super::idempotency::idempotency;
use super::middleware::{deadline, on_panic, record_request, request_id};
use super::probes::{healthz, metrics, readyz};

pub(super) fn router(state: AppState) -> Router {
    let rest = state
        .rest
        .router()
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .route_layer(middleware::from_fn_with_state(state.clone(), rest_auth));
    let graphql = Router::new()
        .route("/graphql", get(graphiql).post(graphql_post))
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .route_layer(middleware::from_fn_with_state(state.clone(), graphql_auth));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::public::routes())
        .route("/graphiql/{file}", get(asset))
        .route("/docs", get(docs))
        .route("/app", get(web_app))
        .route("/app/", get(web_app))
        .route("/app/{*path}", get(web_app))
        .route("/docs/{file}", get(asset))
        .route("/v1/openapi.json", get(openapi))
        .merge(rest)
        .merge(graphql)
        // REST paths answer a method they do not take themselves, naming what they accept.
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn(record_request))
        // Paths no route matches are counted too, all under one `unmatched` route.
        .fallback_service(axum::routing::any(not_found).layer(middleware::from_fn(record_request)))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}
