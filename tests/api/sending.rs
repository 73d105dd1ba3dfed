//! The sending engine end to end: campaigns created over REST send over a real SMTP socket
//! (the test server in `smtp.rs`), driven pass by pass on a manual clock.

use std::collections::HashSet;

use api::clock::Clock;
use chrono::{DateTime, Duration, Utc};
use entity::{event, message};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::smtp::{SmtpServer, Tls};

pub(crate) const USER: &str = "sales@acme.test";
pub(crate) const PASSWORD: &str = "smtp-pw-1";

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a test instant")
        .with_timezone(&Utc)
}

/// Monday 2026-11-30, 10:00 UTC: inside the default Monday–Friday 09:00–17:00 UTC window.
pub(crate) const MONDAY_10: &str = "2026-11-30T10:00:00Z";

pub(crate) async fn app_at(now: &str) -> (TestApp, SmtpServer) {
    let clock = Clock::manual(at(now));
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
        c.sender.timeouts.data = std::time::Duration::from_millis(800);
        c.sender.timeouts.command = std::time::Duration::from_millis(800);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    (app, smtp)
}

/// `app_at` with claims leased for 300 ms and sends called unknown after 300 ms.
pub(crate) async fn app_with_lease(now: &str) -> (TestApp, SmtpServer) {
    let clock = Clock::manual(at(now));
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
        c.sender.policy.lease = std::time::Duration::from_millis(300);
        c.sender.policy.stale_after = std::time::Duration::from_millis(300);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    (app, smtp)
}

pub(crate) fn app_policy(_app: &TestApp) -> api::service::sending::Policy {
    api::service::sending::Policy {
        lease: std::time::Duration::from_millis(300),
        stale_after: std::time::Duration::from_millis(300),
        ..Default::default()
    }
}

/// An email account on the test SMTP server (no gap unless `extra` sets one).
pub(crate) async fn smtp_account(app: &TestApp, smtp: &SmtpServer, extra: Value) -> Value {
    let mut body = json!({
        "email": USER,
        "name": "Sales at Acme",
        "smtpHost": smtp.host(),
        "smtpPort": smtp.port(),
        "smtpSecurity": "none",
        "smtpUsername": USER,
        "smtpPassword": PASSWORD,
        "sendGapSeconds": 0,
    });
    merge(&mut body, extra);
    let reply = app.post("/v1/email-accounts", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.data().clone()
}

pub(crate) fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, extra) {
        a.extend(b);
    }
}

/// A campaign from `account` with the given steps, `extra` merged into the body.
pub(crate) async fn campaign(app: &TestApp, account: &Value, steps: Value, extra: Value) -> Value {
    let mut body = json!({
        "name": "Outreach",
        "emailAccountId": account["id"],
        "steps": steps,
        "trackOpens": true,
        "trackClicks": true,
    });
    merge(&mut body, extra);
    app.campaign(body).await
}

fn one_step() -> Value {
    json!([{ "subject": "Hi", "body": "Hello" }])
}

fn two_steps() -> Value {
    json!([
        { "subject": "Quick question, {{firstName}}", "body": "<p>Hi {{firstName | there}},</p><p>See <a href=\"https://acme.example/offer?a=1&amp;b=2\">our offer</a>.</p><p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>" },
        { "subject": "", "body": "Just bumping this, {{firstName}}.", "delayDays": 2 }
    ])
}

pub(crate) async fn people(app: &TestApp, n: usize, tag: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let c = app
            .contact(json!({ "email": format!("{tag}{i}@example.com"), "firstName": format!("Ana{i}"), "company": "Initech" }))
            .await;
        ids.push(id_of(&c));
    }
    ids
}

