//! Talking SMTP for the sender: one pooled connection per email account, every command under a
//! timeout, and each failure classified by the phase it happened in — before the data nothing
//! was delivered; after the data was handed over, a broken connection means "maybe delivered".

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use entity::email_account;
use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use tokio::net::TcpStream;

use super::CheckFailure;
use crate::metrics::Held;
use crate::service::email_accounts::{self, Endpoint, SmtpSecurity};
use crate::service::sending::{Job, Outcome};

/// Timeouts of one SMTP exchange.
#[derive(Clone, Debug)]
pub struct Timeouts {
    /// Connecting, TLS and the greeting (lettre's own timeout covers only the TCP connect).
    pub connect: Duration,
    /// Each command (AUTH, MAIL, RCPT, DATA).
    pub command: Duration,
    /// Sending the content and reading the final reply.
    pub data: Duration,
    /// How long an idle pooled connection is kept.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(20),
            command: Duration::from_secs(30),
            data: Duration::from_secs(120),
            idle: Duration::from_secs(50),
        }
    }
}

/// Certificates trusted for SMTP TLS beside the public web roots (a private CA's).
#[derive(Clone, Debug, Default)]
pub struct Trust {
    extra: Vec<Vec<u8>>,
}

impl Trust {
    /// Every certificate of a PEM bundle; an error when there is none or one does not parse.
    pub fn from_pem(pem: &str) -> Result<Trust, String> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let extra: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem.as_bytes())
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
        if extra.is_empty() {
            return Err("the PEM bundle holds no certificate".into());
        }
        Ok(Trust { extra })
    }

    pub(crate) fn client_config(&self) -> std::sync::Arc<rustls::ClientConfig> {
        crate::tls::install_tls_provider();
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for der in &self.extra {
            if let Err(err) = roots.add(rustls::pki_types::CertificateDer::from(der.clone())) {
                tracing::warn!(%err, "an extra SMTP root certificate was refused");
            }
        }
        std::sync::Arc::new(
            rustls::ClientConfig::builder()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }

    fn starttls(&self, host: &str) -> Result<TlsParameters, String> {
        let mut builder = TlsParameters::builder(host.to_owned());
        for der in &self.extra {
            let cert = lettre::transport::smtp::client::Certificate::from_der(der.clone())
                .map_err(|e| e.to_string())?;
            builder = builder.add_root_certificate(cert);
        }
        builder.build_rustls().map_err(|e| e.to_string())
    }
}

/// How connections are made: timeouts, the certificates trusted, and whether private
/// addresses may be reached.
#[derive(Clone)]
struct Connector {
    timeouts: Timeouts,
    trust: Trust,
    tls: tokio_rustls::TlsConnector,
    allow_private: bool,
}

impl Connector {
    fn new(timeouts: &Timeouts, trust: &Trust, allow_private: bool) -> Connector {
        Connector {
            timeouts: timeouts.clone(),
            trust: trust.clone(),
            tls: tokio_rustls::TlsConnector::from(trust.client_config()),
            allow_private,
        }
    }
}

/// How a refused SMTP login is reported.
const AUTH_FAILED: &str = "SMTP authentication failed";

struct Idle {
    conn: Open,
    fingerprint: u64,
    since: Instant,
}

/// An open SMTP connection, counted in `fluenzr_smtp_connections` while it lives.
struct Open {
    conn: AsyncSmtpConnection,
    _counted: Held,
}

impl Open {
    fn new(conn: AsyncSmtpConnection) -> Open {
        Open {
            conn,
            _counted: Held::new(&crate::metrics::get().smtp_connections),
        }
    }
}

/// Idle connections, per email account, how new ones are made, and the bound on SMTP
/// transactions in flight across every account of this worker.
pub struct Pool {
    idle: Mutex<HashMap<String, Vec<Idle>>>,
    connector: Connector,
    transactions: tokio::sync::Semaphore,
}

/// Identifies an account's connection settings: a change means a new connection.
fn fingerprint(account: &email_account::Model) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        &account.smtp_host,
        account.smtp_port,
        &account.smtp_username,
        &account.smtp_password,
        &account.smtp_security,
    )
        .hash(&mut h);
    h.finish()
}

