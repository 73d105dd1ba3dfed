//! The HTTP app: state, middleware (request id, auth, rate limit), GraphQL, REST, health.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::net::TcpListener;

use crate::auth::{self, KeyCache, Principal, Sessions};
use crate::config::Config;
use crate::error::{AppError, ErrorCode};
use crate::graphql::{self, AppSchema};
use crate::ratelimit::{LocalLimiter, RateDecision, WorkspaceLimiter};
use crate::rest::{self, RestTable};
use crate::service::idempotency::{self, Claim};
use crate::service::tracking::Tracker;
use crate::service::webhooks::UrlPolicy;
use crate::service::{accounts, workspaces};
use crate::{db, ids};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

pub struct Inner {
    pub config: Config,
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    /// The data schema and the introspection one, for the GraphQL endpoint.
    pub schemas: graphql::Schemas,
    pub sessions: Arc<Sessions>,
    pub keys: Arc<KeyCache>,
    /// The per-workspace budget (shared through PostgreSQL across instances).
    pub limiter: WorkspaceLimiter,
    pub rest: RestTable,
    /// The keys derived from the operator's secret (mailbox passwords, tracking links).
    pub keyring: crate::secrets::Keyring,
    /// The OpenAPI document, built once from the route table and the schema.
    pub openapi: axum::body::Bytes,
    pub tracker: Tracker,
    /// Tracking hits per client address.
    pub hits: LocalLimiter,
    /// GraphQL requests without credentials, per client address.
    pub anonymous: LocalLimiter,
    /// When each background loop of this process last finished a pass (`/readyz`).
    pub health: crate::engine::supervise::Health,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

/// The id of one request, echoed in the `Request-Id` header and in error details.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// A bound, ready-to-serve application.
pub struct App {
    pub listener: TcpListener,
    pub router: Router,
    pub addr: SocketAddr,
    pub state: AppState,
    /// The demo workspace's API key, when one was created at this start.
    pub demo_api_key: Option<String>,
}

impl App {
    /// Serves until SIGTERM or SIGINT, with the background workers beside it (unless
    /// configured off), then stops gracefully (see `shutdown`).
    pub async fn serve(self) -> std::io::Result<()> {
        self.serve_until(crate::shutdown::on_signals()).await
    }

    /// Serves until `stopping` is set: stops accepting, finishes the requests in flight and
    /// the workers' current work (both bounded by the shutdown timeout), then returns.
    pub async fn serve_until(self, stopping: crate::shutdown::Stopping) -> std::io::Result<()> {
        let listener_task =
            crate::signals::listen(&self.state.db, self.state.config.database_url.expose());
        let workers = if self.state.config.run_workers {
            crate::engine::spawn(
                self.state.db.clone(),
                self.state.config.webhooks.clone(),
                self.sender(),
                self.reader(),
                stopping.clone(),
                crate::engine::supervise::Supervision {
                    health: self.state.health.clone(),
                    pass_limit: self.state.config.engine_pass_limit,
                },
            )
        } else {
            Vec::new()
        };
        let limit = self.state.config.shutdown_timeout;
        let served = serve_http(
            self.listener,
            self.router,
            &self.state.config.http,
            stopping,
            limit,
        )
        .await;
        let drained = tokio::time::timeout(limit, futures_util::future::join_all(workers)).await;
        if drained.is_err() {
            tracing::warn!("workers did not finish within the shutdown timeout");
        }
        if let Some(task) = listener_task {
            task.abort();
        }
        served
    }
}

impl App {
    /// A sending worker for this app (the one `serve` runs; tests drive theirs by hand).
    pub fn sender(&self) -> crate::engine::sender::Sender {
        crate::engine::sender::Sender::new(
            self.state.db.clone(),
            self.state.keyring.clone(),
            self.state.tracker.clone(),
            self.state.config.clock.clone(),
            self.state.config.sender.clone(),
        )
    }

