//! A small in-process SMTP server that records the mail the application sends, with optional
//! AUTH and per-recipient scripted replies to provoke 4xx retries and 5xx bounces.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use mail_parser::{Message, MessageParser, MimeHeaders};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

const DEFAULT_RCPT_REPLY: &str = "250 2.1.5 OK";
const DEFAULT_DATA_REPLY: &str = "250 2.0.0 OK queued";

/// One message the server accepted: the envelope and the raw RFC 5322 text (dot-stuffing undone).
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender from `MAIL FROM`, without angle brackets (empty for `<>`).
    pub from: String,
    /// The envelope recipients whose `RCPT TO` was accepted, in order.
    pub to: Vec<String>,
    /// The message as transmitted, with CRLF line endings.
    pub raw: String,
}

impl Received {
    fn parsed(&self) -> Option<Message<'_>> {
        MessageParser::default().parse(self.raw.as_bytes())
    }

    /// The raw value of the last header `name` (case-insensitive), unfolded and trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = self.parsed()?;
        let value = message.header_raw(name)?;
        Some(
            value
                .replace("\r\n ", " ")
                .replace("\r\n\t", "\t")
                .trim()
                .to_string(),
        )
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> Option<String> {
        Some(self.parsed()?.subject()?.to_string())
    }

    /// The decoded content of the first `text/plain` part that is not an attachment.
    pub fn text_body(&self) -> Option<String> {
        self.first_text_part("plain")
    }

    /// The decoded content of the first `text/html` part that is not an attachment.
    pub fn html_body(&self) -> Option<String> {
        self.first_text_part("html")
    }

    /// The top-level media type, lowercased, e.g. `multipart/alternative` or `text/plain`.
    pub fn content_type(&self) -> Option<String> {
        let message = self.parsed()?;
        let content_type = message.root_part().content_type()?;
        let subtype = content_type.subtype().unwrap_or_default();
        Some(format!("{}/{subtype}", content_type.ctype()).to_ascii_lowercase())
    }

    fn first_text_part(&self, subtype: &str) -> Option<String> {
        let message = self.parsed()?;
        let part = message.parts.iter().find(|part| {
            let (ctype, sub) = part.content_type().map_or(("text", "plain"), |ct| {
                (ct.ctype(), ct.subtype().unwrap_or_default())
            });
            ctype.eq_ignore_ascii_case("text")
                && sub.eq_ignore_ascii_case(subtype)
                && part.is_text()
                && !part
                    .content_disposition()
                    .is_some_and(|cd| cd.is_attachment())
        })?;
        Some(part.text_contents()?.to_string())
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    rcpt_scripts: HashMap<String, VecDeque<String>>,
    rcpt_always: HashMap<String, String>,
    rcpt_attempts: HashMap<String, usize>,
    data_script: VecDeque<String>,
    stall_after_data: bool,
    connections: usize,
    tls_handshakes: usize,
    auth_failures: usize,
    transcript: Vec<String>,
}

/// How the server offers TLS (its certificate is `tests/fixtures/smtp-cert.pem`, for
/// `127.0.0.1` and `localhost`, issued by `tests/fixtures/smtp-ca.pem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    None,
    /// Plain first; `STARTTLS` advertised and honoured.
    Starttls,
    /// TLS from the first byte (as on port 465).
    Implicit,
}

/// The test CA, PEM: what a client must trust to talk to a TLS test server.
pub const TEST_CA: &str = include_str!("../fixtures/smtp-ca.pem");

fn acceptor() -> TlsAcceptor {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(include_bytes!("../fixtures/smtp-cert.pem"))
            .collect::<Result<_, _>>()
            .expect("test certificate");
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("../fixtures/smtp-key.pem"))
        .expect("test key");
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server TLS config");
    TlsAcceptor::from(Arc::new(config))
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

struct Shared {
    tls: Tls,
    credentials: Option<(String, String)>,
    state: Mutex<State>,
    arrived: Notify,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running test SMTP server on `127.0.0.1`; it stops (closing every connection) when dropped.
pub struct SmtpServer {
    /// The address the server listens on.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept_loop: JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

impl SmtpServer {
    /// Binds an ephemeral port and starts accepting; with `credentials` (user, password),
    /// AUTH PLAIN/LOGIN is advertised and required before `MAIL FROM`.
    pub async fn start(credentials: Option<(&str, &str)>) -> SmtpServer {
        SmtpServer::start_with(credentials, Tls::None).await
    }

