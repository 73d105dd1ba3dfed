//! The `fluenzr` command line.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, DEFAULT_DATABASE_URL, Secret};
use crate::service::{accounts, workspaces};
use crate::{app, db, graphql};

#[derive(Parser, Debug)]
#[command(
    name = "fluenzr",
    version,
    about = "FluenzR: the cold-email outreach API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP server and the background workers (the default).
    Serve(ServeArgs),
    /// Run only the background work, for scale-out beside `serve --no-workers`: sending
    /// campaigns over SMTP (and ending stale claims), reading mailboxes for replies and bounces
    /// over IMAP, delivering webhooks, running CSV imports and purging expired idempotency
    /// answers. Workers share the work through the database (PostgreSQL for several).
    Worker(WorkerArgs),
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Print the GraphQL SDL (what `schema.graphql` must equal).
    ExportSchema,
    /// Manage workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Load a synthetic benchmark dataset; prints its workspaces, keys and campaigns as JSON.
    SeedBench(SeedArgs),
    /// Send a campaign to a local SMTP sink and time it (and the due-work lookup); prints JSON.
    BenchSending {
        #[command(flatten)]
        db: DbArgs,
        /// Emails to send.
        #[arg(long, default_value_t = 10_000)]
        emails: usize,
        /// Enrolments in the table when the due-work lookup is timed the second time.
        #[arg(long, default_value_t = 1_000_000)]
        table: usize,
        /// Sign every email with an active DKIM key of this algorithm (`rsa-2048` or
        /// `ed25519`), as a domain with a published key is.
        #[arg(long)]
        dkim: Option<String>,
    },
    /// Load the idle benchmark's dataset: running campaigns with nothing due (see
    /// `bench/idle.sh`, which then measures a worker's CPU over it); prints JSON.
    SeedIdle {
        #[command(flatten)]
        db: DbArgs,
        /// Running campaigns to load.
        #[arg(long, default_value_t = 10_000)]
        campaigns: usize,
        /// Load paused campaigns whose one contact is due, instead (work no pass may send).
        #[arg(long)]
        paused: bool,
    },
    /// Load the latency benchmark's dataset: many accounts on one SMTP server, each with a
    /// running campaign whose contacts are all due (see `bench/latency.sh`); prints JSON.
    SeedLatency {
        #[command(flatten)]
        db: DbArgs,
        /// Email accounts (one running campaign each, ten accounts to a workspace).
        #[arg(long, default_value_t = 2_000)]
        accounts: usize,
        /// Due emails, spread evenly over the campaigns.
        #[arg(long, default_value_t = 20_000)]
        emails: usize,
        /// The SMTP server's port on 127.0.0.1.
        #[arg(long)]
        smtp_port: u16,
    },
    /// An SMTP server for benchmarks that accepts every message after a delay; prints its
    /// port as JSON, and the messages it accepted when it is stopped (SIGTERM or SIGINT).
    BenchSink {
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: String,
        /// Milliseconds between a message's final dot and the server's 250.
        #[arg(long, default_value_t = 100)]
        delay_ms: u64,
    },
    /// Time the per-workspace rate-limit check: in process and, on PostgreSQL, shared; prints
    /// JSON.
    BenchRateLimit {
        #[command(flatten)]
        db: DbArgs,
        /// Checks per measurement.
        #[arg(long, default_value_t = 20_000)]
        checks: usize,
        /// Concurrent callers in the throughput measurement.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Serve a fixed JSON body of a given size on every path: the HTTP ceiling for benchmarks.
    BenchCeiling {
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: SocketAddr,
        /// Size of the JSON body in bytes.
        #[arg(long, default_value_t = 6000)]
        bytes: usize,
    },
}

#[derive(Args, Debug, Clone)]
struct SeedArgs {
    #[command(flatten)]
    db: DbArgs,
    #[arg(long, default_value_t = 5)]
    workspaces: usize,
    #[arg(long, default_value_t = 100_000)]
    contacts: usize,
    /// Groups per workspace.
    #[arg(long, default_value_t = 4)]
    groups: usize,
    #[arg(long, default_value_t = 50)]
    campaigns: usize,
    /// Share of a workspace's contacts each campaign enrols, in percent.
    #[arg(long, default_value_t = 68)]
    enrol_percent: u64,
    /// Events spread over the campaigns.
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// Extra events on the first campaign.
    #[arg(long, default_value_t = 0)]
    hot_events: usize,
    /// Events of one extra, small campaign (0: none).
    #[arg(long, default_value_t = 0)]
    small_campaign_events: usize,
}