    /// The mailbox reader this app's workers run (tests drive it pass by pass).
    pub fn reader(&self) -> crate::engine::mailbox::Reader {
        crate::engine::mailbox::Reader::new(
            self.state.db.clone(),
            self.state.keyring.clone(),
            self.state.config.clock.clone(),
            self.state.config.mailbox.clone(),
        )
    }
}

/// The link signer for this deployment: the operator's secret (see `secrets`) and the public
/// URL (or `http://<addr>`).
pub fn tracker(
    config: &Config,
    keyring: &crate::secrets::Keyring,
    addr: Option<SocketAddr>,
) -> Tracker {
    let secret = keyring.tracking_secret();
    let public = match (&config.public_url, addr) {
        (Some(url), _) => url.clone(),
        (None, Some(addr)) => {
            tracing::warn!(
                "FLUENZR_PUBLIC_URL is not set: tracking and unsubscribe links point at http://{addr}, which recipients cannot reach outside this machine"
            );
            format!("http://{addr}")
        }
        (None, None) => {
            tracing::warn!(
                "FLUENZR_PUBLIC_URL is not set: tracking and unsubscribe links point at http://127.0.0.1:8080"
            );
            "http://127.0.0.1:8080".to_owned()
        }
    };
    Tracker::new(secret, &public)
}

/// Serves HTTP/1.1 with the guards a public server needs: a deadline for request headers
/// (slow-header clients are cut off), a cap on open connections and a lower one per client
/// address (one client cannot take every slot), and a deadline per request. A request hyper
/// cannot parse is refused with the JSON error envelope (`edge::EnvelopedRefusals`).
async fn serve_http(
    listener: TcpListener,
    router: Router,
    limits: &crate::config::HttpLimits,
    mut stopping: crate::shutdown::Stopping,
    drain: std::time::Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let per_address = crate::edge::PerAddress::new(limits.max_connections_per_address);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = stopping.wait() => break,
        };
        // Past its address's cap or the global one, a new connection is closed at once
        // rather than queued.
        let Some(address_slot) = per_address.admit(peer.ip()) else {
            drop(stream);
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service =
            router
                .clone()
                .map_request(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut request = request.map(Body::new);
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    request
                });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(
                TokioIo::new(crate::edge::EnvelopedRefusals::new(stream)),
                hyper_util::service::TowerToHyperService::new(service),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
            drop(address_slot);
        });
    }
    // No new connections; finish what is in flight, within a bound.
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running at the shutdown timeout were cut off");
    }
    Ok(())
}

/// Connects and migrates the database, compiles the REST table and binds the listener.
pub async fn build(config: Config) -> anyhow::Result<App> {
    let db = db::connect(config.database_url.expose()).await?;
    build_with(config, db).await
}

/// `build` on a connection the caller made (and may have instrumented).
pub async fn build_with(mut config: Config, db: DatabaseConnection) -> anyhow::Result<App> {
    db::migrate(&db).await?;
    let keyring = crate::secrets::open(
        &db,
        config.database_url.expose(),
        config.secret_key.as_ref(),
    )
    .await?;
    // The guarded webhook client must build, or the server does not start.
    crate::engine::webhooks::client(&config.webhooks)?;
    // One setting lifts the address policy everywhere.
    if config.webhooks.allow_private || config.sender.allow_private {
        config.allow_private_hosts(true);
    }

    let secret = match &config.jwt_secret {
        Some(secret) => secret.expose().to_owned(),
        None => accounts::session_secret(&db, &keyring)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?,
    };
    let sessions = Arc::new(Sessions::new(secret.as_bytes()));
    let policy = UrlPolicy {
        allow_private: config.webhooks.allow_private,
    };
    let keys = Arc::new(KeyCache::new(
        config.api_key_cache_ttl,
        config.clock.clone(),
    ));
    crate::signals::local().watch_keys(&keys);
    let logins = Arc::new(crate::throttle::LoginThrottle::new(
        config.login_limits.clone(),
        config.clock.clone(),
    ));
    let reads = crate::db::Reads::new(
        db.clone(),
        config.read_observer.clone(),
        config.dedicated_reads,
    );
    let shared = || graphql::Shared {
        logins: logins.clone(),
        db: db.clone(),
        reads: reads.clone(),
        sessions: sessions.clone(),
        keys: keys.clone(),
        policy,
        clock: config.clock.clone(),
        smtp_trust: config.sender.trust.clone(),
        keyring: keyring.clone(),
        import_quota: crate::service::imports::ImportQuota(config.import_quota_bytes),
    };
    let schemas = graphql::build_schemas(shared, config.graphql_introspection);
    let schema = schemas.data.clone();
    let sdl = schema.sdl();
    let rest = RestTable::compile(rest::table::routes(), &sdl).map_err(anyhow::Error::msg)?;
    rest.validate(&schema, &db)
        .await
        .map_err(anyhow::Error::msg)?;
    let openapi = rest::contract::document(&rest, &sdl).map_err(anyhow::Error::msg)?;
    let openapi = axum::body::Bytes::from(serde_json::to_vec(&openapi)?);

    let demo_api_key = if config.seed_demo_workspace {
        seed_demo(&db).await?
    } else {
        None
    };

    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let tracker = tracker(&config, &keyring, Some(addr));
    let state = AppState {
        inner: Arc::new(Inner {
            limiter: WorkspaceLimiter::new(&db, config.rate_limit_per_minute),
            hits: LocalLimiter::new(config.tracking_rate_per_minute),
            health: crate::engine::supervise::Health::default(),
            anonymous: LocalLimiter::new(config.anonymous_rate_per_minute),
            tracker,
            config,
            db,
            schema,
            schemas,
            sessions,
            keys,
            rest,
            openapi,
            keyring,
        }),
    };
    let router = router(state.clone());
    Ok(App {
        listener,
        router,
        addr,
        state,
        demo_api_key,
    })
}

