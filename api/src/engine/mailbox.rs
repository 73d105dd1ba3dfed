//! The mailbox reader: for each account with IMAP settings, reads its INBOX for replies,
//! automatic answers and delivery reports (`service::inbound` decides what each one is).
//!
//! The mailbox is never changed: it is opened with EXAMINE (read-only), messages are fetched
//! with `BODY.PEEK[]`, and nothing is flagged, moved or deleted. Progress is kept per account
//! as UIDVALIDITY + the last UID read, written after each message; the inbound message's own
//! `Message-ID` is recorded with what it caused, so a restart or a renumbered mailbox never
//! counts a message twice.
//!
//! Mailboxes are read side by side, each under a deadline for its whole read, so one host that
//! stalls delays no other account; each is leased through the database
//! (`service::mailbox_leases`), so several workers read it once per interval.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entity::email_account;
use futures_util::StreamExt;
use futures_util::TryStreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;

use super::smtp::{SocketError, Timeouts, Trust, socket};
use super::{CheckFailure, Checked};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::secrets::Keyring;
use crate::service::email_accounts::{self, Endpoint, SmtpSecurity};
use crate::service::inbound::{self, Recorded};
use crate::service::{mailbox_leases, unknown_outcomes};
use crate::shutdown::Stopping;

/// A mailbox's lease outlasts its read's deadline by this much (a read cut at its deadline
/// still gives the lease back itself).
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// How the reader runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Time between two reads of a mailbox (`FLUENZR_IMAP_POLL_SECONDS`, default 60).
    pub poll_interval: Duration,
    /// Messages read per account per pass.
    pub batch: usize,
    pub timeouts: Timeouts,
    /// Certificates trusted beside the public roots (`FLUENZR_SMTP_CA_FILE`).
    pub trust: Trust,
    /// Let IMAP hosts resolve to loopback and private addresses (the one allow-private setting).
    pub allow_private: bool,
    /// How far back the first read of a mailbox (or of a renumbered one) looks.
    pub first_read_days: i64,
    /// Mailboxes read at the same time (`FLUENZR_IMAP_CONCURRENCY`, default 16).
    pub concurrency: usize,
    /// The longest one mailbox's read may take, all of it (`FLUENZR_IMAP_ACCOUNT_DEADLINE_SECONDS`,
    /// default 120): a host that stalls is given up at this point until its next turn.
    pub account_deadline: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            poll_interval: Duration::from_secs(60),
            batch: 200,
            timeouts: Timeouts::default(),
            trust: Trust::default(),
            allow_private: false,
            first_read_days: 14,
            concurrency: 16,
            account_deadline: Duration::from_secs(120),
        }
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}

type Session = async_imap::Session<Box<dyn Io>>;

async fn within<T, E: std::fmt::Display>(
    limit: Duration,
    what: &str,
    work: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(format!("{what}: {err}")),
        Err(_) => Err(format!("{what}: timed out")),
    }
}

/// Runs `work` under `limit`, classifying a failure with `class` (a timeout is a timeout).
async fn within_classed<T, E>(
    limit: Duration,
    work: impl std::future::Future<Output = Result<T, E>>,
    class: impl FnOnce(&E) -> CheckFailure,
) -> Result<T, CheckFailure> {
    match tokio::time::timeout(limit, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(class(&err)),
        Err(_) => Err(CheckFailure::Timeout),
    }
}

/// The class of an IMAP error: an answer that is not IMAP, or else `refusal` (what a refusal
/// means at that step).
fn imap_class(err: &async_imap::error::Error, refusal: CheckFailure) -> CheckFailure {
    use async_imap::error::Error;
    match err {
        Error::No(_) | Error::Bad(_) => refusal,
        Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => CheckFailure::Timeout,
        _ => CheckFailure::NotImap,
    }
}