fn reply_text(err: &lettre::transport::smtp::Error) -> String {
    err.to_string()
}

/// A failed command: the server's refusal (permanent or not), an answer that is not SMTP,
/// a timeout, or a broken connection.
enum Refusal {
    Permanent(String),
    Transient(String),
    /// The server's answer did not parse as an SMTP reply.
    Garbled(String),
    TimedOut(String),
    Broken(String),
}

impl Refusal {
    fn text(&self) -> &str {
        match self {
            Refusal::Permanent(t)
            | Refusal::Transient(t)
            | Refusal::Garbled(t)
            | Refusal::TimedOut(t)
            | Refusal::Broken(t) => t,
        }
    }
}

fn refusal(err: lettre::transport::smtp::Error) -> Refusal {
    if err.is_permanent() {
        Refusal::Permanent(reply_text(&err))
    } else if err.is_transient() {
        Refusal::Transient(reply_text(&err))
    } else if err.is_timeout() {
        Refusal::TimedOut(reply_text(&err))
    } else if err.is_response() {
        Refusal::Garbled(reply_text(&err))
    } else {
        Refusal::Broken(reply_text(&err))
    }
}

async fn within<T>(
    limit: Duration,
    what: &str,
    fut: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, Refusal> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(err)) => Err(refusal(err)),
        Err(_) => Err(Refusal::TimedOut(format!(
            "{what} timed out after {limit:?}"
        ))),
    }
}

fn hello() -> ClientId {
    ClientId::default()
}

