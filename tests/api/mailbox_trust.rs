//! Reading mailboxes you can trust: a bounce report acts only on an email it quotes that the
//! account sent (anything else is kept, unmatched, with no effect).

use std::time::Duration;

use entity::message;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::imap::Dovecot;
use crate::mailbox::{
    IMAP_PASSWORD, SMTP_PASSWORD, USER, account, bounce_report, configure, contacts_by_email,
    sent_campaign, to_of,
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
async fn a_bounce_report_counts_only_when_it_quotes_an_email_the_account_sent() {
    let Some(dovecot) = Dovecot::start(&[("sales", IMAP_PASSWORD), ("other", IMAP_PASSWORD)]).await
    else {
        return;
    };
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
    assert_eq!(row.state, "sent");
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
