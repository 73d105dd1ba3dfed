//! The GraphQL endpoint, the OpenAPI document and the answers for unknown routes and methods.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::errors::{error_for, graphql_error};
use crate::auth::Principal;
use crate::error::{AppError, ErrorCode};
use crate::graphql;
use crate::request::RequestId;
use crate::rest;

/// A GraphQL request the input gate refused: its status (400) and the coded, classified error.
fn gate_refusal(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    rest::json_response(status, &graphql::refusal(err))
}

pub(super) async fn graphql_post(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    request: Request,
) -> Response {
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| crate::throttle::ClientAddr(info.0.ip()));
    let body = request.into_body();
    let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return graphql_error(&AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("Request body exceeds {} bytes", state.config.max_body_bytes),
            ));
        }
    };
    // The input gate: no key given twice, no NUL character (in the query, the variables, ...).
    if let Err(crate::gate::JsonRefusal::Refused(err)) = crate::gate::json(&bytes) {
        return gate_refusal(&err);
    }
    let request: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => {
            return graphql_error(&AppError::new(
                ErrorCode::BadRequest,
                format!("Body must be a GraphQL request object: {e}"),
            ));
        }
    };
    if let Err(err) = graphql::check_expanded_size(&request.query) {
        return graphql_error(&err);
    }
    let request = match client {
        Some(client) => request.data(client),
        None => request,
    };
    let response = match graphql::execute_any(
        &state.schemas,
        &state.db,
        request,
        principal.map(|p| p.0),
    )
    .await
    {
        graphql::Answer::Executed(response) => response,
        graphql::Answer::Introspection(bytes) => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                bytes,
            )
                .into_response();
        }
        graphql::Answer::Refused(err) => return gate_refusal(&err),
    };
    // A throttled sign-in answers 429 with Retry-After, as REST would.
    let retry_after = response.errors.iter().find_map(|e| {
        let ext = e.extensions.as_ref()?;
        (ext.get("code")?.clone().into_json().ok()? == "RATE_LIMITED")
            .then(|| ext.get("details")?.clone().into_json().ok()?["retryAfter"].as_u64())
            .flatten()
    });
    let mut answer = rest::json_response(
        if retry_after.is_some() {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::OK
        },
        &response,
    );
    if let Some(secs) = retry_after
        && let Ok(value) = HeaderValue::from_str(&secs.to_string())
    {
        answer.headers_mut().insert(header::RETRY_AFTER, value);
    }
    answer
}

pub(super) async fn openapi(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.clone(),
    )
        .into_response()
}

pub(super) async fn not_found(Extension(request_id): Extension<RequestId>) -> Response {
    rest::error_response(&AppError::not_found("Route"), &request_id)
}

/// A method a path does not take: 405 with the error envelope of the path's interface (the
/// `Allow` header is added by the router).
pub(super) async fn method_not_allowed(
    Extension(request_id): Extension<RequestId>,
    uri: axum::http::Uri,
) -> Response {
    let err = AppError::new(
        ErrorCode::MethodNotAllowed,
        "Method not allowed on this path (see the Allow header)",
    );
    error_for(uri.path(), &err, &request_id)
}