    /// `start`, offering TLS as `tls` says.
    pub async fn start_with(credentials: Option<(&str, &str)>, tls: Tls) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the test SMTP server");
        let addr = listener
            .local_addr()
            .expect("local address of the test SMTP server");
        let shared = Arc::new(Shared {
            tls,
            credentials: credentials.map(|(user, pass)| (user.to_string(), pass.to_string())),
            state: Mutex::default(),
            arrived: Notify::new(),
        });
        let accept_loop = tokio::spawn(accept(listener, shared.clone()));
        SmtpServer {
            addr,
            shared,
            accept_loop,
        }
    }

    /// TLS sessions the server completed (implicit or after STARTTLS).
    pub fn tls_handshakes(&self) -> usize {
        self.shared.state().tls_handshakes
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The listening host, `127.0.0.1`.
    pub fn host(&self) -> String {
        self.addr.ip().to_string()
    }

    /// Queues full reply lines (e.g. `"451 4.7.1 Try again later"`) for the next `RCPT TO`
    /// of `address` (case-insensitive), one per attempt; afterwards `250 2.1.5 OK`.
    pub fn script_rcpt(&self, address: &str, replies: &[&str]) {
        let mut state = self.shared.state();
        let queue = state
            .rcpt_scripts
            .entry(address.to_ascii_lowercase())
            .or_default();
        queue.extend(replies.iter().map(|reply| reply.to_string()));
    }

    /// Answers every `RCPT TO` of `address` (case-insensitive) with `reply`.
    pub fn reject_rcpt_always(&self, address: &str, reply: &str) {
        let mut state = self.shared.state();
        state
            .rcpt_always
            .insert(address.to_ascii_lowercase(), reply.to_string());
    }

    /// Queues replies to the final `.` of DATA, one per message; afterwards `250 2.0.0 OK queued`.
    pub fn script_data(&self, replies: &[&str]) {
        let mut state = self.shared.state();
        state
            .data_script
            .extend(replies.iter().map(|reply| reply.to_string()));
    }

    /// When on, the server never answers the final `.` of DATA (the connection stays open).
    pub fn stall_after_data(&self, on: bool) {
        self.shared.state().stall_after_data = on;
    }

    /// The messages whose DATA got a 2xx reply, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.state().received.clone()
    }

    /// Waits until at least `n` messages were received or `timeout` passed; returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            let received = self.received();
            if received.len() >= n || tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.received();
            }
        }
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.shared.state().connections
    }

    /// How many AUTH attempts failed with wrong credentials.
    pub fn auth_failures(&self) -> usize {
        self.shared.state().auth_failures
    }

    /// Every command line received, in order, with AUTH payloads replaced by `***`.
    pub fn transcript(&self) -> Vec<String> {
        self.shared.state().transcript.clone()
    }

    /// How many `RCPT TO` commands named `address` (case-insensitive).
    pub fn rcpt_attempts(&self, address: &str) -> usize {
        let state = self.shared.state();
        state
            .rcpt_attempts
            .get(&address.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        while sessions.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        shared.state().connections += 1;
        let shared = shared.clone();
        sessions.spawn(async move {
            let io: Box<dyn Io> = if shared.tls == Tls::Implicit {
                match acceptor().accept(stream).await {
                    Ok(tls) => {
                        shared.state().tls_handshakes += 1;
                        Box::new(tls)
                    }
                    Err(_) => return,
                }
            } else {
                Box::new(stream)
            };
            let encrypted = shared.tls == Tls::Implicit;
            let _ = Session::new(shared, io, encrypted).run().await;
        });
    }
}

struct Session {
    shared: Arc<Shared>,
    io: BufReader<Box<dyn Io>>,
    encrypted: bool,
    greeted: bool,
    authenticated: bool,
    from: Option<String>,
    to: Vec<String>,
}

