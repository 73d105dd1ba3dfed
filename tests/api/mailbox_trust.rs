//! Reading mailboxes you can trust: a bounce report acts only on an email it quotes that the
//! account sent (anything else is kept, unmatched, with no effect); a stalling IMAP host delays
//! no other mailbox; several readers log in to a mailbox once per interval.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::config::{Config, Secret};
use entity::{email_account, message};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{TEST_SECRET, TestApp, id_of, spawn_app_with};
use crate::imap::Dovecot;
use crate::mailbox::{
    IMAP_PASSWORD, SMTP_PASSWORD, USER, account, bounce_report, configure, contacts_by_email,
    reply, sent_campaign, to_of,
};
use crate::smtp::SmtpServer;

/// Another account of the workspace (`email`), reading `imap_user` on 127.0.0.1:`port`.
async fn imap_account(
    app: &TestApp,
    smtp: &SmtpServer,
    email: &str,
    port: u16,
    imap_user: &str,
) -> Value {
    let r = app
        .post(
            "/v1/email-accounts",
            json!({
                "email": email,
                "smtpHost": smtp.host(),
                "smtpPort": smtp.port(),
                "smtpSecurity": "none",
                "smtpUsername": USER,
                "smtpPassword": SMTP_PASSWORD,
                "sendGapSeconds": 0,
                "imapHost": "127.0.0.1",
                "imapPort": port,
                "imapSecurity": "none",
                "imapUsername": imap_user,
                "imapPassword": IMAP_PASSWORD,
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.data().clone()
}

/// A report naming only a recipient: no original attached, nothing quoted.
fn bare_report(recipient: &str) -> String {
    format!(
        "From: MAILER-DAEMON@forger.example\nTo: <{USER}>\nSubject: Delivery Status Notification (Failure)\nDate: Mon, 30 Nov 2026 10:07:00 +0000\nMessage-ID: <{}@forger.example>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; forger.example\n\nFinal-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n--b1--\n",
        ulid::Ulid::generate()
    )
}

async fn contact_status(app: &TestApp, id: &str) -> String {
    app.get(&format!("/v1/contacts/{id}")).await.data()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn a_bounce_report_counts_only_when_it_quotes_an_email_the_account_sent() {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD), ("other", IMAP_PASSWORD)]).await;
    let app = spawn_app_with(configure).await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    let acc = account(&app, &smtp, &dovecot, "sales").await;
    let other = imap_account(&app, &smtp, "support@acme.test", dovecot.port, "other").await;
    let (campaign, sent) = sent_campaign(&app, &acc, &["ana@example.com", "bo@example.com"]).await;
    let people = contacts_by_email(&app).await;
    let ana = to_of(&sent, &people, "ana@example.com");
    let bo = to_of(&sent, &people, "bo@example.com");

    // Forged: a report naming only Ana's address; one quoting a Message-ID nobody here sent;
    // and, in the other account's mailbox, a report quoting Ana's email (sent by `sales`).
    dovecot.deliver("sales", &bare_report("ana@example.com"));
    dovecot.deliver(
        "sales",
        &bounce_report("ana@example.com", "<made-up@forger.example>"),
    );
    dovecot.deliver("other", &bounce_report("ana@example.com", &ana.message_id));
    let pass = app.reader.run_once().await.unwrap();
    assert_eq!(pass.read, 3, "{pass:?}");
    assert_eq!(pass.applied, 0, "{pass:?}");
    assert_eq!(pass.unmatched, 3, "{pass:?}");

    // Nothing changed: Ana is not bounced, her sequence goes on, nothing counted.
    assert_eq!(contact_status(&app, &ana.contact_id).await, "active");
    let stats = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&campaign)))
        .await;
    assert_eq!(stats.data()["bounced"], 0, "{}", stats.body);
    let enrolments = app
        .get(&format!(
            "/v1/campaigns/{}/contacts?state=active",
            id_of(&campaign)
        ))
        .await;
    assert_eq!(enrolments.body["meta"]["total"], 2, "{}", enrolments.body);
    let row = message::Entity::find_by_id(ana.id.clone())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state.as_str(), "sent");
    assert_eq!(
        app.get(&format!("/v1/campaigns/{}", id_of(&campaign)))
            .await
            .data()["status"],
        "running"
    );

    // Each kept, visible on its own account.
    let listed = app
        .get(&format!(
            "/v1/email-accounts/{}/unmatched-reports",
            id_of(&acc)
        ))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["meta"]["total"], 2, "{}", listed.body);
    let items = listed.data().as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|r| r["id"].as_str().unwrap().starts_with("urp_"))
    );
    let bare = items
        .iter()
        .find(|r| r["quotedMessageId"].is_null())
        .expect("the bare report");
    assert_eq!(bare["sender"], "MAILER-DAEMON@forger.example");
    assert_eq!(bare["recipients"][0]["address"], "ana@example.com");
    assert_eq!(bare["recipients"][0]["action"], "failed");
    assert_eq!(bare["recipients"][0]["status"], "5.1.1");
    assert!(bare["receivedAt"].is_string());
    assert!(
        items
            .iter()
            .any(|r| r["quotedMessageId"] == "<made-up@forger.example>")
    );
    let gql = app
        .gql(
            "query($id: ID!) { emailAccount(id: $id) { unmatchedReports(perPage: 5) { items { quotedMessageId } pageInfo { total } } } }",
            json!({ "id": id_of(&other) }),
        )
        .await;
    let page = &gql.body["data"]["emailAccount"]["unmatchedReports"];
    assert_eq!(page["pageInfo"]["total"], 1, "{}", gql.body);
    assert_eq!(
        page["items"][0]["quotedMessageId"],
        ana.message_id.as_str(),
        "a report in another account's mailbox does not act on this account's email"
    );
    // Another workspace sees none of it.
    let (_, stranger) = app
        .new_workspace("Stranger", api::service::workspaces::Plan::Pro)
        .await;
    let theirs = app
        .request_as(
            Some(&stranger),
            reqwest::Method::GET,
            &format!("/v1/email-accounts/{}/unmatched-reports", id_of(&acc)),
            None,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);

    // A genuine report, quoting the email `sales` sent to Bo, still bounces him.
    dovecot.deliver("sales", &bounce_report("bo@example.com", &bo.message_id));
    let pass = app.reader.run_once().await.unwrap();
    assert_eq!((pass.applied, pass.unmatched), (1, 0), "{pass:?}");
    assert_eq!(contact_status(&app, &bo.contact_id).await, "bounced");
    let stats = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&campaign)))
        .await;
    assert_eq!(stats.data()["bounced"], 1);
    // Read again (a renumbered mailbox), nothing is kept or counted twice.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    dovecot.renumber("sales");
    let again = app.reader.run_once().await.unwrap();
    assert_eq!((again.applied, again.unmatched), (0, 0), "{again:?}");
    assert_eq!(again.duplicates, 3, "{again:?}");
    let listed = app
        .get(&format!(
            "/v1/email-accounts/{}/unmatched-reports",
            id_of(&acc)
        ))
        .await;
    assert_eq!(listed.body["meta"]["total"], 2);
}

