//! Background work that runs beside the HTTP server (or alone, in `fluenzr worker`). Work is
//! claimed through the database, so several processes can share it.

pub mod batch;
pub mod domains;
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

/// Why a step of a connection check failed: a class, never the peer's own bytes (a server
/// may answer anything, and the answer is shown to whoever runs the check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFailure {
    /// Nothing listens there, or the server turned the session away.
    ConnectionRefused,
    /// The server did not answer in time.
    Timeout,
    /// TLS (implicit, or STARTTLS) could not be set up.
    TlsFailed,
    /// The server refused the username or password.
    AuthFailed,
    /// The server does not speak SMTP.
    NotSmtp,
    /// The server does not speak IMAP.
    NotImap,
    /// The host resolves to an address the operator's policy does not allow.
    HostNotAllowed,
    /// The host name does not resolve, or the network cannot reach it.
    Unreachable,
    /// Logged in, but the INBOX could not be opened.
    MailboxFailed,
    /// The account's stored settings are not valid (a corrupt row): nothing was tried.
    InvalidSettings,
}

impl CheckFailure {
    /// The code a check answers with.
    pub fn code(self) -> &'static str {
        match self {
            CheckFailure::ConnectionRefused => "connection_refused",
            CheckFailure::Timeout => "timeout",
            CheckFailure::TlsFailed => "tls_failed",
            CheckFailure::AuthFailed => "auth_failed",
            CheckFailure::NotSmtp => "not_smtp",
            CheckFailure::NotImap => "not_imap",
            CheckFailure::HostNotAllowed => "host_not_allowed",
            CheckFailure::Unreachable => "unreachable",
            CheckFailure::MailboxFailed => "mailbox_failed",
            CheckFailure::InvalidSettings => "invalid_settings",
        }
    }

    /// What happened, said of the `protocol` server (`SMTP` or `IMAP`).
    fn describe(self, protocol: &str) -> String {
        match self {
            CheckFailure::ConnectionRefused => {
                format!("the {protocol} server refused the connection")
            }
            CheckFailure::Timeout => format!("the {protocol} server did not answer in time"),
            CheckFailure::TlsFailed => {
                format!("TLS with the {protocol} server could not be established")
            }
            CheckFailure::AuthFailed => {
                format!("{protocol} login failed: the server refused the username or password")
            }
            CheckFailure::NotSmtp => "the server did not answer as an SMTP server".into(),
            CheckFailure::NotImap => "the server did not answer as an IMAP server".into(),
            CheckFailure::HostNotAllowed => {
                format!("the {protocol} host resolves to an address that is not a public address")
            }
            CheckFailure::Unreachable => format!("the {protocol} host could not be reached"),
            CheckFailure::MailboxFailed => "the INBOX could not be opened".into(),
            CheckFailure::InvalidSettings => {
                format!("the account's stored {protocol} settings are not valid")
            }
        }
    }
}

/// One step of a connection check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckStep {
    /// `connect`, `tls`, `login` or `mailbox`.
    pub step: &'static str,
    pub ok: bool,
    /// What happened, in our words (never the server's).
    pub reply: String,
    /// Why it failed.
    pub failure: Option<CheckFailure>,
}

/// A connection check of one protocol: the steps tried, in order, up to the first that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// `SMTP` or `IMAP`: names the server in the replies.
    pub protocol: &'static str,
    pub steps: Vec<CheckStep>,
    /// The server refused the credentials (the account's own fault, recorded on it).
    pub login_refused: bool,
}

impl Checked {
    pub fn new(protocol: &'static str) -> Checked {
        Checked {
            protocol,
            steps: Vec::new(),
            login_refused: false,
        }
    }

    pub fn passed(&mut self, step: &'static str, reply: impl Into<String>) {
        self.steps.push(CheckStep {
            step,
            ok: true,
            reply: reply.into(),
            failure: None,
        });
    }

    pub fn failed(&mut self, step: &'static str, failure: CheckFailure) {
        self.steps.push(CheckStep {
            step,
            ok: false,
            reply: failure.describe(self.protocol),
            failure: Some(failure),
        });
    }

    pub fn ok(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.ok)
    }

    /// The failed step's class.
    pub fn failure(&self) -> Option<CheckFailure> {
        self.steps.iter().find_map(|s| s.failure)
    }

    /// The failed step's reply.
    pub fn message(&self) -> Option<&str> {
        self.steps.iter().find(|s| !s.ok).map(|s| s.reply.as_str())
    }

    /// The reply of a refused login (or a refused host), to record on the account.
    pub fn refused_login(&self) -> Option<&str> {
        self.login_refused.then(|| self.message()).flatten()
    }
}

/// The hourly clean-up: idempotent answers past their retention, and the files of imports
/// that failed more than a day before `now`.
pub async fn purge_once(
    db: &DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::error::AppResult<()> {
    idempotency::purge_expired(db, now).await?;
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
        domains::spawn(
            db.clone(),
            sender.dns().clone(),
            clock.clone(),
            stopping.clone(),
            supervision.clone(),
        ),
        imports::spawn(
            db.clone(),
            clock.clone(),
            stopping.clone(),
            supervision.clone(),
        ),
        webhooks::spawn(
            db,
            settings,
            keyring,
            clock,
            stopping.clone(),
            supervision.clone(),
        ),
        sender.spawn(stopping.clone(), supervision.clone()),
        reader.spawn(stopping, supervision),
    ]
}