impl Session {
    fn new(shared: Arc<Shared>, io: Box<dyn Io>, encrypted: bool) -> Session {
        let authenticated = shared.credentials.is_none();
        Session {
            shared,
            io: BufReader::new(io),
            encrypted,
            greeted: false,
            authenticated,
            from: None,
            to: Vec::new(),
        }
    }

    async fn run(mut self) -> io::Result<()> {
        self.reply("220 localhost ESMTP test server").await?;
        while let Some(line) = self.read_line().await? {
            let (verb, arg) = match line.split_once(' ') {
                Some((verb, arg)) => (verb.to_ascii_uppercase(), arg.trim()),
                None => (line.to_ascii_uppercase(), ""),
            };
            let logged = if verb == "AUTH" {
                format!("AUTH {} ***", arg.split(' ').next().unwrap_or_default())
            } else {
                line.clone()
            };
            self.shared.state().transcript.push(logged);
            match verb.as_str() {
                "EHLO" | "HELO" => self.hello(&verb, arg).await?,
                "AUTH" => self.auth(arg).await?,
                "MAIL" => self.mail(arg).await?,
                "RCPT" => self.rcpt(arg).await?,
                "DATA" => self.data().await?,
                "RSET" => {
                    self.reset();
                    self.reply("250 2.0.0 OK").await?
                }
                "NOOP" => self.reply("250 2.0.0 OK").await?,
                "STARTTLS" if self.shared.tls == Tls::Starttls && !self.encrypted => {
                    self.reply("220 2.0.0 Ready to start TLS").await?;
                    let plain = std::mem::replace(
                        &mut self.io,
                        BufReader::new(Box::new(tokio::io::duplex(1).0)),
                    )
                    .into_inner();
                    let tls = acceptor().accept(plain).await?;
                    self.shared.state().tls_handshakes += 1;
                    self.io = BufReader::new(Box::new(tls));
                    self.encrypted = true;
                    self.greeted = false;
                    self.reset();
                }
                "QUIT" => return self.reply("221 2.0.0 Bye").await,
                _ => self.reply("502 5.5.2 Command not recognized").await?,
            }
        }
        Ok(())
    }

