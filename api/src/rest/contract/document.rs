//! The OpenAPI document: one operation per route of the table, its parameters, body and
//! answers typed from the GraphQL schema (with the limits table's rules) and shown with the
//! route's example, inside the fixed frame of what the API is and the components the
//! operations refer to.

use std::collections::HashMap;

use axum::http::Method;
use serde_json::{Map, Value, json};

use super::examples::{self, Example};
use super::limits::PLAIN_TEXT;
use super::operation::Operation;
use super::responses::responses;
use super::types::{Types, merge};
use crate::error::ErrorCode;
use crate::rest::RestTable;
use crate::rest::table::{BodyMap, ParamKind, QueryParam, RouteSpec};
use crate::service::{contacts, idempotency};

/// No text a request sends may hold a NUL character (`crate::gate`).
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// Builds the document. Fails when a route's operation does not fit the schema.
pub fn document(table: &RestTable, sdl: &str) -> Result<Value, String> {
    let types = Types::parse(sdl)?;
    let mut examples: HashMap<&str, Example> = examples::examples().into_iter().collect();
    let mut paths = Map::new();
    for route in &table.routes {
        let spec = &route.spec;
        let fail = |e: String| format!("OpenAPI for {}: {e}", spec.name);
        let operation = Operation::new(&types, &route.document).map_err(fail)?;
        let example = examples
            .remove(spec.name)
            .ok_or_else(|| fail("no example".into()))?;
        let entry = operation_entry(&types, &operation, spec, &example).map_err(fail)?;
        let path_entry = paths
            .entry(format!("/v1{}", spec.path))
            .or_insert_with(|| Value::Object(Map::new()));
        path_entry[spec.method.as_str().to_ascii_lowercase()] = entry;
    }
    if let Some(name) = examples.keys().next() {
        return Err(format!(
            "OpenAPI: an example for {name}, which no route serves"
        ));
    }
    Ok(frame(paths))
}

/// The OpenAPI operation of one route.
fn operation_entry(
    types: &Types,
    operation: &Operation,
    spec: &RouteSpec,
    example: &Example,
) -> Result<Value, String> {
    let parameters = parameters(types, operation, spec, example)?;
    let responses = responses(types, operation, spec, example)?;
    let mut entry = json!({
        "operationId": spec.name,
        "summary": spec.summary,
        "tags": [tag(spec.path)],
        "parameters": parameters,
        "responses": responses,
    });
    if spec.body != BodyMap::None {
        entry["requestBody"] = request_body(types, operation, spec, example)?;
    } else if example.body.is_some() {
        return Err("the example has a body the route does not take".into());
    }
    forbid_nul(&mut entry);
    Ok(entry)
}

/// The route's parameters: those of its path, those of its query string (typed as the
/// variables they fill), and the header a read (`If-None-Match`) or a write
/// (`Idempotency-Key`) takes.
fn parameters(
    types: &Types,
    operation: &Operation,
    spec: &RouteSpec,
    example: &Example,
) -> Result<Vec<Value>, String> {
    let mut parameters = path_parameters(spec, example)?;
    if let Some((extra, _)) = example
        .query
        .iter()
        .find(|(n, _)| !spec.query.iter().any(|p| p.name == *n))
    {
        return Err(format!("the example names query parameter {extra}"));
    }
    for param in &spec.query {
        parameters.push(query_parameter(types, operation, param, example)?);
    }
    if spec.method == Method::GET {
        parameters.push(json!({ "$ref": "#/components/parameters/If-None-Match" }));
    } else {
        parameters.push(json!({ "$ref": "#/components/parameters/Idempotency-Key" }));
    }
    Ok(parameters)
}

/// The `{name}` segments of the route's path, each with the example's value.
fn path_parameters(spec: &RouteSpec, example: &Example) -> Result<Vec<Value>, String> {
    let path_names: Vec<&str> = spec
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    if let Some((extra, _)) = example.path.iter().find(|(n, _)| !path_names.contains(n)) {
        return Err(format!("the example names path parameter {extra}"));
    }
    let mut parameters = Vec::new();
    for name in path_names {
        let value = example
            .path
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("the example lacks path parameter {name}"))?;
        parameters.push(json!({
            "name": name, "in": "path", "required": true,
            "schema": { "type": "string", "minLength": 1, "maxLength": 100 },
            "example": value,
        }));
    }
    Ok(parameters)
}

