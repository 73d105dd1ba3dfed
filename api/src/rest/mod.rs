//! The REST compatibility layer: the route table, compiled once, executed against the GraphQL
//! schema, and every answer reshaped into the `{success, data, meta}` envelope.

pub mod contract;
mod input;
mod state;
pub mod table;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_graphql::parser::types::{BaseType, DocumentOperations, ExecutableDocument};
use async_graphql::{Request, Value as ConstValue, Variables};
use axum::body::{Body, Bytes};
use axum::extract::{FromRef, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Extension, Router};
use serde_json::{Map, Value, json};

use crate::auth::Principal;
use crate::error::{AppError, ErrorCode};
use crate::etag;
use crate::graphql::{self, AppSchema};
use crate::request::RequestId;
pub use state::{RestContext, RestState};
use table::{BodyMap, ParamKind, RouteSpec, Shape};

/// A route with its operation parsed, ready to execute many times.
pub struct CompiledRoute {
    pub spec: RouteSpec,
    document: ExecutableDocument,
    /// Where the variables must hold lists.
    lists: Vec<Vec<contract::Step>>,
    /// The operation's variables and their types, which a request's values are checked
    /// against (in the API's words) before the operation runs.
    variables: Vec<(String, async_graphql::parser::types::Type)>,
    types: Arc<contract::Types>,
    /// The variables (as JSON text) of reads once answered without an error: validation
    /// depends only on the operation, the schema and the variables, so those are not
    /// validated again (their cost and depth still are).
    passed: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// Most variable sets a route remembers as validated.
const MAX_PASSED: usize = 64;

impl CompiledRoute {
    fn has_passed(&self, variables: &str) -> bool {
        self.passed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(variables)
    }

    fn record_passed(&self, variables: String) {
        let mut passed = self.passed.lock().unwrap_or_else(|e| e.into_inner());
        if passed.len() >= MAX_PASSED {
            passed.clear();
        }
        passed.insert(variables);
    }
}

/// The compiled table.
pub struct RestTable {
    pub routes: Vec<Arc<CompiledRoute>>,
}

impl RestTable {
    /// Parses every operation (against the schema in `sdl`) and rejects duplicate routes.
    pub fn compile(specs: Vec<RouteSpec>, sdl: &str) -> Result<RestTable, String> {
        let types = Arc::new(contract::Types::parse(sdl)?);
        let mut seen = std::collections::HashSet::new();
        let mut routes = Vec::with_capacity(specs.len());
        for spec in specs {
            if !seen.insert((spec.method.clone(), spec.path)) {
                return Err(format!(
                    "duplicate REST route {} {}",
                    spec.method, spec.path
                ));
            }
            let document = async_graphql::parser::parse_query(&spec.operation)
                .map_err(|e| format!("REST route {} does not parse: {e}", spec.name))?;
            let lists = contract::list_paths(&types, &document)
                .map_err(|e| format!("REST route {}: {e}", spec.name))?;
            routes.push(Arc::new(CompiledRoute {
                spec,
                variables: input::variable_types(&document),
                types: types.clone(),
                document,
                lists,
                passed: Default::default(),
            }));
        }
        Ok(RestTable { routes })
    }

    /// Runs every operation once, anonymously, with placeholder variables: anything but an
    /// authentication error means the operation does not fit the schema.
    pub async fn validate(
        &self,
        schema: &AppSchema,
        db: &sea_orm::DatabaseConnection,
    ) -> Result<(), String> {
        let enums = enum_placeholders(&graphql::sdl());
        for route in &self.routes {
            let mut request = Request::new(route.spec.operation.clone()).variables(
                Variables::from_json(placeholder_variables(&route.document, &enums)),
            );
            request.set_parsed_query(route.document.clone());
            let response = graphql::execute(schema, db, request, None).await;
            for error in &response.errors {
                if from_graphql_error(error).code != ErrorCode::Unauthenticated {
                    return Err(format!(
                        "REST route {} does not fit the schema: {}",
                        route.spec.name, error.message
                    ));
                }
            }
        }
        Ok(())
    }

