//! Runtime configuration: built once (from the CLI and environment) and passed into `app::build`.

use std::net::SocketAddr;
use std::time::Duration;

pub use crate::clock::Clock;
pub use crate::engine::sender::Settings as SenderSettings;
pub use crate::engine::webhooks::Settings as WebhookSettings;

pub use crate::secrets::Secret;

/// Guards of the HTTP server.
#[derive(Clone, Debug)]
pub struct HttpLimits {
    /// A client must send a request's headers within this long, or the connection closes.
    pub header_read_timeout: Duration,
    /// A request is answered `408` past this long.
    pub request_timeout: Duration,
    /// Open connections at most; more are closed on arrival.
    pub max_connections: usize,
    /// Open connections one client address may hold (an IPv6 client's /64 counts as one
    /// address); more from it are closed on arrival, so one client cannot take every slot of
    /// `max_connections`. Zero: no limit per address (behind a proxy every client shares its
    /// address).
    pub max_connections_per_address: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_address: 64,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Where the HTTP server listens; port 0 picks a free one.
    pub addr: SocketAddr,
    /// `sqlite://…` (the embedded default) or `postgres://…`.
    pub database_url: Secret,
    /// HS256 key for user sessions; generated and persisted in the database when unset.
    pub jwt_secret: Option<Secret>,
    /// Requests per minute per workspace, REST and GraphQL together.
    pub rate_limit_per_minute: u32,
    /// How long a verified API key is trusted without a lookup; zero looks it up every time.
    pub api_key_cache_ttl: Duration,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Most bytes a workspace's pending (queued or running) CSV uploads may hold
    /// (`FLUENZR_IMPORT_QUOTA_BYTES`).
    pub import_quota_bytes: u64,
    /// Create a Pro demo workspace (and print its key) when the database has none.
    pub seed_demo_workspace: bool,
    /// Run the background workers (webhook delivery, clean-up) in this process.
    pub run_workers: bool,
    /// Webhook delivery; `allow_private` also lets subscriptions target loopback and private hosts.
    pub webhooks: WebhookSettings,
    /// The sending worker.
    pub sender: SenderSettings,
    /// The mailbox reader (replies and bounce reports over IMAP).
    pub mailbox: crate::engine::mailbox::Settings,
    /// Base of tracking and unsubscribe links (`FLUENZR_PUBLIC_URL`); `http://<addr>` when unset.
    pub public_url: Option<String>,
    /// The operator's secret (`FLUENZR_SECRET_KEY`): encrypts mailbox passwords and signs
    /// tracking links. Unset, a SQLite database keeps one in `<database>.key`; PostgreSQL
    /// requires it (see `secrets`).
    pub secret_key: Option<Secret>,
    /// Tracking hits per minute per client address.
    pub tracking_rate_per_minute: u32,
    /// GraphQL requests without credentials per minute per client address.
    pub anonymous_rate_per_minute: u32,
    /// The time the engine sees (tests move a manual clock).
    pub clock: Clock,
    /// Answer GraphQL introspection (`__schema`, `__type`); an operator may switch it off.
    pub graphql_introspection: bool,
    /// Sign-in and sign-up attempts allowed per client address and failures per account.
    pub login_limits: crate::throttle::Limits,
    /// Header and request deadlines, and the connection cap.
    pub http: HttpLimits,
    /// How long a stopping process waits for requests in flight and workers' current work.
    pub shutdown_timeout: Duration,
    /// How long past its poll interval a background loop may take to finish a pass before
    /// `/readyz` reports it stalled.
    pub engine_pass_limit: Duration,
    /// `FLUENZR_METRICS_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer` it.
    pub metrics_token: Option<Secret>,
    /// `FLUENZR_APP_DIR`: serve `/app` from this directory instead of the embedded build
    /// (while developing the web app).
    pub app_dir: Option<std::path::PathBuf>,
    /// Sees the text of every statement `db::Reads` runs on its own connections (the pool's
    /// statements reach sea-orm's metric callback instead): tests count statements with both.
    pub read_observer: Option<crate::db::ReadObserver>,
    /// Whether and how listing reads use connections of their own on PostgreSQL
    /// (`FLUENZR_DEDICATED_READS`).
    pub dedicated_reads: crate::db::Dedicated,
    /// `FLUENZR_REQUIRE_AUTHENTICATED_DOMAINS`: a campaign's start warnings refuse it (409).
    pub require_authenticated_domains: bool,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://fluenzr.db?mode=rwc";

impl Config {
    /// The operator's one allow-private setting: webhook targets and SMTP hosts alike may be
    /// loopback or private addresses (tests, local development).
    pub fn allow_private_hosts(&mut self, on: bool) {
        self.webhooks.allow_private = on;
        self.sender.allow_private = on;
        self.mailbox.allow_private = on;
    }

    /// Defaults for the given database: used by tests and as the base of the CLI's config.
    pub fn new(database_url: impl Into<String>) -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: Secret::new(database_url),
            jwt_secret: None,
            rate_limit_per_minute: 1000,
            api_key_cache_ttl: Duration::from_secs(5),
            max_body_bytes: 2 * 1024 * 1024,
            import_quota_bytes: crate::service::imports::DEFAULT_QUOTA_BYTES,
            seed_demo_workspace: false,
            run_workers: true,
            webhooks: WebhookSettings::default(),
            sender: SenderSettings::default(),
            mailbox: crate::engine::mailbox::Settings::default(),
            public_url: None,
            secret_key: None,
            tracking_rate_per_minute: 600,
            anonymous_rate_per_minute: 120,
            clock: Clock::system(),
            graphql_introspection: true,
            login_limits: crate::throttle::Limits::default(),
            http: HttpLimits::default(),
            shutdown_timeout: Duration::from_secs(30),
            engine_pass_limit: Duration::from_secs(300),
            metrics_token: None,
            app_dir: None,
            read_observer: None,
            dedicated_reads: crate::db::Dedicated::default(),
            require_authenticated_domains: false,
        }
    }
}
