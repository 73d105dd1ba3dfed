//! The HTTP edge facing anonymous clients: metrics labels a client cannot multiply, the
//! connections one address may hold, the error envelope on refusals made before routing, and
//! the security headers and offline assets of the pages a browser opens.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine as _;
use reqwest::Method;
use serde_json::Value;
use sha2::Digest as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::*;

/// A token of random letters (a valid HTTP method or path segment).
fn random_token(len: usize) -> String {
    let mut out = String::new();
    while out.len() < len {
        out.push_str(&ulid::Ulid::generate().to_string());
    }
    out.truncate(len);
    out
}

fn label<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!("{name}=\""))? + name.len() + 2;
    let end = line[start..].find('"')? + start;
    Some(&line[start..end])
}

#[tokio::test]
async fn metrics_labels_come_from_fixed_sets_whatever_clients_send() {
    let app = spawn_app().await;
    let mut sent = Vec::new();
    for i in 0..120 {
        let method = format!("X{}", random_token(40 + i * 7));
        let path = match i % 3 {
            0 => "/healthz".to_owned(),
            1 => "/v1/contacts".to_owned(),
            _ => format!("/nowhere/{}", random_token(30)),
        };
        let r = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", app.base),
            )
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_client_error(),
            "{method} {path}: {}",
            r.status()
        );
        sent.push(method);
    }
    let mut paths = Vec::new();
    for _ in 0..40 {
        let path = format!("/{}/{}", random_token(12), random_token(20));
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        paths.push(path);
    }
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for token in sent.iter().chain(&paths) {
        assert!(!text.contains(token.as_str()), "{token} became a label");
    }
    let known: BTreeSet<&str> = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
    ]
    .into();
    let (mut methods, mut routes) = (BTreeSet::new(), BTreeSet::new());
    for line in text
        .lines()
        .filter(|l| l.starts_with("fluenzr_http_request_duration_seconds"))
    {
        let method = label(line, "method").expect("every series has a method");
        assert!(known.contains(method), "method label {method}");
        let route = label(line, "route").expect("every series has a route");
        assert!(
            route == "unmatched" || route.starts_with('/'),
            "route label {route}"
        );
        let status = label(line, "status").expect("every series has a status");
        assert!(status.parse::<u16>().is_ok(), "status label {status}");
        methods.insert(method.to_owned());
        routes.insert(route.to_owned());
    }
    assert!(methods.contains("other"), "{methods:?}");
    assert!(routes.contains("unmatched"), "{routes:?}");
    // Every label of every other metric is one the server chose.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(outcome) = label(line, "outcome") {
            assert!(outcome.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }
}

/// A connection from the given loopback address to the app.
async fn connect_from(source: [u8; 4], app: &TestApp) -> TcpStream {
    let server: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    socket.connect(server).await.unwrap()
}

/// Whether the server closed the connection within `limit` (an idle one it keeps stays open).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 512];
    match tokio::time::timeout(limit, stream.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => true,
        Err(_) => false,
    }
}