pub(crate) async fn enrol(app: &TestApp, campaign: &Value, ids: &[String]) {
    let r = app
        .post(
            &format!("/v1/campaigns/{}/contacts", id_of(campaign)),
            json!({ "contactIds": ids }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

pub(crate) async fn start(app: &TestApp, campaign: &Value) {
    let r = app
        .post(
            &format!("/v1/campaigns/{}/start", id_of(campaign)),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// A started campaign from `account` to `n` new contacts whose emails begin with `tag`.
pub(crate) async fn launch(
    app: &TestApp,
    account: &Value,
    steps: Value,
    extra: Value,
    n: usize,
    tag: &str,
) -> (Value, Vec<String>) {
    let c = campaign(app, account, steps, extra).await;
    let ids = people(app, n, tag).await;
    enrol(app, &c, &ids).await;
    start(app, &c).await;
    (c, ids)
}

pub(crate) async fn pass(app: &TestApp) -> usize {
    app.sender.run_once().await.expect("a sending pass")
}

pub(crate) async fn enrolments(app: &TestApp, campaign: &Value) -> Vec<Value> {
    let r = app
        .get(&format!(
            "/v1/campaigns/{}/contacts?perPage=100",
            id_of(campaign)
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.data().as_array().cloned().unwrap_or_default()
}

pub(crate) async fn stats(app: &TestApp, campaign: &Value) -> Value {
    let r = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(campaign)))
        .await;
    r.data().clone()
}

async fn status(app: &TestApp, campaign: &Value) -> Value {
    let r = app
        .get(&format!("/v1/campaigns/{}/sending-status", id_of(campaign)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.data().clone()
}

pub(crate) async fn events_of(app: &TestApp, kind: &str) -> Vec<Value> {
    event::Entity::find()
        .filter(event::Column::EventType.eq(kind))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str::<Value>(&e.payload).unwrap()["data"].clone())
        .collect()
}

pub(crate) async fn messages(app: &TestApp) -> Vec<message::Model> {
    message::Entity::find().all(&app.db).await.unwrap()
}

#[tokio::test]
async fn a_campaign_sends_personalised_threaded_emails_over_smtp() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, ids) = launch(&app, &account, two_steps(), json!({}), 2, "lead").await;

    assert_eq!(pass(&app).await, 2);
    let got = smtp.received();
    assert_eq!(got.len(), 2);
    let first = got
        .iter()
        .find(|m| m.to == vec!["lead0@example.com".to_owned()])
        .expect("lead0 got the first step");
    assert_eq!(first.from, USER);
    assert_eq!(first.subject().as_deref(), Some("Quick question, Ana0"));
    assert_eq!(
        first.content_type().as_deref(),
        Some("multipart/alternative")
    );
    let text = first.text_body().expect("a text part");
    assert!(text.contains("Hi Ana0,"), "{text}");
    assert!(
        text.contains("https://acme.example/offer?a=1&b=2"),
        "the text part keeps the original link: {text}"
    );
    let html = first.html_body().expect("an html part");
    assert!(html.contains(&format!("{}/t/c/", app.base)), "{html}");
    assert!(html.contains(&format!("{}/t/o/", app.base)), "{html}");
    assert!(!html.contains("https://acme.example/offer"), "{html}");
    let unsubscribe = first.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert!(unsubscribe.starts_with(&format!("<{}/u/", app.base)));
    assert_eq!(
        first.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let first_id = first.header("Message-ID").expect("Message-ID");
    assert!(first_id.starts_with("<msg_") && first_id.ends_with("@acme.test>"));

    // Nothing more is due until the follow-up's delay has passed.
    assert_eq!(pass(&app).await, 0);
    let s = status(&app, &c).await;
    assert_eq!(s["state"], "nothing_due");
    assert_eq!(s["nextDueAt"], "2026-12-02T10:00:00Z");
    assert_eq!(s["sentToday"], 2);
    let rows = enrolments(&app, &c).await;
    for row in &rows {
        assert_eq!(row["state"], "active");
        assert_eq!(row["currentStep"], 1);
        assert_eq!(row["emailAccountId"], account["id"]);
        assert_eq!(row["nextSendAt"], "2026-12-02T10:00:00Z");
    }
    app.clock.advance(Duration::days(2));
    assert_eq!(pass(&app).await, 2);
    let got = smtp.received();
    assert_eq!(got.len(), 4);
    let bump = got
        .iter()
        .skip(2)
        .find(|m| m.to == vec!["lead0@example.com".to_owned()])
        .expect("lead0 got the follow-up");
    assert_eq!(bump.subject().as_deref(), Some("Re: Quick question, Ana0"));
    assert_eq!(bump.header("In-Reply-To"), Some(first_id.clone()));
    assert_eq!(bump.header("References"), Some(first_id));
    assert_eq!(bump.content_type().as_deref(), Some("text/plain"));
    assert!(
        bump.text_body()
            .unwrap()
            .contains("Just bumping this, Ana0.")
    );

    // Every contact is done: the campaign completes itself.
    let rows = enrolments(&app, &c).await;
    assert!(rows.iter().all(|r| r["state"] == "completed"), "{rows:?}");
    let after = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(after.data()["status"], "completed");
    assert_eq!(events_of(&app, "campaign.completed").await.len(), 1);

    // Stats and webhook events agree with what the SMTP server received.
    let s = stats(&app, &c).await;
    assert_eq!(s["sent"], 2);
    assert_eq!(s["steps"][0]["sent"], 2);
    assert_eq!(s["steps"][1]["sent"], 2);
    let sent = events_of(&app, "email.sent").await;
    assert_eq!(sent.len(), 4);
    let mut smtp_ids: Vec<String> = smtp
        .received()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    let mut event_ids: Vec<String> = sent
        .iter()
        .map(|e| e["smtpMessageId"].as_str().unwrap().to_owned())
        .collect();
    smtp_ids.sort();
    event_ids.sort();
    assert_eq!(smtp_ids, event_ids);

    // The contact's messages, through GraphQL.
    let r = app
        .gql(
            "query($id: ID!) { contact(id: $id) { messages { step subject state sentAt openedAt clickedAt } } }",
            json!({ "id": ids[0] }),
        )
        .await;
    let list = &r.body["data"]["contact"]["messages"];
    assert_eq!(list[0]["step"], 1);
    assert_eq!(list[0]["state"], "sent");
    assert_eq!(list[1]["subject"], "Re: Quick question, Ana0");
    assert_eq!(list[1]["sentAt"], "2026-12-02T10:00:00Z");
}

#[tokio::test]
async fn the_window_opens_across_a_dst_change_and_skips_weekends() {
    // Saturday 2026-03-07, noon UTC; New York moves to summer time on Sunday the 8th.
    let (app, smtp) = app_at("2026-03-07T12:00:00Z").await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let schedule = json!({ "timezone": "America/New_York", "days": [1,2,3,4,5], "startTime": "09:00", "endTime": "10:00" });
    let (c, _) = launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello {{firstName}}" }, { "subject": "", "body": "Again", "delayDays": 1 }]),
        json!({ "schedule": schedule }),
        1,
        "ny",
    )
    .await;

    // Monday 09:00 in New York is 13:00 UTC once summer time began (14:00 the week before).
    let rows = enrolments(&app, &c).await;
    assert_eq!(rows[0]["nextSendAt"], "2026-03-09T13:00:00Z");
    assert_eq!(pass(&app).await, 0);
    let s = status(&app, &c).await;
    assert_eq!(s["state"], "outside_window");
    assert_eq!(s["nextWindowAt"], "2026-03-09T13:00:00Z");

    app.clock.set(at("2026-03-09T12:59:59Z"));
    assert_eq!(pass(&app).await, 0);
    app.clock.set(at("2026-03-09T13:00:00Z"));
    assert_eq!(status(&app, &c).await["state"], "sending");
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received().len(), 1);

    // The window closes at 10:00 New York time, 14:00 UTC: a newcomer then waits for Tuesday.
    app.clock.set(at("2026-03-09T14:00:00Z"));
    let late = people(&app, 1, "late").await;
    enrol(&app, &c, &late).await;
    assert_eq!(pass(&app).await, 0);
    let rows = enrolments(&app, &c).await;
    let waiting = rows
        .iter()
        .find(|r| r["contact"]["id"] == late[0].as_str())
        .unwrap();
    assert_eq!(waiting["nextSendAt"], "2026-03-10T13:00:00Z");
}

#[tokio::test]
async fn daily_limits_hold_per_campaign_and_per_account_and_follow_ups_go_first() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({ "dailyLimit": 3 })).await;
    let one = campaign(
        &app,
        &account,
        json!([{ "subject": "One", "body": "Hi" }, { "subject": "", "body": "Again", "delayDays": 1 }]),
        json!({ "dailyLimit": 2 }),
    )
    .await;
    let two = campaign(
        &app,
        &account,
        json!([{ "subject": "Two", "body": "Hi" }]),
        json!({ "dailyLimit": 100 }),
    )
    .await;
    let a = people(&app, 4, "a").await;
    let b = people(&app, 4, "b").await;
    enrol(&app, &one, &a).await;
    enrol(&app, &two, &b).await;
    start(&app, &one).await;
    start(&app, &two).await;

    while pass(&app).await > 0 {}
    // The account allows 3 a day across both campaigns; campaign one allows 2.
    assert_eq!(smtp.received().len(), 3);
    let s1 = status(&app, &one).await;
    assert!(s1["sentToday"].as_i64().unwrap() <= 2, "{s1}");
    assert_eq!(s1["accounts"][0]["sentToday"], 3);
    assert_eq!(
        s1["accounts"][0]["replyTracking"], "off",
        "no IMAP settings"
    );
    assert_eq!(s1["state"], "daily_limit_reached");
    let acc = app
        .get(&format!("/v1/email-accounts/{}", id_of(&account)))
        .await;
    assert_eq!(acc.data()["sentToday"], 3);

    // Next day (Tuesday): campaign one's follow-ups are due as well as its new contacts.
    app.clock.advance(Duration::days(1));
    let followups_due: usize = enrolments(&app, &one)
        .await
        .iter()
        .filter(|r| r["currentStep"] == 1)
        .count();
    let before = smtp.received().len();
    while pass(&app).await > 0 {}
    let today: Vec<_> = smtp.received().into_iter().skip(before).collect();
    assert_eq!(today.len(), 3);
    let to_one: Vec<_> = today.iter().filter(|m| m.to[0].starts_with('a')).collect();
    assert!(to_one.len() <= 2);
    let follow_ups = to_one
        .iter()
        .filter(|m| m.subject().as_deref() == Some("Re: One"))
        .count();
    assert_eq!(
        follow_ups,
        followups_due.min(to_one.len()),
        "follow-ups go before first steps when the limit binds"
    );
}

#[tokio::test]
async fn the_send_gap_spaces_an_accounts_emails() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({ "sendGapSeconds": 60 })).await;
    launch(&app, &account, one_step(), json!({}), 3, "gap").await;

    assert_eq!(pass(&app).await, 1);
    assert_eq!(pass(&app).await, 0, "the gap holds the next send");
    app.clock.advance(Duration::seconds(59));
    assert_eq!(pass(&app).await, 0);
    // 60 s plus at most 50 % jitter.
    app.clock.advance(Duration::seconds(31));
    assert_eq!(pass(&app).await, 1);
    app.clock.advance(Duration::seconds(91));
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received().len(), 3);
}

