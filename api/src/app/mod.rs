//! The HTTP app: the state every handler shares, building it (database, schemas, REST table,
//! listener) and serving it with the background workers beside it.

mod access;
mod assets;
mod errors;
mod handlers;
mod idempotency;
mod middleware;
mod probes;
mod routes;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::{KeyCache, Sessions};
use crate::config::Config;
use crate::db;
use crate::error::AppError;
use crate::graphql::{self, AppSchema};
use crate::public::{PublicContext, PublicState};
use crate::ratelimit::{LocalLimiter, WorkspaceLimiter};
use crate::rest::{self, RestContext, RestState, RestTable};
use crate::service::tracking::Tracker;
use crate::service::webhooks::UrlPolicy;
use crate::service::{accounts, workspaces};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

pub struct Inner {
    pub config: Config,
    pub db: DatabaseConnection,
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
    /// What the REST routes take (`rest::RestState`).
    pub for_rest: RestState,
    /// What the public routes take, tracking hits per client address included
    /// (`public::PublicState`).
    pub for_public: PublicState,
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

impl FromRef<AppState> for RestState {
    fn from_ref(state: &AppState) -> RestState {
        state.for_rest.clone()
    }
}

impl FromRef<AppState> for PublicState {
    fn from_ref(state: &AppState) -> PublicState {
        state.for_public.clone()
    }
}

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
        let served = server::serve_http(
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
    let sessions = Arc::new(Sessions::new(secret.as_bytes(), config.clock.clone()));
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
    // Bound first: the link signer (which a preview signs with) may need the address.
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let tracker = tracker(&config, &keyring, Some(addr));
    let dns = crate::service::dns::Dns::new(config.sender.dns_server);
    let signers = crate::service::domains::Signers::default();
    let preflight = crate::service::campaigns::Preflight {
        require_authenticated_domains: config.require_authenticated_domains,
    };
    let shared = || graphql::Shared {
        dns: dns.clone(),
        signers: signers.clone(),
        preflight,
        tracker: tracker.clone(),
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
    let (rest, openapi) = compile_rest(&schema, &db).await?;

    let demo_api_key = if config.seed_demo_workspace {
        seed_demo(&db, config.clock.now()).await?
    } else {
        None
    };

    let for_rest = RestState::new(RestContext {
        db: db.clone(),
        schema,
        validated: schemas.validated.clone(),
        max_body_bytes: config.max_body_bytes,
    });
    let for_public = PublicState::new(PublicContext {
        db: db.clone(),
        tracker: tracker.clone(),
        clock: config.clock.clone(),
        hits: LocalLimiter::new(config.tracking_rate_per_minute, config.clock.clone()),
    });
    let state = AppState {
        inner: Arc::new(Inner {
            limiter: WorkspaceLimiter::new(&db, config.rate_limit_per_minute, config.clock.clone()),
            for_rest,
            for_public,
            health: crate::engine::supervise::Health::default(),
            anonymous: LocalLimiter::new(config.anonymous_rate_per_minute, config.clock.clone()),
            tracker,
            config,
            db,
            schemas,
            sessions,
            keys,
            rest,
            openapi,
            keyring,
        }),
    };
    let router = routes::router(state.clone());
    Ok(App {
        listener,
        router,
        addr,
        state,
        demo_api_key,
    })
}

/// The REST route table, compiled from its operations and checked against the schema, and the
/// OpenAPI document drawn from both.
async fn compile_rest(
    schema: &AppSchema,
    db: &DatabaseConnection,
) -> anyhow::Result<(RestTable, axum::body::Bytes)> {
    let sdl = schema.sdl();
    let rest = RestTable::compile(rest::table::routes(), &sdl).map_err(anyhow::Error::msg)?;
    rest.validate(schema, db)
        .await
        .map_err(anyhow::Error::msg)?;
    let openapi = rest::contract::document(&rest, &sdl).map_err(anyhow::Error::msg)?;
    let openapi = axum::body::Bytes::from(serde_json::to_vec(&openapi)?);
    Ok((rest, openapi))
}

async fn seed_demo(
    db: &DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Option<String>> {
    let fail = |e: AppError| anyhow::anyhow!(e.message);
    if workspaces::count(db).await.map_err(fail)? > 0 {
        return Ok(None);
    }
    let workspace = workspaces::create(db, "Demo workspace", workspaces::Plan::Pro, now)
        .await
        .map_err(fail)?;
    let key = accounts::create_api_key(db, &workspace.id, Some("Demo key".into()), now)
        .await
        .map_err(fail)?;
    Ok(Some(key.secret))
}
