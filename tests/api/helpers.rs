use std::sync::{Arc, Mutex, Once};

use api::config::{Config, Secret};
use api::service::{accounts, workspaces};
use reqwest::{Method, StatusCode, header::HeaderMap};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

/// The operator secret test apps run with.
pub const TEST_SECRET: &str = "test-operator-secret";
pub const JWT_SECRET: &str = "test-session-secret-0123456789abcdef";

static TRACING: Once = Once::new();

/// Server logs appear only when `TEST_LOG` is set.
fn init_tracing() {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("debug,sqlx=info"))
                .with_test_writer()
                .init();
        }
    });
}

/// The operator's keys test apps run with (what their secrets are sealed with).
pub fn keyring() -> api::secrets::Keyring {
    api::secrets::Keyring::new(TEST_SECRET)
}

/// A fresh, empty database URL for one test.
async fn fresh_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!(
                "fz_test_{}",
                ulid::Ulid::generate().to_string().to_lowercase()
            );
            let admin = Database::connect(admin_url.clone())
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let (base, query) = match admin_url.split_once('?') {
                Some((base, query)) => (base.to_owned(), format!("?{query}")),
                None => (admin_url.clone(), String::new()),
            };
            let slash = base.rfind('/').expect("database URL has a path");
            format!("{}/{name}{query}", &base[..slash])
        }
        _ => {
            let path = std::env::temp_dir().join(format!(
                "fluenzr-test-{}.db",
                ulid::Ulid::generate().to_string().to_lowercase()
            ));
            format!("sqlite://{}?mode=rwc", path.display())
        }
    }
}

/// One response: status, headers and the parsed JSON body (Null when not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The REST error code, asserting the error envelope's shape on the way.
    pub fn error_code(&self) -> &str {
        assert_eq!(
            self.body["success"],
            json!(false),
            "not an error envelope: {}",
            self.body
        );
        assert!(
            self.body["error"]["message"].is_string(),
            "error without message: {}",
            self.body
        );
        assert!(
            self.body["error"]["details"]["requestId"].is_string(),
            "error without details.requestId: {}",
            self.body
        );
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn data(&self) -> &Value {
        assert_eq!(
            self.body["success"],
            json!(true),
            "not a success envelope ({}): {}",
            self.status,
            self.body
        );
        &self.body["data"]
    }
}

pub struct TestApp {
    pub base: String,
    /// A sending worker on this app's database and clock, driven by hand (`run_once`).
    pub sender: api::engine::sender::Sender,
    /// The mailbox reader on this app's database and clock, driven by hand (`run_once`).
    pub reader: api::engine::mailbox::Reader,
    /// The clock the app and its sender see (manual when the test configured one).
    pub clock: api::clock::Clock,
    pub database_url: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub workspace_id: String,
    pub api_key: String,
    /// Removes the test's database when the test ends, however it ends.
    _scratch: Scratch,
}

/// A test's own database: dropped (PostgreSQL) or deleted with its WAL files (SQLite) when
/// the test that made it ends.
struct Scratch {
    url: String,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(rest) = self.url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or(rest);
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            return;
        }
        let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        let Some(name) = self
            .url
            .split('?')
            .next()
            .and_then(|base| base.rsplit('/').next())
            .map(str::to_owned)
        else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: the database is
        // dropped from a thread of its own, and the test waits for it.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = Database::connect(admin).await.ok()?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        });
        let _ = dropped.join();
    }
}

/// For a test that needs PostgreSQL (ignored unless asked for): it fails, loudly, when the
/// suite was not given one.
pub fn require_postgres(app: &TestApp) {
    assert_eq!(
        app.db.get_database_backend(),
        sea_orm::DbBackend::Postgres,
        "this test needs PostgreSQL: set TEST_DATABASE_URL"
    );
}

