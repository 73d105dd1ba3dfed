//! Writes sent with an `Idempotency-Key`: run once per key and workspace, replayed after.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::errors::error_for;
use crate::auth::Principal;
use crate::error::{AppError, ErrorCode};
use crate::request::RequestId;
use crate::service::idempotency::{self, Claim};

/// Writes with an `Idempotency-Key` header run once per key and workspace; a replay gets the
/// first answer (marked `Idempotent-Replayed: true`), a replay with a different request is 400.
pub(super) async fn idempotency(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    // Only the methods a route can write with; any other is answered (405) as if no key came.
    if !matches!(
        method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get("idempotency-key").cloned() else {
        return next.run(request).await;
    };
    // A method the path does not route is answered 405, never stored as a key's answer. A
    // routed body is read with its route's own limit (a CSV upload may exceed a JSON body's).
    let json_limit = state.config.max_body_bytes;
    let limit = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .and_then(|path| {
            if path.as_str() == "/graphql" {
                (method == Method::POST).then_some(json_limit)
            } else {
                state.rest.body_limit(&method, path.as_str(), json_limit)
            }
        });
    let Some(limit) = limit else {
        return next.run(request).await;
    };
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return next.run(request).await;
    };
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or(RequestId(String::new()));
    let path = request.uri().path().to_owned();
    let target = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let key = match key.to_str() {
        Ok(key) => key.to_owned(),
        Err(_) => {
            let err = AppError::invalid_field("Idempotency-Key", "Idempotency-Key must be ASCII");
            return error_for(&path, &err, &request_id);
        }
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let err = AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("Request body exceeds {limit} bytes"),
            );
            return error_for(&path, &err, &request_id);
        }
    };
    let hash = idempotency::fingerprint(method.as_str(), &target, &bytes);
    let workspace = principal.workspace_id.clone();
    match idempotency::claim(&state.db, &workspace, &key, &hash, state.config.clock.now()).await {
        Err(err) => return error_for(&path, &err, &request_id),
        Ok(Claim::Replay { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response =
                (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return response;
        }
        Ok(Claim::Fresh) => {}
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let read = axum::body::to_bytes(body, usize::MAX).await;
    // Only a whole, non-empty answer is kept for replays: a server error, an empty body or
    // an answer that could not be read frees the key, so a retry runs again.
    let keep = match &read {
        Ok(bytes) => !parts.status.is_server_error() && !bytes.is_empty(),
        Err(_) => false,
    };
    let stored = match &read {
        Ok(bytes) if keep => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            idempotency::complete(&state.db, &workspace, &key, parts.status.as_u16(), text).await
        }
        _ => idempotency::release(&state.db, &workspace, &key).await,
    };
    if let Err(err) = stored {
        tracing::error!(
            code = err.code.as_str(),
            "could not store the idempotent answer"
        );
    }
    match read {
        Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
        Err(err) => {
            let err = AppError::internal(format!("the answer could not be read: {err}"));
            error_for(&path, &err, &request_id)
        }
    }
}
