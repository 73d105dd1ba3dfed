//! Emails whose outcome is unknown: found in the account's Sent folder (a real Dovecot) they are
//! recorded sent; the rest are listed, and resolved by the operator (resend, mark sent, skip).

use entity::message;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::imap::{Dovecot, SENT_FOLDER};
use crate::mailbox::{IMAP_PASSWORD, SMTP_PASSWORD, USER, account, configure};
use crate::smtp::SmtpServer;

/// A running two-step campaign whose first emails to `emails` were handed to SMTP by a worker
/// that died: swept, their outcome is unknown.
async fn unknown_campaign(
    app: &TestApp,
    account: &Value,
    emails: &[&str],
) -> (Value, Vec<message::Model>) {
    let campaign = app
        .campaign(json!({
            "name": "Outreach",
            "emailAccountId": account["id"],
            "steps": [
                { "subject": "Quick question", "body": "Hi" },
                { "subject": "", "body": "Bumping this", "delayDays": 2 }
            ],
        }))
        .await;
    let mut ids = Vec::new();
    for email in emails {
        ids.push(id_of(&app.contact(json!({ "email": email })).await));
    }
    let url = format!("/v1/campaigns/{}", id_of(&campaign));
    let r = app
        .post(&format!("{url}/contacts"), json!({ "contactIds": ids }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.post(&format!("{url}/start"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A worker claims and starts every send (committed `sending`), then dies mid-send; its
    // sends are called unknown once their time runs out on the database's clock.
    let tracker = api::service::tracking::Tracker::new("any", "http://x");
    let policy = api::service::sending::Policy {
        stale_after: std::time::Duration::from_millis(200),
        ..Default::default()
    };
    let claimed = api::service::sending::claim(&app.db, &tracker, &policy, app.clock.now(), 100)
        .await
        .unwrap();
    assert_eq!(claimed.len(), emails.len());
    for job in &claimed {
        let begun = api::service::sending::begin(&app.db, &policy, job, app.clock.now())
            .await
            .unwrap();
        assert_eq!(begun, api::service::sending::Begun::Started);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sender.sweep().await.unwrap(), emails.len());
    let sent = messages(app, &campaign).await;
    (campaign, sent)
}

async fn messages(app: &TestApp, campaign: &Value) -> Vec<message::Model> {
    message::Entity::find()
        .filter(message::Column::CampaignId.eq(id_of(campaign)))
        .order_by_asc(message::Column::CreatedAt)
        .order_by_asc(message::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn message_row(app: &TestApp, id: &str) -> message::Model {
    message::Entity::find_by_id(id.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn enrolment(app: &TestApp, campaign: &Value, contact_id: &str) -> Value {
    let r = app
        .get(&format!(
            "/v1/campaigns/{}/contacts?perPage=100",
            id_of(campaign)
        ))
        .await;
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["contact"]["id"] == contact_id)
        .cloned()
        .unwrap()
}

async fn sent_figure(app: &TestApp, campaign: &Value) -> Value {
    app.get(&format!("/v1/campaigns/{}/stats", id_of(campaign)))
        .await
        .data()["sent"]
        .clone()
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn an_unknown_outcome_found_in_the_sent_folder_is_recorded_sent() {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD)]).await;
    let app = spawn_app_with(configure).await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    let acc = account(&app, &smtp, &dovecot, "sales").await;
    let (campaign, unknown) =
        unknown_campaign(&app, &acc, &["ana@example.com", "bo@example.com"]).await;
    assert!(unknown.iter().all(|m| m.state.as_str() == "unknown"));
    let (ana, bo) = (&unknown[0], &unknown[1]);

    // The server kept a copy of Ana's email in the Sent folder (found by its `\Sent` flag).
    dovecot
        .append(
            "sales",
            IMAP_PASSWORD,
            SENT_FOLDER,
            &format!(
                "From: <{USER}>\nTo: <ana@example.com>\nSubject: Quick question\nDate: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: {}\n\nHi\n",
                ana.message_id
            ),
        )
        .await;
    let pass = app.reader.run_once().await.unwrap();
    assert_eq!(pass.found_sent, 1, "{pass:?}");

    // Recorded sent the usual way: counted, and the sequence goes on.
    let row = message_row(&app, &ana.id).await;
    assert_eq!(row.state.as_str(), "sent");
    assert!(row.sent_at.is_some());
    assert_eq!(sent_figure(&app, &campaign).await, 1);
    let ana_enrolment = enrolment(&app, &campaign, &ana.contact_id).await;
    assert_eq!(ana_enrolment["state"], "active", "{ana_enrolment}");
    assert_eq!(ana_enrolment["currentStep"], 1);
    assert!(ana_enrolment["nextSendAt"].is_string());
    // Bo's is not there: still unknown, listed for the operator.
    assert_eq!(message_row(&app, &bo.id).await.state.as_str(), "unknown");
    let listed = app
        .get(&format!(
            "/v1/campaigns/{}/unknown-outcomes",
            id_of(&campaign)
        ))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["meta"]["total"], 1);
    assert_eq!(listed.data()[0]["id"], bo.id.as_str());
    assert_eq!(listed.data()[0]["email"], "bo@example.com");
    let status = app
        .get(&format!(
            "/v1/campaigns/{}/sending-status",
            id_of(&campaign)
        ))
        .await;
    assert_eq!(status.data()["unknownOutcomes"], 1);
    // Another pass finds nothing more, and counts nothing twice.
    let again = app.reader.run_once().await.unwrap();
    assert_eq!(again.found_sent, 0);
    assert_eq!(sent_figure(&app, &campaign).await, 1);
}

#[tokio::test]
async fn the_operator_resends_marks_sent_or_skips_unknown_outcomes() {
    let app = spawn_app_with(configure).await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    let acc = app
        .post(
            "/v1/email-accounts",
            json!({
                "email": USER, "smtpHost": smtp.host(), "smtpPort": smtp.port(),
                "smtpSecurity": "none", "smtpUsername": USER, "smtpPassword": SMTP_PASSWORD,
                "sendGapSeconds": 0,
            }),
        )
        .await;
    assert_eq!(acc.status, StatusCode::CREATED, "{}", acc.body);
    let acc = acc.data().clone();
    let emails = [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ];
    let (campaign, unknown) = unknown_campaign(&app, &acc, &emails).await;
    let base = format!("/v1/campaigns/{}/unknown-outcomes", id_of(&campaign));
    let listed = app.get(&format!("{base}?perPage=2")).await;
    assert_eq!(listed.body["meta"]["total"], 4, "{}", listed.body);
    assert_eq!(listed.data().as_array().unwrap().len(), 2);
    let item = &listed.data()[0];
    for field in ["id", "contactId", "email", "subject", "updatedAt"] {
        assert!(item[field].is_string(), "{field}: {item}");
    }
    assert_eq!(item["step"], 1);
    assert_eq!(item["subject"], "Quick question");
    let resolve = |body: Value| {
        let app = &app;
        let url = format!("{base}/resolve");
        async move { app.post(&url, body).await }
    };
    let (a, b, c) = (&unknown[0], &unknown[1], &unknown[2]);

    // Resend: due again, sent with the same row and Message-ID.
    let r = resolve(json!({ "messageIds": [a.id], "action": "resend" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["resolved"], 1);
    assert_eq!(app.sender.run_once().await.unwrap(), 1);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("Message-ID").as_deref(),
        Some(a.message_id.as_str())
    );
    let row = message_row(&app, &a.id).await;
    assert_eq!(row.state.as_str(), "sent");
    assert_eq!(row.message_id, a.message_id);
    assert_eq!(
        enrolment(&app, &campaign, &a.contact_id).await["currentStep"],
        1
    );

    // Mark sent: counted, the sequence goes on, nothing sent.
    let r = resolve(json!({ "messageIds": [b.id], "action": "mark_sent" })).await;
    assert_eq!(r.data()["resolved"], 1);
    assert_eq!(message_row(&app, &b.id).await.state.as_str(), "sent");
    let b_enrolment = enrolment(&app, &campaign, &b.contact_id).await;
    assert_eq!(b_enrolment["state"], "active");
    assert!(b_enrolment["nextSendAt"].is_string());
    assert_eq!(sent_figure(&app, &campaign).await, 2);

    // Skip: the enrolment stays closed, now with reason `skipped`.
    let r = resolve(json!({ "messageIds": [c.id], "action": "skip" })).await;
    assert_eq!(r.data()["resolved"], 1);
    let c_enrolment = enrolment(&app, &campaign, &c.contact_id).await;
    assert_eq!(c_enrolment["state"], "failed");
    assert_eq!(c_enrolment["reason"], "skipped");
    assert_eq!(message_row(&app, &c.id).await.state.as_str(), "failed");

    // Resolved ones, and ids that are not this campaign's unknown outcomes, are left alone.
    let r = resolve(json!({ "messageIds": [a.id, c.id, "msg_nope"], "action": "mark_sent" })).await;
    assert_eq!(r.data()["resolved"], 0);
    assert_eq!(message_row(&app, &c.id).await.state.as_str(), "failed");
    // Bad requests.
    let r = resolve(json!({ "action": "skip" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = resolve(json!({ "messageIds": [a.id], "all": true, "action": "skip" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = resolve(json!({ "all": true, "action": "later" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // Another workspace can neither see nor decide.
    let (_, stranger) = app
        .new_workspace("Stranger", api::service::workspaces::Plan::Pro)
        .await;
    for (method, path, body) in [
        (reqwest::Method::GET, base.clone(), None),
        (
            reqwest::Method::POST,
            format!("{base}/resolve"),
            Some(json!({ "all": true, "action": "skip" })),
        ),
    ] {
        let r = app.request_as(Some(&stranger), method, &path, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }

    // All the rest, through GraphQL.
    let r = app
        .gql(
            "mutation($id: ID!) { resolveUnknownOutcomes(campaignId: $id, all: true, action: skip) { resolved } }",
            json!({ "id": id_of(&campaign) }),
        )
        .await;
    assert_eq!(
        r.body["data"]["resolveUnknownOutcomes"]["resolved"], 1,
        "{}",
        r.body
    );
    let listed = app.get(&base).await;
    assert_eq!(listed.body["meta"]["total"], 0);
    let status = app
        .get(&format!(
            "/v1/campaigns/{}/sending-status",
            id_of(&campaign)
        ))
        .await;
    assert_eq!(status.data()["unknownOutcomes"], 0);
    assert_eq!(smtp.received().len(), 1, "only the resend went out");
}