/// Removes the database's check on `table.column` (see the migration `state_checks`), as an
/// operator editing the database by hand might: for tests of what a corrupt stored value does.
pub async fn drop_check(app: &TestApp, table: &str, column: &str) {
    use sea_orm::ConnectionTrait;
    let name = format!("{table}_{column}_check");
    let statements = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => vec![format!("ALTER TABLE {table} DROP CONSTRAINT {name}")],
        _ => vec![
            format!("DROP TRIGGER {name}_insert"),
            format!("DROP TRIGGER {name}_update"),
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    init_tracing();
    let url = fresh_database_url().await;
    let db = api::db::connect(&url).await.expect("database connects");
    start(url, db, configure).await
}

/// An app whose every SQL statement is appended to the returned log.
pub async fn spawn_counting_app() -> (TestApp, Arc<Mutex<Vec<String>>>) {
    spawn_counting_app_with(|_| {}).await
}

/// `spawn_counting_app` with a configuration tweak.
pub async fn spawn_counting_app_with(
    configure: impl FnOnce(&mut Config),
) -> (TestApp, Arc<Mutex<Vec<String>>>) {
    init_tracing();
    let url = fresh_database_url().await;
    let mut db = api::db::connect(&url).await.expect("database connects");
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let reads = log.clone();
    db.set_metric_callback(move |info| {
        // The shared rate limit's one statement per request (PostgreSQL) is the request's
        // overhead, not the operation's: the logs count what the operations run.
        if info.statement.sql.contains("fluenzr_rate_take") {
            return;
        }
        sink.lock().unwrap().push(info.statement.sql.clone());
    });
    let app = start(url, db, |config| {
        // Listing reads on PostgreSQL run on connections of their own (`db::Reads`).
        config.read_observer = Some(api::db::ReadObserver(Arc::new(move |sql: &str| {
            reads.lock().unwrap().push(sql.to_owned());
        })));
        configure(config);
    })
    .await;
    (app, log)
}

async fn start(
    url: String,
    db: DatabaseConnection,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    let url_for_workers = url.clone();
    let scratch = Scratch { url: url.clone() };
    let mut config = Config::new(url);
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.jwt_secret = Some(Secret::new(JWT_SECRET));
    // PostgreSQL requires the operator's secret; SQLite tests use it too (the key file beside a
    // database is tested through the binary).
    config.secret_key = Some(Secret::new(TEST_SECRET));
    // Background workers only where a test asks for them.
    config.run_workers = false;
    // DNS stays on this machine: a loopback server refusing every query, unless a test runs
    // one that answers.
    config.sender.dns_server = Some(refusing_dns());
    configure(&mut config);
    let app = api::app::build_with(config, db).await.expect("app builds");
    let base = format!("http://{}", app.addr);
    let db = app.state.db.clone();
    let sender = app.sender();
    let reader = app.reader();
    let clock = app.state.config.clock.clone();
    tokio::spawn(async move {
        let _ = app.serve().await;
    });
    let mut test = TestApp {
        base,
        sender,
        reader,
        clock,
        database_url: url_for_workers,
        client: {
            api::engine::webhooks::install_tls_provider();
            reqwest::Client::new()
        },
        db,
        workspace_id: String::new(),
        api_key: String::new(),
        _scratch: scratch,
    };
    let (workspace_id, api_key) = test.new_workspace("Acme", workspaces::Plan::Pro).await;
    test.workspace_id = workspace_id;
    test.api_key = api_key;
    test
}

impl TestApp {
    /// A user of this app's workspace, signed in: their session token.
    pub async fn user_session(&self, email: &str) -> String {
        accounts::create_user(
            &self.db,
            &self.workspace_id,
            email,
            "longenough",
            None,
            self.clock.now(),
        )
        .await
        .expect("user");
        let login = self
            .gql_as(
                None,
                "mutation($e: String!) { login(email: $e, password: \"longenough\") { token } }",
                json!({ "e": email }),
            )
            .await;
        login.body["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {}", login.body))
            .to_owned()
    }

    /// An API key made through a user's session: (secret, key id).
    pub async fn create_api_key(&self, session: &str) -> (String, String) {
        let created = self
            .gql_as(
                Some(session),
                "mutation { createApiKey { secret apiKey { id } } }",
                json!({}),
            )
            .await;
        let field = |path: &str| {
            created
                .body
                .pointer(path)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("no {path} in {}", created.body))
                .to_owned()
        };
        (
            field("/data/createApiKey/secret"),
            field("/data/createApiKey/apiKey/id"),
        )
    }

    /// A new workspace with an API key: (workspace id, key).
    pub async fn new_workspace(&self, name: &str, plan: workspaces::Plan) -> (String, String) {
        let workspace = workspaces::create(&self.db, name, plan, self.clock.now())
            .await
            .expect("workspace");
        let key = accounts::create_api_key(&self.db, &workspace.id, None, self.clock.now())
            .await
            .expect("api key");
        (workspace.id, key.secret)
    }

    pub async fn request_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn raw(&self, method: Method, path: &str, content: &'static str) -> Reply {
        let response = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.api_key)
            .header("content-type", "application/json")
            .body(content)
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request_as(Some(&self.api_key), Method::GET, path, None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request_as(Some(&self.api_key), Method::POST, path, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.request_as(Some(&self.api_key), Method::PUT, path, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request_as(Some(&self.api_key), Method::DELETE, path, None)
            .await
    }

    pub async fn delete_with(&self, path: &str, body: Value) -> Reply {
        self.request_as(Some(&self.api_key), Method::DELETE, path, Some(body))
            .await
    }

    /// A GraphQL request with the given token (or none).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        self.request_as(
            token,
            Method::POST,
            "/graphql",
            Some(json!({ "query": query, "variables": variables })),
        )
        .await
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Reply {
        self.gql_as(Some(&self.api_key), query, variables).await
    }

    /// Creates a contact over REST and returns its JSON.
    pub async fn contact(&self, body: Value) -> Value {
        let reply = self.post("/v1/contacts", body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.data().clone()
    }

    /// Connects an email account over REST and returns its JSON.
    pub async fn account(&self) -> Value {
        let reply = self
            .post(
                "/v1/email-accounts",
                json!({ "email": "sales@acme.test", "smtpHost": "smtp.acme.test", "smtpPassword": "s3cret-pw" }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.data().clone()
    }

    /// Creates a campaign over REST and returns its JSON.
    pub async fn campaign(&self, body: Value) -> Value {
        let reply = self.post("/v1/campaigns", body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.data().clone()
    }

    /// A campaign that can start: an account, one step and `contacts` enrolled contacts.
    pub async fn ready_campaign(&self, contacts: usize) -> (Value, Vec<String>) {
        let account = self.account().await;
        let campaign = self
            .campaign(json!({
                "name": "Ready",
                "emailAccountId": account["id"],
                "steps": [{ "subject": "Hi {{firstName}}", "body": "Hello" }, { "subject": "Bump", "body": "Again", "delayDays": 2 }]
            }))
            .await;
        let mut ids = Vec::new();
        for i in 0..contacts {
            let c = self
                .contact(json!({ "email": format!("r{i}-{}@example.com", id_of(&campaign)) }))
                .await;
            ids.push(id_of(&c));
        }
        if !ids.is_empty() {
            let r = self
                .post(
                    &format!("/v1/campaigns/{}/contacts", id_of(&campaign)),
                    json!({ "contactIds": ids }),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        (campaign, ids)
    }

    pub async fn group(&self, name: &str) -> Value {
        let reply = self.post("/v1/groups", json!({ "name": name })).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.data().clone()
    }
}

/// The first GraphQL error code of a reply.
pub fn gql_code(reply: &Reply) -> &str {
    reply.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no GraphQL error code in {}", reply.body))
}

pub fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("has id").to_owned()
}

/// A DNS server on loopback that answers every query `REFUSED` at once (a lookup fails fast,
/// as with a resolver that will not serve), shared by the tests of this process.
pub fn refusing_dns() -> std::net::SocketAddr {
    static ADDR: std::sync::OnceLock<std::net::SocketAddr> = std::sync::OnceLock::new();
    *ADDR.get_or_init(|| {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("a loopback UDP port");
        let addr = socket.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while let Ok((n, from)) = socket.recv_from(&mut buf) {
                if let Some(answer) = refused(&buf[..n]) {
                    let _ = socket.send_to(&answer, from);
                }
            }
        });
        addr
    })
}

/// The `REFUSED` answer to a query: its header (QR set, no records) and its question.
fn refused(query: &[u8]) -> Option<Vec<u8>> {
    let mut at = 12;
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1 + len;
        if len == 0 {
            break;
        }
    }
    let end = at + 4;
    let mut answer = query.get(..end)?.to_vec();
    answer[2] = 0x80 | (query[2] & 0x79);
    answer[3] = 0x05;
    answer[4..6].copy_from_slice(&[0, 1]);
    answer[6..12].fill(0);
    Some(answer)
}