/// A query-string parameter, with the schema of the variable (or the variable's field) it
/// fills.
fn query_parameter(
    types: &Types,
    operation: &Operation,
    param: &QueryParam,
    example: &Example,
) -> Result<Value, String> {
    let (variable, path) = match param.target.split_once('.') {
        Some((variable, rest)) => (variable, Some(rest)),
        None => (param.target, None),
    };
    let (mut schema, _) = operation.variable(types, variable)?;
    if let Some(path) = path {
        schema = schema
            .pointer(&format!("/properties/{path}"))
            .cloned()
            .ok_or_else(|| format!("${variable} has no field {path}"))?;
    }
    strip_null(&mut schema);
    if param.kind == ParamKind::Json {
        // Sent as text in the query string.
        schema = json!({ "type": "string", "contentMediaType": "application/json" });
    }
    if param.kind == ParamKind::Bool && schema["type"] != "boolean" {
        return Err(format!("query parameter {} is not a boolean", param.name));
    }
    if param.kind == ParamKind::Int && schema["type"] != "integer" {
        return Err(format!("query parameter {} is not an integer", param.name));
    }
    let mut parameter = json!({
        "name": param.name, "in": "query", "required": false,
        "description": param.description, "schema": schema,
    });
    if let Some((_, value)) = example.query.iter().find(|(n, _)| *n == param.name) {
        parameter["example"] = value.clone();
    }
    Ok(parameter)
}

/// The route's request body: the variables it carries (with what the call requires of the
/// body as a whole), or the text of a CSV file.
fn request_body(
    types: &Types,
    operation: &Operation,
    spec: &RouteSpec,
    example: &Example,
) -> Result<Value, String> {
    let mut schema = match &spec.body {
        BodyMap::Variable(name) => {
            let (schema, _) = operation.variable(types, name)?;
            let mut schema = schema;
            strip_null(&mut schema);
            schema
        }
        BodyMap::Fields(fields) | BodyMap::OptionalFields(fields) => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for field in *fields {
                let (schema, must) = operation.variable(types, field)?;
                if must {
                    required.push(*field);
                }
                properties.insert((*field).to_owned(), schema);
            }
            json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        }
        BodyMap::Csv(_) => json!({
            "type": "string",
            "description": "A CSV file with a header row: UTF-8 (with or without BOM) or Latin-1; `,`, `;` or tab delimited; quoted fields; at most 100 000 rows and 20 MB. The files of a workspace's pending (queued or running) imports together stay within its quota (100 MB unless the operator sets `FLUENZR_IMPORT_QUOTA_BYTES`): past it, `413 QUOTA_EXCEEDED`.",
            "example": "email,firstName,company\nana@example.com,Ana,Acme\n",
        }),
        BodyMap::None => Value::Null,
    };
    // What the call itself requires of the body as a whole (fields that go together).
    if let Some(rule) = operation.call().and_then(|c| types.rule(c.as_str())) {
        merge(&mut schema, &rule.schema);
    }
    let media = match spec.body {
        BodyMap::Csv(_) => "text/csv",
        _ => "application/json",
    };
    let body = example
        .body
        .as_ref()
        .ok_or_else(|| "the example has no body".to_owned())?;
    Ok(json!({
        "required": !matches!(spec.body, BodyMap::OptionalFields(_)),
        "content": { media: { "schema": schema, "example": body } },
    }))
}

