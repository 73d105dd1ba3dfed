//! The error answers of the two interfaces, for refusals made before a handler runs.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::error::AppError;
use crate::request::RequestId;
use crate::rest;

/// The error shape of the interface a path belongs to.
pub(super) fn error_for(path: &str, err: &AppError, request_id: &RequestId) -> Response {
    if path.starts_with("/graphql") {
        graphql_error(err)
    } else {
        rest::error_response(err, request_id)
    }
}

/// A request-level GraphQL error: `{errors:[…]}` with the code's HTTP status.
pub(super) fn graphql_error(err: &AppError) -> Response {
    let mut extensions = json!({ "code": err.code.as_str() });
    if let Some(details) = &err.details {
        extensions["details"] = details.clone();
    }
    let body =
        json!({ "data": null, "errors": [{ "message": err.message, "extensions": extensions }] });
    let status = StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    rest::json_response(status, &body)
}
