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
    let mut lines = BufReader::new(server.stdout.take().expect("piped stdout")).lines();
    let (mut base, mut key) = (None, None);
    while base.is_none() || key.is_none() {
        let line = lines.next().expect("server output").unwrap();
        if let Some(addr) = line.strip_prefix("FluenzR listening on ") {
            base = Some(addr.trim().to_owned());
        }
        if let Some(k) = line.trim().strip_prefix("fz_live_") {
            key = Some(format!("fz_live_{k}"));
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (base.unwrap_or_default(), key.unwrap_or_default())
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
        .env("FLUENZR_ALLOW_PRIVATE_WEBHOOK_URLS", "true")
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
            "--allow-private-webhook-urls",
            "true",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let hits = receiver
        .wait_for(1, std::time::Duration::from_secs(15))
        .await;
    assert_eq!(hits[0].json()["data"]["email"], "queued@example.com");
    worker.kill().ok();
    worker.wait().ok();
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