    /// The largest body the route for `method` on `path` (a full route template) reads, or
    /// `None` when the table has no such route.
    pub fn body_limit(
        &self,
        method: &axum::http::Method,
        path: &str,
        json: usize,
    ) -> Option<usize> {
        let path = path.strip_prefix("/v1")?;
        self.routes
            .iter()
            .find(|r| r.spec.method == *method && r.spec.path == path)
            .map(|r| body_limit(&r.spec.body, json))
    }

    /// The axum routes (full paths under `/v1`), each path answering unknown methods with 405.
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
        RestState: FromRef<S>,
    {
        let mut by_path: BTreeMap<&'static str, Vec<Arc<CompiledRoute>>> = BTreeMap::new();
        for route in &self.routes {
            by_path
                .entry(route.spec.path)
                .or_default()
                .push(route.clone());
        }
        let mut router = Router::new();
        for (path, routes) in by_path {
            let mut allow: Vec<&str> = routes.iter().map(|r| r.spec.method.as_str()).collect();
            if allow.contains(&"GET") {
                allow.push("HEAD");
            }
            let allow = allow.join(", ");
            let mut methods = MethodRouter::new();
            for route in routes {
                let Ok(filter) = MethodFilter::try_from(route.spec.method.clone()) else {
                    continue;
                };
                methods = methods.on(
                    filter,
                    move |State(state): State<RestState>,
                          Extension(principal): Extension<Principal>,
                          Extension(request_id): Extension<RequestId>,
                          path: Result<
                        Path<HashMap<String, String>>,
                        axum::extract::rejection::PathRejection,
                    >,
                          RawQuery(query): RawQuery,
                          headers: axum::http::HeaderMap,
                          body: Body| {
                        let route = route.clone();
                        async move {
                            let path = path.map(|p| p.0).unwrap_or_default();
                            let if_none_match = headers
                                .get(header::IF_NONE_MATCH)
                                .and_then(|v| v.to_str().ok());
                            match run(&state, &route, principal, path, query, if_none_match, body)
                                .await
                            {
                                Ok(response) => response,
                                Err(err) => error_response(&err, &request_id),
                            }
                        }
                    },
                );
            }
            let methods = methods.fallback(move |Extension(request_id): Extension<RequestId>| {
                let allow = allow.clone();
                async move {
                    let err = AppError::new(
                        ErrorCode::MethodNotAllowed,
                        format!("Method not allowed; this path accepts {allow}"),
                    )
                    .with_details(json!({ "allow": allow }));
                    let mut response = error_response(&err, &request_id);
                    if let Ok(value) = HeaderValue::from_str(&allow) {
                        response.headers_mut().insert(header::ALLOW, value);
                    }
                    response
                }
            });
            router = router.route(&format!("/v1{path}"), methods);
        }
        router
    }
}

/// The largest body a route reads: a CSV file may be larger than a JSON body (`json`).
pub fn body_limit(body: &BodyMap, json: usize) -> usize {
    match body {
        BodyMap::Csv(_) => crate::service::imports::MAX_BYTES,
        _ => json,
    }
}

async fn run(
    state: &RestState,
    route: &CompiledRoute,
    principal: Principal,
    path: HashMap<String, String>,
    query: Option<String>,
    if_none_match: Option<&str>,
    body: Body,
) -> Result<Response, AppError> {
    let spec = &route.spec;
    let mut variables = Map::new();
    for (name, value) in path {
        crate::gate::text(&name, &value)?;
        variables.insert(name, Value::String(value));
    }
    apply_query(spec, query.as_deref(), &mut variables)?;
    if spec.body != BodyMap::None {
        let limit = body_limit(&spec.body, state.max_body_bytes);
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
            AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("Request body exceeds {limit} bytes"),
            )
        })?;
        apply_body(&spec.body, &bytes, &mut variables)?;
    }
    require_variables(&route.document, &variables)?;
    let variables = Value::Object(variables);
    if let Some(at) = contract::misplaced_scalar(&variables, &route.lists) {
        // A body mapped whole onto one variable names its fields without that variable.
        let field = match &spec.body {
            BodyMap::Variable(name) => at
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('.'))
                .unwrap_or(&at),
            _ => at.as_str(),
        };
        return Err(AppError::invalid_field(
            field,
            format!("{field} must be a list"),
        ));
    }
    if let Value::Object(values) = &variables {
        input::check(&route.types, spec, &route.variables, values)?;
    }

    let status = StatusCode::from_u16(spec.status).unwrap_or(StatusCode::OK);
    // A read's variables that once passed skip validation; a write's vary too much to keep.
    let read = (spec.method == axum::http::Method::GET).then(|| variables.to_string());
    let validated = read.as_deref().is_some_and(|v| route.has_passed(v));
    let schema = if validated {
        &state.validated
    } else {
        &state.schema
    };
    let mut request =
        Request::new(spec.operation.clone()).variables(Variables::from_json(variables));
    request.set_parsed_query(route.document.clone());
    let response = graphql::execute(schema, &state.db, request, Some(principal)).await;
    if let Some(error) = response.errors.first() {
        return Err(from_graphql_error(error));
    }
    if let Some(read) = read
        && !validated
    {
        route.record_passed(read);
    }
    // The answer is serialized straight from GraphQL's value tree, without an intermediate
    // JSON tree.
    let body = match &spec.shape {
        Shape::Object(at) => Envelope {
            success: true,
            data: pick(response.data, at),
            meta: None,
        },
        Shape::Page(at) => {
            let (items, meta) = match pick(response.data, at) {
                ConstValue::Object(mut fields) => (
                    fields
                        .shift_remove("items")
                        .unwrap_or(ConstValue::List(Vec::new())),
                    fields.shift_remove("pageInfo").unwrap_or(ConstValue::Null),
                ),
                _ => (ConstValue::List(Vec::new()), ConstValue::Null),
            };
            Envelope {
                success: true,
                data: items,
                meta: Some(meta),
            }
        }
    };
    if spec.method != axum::http::Method::GET {
        return Ok(json_response(status, &body));
    }
    let Some(bytes) = json_bytes(&body) else {
        return Ok(serialization_failed());
    };
    Ok(read_response(status, bytes, if_none_match))
}

