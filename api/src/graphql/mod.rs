//! The GraphQL schema: one query and one mutation object per domain, merged.

mod account;
mod campaigns;
mod checks;
mod contacts;
mod email_accounts;
mod errors;
mod groups;
mod imports;
pub mod introspection;
mod loaders;
mod plain;
mod suppressions;
mod types;
mod unknown_outcomes;
mod webhooks;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    Context, EmptySubscription, MergedObject, Schema, SchemaBuilder, ValidationMode,
};
use sea_orm::DatabaseConnection;

use crate::auth::{KeyCache, Principal, Sessions};
use crate::error::{AppError, ErrorCode};
use crate::service::webhooks::UrlPolicy;

pub use loaders::DbLoader;

#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    contacts::ContactQuery,
    groups::GroupQuery,
    email_accounts::EmailAccountQuery,
    campaigns::CampaignQuery,
    webhooks::WebhookQuery,
    imports::ImportQuery,
    unknown_outcomes::UnknownOutcomeQuery,
    suppressions::SuppressionQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    contacts::ContactMutation,
    groups::GroupMutation,
    email_accounts::EmailAccountMutation,
    campaigns::CampaignMutation,
    webhooks::WebhookMutation,
    imports::ImportMutation,
    unknown_outcomes::UnknownOutcomeMutation,
    suppressions::SuppressionMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Depth limit of data queries.
pub const MAX_DEPTH: usize = 12;
/// Depth limit of introspection-only queries: the standard introspection query (graphql-js,
/// graphql-core, GraphiQL) nests `ofType` eight times under `__schema { types { fields { type`.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;

/// What one request may cost: a field costs 1, a list multiplies what it holds by its page
/// size (or an assumed size for lists without pages). A dashboard of 100 campaigns with stats
/// costs ≈ 8 000; three nested pages of 100 cost over a million.
pub const COST_BUDGET: usize = 25_000;
/// Sizes assumed for lists that have no page size.
pub const ASSUMED_ENROLMENTS: usize = 10;
pub const ASSUMED_MESSAGES: usize = 20;

/// The cost of a paginated list: its page size (default 20, at most 100) times its items'.
pub fn page_cost(per_page: Option<i32>, child: usize) -> usize {
    let size = per_page.unwrap_or(20).clamp(1, 100) as usize;
    list_cost(size, child)
}

/// The cost of a list of `size` items.
pub fn list_cost(size: usize, child: usize) -> usize {
    size.saturating_mul(child).saturating_add(1)
}

/// Refuses, after validation and before execution, a request over `COST_BUDGET`, saying its
/// cost. Only the probe schema carries it: any extension puts every field of every request
/// through the extension chain (≈ 13 % of a contacts page), so the data schema enforces the
/// same budget with `limit_complexity` and the probe is asked only to explain a refusal.
struct CostLimit;

impl async_graphql::extensions::ExtensionFactory for CostLimit {
    fn create(&self) -> Arc<dyn async_graphql::extensions::Extension> {
        Arc::new(CostLimitExtension)
    }
}

struct CostLimitExtension;

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for CostLimitExtension {
    async fn validation(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        let result = next.run(ctx).await?;
        if result.complexity > COST_BUDGET {
            let err = AppError::new(
                ErrorCode::BadRequest,
                format!(
                    "The query costs {}, over the budget of {COST_BUDGET}: ask for smaller pages or fewer nested lists",
                    result.complexity
                ),
            )
            .with_details(serde_json::json!({ "cost": result.complexity, "budget": COST_BUDGET }));
            let mut server = async_graphql::ServerError::new(err.message.clone(), None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", ErrorCode::BadRequest.as_str());
            if let Some(details) = &err.details
                && let Ok(value) = async_graphql::Value::from_json(details.clone())
            {
                extensions.set("details", value);
            }
            server.extensions = Some(extensions);
            return Err(vec![server]);
        }
        Ok(result)
    }
}

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(COST_BUDGET)
}