#[derive(Subcommand, Debug)]
enum WorkspaceCommand {
    /// Change a workspace's plan (every instance applies it within a second).
    SetPlan {
        #[arg(long)]
        id: String,
        #[arg(long, value_parser = ["free", "starter", "pro"])]
        plan: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create a workspace with an API key; prints `{"workspaceId":…,"apiKey":…}`.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "pro", value_parser = ["free", "starter", "pro"])]
        plan: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Args, Debug, Clone)]
struct DbArgs {
    /// `sqlite://PATH?mode=rwc` or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    database_url: String,
}

impl DbArgs {
    /// The database, migrated.
    async fn open(&self) -> anyhow::Result<sea_orm::DatabaseConnection> {
        let conn = db::connect(&self.database_url).await?;
        db::migrate(&conn).await?;
        Ok(conn)
    }

    /// The database, migrated, and its keyring opened with the operator's secret.
    async fn open_with_keyring(
        &self,
    ) -> anyhow::Result<(sea_orm::DatabaseConnection, crate::secrets::Keyring)> {
        let conn = self.open().await?;
        let keyring = keyring_from_env(&conn, &self.database_url).await?;
        Ok((conn, keyring))
    }
}

#[derive(Args, Debug, Clone)]
struct ServeArgs {
    #[arg(long, env = "FLUENZR_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
    /// HS256 key for session tokens; generated and stored in the database when unset.
    #[arg(long, env = "FLUENZR_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Requests per minute per workspace.
    #[arg(long, env = "FLUENZR_RATE_LIMIT", default_value_t = 1000)]
    rate_limit: u32,
    /// Most bytes a workspace's pending (queued or running) CSV uploads may hold at once.
    #[arg(long, env = "FLUENZR_IMPORT_QUOTA_BYTES", default_value_t = crate::service::imports::DEFAULT_QUOTA_BYTES)]
    import_quota_bytes: u64,
    /// How long a verified API key is trusted before it is looked up again (0: every request).
    /// A key revoked through another instance keeps working at most this long there.
    #[arg(long, env = "FLUENZR_API_KEY_CACHE_SECS", default_value_t = 5)]
    api_key_cache_secs: u64,
    #[command(flatten)]
    private_hosts: PrivateHosts,
    /// Serve HTTP only; leave background work to `fluenzr worker` processes.
    #[arg(long, env = "FLUENZR_NO_WORKERS", default_value_t = false)]
    no_workers: bool,
    #[command(flatten)]
    engine: EngineArgs,
    /// Serve `/app` from this directory (a fresh `web/dist`) instead of the embedded build.
    #[arg(long, env = "FLUENZR_APP_DIR")]
    app_dir: Option<std::path::PathBuf>,
    /// A token `/metrics` requires (`Authorization: Bearer <token>`); unset, it is open.
    #[arg(long, env = "FLUENZR_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Answer GraphQL introspection queries (GraphiQL and code generators need it).
    #[arg(long, env = "FLUENZR_GRAPHQL_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    graphql_introspection: bool,
    /// On PostgreSQL, run listing reads on a few connections set aside from the pool (no
    /// release ping per statement); `false` sends them through the pool like everything else.
    #[arg(long, env = "FLUENZR_DEDICATED_READS", default_value_t = true, action = clap::ArgAction::Set)]
    dedicated_reads: bool,
    /// Open connections one client address may hold (an IPv6 client's /64 is one address);
    /// more are closed on arrival. 0: no per-address limit (behind a reverse proxy, whose
    /// address every client shares).
    #[arg(
        long,
        env = "FLUENZR_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 64
    )]
    max_connections_per_address: usize,
}