/// Connects and logs in, recording each step in `checked`; `None` when a step failed.
async fn open(
    account: &email_account::Model,
    settings: &Settings,
    checked: &mut Checked,
) -> Option<Session> {
    let Endpoint {
        host,
        port,
        security,
    } = match email_accounts::imap_endpoint(account) {
        Ok(endpoint) => endpoint?,
        Err(_) => {
            // Logged, naming the row, by `imap_endpoint`.
            checked.failed("connect", CheckFailure::InvalidSettings);
            return None;
        }
    };
    let timeouts = &settings.timeouts;
    let tcp = match tokio::time::timeout(
        timeouts.connect,
        socket(&host, port, settings.allow_private),
    )
    .await
    {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(SocketError::NotAllowed(why))) => {
            tracing::debug!(account = %account.id, %why, "IMAP host not allowed");
            checked.failed("connect", CheckFailure::HostNotAllowed);
            checked.login_refused = true;
            return None;
        }
        Ok(Err(SocketError::Io(err))) => {
            tracing::debug!(account = %account.id, %err, "IMAP connection failed");
            checked.failed(
                "connect",
                if err.kind() == std::io::ErrorKind::ConnectionRefused {
                    CheckFailure::ConnectionRefused
                } else {
                    CheckFailure::Unreachable
                },
            );
            return None;
        }
        Err(_) => {
            checked.failed("connect", CheckFailure::Timeout);
            return None;
        }
    };
    checked.passed("connect", format!("connected to {host}:{port}"));
    let tls = tokio_rustls::TlsConnector::from(settings.trust.client_config());
    let Ok(name) = rustls::pki_types::ServerName::try_from(host.clone()) else {
        checked.failed("tls", CheckFailure::TlsFailed);
        return None;
    };
    let handshake = |_: &std::io::Error| CheckFailure::TlsFailed;
    let stream: Box<dyn Io> = match security {
        SmtpSecurity::Tls => {
            match within_classed(timeouts.connect, tls.connect(name, tcp), handshake).await {
                Ok(stream) => {
                    checked.passed("tls", "TLS established");
                    Box::new(stream)
                }
                Err(failure) => {
                    checked.failed("tls", failure);
                    return None;
                }
            }
        }
        SmtpSecurity::Starttls => {
            let mut client = async_imap::Client::new(Box::new(tcp) as Box<dyn Io>);
            if let Err(failure) = within_classed(
                timeouts.command,
                client.run_command_and_check_ok("STARTTLS", None),
                |e| imap_class(e, CheckFailure::TlsFailed),
            )
            .await
            {
                checked.failed("tls", failure);
                return None;
            }
            match within_classed(
                timeouts.connect,
                tls.connect(name, client.into_inner()),
                handshake,
            )
            .await
            {
                Ok(stream) => {
                    checked.passed("tls", "STARTTLS established");
                    Box::new(stream)
                }
                Err(failure) => {
                    checked.failed("tls", failure);
                    return None;
                }
            }
        }
        SmtpSecurity::None => Box::new(tcp),
    };
    let client = async_imap::Client::new(stream);
    let username = account
        .imap_username
        .clone()
        .unwrap_or_else(|| account.smtp_username.clone());
    // Present: `imap_endpoint` refuses a mailbox without its password.
    let password = account.imap_password.clone()?;
    match tokio::time::timeout(timeouts.command, client.login(&username, &password)).await {
        Ok(Ok(session)) => {
            checked.passed("login", format!("logged in as {username}"));
            Some(session)
        }
        Ok(Err((err, _))) => {
            checked.failed("login", imap_class(&err, CheckFailure::AuthFailed));
            checked.login_refused = matches!(err, async_imap::error::Error::No(_));
            None
        }
        Err(_) => {
            checked.failed("login", CheckFailure::Timeout);
            None
        }
    }
}

/// Logs in and opens the INBOX read-only, as the reader would; reads nothing. `account`
/// carries its decrypted passwords.
pub async fn check(
    account: &email_account::Model,
    timeouts: &Timeouts,
    trust: &Trust,
    allow_private: bool,
) -> Checked {
    let settings = Settings {
        timeouts: timeouts.clone(),
        trust: trust.clone(),
        allow_private,
        ..Settings::default()
    };
    let mut checked = Checked::new("IMAP");
    if let Some(mut session) = open(account, &settings, &mut checked).await {
        let examined = within_classed(timeouts.command, session.examine("INBOX"), |e| {
            imap_class(e, CheckFailure::MailboxFailed)
        })
        .await;
        match examined {
            Ok(mailbox) => checked.passed(
                "mailbox",
                format!("INBOX holds {} messages", mailbox.exists),
            ),
            Err(failure) => checked.failed("mailbox", failure),
        }
        let _ = tokio::time::timeout(timeouts.command, session.logout()).await;
    }
    checked
}

