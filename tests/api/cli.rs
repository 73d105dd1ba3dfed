//! The command-line contract: `fluenzr workspace create` and `fluenzr serve` as a user runs them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::Value;

fn database_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("cli.db").display())
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "fluenzr-cli-{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Reads a starting `serve`'s stdout until it has printed its address and demo key, then keeps
/// draining it (a closed pipe would make the server's next line kill it).
fn address_and_key(server: &mut std::process::Child) -> (String, String) {
    let (base, key) = address_and_key_or_none(server);
    (base, key.expect("a demo key on a fresh database"))
}

#[tokio::test]
async fn serve_prints_a_demo_key_once_and_workspace_create_prints_json() {
    let dir = temp_dir();
    let url = database_url(&dir);
    let bin = env!("CARGO_BIN_EXE_fluenzr");

    let mut server = Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (base, demo_key) = address_and_key(&mut server);
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{base}/v1/contacts"))
        .bearer_auth(&demo_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let out = Command::new(bin)
        .args([
            "workspace",
            "create",
            "--name",
            "Free Co",
            "--plan",
            "free",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    assert!(printed["workspaceId"].as_str().unwrap().starts_with("wsp_"));
    let free_key = printed["apiKey"].as_str().unwrap();
    let r = client
        .get(format!("{base}/v1/contacts"))
        .bearer_auth(free_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a free workspace's key needs the Pro plan"
    );

    let out = Command::new(bin)
        .args([
            "workspace",
            "create",
            "--name",
            "Pro Co",
            "--plan",
            "pro",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = client
        .get(format!("{base}/v1/contacts"))
        .bearer_auth(printed["apiKey"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    server.kill().ok();
    server.wait().ok();

    // A second start on the same database creates no second demo workspace.
    let second = Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut second = second;
    let mut lines = BufReader::new(second.stdout.take().unwrap()).lines();
    // The demo key would come before the address; the first line is the address.
    let first_line = lines.next().unwrap().unwrap();
    assert!(
        first_line.starts_with("FluenzR listening on"),
        "{first_line}"
    );
    second.kill().ok();
    second.wait().ok();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_arguments_fail_with_a_message() {
    let bin = env!("CARGO_BIN_EXE_fluenzr");
    let out = Command::new(bin)
        .args(["workspace", "create", "--name", "X", "--plan", "gold"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("gold"));
    let out = Command::new(bin).arg("export-schema").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), api::graphql::sdl());
}

#[tokio::test]
async fn a_separate_worker_process_delivers_what_the_server_queued() {
    let dir = temp_dir();
    let url = database_url(&dir);
    let bin = env!("CARGO_BIN_EXE_fluenzr");
    let receiver = crate::receiver::Receiver::start(vec![]).await;

    let mut server = Command::new(bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--no-workers",
        ])
        .env("FLUENZR_ALLOW_PRIVATE_HOSTS", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let (mut base, mut key) = (None, None);
    while base.is_none() {
        let line = lines.next().expect("server output").unwrap();
        if let Some(addr) = line.strip_prefix("FluenzR listening on ") {
            base = Some(addr.trim().to_owned());
        }
        if let Some(rest) = line.trim().strip_prefix("fz_live_") {
            key = Some(format!("fz_live_{rest}"));
        }
    }
    let (base, key) = (base.unwrap(), key.unwrap());
    api::engine::webhooks::install_tls_provider();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/v1/webhooks"))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "url": receiver.url, "events": ["contact.created"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    client
        .post(format!("{base}/v1/contacts"))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "email": "queued@example.com" }))
        .send()
        .await
        .unwrap();

    let mut worker = Command::new(bin)
        .args([
            "worker",
            "--database-url",
            &url,
            // The setting's former name still works, with a warning.
            "--allow-private-webhook-urls",
            "true",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("worker.log")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let hits = receiver
        .wait_for(1, std::time::Duration::from_secs(15))
        .await;
    assert_eq!(hits[0].json()["data"]["email"], "queued@example.com");
    worker.kill().ok();
    worker.wait().ok();
    let warned = std::fs::read_to_string(dir.join("worker.log")).unwrap();
    assert!(
        warned.contains("is now FLUENZR_ALLOW_PRIVATE_HOSTS"),
        "{warned}"
    );
    server.kill().ok();
    server.wait().ok();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_never_the_key() {
    let dir = temp_dir();
    let url = database_url(&dir);
    let bin = env!("CARGO_BIN_EXE_fluenzr");
    let log = dir.join("server.log");
    let mut server = Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url])
        .env("FLUENZR_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,api=debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let (base, key) = address_and_key(&mut server);
    api::engine::webhooks::install_tls_provider();
    let r = reqwest::Client::new()
        .post(format!("{base}/v1/contacts"))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "email": "logged@example.com" }))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{e}; server log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
    let request_id = r.headers()["request-id"].to_str().unwrap().to_owned();
    let mut found = None;
    for _ in 0..100 {
        let text = std::fs::read_to_string(&log).unwrap();
        found = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["span"]["request_id"] == request_id.as_str());
        if found.is_some() {
            assert!(!text.contains(&key), "the API key is never logged");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.kill().ok();
    server.wait().ok();
    let line = found.expect("a JSON log line carrying the request id");
    assert_eq!(line["fields"]["path"], "/v1/contacts");
    assert_eq!(line["fields"]["status"], 201);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn seed_bench_loads_a_dataset_whose_batches_fit_sqlites_variable_limit() {
    let dir = temp_dir();
    let url = database_url(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_fluenzr"))
        .args([
            "seed-bench",
            "--database-url",
            &url,
            "--workspaces",
            "1",
            "--contacts",
            "3000",
            "--campaigns",
            "1",
            "--enrol-percent",
            "100",
            "--events",
            "100",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("a JSON summary");
    assert!(summary.is_object());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bench_sending_sends_its_campaign_to_its_sink() {
    let dir = temp_dir();
    let url = database_url(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_fluenzr"))
        .args([
            "bench-sending",
            "--database-url",
            &url,
            "--emails",
            "64",
            "--table",
            "128",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let figures: Value = serde_json::from_slice(&out.stdout).expect("JSON figures");
    assert_eq!(figures["emails"], 64);
    assert!(figures["emailsPerSecond"].as_f64().unwrap() > 0.0);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn sigterm_drains_and_exits_0_and_a_second_signal_exits_at_once() {
    use tokio::io::AsyncWriteExt;
    let dir = temp_dir();
    let url = database_url(&dir);
    let bin = env!("CARGO_BIN_EXE_fluenzr");
    let start = || {
        let mut server = Command::new(bin)
            .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url])
            .env("FLUENZR_SHUTDOWN_TIMEOUT_SECS", "20")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (base, _) = address_and_key_or_none(&mut server);
        (server, base)
    };
    let signal = |server: &std::process::Child, name: &str| {
        Command::new("kill")
            .args([name, &server.id().to_string()])
            .status()
            .unwrap();
    };
    // Nothing in flight: SIGTERM exits 0 promptly.
    let (mut server, _) = start();
    signal(&server, "-TERM");
    let status = server.wait().unwrap();
    assert_eq!(status.code(), Some(0));

    // A request still arriving holds the drain (its headers may take 5 s); a second signal
    // does not wait for it.
    let (mut server, base) = start();
    let addr = base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    signal(&server, "-TERM");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(server.try_wait().unwrap().is_none(), "still draining");
    let asked = std::time::Instant::now();
    signal(&server, "-INT");
    let status = server.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(asked.elapsed() < std::time::Duration::from_secs(2));
    drop(slow);
    let _ = std::fs::remove_dir_all(dir);
}

/// The address a starting `serve` prints (the demo key is printed on a fresh database only).
fn address_and_key_or_none(server: &mut std::process::Child) -> (String, Option<String>) {
    let mut lines = BufReader::new(server.stdout.take().expect("piped stdout")).lines();
    let mut key = None;
    loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(k) = line.trim().strip_prefix("fz_live_") {
            key = Some(format!("fz_live_{k}"));
        }
        if let Some(addr) = line.strip_prefix("FluenzR listening on ") {
            let base = addr.trim().to_owned();
            std::thread::spawn(move || lines.for_each(drop));
            return (base, key);
        }
    }
}
