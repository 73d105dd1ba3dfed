//! Running a request: fresh loaders and the caller per request, the checks of the GraphQL
//! endpoint before a document runs, and every error coded and classified.

use async_graphql::dataloader::DataLoader;
use sea_orm::DatabaseConnection;

use super::schema::{Schemas, TOO_COMPLEX};
use super::{AppSchema, DbLoader, checks, introspection};
use crate::auth::Principal;
use crate::error::{AppError, ErrorCode};

/// Whether a query only asks about the schema: every root field of every operation is
/// `__schema`, `__type` or `__typename` (fragments at the root count as data).
pub fn is_introspection_only(query: &str) -> bool {
    if !query.contains("__schema") && !query.contains("__type") {
        return false;
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    document.operations.iter().all(|(_, operation)| {
        operation.node.selection_set.node.items.iter().all(|item| {
            matches!(&item.node, async_graphql::parser::types::Selection::Field(field)
                if field.node.name.node.starts_with("__"))
        })
    })
}

/// Attaches what belongs to one request: the caller and fresh, per-request loaders.
fn prepare(
    request: async_graphql::Request,
    db: &DatabaseConnection,
    principal: Option<Principal>,
) -> async_graphql::Request {
    // No batching delay: keys of one list are all queued before the batch task first runs.
    let loader =
        DataLoader::new(DbLoader::new(db.clone()), tokio::spawn).delay(std::time::Duration::ZERO);
    let request = request.data(loader);
    match principal {
        Some(principal) => request.data(principal),
        None => request,
    }
}

/// Executes one request for `principal` with fresh loaders. Errors the resolvers did not code
/// (syntax, validation, variable types) are the caller's: they get `BAD_REQUEST`.
pub async fn execute(
    schema: &AppSchema,
    db: &DatabaseConnection,
    request: async_graphql::Request,
    principal: Option<Principal>,
) -> async_graphql::Response {
    let mut response = schema.execute(prepare(request, db, principal)).await;
    coded(&mut response);
    response
}

/// What the GraphQL endpoint answers.
pub enum Answer {
    /// An executed request (errors included).
    Executed(async_graphql::Response),
    /// An introspection-only request's answer, serialized (kept or just computed).
    Introspection(axum::body::Bytes),
    /// Refused by the input gate before anything ran (a 400).
    Refused(AppError),
}

/// The introspection model of `schemas`, read from the schema the first time it is needed.
async fn model<'s>(
    schemas: &'s Schemas,
    db: &DatabaseConnection,
) -> Option<&'s introspection::Model> {
    let deep = schemas.introspection.as_ref()?;
    if let Some(model) = schemas.model.get() {
        return Some(model);
    }
    let response = execute(
        deep,
        db,
        async_graphql::Request::new(introspection::MODEL_QUERY),
        None,
    )
    .await;
    let built = match response.data.into_json() {
        Ok(data) if response.errors.is_empty() => introspection::Model::from_answer(&data),
        _ => None,
    };
    match built {
        Some(model) => {
            // Two requests may read it at once: either copy serves.
            let _ = schemas.model.set(model);
            schemas.model.get()
        }
        None => {
            tracing::error!(errors = ?response.errors, "the introspection model could not be read");
            None
        }
    }
}