async fn seed_demo(db: &DatabaseConnection) -> anyhow::Result<Option<String>> {
    let fail = |e: AppError| anyhow::anyhow!(e.message);
    if workspaces::count(db).await.map_err(fail)? > 0 {
        return Ok(None);
    }
    let workspace = workspaces::create(db, "Demo workspace", workspaces::Plan::Pro)
        .await
        .map_err(fail)?;
    let key = accounts::create_api_key(db, &workspace.id, Some("Demo key".into()))
        .await
        .map_err(fail)?;
    Ok(Some(key.secret))
}

fn router(state: AppState) -> Router {
    let rest = state
        .rest
        .router()
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .route_layer(middleware::from_fn_with_state(state.clone(), rest_auth));
    let graphql = Router::new()
        .route("/graphql", get(graphiql).post(graphql_post))
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .route_layer(middleware::from_fn_with_state(state.clone(), graphql_auth));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::public::routes())
        .route("/graphiql/{file}", get(asset))
        .route("/docs", get(docs))
        .route("/app", get(web_app))
        .route("/app/", get(web_app))
        .route("/app/{*path}", get(web_app))
        .route("/docs/{file}", get(asset))
        .route("/v1/openapi.json", get(openapi))
        .merge(rest)
        .merge(graphql)
        // REST paths answer a method they do not take themselves, naming what they accept.
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn(record_request))
        // Paths no route matches are counted too, all under one `unmatched` route.
        .fallback_service(axum::routing::any(not_found).layer(middleware::from_fn(record_request)))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// A request still running past its time limit (`HttpLimits::request_timeout`, 30 s) is
/// answered `408 REQUEST_TIMEOUT` with the error envelope; its work is dropped.
async fn deadline(
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
async fn request_id(mut request: Request, next: Next) -> Response {
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

fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let body = json!({ "success": false, "error": { "code": "INTERNAL_ERROR", "message": "Internal server error", "details": {} } });
    rest::json_response(StatusCode::INTERNAL_SERVER_ERROR, &body)
}

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

async fn rest_auth(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
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
async fn graphql_auth(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
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

/// The error shape of the interface a path belongs to.
fn error_for(path: &str, err: &AppError, request_id: &RequestId) -> Response {
    if path.starts_with("/graphql") {
        graphql_error(err)
    } else {
        rest::error_response(err, request_id)
    }
}

/// Writes with an `Idempotency-Key` header run once per key and workspace; a replay gets the
/// first answer (marked `Idempotent-Replayed: true`), a replay with a different request is 400.
async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
    match idempotency::claim(&state.db, &workspace, &key, &hash).await {
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

/// A request-level GraphQL error: `{errors:[…]}` with the code's HTTP status.
fn graphql_error(err: &AppError) -> Response {
    let mut extensions = json!({ "code": err.code.as_str() });
    if let Some(details) = &err.details {
        extensions["details"] = details.clone();
    }
    let body =
        json!({ "data": null, "errors": [{ "message": err.message, "extensions": extensions }] });
    let status = StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    rest::json_response(status, &body)
}

/// A GraphQL request the input gate refused: its status (400) and the coded, classified error.
fn gate_refusal(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    rest::json_response(status, &graphql::refusal(err))
}

async fn graphql_post(
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

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => rest::json_response(StatusCode::OK, &json!({ "status": "ok" })),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            rest::json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "status": "unavailable" }),
            )
        }
    }
}

