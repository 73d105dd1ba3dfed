//! The account connection test answers classified failures, never the bytes a server sent:
//! loopback servers that refuse, stall, speak something else, or break TLS.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::helpers::{TestApp, id_of, spawn_app_with};

/// Bytes a misbehaving server sends; none of them may come back to the caller.
const PEER_BYTES: &str = "HTTP/1.1 400 Bad Request\r\nX-Peer-Marker: peer-secret-4711\r\n\r\n";

/// A port nothing listens on.
async fn refusing_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// A server that accepts and then answers with `reply` (and closes), or never answers.
async fn server(reply: Option<&'static str>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            match reply {
                Some(bytes) => {
                    let _ = socket.write_all(bytes.as_bytes()).await;
                    let _ = socket.flush().await;
                    held.push(socket);
                }
                // Stalls: the connection stays open and silent.
                None => held.push(socket),
            }
        }
    });
    port
}

async fn check(app: &TestApp, settings: Value) -> Value {
    let mut body = json!({
        "email": "sales@acme.test",
        "smtpHost": "127.0.0.1",
        "smtpSecurity": "none",
        "smtpPassword": "pw",
    });
    for (k, v) in settings.as_object().unwrap() {
        body[k] = v.clone();
    }
    let account = app.post("/v1/email-accounts", body).await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    let r = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(account.data())),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = r.body.to_string();
    for leak in ["peer-secret-4711", "Bad Request", "input", "[52,48"] {
        assert!(!text.contains(leak), "the peer's bytes came back: {text}");
    }
    r.data().clone()
}

fn failed_step(check: &Value) -> (String, String) {
    let step = check["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ok"] == false)
        .unwrap_or_else(|| panic!("no failed step: {check}"));
    (
        step["step"].as_str().unwrap().to_owned(),
        check["error"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn smtp_failures_are_classified() {
    let app = spawn_app_with(|c| c.allow_private_hosts(true)).await;
    let refused = check(&app, json!({ "smtpPort": refusing_port().await })).await;
    assert_eq!(refused["smtp"]["ok"], false);
    assert_eq!(
        failed_step(&refused["smtp"]),
        ("connect".into(), "connection_refused".into())
    );

    let garbage = check(&app, json!({ "smtpPort": server(Some(PEER_BYTES)).await })).await;
    assert_eq!(
        failed_step(&garbage["smtp"]),
        ("connect".into(), "not_smtp".into())
    );
    assert_eq!(
        garbage["emailAccount"]["status"], "ok",
        "a server that is not SMTP is not the account's credentials"
    );

    // TLS expected, plain text met.
    let tls = check(
        &app,
        json!({ "smtpPort": server(Some("220 plain.example ESMTP\r\n")).await, "smtpSecurity": "tls" }),
    )
    .await;
    assert_eq!(
        failed_step(&tls["smtp"]),
        ("tls".into(), "tls_failed".into())
    );

    let stalled = check(&app, json!({ "smtpPort": server(None).await })).await;
    assert_eq!(
        failed_step(&stalled["smtp"]),
        ("connect".into(), "timeout".into())
    );
}

#[tokio::test]
async fn a_refused_smtp_login_is_auth_failed_without_the_servers_reply() {
    let app = spawn_app_with(|c| c.allow_private_hosts(true)).await;
    let smtp = crate::smtp::SmtpServer::start(Some(("sales@acme.test", "right"))).await;
    let checked = check(
        &app,
        json!({ "smtpHost": smtp.host(), "smtpPort": smtp.port(), "smtpUsername": "sales@acme.test", "smtpPassword": "wrong" }),
    )
    .await;
    assert_eq!(
        failed_step(&checked["smtp"]),
        ("login".into(), "auth_failed".into())
    );
    assert_eq!(checked["emailAccount"]["status"], "error");
    let last = checked["emailAccount"]["lastError"].as_str().unwrap();
    assert!(last.contains("login failed"), "{last}");
    assert!(!last.contains("535"), "{last}");
}

#[tokio::test]
async fn imap_failures_are_classified_too() {
    let app = spawn_app_with(|c| c.allow_private_hosts(true)).await;
    let smtp = crate::smtp::SmtpServer::start(None).await;
    let imap = |port: u16, security: &str| {
        json!({
            "smtpHost": smtp.host(),
            "smtpPort": smtp.port(),
            "imapHost": "127.0.0.1",
            "imapPort": port,
            "imapSecurity": security,
            "imapPassword": "pw",
        })
    };
    let refused = check(&app, imap(refusing_port().await, "none")).await;
    assert_eq!(refused["smtp"]["ok"], true, "{refused}");
    assert_eq!(
        failed_step(&refused["imap"]),
        ("connect".into(), "connection_refused".into())
    );
    let garbage = check(&app, imap(server(Some(PEER_BYTES)).await, "none")).await;
    assert_eq!(
        failed_step(&garbage["imap"]),
        ("login".into(), "not_imap".into())
    );
    let tls = check(&app, imap(server(Some("* OK plain\r\n")).await, "tls")).await;
    assert_eq!(
        failed_step(&tls["imap"]),
        ("tls".into(), "tls_failed".into())
    );
}
