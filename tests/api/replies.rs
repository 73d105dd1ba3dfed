//! Replies you can act on, read from a real mailbox (Dovecot over IMAP): an out-of-office
//! answer holds the sequence until its writer is back, and what a person's reply says sets the
//! contact's lead status (a request to be removed unsubscribes for good).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::imap::Dovecot;
use crate::mailbox::{
    IMAP_PASSWORD, USER, account, configure, contacts_by_email, reply, sent_campaign, to_of,
};
use crate::receiver::Receiver;
use crate::smtp::SmtpServer;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// An automatic answer (`Auto-Submitted`) to `in_reply_to`, written on Monday 30 November.
fn auto_reply(from: &str, in_reply_to: &str, body: &str) -> String {
    format!(
        "From: <{from}>\nTo: <{USER}>\nSubject: Resposta automática: Quick question\nDate: Mon, 30 Nov 2026 10:06:00 -0300\nMessage-ID: <{}@example.com>\nIn-Reply-To: {in_reply_to}\nAuto-Submitted: auto-replied\nContent-Type: text/plain; charset=utf-8\n\n{body}\n",
        ulid::Ulid::generate()
    )
}

/// Delivers webhook events to a local receiver.
fn deliver_webhooks(app: &TestApp) -> tokio::task::JoinHandle<()> {
    api::engine::webhooks::spawn(
        app.db.clone(),
        api::engine::webhooks::Settings {
            allow_private: true,
            poll_interval: Duration::from_millis(20),
            ..Default::default()
        },
        crate::helpers::keyring(),
        app.clock.clone(),
        api::shutdown::Stopping::never(),
        api::engine::supervise::Supervision::unwatched(),
    )
}

async fn enrolment(app: &TestApp, campaign: &Value, email: &str) -> Value {
    let list = app
        .get(&format!(
            "/v1/campaigns/{}/contacts?perPage=100",
            id_of(campaign)
        ))
        .await;
    list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["contact"]["email"] == email)
        .cloned()
        .unwrap_or_else(|| panic!("no enrolment of {email}: {}", list.body))
}

/// A workspace whose account sends through a local SMTP server and reads a Dovecot mailbox,
/// with a webhook for `events` delivered to a local receiver.
struct Mailbox {
    dovecot: Dovecot,
    app: TestApp,
    smtp: SmtpServer,
    hooks: Receiver,
    account: Value,
    _deliveries: tokio::task::JoinHandle<()>,
}