/// async-graphql's words when `limit_complexity` refuses a query.
const TOO_COMPLEX: &str = "Query is too complex.";

/// The schemas a server executes against: one for data, one for introspection-only queries
/// (deeper, but it resolves nothing but the schema itself).
#[derive(Clone)]
pub struct Schemas {
    /// What sizes an introspection answer, read from the schema at its first introspection.
    pub model: Arc<std::sync::OnceLock<introspection::Model>>,
    /// Answers of introspection-only queries, kept by text.
    pub answers: Arc<introspection::Answers>,
    pub data: AppSchema,
    /// `data` without the validation rules a kept document has already passed (see
    /// `ParsedQueries`): it still counts cost and depth against the same limits.
    pub validated: AppSchema,
    /// `None` when an operator switched introspection off.
    pub introspection: Option<AppSchema>,
    /// Says what a refused query costs (never executes one: it only sees queries over budget).
    pub probe: AppSchema,
    /// Query texts parsed recently.
    pub parsed: Arc<ParsedQueries>,
}

/// The parsed documents of the query texts seen last. Dashboards and SDKs send the same few
/// texts again and again, and parsing one costs more than executing a page of it; a copy of the
/// parsed document is cheaper. Only texts that parse and are at most `MAX_KEPT_TEXT` bytes long
/// are kept, the least recently used going first once `MAX_PARSED` texts or `MAX_PARSED_BYTES`
/// of text are kept (so unique or large texts, anonymous ones included, cannot grow it).
///
/// A kept document that declares no variables and was once answered without an error has
/// passed validation, and validation depends only on the document, the schema and the
/// variables' values: it is not validated again (its cost and depth still are).
#[derive(Default)]
pub struct ParsedQueries {
    documents: std::sync::Mutex<Recent>,
}

/// Kept documents, least recently used first, and the bytes of their texts.
#[derive(Default)]
struct Recent {
    by_text: async_graphql::indexmap::IndexMap<String, Kept>,
    bytes: usize,
}

struct Kept {
    document: ExecutableDocument,
    validated: bool,
}

/// Most query texts `ParsedQueries` keeps.
pub const MAX_PARSED: usize = 256;
/// Most bytes of query text `ParsedQueries` keeps (a parsed document is of the same order).
pub const MAX_PARSED_BYTES: usize = 2 << 20;
/// Longest query text `ParsedQueries` keeps; longer ones are parsed every time.
pub const MAX_KEPT_TEXT: usize = 64 << 10;

impl ParsedQueries {
    /// Gives `request` its parsed document: the kept one, or one parsed now (and kept). True
    /// when the document is known to pass validation.
    pub fn attach(&self, request: &mut async_graphql::Request) -> bool {
        let kept = {
            let mut recent = self.documents.lock().unwrap_or_else(|e| e.into_inner());
            let by_text = &mut recent.by_text;
            by_text.get_index_of(&request.query).map(|i| {
                let last = by_text.len() - 1;
                by_text.move_index(i, last);
                let kept = &by_text[last];
                (kept.document.clone(), kept.validated)
            })
        };
        if let Some((document, validated)) = kept {
            request.set_parsed_query(document);
            return validated;
        }
        // A text that does not parse is left to the executor, which reports the error.
        let Ok(document) = request.parsed_query().cloned() else {
            return false;
        };
        if request.query.len() > MAX_KEPT_TEXT {
            return false;
        }
        let mut recent = self.documents.lock().unwrap_or_else(|e| e.into_inner());
        while !recent.by_text.is_empty()
            && (recent.by_text.len() >= MAX_PARSED
                || recent.bytes + request.query.len() > MAX_PARSED_BYTES)
        {
            if let Some((text, _)) = recent.by_text.shift_remove_index(0) {
                recent.bytes -= text.len();
            }
        }
        let (_, previous) = recent.by_text.insert_full(
            request.query.clone(),
            Kept {
                document,
                validated: false,
            },
        );
        // Another request may have kept the same text meanwhile: counted once.
        if previous.is_none() {
            recent.bytes += request.query.len();
        }
        false
    }