/// Counts each routed request by method, route template and status, with its latency. The
/// labels come from fixed sets (`metrics::method_label`, the route table), never from the
/// request's own text.
async fn record_request(request: Request, next: Next) -> Response {
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

/// Ready to serve: the database answers, every migration is applied and every background
/// loop of this process finished a pass within its period.
async fn readyz(State(state): State<AppState>) -> Response {
    use migration::MigratorTrait as _;
    let ping = state.db.ping().await;
    let pending = migration::Migrator::get_pending_migrations(&state.db).await;
    match (ping, pending) {
        (Ok(()), Ok(pending)) if pending.is_empty() => {
            let stalled = state.health.stalled();
            if stalled.is_empty() {
                rest::json_response(StatusCode::OK, &json!({ "status": "ready" }))
            } else {
                tracing::warn!(?stalled, "not ready: a background loop stalled");
                rest::json_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &json!({ "status": "engine_stalled", "engines": stalled }),
                )
            }
        }
        (Ok(()), Ok(pending)) => rest::json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "status": "migrations_pending", "pending": pending.len() }),
        ),
        (Err(err), _) | (_, Err(err)) => {
            tracing::warn!(%err, "not ready: database unreachable");
            rest::json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "status": "database_unreachable" }),
            )
        }
    }
}

/// Prometheus metrics; with `FLUENZR_METRICS_TOKEN` set, only for `Authorization: Bearer
/// <token>`.
/// The gauges `/metrics` reads from the database at each scrape.
async fn database_gauges(
    db: &sea_orm::DatabaseConnection,
) -> crate::error::AppResult<crate::metrics::DatabaseGauges> {
    let now = chrono::Utc::now();
    let (outbox_depth, outbox_age_seconds) =
        crate::service::webhooks::outbox_backlog(db, now).await?;
    Ok(crate::metrics::DatabaseGauges {
        outbox_depth,
        outbox_age_seconds,
        due_unsent: crate::service::sending::due_unsent(db, now).await?,
    })
}

async fn metrics(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let expected = token.expose().as_bytes();
        let matches = given.len() == expected.len()
            && given
                .bytes()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !matches {
            let err = AppError::unauthenticated(
                "A metrics token is required: send 'Authorization: Bearer <token>'",
            );
            return rest::error_response(&err, &request_id);
        }
    }
    let rendered = match database_gauges(&state.db).await {
        Ok(gauges) => crate::metrics::get().render(gauges).await,
        Err(err) => Err(err),
    };
    match rendered {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(code = err.code.as_str(), "metrics could not be read");
            let body = json!({
                "success": false,
                "error": {
                    "code": ErrorCode::Internal.as_str(),
                    "message": "Metrics could not be read",
                    "details": { "requestId": request_id.0 },
                },
            });
            rest::json_response(StatusCode::SERVICE_UNAVAILABLE, &body)
        }
    }
}

async fn openapi(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.clone(),
    )
        .into_response()
}

async fn not_found(Extension(request_id): Extension<RequestId>) -> Response {
    rest::error_response(&AppError::not_found("Route"), &request_id)
}