/// Implicit TLS over a socket we opened (so `TCP_NODELAY` is ours to set).
#[derive(Debug)]
struct TlsSocket(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for TlsSocket {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl tokio::io::AsyncRead for TlsSocket {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsSocket {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Why a socket could not be opened.
pub(crate) enum SocketError {
    /// The host resolves to an address the policy refuses.
    NotAllowed(String),
    Io(std::io::Error),
}

/// A TCP connection to an allowed address of `host`, with Nagle's algorithm off: SMTP writes the
/// message and its final dot separately, and Nagle would hold the dot until the server's delayed
/// ACK (≈ 40 ms a message). The addresses checked are the ones connected to (no rebinding).
pub(crate) async fn socket(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<TcpStream, SocketError> {
    let found: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(SocketError::Io)?
        .collect();
    if !allow_private
        && let Some(bad) = found
            .iter()
            .find(|a| !crate::service::network::is_public(a.ip()))
    {
        return Err(SocketError::NotAllowed(format!(
            "{host} resolves to {}, which is not a public address",
            bad.ip()
        )));
    }
    let stream = TcpStream::connect(&found[..])
        .await
        .map_err(SocketError::Io)?;
    stream.set_nodelay(true).map_err(SocketError::Io)?;
    Ok(stream)
}

/// Why a connection could not be opened: the sender's outcome (with the details it records),
/// and the class and step a connection check reports instead.
struct NotConnected {
    outcome: Outcome,
    step: &'static str,
    failure: CheckFailure,
}

/// The class of an SMTP failure while the session is set up (`step`: `connect` for the
/// greeting, `tls`, `login`).
fn classify(err: &Refusal, step: &'static str) -> CheckFailure {
    match err {
        Refusal::TimedOut(_) => CheckFailure::Timeout,
        Refusal::Permanent(_) | Refusal::Transient(_) => match step {
            "login" => CheckFailure::AuthFailed,
            "tls" => CheckFailure::TlsFailed,
            _ => CheckFailure::ConnectionRefused,
        },
        Refusal::Garbled(_) | Refusal::Broken(_) if step == "tls" => CheckFailure::TlsFailed,
        Refusal::Garbled(_) | Refusal::Broken(_) => CheckFailure::NotSmtp,
    }
}

/// Opens an authenticated connection for `account`, or says why not.
async fn connect(
    account: &email_account::Model,
    connector: &Connector,
) -> Result<AsyncSmtpConnection, NotConnected> {
    let timeouts = &connector.timeouts;
    let not = |outcome, step, failure| NotConnected {
        outcome,
        step,
        failure,
    };
    let Ok(Endpoint {
        host,
        port,
        security,
    }) = email_accounts::smtp_endpoint(account)
    else {
        // Logged, naming the row, by `smtp_endpoint`.
        return Err(not(
            Outcome::AccountError("the account's stored SMTP settings are not valid".into()),
            "connect",
            CheckFailure::InvalidSettings,
        ));
    };
    let deferred = |r: Refusal, step: &'static str| {
        let failure = classify(&r, step);
        not(
            Outcome::Deferred(format!("connection to {host}:{port} failed: {}", r.text())),
            step,
            failure,
        )
    };
    let opened = async {
        let tcp = match socket(&host, port, connector.allow_private).await {
            Ok(tcp) => tcp,
            Err(SocketError::NotAllowed(why)) => {
                return Err(not(
                    Outcome::AccountError(why),
                    "connect",
                    CheckFailure::HostNotAllowed,
                ));
            }
            Err(SocketError::Io(e)) => {
                let failure = if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    CheckFailure::ConnectionRefused
                } else {
                    CheckFailure::Unreachable
                };
                let why = deferred(Refusal::Broken(e.to_string()), "connect");
                return Err(NotConnected { failure, ..why });
            }
        };
        let stream: Box<dyn AsyncTokioStream> = match security {
            SmtpSecurity::Tls => {
                let name = rustls::pki_types::ServerName::try_from(host.clone())
                    .map_err(|e| deferred(Refusal::Broken(e.to_string()), "tls"))?;
                let tls = connector.tls.connect(name, tcp).await;
                Box::new(TlsSocket(
                    tls.map_err(|e| deferred(Refusal::Broken(e.to_string()), "tls"))?,
                ))
            }
            _ => Box::new(tcp),
        };
        Ok::<_, NotConnected>(stream)
    };
    let stream = match tokio::time::timeout(timeouts.connect, opened).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(why)) => return Err(why),
        Err(_) => {
            return Err(deferred(
                Refusal::TimedOut("connecting timed out".into()),
                "connect",
            ));
        }
    };
    let mut conn = within(
        timeouts.connect,
        "the greeting",
        AsyncSmtpConnection::connect_with_transport(stream, &hello()),
    )
    .await
    .map_err(|r| deferred(r, "connect"))?;
    if security == SmtpSecurity::Starttls {
        if !conn.can_starttls() {
            return Err(not(
                Outcome::Deferred(format!("{host}:{port} does not offer STARTTLS")),
                "tls",
                CheckFailure::TlsFailed,
            ));
        }
        let tls = connector.trust.starttls(&host).map_err(|e| {
            not(
                Outcome::Deferred(format!("TLS setup failed: {e}")),
                "tls",
                CheckFailure::TlsFailed,
            )
        })?;
        within(timeouts.connect, "STARTTLS", conn.starttls(tls, &hello()))
            .await
            .map_err(|r| deferred(r, "tls"))?;
    }
    let mechanisms = [Mechanism::Plain, Mechanism::Login];
    if conn.server_info().get_auth_mechanism(&mechanisms).is_some() {
        let credentials =
            Credentials::new(account.smtp_username.clone(), account.smtp_password.clone());
        match within(
            timeouts.command,
            "AUTH",
            conn.auth(&mechanisms, &credentials),
        )
        .await
        {
            Ok(_) => {}
            Err(Refusal::Permanent(t)) => {
                return Err(not(
                    Outcome::AccountError(format!("{AUTH_FAILED}: {t}")),
                    "login",
                    CheckFailure::AuthFailed,
                ));
            }
            Err(other) => {
                let failure = classify(&other, "login");
                return Err(not(
                    Outcome::Deferred(format!("AUTH failed: {}", other.text())),
                    "login",
                    failure,
                ));
            }
        }
    }
    Ok(conn)
}

/// Connects and logs in as the account would to send, then says goodbye: nothing is sent.
/// `account` carries its decrypted password. The answer classifies what failed; the server's
/// own words are never in it.
pub async fn check(
    account: &email_account::Model,
    timeouts: &Timeouts,
    trust: &Trust,
    allow_private: bool,
) -> super::Checked {
    let mut checked = super::Checked::new("SMTP");
    let server = format!("{}:{}", account.smtp_host, account.smtp_port);
    let tls = SmtpSecurity::parse(&account.smtp_security)
        .is_some_and(|security| security != SmtpSecurity::None);
    match connect(account, &Connector::new(timeouts, trust, allow_private)).await {
        Ok(mut conn) => {
            checked.passed("connect", format!("connected to {server}"));
            if tls {
                checked.passed("tls", "TLS established");
            }
            checked.passed("login", "authenticated");
            let _ = tokio::time::timeout(timeouts.command, conn.quit()).await;
        }
        Err(why) => {
            // The steps before the one that failed passed.
            for (step, reply) in [
                ("connect", format!("connected to {server}")),
                ("tls", "TLS established".to_owned()),
            ] {
                if step == why.step {
                    break;
                }
                if step == "tls" && !tls {
                    continue;
                }
                checked.passed(step, reply);
            }
            checked.failed(why.step, why.failure);
            // The account's own fault: refused credentials, or a host the policy does not allow.
            checked.login_refused = matches!(why.outcome, Outcome::AccountError(_));
        }
    }
    checked
}

/// How one transaction on an open connection ended, and whether the connection can be reused.
struct Transaction {
    outcome: Outcome,
    reusable: bool,
    /// Failed before any server reply on a reused connection: worth one retry on a new one.
    stale: bool,
}

/// What one SMTP transaction carries: the envelope and the message's bytes.
pub struct Envelope<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub bytes: &'a [u8],
}