    /// Records that `query` was answered without an error by the validating schema; a text
    /// that declares variables stays validated each time (their values are checked with it).
    pub fn passed(&self, query: &str) {
        let mut recent = self.documents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = recent.by_text.get_mut(query) {
            kept.validated = kept
                .document
                .operations
                .iter()
                .all(|(_, operation)| operation.node.variable_definitions.is_empty());
        }
    }

    pub fn len(&self) -> usize {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_text
            .len()
    }

    /// Bytes of query text kept now.
    pub fn bytes(&self) -> usize {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .bytes
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What every request shares.
pub struct Shared {
    pub db: DatabaseConnection,
    /// Listing reads, without sqlx's release ping on PostgreSQL.
    pub reads: crate::db::Reads,
    pub sessions: Arc<Sessions>,
    pub keys: Arc<KeyCache>,
    pub policy: UrlPolicy,
    pub clock: crate::clock::Clock,
    pub smtp_trust: crate::engine::smtp::Trust,
    pub logins: Arc<crate::throttle::LoginThrottle>,
    pub keyring: crate::secrets::Keyring,
    /// The bound on each workspace's pending uploads.
    pub import_quota: crate::service::imports::ImportQuota,
}

/// The executable schema, holding what every request shares.
pub fn build_schema(shared: Shared) -> AppSchema {
    attach(builder(), shared).finish()
}

fn attach(
    builder: SchemaBuilder<Query, Mutation, EmptySubscription>,
    shared: Shared,
) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    builder
        .data(shared.clock)
        .data(shared.smtp_trust)
        .data(shared.db)
        .data(shared.reads)
        .data(shared.sessions)
        .data(shared.keys)
        .data(shared.policy)
        .data(shared.logins)
        .data(shared.keyring)
        .data(shared.import_quota)
}

/// Both schemas; with `introspection` off, neither answers `__schema`/`__type`.
pub fn build_schemas(shared: impl Fn() -> Shared, introspection: bool) -> Schemas {
    let probe = attach(
        Schema::build(Query::default(), Mutation::default(), EmptySubscription)
            .limit_depth(MAX_DEPTH)
            .extension(CostLimit),
        shared(),
    )
    .finish();
    if !introspection {
        return Schemas {
            data: attach(builder().disable_introspection(), shared()).finish(),
            validated: attach(
                builder()
                    .disable_introspection()
                    .validation_mode(ValidationMode::Fast),
                shared(),
            )
            .finish(),
            introspection: None,
            probe,
            parsed: Arc::default(),
            model: Arc::default(),
            answers: Arc::default(),
        };
    }
    // Its cost is what its answer holds (`introspection::Weigher`), checked before it runs.
    let deep = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_INTROSPECTION_DEPTH);
    Schemas {
        data: build_schema(shared()),
        validated: attach(builder().validation_mode(ValidationMode::Fast), shared()).finish(),
        introspection: Some(attach(deep, shared()).finish()),
        probe,
        parsed: Arc::default(),
        model: Arc::default(),
        answers: Arc::default(),
    }
}

/// Most fields a query may select once its fragments are expanded (the standard introspection
/// query expands to a few hundred). Checked before validation, whose cost grows with it.
pub const MAX_EXPANDED_FIELDS: usize = 5_000;

/// Most names (fields, aliases, arguments, types, keywords) a query's text may hold; the
/// standard introspection query has about 250.
pub const MAX_QUERY_NAMES: usize = 5_000;

/// The names in a GraphQL text, skipping strings, block strings and comments; one pass, no
/// allocation.
fn count_names(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut names) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                names += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            b if b.is_ascii_digit() || b == b'-' => {
                // A number (and any exponent or fraction letters in it) is not a name.
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    names
}