/// What the sending engine needs, in `serve` and `worker` alike.
#[derive(Args, Debug, Clone)]
struct EngineArgs {
    /// Base URL recipients reach this server at, for tracking and unsubscribe links
    /// (default `http://<addr>`: set it in production).
    #[arg(long, env = "FLUENZR_PUBLIC_URL")]
    public_url: Option<String>,
    /// The operator's secret: encrypts mailbox passwords and signs tracking and unsubscribe
    /// links. Required with PostgreSQL (every instance must share it); with SQLite, one is
    /// generated into `<database>.key` when unset.
    #[arg(long, env = "FLUENZR_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// A PEM file of certificates to trust for SMTP and IMAP TLS beside the public roots (a
    /// private CA).
    #[arg(long, env = "FLUENZR_SMTP_CA_FILE")]
    smtp_ca_file: Option<std::path::PathBuf>,
    /// Seconds between two reads of each account's mailbox (replies, bounce reports).
    #[arg(long, env = "FLUENZR_IMAP_POLL_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    imap_poll_seconds: u64,
    /// Mailboxes read at the same time.
    #[arg(long, env = "FLUENZR_IMAP_CONCURRENCY", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
    imap_concurrency: u64,
    /// The longest one mailbox's read may take (a stalling IMAP host is given up at this point
    /// until its next turn, and delays no other mailbox).
    #[arg(long, env = "FLUENZR_IMAP_ACCOUNT_DEADLINE_SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    imap_account_deadline_seconds: u64,
    /// SMTP transactions a worker runs at the same time, across all its accounts (each
    /// account sends one email at a time; more accounts than this wait their turn).
    #[arg(long, env = "FLUENZR_SMTP_CONCURRENCY", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    smtp_concurrency: u64,
    /// How long a worker's claim holds an email it has not started yet (renewed while its lane
    /// works); a dead worker's unstarted emails return to due this long after its last renewal.
    #[arg(long, env = "FLUENZR_SEND_LEASE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    send_lease_seconds: u64,
    /// How often a worker ends the claims and sends whose lease ran out.
    #[arg(long, env = "FLUENZR_SEND_SWEEP_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    send_sweep_seconds: u64,
    /// How long an email may stay `sending` before its outcome is reported unknown (its worker
    /// died mid-send). Keep it above the longest SMTP transaction.
    #[arg(long, env = "FLUENZR_SEND_UNKNOWN_AFTER_SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    send_unknown_after_seconds: u64,
    /// On SIGTERM/SIGINT, how long to wait for requests in flight and the workers' current
    /// work before exiting.
    #[arg(long, env = "FLUENZR_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    shutdown_timeout_secs: u64,
    /// How long past its poll interval a background loop may take to finish a pass before
    /// `/readyz` reports it stalled.
    #[arg(long, env = "FLUENZR_ENGINE_PASS_LIMIT_SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    engine_pass_limit_seconds: u64,
    /// The DNS server (`ip:port`) sending domains are checked and recipient domains' MX
    /// records asked with; the system's resolvers when unset.
    #[arg(long, env = "FLUENZR_DNS_SERVER")]
    dns_server: Option<std::net::SocketAddr>,
    /// Refuse to start a campaign whose From domain fails a provider's rules (or whose HTML
    /// has no visible unsubscribe link) instead of warning.
    #[arg(long, env = "FLUENZR_REQUIRE_AUTHENTICATED_DOMAINS", default_value_t = false, action = clap::ArgAction::Set)]
    require_authenticated_domains: bool,
}

impl EngineArgs {
    fn apply(self, config: &mut Config) -> anyhow::Result<()> {
        config.public_url = self.public_url;
        config.secret_key = self.secret_key.map(Secret::new);
        if let Some(path) = self.smtp_ca_file {
            let pem = std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            config.sender.trust = crate::engine::smtp::Trust::from_pem(&pem)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            config.mailbox.trust = config.sender.trust.clone();
        }
        config.mailbox.poll_interval = std::time::Duration::from_secs(self.imap_poll_seconds);
        config.mailbox.concurrency = usize::try_from(self.imap_concurrency).unwrap_or(16);
        config.mailbox.account_deadline =
            std::time::Duration::from_secs(self.imap_account_deadline_seconds);
        config.sender.smtp_concurrency = usize::try_from(self.smtp_concurrency).unwrap_or(500);
        config.sender.policy.lease = std::time::Duration::from_secs(self.send_lease_seconds);
        config.sender.sweep_interval = std::time::Duration::from_secs(self.send_sweep_seconds);
        config.sender.policy.stale_after =
            std::time::Duration::from_secs(self.send_unknown_after_seconds);
        config.shutdown_timeout = std::time::Duration::from_secs(self.shutdown_timeout_secs);
        config.engine_pass_limit = std::time::Duration::from_secs(self.engine_pass_limit_seconds);
        config.sender.dns_server = self.dns_server;
        config.require_authenticated_domains = self.require_authenticated_domains;
        Ok(())
    }
}

#[derive(Args, Debug, Clone)]
struct WorkerArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    private_hosts: PrivateHosts,
}

