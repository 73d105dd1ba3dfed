//! The answers of an operation in the OpenAPI document: the success envelope around the
//! value the route's shape picks, `304 Not Modified` for reads, and the error envelope for each
//! status the route can answer, with their headers.

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::{Map, Value, json};

use super::examples::Example;
use super::operation::{Operation, shape_schema};
use super::types::Types;
use crate::error::ErrorCode;
use crate::rest::table::{BodyMap, RouteSpec, Shape};

/// The route's answers, by status.
pub(super) fn responses(
    types: &Types,
    operation: &Operation,
    spec: &RouteSpec,
    example: &Example,
) -> Result<Map<String, Value>, String> {
    let body_schema = success_schema(types, operation, &spec.shape)?;
    let has_body = spec.body != BodyMap::None;
    let mut responses = Map::new();
    let mut answered = headers(false);
    if spec.method == Method::GET {
        answered["ETag"] = json!({ "$ref": "#/components/headers/ETag" });
        answered["Cache-Control"] = json!({ "$ref": "#/components/headers/Cache-Control" });
        let mut unchanged = headers(false);
        unchanged["ETag"] = json!({ "$ref": "#/components/headers/ETag" });
        responses.insert(
            "304".to_owned(),
            json!({
                "description": "Not modified: the answer is still the one `If-None-Match` names (no body).",
                "headers": unchanged,
            }),
        );
    }
    responses.insert(
        spec.status.to_string(),
        json!({
            "description": spec.summary,
            "headers": answered,
            "content": { "application/json": { "schema": body_schema, "example": example.envelope() } },
        }),
    );
    let mut by_status: BTreeMap<u16, Vec<&str>> = Default::default();
    for code in error_codes(&spec.method, spec.path, has_body) {
        by_status
            .entry(code.http_status())
            .or_default()
            .push(code.as_str());
    }
    for (status, codes) in by_status {
        responses.insert(
            status.to_string(),
            json!({
                "description": codes.join(" or "),
                "headers": headers(status == 429),
                "content": { "application/json": { "schema": error_schema(&codes) } },
            }),
        );
    }
    Ok(responses)
}

/// The success envelope around the value `shape` picks: an object as `data`, or a page's
/// `items` as `data` and its `pageInfo` as `meta`.
fn success_schema(types: &Types, operation: &Operation, shape: &Shape) -> Result<Value, String> {
    Ok(match shape {
        Shape::Object(at) => success(shape_schema(types, operation, at)?),
        Shape::Page(at) => {
            let page = shape_schema(types, operation, at)?;
            let items = page
                .pointer("/properties/items")
                .cloned()
                .ok_or_else(|| "a page has no items".to_owned())?;
            let meta = page
                .pointer("/properties/pageInfo")
                .cloned()
                .ok_or_else(|| "a page has no pageInfo".to_owned())?;
            let mut envelope = success(items);
            envelope["properties"]["meta"] = meta;
            envelope["required"] = json!(["success", "data", "meta"]);
            envelope
        }
    })
}

fn success(data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["success", "data"],
        "properties": { "success": { "const": true }, "data": data },
        "additionalProperties": false,
    })
}

fn error_schema(codes: &[&str]) -> Value {
    json!({
        "type": "object",
        "required": ["success", "error"],
        "additionalProperties": false,
        "properties": {
            "success": { "const": false },
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "additionalProperties": false,
                "properties": {
                    "code": { "type": "string", "enum": codes },
                    "message": { "type": "string" },
                    "details": {
                        "type": "object",
                        "description": "Always carries `requestId`; `field` names the offending input where there is one.",
                        "required": ["requestId"],
                        "properties": { "requestId": { "type": "string" }, "field": { "type": "string" } },
                        "additionalProperties": { "$ref": "#/components/schemas/DetailValue" },
                    },
                },
            },
        },
    })
}

/// The route's error codes: what any route can answer, and what its shape adds.
fn error_codes(method: &Method, path: &str, has_body: bool) -> Vec<ErrorCode> {
    let mut codes = vec![
        ErrorCode::BadRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
    ];
    if path.contains('{') || has_body {
        codes.push(ErrorCode::NotFound);
    }
    if has_body || *method != Method::GET {
        codes.extend([ErrorCode::ValidationError, ErrorCode::Conflict]);
    }
    if *method == Method::GET {
        codes.push(ErrorCode::ValidationError);
    }
    if has_body {
        codes.push(ErrorCode::PayloadTooLarge);
    }
    if *method == Method::POST {
        codes.push(ErrorCode::PlanRequired);
    }
    // An upload past the workspace's quota of pending imports.
    if *method == Method::POST && path == "/contacts/import" {
        codes.push(ErrorCode::QuotaExceeded);
    }
    // Making a contact active at a suppressed address.
    if *method == Method::PUT && path == "/contacts/{id}" {
        codes.push(ErrorCode::Suppressed);
    }
    codes.sort_by_key(|c| (c.http_status(), c.as_str()));
    codes.dedup();
    codes
}

fn headers(retry: bool) -> Value {
    let mut headers = json!({
        "Request-Id": { "$ref": "#/components/headers/Request-Id" },
        "X-RateLimit-Limit": { "$ref": "#/components/headers/X-RateLimit-Limit" },
        "X-RateLimit-Remaining": { "$ref": "#/components/headers/X-RateLimit-Remaining" },
        "X-RateLimit-Reset": { "$ref": "#/components/headers/X-RateLimit-Reset" },
    });
    if retry {
        headers["Retry-After"] = json!({ "$ref": "#/components/headers/Retry-After" });
    }
    headers
}