/// Refuses a query with more than `MAX_QUERY_NAMES` names, or whose fragment spreads expand past `MAX_EXPANDED_FIELDS` (nested fragments
/// double at each level: 22 levels are four million fields from 1 KB of text), or that cannot
/// be parsed. Counted with memoised fragment sizes, so the check itself stays linear.
pub fn check_expanded_size(query: &str) -> Result<(), AppError> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    use std::collections::HashMap;

    // Parsing and validating cost a few microseconds per name: bound the text's names before
    // either runs (a 1 MB query of 500 000 fields would cost seconds).
    let names = count_names(query);
    if names > MAX_QUERY_NAMES {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("The query is too long: {names} names, at most {MAX_QUERY_NAMES}"),
        )
        .with_details(serde_json::json!({ "names": names, "limit": MAX_QUERY_NAMES })));
    }
    // Only named fragments multiply (inline ones nest within the text's own size), and a query
    // without them is not parsed twice.
    if !query.contains("fragment") {
        return Ok(());
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        // Let the executor report the syntax error in its usual words.
        return Ok(());
    };
    fn size(
        set: &SelectionSet,
        fragments: &HashMap<
            async_graphql::Name,
            async_graphql::Positioned<async_graphql::parser::types::FragmentDefinition>,
        >,
        memo: &mut HashMap<String, usize>,
        visiting: &mut Vec<String>,
    ) -> usize {
        let mut total: usize = 0;
        for item in &set.items {
            let add = match &item.node {
                Selection::Field(field) => 1usize.saturating_add(size(
                    &field.node.selection_set.node,
                    fragments,
                    memo,
                    visiting,
                )),
                Selection::InlineFragment(inline) => {
                    size(&inline.node.selection_set.node, fragments, memo, visiting)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    if let Some(n) = memo.get(&name) {
                        *n
                    } else if visiting.contains(&name) {
                        usize::MAX // a cycle: validation refuses it; never expand it
                    } else if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                        visiting.push(name.clone());
                        let n = size(&fragment.node.selection_set.node, fragments, memo, visiting);
                        visiting.pop();
                        memo.insert(name, n);
                        n
                    } else {
                        0
                    }
                }
            };
            total = total.saturating_add(add);
        }
        total
    }
    let mut memo = HashMap::new();
    let mut visiting = Vec::new();
    let mut total: usize = 0;
    for (_, operation) in document.operations.iter() {
        total = total.saturating_add(size(
            &operation.node.selection_set.node,
            &document.fragments,
            &mut memo,
            &mut visiting,
        ));
    }
    if total > MAX_EXPANDED_FIELDS {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!(
                "The query selects too many fields once its fragments are expanded (more than {MAX_EXPANDED_FIELDS})"
            ),
        )
        .with_details(serde_json::json!({ "limit": MAX_EXPANDED_FIELDS })));
    }
    Ok(())
}

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

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    builder().finish().sdl()
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

/// The authenticated caller, or UNAUTHENTICATED.
fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, AppError> {
    ctx.data_opt::<Principal>().ok_or_else(|| {
        AppError::unauthenticated("Authentication required: send 'Authorization: Bearer <token>'")
    })
}

/// The connection a page listing reads through (`db::Reads`).
fn reads<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a crate::db::Reads> {
    ctx.data::<crate::db::Reads>()
}

fn db<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DataLoader<DbLoader>> {
    ctx.data::<DataLoader<DbLoader>>()
}

#[cfg(test)]
mod tests {
    use super::{MAX_KEPT_TEXT, MAX_PARSED, MAX_PARSED_BYTES, ParsedQueries, count_names};