/// One request over a raw connection: the status and the body of the answer.
async fn raw_exchange(stream: &mut TcpStream, request: &[u8]) -> (u16, String, String) {
    stream.write_all(request).await.unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer within 5 s")
            .unwrap_or(0);
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
        // Stop at the end of a complete answer (the connection may stay open).
        if let Some(head_end) = find(&bytes, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if let Some(length) = length
                && bytes.len() >= head_end + 4 + length
            {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn one_address_cannot_hold_every_connection() {
    let app = spawn_app_with(|c| {
        c.http.max_connections = 8;
        c.http.max_connections_per_address = 3;
    })
    .await;
    // 127.0.0.2 opens eight connections that never finish their headers: three are kept,
    // the others are closed on arrival.
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..8 {
        let mut s = connect_from([127, 0, 0, 2], &app).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        if closed_within(&mut s, Duration::from_millis(300)).await {
            refused += 1;
        } else {
            held.push(s);
        }
    }
    assert_eq!((held.len(), refused), (3, 5));

    // Other addresses are still served.
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .expect("127.0.0.1 is served");
    assert_eq!(r.status(), StatusCode::OK);
    let mut other = connect_from([127, 0, 0, 3], &app).await;
    let (status, _, body) = raw_exchange(
        &mut other,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // A closed connection gives its address a slot back.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = connect_from([127, 0, 0, 2], &app).await;
    let (status, _, _) = raw_exchange(
        &mut again,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
}

fn assert_envelope(status: u16, head: &str, body: &str, expected: u16) {
    assert_eq!(status, expected, "{head}\n\n{body}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body:?}"));
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["error"]["code"], "BAD_REQUEST", "{body}");
    assert!(
        !body["error"]["message"].as_str().unwrap().is_empty(),
        "{body}"
    );
    let id = body["error"]["details"]["requestId"].as_str().unwrap();
    assert!(id.starts_with("req_"), "{body}");
    assert!(
        head.contains(id),
        "the request id is in the header too: {head}"
    );
}

#[tokio::test]
async fn refusals_before_routing_have_the_error_envelope() {
    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://").to_owned();

    // A request target longer than the server reads: 414.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let long = format!(
        "GET /v1/contacts?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let (status, head, body) = raw_exchange(&mut s, long.as_bytes()).await;
    assert_envelope(status, &head, &body, 414);

    // A header line that is not one: 400.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let (status, head, body) = raw_exchange(
        &mut s,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n",
    )
    .await;
    assert_envelope(status, &head, &body, 400);

    // A request line that is not one: 400.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let (status, head, body) = raw_exchange(&mut s, b"HELLO THERE\r\n\r\n").await;
    assert_envelope(status, &head, &body, 400);

    // Too many header fields: 431.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let (status, head, body) = raw_exchange(&mut s, many.as_bytes()).await;
    assert_envelope(status, &head, &body, 431);

    // A broken request after a good one on the same connection gets the envelope too.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let (status, _, body) = raw_exchange(&mut s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status, 200, "{body}");
    let (status, head, body) = raw_exchange(
        &mut s,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad\x01Header: y\r\n\r\n",
    )
    .await;
    assert_envelope(status, &head, &body, 400);

    // Routed answers are untouched by it.
    let r = app.get("/v1/contacts").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn refusals_outside_the_rest_table_have_the_error_envelope() {
    let app = spawn_app_with(|c| c.metrics_token = Some(api::config::Secret::new("scrape"))).await;
    let envelope = |r: &Reply, status: StatusCode, code: &str| {
        assert_eq!(r.status, status, "{}", r.body);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.error_code(), code);
    };
    // A method a path does not take: 405, and what it takes in Allow.
    let r = app.request_as(None, Method::DELETE, "/healthz", None).await;
    envelope(&r, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
    assert!(r.header("allow").unwrap().contains("GET"));
    let r = app
        .request_as(None, Method::from_bytes(b"BREW").unwrap(), "/docs", None)
        .await;
    envelope(&r, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
    // GraphQL's path answers in GraphQL's shape.
    let r = app.request_as(None, Method::PUT, "/graphql", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        r.body["errors"][0]["extensions"]["code"],
        "METHOD_NOT_ALLOWED"
    );
    // An asset that does not exist.
    let r = app
        .request_as(None, Method::GET, "/graphiql/nope.js", None)
        .await;
    envelope(&r, StatusCode::NOT_FOUND, "NOT_FOUND");
    // Metrics without their token.
    let r = app.request_as(None, Method::GET, "/metrics", None).await;
    envelope(&r, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
}

/// The `<script>` elements of a page without `src`: their text.
fn inline_scripts(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script") {
        let start = at + start;
        let tag_end = start + lower[start..].find('>').unwrap();
        let close = tag_end + lower[tag_end..].find("</script").unwrap();
        if !lower[start..tag_end].contains("src=") {
            out.push(html[tag_end + 1..close].to_owned());
        }
        at = close;
    }
    out
}

/// A page's security headers: a CSP allowing this server only, with a hash for each inline
/// script, no framing, no sniffing, no referrer. Used by the tracking tests on a real
/// unsubscribe page too.
pub fn assert_secure_page(headers: &reqwest::header::HeaderMap, html: &str, what: &str) {
    let header = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
    let csp = header("content-security-policy");
    let directives: Vec<Vec<&str>> = csp
        .split(';')
        .map(|d| d.split_whitespace().collect())
        .filter(|d: &Vec<&str>| !d.is_empty())
        .collect();
    let directive = |name: &str| directives.iter().find(|d| d[0] == name).cloned();
    assert_eq!(
        directive("frame-ancestors"),
        Some(vec!["frame-ancestors", "'none'"]),
        "{what}: {csp}"
    );
    let scripts = directive("script-src")
        .or_else(|| directive("default-src"))
        .unwrap_or_else(|| panic!("{what}: no script-src: {csp}"));
    for source in &scripts[1..] {
        assert!(
            ["'self'", "'none'"].contains(source) || source.starts_with("'sha256-"),
            "{what}: script source {source} in {csp}"
        );
    }
    for d in &directives {
        for source in &d[1..] {
            assert!(
                !source.contains("://") && !source.contains('*'),
                "{what}: {source} allows another host: {csp}"
            );
        }
    }
    for script in inline_scripts(html) {
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
        assert!(
            scripts.contains(&format!("'sha256-{hash}'").as_str()),
            "{what}: an inline script without its hash in {csp}"
        );
    }
}

/// Patterns by which a page, style sheet or script fetches something: none may name another
/// host. (Matched as written: `new URL("https:"…)` parses a string, it fetches nothing.)
fn assert_no_outside_fetch(text: &str, what: &str) {
    for pattern in [
        "src=\"http",
        "src='http",
        "src:\"http",
        "src:'http",
        "src=http",
        "url(http",
        "url(\"http",
        "url('http",
        "@import \"http",
        "@import url",
        "fetch(\"http",
        "fetch('http",
        "href=\"//",
        "src=\"//",
    ] {
        assert!(
            !text.contains(pattern),
            "{what} fetches from outside: …{}…",
            text.find(pattern)
                .map(|i| text[i..].chars().take(80).collect::<String>())
                .unwrap_or_default()
        );
    }
}

/// The `src`/`href` of a page's scripts and style sheets.
fn referenced_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            let target = &rest[..end];
            if target.ends_with(".js") || target.ends_with(".css") {
                out.push(target.to_owned());
            }
        }
    }
    out
}

#[tokio::test]
async fn pages_send_security_headers_and_load_nothing_from_outside() {
    let app = spawn_app().await;
    for path in [
        "/app",
        "/app/",
        "/app/campaigns/cmp_x",
        "/docs",
        "/graphql",
        "/u/not-a-token",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let headers = r.headers().clone();
        let html = r.text().await.unwrap();
        assert_secure_page(&headers, &html, path);
        assert_no_outside_fetch(&html, path);
        for asset in referenced_assets(&html) {
            assert!(asset.starts_with('/'), "{path} loads {asset}");
            let r = app
                .client
                .get(format!("{}{asset}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{asset}");
            assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{asset}");
            let text = String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned();
            assert_no_outside_fetch(&text, &asset);
        }
    }
}

#[tokio::test]
async fn graphiql_asks_for_the_key_instead_of_sending_a_placeholder() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut texts = vec![page.clone()];
    for asset in referenced_assets(&page) {
        if asset.ends_with(".js") && !asset.contains(".min.") {
            texts.push(
                app.client
                    .get(format!("{}{asset}", app.base))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap(),
            );
        }
    }
    let all = texts.concat();
    assert!(!all.contains("fz_live_"), "a placeholder key is pre-filled");
    assert!(
        !all.contains("defaultHeaders"),
        "default headers are pre-filled"
    );
    // The key the user gives is kept for the tab only and sent as the Authorization header.
    assert!(all.contains("sessionStorage"), "the key is not asked for");
    assert!(all.contains("Authorization"));
}

/// What Chromium did with one page: the DOM after scripts ran, its console, and its network
/// log (every request the page made, with the headers sent).
struct BrowserVisit {
    dom: String,
    console: String,
    net_log: Value,
}

async fn visit(url: String) -> BrowserVisit {
    let browser = crate::contract::chromium();
    let dir = std::env::temp_dir().join(format!("fluenzr-edge-{}", ulid::Ulid::generate()));
    std::fs::create_dir_all(&dir).unwrap();
    let net_log = dir.join("net.json");
    let output = {
        let dir = dir.clone();
        let net_log = net_log.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    // Offline: every name but the test server's fails to resolve.
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    "--virtual-time-budget=15000",
                    "--enable-logging=stderr",
                    "--v=0",
                    "--dump-dom",
                ])
                .arg(format!("--user-data-dir={}", dir.join("profile").display()))
                .arg(format!("--log-net-log={}", net_log.display()))
                .arg(url)
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    let text = std::fs::read_to_string(&net_log).unwrap_or_default();
    // A log cut short lacks its closing brackets.
    let net_log = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .unwrap_or(Value::Null);
    std::fs::remove_dir_all(&dir).ok();
    BrowserVisit {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        console: String::from_utf8_lossy(&output.stderr).into_owned(),
        net_log,
    }
}