#[tokio::test]
async fn inbox_rotation_keeps_each_contact_on_one_account() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let first = smtp_account(&app, &smtp, json!({})).await;
    let second = smtp_account(&app, &smtp, json!({ "email": "ops@acme.test" })).await;
    let c = campaign(
        &app,
        &first,
        json!([{ "subject": "Hi", "body": "Hello" }, { "subject": "", "body": "Again", "delayDays": 1 }]),
        json!({ "emailAccountIds": [second["id"]] }),
    )
    .await;
    assert_eq!(c["emailAccountIds"], json!([first["id"], second["id"]]));
    let ids = people(&app, 6, "rot").await;
    enrol(&app, &c, &ids).await;
    start(&app, &c).await;
    while pass(&app).await > 0 {}
    let got = smtp.received();
    assert_eq!(got.len(), 6);
    let from_second = got.iter().filter(|m| m.from == "ops@acme.test").count();
    assert_eq!(from_second, 3, "newcomers go to the account with most room");

    let first_sender: std::collections::HashMap<String, String> = got
        .iter()
        .map(|m| (m.to[0].clone(), m.from.clone()))
        .collect();
    app.clock.advance(Duration::days(1));
    while pass(&app).await > 0 {}
    let follow: Vec<_> = smtp.received().into_iter().skip(6).collect();
    assert_eq!(follow.len(), 6);
    for m in follow {
        assert_eq!(
            first_sender[&m.to[0]], m.from,
            "the thread stays in one mailbox"
        );
    }
}

#[tokio::test]
async fn pause_stops_new_sends_at_once_and_start_resumes() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({ "sendGapSeconds": 10 })).await;
    let (c, _) = launch(&app, &account, one_step(), json!({}), 3, "p").await;
    assert_eq!(pass(&app).await, 1);
    let r = app
        .post(&format!("/v1/campaigns/{}/pause", id_of(&c)), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(5));
    assert_eq!(pass(&app).await, 0);
    assert_eq!(status(&app, &c).await["state"], "paused");
    start(&app, &c).await;
    assert_eq!(pass(&app).await, 1);
    app.clock.advance(Duration::minutes(1));
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received().len(), 3);
}

#[tokio::test]
async fn a_missing_field_holds_the_contact_instead_of_sending_hi_comma() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let c = campaign(
        &app,
        &account,
        json!([{ "subject": "For {{company}}", "body": "Hi {{firstName}}, {{title | friend}}" }]),
        json!({}),
    )
    .await;
    let named = app
        .contact(json!({ "email": "named@example.com", "firstName": "Rui", "company": "Globex", "customFields": { "title": "CTO" } }))
        .await;
    let anonymous = app
        .contact(json!({ "email": "anon@example.com", "company": "Globex" }))
        .await;
    enrol(&app, &c, &[id_of(&named), id_of(&anonymous)]).await;
    start(&app, &c).await;
    assert_eq!(pass(&app).await, 1);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["named@example.com".to_owned()]);
    assert_eq!(got[0].text_body().unwrap().trim(), "Hi Rui, CTO");
    assert_eq!(got[0].subject().as_deref(), Some("For Globex"));

    let rows = enrolments(&app, &c).await;
    let held = rows
        .iter()
        .find(|r| r["contact"]["email"] == "anon@example.com")
        .unwrap();
    assert_eq!(held["state"], "active");
    assert_eq!(held["reason"], "missing_field:firstName");
    let s = status(&app, &c).await;
    assert_eq!(
        s["missingFields"],
        json!([{ "field": "firstName", "contacts": 1 }])
    );

    // Once the field is filled, the next look sends it.
    app.put(
        &format!("/v1/contacts/{}", id_of(&anonymous)),
        json!({ "firstName": "Eva" }),
    )
    .await;
    app.clock.advance(Duration::hours(1));
    assert_eq!(pass(&app).await, 1);
    assert_eq!(
        smtp.received()[1].text_body().unwrap().trim(),
        "Hi Eva, friend"
    );
}