/// The success envelope: `data`, and `meta` on lists.
#[derive(serde::Serialize)]
struct Envelope {
    success: bool,
    data: ConstValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<ConstValue>,
}

fn pick(mut value: ConstValue, at: &[&str]) -> ConstValue {
    for key in at {
        value = match value {
            ConstValue::Object(mut fields) => fields.shift_remove(*key).unwrap_or(ConstValue::Null),
            _ => ConstValue::Null,
        };
    }
    value
}

fn apply_query(
    spec: &RouteSpec,
    query: Option<&str>,
    variables: &mut Map<String, Value>,
) -> Result<(), AppError> {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return Ok(());
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| AppError::new(ErrorCode::BadRequest, "Malformed query string"))?;
    let mut seen: Vec<&str> = Vec::with_capacity(pairs.len());
    for (name, _) in &pairs {
        crate::gate::text("query", name)?;
        // Given twice, one of the two values would be dropped unseen.
        if seen.contains(&name.as_str()) {
            return Err(crate::gate::repeated(name, "The query parameter"));
        }
        seen.push(name);
    }
    for (name, raw) in pairs {
        crate::gate::text(&name, &raw)?;
        let Some(param) = spec.query.iter().find(|p| p.name == name) else {
            let allowed: Vec<&str> = spec.query.iter().map(|p| p.name).collect();
            return Err(AppError::new(
                ErrorCode::BadRequest,
                format!("Unknown query parameter '{name}'"),
            )
            .with_details(json!({ "parameter": name, "allowed": allowed })));
        };
        let value = match param.kind {
            ParamKind::Str => Value::String(raw),
            ParamKind::Bool => match raw.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    return Err(AppError::invalid_field(
                        param.name,
                        format!("{} must be true or false", param.name),
                    ));
                }
            },
            ParamKind::Json => {
                let malformed =
                    || AppError::invalid_field(param.name, format!("{} must be JSON", param.name));
                match crate::gate::json_in(raw.as_bytes(), Some(param.name)) {
                    Ok(()) => {}
                    Err(crate::gate::JsonRefusal::Malformed(_)) => return Err(malformed()),
                    Err(crate::gate::JsonRefusal::Refused(err)) => return Err(err),
                }
                serde_json::from_str(&raw).map_err(|_| malformed())?
            }
            // GraphQL's Int: 32 bits.
            ParamKind::Int => match raw.trim().parse::<i32>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    return Err(AppError::invalid_field(
                        param.name,
                        format!("{} must be a whole number up to {}", param.name, i32::MAX),
                    ));
                }
            },
        };
        set_path(variables, param.target, value);
    }
    Ok(())
}