/// Appends an email FluenzR sent by hand (an inbox answer) to the account's Sent folder (the one
/// flagged `\Sent`, else a common name), flagged `\Seen`: the one write FluenzR makes to a
/// mailbox. `account` carries its decrypted passwords. Answers where it went, or why not (the
/// answer went out all the same).
pub async fn append_to_sent(
    account: &email_account::Model,
    bytes: &[u8],
    trust: &Trust,
    allow_private: bool,
) -> Result<String, String> {
    let settings = Settings {
        trust: trust.clone(),
        allow_private,
        ..Settings::default()
    };
    let command = settings.timeouts.command;
    let mut checked = Checked::new("IMAP");
    let Some(mut session) = open(account, &settings, &mut checked).await else {
        let failed = checked.steps.last().map(|s| s.reply.clone());
        return Err(failed.unwrap_or_else(|| "the mailbox could not be opened".to_owned()));
    };
    let names: Result<Vec<async_imap::types::Name>, String> = within(command, "LIST", async {
        session.list(Some(""), Some("*")).await?.try_collect().await
    })
    .await;
    let appended = match names.map(|n| sent_folder(&n)) {
        Ok(Some(folder)) => within(
            command,
            "APPEND",
            session.append(&folder, Some("(\\Seen)"), None, bytes),
        )
        .await
        .map(|_| folder),
        Ok(None) => Err("the mailbox has no Sent folder".to_owned()),
        Err(err) => Err(err),
    };
    let _ = tokio::time::timeout(command, session.logout()).await;
    appended
}

/// Reads every account with IMAP settings.
#[derive(Clone)]
pub struct Reader {
    db: DatabaseConnection,
    keyring: Keyring,
    clock: Clock,
    settings: Settings,
}

/// What one pass over one mailbox did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub read: usize,
    pub applied: usize,
    pub duplicates: usize,
    /// Delivery reports that quote no email this account sent (kept, no effect).
    pub unmatched: usize,
    /// Emails of unknown outcome found in the Sent folder (recorded sent).
    pub found_sent: usize,
}

impl Reader {
    pub fn new(
        db: DatabaseConnection,
        keyring: Keyring,
        clock: Clock,
        settings: Settings,
    ) -> Reader {
        Reader {
            db,
            keyring,
            clock,
            settings,
        }
    }

