//! Who may call the API and how often: authentication and the per-workspace rate limit for
//! REST and GraphQL, and the per-address budget of anonymous GraphQL requests.

use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::AppState;
use super::errors::graphql_error;
use crate::auth::{self, Principal};
use crate::error::{AppError, ErrorCode};
use crate::ratelimit::RateDecision;
use crate::request::RequestId;
use crate::rest;

/// Authenticates and counts the request; `Ok(None)` when no credentials were sent.
async fn admit(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Principal, RateDecision)>, (AppError, Option<RateDecision>)> {
    let header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(value.to_str().map_err(|_| {
            (
                AppError::unauthenticated("Authorization header is not valid text"),
                None,
            )
        })?),
    };
    let principal = auth::authenticate(&state.db, &state.sessions, &state.keys, header)
        .await
        .map_err(|e| (e, None))?;
    let Some(principal) = principal else {
        return Ok(None);
    };
    let decision = state
        .limiter
        .check(&principal.workspace_id)
        .await
        .map_err(|e| (e, None))?;
    if !decision.allowed {
        crate::metrics::get().rate_limited.inc();
        let err = AppError::new(
            ErrorCode::RateLimited,
            format!(
                "Rate limit of {} requests per minute exceeded",
                decision.limit
            ),
        )
        .with_details(json!({ "limit": decision.limit, "reset": decision.reset }));
        return Err((err, Some(decision)));
    }
    Ok(Some((principal, decision)))
}

fn rate_headers(response: &mut Response, decision: &RateDecision) {
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset));
    if !decision.allowed {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(decision.retry_after()),
        );
    }
}

pub(super) async fn rest_auth(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or(RequestId(String::new()));
    match admit(&state, request.headers()).await {
        Ok(Some((principal, decision))) => {
            request.extensions_mut().insert(principal);
            let mut response = next.run(request).await;
            rate_headers(&mut response, &decision);
            response
        }
        Ok(None) => rest::error_response(
            &AppError::unauthenticated(
                "Authentication required: send 'Authorization: Bearer <API key>'",
            ),
            &request_id,
        ),
        Err((err, decision)) => {
            let mut response = rest::error_response(&err, &request_id);
            if let Some(decision) = decision {
                rate_headers(&mut response, &decision);
            }
            response
        }
    }
}

/// GraphQL may be called anonymously (to sign up or log in); bad credentials are still refused.
pub(super) async fn graphql_auth(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    match admit(&state, request.headers()).await {
        Ok(Some((principal, decision))) => {
            request.extensions_mut().insert(principal);
            let mut response = next.run(request).await;
            rate_headers(&mut response, &decision);
            response
        }
        Ok(None) => {
            // Without a key, the budget is the client address's.
            let peer = request
                .extensions()
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string());
            if let Some(peer) = peer {
                let decision = state.anonymous.check(&peer);
                if !decision.allowed {
                    let mut response = graphql_error(&AppError::new(
                        ErrorCode::RateLimited,
                        "Too many requests without credentials from this address",
                    ));
                    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                    rate_headers(&mut response, &decision);
                    return response;
                }
            }
            next.run(request).await
        }
        Err((err, decision)) => {
            let mut response = graphql_error(&err);
            if let Some(decision) = decision {
                rate_headers(&mut response, &decision);
            }
            response
        }
    }
}
