//! The layers every request passes: its id and log span, its time limit, its count in the
//! metrics and the answer when a handler panics.

use axum::Extension;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::AppState;
use crate::error::{AppError, ErrorCode};
use crate::ids;
use crate::request::RequestId;
use crate::rest;

/// A request still running past its time limit (`HttpLimits::request_timeout`, 30 s) is
/// answered `408 REQUEST_TIMEOUT` with the error envelope; its work is dropped.
pub(super) async fn deadline(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    request: Request,
    next: Next,
) -> Response {
    let limit = state.config.http.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let err = AppError::new(
                ErrorCode::RequestTimeout,
                format!(
                    "The request took longer than the server's limit of {} s",
                    limit.as_secs_f64()
                ),
            );
            rest::error_response(&err, &request_id)
        }
    }
}

/// Gives the request its id and a span carrying it, so every log line of the request says
/// which one it was; ends with one `debug` line per request (no query string: it may hold
/// personal data).
pub(super) async fn request_id(mut request: Request, next: Next) -> Response {
    use tracing::Instrument as _;
    let id = RequestId(ids::new_id("req"));
    request.extensions_mut().insert(id.clone());
    let span = tracing::info_span!("request", request_id = %id.0);
    let (method, path) = if tracing::enabled!(tracing::Level::DEBUG) {
        (
            Some(request.method().clone()),
            Some(request.uri().path().to_owned()),
        )
    } else {
        (None, None)
    };
    let started = std::time::Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    if let (Some(method), Some(path)) = (method, path) {
        span.in_scope(|| {
            tracing::debug!(
                %method,
                path,
                status = response.status().as_u16(),
                micros = started.elapsed().as_micros() as u64,
                "answered"
            )
        });
    }
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

pub(super) fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let body = json!({ "success": false, "error": { "code": "INTERNAL_ERROR", "message": "Internal server error", "details": {} } });
    rest::json_response(StatusCode::INTERNAL_SERVER_ERROR, &body)
}

/// Counts each routed request by method, route template and status, with its latency. The
/// labels come from fixed sets (`metrics::method_label`, the route table), never from the
/// request's own text.
pub(super) async fn record_request(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(
            || crate::metrics::UNMATCHED.to_owned(),
            |p| p.as_str().to_owned(),
        );
    let method = crate::metrics::method_label(request.method().as_str());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    crate::metrics::get()
        .requests
        .get_or_create(&crate::metrics::RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .observe(started.elapsed().as_secs_f64());
    response
}