/// Whether the hosts FluenzR connects to may be loopback or private addresses.
#[derive(Args, Debug, Clone)]
struct PrivateHosts {
    /// Let webhooks, SMTP and IMAP hosts reach loopback and private addresses, webhooks over
    /// plain http (tests, local development).
    #[arg(long, env = "FLUENZR_ALLOW_PRIVATE_HOSTS", action = clap::ArgAction::Set)]
    allow_private_hosts: Option<bool>,
    /// The former name of `--allow-private-hosts` (it always covered SMTP and IMAP too).
    #[arg(long, env = "FLUENZR_ALLOW_PRIVATE_WEBHOOK_URLS", action = clap::ArgAction::Set, hide = true)]
    allow_private_webhook_urls: Option<bool>,
}

impl PrivateHosts {
    /// The setting, from its name or, with a warning, from its former one.
    fn allowed(&self) -> bool {
        if let Some(on) = self.allow_private_hosts {
            return on;
        }
        match self.allow_private_webhook_urls {
            Some(on) => {
                tracing::warn!(
                    "FLUENZR_ALLOW_PRIVATE_WEBHOOK_URLS (--allow-private-webhook-urls) is now \
                     FLUENZR_ALLOW_PRIVATE_HOSTS (--allow-private-hosts); the old name still works"
                );
                on
            }
            None => false,
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs::parse_from_env()
    }
}

impl ServeArgs {
    fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            args: ServeArgs,
        }
        Only::parse_from(["fluenzr"]).args
    }

    fn into_config(self) -> anyhow::Result<Config> {
        let mut config = Config::new(self.db.database_url);
        config.addr = self.addr;
        config.jwt_secret = self.jwt_secret.map(Secret::new);
        config.rate_limit_per_minute = self.rate_limit;
        config.import_quota_bytes = self.import_quota_bytes;
        config.api_key_cache_ttl = std::time::Duration::from_secs(self.api_key_cache_secs);
        config.seed_demo_workspace = true;
        config.run_workers = !self.no_workers;
        config.metrics_token = self.metrics_token.map(Secret::new);
        config.app_dir = self.app_dir;
        config.allow_private_hosts(self.private_hosts.allowed());
        self.engine.apply(&mut config)?;
        config.graphql_introspection = self.graphql_introspection;
        config.dedicated_reads.enabled = self.dedicated_reads;
        config.http.max_connections_per_address = self.max_connections_per_address;
        Ok(config)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    // FLUENZR_LOG_FORMAT=json: one JSON object per line, with the request span's fields.
    if std::env::var("FLUENZR_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::default()))))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let app = app::build(args.into_config()?).await?;
            // Signals are handled from here on, before anyone is told the server listens.
            let stopping = crate::shutdown::on_signals();
            if let Some(key) = &app.demo_api_key {
                println!("Created a Pro demo workspace. Its API key (shown once):\n  {key}");
            }
            println!("FluenzR listening on http://{}", app.addr);
            println!("  REST:    http://{}/v1/contacts", app.addr);
            println!("  GraphQL: http://{}/graphql", app.addr);
            app.serve_until(stopping).await?;
        }
        Command::Worker(args) => {
            let conn = args.db.open().await?;
            let mut config = Config::new(args.db.database_url.clone());
            config.allow_private_hosts(args.private_hosts.allowed());
            args.engine.apply(&mut config)?;
            let keyring =
                crate::secrets::open(&conn, &args.db.database_url, config.secret_key.as_ref())
                    .await?;
            let tracker = app::tracker(&config, &keyring, None);
            let sender = crate::engine::sender::Sender::new(
                conn.clone(),
                keyring,
                tracker,
                config.clock.clone(),
                config.sender.clone(),
            );
            let reader = crate::engine::mailbox::Reader::new(
                conn.clone(),
                sender.keyring().clone(),
                config.clock.clone(),
                config.mailbox.clone(),
            );
            let (shutdown, stopping) = crate::shutdown::Shutdown::new();
            let listener = crate::signals::listen(&conn, &args.db.database_url);
            let supervision = crate::engine::supervise::Supervision {
                health: crate::engine::supervise::Health::default(),
                pass_limit: config.engine_pass_limit,
            };
            let workers = crate::engine::spawn(
                conn,
                config.webhooks.clone(),
                sender,
                reader,
                stopping,
                supervision,
            );
            crate::shutdown::install(shutdown.clone());
            println!("FluenzR worker running");
            shutdown.stopping().wait().await;
            let limit = config.shutdown_timeout;
            if tokio::time::timeout(limit, futures_util::future::join_all(workers))
                .await
                .is_err()
            {
                tracing::warn!("workers did not finish within the shutdown timeout");
            }
            if let Some(task) = listener {
                task.abort();
            }
        }
        Command::Migrate(args) => {
            args.open().await?;
            println!("migrations applied");
        }
        Command::ExportSchema => print!("{}", graphql::sdl()),
        Command::BenchCeiling { addr, bytes } => {
            let filler = "x".repeat(bytes.saturating_sub(32));
            let body: &'static str =
                Box::leak(format!("{{\"success\":true,\"data\":\"{filler}\"}}").into_boxed_str());
            let router = axum::Router::new().fallback(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
            });
            let listener = tokio::net::TcpListener::bind(addr).await?;
            println!("ceiling listening on http://{}", listener.local_addr()?);
            axum::serve(listener, router).await?;
        }
        Command::BenchRateLimit {
            db: args,
            checks,
            concurrency,
        } => {
            let conn = args.open().await?;
            println!(
                "{}",
                crate::bench::rate_limit(&conn, checks, concurrency).await?
            );
        }
        Command::BenchSending {
            db: args,
            emails,
            table,
            dkim,
        } => {
            let (conn, keyring) = args.open_with_keyring().await?;
            let dkim = match dkim.as_deref() {
                None => None,
                Some(a) => Some(
                    crate::service::domains::Algorithm::parse(a)
                        .ok_or_else(|| anyhow::anyhow!("--dkim must be rsa-2048 or ed25519"))?,
                ),
            };
            println!(
                "{}",
                crate::bench::sending(&conn, &keyring, emails, table, dkim).await?
            );
        }
        Command::SeedLatency {
            db: args,
            accounts,
            emails,
            smtp_port,
        } => {
            let (conn, keyring) = args.open_with_keyring().await?;
            println!(
                "{}",
                crate::bench::seed_latency(&conn, &keyring, accounts, emails, smtp_port).await?
            );
        }
        Command::BenchSink { addr, delay_ms } => {
            crate::bench::sink_process(&addr, std::time::Duration::from_millis(delay_ms)).await?;
        }
        Command::SeedIdle {
            db: args,
            campaigns,
            paused,
        } => {
            let (conn, keyring) = args.open_with_keyring().await?;
            println!(
                "{}",
                crate::bench::seed_idle(&conn, &keyring, campaigns, paused).await?
            );
        }
        Command::SeedBench(args) => {
            let conn = args.db.open().await?;
            let spec = crate::seed::Spec {
                workspaces: args.workspaces,
                contacts: args.contacts,
                groups: args.groups,
                campaigns: args.campaigns,
                enrol_percent: args.enrol_percent,
                events: args.events,
                hot_events: args.hot_events,
                small_campaign_events: args.small_campaign_events,
            };
            let started = std::time::Instant::now();
            let keyring = keyring_from_env(&conn, &args.db.database_url).await?;
            let summary = crate::seed::load(&conn, &keyring, &spec).await?;
            eprintln!("loaded in {:.1} s", started.elapsed().as_secs_f64());
            println!("{summary}");
        }
        Command::Workspace(WorkspaceCommand::SetPlan { id, plan, db: args }) => {
            let conn = args.open().await?;
            let fail = |e: crate::error::AppError| anyhow::anyhow!(e.message);
            let plan = workspaces::parse_plan(&plan).map_err(fail)?;
            let workspace = workspaces::set_plan(&conn, &id, plan).await.map_err(fail)?;
            println!(
                "{}",
                serde_json::json!({ "workspaceId": workspace.id, "plan": workspace.plan })
            );
        }
        Command::Workspace(WorkspaceCommand::Create {
            name,
            plan,
            db: args,
        }) => {
            let conn = args.open().await?;
            let fail = |e: crate::error::AppError| anyhow::anyhow!(e.message);
            let plan = workspaces::parse_plan(&plan).map_err(fail)?;
            let now = crate::clock::Clock::system().now();
            let workspace = workspaces::create(&conn, &name, plan, now)
                .await
                .map_err(fail)?;
            let key = accounts::create_api_key(&conn, &workspace.id, Some("CLI key".into()), now)
                .await
                .map_err(fail)?;
            println!(
                "{}",
                serde_json::json!({ "workspaceId": workspace.id, "apiKey": key.secret })
            );
        }
    }
    Ok(())
}

/// The keyring for commands that take no `--secret-key`: `FLUENZR_SECRET_KEY`, or what the
/// database's location gives (see `secrets`).
async fn keyring_from_env(
    conn: &sea_orm::DatabaseConnection,
    database_url: &str,
) -> anyhow::Result<crate::secrets::Keyring> {
    let secret = std::env::var("FLUENZR_SECRET_KEY")
        .ok()
        .filter(|s| !s.is_empty())
        .map(Secret::new);
    Ok(crate::secrets::open(conn, database_url, secret.as_ref()).await?)
}