    #[test]
    fn parsed_queries_are_bounded_in_bytes_and_keep_the_recently_used() {
        let parsed = ParsedQueries::default();
        // A text over the size kept is parsed but not kept.
        let long = format!(
            "{{ a: __typename {} }}",
            "b: __typename ".repeat(MAX_KEPT_TEXT / 14)
        );
        assert!(long.len() > MAX_KEPT_TEXT);
        parsed.attach(&mut async_graphql::Request::new(long.clone()));
        assert_eq!(parsed.len(), 0);
        // Texts just under it fill the byte budget, never past it.
        let sized = |i: usize| {
            let mut text = format!("{{ a{i}: __typename }} ");
            text.push_str(&"#".repeat(MAX_KEPT_TEXT - text.len()));
            text
        };
        let first = sized(0);
        parsed.attach(&mut async_graphql::Request::new(first.clone()));
        for i in 1..(2 * MAX_PARSED_BYTES / MAX_KEPT_TEXT) {
            // The first text is used again and again: the others go before it.
            parsed.attach(&mut async_graphql::Request::new(first.clone()));
            parsed.attach(&mut async_graphql::Request::new(sized(i)));
            assert!(
                parsed.bytes() <= MAX_PARSED_BYTES,
                "{} bytes",
                parsed.bytes()
            );
        }
        assert_eq!(parsed.len(), MAX_PARSED_BYTES / MAX_KEPT_TEXT);
        let mut again = async_graphql::Request::new(first.clone());
        parsed.attach(&mut again);
        assert_eq!(parsed.len(), MAX_PARSED_BYTES / MAX_KEPT_TEXT, "still kept");
        assert_eq!(parsed.bytes(), parsed.len() * MAX_KEPT_TEXT);
    }

    #[test]
    fn parsed_queries_are_kept_once_per_text_and_bounded() {
        let parsed = ParsedQueries::default();
        let mut first = async_graphql::Request::new("{ contacts { pageInfo { total } } }");
        parsed.attach(&mut first);
        let mut again = async_graphql::Request::new("{ contacts { pageInfo { total } } }");
        parsed.attach(&mut again);
        assert_eq!(parsed.len(), 1);
        // The kept document is the text's own.
        let document = again.parsed_query().unwrap();
        assert_eq!(document.operations.iter().count(), 1);
        // A text that does not parse is not kept.
        parsed.attach(&mut async_graphql::Request::new("{ contacts { "));
        assert_eq!(parsed.len(), 1);
        // Unique texts never grow it past the bound.
        for i in 0..(MAX_PARSED * 2 + 3) {
            parsed.attach(&mut async_graphql::Request::new(format!(
                "{{ a{i}: __typename }}"
            )));
            assert!(parsed.len() <= MAX_PARSED);
        }
    }

    #[test]
    fn only_a_document_that_passed_without_variables_skips_validation() {
        let parsed = ParsedQueries::default();
        let plain = "{ contacts { pageInfo { total } } }";
        let with_variables = "query($n: Int) { contacts(perPage: $n) { pageInfo { total } } }";
        for text in [plain, with_variables] {
            assert!(!parsed.attach(&mut async_graphql::Request::new(text)));
            // Kept, but not known to pass until it was answered without an error.
            assert!(!parsed.attach(&mut async_graphql::Request::new(text)));
            parsed.passed(text);
        }
        assert!(parsed.attach(&mut async_graphql::Request::new(plain)));
        // Variables' values are checked by validation: such a text is validated every time.
        assert!(!parsed.attach(&mut async_graphql::Request::new(with_variables)));
        // A text never kept cannot be marked.
        parsed.passed("{ groups { pageInfo { total } } }");
        assert!(!parsed.attach(&mut async_graphql::Request::new(
            "{ groups { pageInfo { total } } }"
        )));
    }

    #[test]
    fn names_are_counted_outside_strings_and_comments() {
        assert_eq!(count_names("{ a b: c(d: 1.5e3, e: -2) }"), 5);
        assert_eq!(count_names(r#"{ a(s: "x y \" z") }"#), 2);
        assert_eq!(count_names("{ a(s: \"\"\"one \\\"\"\" two\"\"\") }"), 2);
        assert_eq!(count_names("# c d e\n{ a }"), 1);
        assert_eq!(count_names("query Q($v: Int = 3) { f(v: $v) }"), 7);
        assert_eq!(count_names(&"a ".repeat(10_000)), 10_000);
    }
}
