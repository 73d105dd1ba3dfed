//! Connecting to SQLite or PostgreSQL, and running migrations.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// Opens a pool for `url`. SQLite gets WAL, a busy timeout and several connections.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    // sea-orm takes a pooled connection per statement: a liveness ping on every acquire
    // would double the round trips, so connections are checked only after being idle.
    options
        .sqlx_logging(false)
        .test_before_acquire(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        options
            .max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
    } else {
        // Every statement here is a short lookup by indexed keys, prepared once per connection.
        // Left to choose, PostgreSQL re-plans each execution of the page statements (a generic
        // plan cannot see the LIMIT value, so it looks dearer than a custom one); forcing the
        // generic plan skips that planning without changing the plans chosen. A generic plan
        // prices a page as a tenth of its table (it cannot see the LIMIT), which on a large
        // workspace crosses JIT's threshold: compiling a 50-row page took 70 ms of a 0.1 ms
        // read at a million contacts. No statement here is long enough to repay JIT: off.
        options
            .max_connections(16)
            .min_connections(1)
            .map_sqlx_postgres_opts(|opts| {
                opts.options([("plan_cache_mode", "force_generic_plan"), ("jit", "off")])
            });
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The database's clock as milliseconds since the epoch, as SQL: leases and the sweeps that
/// end them compare times on this one clock, whatever the hosts' clocks say.
pub fn now_ms_sql(backend: sea_orm::DbBackend) -> &'static str {
    match backend {
        sea_orm::DbBackend::Postgres => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    }
}

/// The database's clock, read (milliseconds since the epoch).
pub async fn now_ms(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT {} AS now_ms", now_ms_sql(backend)),
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("the database did not tell its time".into()))?;
    row.try_get("", "now_ms")
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so a transaction that reads before writing waits for other writers
/// (up to the busy timeout) instead of failing when it upgrades; PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Single-statement reads on PostgreSQL without sqlx's release ping.
///
/// sqlx pings every connection its pool takes back (a `Sync` and the wait for its answer: a
/// second round trip per statement, and a wake-up of the backend). A read run through `Reads`
/// takes a connection set aside from the pool (detached once, at most [`READ_CONNECTIONS`] of
/// them) and gives it back without that ping when its statement finished. A statement that did
/// not finish (its future dropped mid-flight) or failed on the connection itself closes the
/// connection instead, which is what the ping guards against. Every other operation, every read
/// beyond those connections and SQLite go to the pool as before. A kept connection older than
/// [`Dedicated::max_age`] is closed instead of used again; `/metrics` counts them
/// (`fluenzr_dedicated_read_connections`); `FLUENZR_DEDICATED_READS=false` turns them off.
#[derive(Clone)]
pub struct Reads {
    db: DatabaseConnection,
    kept: Option<Arc<Kept>>,
    observer: Option<ReadObserver>,
}

/// Called with each statement `Reads` runs on a connection of its own.
#[derive(Clone)]
pub struct ReadObserver(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for ReadObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadObserver")
    }
}

/// Most connections `Reads` holds beside the pool's own.
pub const READ_CONNECTIONS: usize = 4;

/// Whether `Reads` sets connections aside on PostgreSQL, and how long it keeps each one.
#[derive(Clone, Copy, Debug)]
pub struct Dedicated {
    pub enabled: bool,
    /// A kept connection older than this is closed rather than used again (as the pool does
    /// with its own), so server-side memory and settings do not live forever.
    pub max_age: Duration,
}

impl Default for Dedicated {
    fn default() -> Self {
        Dedicated {
            enabled: true,
            max_age: Duration::from_secs(30 * 60),
        }
    }
}

struct Kept {
    pool: sea_orm::sqlx::PgPool,
    idle: Mutex<Vec<KeptConnection>>,
    leases: tokio::sync::Semaphore,
    max_age: Duration,
    /// Connections held now, idle or in use.
    count: Arc<std::sync::atomic::AtomicUsize>,
}

/// A connection detached from the pool, counted in `/metrics` while it lives.
struct KeptConnection {
    connection: sea_orm::sqlx::PgConnection,
    opened: std::time::Instant,
    _counted: Counted,
}

/// One in its reader's count and in the `/metrics` gauge of kept connections, from its
/// making to its drop.
struct Counted {
    count: Arc<std::sync::atomic::AtomicUsize>,
    _gauge: crate::metrics::Held,
}