impl<'a> From<&'a Job> for Envelope<'a> {
    fn from(job: &'a Job) -> Self {
        Envelope {
            from: &job.from,
            to: &job.to,
            bytes: &job.bytes,
        }
    }
}

/// Sends one email outside any campaign's claim (a test send): connects and logs in as a send
/// would, sends it, says goodbye. `account` carries its decrypted password.
pub async fn send_once(
    account: &email_account::Model,
    envelope: Envelope<'_>,
    timeouts: &Timeouts,
    trust: &Trust,
    allow_private: bool,
) -> Outcome {
    match connect(account, &Connector::new(timeouts, trust, allow_private)).await {
        Ok(mut conn) => {
            let result = transact(&mut conn, &envelope, timeouts).await;
            let _ = within(timeouts.command, "QUIT", conn.quit()).await;
            result.outcome
        }
        Err(why) => why.outcome,
    }
}

async fn transact(
    conn: &mut AsyncSmtpConnection,
    job: &Envelope<'_>,
    timeouts: &Timeouts,
) -> Transaction {
    let done = |outcome, reusable| Transaction {
        outcome,
        reusable,
        stale: false,
    };
    let (Ok(from), Ok(to)) = (job.from.parse::<Address>(), job.to.parse::<Address>()) else {
        return done(Outcome::Failed("invalid address".into()), true);
    };
    let mut params = Vec::new();
    if !job.bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    if !(job.from.is_ascii() && job.to.is_ascii())
        && conn.server_info().supports_feature(Extension::SmtpUtfEight)
    {
        params.push(MailParameter::SmtpUtfEight);
    }
    match within(
        timeouts.command,
        "MAIL FROM",
        conn.command(Mail::new(Some(from), params)),
    )
    .await
    {
        Ok(_) => {}
        Err(Refusal::Permanent(t)) => return done(Outcome::Failed(t), true),
        Err(Refusal::Transient(t)) => return done(Outcome::Deferred(t), true),
        Err(Refusal::Broken(t) | Refusal::Garbled(t) | Refusal::TimedOut(t)) => {
            return Transaction {
                outcome: Outcome::Deferred(t),
                reusable: false,
                stale: true,
            };
        }
    }
    for (what, step) in [("RCPT TO", 0), ("DATA", 1)] {
        let result = if step == 0 {
            within(
                timeouts.command,
                what,
                conn.command(Rcpt::new(to.clone(), vec![])),
            )
            .await
        } else {
            within(timeouts.command, what, conn.command(Data)).await
        };
        match result {
            Ok(_) => {}
            Err(Refusal::Permanent(t)) => return done(Outcome::Bounced(t), true),
            Err(Refusal::Transient(t)) => return done(Outcome::Deferred(t), true),
            Err(Refusal::Broken(t) | Refusal::Garbled(t) | Refusal::TimedOut(t)) => {
                return done(Outcome::Deferred(t), false);
            }
        }
    }
    match within(
        timeouts.data,
        "sending the message",
        conn.message(job.bytes),
    )
    .await
    {
        Ok(reply) => done(
            Outcome::Sent(reply.first_line().unwrap_or("250").to_owned()),
            true,
        ),
        Err(Refusal::Permanent(t)) => done(Outcome::Bounced(t), true),
        Err(Refusal::Transient(t)) => done(Outcome::Deferred(t), true),
        Err(Refusal::Broken(t) | Refusal::Garbled(t) | Refusal::TimedOut(t)) => {
            done(Outcome::Unknown(t), false)
        }
    }
}