    async fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut buf = Vec::new();
        if self.io.read_until(b'\n', &mut buf).await? == 0 {
            return Ok(None);
        }
        if buf.ends_with(b"\n") {
            buf.pop();
        }
        if buf.ends_with(b"\r") {
            buf.pop();
        }
        Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
    }

    async fn reply(&mut self, line: &str) -> io::Result<()> {
        self.io.write_all(format!("{line}\r\n").as_bytes()).await?;
        self.io.flush().await
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }

    async fn hello(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        if arg.is_empty() {
            return self.reply("501 5.5.4 Domain name required").await;
        }
        self.reset();
        self.greeted = true;
        if verb == "HELO" {
            return self.reply("250 localhost").await;
        }
        let auth = match self.shared.credentials {
            Some(_) => "250-AUTH PLAIN LOGIN\r\n",
            None => "",
        };
        let starttls = if self.shared.tls == Tls::Starttls && !self.encrypted {
            "250-STARTTLS\r\n"
        } else {
            ""
        };
        let lines = format!(
            "250-localhost greets {arg}\r\n{starttls}{auth}250-SIZE 35882577\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        );
        self.io.write_all(lines.as_bytes()).await?;
        self.io.flush().await
    }

    async fn auth(&mut self, arg: &str) -> io::Result<()> {
        let Some((user, pass)) = self.shared.credentials.clone() else {
            return self.reply("502 5.5.1 AUTH not supported").await;
        };
        if self.authenticated {
            return self.reply("503 5.5.1 Already authenticated").await;
        }
        let (mechanism, initial) = match arg.split_once(' ') {
            Some((mechanism, initial)) => (mechanism.to_ascii_uppercase(), Some(initial.trim())),
            None => (arg.to_ascii_uppercase(), None),
        };
        let initial = initial.map(str::to_string);
        let credentials = match mechanism.as_str() {
            "PLAIN" => self.challenge(initial, "").await?.map(|plain| {
                let mut fields = plain.split('\0').skip(1).map(str::to_string);
                (
                    fields.next().unwrap_or_default(),
                    fields.next().unwrap_or_default(),
                )
            }),
            "LOGIN" => match self.challenge(initial, "Username:").await? {
                Some(login) => self
                    .challenge(None, "Password:")
                    .await?
                    .map(|pass| (login, pass)),
                None => None,
            },
            _ => {
                return self
                    .reply("504 5.5.4 Unrecognized authentication type")
                    .await;
            }
        };
        match credentials {
            None => self.reply("501 5.5.2 Invalid AUTH response").await,
            Some(given) if given == (user, pass) => {
                self.authenticated = true;
                self.reply("235 2.7.0 Authentication successful").await
            }
            Some(_) => {
                self.shared.state().auth_failures += 1;
                self.reply("535 5.7.8 Authentication credentials invalid")
                    .await
            }
        }
    }

    async fn challenge(
        &mut self,
        initial: Option<String>,
        prompt: &str,
    ) -> io::Result<Option<String>> {
        let encoded = match initial {
            Some(encoded) => encoded,
            None => {
                self.reply(&format!("334 {}", BASE64.encode(prompt)))
                    .await?;
                let line = self.read_line().await?.unwrap_or_default();
                self.shared.state().transcript.push("***".into());
                line
            }
        };
        let decoded = match encoded.trim() {
            "*" => None,
            "=" => Some(Vec::new()),
            encoded => BASE64.decode(encoded).ok(),
        };
        Ok(decoded.and_then(|bytes| String::from_utf8(bytes).ok()))
    }

    async fn mail(&mut self, arg: &str) -> io::Result<()> {
        if !self.greeted {
            return self.reply("503 5.5.1 Send HELO/EHLO first").await;
        }
        if !self.authenticated {
            return self.reply("530 5.7.0 Authentication required").await;
        }
        if self.from.is_some() {
            return self.reply("503 5.5.1 Nested MAIL command").await;
        }
        match path(arg, "FROM:") {
            Some(from) => {
                self.from = Some(from);
                self.reply("250 2.1.0 OK").await
            }
            None => self.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await,
        }
    }

    async fn rcpt(&mut self, arg: &str) -> io::Result<()> {
        if self.from.is_none() {
            return self.reply("503 5.5.1 Need MAIL before RCPT").await;
        }
        let Some(to) = path(arg, "TO:").filter(|to| !to.is_empty()) else {
            return self.reply("501 5.5.4 Syntax: RCPT TO:<address>").await;
        };
        let key = to.to_ascii_lowercase();
        let reply = {
            let mut state = self.shared.state();
            *state.rcpt_attempts.entry(key.clone()).or_default() += 1;
            match state.rcpt_always.get(&key) {
                Some(always) => always.clone(),
                None => state
                    .rcpt_scripts
                    .get_mut(&key)
                    .and_then(VecDeque::pop_front)
                    .unwrap_or_else(|| DEFAULT_RCPT_REPLY.to_string()),
            }
        };
        if reply.starts_with('2') {
            self.to.push(to);
        }
        self.reply(&reply).await
    }

    async fn data(&mut self) -> io::Result<()> {
        let Some(from) = self.from.clone() else {
            return self.reply("503 5.5.1 Need MAIL command").await;
        };
        if self.to.is_empty() {
            return self.reply("554 5.5.1 No valid recipients").await;
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>").await?;
        let mut raw = String::new();
        loop {
            let Some(line) = self.read_line().await? else {
                return Ok(());
            };
            if line == "." {
                break;
            }
            raw.push_str(line.strip_prefix('.').unwrap_or(&line));
            raw.push_str("\r\n");
        }
        let to = std::mem::take(&mut self.to);
        self.from = None;
        let reply = {
            let mut state = self.shared.state();
            if state.stall_after_data {
                None
            } else {
                let reply = state.data_script.pop_front();
                let reply = reply.unwrap_or_else(|| DEFAULT_DATA_REPLY.to_string());
                if reply.starts_with('2') {
                    state.received.push(Received { from, to, raw });
                    self.shared.arrived.notify_waiters();
                }
                Some(reply)
            }
        };
        match reply {
            Some(reply) => self.reply(&reply).await,
            None => std::future::pending().await,
        }
    }
}

fn path(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start().strip_prefix('<')?;
    let (address, _parameters) = rest.split_once('>')?;
    Some(address.to_string())
}