#[tokio::test]
async fn a_4xx_is_retried_with_backoff_then_sent_and_a_5xx_bounces() {
    let (app, smtp) = app_at(MONDAY_10).await;
    smtp.script_rcpt(
        "slow0@example.com",
        &["451 4.7.1 Greylisted, try again later"],
    );
    smtp.reject_rcpt_always("gone0@example.com", "550 5.1.1 No such user");
    let account = smtp_account(&app, &smtp, json!({})).await;
    let c = campaign(&app, &account, one_step(), json!({})).await;
    let mut ids = people(&app, 1, "slow").await;
    ids.extend(people(&app, 1, "gone").await);
    enrol(&app, &c, &ids).await;
    start(&app, &c).await;

    assert_eq!(pass(&app).await, 2);
    assert!(smtp.received().is_empty());
    let rows = enrolments(&app, &c).await;
    let slow = rows
        .iter()
        .find(|r| r["contact"]["email"] == "slow0@example.com")
        .unwrap();
    assert_eq!(slow["state"], "active");
    assert_eq!(slow["reason"], "retrying");
    assert_eq!(slow["nextSendAt"], "2026-11-30T10:01:00Z");
    let gone = rows
        .iter()
        .find(|r| r["contact"]["email"] == "gone0@example.com")
        .unwrap();
    assert_eq!(gone["state"], "bounced");
    assert_eq!(gone["contact"]["status"], "bounced");

    assert_eq!(pass(&app).await, 0, "the retry waits its minute");
    app.clock.advance(Duration::seconds(60));
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(smtp.rcpt_attempts("slow0@example.com"), 2);
    let rows = messages(&app).await;
    let slow_msg = rows.iter().find(|m| m.contact_id == ids[0]).unwrap();
    assert_eq!(slow_msg.state.as_str(), "sent");
    assert_eq!(slow_msg.attempts, 2);

    let s = stats(&app, &c).await;
    assert_eq!(s["sent"], 2);
    assert_eq!(s["bounced"], 1);
    let bounced = events_of(&app, "email.bounced").await;
    assert_eq!(bounced.len(), 1);
    assert_eq!(bounced[0]["email"], "gone0@example.com");
    assert!(bounced[0]["smtpReply"].as_str().unwrap().contains("550"));
    // Quota given back for the deferral: two emails went out today, not three.
    assert_eq!(status(&app, &c).await["sentToday"], 2);
}

#[tokio::test]
async fn retries_run_out_and_the_enrolment_fails() {
    let (app, smtp) = app_at(MONDAY_10).await;
    smtp.script_rcpt("busy0@example.com", &["421 4.3.2 busy"; 5]);
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, _) = launch(&app, &account, one_step(), json!({}), 1, "busy").await;
    for wait in [0, 1, 5, 30, 120] {
        app.clock.advance(Duration::minutes(wait));
        assert_eq!(pass(&app).await, 1, "attempt after {wait} min");
    }
    assert_eq!(smtp.rcpt_attempts("busy0@example.com"), 5);
    let rows = enrolments(&app, &c).await;
    assert_eq!(rows[0]["state"], "failed");
    assert_eq!(rows[0]["reason"], "delivery_failed");
    assert_eq!(events_of(&app, "email.failed").await.len(), 1);
    assert_eq!(
        app.get(&format!("/v1/campaigns/{}", id_of(&c)))
            .await
            .data()["status"],
        "completed"
    );
}

#[tokio::test]
async fn an_authentication_failure_stops_the_account_not_the_system() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let bad = smtp_account(&app, &smtp, json!({ "smtpPassword": "wrong" })).await;
    let (c, _) = launch(&app, &bad, one_step(), json!({}), 2, "auth").await;

    pass(&app).await;
    assert!(smtp.received().is_empty());
    assert!(smtp.auth_failures() >= 1);
    let acc = app
        .get(&format!("/v1/email-accounts/{}", id_of(&bad)))
        .await;
    assert_eq!(acc.data()["status"], "error");
    assert!(acc.data()["lastError"].as_str().unwrap().contains("535"));
    assert_eq!(status(&app, &c).await["state"], "account_error");
    let failures = smtp.auth_failures();
    assert_eq!(pass(&app).await, 0, "its sends wait");
    assert_eq!(smtp.auth_failures(), failures);
    let rows = enrolments(&app, &c).await;
    assert!(rows.iter().all(|r| r["state"] == "active"));

    let fixed = app
        .put(
            &format!("/v1/email-accounts/{}", id_of(&bad)),
            json!({ "smtpPassword": PASSWORD }),
        )
        .await;
    assert_eq!(fixed.data()["status"], "ok");
    assert_eq!(pass(&app).await, 2);
    assert_eq!(smtp.received().len(), 2);
    assert!(messages(&app).await.iter().all(|m| m.attempts == 1));
}

