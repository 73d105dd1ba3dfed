//! Connecting to SQLite or PostgreSQL, and running migrations.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
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
        // generic plan skips that planning without changing the plans chosen.
        options
            .max_connections(16)
            .min_connections(1)
            .map_sqlx_postgres_opts(|opts| {
                opts.options([("plan_cache_mode", "force_generic_plan")])
            });
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
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
