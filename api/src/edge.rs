//! The server's edge, before and around routing: connections per client address, the error
//! envelope on refusals hyper makes itself (a request it cannot parse), and the security
//! headers of the pages a browser opens (`/app`, `/docs`, GraphiQL, the unsubscribe pages).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv6Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use axum::http::{HeaderMap, HeaderValue, header};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

// ---------------------------------------------------------------------------------------------
// Connections per client address

/// Open connections per client address, under a limit. An IPv4 address (IPv4-mapped IPv6
/// included) is one client; an IPv6 client is its /64, the block one host usually has.
pub struct PerAddress {
    limit: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection; its address's count drops when this does.
pub struct AddressSlot {
    table: Arc<PerAddress>,
    key: IpAddr,
}

impl PerAddress {
    /// `limit` connections per address; zero admits any number.
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(PerAddress {
            limit,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for a new connection from `ip`, or `None` when its address holds the limit.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let key = client_key(ip);
        if self.limit > 0 {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            let count = open.entry(key).or_insert(0);
            if *count >= self.limit {
                return None;
            }
            *count += 1;
        }
        Some(AddressSlot {
            table: self.clone(),
            key,
        })
    }

    /// Open connections of `ip`'s client (tests, diagnostics).
    pub fn open(&self, ip: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&client_key(ip)).copied().unwrap_or(0)
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        if self.table.limit == 0 {
            return;
        }
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// The key a client's connections are counted under.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mask = !0u128 << 64;
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The error envelope on hyper's own refusals

/// A connection's byte stream, on which the answers hyper writes by itself when it cannot
/// parse a request (400 for a malformed request line or header, 414 for an overlong target,
/// 431 for too many or too large headers: a status line and `content-length: 0`) are replaced
/// by the same answer with the JSON error envelope. Those answers are told apart from the
/// router's by the `request-id` header every routed answer carries; hyper closes the connection
/// after one.
pub struct EnvelopedRefusals<S> {
    inner: S,
    /// The replacement being written: its bytes, how many are out, and how many bytes of
    /// hyper's answer it stands for.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl<S> EnvelopedRefusals<S> {
    pub fn new(inner: S) -> Self {
        EnvelopedRefusals {
            inner,
            replacing: None,
        }
    }
}

/// When `bytes` begin with an answer hyper made for a request it could not parse: the
/// length of that answer's head and the replacement.
fn refusal(bytes: &[u8]) -> Option<(usize, Vec<u8>)> {
    const PREFIX: &[u8] = b"HTTP/1.1 ";
    if !bytes.starts_with(PREFIX) || bytes.len() < PREFIX.len() + 3 {
        return None;
    }
    let status = &bytes[PREFIX.len()..PREFIX.len() + 3];
    let (status, message) = match status {
        b"400" => (
            400,
            "The request could not be read: its request line or a header is malformed",
        ),
        b"414" => (414, "The request target is too long"),
        b"431" => (
            431,
            "The request has too many header fields, or they are too large",
        ),
        _ => return None,
    };
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&bytes[..end]);
    let lower = head.to_ascii_lowercase();
    if lower.contains("\r\nrequest-id:") || !lower.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let request_id = crate::ids::new_id("req");
    let body = serde_json::json!({
        "success": false,
        "error": {
            "code": crate::error::ErrorCode::BadRequest.as_str(),
            "message": message,
            "details": { "requestId": request_id },
        },
    })
    .to_string();
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Bad Request");
    let date = head
        .split("\r\n")
        .find(|line| line.to_ascii_lowercase().starts_with("date:"))
        .map(|line| format!("{line}\r\n"))
        .unwrap_or_default();
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nrequest-id: {request_id}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n{date}\r\n{body}",
        body.len()
    );
    Some((end, answer.into_bytes()))
}

impl<S: AsyncWrite + Unpin> EnvelopedRefusals<S> {
    /// Writes out the replacement under way; ready with the number of bytes of hyper's answer
    /// it stands for.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<usize>>> {
        let Some((bytes, written, stands_for)) = &mut self.replacing else {
            return Poll::Ready(Ok(None));
        };
        while *written < bytes.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        let consumed = *stands_for;
        self.replacing = None;
        Poll::Ready(Ok(Some(consumed)))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for EnvelopedRefusals<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for EnvelopedRefusals<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none()
            && let Some((head, answer)) = refusal(buf)
        {
            this.replacing = Some((answer, 0, head));
        }
        if let Some(consumed) = ready!(this.poll_replacement(cx))? {
            return Poll::Ready(Ok(consumed));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none()
            && let Some(first) = bufs.iter().find(|b| !b.is_empty())
            && let Some((head, answer)) = refusal(first)
        {
            this.replacing = Some((answer, 0, head));
        }
        if let Some(consumed) = ready!(this.poll_replacement(cx))? {
            return Poll::Ready(Ok(consumed));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------------
// Security headers of pages

/// The policy of every page this server sends: its own scripts, styles, images, fonts and API
/// only (inline styles allowed, inline scripts only by hash), never framed.
const POLICY: &str = "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The Content-Security-Policy for `html`: the common policy, with the SHA-256 hash of each
/// inline script the page has, so those run and no other inline script does.
pub fn content_security_policy(html: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut hashes = String::new();
    for script in inline_scripts(html) {
        let digest = sha2::Sha256::digest(script);
        hashes.push_str(" 'sha256-");
        hashes.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        hashes.push('\'');
    }
    POLICY.replace("{hashes}", &hashes)
}

/// The text of each `<script>` element of `html` without a `src`.
fn inline_scripts(html: &[u8]) -> Vec<&[u8]> {
    let lower = html.to_ascii_lowercase();
    let find = |from: usize, needle: &[u8]| {
        lower[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = find(at, b"<script") {
        let Some(tag_end) = find(start, b">") else {
            break;
        };
        let close = find(tag_end, b"</script").unwrap_or(html.len());
        let tag = &lower[start..tag_end];
        if !tag.windows(4).any(|w| w == b"src=") {
            out.push(&html[tag_end + 1..close]);
        }
        at = close;
    }
    out
}

/// The headers of everything a page loads: no type sniffing, no referrer, no framing.
pub fn asset_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// The headers of an HTML page: those of an asset and its Content-Security-Policy.
pub fn page_headers(headers: &mut HeaderMap, html: &[u8]) {
    asset_headers(headers);
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(html)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
}

/// A page built into the binary, with its policy computed once.
pub struct StaticPage {
    html: &'static str,
    policy: std::sync::OnceLock<HeaderValue>,
}

impl StaticPage {
    pub const fn new(html: &'static str) -> Self {
        StaticPage {
            html,
            policy: std::sync::OnceLock::new(),
        }
    }

    pub fn response(&self) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let policy = self.policy.get_or_init(|| {
            HeaderValue::from_str(&content_security_policy(self.html.as_bytes()))
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
        });
        let mut response = axum::response::Html(self.html).into_response();
        let headers = response.headers_mut();
        asset_headers(headers);
        headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_sourced_ones_are_not() {
        let html = b"<p><script src=\"/a.js\"></script><SCRIPT>alert(1)</SCRIPT><script type=\"module\">x()</script>";
        let scripts = inline_scripts(html);
        assert_eq!(scripts, vec![&b"alert(1)"[..], &b"x()"[..]]);
        let policy = content_security_policy(html);
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        assert!(!content_security_policy(b"<p>").contains("sha256"));
    }

    #[test]
    fn hyper_refusals_are_replaced_and_routed_answers_are_not() {
        let hyper = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: Mon, 07 Dec 2026 08:02:08 GMT\r\n\r\n";
        let (head, answer) = refusal(hyper).unwrap();
        assert_eq!(head, hyper.len());
        let answer = String::from_utf8(answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 414 URI Too Long\r\n"),
            "{answer}"
        );
        assert!(answer.contains("date: Mon, 07 Dec 2026 08:02:08 GMT\r\n"));
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, body.len());
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"]["code"], "BAD_REQUEST");
        let routed = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nrequest-id: req_1\r\ncontent-length: 0\r\n\r\n";
        assert!(refusal(routed).is_none());
        assert!(refusal(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(refusal(b"{\"success\":false}").is_none());
    }

    #[test]
    fn ipv6_clients_count_by_their_block() {
        let table = PerAddress::new(2);
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let _one = table.admit(a).unwrap();
        let two = table.admit(b).unwrap();
        assert!(table.admit(a).is_none(), "the /64 holds its two");
        assert!(table.admit(other).is_some());
        drop(two);
        assert_eq!(table.open(a), 1);
        assert!(table.admit(b).is_some());
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let _m = table.admit(mapped).unwrap();
        let _v = table.admit(v4).unwrap();
        assert!(
            table.admit(v4).is_none(),
            "a mapped address is its IPv4 address"
        );
        assert_eq!(PerAddress::new(0).open(v4), 0);
    }
}