/// A method a path does not take: 405 with the error envelope of the path's interface (the
/// `Allow` header is added by the router).
async fn method_not_allowed(
    Extension(request_id): Extension<RequestId>,
    uri: axum::http::Uri,
) -> Response {
    let err = AppError::new(
        ErrorCode::MethodNotAllowed,
        "Method not allowed on this path (see the Allow header)",
    );
    error_for(uri.path(), &err, &request_id)
}

/// GraphiQL; it asks for the key to send (kept in the tab's session storage), so it sends no
/// `Authorization` header until one is given.
static GRAPHIQL: crate::edge::StaticPage =
    crate::edge::StaticPage::new(include_str!("../assets/graphiql.html"));

async fn graphiql() -> Response {
    GRAPHIQL.response()
}

/// GraphiQL's scripts and styles, built into the binary so the playground works offline.
/// The files the built-in pages load, embedded at build time so the pages work offline.
const ASSETS: &[(&str, &str, &[u8], &str)] = &[
    (
        "graphiql",
        "graphiql.min.js",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
        "text/javascript",
    ),
    (
        "graphiql",
        "graphiql.min.css",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
        "text/css",
    ),
    (
        "graphiql",
        "graphiql-page.js",
        include_bytes!("../assets/graphiql/graphiql-page.js"),
        "text/javascript",
    ),
    (
        "graphiql",
        "react.production.min.js",
        include_bytes!("../assets/graphiql/react.production.min.js"),
        "text/javascript",
    ),
    (
        "graphiql",
        "react-dom.production.min.js",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
        "text/javascript",
    ),
    (
        "docs",
        "redoc.standalone.js",
        include_bytes!("../assets/redoc/redoc.standalone.js"),
        "text/javascript",
    ),
    (
        "docs",
        "docs.js",
        include_bytes!("../assets/redoc/docs.js"),
        "text/javascript",
    ),
];

async fn asset(Extension(request_id): Extension<RequestId>, uri: axum::http::Uri) -> Response {
    let mut parts = uri.path().trim_start_matches('/').splitn(2, '/');
    let found = match (parts.next(), parts.next()) {
        (Some(dir), Some(file)) => ASSETS.iter().find(|a| a.0 == dir && a.1 == file),
        _ => None,
    };
    let Some((_, _, body, content_type)) = found else {
        return rest::error_response(&AppError::not_found("File"), &request_id);
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, *content_type),
            // Not content-addressed: a new build may change them, so caches revalidate daily.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        *body,
    )
        .into_response();
    crate::edge::asset_headers(response.headers_mut());
    response
}

/// The web app (`web/`, built by Vite into `web/dist`), embedded at build time so the binary
/// needs neither Node nor the internet. `FLUENZR_APP_DIR` serves a directory instead (while
/// developing the app).
static WEB_APP: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../web/dist");

async fn web_app(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    uri: axum::http::Uri,
) -> Response {
    let path = uri
        .path()
        .trim_start_matches("/app")
        .trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let from_disk = &state.config.app_dir;
    // The embedded files are served as they are, without a copy.
    let read = |p: &str| -> Option<axum::body::Bytes> {
        if p.split('/').any(|seg| seg == ".." || seg.is_empty()) {
            return None;
        }
        match from_disk {
            Some(dir) => std::fs::read(dir.join(p)).ok().map(Into::into),
            None => WEB_APP
                .get_file(p)
                .map(|f| axum::body::Bytes::from_static(f.contents())),
        }
    };
    // Unknown paths are the app's own routes: its page answers them.
    let (file, body) = match read(path) {
        Some(body) => (path, body),
        None => match read("index.html") {
            Some(body) => ("index.html", body),
            None => return rest::error_response(&AppError::not_found("File"), &request_id),
        },
    };
    let content_type = match file.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    };
    // Vite names built assets by their content: they never change; the page must be fresh.
    let cache = if file.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body.clone(),
    )
        .into_response();
    if file.ends_with(".html") {
        crate::edge::page_headers(response.headers_mut(), &body);
    } else {
        crate::edge::asset_headers(response.headers_mut());
    }
    response
}

static DOCS: crate::edge::StaticPage =
    crate::edge::StaticPage::new(include_str!("../assets/docs.html"));

async fn docs() -> Response {
    DOCS.response()
}