async fn mailbox(events: &[&str]) -> Mailbox {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD)]).await;
    let app = spawn_app_with(configure).await;
    let smtp = SmtpServer::start(Some((USER, crate::mailbox::SMTP_PASSWORD))).await;
    let hooks = Receiver::start(vec![]).await;
    let hook = app
        .post(
            "/v1/webhooks",
            json!({ "url": hooks.url, "events": events }),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let deliveries = deliver_webhooks(&app);
    let account = account(&app, &smtp, &dovecot, "sales").await;
    Mailbox {
        dovecot,
        app,
        smtp,
        hooks,
        account,
        _deliveries: deliveries,
    }
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn an_out_of_office_holds_the_sequence_until_its_writer_is_back() {
    let Mailbox {
        dovecot,
        app,
        smtp: _smtp,
        hooks,
        account: acc,
        ..
    } = mailbox(&["email.auto_replied"]).await;
    // Monday 30 November, 10:00 UTC: step 1 goes out; step 2 is due two days later.
    let emails = ["ana@example.com", "bo@example.com", "cy@example.com"];
    let (campaign, sent) = sent_campaign(&app, &acc, &emails).await;
    let url = format!("/v1/campaigns/{}", id_of(&campaign));
    let r = app.put(&url, json!({ "oooPauseDays": 4 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["oooPauseDays"], 4);
    let people = contacts_by_email(&app).await;
    let ana = to_of(&sent, &people, "ana@example.com");
    let bo = to_of(&sent, &people, "bo@example.com");

    // Ana is back on 14 December (in Portuguese); Bo's answer names no day.
    dovecot.deliver(
        "sales",
        &auto_reply(
            "ana@example.com",
            &ana.message_id,
            "Olá! Estou de férias e volto no dia 14 de dezembro.\nAbraços,\nAna",
        ),
    );
    dovecot.deliver(
        "sales",
        &auto_reply(
            "bo@example.com",
            &bo.message_id,
            "I am out of the office with limited access to email.",
        ),
    );
    let pass = app.reader.run_once().await.unwrap();
    assert_eq!(pass.applied, 2, "{pass:?}");

    let held = enrolment(&app, &campaign, "ana@example.com").await;
    assert_eq!(held["state"], "active");
    assert_eq!(held["reason"], "out_of_office");
    assert_eq!(
        held["heldUntil"], "2026-12-14T09:00:00Z",
        "the window's first opening on the return day"
    );
    let paused = enrolment(&app, &campaign, "bo@example.com").await;
    assert_eq!(paused["reason"], "out_of_office");
    assert_eq!(
        paused["heldUntil"], "2026-12-04T10:00:00Z",
        "oooPauseDays (4) after the answer was read, inside the window"
    );
    let free = enrolment(&app, &campaign, "cy@example.com").await;
    assert!(free["heldUntil"].is_null(), "{free}");

    // The webhook carries the return day it read.
    let hits = hooks.wait_for(2, Duration::from_secs(10)).await;
    let return_of = |contact: &str| {
        hits.iter()
            .map(|h| h.json())
            .find(|b| b["data"]["contactId"] == contact)
            .map(|b| b["data"]["returnDate"].clone())
            .unwrap_or_else(|| panic!("no webhook for {contact}"))
    };
    assert_eq!(return_of(&ana.contact_id), "2026-12-14");
    assert!(return_of(&bo.contact_id).is_null());

    // Wednesday: only Cy's follow-up goes out.
    app.clock.set(at("2026-12-02T10:00:00Z"));
    assert_eq!(app.sender.run_once().await.unwrap(), 1);
    assert_eq!(
        enrolment(&app, &campaign, "cy@example.com").await["currentStep"],
        2
    );
    // A pause and a resume (a start again) do not release a hold.
    assert_eq!(
        app.post(&format!("{url}/pause"), json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.post(&format!("{url}/start"), json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(app.sender.run_once().await.unwrap(), 0);
    assert_eq!(
        enrolment(&app, &campaign, "ana@example.com").await["heldUntil"],
        "2026-12-14T09:00:00Z"
    );
    // Friday 4 December: Bo's pause is over.
    app.clock.set(at("2026-12-04T10:30:00Z"));
    assert_eq!(app.sender.run_once().await.unwrap(), 1);
    let bo_now = enrolment(&app, &campaign, "bo@example.com").await;
    assert_eq!(bo_now["currentStep"], 2);
    assert!(bo_now["heldUntil"].is_null(), "{bo_now}");
    // Monday 14 December: Ana is back, and her follow-up goes out.
    app.clock.set(at("2026-12-14T09:30:00Z"));
    assert_eq!(app.sender.run_once().await.unwrap(), 1);
    let ana_now = enrolment(&app, &campaign, "ana@example.com").await;
    assert_eq!(ana_now["currentStep"], 2);
    assert!(ana_now["reason"].is_null(), "{ana_now}");
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn what_a_reply_says_sets_the_lead_status_and_a_removal_request_lasts() {
    let Mailbox {
        dovecot,
        app,
        smtp: _smtp,
        hooks,
        account: acc,
        ..
    } = mailbox(&["contact.lead_status_changed", "email.replied"]).await;
    let emails = ["ana@example.com", "bo@example.com", "cy@example.com"];
    let (_, sent) = sent_campaign(&app, &acc, &emails).await;
    // Bo is also in a second campaign, not yet sent: a removal request closes it too.
    let other = app
        .campaign(json!({
            "name": "Later",
            "emailAccountId": acc["id"],
            "steps": [{ "subject": "Hello again", "body": "Hi" }],
        }))
        .await;
    let people = contacts_by_email(&app).await;
    let ana = to_of(&sent, &people, "ana@example.com");
    let bo = to_of(&sent, &people, "bo@example.com");
    let cy = to_of(&sent, &people, "cy@example.com");
    let r = app
        .post(
            &format!("/v1/campaigns/{}/contacts", id_of(&other)),
            json!({ "contactIds": [bo.contact_id] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    dovecot.deliver(
        "sales",
        &reply(
            "ana@example.com",
            &ana.message_id,
            "Parece interessante! Podemos marcar uma call na quinta?",
        ),
    );
    dovecot.deliver(
        "sales",
        &reply(
            "bo@example.com",
            &bo.message_id,
            "Bitte entfernen Sie mich aus Ihrem Verteiler.",
        ),
    );
    dovecot.deliver(
        "sales",
        &reply(
            "cy@example.com",
            &cy.message_id,
            "I'm not the right person for this - talk to Dana in ops.",
        ),
    );
    let pass = app.reader.run_once().await.unwrap();
    assert_eq!(pass.applied, 3, "{pass:?}");

    let contact = |id: &str| {
        let app = &app;
        let id = id.to_owned();
        async move { app.get(&format!("/v1/contacts/{id}")).await.data().clone() }
    };
    assert_eq!(contact(&ana.contact_id).await["leadStatus"], "interested");
    assert_eq!(contact(&cy.contact_id).await["leadStatus"], "wrong_person");
    let bo_now = contact(&bo.contact_id).await;
    assert_eq!(bo_now["leadStatus"], "unsubscribe_request");
    assert_eq!(bo_now["status"], "unsubscribed");
    // The suppression, source `reply`, keeps Bo unsubscribed for good.
    let sups = app.get("/v1/suppressions?value=bo@example.com").await;
    let found: Vec<&Value> = sups.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["value"] == "bo@example.com")
        .collect();
    assert_eq!(found.len(), 1, "{}", sups.body);
    assert_eq!(found[0]["source"], "reply");
    let r = app
        .put(
            &format!("/v1/contacts/{}", bo.contact_id),
            json!({ "status": "active" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "SUPPRESSED");
    let later = enrolment(&app, &other, "bo@example.com").await;
    assert_eq!(later["state"], "unsubscribed");

    // Webhooks: the replies carry their class, and each change of lead status is told.
    let hits = hooks.wait_for(6, Duration::from_secs(10)).await;
    let bodies: Vec<Value> = hits.iter().map(|h| h.json()).collect();
    let replied = bodies
        .iter()
        .find(|b| b["type"] == "email.replied" && b["data"]["contactId"] == ana.contact_id.as_str())
        .unwrap();
    assert_eq!(replied["data"]["classification"], "interested");
    let changed = bodies
        .iter()
        .find(|b| {
            b["type"] == "contact.lead_status_changed" && b["data"]["id"] == cy.contact_id.as_str()
        })
        .unwrap();
    assert_eq!(changed["data"]["leadStatus"], "wrong_person");
    assert!(changed["data"]["previousLeadStatus"].is_null());
    assert_eq!(changed["data"]["changedBy"], "reply");

    // A person sets a lead status: told too, with who changed it.
    let r = app
        .put(
            &format!("/v1/contacts/{}", cy.contact_id),
            json!({ "leadStatus": "interested" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["leadStatus"], "interested");
    let hits = hooks.wait_for(7, Duration::from_secs(10)).await;
    let last = hits.last().unwrap().json();
    assert_eq!(last["type"], "contact.lead_status_changed");
    assert_eq!(last["data"]["previousLeadStatus"], "wrong_person");
    assert_eq!(last["data"]["changedBy"], "api");
    // An unknown value is refused and changes nothing.
    let r = app
        .put(
            &format!("/v1/contacts/{}", cy.contact_id),
            json!({ "leadStatus": "hot" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(contact(&cy.contact_id).await["leadStatus"], "interested");

    // A later reply that says nothing in particular keeps the status a person set.
    dovecot.deliver(
        "sales",
        &reply("cy@example.com", &cy.message_id, "Thanks, received."),
    );
    assert_eq!(app.reader.run_once().await.unwrap().applied, 1);
    assert_eq!(contact(&cy.contact_id).await["leadStatus"], "interested");
}

#[tokio::test]
async fn the_out_of_office_pause_is_checked() {
    let app = crate::helpers::spawn_app().await;
    let c = app
        .campaign(json!({ "name": "C", "steps": [{ "subject": "S", "body": "B" }] }))
        .await;
    assert_eq!(c["oooPauseDays"], 7, "the default");
    for bad in [json!(-1), json!(91), json!("7")] {
        let r = app
            .put(
                &format!("/v1/campaigns/{}", id_of(&c)),
                json!({ "oooPauseDays": bad }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "oooPauseDays": 0 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["oooPauseDays"], 0);
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "oooPauseDays": null }),
        )
        .await;
    assert_eq!(r.data()["oooPauseDays"], 7, "null sets the default");
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn the_inbox_shows_replies_labelled_and_answers_them_in_the_same_thread() {
    let Mailbox {
        dovecot,
        app,
        smtp,
        account: acc,
        ..
    } = mailbox(&["email.replied"]).await;
    let emails = ["ana@example.com", "bo@example.com"];
    let (campaign, sent) = sent_campaign(&app, &acc, &emails).await;
    let people = contacts_by_email(&app).await;
    let ana = to_of(&sent, &people, "ana@example.com");
    let bo = to_of(&sent, &people, "bo@example.com");
    let html_reply = format!(
        "From: <ana@example.com>\nTo: <{USER}>\nSubject: Re: Quick question\nDate: Mon, 30 Nov 2026 10:05:00 +0000\nMessage-ID: <ana-reply-1@example.com>\nIn-Reply-To: {id}\nReferences: {id}\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nSounds good, can we talk Thursday?\n\n--b\nContent-Type: text/html; charset=utf-8\n\n<p onclick=\"steal()\">Sounds good, can we <b>talk</b> Thursday?</p><script>alert(1)</script>\n--b--\n",
        id = ana.message_id
    );
    dovecot.deliver("sales", &html_reply);
    dovecot.deliver(
        "sales",
        &reply("bo@example.com", &bo.message_id, "Not interested, thanks."),
    );
    assert_eq!(app.reader.run_once().await.unwrap().applied, 2);

    // Threads, labelled, unread, filtered by lead status and campaign.
    let all = app.get("/v1/inbox").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.body["meta"]["total"], 2, "{}", all.body);
    let interested = app.get("/v1/inbox?leadStatus=interested").await;
    let threads = interested.data().as_array().unwrap().clone();
    assert_eq!(threads.len(), 1, "{}", interested.body);
    let thread = &threads[0];
    assert_eq!(thread["contact"]["email"], "ana@example.com");
    assert_eq!(thread["contact"]["leadStatus"], "interested");
    assert_eq!(thread["unread"], true);
    assert_eq!(thread["campaignId"], id_of(&campaign).as_str());
    let other = app
        .get(&format!(
            "/v1/inbox?campaignId={}&leadStatus=not_interested",
            id_of(&campaign)
        ))
        .await;
    assert_eq!(other.data()[0]["contact"]["email"], "bo@example.com");
    let thread_id = id_of(thread);

    // The conversation: the campaign's email as sent, then the reply with its HTML sanitized.
    let conversation = app.get(&format!("/v1/inbox/{thread_id}")).await;
    assert_eq!(conversation.status, StatusCode::OK, "{}", conversation.body);
    let messages = conversation.data()["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 2, "{}", conversation.body);
    assert_eq!(messages[0]["kind"], "campaign");
    assert_eq!(messages[0]["subject"], "Quick question");
    assert_eq!(messages[1]["kind"], "reply");
    assert!(messages[1]["text"].as_str().unwrap().contains("Thursday"));
    let html = messages[1]["html"].as_str().unwrap();
    assert!(html.contains("<b>talk</b>"), "{html}");
    assert!(
        !html.contains("script") && !html.contains("onclick"),
        "{html}"
    );

    // Read.
    let read = app
        .post(&format!("/v1/inbox/{thread_id}/read"), json!({}))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.data()["unread"], false);
    assert_eq!(
        app.get("/v1/inbox?unread=true").await.body["meta"]["total"],
        1
    );

    // Answered: Ana receives it in the same thread, and the Sent folder keeps a copy.
    let before = smtp.received().len();
    let answered = app
        .post(
            &format!("/v1/inbox/{thread_id}/reply"),
            json!({ "body": "Thursday at 15:00 works.\nTalk soon" }),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(answered.data()["savedToSent"], true, "{}", answered.body);
    assert_eq!(answered.data()["message"]["kind"], "answer");
    let got = smtp.received();
    assert_eq!(got.len(), before + 1);
    let mail = got.last().unwrap();
    assert_eq!(mail.to, ["ana@example.com"]);
    assert_eq!(mail.subject().as_deref(), Some("Re: Quick question"));
    assert_eq!(
        mail.header("In-Reply-To").as_deref(),
        Some("<ana-reply-1@example.com>")
    );
    let references = mail.header("References").unwrap();
    assert!(references.contains(&ana.message_id), "{references}");
    assert!(
        references.contains("<ana-reply-1@example.com>"),
        "{references}"
    );
    assert!(mail.text_body().unwrap().contains("Thursday at 15:00"));
    let copies = dovecot.messages_in("sales", crate::imap::SENT_FOLDER);
    assert_eq!(copies.len(), 1, "one copy in the Sent folder");
    let message_id = mail.header("Message-ID").unwrap();
    assert!(
        copies[0].contains(&message_id),
        "the copy is the email sent"
    );
    let after = app.get(&format!("/v1/inbox/{thread_id}")).await;
    let messages = after.data()["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[2]["kind"], "answer");

    // An empty answer is refused and sends nothing; another workspace sees no thread.
    let r = app
        .post(
            &format!("/v1/inbox/{thread_id}/reply"),
            json!({ "body": "  " }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(smtp.received().len(), before + 1);
    let (_, other_key) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let r = app
        .request_as(
            Some(&other_key),
            reqwest::Method::GET,
            &format!("/v1/inbox/{thread_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app
        .request_as(Some(&other_key), reqwest::Method::GET, "/v1/inbox", None)
        .await;
    assert_eq!(r.body["meta"]["total"], 0, "{}", r.body);

    // The contact's export holds the conversation; its erasure takes the thread with it.
    let held = app
        .get(&format!("/v1/contacts/{}/export", ana.contact_id))
        .await;
    let inbox = held.data()["inbox"].as_array().unwrap().clone();
    let kinds: Vec<&str> = inbox.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["reply", "answer"], "{}", held.body);
    let r = app
        .delete(&format!("/v1/contacts/{}?erase=true", ana.contact_id))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.get(&format!("/v1/inbox/{thread_id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(app.get("/v1/inbox").await.body["meta"]["total"], 1);
}