/// The document around its paths: what the API is, how a caller authenticates, and the
/// components the operations refer to.
fn frame(paths: Map<String, Value>) -> Value {
    let codes: Vec<&str> = ErrorCode::all().iter().map(|c| c.as_str()).collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "FluenzR API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Contacts, groups, email accounts, campaigns, stats and webhooks. Every answer is an envelope: `{success: true, data, meta?}` or `{success: false, error: {code, message, details}}`. The same operations are available through GraphQL at `/graphql`.",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "tags": [
            { "name": "Contacts" }, { "name": "Groups" }, { "name": "Email accounts" },
            { "name": "Campaigns" }, { "name": "Webhooks" }, { "name": "Suppressions" },
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "An API key (`fz_…`) or a session token from the GraphQL `login` mutation." },
            },
            "parameters": {
                "If-None-Match": {
                    "name": "If-None-Match", "in": "header", "required": false,
                    "description": "Entity tags (from `ETag`) the caller holds: when the answer is still one of them, it is `304 Not Modified` with no body.",
                    "schema": { "type": "string" },
                },
                "Idempotency-Key": {
                    "name": "Idempotency-Key", "in": "header", "required": false,
                    "description": "Replays the first answer to a retried POST, PUT or DELETE with the same key for 24 hours.",
                    "schema": { "type": "string", "minLength": 1, "maxLength": idempotency::MAX_KEY_LEN, "pattern": "^[\\x21-\\x7E]+$" },
                },
            },
            "headers": {
                "ETag": { "description": "The answer's entity tag: send it back in `If-None-Match` to get `304 Not Modified` while the answer is unchanged.", "schema": { "type": "string" } },
                "Cache-Control": { "description": "`private, no-cache`: the answer is the caller's own, and is revalidated (with `If-None-Match`) before each reuse.", "schema": { "type": "string" } },
                "Request-Id": { "description": "This request's id, also in error details.", "schema": { "type": "string" } },
                "X-RateLimit-Limit": { "description": "Requests allowed per minute for this workspace.", "schema": { "type": "integer" } },
                "X-RateLimit-Remaining": { "description": "Requests left in the current window.", "schema": { "type": "integer" } },
                "X-RateLimit-Reset": { "description": "Unix time when the window resets.", "schema": { "type": "integer" } },
                "Retry-After": { "description": "Seconds to wait before retrying.", "schema": { "type": "integer" } },
            },
            "schemas": {
                "ErrorCode": { "type": "string", "enum": codes },
                "AnyJson": {
                    "description": "Any JSON value: a batch item's `customFields` is checked with the rest of the item, and a wrong one fails that item alone.",
                },
                "DetailValue": {
                    "description": "A value in an error's `details`: a scalar or a list of scalars.",
                    "anyOf": [
                        { "type": "string" }, { "type": "number" }, { "type": "boolean" }, { "type": "null" },
                        { "type": "array", "items": { "type": ["string", "number", "boolean", "null"] } },
                    ],
                },
                "CustomValue": {
                    "anyOf": [
                        { "type": "string", "pattern": PLAIN_TEXT },
                        { "type": "number", "minimum": -(contacts::MAX_EXACT_INTEGER as i64), "maximum": contacts::MAX_EXACT_INTEGER },
                        { "type": "boolean" },
                        { "type": "null" },
                    ],
                },
            },
        },
    })
}

/// States the input gate's NUL rule on every string a request sends (its parameters and
/// body; answers are left alone): a string without a pattern gets `NO_NUL`; a pattern of its
/// own must exclude NUL itself (the limits table's patterns do).
fn forbid_nul(operation: &mut Value) {
    fn walk(schema: &mut Value) {
        match schema {
            Value::Object(map) => {
                let string = match map.get("type") {
                    Some(Value::String(t)) => t == "string",
                    Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                    _ => false,
                };
                if string && !map.contains_key("enum") && !map.contains_key("pattern") {
                    map.insert("pattern".into(), Value::String(NO_NUL.into()));
                }
                for value in map.values_mut() {
                    walk(value);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(parameters) = operation.get_mut("parameters") {
        walk(parameters);
    }
    if let Some(body) = operation.get_mut("requestBody") {
        walk(body);
    }
}

fn strip_null(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            map.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if let Some(Value::Array(any)) = map.get("anyOf").cloned()
        && any.len() == 2
        && any[1] == json!({ "type": "null" })
    {
        map.remove("anyOf");
        if let Value::Object(inner) = &any[0] {
            map.extend(inner.clone());
        }
    }
}

fn tag(path: &str) -> &'static str {
    match path.split('/').nth(1).unwrap_or_default() {
        "contacts" | "imports" => "Contacts",
        "groups" => "Groups",
        "email-accounts" => "Email accounts",
        "campaigns" => "Campaigns",
        "suppressions" => "Suppressions",
        _ => "Webhooks",
    }
}