#[tokio::test]
async fn a_dead_workers_unstarted_claims_return_to_due_and_are_sent_once() {
    let (app, smtp) = app_with_lease(MONDAY_10).await;
    let policy = app_policy(&app);
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, ids) = launch(&app, &account, one_step(), json!({}), 3, "crash").await;

    // A worker claims (rows committed `queued`, leased) and dies before starting any.
    let tracker = api::service::tracking::Tracker::new("any", "http://x");
    let claimed = api::service::sending::claim(&app.db, &tracker, &policy, app.clock.now(), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(
        messages(&app)
            .await
            .iter()
            .all(|m| m.state.as_str() == "queued")
    );
    assert_eq!(pass(&app).await, 0, "claimed emails are not claimed again");
    assert_eq!(app.sender.sweep().await.unwrap(), 0);
    assert!(
        messages(&app)
            .await
            .iter()
            .all(|m| m.state.as_str() == "queued")
    );

    // The lease ends on the database's clock (the engine's manual clock has not moved).
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    assert_eq!(app.sender.sweep().await.unwrap(), 0, "none became unknown");
    assert!(
        messages(&app)
            .await
            .iter()
            .all(|m| m.state.as_str() == "deferred")
    );
    // The dead worker, were it only slow, finds its claim gone and does not send.
    let later = app.clock.now();
    assert_eq!(
        api::service::sending::begin(&app.db, &policy, &claimed[0], later)
            .await
            .unwrap(),
        api::service::sending::Begun::Lost
    );

    assert_eq!(pass(&app).await, 3);
    let got = smtp.received();
    assert_eq!(got.len(), 3);
    let unique: HashSet<String> = got.iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(unique.len(), 3, "each contact once");
    // The same rows and Message-IDs went out, each counted as one attempt.
    let rows = messages(&app).await;
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|m| m.state.as_str() == "sent" && m.attempts == 1)
    );
    let sent_ids: HashSet<String> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    let claimed_ids: HashSet<String> = claimed
        .iter()
        .map(|j| j.message.message_id.clone())
        .collect();
    assert_eq!(sent_ids, claimed_ids);
    assert_eq!(stats(&app, &c).await["sent"], 3);
    assert_eq!(
        status(&app, &c).await["sentToday"],
        3,
        "the day's limits were given back"
    );
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn only_a_started_send_of_a_dead_worker_is_unknown_and_it_is_never_resent() {
    let (app, smtp) = app_with_lease(MONDAY_10).await;
    let policy = app_policy(&app);
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, _) = launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }, { "subject": "", "body": "Again" }]),
        json!({}),
        3,
        "crash",
    )
    .await;
    let tracker = api::service::tracking::Tracker::new("any", "http://x");
    let claimed = api::service::sending::claim(&app.db, &tracker, &policy, app.clock.now(), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    // It started one SMTP transaction, then died.
    assert_eq!(
        api::service::sending::begin(&app.db, &policy, &claimed[0], app.clock.now())
            .await
            .unwrap(),
        api::service::sending::Begun::Started
    );
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    assert_eq!(
        app.sender.sweep().await.unwrap(),
        1,
        "only the started one is in doubt"
    );
    assert_eq!(pass(&app).await, 2);
    let got = smtp.received();
    assert_eq!(got.len(), 2);
    assert!(!got.iter().any(|m| m.to == vec![claimed[0].to.clone()]));
    let rows = enrolments(&app, &c).await;
    let failed: Vec<&Value> = rows.iter().filter(|r| r["state"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["reason"], "outcome_unknown");
    assert_eq!(status(&app, &c).await["unknownOutcomes"], 1);
    app.clock.advance(Duration::days(3));
    assert_eq!(
        pass(&app).await,
        2,
        "the two others' follow-ups, never the unknown one's"
    );
    assert_eq!(smtp.received().len(), 4);
    assert_eq!(events_of(&app, "email.failed").await.len(), 1);
}

#[tokio::test]
async fn a_broken_connection_after_the_data_is_unknown_not_resent() {
    let (app, smtp) = app_at(MONDAY_10).await;
    smtp.stall_after_data(true);
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, _) = launch(&app, &account, one_step(), json!({}), 1, "stall").await;
    assert_eq!(pass(&app).await, 1);
    let rows = messages(&app).await;
    assert_eq!(rows[0].state.as_str(), "unknown");
    smtp.stall_after_data(false);
    app.clock.advance(Duration::hours(3));
    assert_eq!(pass(&app).await, 0);
    assert_eq!(enrolments(&app, &c).await[0]["reason"], "outcome_unknown");
}

#[tokio::test]
async fn bounces_past_five_percent_pause_the_campaign() {
    let (app, smtp) = app_at(MONDAY_10).await;
    for i in 0..2 {
        smtp.reject_rcpt_always(&format!("bb{i}@example.com"), "550 5.1.1 unknown user");
    }
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([{ "subject": "Hi", "body": "Hello" }, { "subject": "", "body": "Again", "delayDays": 3 }]);
    let c = campaign(&app, &account, steps, json!({})).await;
    let good = people(&app, 20, "ok").await;
    enrol(&app, &c, &good).await;
    start(&app, &c).await;
    while pass(&app).await > 0 {}
    // Newcomers to a running campaign are scheduled at once: 1 bounce in 21 is under 5 %.
    let bad = people(&app, 2, "bb").await;
    enrol(&app, &c, &bad[..1]).await;
    while pass(&app).await > 0 {}
    let campaign = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(campaign.data()["status"], "running");
    enrol(&app, &c, &bad[1..]).await;
    while pass(&app).await > 0 {}
    let s = stats(&app, &c).await;
    assert_eq!(
        (s["sent"].as_i64(), s["bounced"].as_i64()),
        (Some(22), Some(2))
    );
    let campaign = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(campaign.data()["status"], "paused");
    assert_eq!(campaign.data()["pausedReason"], "bounce_rate");
    let paused = events_of(&app, "campaign.paused").await;
    assert_eq!(paused.len(), 1);
    assert_eq!(paused[0]["pausedReason"], "bounce_rate");
    assert_eq!(status(&app, &c).await["pausedReason"], "bounce_rate");
    // Starting again clears the reason.
    start(&app, &c).await;
    let campaign = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(campaign.data()["pausedReason"], Value::Null);
}