/// A TCP listener that accepts connections and never says a word (an IMAP host that stalls).
async fn tarpit() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

/// A TCP proxy to `target` counting the connections made through it.
async fn counting_proxy(target: u16) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) =
                    tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (port, count)
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn a_stalling_imap_host_delays_no_other_mailbox() {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD)]).await;
    let app = spawn_app_with(|c: &mut Config| {
        configure(c);
        c.mailbox.account_deadline = Duration::from_secs(4);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    // The stalling account is made first, so a reader going one by one meets it first.
    let stalled = imap_account(&app, &smtp, "stalled@acme.test", tarpit().await, "stalled").await;
    let acc = account(&app, &smtp, &dovecot, "sales").await;
    let (_, sent) = sent_campaign(&app, &acc, &["ana@example.com"]).await;
    dovecot.deliver(
        "sales",
        &reply("ana@example.com", &sent[0].message_id, "Sure, call me."),
    );

    let started = Instant::now();
    let reader = app.reader.clone();
    let pass = tokio::spawn(async move { reader.run_once().await });
    // Ana's reply is recorded well before the stalled host's deadline.
    loop {
        let row = message::Entity::find_by_id(sent[0].id.clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        if row.replied_at.is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the reply waited for the stalled mailbox"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        !pass.is_finished(),
        "the stalled mailbox is still being read"
    );
    // The stalled read is given up at its deadline, and the pass ends.
    let pass = tokio::time::timeout(Duration::from_secs(15), pass)
        .await
        .expect("the pass ends at the account deadline")
        .unwrap()
        .unwrap();
    assert_eq!(pass.applied, 1, "{pass:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let stalled_row = email_account::Entity::find_by_id(id_of(&stalled))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(stalled_row.imap_checked_at.is_none(), "never read");
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn several_readers_log_in_to_a_mailbox_once_per_interval() {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD)]).await;
    // The default interval (60 s): this test's passes all fall within one.
    let app = spawn_app_with(|c: &mut Config| {
        configure(c);
        c.mailbox.poll_interval = Duration::from_secs(60);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    let (proxy, logins) = counting_proxy(dovecot.port).await;
    let acc = imap_account(&app, &smtp, "sales@acme.test", proxy, "sales").await;
    let (campaign, sent) = sent_campaign(&app, &acc, &["ana@example.com"]).await;
    dovecot.deliver(
        "sales",
        &reply("ana@example.com", &sent[0].message_id, "Sure, call me."),
    );
    // A second reader on its own connections, as another worker process would have.
    let db = api::db::connect(&app.database_url).await.unwrap();
    let keyring = api::secrets::open(&db, &app.database_url, Some(&Secret::new(TEST_SECRET)))
        .await
        .unwrap();
    let second = api::engine::mailbox::Reader::new(
        db,
        keyring,
        app.clock.clone(),
        api::engine::mailbox::Settings {
            allow_private: true,
            ..Default::default()
        },
    );

    let (a, b) = tokio::join!(app.reader.run_once(), second.run_once());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.applied + b.applied, 1, "{a:?} {b:?}");
    assert_eq!(
        logins.load(Ordering::SeqCst),
        1,
        "one login for two readers"
    );
    // Later passes within the interval leave the mailbox alone, whoever runs them.
    for _ in 0..2 {
        let (a, b) = tokio::join!(second.run_once(), app.reader.run_once());
        assert_eq!(a.unwrap().read + b.unwrap().read, 0);
    }
    assert_eq!(logins.load(Ordering::SeqCst), 1);
    let row = email_account::Entity::find_by_id(id_of(&acc))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let until = row
        .imap_locked_until_ms
        .expect("the next read is scheduled");
    let now_ms = chrono::Utc::now().timestamp_millis();
    assert!(
        until > now_ms + 40_000 && until <= now_ms + 60_000,
        "next read in {} ms",
        until - now_ms
    );
    let stats = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&campaign)))
        .await;
    assert_eq!(stats.data()["replied"], 1);
}