fn set_path(variables: &mut Map<String, Value>, target: &str, value: Value) {
    match target.split_once('.') {
        None => {
            variables.insert(target.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = variables
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

fn apply_body(
    map: &BodyMap,
    bytes: &[u8],
    variables: &mut Map<String, Value>,
) -> Result<(), AppError> {
    if let BodyMap::Csv(name) = map {
        let text = crate::service::imports::decode(bytes);
        variables.insert((*name).to_owned(), Value::String(text));
        return Ok(());
    }
    if matches!(map, BodyMap::OptionalFields(_)) && bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            "This route takes a JSON object body",
        ));
    } else {
        let malformed = |e: serde_json::Error| {
            AppError::new(ErrorCode::BadRequest, "Malformed JSON body")
                .with_details(json!({ "line": e.line(), "column": e.column() }))
        };
        match crate::gate::json(bytes) {
            Ok(()) => {}
            Err(crate::gate::JsonRefusal::Malformed(e)) => return Err(malformed(e)),
            Err(crate::gate::JsonRefusal::Refused(err)) => return Err(err),
        }
        serde_json::from_slice(bytes).map_err(malformed)?
    };
    let mut body = body;
    integral_numbers(&mut body);
    let Value::Object(object) = body else {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            "The JSON body must be an object",
        ));
    };
    match map {
        BodyMap::None | BodyMap::Csv(_) => {}
        BodyMap::Variable(name) => {
            variables.insert((*name).to_owned(), Value::Object(object));
        }
        BodyMap::Fields(fields) | BodyMap::OptionalFields(fields) => {
            for (key, value) in object {
                if !fields.contains(&key.as_str()) {
                    return Err(AppError::new(
                        ErrorCode::BadRequest,
                        format!("Unknown field '{key}'"),
                    )
                    .with_details(json!({ "field": key, "allowed": fields })));
                }
                // A value the query string (or the path) already gave is not given again: one
                // of the two would go unchecked.
                if variables.contains_key(&key) {
                    return Err(AppError::invalid_field(
                        &key,
                        format!(
                            "'{key}' is given in the query string and in the body; give it once"
                        ),
                    ));
                }
                variables.insert(key, value);
            }
        }
    }
    Ok(())
}

/// JSON does not tell `822.0` from `822`: an integral number written with a fraction or an
/// exponent is read as the integer it equals (within ±2^53, where every such number is exact),
/// so an integer field accepts it.
fn integral_numbers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= EXACT
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// A GraphQL error as an `AppError`, keeping its code and details.
pub fn from_graphql_error(error: &async_graphql::ServerError) -> AppError {
    let extension = |name: &str| {
        error
            .extensions
            .as_ref()
            .and_then(|e| e.get(name))
            .and_then(|v| v.clone().into_json().ok())
    };
    let code = extension("code")
        .and_then(|v| v.as_str().and_then(ErrorCode::from_wire))
        .unwrap_or(ErrorCode::BadRequest);
    let mut err = AppError::new(code, error.message.clone());
    err.details = extension("details");
    err
}

/// The error envelope, with the request id in `details`.
pub fn error_response(err: &AppError, request_id: &RequestId) -> Response {
    let mut details = match &err.details {
        Some(Value::Object(map)) => map.clone(),
        Some(other) => {
            let mut map = Map::new();
            map.insert("info".into(), other.clone());
            map
        }
        None => Map::new(),
    };
    details.insert("requestId".into(), Value::String(request_id.0.clone()));
    let body = json!({
        "success": false,
        "error": { "code": err.code.as_str(), "message": err.message, "details": details },
    });
    let status =
        StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &body)
}

/// The fixed answer when an answer cannot be serialized (never an empty 200).
pub const SERIALIZATION_FAILED: &str = r#"{"success":false,"error":{"code":"INTERNAL_ERROR","message":"Internal server error","details":{}}}"#;

pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match json_bytes(body) {
        Some(bytes) => {
            (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
        }
        None => serialization_failed(),
    }
}

/// The answer serialized, or `None` (logged) when it cannot be.
fn json_bytes(body: &impl serde::Serialize) -> Option<Bytes> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Answers repeat in size (a dashboard polls the same pages): each starts with room for the
    // last one, so it is written without growing its buffer step by step.
    static LAST_SIZE: AtomicUsize = AtomicUsize::new(1024);
    let mut bytes = Vec::with_capacity(LAST_SIZE.load(Ordering::Relaxed).min(1 << 20) + 256);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => {
            LAST_SIZE.store(bytes.len(), Ordering::Relaxed);
            Some(Bytes::from(bytes))
        }
        Err(err) => {
            tracing::error!(%err, "an answer could not be serialized");
            None
        }
    }
}

fn serialization_failed() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "application/json")],
        SERIALIZATION_FAILED,
    )
        .into_response()
}

/// A `GET` answer: its entity tag, or `304 Not Modified` when the client holds it already.
/// Clients must ask again each time (`no-cache`); the answer is the caller's own (`private`).
fn read_response(status: StatusCode, body: Bytes, if_none_match: Option<&str>) -> Response {
    let tag = etag::of(&body);
    let fresh =
        status == StatusCode::OK && if_none_match.is_some_and(|tags| etag::matches(tags, &tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// Each non-null variable without a default must be given: a missing one is the caller's
/// missing field, said in the API's words rather than GraphQL's.
fn require_variables(
    document: &ExecutableDocument,
    variables: &Map<String, Value>,
) -> Result<(), AppError> {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for operation in operations {
        for definition in &operation.node.variable_definitions {
            let ty = &definition.node.var_type.node;
            if ty.nullable || definition.node.default_value.is_some() {
                continue;
            }
            let name = definition.node.name.node.as_str();
            if variables.get(name).is_none_or(Value::is_null) {
                return Err(AppError::invalid_field(name, format!("{name} is required")));
            }
        }
    }
    Ok(())
}

/// Minimal variables that satisfy an operation's non-null variable definitions.
/// The first value of each enum of the schema (a placeholder for a required enum variable).
fn enum_placeholders(sdl: &str) -> HashMap<String, String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
        return HashMap::new();
    };
    document
        .definitions
        .into_iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(ty) => match &ty.node.kind {
                TypeKind::Enum(e) => e
                    .values
                    .first()
                    .map(|v| (ty.node.name.node.to_string(), v.node.value.node.to_string())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn placeholder_variables(document: &ExecutableDocument, enums: &HashMap<String, String>) -> Value {
    let mut variables = Map::new();
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for operation in operations {
        for definition in &operation.node.variable_definitions {
            let ty = &definition.node.var_type.node;
            if ty.nullable {
                continue;
            }
            let value = match &ty.base {
                BaseType::List(_) => json!([]),
                BaseType::Named(name) => match name.as_str() {
                    "Int" => json!(1),
                    "ID" | "String" => json!("placeholder"),
                    "Boolean" => json!(false),
                    other => enums.get(other).map_or_else(|| json!({}), |v| json!(v)),
                },
            };
            variables.insert(definition.node.name.node.to_string(), value);
        }
    }
    Value::Object(variables)
}

#[cfg(test)]
mod tests {
    use super::RestTable;

    #[test]
    fn a_route_remembers_a_bounded_number_of_validated_reads() {
        let table = RestTable::compile(super::table::routes(), &crate::graphql::sdl())
            .expect("the table compiles");
        let route = &table.routes[0];
        assert!(!route.has_passed("{}"));
        route.record_passed("{}".to_owned());
        assert!(route.has_passed("{}"));
        assert!(!route.has_passed(r#"{"page":2}"#));
        for page in 0..super::MAX_PASSED {
            route.record_passed(format!(r#"{{"page":{page}}}"#));
        }
        // Full: the set starts again rather than growing.
        assert!(!route.has_passed("{}"));
        assert!(route.passed.lock().unwrap().len() <= super::MAX_PASSED);
    }
}