impl Counted {
    fn new(count: &Arc<std::sync::atomic::AtomicUsize>) -> Self {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Counted {
            count: count.clone(),
            _gauge: crate::metrics::Held::new(&crate::metrics::get().dedicated_reads),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.count
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl KeptConnection {
    fn detach(
        connection: sea_orm::sqlx::pool::PoolConnection<sea_orm::sqlx::Postgres>,
        count: &Arc<std::sync::atomic::AtomicUsize>,
    ) -> Self {
        KeptConnection {
            connection: connection.detach(),
            opened: std::time::Instant::now(),
            _counted: Counted::new(count),
        }
    }

    /// Closes it politely (the server is told), off the caller's path.
    fn close(self) {
        use sea_orm::sqlx::Connection as _;
        let KeptConnection { connection, .. } = self;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = connection.close().await;
            });
        }
    }
}

/// One kept connection in use; back to `idle` only when its statement finished.
struct Lease<'a> {
    kept: &'a Kept,
    connection: Option<KeptConnection>,
    finished: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && self.finished
        {
            self.kept
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(connection);
        }
    }
}

impl Reads {
    pub fn new(
        db: DatabaseConnection,
        observer: Option<ReadObserver>,
        dedicated: Dedicated,
    ) -> Self {
        let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
        let kept = (postgres && dedicated.enabled).then(|| {
            Arc::new(Kept {
                pool: db.get_postgres_connection_pool().clone(),
                idle: Mutex::new(Vec::new()),
                leases: tokio::sync::Semaphore::new(READ_CONNECTIONS),
                max_age: dedicated.max_age,
                count: Arc::default(),
            })
        });
        Reads { db, kept, observer }
    }

    /// How many connections this reader holds beside the pool now (idle or in use).
    pub fn kept(&self) -> usize {
        self.kept.as_ref().map_or(0, |kept| {
            kept.count.load(std::sync::atomic::Ordering::Relaxed)
        })
    }

    async fn kept_all(&self, kept: &Kept, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let Ok(_permit) = kept.leases.try_acquire() else {
            return self.db.query_all_raw(stmt).await;
        };
        let idle = kept.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let idle = match idle {
            Some(old) if old.opened.elapsed() >= kept.max_age => {
                old.close();
                None
            }
            other => other,
        };
        let reused = idle.is_some();
        let connection = match idle {
            Some(connection) => connection,
            None => {
                KeptConnection::detach(kept.pool.acquire().await.map_err(runtime)?, &kept.count)
            }
        };
        let mut lease = Lease {
            kept,
            connection: Some(connection),
            finished: false,
        };
        let Some(KeptConnection { connection, .. }) = lease.connection.as_mut() else {
            unreachable!("a lease holds its connection until dropped");
        };
        if let Some(observer) = &self.observer {
            (observer.0)(&stmt.sql);
        }
        let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
        let answer = sea_orm::sqlx::query_with(
            sea_orm::sqlx::AssertSqlSafe(stmt.sql.as_str()),
            sea_query_sqlx::SqlxValues(values),
        )
        .fetch_all(&mut *connection)
        .await;
        lease.finished = match &answer {
            Ok(_) => true,
            Err(error) => leaves_ready(error),
        };
        match answer {
            Ok(rows) => Ok(rows.into_iter().map(QueryResult::from).collect()),
            // A kept connection the server closed while it was idle (a restart, an idle
            // timeout): it is closed here, and the read, which changes nothing, runs again on
            // the pool.
            Err(_) if reused && !lease.finished => {
                drop(lease);
                self.db.query_all_raw(stmt).await
            }
            Err(error) => Err(runtime(error)),
        }
    }
}

/// Whether the connection is ready for the next statement after `error`: an error the server
/// answered for the statement is; a fatal one (the server ending the session), an I/O or a
/// protocol error is not.
fn leaves_ready(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::postgres::{PgDatabaseError, PgSeverity};
    error
        .as_database_error()
        .and_then(|e| e.try_downcast_ref::<PgDatabaseError>())
        .is_some_and(|e| !matches!(e.severity(), PgSeverity::Fatal | PgSeverity::Panic))
}

fn runtime(error: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Query(sea_orm::RuntimeErr::SqlxError(Arc::new(error)))
}

#[async_trait::async_trait]
impl ConnectionTrait for Reads {
    fn get_database_backend(&self) -> sea_orm::DbBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.db.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.kept {
            Some(kept) => self.kept_all(kept, stmt).await,
            None => self.db.query_all_raw(stmt).await,
        }
    }
}