/// The GraphQL answer to a request the input gate refused: the error with its code, details
/// and classification, nothing executed.
pub fn refusal(err: &AppError) -> async_graphql::Response {
    let mut error = async_graphql::ServerError::new(err.message.clone(), None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", err.code.as_str());
    if let Some(details) = &err.details
        && let Ok(value) = async_graphql::Value::from_json(details.clone())
    {
        extensions.set("details", value);
    }
    error.extensions = Some(extensions);
    let mut response = async_graphql::Response::from_errors(vec![error]);
    coded(&mut response);
    response
}

/// The refusal of a query whose introspection answers more than the budget.
fn introspection_over_budget() -> async_graphql::Response {
    let mut error = async_graphql::ServerError::new(
        format!(
            "The query's introspection answers more than {} values: select fewer fields or aliases (the standard introspection query fits)",
            introspection::INTROSPECTION_BUDGET
        ),
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", ErrorCode::BadRequest.as_str());
    if let Ok(details) = async_graphql::Value::from_json(
        serde_json::json!({ "budget": introspection::INTROSPECTION_BUDGET }),
    ) {
        extensions.set("details", details);
    }
    error.extensions = Some(extensions);
    let mut response = async_graphql::Response::from_errors(vec![error]);
    coded(&mut response);
    response
}

/// `execute` for a request from the GraphQL endpoint: the document is checked (NUL characters
/// in literals, `__typename`'s directives, the weight of its introspection) before it runs; an
/// introspection-only query runs against the introspection schema and its answer is kept.
pub async fn execute_any(
    schemas: &Schemas,
    db: &DatabaseConnection,
    request: async_graphql::Request,
    principal: Option<Principal>,
) -> Answer {
    if crate::gate::has_nul(&request.query) {
        return Answer::Refused(crate::gate::nul_refused("query"));
    }
    let deep = match &schemas.introspection {
        Some(deep) if is_introspection_only(&request.query) => Some(deep),
        _ => None,
    };
    let kept = deep.and_then(|_| introspection::Answers::key(&request));
    if let Some(key) = &kept
        && let Some(answer) = schemas.answers.get(key)
    {
        return Answer::Introspection(answer);
    }
    let mut retry =
        async_graphql::Request::new(request.query.clone()).variables(request.variables.clone());
    if let Some(name) = &request.operation_name {
        retry = retry.operation_name(name.clone());
    }
    let mut request = request;
    let validated = schemas.parsed.attach(&mut request);
    let variables = request.variables.clone();
    // A document known to pass was checked when it first passed (it declares no variables).
    if !validated && let Ok(document) = request.parsed_query() {
        if let Some(field) = checks::nul_literal(document) {
            return Answer::Refused(crate::gate::nul_refused(&field));
        }
        if let Err(errors) = checks::typename(document) {
            let mut response = async_graphql::Response::from_errors(errors);
            coded(&mut response);
            return Answer::Executed(response);
        }
        let model = model(schemas, db).await;
        let weighed = introspection::Weigher::new(
            model,
            document,
            &variables,
            introspection::INTROSPECTION_BUDGET,
        )
        .weigh();
        if weighed.is_err() {
            return Answer::Executed(introspection_over_budget());
        }
    }
    let schema = match deep {
        Some(deep) => deep,
        None if validated => &schemas.validated,
        None => &schemas.data,
    };
    let response = execute(schema, db, request, principal.clone()).await;
    if deep.is_some() {
        let Some(key) = kept.filter(|_| response.errors.is_empty()) else {
            return Answer::Executed(response);
        };
        return match serde_json::to_vec(&response) {
            Ok(bytes) => {
                let bytes = axum::body::Bytes::from(bytes);
                schemas.answers.keep(key, bytes.clone());
                Answer::Introspection(bytes)
            }
            Err(_) => Answer::Executed(response),
        };
    }
    if response.errors.iter().any(|e| e.message == TOO_COMPLEX) {
        // Over budget: the probe refuses it too, and says by how much.
        return Answer::Executed(execute(&schemas.probe, db, retry, principal).await);
    }
    if !validated && response.errors.is_empty() {
        schemas.parsed.passed(&retry.query);
    }
    Answer::Executed(response)
}

/// Every error gets a `code` and a `classification`: `BAD_USER_INPUT` when the request was
/// refused, `INTERNAL_SERVER_ERROR` when the server failed (the common GraphQL names, so generic
/// clients and tools can tell the two apart without knowing our codes).
fn coded(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadRequest.as_str());
        }
        if extensions.get("classification").is_none() {
            let failed = match extensions.get("code") {
                Some(async_graphql::Value::String(code)) => {
                    ErrorCode::from_wire(code).is_some_and(|c| c.http_status() >= 500)
                }
                _ => false,
            };
            extensions.set(
                "classification",
                if failed {
                    "INTERNAL_SERVER_ERROR"
                } else {
                    "BAD_USER_INPUT"
                },
            );
        }
    }
}