    /// The operator's keys this reader opens passwords with.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// One pass over every account with IMAP settings: up to `concurrency` mailboxes at once,
    /// each under its own deadline and its lease (a mailbox another reader holds, or read
    /// within the interval, is skipped). A failing or stalling account delays no other.
    pub async fn run_once(&self) -> AppResult<Pass> {
        let ids: Vec<String> = email_account::Entity::find()
            .select_only()
            .column(email_account::Column::Id)
            .filter(email_account::Column::ImapHost.is_not_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        let passes: Vec<Pass> = futures_util::stream::iter(ids)
            .map(|id| self.read_leased(id))
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await;
        Ok(passes.into_iter().fold(Pass::default(), |mut total, pass| {
            total.read += pass.read;
            total.applied += pass.applied;
            total.duplicates += pass.duplicates;
            total.unmatched += pass.unmatched;
            total.found_sent += pass.found_sent;
            total
        }))
    }

    /// Reads one mailbox if this reader wins its lease, within the account deadline; gives the
    /// lease back keeping the mailbox until its next read is due.
    async fn read_leased(&self, id: String) -> Pass {
        let started = Instant::now();
        let deadline = self.settings.account_deadline;
        let claimed = mailbox_leases::claim(&self.db, &id, deadline + LEASE_MARGIN).await;
        let account = match claimed {
            Ok(Some(account)) => account,
            Ok(None) => return Pass::default(),
            Err(err) => {
                tracing::warn!(account = %id, error = %err.message, "mailbox lease failed");
                return Pass::default();
            }
        };
        // A panic while reading one mailbox ends only that mailbox's read (logged, counted).
        let read = super::supervise::guard(super::supervise::MAILBOX, &id, self.read(&account));
        let pass = match tokio::time::timeout(deadline, read).await {
            Ok(Some(Ok(pass))) => pass,
            Ok(None) => Pass::default(),
            Ok(Some(Err(err))) => {
                tracing::warn!(account = %id, error = %err.message, "mailbox read failed");
                Pass::default()
            }
            Err(_) => {
                tracing::warn!(account = %id, deadline_secs = deadline.as_secs_f64(), "mailbox read stopped at its deadline");
                Pass::default()
            }
        };
        // Read once per interval, whichever reader's turn comes next.
        let next_in = self
            .settings
            .poll_interval
            .mul_f64(0.9)
            .saturating_sub(started.elapsed());
        if let Some(held) = account.imap_locked_until_ms
            && let Err(err) = mailbox_leases::release(&self.db, &id, held, next_in).await
        {
            tracing::warn!(account = %id, error = %err.message, "mailbox lease not given back");
        }
        pass
    }

    /// Reads one mailbox from where the last pass stopped.
    pub async fn read(&self, account: &email_account::Model) -> AppResult<Pass> {
        let plain = email_accounts::with_passwords(account, &self.keyring)?;
        let mut checked = Checked::new("IMAP");
        let Some(mut session) = open(&plain, &self.settings, &mut checked).await else {
            let reply = checked
                .message()
                .unwrap_or("IMAP connection failed")
                .to_owned();
            if checked.login_refused {
                email_accounts::set_error(&self.db, &account.id, &reply).await?;
            }
            return Err(AppError::new(crate::error::ErrorCode::BadRequest, reply));
        };
        let result = self.read_session(account, &mut session).await;
        let _ = tokio::time::timeout(self.settings.timeouts.command, session.logout()).await;
        result
    }

    async fn read_session(
        &self,
        account: &email_account::Model,
        session: &mut Session,
    ) -> AppResult<Pass> {
        let command = self.settings.timeouts.command;
        let fail = |e: String| AppError::new(crate::error::ErrorCode::BadRequest, e);
        let mailbox = within(command, "EXAMINE INBOX", session.examine("INBOX"))
            .await
            .map_err(fail)?;
        let validity = i64::from(mailbox.uid_validity.unwrap_or(0));
        let now = self.clock.now();
        let same_mailbox = account.imap_uid_validity == Some(validity);
        let last = if same_mailbox {
            account.imap_last_uid.unwrap_or(0)
        } else {
            0
        };
        // A mailbox read before continues after its last UID; a new (or renumbered) one is read
        // from a few days back, and what was already acted on is recognised by Message-ID.
        let query = if same_mailbox {
            format!("UID {}:*", last + 1)
        } else {
            let since = account.imap_checked_at.unwrap_or(now).min(now)
                - chrono::Duration::days(self.settings.first_read_days);
            format!("SINCE {}", imap_date(since))
        };
        let found = within(command, "UID SEARCH", session.uid_search(&query))
            .await
            .map_err(fail)?;
        let mut uids: Vec<u32> = found
            .into_iter()
            .filter(|uid| i64::from(*uid) > last)
            .collect();
        uids.sort_unstable();
        uids.truncate(self.settings.batch);
        let mut pass = Pass::default();
        let mut highest = last;
        for uid in uids {
            // One message at a time, so memory stays bounded and progress is saved per message.
            let fetched: Vec<async_imap::types::Fetch> = within(command, "UID FETCH", async {
                session
                    .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                    .await?
                    .try_collect()
                    .await
            })
            .await
            .map_err(fail)?;
            for fetch in fetched {
                if fetch.uid != Some(uid) {
                    continue;
                }
                let Some(body) = fetch.body() else { continue };
                pass.read += 1;
                // A message that panics is passed over (the checkpoint moves past it): read
                // again, it would panic again and hold every later message.
                let job = format!("{} uid {uid}", account.id);
                let recorded = super::supervise::guard(
                    super::supervise::MAILBOX,
                    &job,
                    inbound::record(&self.db, account, body, now),
                )
                .await;
                match recorded.transpose()? {
                    Some(Recorded::Applied { .. }) => pass.applied += 1,
                    Some(Recorded::Duplicate) => pass.duplicates += 1,
                    Some(Recorded::Unmatched) => pass.unmatched += 1,
                    Some(Recorded::Ignored) | None => {}
                }
            }
            highest = highest.max(i64::from(uid));
            self.checkpoint(account, validity, highest, None).await?;
        }
        self.checkpoint(account, validity, highest, Some(now))
            .await?;
        match self.look_in_sent(account, session).await {
            Ok(found) => pass.found_sent = found,
            Err(err) => {
                tracing::warn!(account = %account.id, error = %err.message, "Sent folder lookup failed")
            }
        }
        Ok(pass)
    }

    /// Looks for this account's unknown outcomes in its Sent folder, by Message-ID: each found
    /// is recorded sent. Returns how many.
    async fn look_in_sent(
        &self,
        account: &email_account::Model,
        session: &mut Session,
    ) -> AppResult<usize> {
        let unknown = unknown_outcomes::of_account(&self.db, &account.id).await?;
        if unknown.is_empty() {
            return Ok(0);
        }
        let command = self.settings.timeouts.command;
        let fail = |e: String| AppError::new(crate::error::ErrorCode::BadRequest, e);
        let names: Vec<async_imap::types::Name> = within(command, "LIST", async {
            session.list(Some(""), Some("*")).await?.try_collect().await
        })
        .await
        .map_err(fail)?;
        let Some(sent) = sent_folder(&names) else {
            return Ok(0);
        };
        within(command, "EXAMINE Sent", session.examine(&sent))
            .await
            .map_err(fail)?;
        let mut found = 0;
        for m in unknown {
            let Some(quoted) = search_string(&m.message_id) else {
                continue;
            };
            let query = format!("HEADER Message-ID {quoted}");
            let uids = within(command, "UID SEARCH", session.uid_search(&query))
                .await
                .map_err(fail)?;
            if !uids.is_empty()
                && unknown_outcomes::found_in_sent(&self.db, &m.id, self.clock.now()).await?
            {
                found += 1;
            }
        }
        Ok(found)
    }

    async fn checkpoint(
        &self,
        account: &email_account::Model,
        validity: i64,
        last_uid: i64,
        checked_at: Option<DateTime<Utc>>,
    ) -> AppResult<()> {
        let mut update = email_account::Entity::update_many()
            .col_expr(
                email_account::Column::ImapUidValidity,
                Expr::value(validity),
            )
            .col_expr(email_account::Column::ImapLastUid, Expr::value(last_uid))
            .filter(email_account::Column::Id.eq(&account.id))
            // Settings changed meanwhile (another mailbox): that one starts afresh.
            .filter(email_account::Column::ImapHost.eq(account.imap_host.clone()))
            .filter(email_account::Column::ImapUsername.eq(account.imap_username.clone()));
        if let Some(at) = checked_at {
            update = update.col_expr(email_account::Column::ImapCheckedAt, Expr::value(at));
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    /// Reads every mailbox every poll interval until stopping is asked.
    pub fn spawn(
        self,
        mut stopping: Stopping,
        watch: super::supervise::Supervision,
    ) -> JoinHandle<()> {
        use super::supervise::{self, MAILBOX};
        tokio::spawn(async move {
            watch
                .health
                .start(MAILBOX, self.settings.poll_interval + watch.pass_limit);
            loop {
                let pass = supervise::guard(MAILBOX, "pass", self.run_once()).await;
                watch.health.beat(MAILBOX);
                if let Some(Err(err)) = pass {
                    tracing::warn!(code = err.code.as_str(), "mailbox pass failed");
                }
                if stopping.sleep(self.settings.poll_interval).await {
                    watch.health.stop(MAILBOX);
                    return;
                }
            }
        })
    }
}

/// Common names of the Sent folder, for servers that do not flag it `\Sent` (RFC 6154).
const SENT_NAMES: &[&str] = &[
    "Sent",
    "Sent Items",
    "Sent Messages",
    "INBOX.Sent",
    "INBOX/Sent",
];

/// The Sent folder among a LIST answer: the one flagged `\Sent`, else a common name.
fn sent_folder(names: &[async_imap::types::Name]) -> Option<String> {
    use async_imap::types::NameAttribute;
    let selectable = |n: &&async_imap::types::Name| {
        !n.attributes()
            .iter()
            .any(|a| matches!(a, NameAttribute::NoSelect))
    };
    names
        .iter()
        .filter(selectable)
        .find(|n| {
            n.attributes()
                .iter()
                .any(|a| matches!(a, NameAttribute::Sent))
        })
        .or_else(|| {
            SENT_NAMES.iter().find_map(|wanted| {
                names
                    .iter()
                    .filter(selectable)
                    .find(|n| n.name().eq_ignore_ascii_case(wanted))
            })
        })
        .map(|n| n.name().to_owned())
}

/// A Message-ID as an IMAP quoted string; `None` when it holds what a quoted string cannot.
fn search_string(id: &str) -> Option<String> {
    let plain = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
    plain.then(|| format!("\"{id}\""))
}

/// IMAP's date form: `27-Nov-2026`.
fn imap_date(at: DateTime<Utc>) -> String {
    at.format("%d-%b-%Y").to_string()
}