#[tokio::test]
async fn two_workers_send_each_contact_exactly_once() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let n = if std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        2000
    } else {
        400
    };
    let account = smtp_account(&app, &smtp, json!({ "dailyLimit": 10000 })).await;
    let c = campaign(
        &app,
        &account,
        json!([{ "subject": "Hi {{firstName}}", "body": "Hello" }]),
        json!({ "dailyLimit": 10000 }),
    )
    .await;
    let contacts: Vec<Value> = (0..n)
        .map(|i| json!({ "email": format!("w{i}@example.com"), "firstName": "W" }))
        .collect();
    let mut ids = Vec::new();
    for chunk in contacts.chunks(1000) {
        let r = app
            .post("/v1/contacts/batch", json!({ "contacts": chunk }))
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        for item in r.data()["results"].as_array().unwrap() {
            ids.push(item["contact"]["id"].as_str().unwrap().to_owned());
        }
    }
    for chunk in ids.chunks(5000) {
        enrol(&app, &c, chunk).await;
    }
    start(&app, &c).await;

    // A second worker with its own connections, as another process would have.
    let other_db = api::db::connect(&app.database_url).await.unwrap();
    let second = app.sender.fork(other_db);
    let first = app.sender.clone();
    let run = |s: api::engine::sender::Sender| async move {
        let mut total = 0;
        loop {
            let sent = s.run_once().await.expect("pass");
            if sent == 0 {
                break total;
            }
            total += sent;
        }
    };
    let (a, b) = tokio::join!(run(first), run(second));
    assert_eq!(a + b, n);
    while pass(&app).await > 0 {}
    let got = smtp.received();
    assert_eq!(got.len(), n);
    let unique: HashSet<String> = got.iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(unique.len(), n, "every contact exactly once");
    assert_eq!(stats(&app, &c).await["sent"], n as i64);
    assert_eq!(events_of(&app, "email.sent").await.len(), n);
}

#[tokio::test]
async fn tracking_counts_opens_clicks_and_one_click_unsubscribes() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, ids) = launch(&app, &account, two_steps(), json!({}), 1, "t").await;
    assert_eq!(pass(&app).await, 1);
    // A reader opens it after the first seconds (earlier hits are scanners').
    app.clock.advance(Duration::seconds(11));
    let mail = &smtp.received()[0];
    let html = mail.html_body().unwrap();
    let link = |prefix: &str| -> String {
        let from = html.find(&format!("{}{prefix}", app.base)).expect(prefix);
        let rest = &html[from..];
        rest[..rest.find('"').unwrap()].to_owned()
    };
    let pixel = link("/t/o/");
    let click = link("/t/c/");
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    for _ in 0..2 {
        let r = no_redirects.get(&pixel).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "image/gif");
        assert_eq!(r.headers()["cache-control"], "no-store");
        assert_eq!(r.bytes().await.unwrap().len(), 43);
    }
    let r = no_redirects.get(&click).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(
        r.headers()["location"],
        "https://acme.example/offer?a=1&b=2"
    );

    // A forged or altered token is a 404, never a redirect.
    let token = click.rsplit('/').next().unwrap();
    let (payload, tag) = token.split_once('.').unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let original = String::from_utf8(b64.decode(payload).unwrap()).unwrap();
    let evil = original.replace(
        "https://acme.example/offer?a=1&b=2",
        "https://evil.example/",
    );
    for bad in [
        format!("{}/t/c/{}.{tag}", app.base, b64.encode(evil)),
        format!("{}/t/c/{payload}.AAAA{}", app.base, &tag[4..]),
        format!("{}/t/c/nonsense", app.base),
    ] {
        let r = no_redirects.get(&bad).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
        assert!(r.headers().get("location").is_none());
    }

    let s = stats(&app, &c).await;
    assert_eq!(s["opened"], 1, "unique per contact");
    assert_eq!(s["clicked"], 1);
    let day = app
        .get(&format!(
            "/v1/campaigns/{}/stats?from=2026-11-30&to=2026-11-30",
            id_of(&c)
        ))
        .await;
    assert_eq!(day.data()["timeline"][0]["opened"], 2, "every hit is kept");
    assert_eq!(events_of(&app, "email.opened").await.len(), 1);
    assert_eq!(
        events_of(&app, "email.clicked").await[0]["url"],
        "https://acme.example/offer?a=1&b=2"
    );

    // GET shows a confirmation and changes nothing (link scanners follow GETs).
    let unsubscribe = mail.header("List-Unsubscribe").unwrap();
    let unsubscribe = unsubscribe.trim_matches(|c| c == '<' || c == '>');
    let r = no_redirects.get(unsubscribe).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let headers = r.headers().clone();
    let page = r.text().await.unwrap();
    assert!(page.contains("<form method=\"post\""));
    crate::edge::assert_secure_page(&headers, &page, "the unsubscribe page");
    let contact = app.get(&format!("/v1/contacts/{}", ids[0])).await;
    assert_eq!(contact.data()["status"], "active");

    // RFC 8058 one-click: a POST of List-Unsubscribe=One-Click, no cookies, no key.
    for _ in 0..2 {
        let r = no_redirects
            .post(unsubscribe)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let contact = app.get(&format!("/v1/contacts/{}", ids[0])).await;
    assert_eq!(contact.data()["status"], "unsubscribed");
    assert_eq!(stats(&app, &c).await["unsubscribed"], 1);
    assert_eq!(
        events_of(&app, "email.unsubscribed").await.len(),
        1,
        "idempotent"
    );
    assert_eq!(events_of(&app, "contact.unsubscribed").await.len(), 1);
    let rows = enrolments(&app, &c).await;
    assert_eq!(rows[0]["state"], "unsubscribed");
    // No follow-up goes to an unsubscribed contact.
    app.clock.advance(Duration::days(3));
    assert_eq!(pass(&app).await, 0);
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn suppressed_contacts_are_never_emailed_by_any_campaign() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, ids) = launch(&app, &account, one_step(), json!({}), 2, "sup").await;
    // Unsubscribed after enrolment, before the send.
    app.put(
        &format!("/v1/contacts/{}", ids[0]),
        json!({ "status": "unsubscribed" }),
    )
    .await;
    assert_eq!(pass(&app).await, 1);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["sup1@example.com".to_owned()]);
    let rows = enrolments(&app, &c).await;
    let skipped = rows
        .iter()
        .find(|r| r["contact"]["id"] == ids[0].as_str())
        .unwrap();
    assert_eq!(skipped["state"], "unsubscribed");
}