impl BrowserVisit {
    fn events(&self, kind: &str) -> Vec<&Value> {
        let Some(code) = self.net_log["constants"]["logEventTypes"][kind].as_u64() else {
            return Vec::new();
        };
        self.net_log["events"]
            .as_array()
            .map(|events| {
                events
                    .iter()
                    .filter(|e| e["type"].as_u64() == Some(code))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The URLs a page from `origin` requested (the browser's own update, account and
    /// autofill checks are not the page's).
    fn page_requests(&self, origin: &str) -> Vec<String> {
        self.events("URL_REQUEST_START_JOB")
            .into_iter()
            .filter(|e| e["params"]["initiator"].as_str() == Some(origin))
            .filter_map(|e| e["params"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// The request line and headers of each HTTP request sent.
    fn sent_requests(&self) -> Vec<(String, Vec<String>)> {
        self.events("HTTP_TRANSACTION_SEND_REQUEST_HEADERS")
            .into_iter()
            .map(|e| {
                let line = e["params"]["line"]
                    .as_str()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let headers = e["params"]["headers"]
                    .as_array()
                    .map(|h| {
                        h.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                (line, headers)
            })
            .collect()
    }
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn pages_work_under_their_policy_in_a_real_browser() {
    let app = spawn_app().await;
    for (path, rendered) in [
        ("/docs", "List contacts"),
        ("/graphql", "graphiql-container"),
        ("/app", "Sign in"),
    ] {
        let seen = visit(format!("{}{path}", app.base)).await;
        assert!(
            seen.dom.contains(rendered),
            "{path} did not render under its policy: {}",
            &seen.dom[..seen.dom.len().min(2000)]
        );
        let violations: Vec<&str> = seen
            .console
            .lines()
            .filter(|l| l.contains("Content Security Policy"))
            .collect();
        assert!(violations.is_empty(), "{path}: {violations:#?}");
        let requests = seen.page_requests(&app.base);
        assert!(
            requests.len() >= 2,
            "{path}: the network log shows the page's requests: {requests:?}"
        );
        for url in &requests {
            assert!(
                url.starts_with(&format!("{}/", app.base))
                    || url.starts_with("data:")
                    || url.starts_with("blob:"),
                "{path} fetched {url} from outside"
            );
        }
        if path == "/graphql" {
            // GraphiQL read the schema anonymously: no Authorization header until a key is given.
            let posts: Vec<_> = seen
                .sent_requests()
                .into_iter()
                .filter(|(line, _)| line.starts_with("POST /graphql "))
                .collect();
            assert!(!posts.is_empty(), "GraphiQL sent no query");
            for (_, headers) in posts {
                assert!(
                    !headers
                        .iter()
                        .any(|h| h.to_ascii_lowercase().starts_with("authorization:")),
                    "{headers:?}"
                );
            }
        }
    }
}

/// A request still running past the time limit is answered 408 with the error envelope (it
/// used to be an empty body).
#[tokio::test]
async fn a_request_past_its_time_limit_is_a_408_with_the_envelope() {
    let app = spawn_app_with(|c| {
        c.allow_private_hosts(true);
        c.http.request_timeout = Duration::from_millis(300);
    })
    .await;
    // An SMTP host that accepts and never greets: the connection test waits on it.
    let stall = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = stall.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = stall.accept().await {
            open.push(socket);
        }
    });
    let account = app
        .post(
            "/v1/email-accounts",
            serde_json::json!({
                "email": "slow@acme.example",
                "smtpHost": "127.0.0.1",
                "smtpPort": port,
                "smtpSecurity": "none",
                "smtpPassword": "x",
            }),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    let id = account.data()["id"].as_str().unwrap().to_owned();
    let started = std::time::Instant::now();
    let r = app
        .post(
            &format!("/v1/email-accounts/{id}/test"),
            serde_json::json!({}),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(r.status, StatusCode::REQUEST_TIMEOUT, "{}", r.body);
    assert_eq!(r.error_code(), "REQUEST_TIMEOUT");
    assert!(r.header("request-id").is_some());
    held.abort();
}
