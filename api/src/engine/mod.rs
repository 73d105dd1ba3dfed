//! Background work that runs beside the HTTP server (or alone, in `fluenzr worker`). Work is
//! claimed through the database, so several processes can share it.

pub mod imports;
pub mod mailbox;
pub mod sender;
pub mod smtp;
pub mod supervise;
pub mod webhooks;

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

use crate::service::idempotency;
use crate::shutdown::Stopping;

/// One step of a connection check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckStep {
    /// `connect`, `tls`, `login` or `mailbox`.
    pub step: &'static str,
    pub ok: bool,
    /// The server's reply, or the error.
    pub reply: String,
}

/// A connection check: the steps tried, in order, up to the first that failed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub steps: Vec<CheckStep>,
    /// The server refused the credentials (the account's own fault, recorded on it).
    pub login_refused: bool,
}

impl Checked {
    pub fn passed(&mut self, step: &'static str, reply: impl Into<String>) {
        self.steps.push(CheckStep {
            step,
            ok: true,
            reply: reply.into(),
        });
    }

    pub fn failed(&mut self, step: &'static str, reply: impl Into<String>) {
        self.steps.push(CheckStep {
            step,
            ok: false,
            reply: reply.into(),
        });
    }

    pub fn ok(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.ok)
    }

    /// The failed step's reply.
    pub fn error(&self) -> Option<&str> {
        self.steps.iter().find(|s| !s.ok).map(|s| s.reply.as_str())
    }

    /// The reply of a refused login, to record on the account.
    pub fn refused_login(&self) -> Option<&str> {
        self.login_refused.then(|| self.error()).flatten()
    }
}

/// The hourly clean-up: idempotent answers past their retention, and the files of imports
/// that failed more than a day before `now`.
pub async fn purge_once(
    db: &DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::error::AppResult<()> {
    idempotency::purge_expired(db).await?;
    crate::service::imports::purge_failed_files(db, now).await?;
    Ok(())
}

/// Starts every background loop, each supervised (a panic in a pass or a job is caught,
/// counted and the loop goes on; every finished pass is reported to `supervision.health`);
/// each returns once `stopping` is set and its current work is done and recorded.
pub fn spawn(
    db: DatabaseConnection,
    settings: webhooks::Settings,
    sender: sender::Sender,
    reader: mailbox::Reader,
    stopping: Stopping,
    supervision: supervise::Supervision,
) -> Vec<JoinHandle<()>> {
    let purge_db = db.clone();
    let mut purge_stop = stopping.clone();
    let purge_watch = supervision.clone();
    let purge_clock = sender.clock().clone();
    let purge = tokio::spawn(async move {
        let every = Duration::from_secs(3600);
        let health = &purge_watch.health;
        health.start(supervise::PURGE, every + purge_watch.pass_limit);
        loop {
            let purged = supervise::guard(
                supervise::PURGE,
                "purge",
                purge_once(&purge_db, purge_clock.now()),
            )
            .await;
            health.beat(supervise::PURGE);
            if let Some(Err(err)) = purged {
                tracing::warn!(code = err.code.as_str(), "purge failed");
            }
            if purge_stop.sleep(every).await {
                health.stop(supervise::PURGE);
                return;
            }
        }
    });
    let clock = sender.clock().clone();
    let keyring = reader.keyring().clone();
    vec![
        purge,
        imports::spawn(db.clone(), clock, stopping.clone(), supervision.clone()),
        webhooks::spawn(db, settings, keyring, stopping.clone(), supervision.clone()),
        sender.spawn(stopping.clone(), supervision.clone()),
        reader.spawn(stopping, supervision),
    ]
}