#[tokio::test]
async fn follow_up_steps_may_leave_the_subject_empty_but_the_first_may_not() {
    let (app, _smtp) = app_at(MONDAY_10).await;
    let r = app
        .post(
            "/v1/campaigns",
            json!({ "name": "x", "steps": [{ "subject": "", "body": "Hi" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["details"]["step"], 1);
    let r = app
        .post(
            "/v1/campaigns",
            json!({ "name": "x", "steps": [{ "subject": "Hi", "body": "Hi" }, { "body": "Again" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let other = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let theirs = app
        .request_as(
            Some(&other.1),
            reqwest::Method::GET,
            &format!("/v1/campaigns/{}/sending-status", id_of(r.data())),
            None,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_server_runs_the_sending_worker_on_the_real_clock() {
    let app = spawn_app_with(|c| {
        c.allow_private_hosts(true);
        c.run_workers = true;
        c.sender.poll_interval = std::time::Duration::from_millis(20);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    // Every day, all day (UTC): the window is open whenever the test runs, but 23:59.
    let schedule = json!({ "timezone": "UTC", "days": [1,2,3,4,5,6,7], "startTime": "00:00", "endTime": "23:59" });
    let c = campaign(
        &app,
        &account,
        json!([{ "subject": "Hi {{firstName}}", "body": "Hello from {{company}}" }]),
        json!({ "schedule": schedule }),
    )
    .await;
    let ids = people(&app, 3, "live").await;
    enrol(&app, &c, &ids).await;
    if Utc::now().format("%H:%M").to_string() == "23:59" {
        return;
    }
    start(&app, &c).await;
    let got = smtp.wait_for(3, std::time::Duration::from_secs(20)).await;
    assert_eq!(got.len(), 3);
    assert!(
        got.iter()
            .all(|m| m.text_body().unwrap().contains("Hello from Initech"))
    );
    // The worker keeps going on its own: the campaign completes without a nudge.
    for _ in 0..100 {
        if app
            .get(&format!("/v1/campaigns/{}", id_of(&c)))
            .await
            .data()["status"]
            == "completed"
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the campaign did not complete");
}

#[tokio::test]
async fn an_email_account_in_a_rotation_cannot_be_deleted() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let first = smtp_account(&app, &smtp, json!({})).await;
    let second = smtp_account(&app, &smtp, json!({ "email": "ops@acme.test" })).await;
    let c = campaign(
        &app,
        &first,
        one_step(),
        json!({ "emailAccountIds": [second["id"]] }),
    )
    .await;
    let r = app
        .delete(&format!("/v1/email-accounts/{}", id_of(&second)))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        r.body["error"]["details"]["campaignIds"],
        json!([id_of(&c)])
    );
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "emailAccountIds": [] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .delete(&format!("/v1/email-accounts/{}", id_of(&second)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn two_workers_never_overshoot_a_daily_limit() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({ "dailyLimit": 1000 })).await;
    let (c, _) = launch(
        &app,
        &account,
        one_step(),
        json!({ "dailyLimit": 25 }),
        60,
        "lim",
    )
    .await;
    let other_db = api::db::connect(&app.database_url).await.unwrap();
    let (first, second) = (app.sender.clone(), app.sender.fork(other_db));
    let run = |s: api::engine::sender::Sender| async move {
        let mut total = 0;
        for _ in 0..20 {
            total += s.run_once().await.expect("pass");
        }
        total
    };
    let (a, b) = tokio::join!(run(first), run(second));
    assert_eq!(a + b, 25);
    assert_eq!(smtp.received().len(), 25);
    assert_eq!(status(&app, &c).await["sentToday"], 25);
}

#[tokio::test]
async fn a_refused_connection_is_retried_not_lost() {
    let (app, smtp) = app_at(MONDAY_10).await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let account = smtp_account(&app, &smtp, json!({ "smtpPort": port })).await;
    let (c, _) = launch(&app, &account, one_step(), json!({}), 1, "down").await;
    assert_eq!(pass(&app).await, 1);
    let rows = messages(&app).await;
    assert_eq!(rows[0].state.as_str(), "deferred");
    assert!(
        rows[0]
            .last_reply
            .as_deref()
            .unwrap()
            .contains("connection"),
        "{:?}",
        rows[0].last_reply
    );
    assert_eq!(enrolments(&app, &c).await[0]["reason"], "retrying");
    // The account is pointed at the live server; the retry goes out.
    app.put(
        &format!("/v1/email-accounts/{}", id_of(&account)),
        json!({ "smtpPort": smtp.port() }),
    )
    .await;
    app.clock.advance(Duration::minutes(1));
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(messages(&app).await[0].attempts, 2);
}

#[tokio::test]
async fn tracking_hits_are_rate_limited_per_client_address() {
    let clock = Clock::manual(at(MONDAY_10));
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
        c.tracking_rate_per_minute = 3;
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    launch(&app, &account, two_steps(), json!({}), 1, "rl").await;
    pass(&app).await;
    let html = smtp.received()[0].html_body().unwrap();
    let from = html.find(&format!("{}/t/c/", app.base)).unwrap();
    let click = &html[from..from + html[from..].find('"').unwrap()];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(client.get(click).send().await.unwrap().status().as_u16());
    }
    assert_eq!(codes, vec![302, 302, 302, 429]);
}

#[tokio::test]
async fn signed_email_webhooks_agree_with_what_the_smtp_server_received() {
    let clock = Clock::manual(at(MONDAY_10));
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    smtp.reject_rcpt_always("hook2@example.com", "550 5.1.1 No such user");
    let receiver = crate::receiver::Receiver::start(vec![]).await;
    let hook = app
        .post(
            "/v1/webhooks",
            json!({ "url": receiver.url, "events": ["email.sent", "email.bounced"] }),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let secret = hook.data()["secret"].as_str().unwrap().to_owned();
    let account = smtp_account(&app, &smtp, json!({})).await;
    launch(&app, &account, two_steps(), json!({}), 3, "hook").await;
    assert_eq!(pass(&app).await, 3);

    let settings = api::engine::webhooks::Settings {
        allow_private: true,
        ..Default::default()
    };
    let client = api::engine::webhooks::client(&settings).unwrap();
    api::engine::webhooks::run_once(
        &app.db,
        &client,
        &settings,
        &crate::helpers::keyring(),
        &app.clock,
    )
    .await
    .unwrap();
    let hits = receiver
        .wait_for(3, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(hits.len(), 3);
    let mut sent_ids = Vec::new();
    for hit in &hits {
        standardwebhooks::Webhook::new(&secret)
            .unwrap()
            .verify(hit.body.as_bytes(), &hit.headers)
            .expect("signed");
        let body = hit.json();
        match body["type"].as_str().unwrap() {
            "email.sent" => {
                sent_ids.push(body["data"]["smtpMessageId"].as_str().unwrap().to_owned())
            }
            "email.bounced" => {
                assert_eq!(body["data"]["email"], "hook2@example.com");
                assert!(body["data"]["smtpReply"].as_str().unwrap().contains("550"));
            }
            other => panic!("unexpected {other}"),
        }
    }
    let mut received: Vec<String> = smtp
        .received()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    sent_ids.sort();
    received.sort();
    assert_eq!(sent_ids, received);
}

#[tokio::test]
async fn the_connection_test_logs_in_without_sending() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let good = smtp_account(&app, &smtp, json!({})).await;
    let r = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(&good)),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["smtp"]["ok"], true);
    assert!(r.data()["smtp"]["error"].is_null());
    assert_eq!(r.data()["smtp"]["steps"][1]["step"], "login");
    assert!(
        r.data()["imap"].is_null(),
        "no IMAP settings, no IMAP check"
    );
    assert!(smtp.transcript().iter().any(|l| l.starts_with("AUTH")));

    let bad = smtp_account(&app, &smtp, json!({ "smtpPassword": "nope" })).await;
    let r = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(&bad)),
            json!({}),
        )
        .await;
    assert_eq!(r.data()["smtp"]["ok"], false);
    assert_eq!(r.data()["smtp"]["error"], "auth_failed", "{}", r.body);
    assert!(
        !r.body.to_string().contains("535"),
        "the server's reply is not repeated: {}",
        r.body
    );
    assert_eq!(
        r.data()["smtp"]["steps"][1]["ok"],
        false,
        "the login step failed"
    );
    assert_eq!(r.data()["emailAccount"]["status"], "error");
    assert!(smtp.received().is_empty(), "a test sends nothing");
    assert!(!smtp.transcript().iter().any(|l| l.starts_with("MAIL")));

    let other = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let theirs = app
        .request_as(
            Some(&other.1),
            reqwest::Method::POST,
            &format!("/v1/email-accounts/{}/test", id_of(&good)),
            Some(json!({})),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn listing_email_accounts_reads_every_sent_today_in_one_statement() {
    let (app, log) = crate::helpers::spawn_counting_app_with(|c| c.allow_private_hosts(true)).await;
    let mut counts = Vec::new();
    for target in [1, 6] {
        while app
            .get("/v1/email-accounts")
            .await
            .data()
            .as_array()
            .unwrap()
            .len()
            < target
        {
            app.account().await;
        }
        log.lock().unwrap().clear();
        let r = app.get("/v1/email-accounts?perPage=100").await;
        assert!(
            r.data()
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["sentToday"] == 0)
        );
        let statements = log.lock().unwrap().clone();
        let reads = statements
            .iter()
            .filter(|s| s.contains("send_counts"))
            .count();
        assert_eq!(reads, 1, "{statements:#?}");
        counts.push(statements.len());
    }
    assert_eq!(
        counts[0], counts[1],
        "the same statements for 1 and 6 accounts"
    );
}

async fn tls_app(trust_test_ca: bool) -> TestApp {
    let clock = Clock::manual(at(MONDAY_10));
    spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
        if trust_test_ca {
            c.sender.trust =
                api::engine::smtp::Trust::from_pem(crate::smtp::TEST_CA).expect("test CA");
        }
    })
    .await
}

#[tokio::test]
async fn starttls_and_implicit_tls_send_encrypted_and_verify_the_certificate() {
    let app = tls_app(true).await;
    for (mode, security) in [(Tls::Starttls, "starttls"), (Tls::Implicit, "tls")] {
        let smtp = SmtpServer::start_with(Some((USER, PASSWORD)), mode).await;
        let account = smtp_account(&app, &smtp, json!({ "smtpSecurity": security })).await;
        launch(&app, &account, one_step(), json!({}), 2, security).await;
        while pass(&app).await > 0 {}
        let got = smtp.received();
        assert_eq!(got.len(), 2, "{security}");
        assert!(smtp.tls_handshakes() >= 1, "{security}");
        if mode == Tls::Starttls {
            let transcript = smtp.transcript();
            let starttls = transcript
                .iter()
                .position(|l| l == "STARTTLS")
                .expect("STARTTLS sent");
            let auth = transcript
                .iter()
                .position(|l| l.starts_with("AUTH"))
                .unwrap();
            assert!(
                starttls < auth,
                "credentials only travel encrypted: {transcript:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_and_nothing_is_sent() {
    let app = tls_app(false).await;
    let smtp = SmtpServer::start_with(Some((USER, PASSWORD)), Tls::Starttls).await;
    let account = smtp_account(&app, &smtp, json!({ "smtpSecurity": "starttls" })).await;
    let (c, _) = launch(&app, &account, one_step(), json!({}), 1, "untrusted").await;
    assert_eq!(pass(&app).await, 1);
    assert!(smtp.received().is_empty());
    assert!(
        !smtp.transcript().iter().any(|l| l.starts_with("AUTH")),
        "no password over an unverified channel"
    );
    let rows = messages(&app).await;
    assert_eq!(rows[0].state.as_str(), "deferred");
    assert!(
        rows[0]
            .last_reply
            .as_deref()
            .unwrap_or_default()
            .to_lowercase()
            .contains("certificate"),
        "{:?}",
        rows[0].last_reply
    );
    assert_eq!(enrolments(&app, &c).await[0]["reason"], "retrying");
}