impl Pool {
    /// A pool running at most `concurrency` SMTP transactions at once (at least one).
    pub fn new(
        timeouts: &Timeouts,
        trust: &Trust,
        allow_private: bool,
        concurrency: usize,
    ) -> Pool {
        Pool {
            idle: Mutex::default(),
            connector: Connector::new(timeouts, trust, allow_private),
            transactions: tokio::sync::Semaphore::new(concurrency.max(1)),
        }
    }

    /// Closes the connections idle for longer than the pool keeps them (with a QUIT, in the
    /// background); returns how many.
    pub fn close_idle(&self) -> usize {
        let keep = self.connector.timeouts.idle;
        let stale: Vec<Idle> = {
            let mut map = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            let mut stale = Vec::new();
            map.retain(|_, list| {
                let (old, fresh): (Vec<Idle>, Vec<Idle>) = list
                    .drain(..)
                    .partition(|entry| entry.since.elapsed() >= keep);
                stale.extend(old);
                *list = fresh;
                !list.is_empty()
            });
            stale
        };
        let n = stale.len();
        let command = self.connector.timeouts.command;
        for mut entry in stale {
            tokio::spawn(async move {
                let _ = within(command, "QUIT", entry.conn.conn.quit()).await;
            });
        }
        n
    }

    fn take(&self, account: &email_account::Model, idle: Duration) -> Option<Open> {
        let print = fingerprint(account);
        let mut map = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.get_mut(&account.id)?;
        while let Some(entry) = list.pop() {
            if entry.fingerprint == print && entry.since.elapsed() < idle {
                return Some(entry.conn);
            }
        }
        None
    }

    fn put(&self, account: &email_account::Model, conn: Open) {
        let mut map = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.entry(account.id.clone()).or_default();
        if list.len() < 4 {
            list.push(Idle {
                conn,
                fingerprint: fingerprint(account),
                since: Instant::now(),
            });
        }
    }

    /// Sends one claimed email and says how it ended, once one of the pool's transactions is
    /// free (a worker's lanes share the bound, whatever their accounts).
    pub async fn send(&self, job: &Job) -> Outcome {
        let Ok(_permit) = self.transactions.acquire().await else {
            return Outcome::Internal("the SMTP pool is closed".into());
        };
        let _in_flight = Held::new(&crate::metrics::get().smtp_in_flight);
        let timeouts = &self.connector.timeouts;
        let mut fresh = false;
        loop {
            let pooled = if fresh {
                None
            } else {
                self.take(&job.account, timeouts.idle)
            };
            let reused = pooled.is_some();
            let mut conn = match pooled {
                Some(conn) => conn,
                None => match connect(&job.account, &self.connector).await {
                    Ok(conn) => Open::new(conn),
                    Err(why) => return why.outcome,
                },
            };
            let result = transact(&mut conn.conn, &Envelope::from(job), timeouts).await;
            if result.stale && reused {
                // A pooled connection the server closed meanwhile: nothing was sent on it.
                fresh = true;
                continue;
            }
            if result.reusable {
                let clean = !matches!(result.outcome, Outcome::Sent(_));
                let ok = !clean
                    || within(timeouts.command, "RSET", conn.conn.command(Rset))
                        .await
                        .is_ok();
                if ok {
                    self.put(&job.account, conn);
                }
            } else {
                drop(conn);
            }
            return result.outcome;
        }
    }
}
