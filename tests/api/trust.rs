//! Sending you can trust: no tenant's data, no contact's fields and no crash stops, misleads
//! or misdirects anyone's sending.

use std::time::Duration as StdDuration;

use api::clock::Clock;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::sending::{MONDAY_10, PASSWORD, USER, at, smtp_account};
use crate::smtp::SmtpServer;

async fn as_other(app: &TestApp, key: &str, method: Method, path: &str, body: Value) -> Value {
    let r = app.request_as(Some(key), method, path, Some(body)).await;
    assert!(r.status.is_success(), "{path}: {} {}", r.status, r.body);
    r.data().clone()
}

async fn ready(app: &TestApp) -> (StatusCode, Value) {
    let r = app.request_as(None, Method::GET, "/readyz", None).await;
    (r.status, r.body)
}

/// A multi-byte first subject followed by an empty follow-up subject used to panic the sender
/// loop: nothing more was sent for anyone. The loop now sends it, and everyone else's email.
#[tokio::test]
async fn a_multibyte_subject_stops_nobodys_sending() {
    let clock = Clock::manual(at(MONDAY_10));
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
        c.run_workers = true;
        c.sender.poll_interval = StdDuration::from_millis(20);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([
        { "subject": "Olá {{firstName}}", "body": "Oi {{firstName}}" },
        { "subject": "", "body": "De novo", "delayDays": 1 },
    ]);
    let c = app
        .campaign(json!({ "name": "PT", "emailAccountId": account["id"], "steps": steps }))
        .await;
    let mut ids = Vec::new();
    for (i, name) in ["Ana", "🚀 João"].iter().enumerate() {
        let contact = app
            .contact(json!({ "email": format!("pt{i}@example.com"), "firstName": name }))
            .await;
        ids.push(id_of(&contact));
    }
    crate::sending::enrol(&app, &c, &ids).await;
    crate::sending::start(&app, &c).await;
    assert_eq!(smtp.wait_for(2, StdDuration::from_secs(10)).await.len(), 2);
    // Both outcomes recorded before the day moves on.
    for _ in 0..200 {
        let rows = crate::sending::enrolments(&app, &c).await;
        if rows
            .iter()
            .all(|r| r["nextSendAt"] == "2026-12-01T10:00:00Z")
        {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }

    app.clock.advance(chrono::Duration::days(1));
    let got = smtp.wait_for(4, StdDuration::from_secs(10)).await;
    assert_eq!(
        got.len(),
        4,
        "the follow-ups were not sent: {:?}",
        crate::sending::enrolments(&app, &c).await
    );
    let mut subjects: Vec<String> = got.iter().skip(2).filter_map(|m| m.subject()).collect();
    subjects.sort();
    assert_eq!(subjects, ["Re: Olá Ana", "Re: Olá 🚀 João"]);

    // Another workspace's campaign still goes out on the same loop.
    let (_, key) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let other_account = as_other(
        &app,
        &key,
        Method::POST,
        "/v1/email-accounts",
        json!({ "email": USER, "smtpHost": smtp.host(), "smtpPort": smtp.port(), "smtpSecurity": "none", "smtpUsername": USER, "smtpPassword": PASSWORD, "sendGapSeconds": 0 }),
    )
    .await;
    let contact = as_other(
        &app,
        &key,
        Method::POST,
        "/v1/contacts",
        json!({ "email": "other@example.com" }),
    )
    .await;
    let other = as_other(
        &app,
        &key,
        Method::POST,
        "/v1/campaigns",
        json!({ "name": "B", "emailAccountId": other_account["id"], "steps": [{ "subject": "🚀", "body": "Hi" }] }),
    )
    .await;
    let path = format!("/v1/campaigns/{}", id_of(&other));
    as_other(
        &app,
        &key,
        Method::POST,
        &format!("{path}/contacts"),
        json!({ "contactIds": [id_of(&contact)] }),
    )
    .await;
    as_other(
        &app,
        &key,
        Method::POST,
        &format!("{path}/start"),
        json!({}),
    )
    .await;
    let got = smtp.wait_for(5, StdDuration::from_secs(10)).await;
    assert_eq!(got.len(), 5);
    assert_eq!(got[4].to, vec!["other@example.com".to_owned()]);
    assert_eq!(ready(&app).await.0, StatusCode::OK);
}

/// `/readyz` names a background loop that has not finished a pass within its period, and is
/// ready again once it does.
#[tokio::test]
async fn readyz_names_a_stalled_engine_loop() {
    // A webhook target that accepts connections and never answers holds a delivery pass for
    // the delivery timeout, longer than the pass limit set here.
    let tarpit = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tarpit.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = tarpit.accept().await {
            held.push(socket);
        }
    });
    let app = spawn_app_with(|c| {
        c.allow_private_hosts(true);
        c.run_workers = true;
        c.engine_pass_limit = StdDuration::from_millis(400);
        c.webhooks.timeout = StdDuration::from_secs(3);
        c.webhooks.poll_interval = StdDuration::from_millis(20);
    })
    .await;
    assert_eq!(ready(&app).await.0, StatusCode::OK);
    let hook = app
        .post(
            "/v1/webhooks",
            json!({ "url": format!("http://127.0.0.1:{port}/hook"), "events": ["contact.created"] }),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    app.contact(json!({ "email": "ana@example.com" })).await;

    let mut stalled = None;
    for _ in 0..100 {
        let (status, body) = ready(&app).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            stalled = Some(body);
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(30)).await;
    }
    let body = stalled.expect("readyz never reported the stalled webhook loop");
    assert_eq!(body["status"], "engine_stalled");
    assert_eq!(body["engines"], json!(["webhooks"]));

    // The delivery times out, the pass finishes: ready again.
    let mut back = false;
    for _ in 0..100 {
        if ready(&app).await.0 == StatusCode::OK {
            back = true;
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    assert!(back, "readyz did not recover after the pass finished");
}

/// A listener that accepts connections and never says a word (an SMTP or IMAP tarpit).
async fn tarpit() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

/// One account whose SMTP host never answers holds only its own emails: another account's
/// sends go out at their own pace meanwhile.
#[tokio::test]
async fn a_stalled_smtp_host_delays_only_its_own_account() {
    let app = spawn_app_with(|c| {
        c.allow_private_hosts(true);
        c.run_workers = true;
        c.sender.poll_interval = StdDuration::from_millis(20);
        c.sender.timeouts.connect = StdDuration::from_secs(1);
        c.sender.timeouts.command = StdDuration::from_secs(1);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let stalled_port = tarpit().await;
    let schedule = json!({ "timezone": "UTC", "days": [1,2,3,4,5,6,7], "startTime": "00:00", "endTime": "23:59" });
    if chrono::Utc::now().format("%H:%M").to_string().as_str() >= "23:58" {
        return;
    }
    let slow = smtp_account(
        &app,
        &smtp,
        json!({ "email": "slow@acme.test", "smtpPort": stalled_port }),
    )
    .await;
    let fast = smtp_account(
        &app,
        &smtp,
        json!({ "email": "fast@acme.test", "sendGapSeconds": 1 }),
    )
    .await;
    for (account, tag, n) in [(&slow, "slow", 20), (&fast, "fast", 4)] {
        let c = app
            .campaign(json!({ "name": tag, "emailAccountId": account["id"], "schedule": schedule, "steps": [{ "subject": "Hi", "body": "Hello" }] }))
            .await;
        let ids = crate::sending::people(&app, n, tag).await;
        crate::sending::enrol(&app, &c, &ids).await;
        crate::sending::start(&app, &c).await;
    }
    // The stalled account's 20 emails take a second each to give up on; the other account
    // sends one email a second (to 1.5 s with its jitter) beside them.
    let started = std::time::Instant::now();
    let got = smtp.wait_for(4, StdDuration::from_secs(9)).await;
    assert_eq!(
        got.len(),
        4,
        "the healthy account was held back by the stalled one"
    );
    assert!(got.iter().all(|m| m.from == "fast@acme.test"));
    assert!(started.elapsed() < StdDuration::from_secs(9));
}

/// A listener that accepts and never answers, saying when a connection arrives and when its
/// client hangs up.
#[derive(Default)]
struct Watched {
    accepted: tokio::sync::Notify,
    closed_at: std::sync::Mutex<Option<std::time::Instant>>,
}

async fn watched_tarpit() -> (u16, std::sync::Arc<Watched>) {
    use tokio::io::AsyncReadExt;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let watched = std::sync::Arc::new(Watched::default());
    let seen = watched.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.accepted.notify_one();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 256];
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
                *seen.closed_at.lock().unwrap() = Some(std::time::Instant::now());
            });
        }
    });
    (port, watched)
}

/// A worker runs at most `FLUENZR_SMTP_CONCURRENCY` SMTP transactions at once, whatever the
/// accounts: with one, a second account's email waits until the first account's transaction
/// (stalled here) has ended.
#[tokio::test]
async fn smtp_transactions_in_flight_are_bounded_across_accounts() {
    let (_app, smtp, watched) = one_slot_held_by_a_stalled_account(700).await;
    // The stalled transaction holds the worker's only slot, so the other account's email
    // goes only once it has ended.
    let got = smtp.wait_for(1, StdDuration::from_secs(10)).await;
    let arrived = std::time::Instant::now();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "fast@acme.test");
    let closed = watched
        .closed_at
        .lock()
        .unwrap()
        .expect("the second transaction ran while the first was in flight");
    assert!(closed <= arrived);
}

/// A worker allowed one SMTP transaction at a time (timeouts of `timeout_ms`), whose one
/// transaction is held by an account on a server that never answers ("slow"); once that
/// transaction has started, a campaign of one contact is launched from an account on `smtp`
/// ("fast", subject `fast`).
async fn one_slot_held_by_a_stalled_account(
    timeout_ms: u64,
) -> (TestApp, SmtpServer, std::sync::Arc<Watched>) {
    let app = spawn_app_with(|c| {
        c.allow_private_hosts(true);
        c.run_workers = true;
        c.sender.poll_interval = StdDuration::from_millis(20);
        c.sender.smtp_concurrency = 1;
        c.sender.timeouts.connect = StdDuration::from_millis(timeout_ms);
        c.sender.timeouts.command = StdDuration::from_millis(timeout_ms);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let (stalled_port, watched) = watched_tarpit().await;
    let schedule = json!({ "timezone": "UTC", "days": [1,2,3,4,5,6,7], "startTime": "00:00", "endTime": "23:59" });
    let slow = smtp_account(
        &app,
        &smtp,
        json!({ "email": "slow@acme.test", "smtpPort": stalled_port }),
    )
    .await;
    let fast = smtp_account(&app, &smtp, json!({ "email": "fast@acme.test" })).await;
    let launch = |account: Value, tag: &'static str| {
        let app = &app;
        let schedule = schedule.clone();
        async move {
            let c = app
                .campaign(json!({ "name": tag, "emailAccountId": account["id"], "schedule": schedule, "steps": [{ "subject": tag, "body": "Hello" }] }))
                .await;
            let ids = crate::sending::people(app, 1, tag).await;
            crate::sending::enrol(app, &c, &ids).await;
            crate::sending::start(app, &c).await;
        }
    };
    launch(slow, "slow").await;
    tokio::time::timeout(StdDuration::from_secs(10), watched.accepted.notified())
        .await
        .expect("the slow account's transaction starts");
    launch(fast, "fast").await;
    (app, smtp, watched)
}

/// A worker holds no more lanes than it may have SMTP transactions in flight: with them all
/// busy it claims nothing (a claimed email would wait in this worker, composed and leased,
/// while another worker could send it); once one ends, the rest is claimed and sent.
#[tokio::test]
async fn a_worker_with_every_lane_in_flight_claims_no_more() {
    let (app, smtp, watched) = one_slot_held_by_a_stalled_account(1500).await;
    // Many passes go by while the slow transaction holds the worker's one lane.
    tokio::time::sleep(StdDuration::from_millis(250)).await;
    let claimed = entity::message::Entity::find()
        .filter(entity::message::Column::Subject.eq("fast"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(
        watched.closed_at.lock().unwrap().is_none(),
        "the slow transaction is still in flight"
    );
    assert_eq!(
        claimed, 0,
        "nothing is claimed while every lane is in flight"
    );
    // Once it ends, the other account's email is claimed and sent.
    let got = smtp.wait_for(1, StdDuration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "fast@acme.test");
}

/// Idle pooled SMTP connections are closed (with a QUIT) once they have been idle for longer
/// than the pool keeps them, not left open until the next email.
#[tokio::test]
async fn idle_smtp_connections_are_closed() {
    let clock = Clock::manual(at(MONDAY_10));
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
        c.run_workers = true;
        c.sender.poll_interval = StdDuration::from_millis(20);
        c.sender.timeouts.idle = StdDuration::ZERO;
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    crate::sending::launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({}),
        1,
        "idle",
    )
    .await;
    assert_eq!(smtp.wait_for(1, StdDuration::from_secs(10)).await.len(), 1);
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while !smtp.transcript().iter().any(|line| line == "QUIT") {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle connection stayed open: {:?}",
            smtp.transcript()
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

fn pg() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty())
}

/// Claims everything due and starts it, as a worker would just before SMTP.
async fn claim_and_start(app: &TestApp) -> Vec<api::service::sending::Job> {
    let policy = api::service::sending::Policy::default();
    let tracker = api::service::tracking::Tracker::new("any", "http://x");
    let jobs = api::service::sending::claim(&app.db, &tracker, &policy, app.clock.now(), 500)
        .await
        .unwrap();
    for job in &jobs {
        let begun = api::service::sending::begin(&app.db, &policy, job, app.clock.now())
            .await
            .unwrap();
        assert_eq!(begun, api::service::sending::Begun::Started);
    }
    jobs
}

async fn finish_all(app: &TestApp, jobs: Vec<api::service::sending::Job>) {
    let policy = api::service::sending::Policy::default();
    let now = app.clock.now();
    let finishes = jobs.into_iter().map(|job| {
        let db = app.db.clone();
        let policy = policy.clone();
        tokio::spawn(async move {
            let outcome = api::service::sending::Outcome::Sent("250 ok".into());
            api::service::sending::finish(&db, &policy, &job, outcome, now)
                .await
                .expect("finish");
        })
    });
    for f in futures_util::future::join_all(finishes).await {
        f.unwrap();
    }
}

async fn manual_app() -> (TestApp, SmtpServer) {
    crate::sending::app_at(MONDAY_10).await
}

/// A started one-step campaign to `n` new contacts (emails beginning with `tag`) from an
/// account on the test SMTP server, on the manual clock.
async fn one_step_campaign(n: usize, tag: &str) -> (TestApp, SmtpServer, Value, Vec<String>) {
    let (app, smtp) = manual_app().await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([{ "subject": "Hi", "body": "Hello" }]);
    let (c, ids) = crate::sending::launch(&app, &account, steps, json!({}), n, tag).await;
    (app, smtp, c, ids)
}

/// Many last emails finishing at once: whichever commits last completes the campaign (on
/// PostgreSQL each used to see the others' enrolments still open, leaving it running forever).
#[tokio::test]
async fn concurrent_last_finishes_complete_the_campaign() {
    let (app, smtp) = manual_app().await;
    let account = smtp_account(&app, &smtp, json!({ "dailyLimit": 1000 })).await;
    let rounds = if pg() { 4 } else { 1 };
    for round in 0..rounds {
        let (c, _) = crate::sending::launch(
            &app,
            &account,
            json!([{ "subject": "Hi", "body": "Hello" }]),
            json!({ "dailyLimit": 1000 }),
            30,
            &format!("r{round}x"),
        )
        .await;
        let jobs = claim_and_start(&app).await;
        assert_eq!(jobs.len(), 30);
        finish_all(&app, jobs).await;
        let after = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
        assert_eq!(after.data()["status"], "completed", "round {round}");
    }
}

/// Contacts enrolled while the last email finishes are either taken (the campaign goes on and
/// sends to them) or refused: never "added" to a campaign that completes without them.
#[tokio::test]
async fn enrolling_beside_the_last_finish_never_strands_contacts() {
    let (app, smtp) = manual_app().await;
    let account = smtp_account(&app, &smtp, json!({ "dailyLimit": 1000 })).await;
    let rounds = if pg() { 12 } else { 2 };
    for round in 0..rounds {
        let (c, _) = crate::sending::launch(
            &app,
            &account,
            json!([{ "subject": "Hi", "body": "Hello" }]),
            json!({ "dailyLimit": 1000 }),
            1,
            &format!("e{round}x"),
        )
        .await;
        let newcomers = crate::sending::people(&app, 3, &format!("n{round}x")).await;
        let jobs = claim_and_start(&app).await;
        assert_eq!(jobs.len(), 1);
        let path = format!("/v1/campaigns/{}/contacts", id_of(&c));
        let (_, enrolled) = tokio::join!(
            finish_all(&app, jobs),
            app.post(&path, json!({ "contactIds": newcomers }))
        );
        let status = app
            .get(&format!("/v1/campaigns/{}", id_of(&c)))
            .await
            .data()["status"]
            .clone();
        if enrolled.status == StatusCode::OK {
            assert_eq!(enrolled.data()["added"], 3);
            assert_eq!(
                status, "running",
                "round {round}: contacts added to a campaign that completed"
            );
            // They are sent, and then the campaign completes.
            let jobs = claim_and_start(&app).await;
            assert_eq!(jobs.len(), 3);
            finish_all(&app, jobs).await;
            let after = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
            assert_eq!(after.data()["status"], "completed");
        } else {
            assert_eq!(enrolled.status, StatusCode::CONFLICT, "{}", enrolled.body);
            assert_eq!(status, "completed");
        }
    }
}

/// Many hits on one email's pixel at once: one `email.opened`, whatever the engine.
#[tokio::test]
async fn concurrent_pixel_hits_emit_one_open() {
    let (app, smtp) = manual_app().await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    crate::sending::launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "<p>Hello</p>" }]),
        json!({ "trackOpens": true }),
        1,
        "pix",
    )
    .await;
    assert_eq!(crate::sending::pass(&app).await, 1);
    // Readers, not scanners: after the first seconds.
    app.clock.advance(chrono::Duration::seconds(11));
    let html = smtp.received()[0].html_body().expect("an HTML part");
    let from = html.find("/t/o/").expect("a pixel");
    let token: String = html[from + 5..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let pixel = format!("/t/o/{token}");
    let hits = (0..16).map(|_| app.raw(Method::GET, &pixel, ""));
    for hit in futures_util::future::join_all(hits).await {
        assert_eq!(hit.status, StatusCode::OK);
    }
    assert_eq!(
        crate::sending::events_of(&app, "email.opened").await.len(),
        1
    );
}

/// An enrolment that comes due for a step that already has a message (a sent one here) is
/// moved on from that message; it used to fail every claim of its campaign on the unique index,
/// so nobody else in the campaign was emailed again.
#[tokio::test]
async fn a_step_already_sent_moves_the_enrolment_on_instead_of_blocking_the_campaign() {
    use sea_orm::{ConnectionTrait, Statement};
    let (app, smtp) = manual_app().await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([{ "subject": "Hi", "body": "Hello" }, { "subject": "", "body": "Again", "delayDays": 2 }]);
    let (c, first) = crate::sending::launch(&app, &account, steps, json!({}), 1, "dup").await;
    assert_eq!(crate::sending::pass(&app).await, 1);
    // Its enrolment is put back to step 1, due now (as a restore or a bad edit would).
    let backend = app.db.get_database_backend();
    let (p1, p2) = match backend {
        sea_orm::DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!("UPDATE campaign_contacts SET current_step = 0, follow_up = {}, next_send_at = {p1} WHERE contact_id = {p2}", if pg() { "false" } else { "0" }),
            [app.clock.now().into(), first[0].clone().into()],
        ))
        .await
        .unwrap();
    let newcomer = crate::sending::people(&app, 1, "new").await;
    crate::sending::enrol(&app, &c, &newcomer).await;
    assert_eq!(
        crate::sending::pass(&app).await,
        1,
        "the newcomer is emailed"
    );
    assert_eq!(smtp.received().len(), 2);
    let rows = crate::sending::enrolments(&app, &c).await;
    let moved = rows
        .iter()
        .find(|r| r["contact"]["id"] == first[0].as_str())
        .unwrap();
    assert_eq!(moved["currentStep"], 1);
    assert_eq!(moved["state"], "active");
    assert_eq!(moved["nextSendAt"], "2026-12-02T10:00:00Z");
}

/// A contact deleted while its email is in flight: the send records nothing and fails
/// nothing, and a campaign it was the last one open in completes.
#[tokio::test]
async fn deleting_a_contact_mid_send_is_safe() {
    let (app, _smtp, c, ids) = one_step_campaign(1, "gone").await;
    let jobs = claim_and_start(&app).await;
    assert_eq!(jobs.len(), 1);
    let r = app.delete(&format!("/v1/contacts/{}", ids[0])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    finish_all(&app, jobs).await;
    assert_eq!(app.sender.sweep().await.unwrap(), 0);
    let after = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(after.data()["status"], "completed");
    assert_eq!(crate::sending::pass(&app).await, 0);
}

/// `delayDays` counts calendar days in the campaign's zone: across the start of summer time a
/// day-later follow-up goes at the same local time, 23 hours later.
#[tokio::test]
async fn delay_days_count_calendar_days_in_the_campaigns_zone() {
    // Saturday 2026-03-07 10:00 in New York (15:00 UTC); summer time begins on the 8th.
    let (app, smtp) = crate::sending::app_at("2026-03-07T15:00:00Z").await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let schedule = json!({ "timezone": "America/New_York", "days": [1,2,3,4,5,6,7], "startTime": "08:00", "endTime": "18:00" });
    let steps = json!([{ "subject": "Hi", "body": "Hello" }, { "subject": "", "body": "Again", "delayDays": 1 }]);
    let (c, _) = crate::sending::launch(
        &app,
        &account,
        steps,
        json!({ "schedule": schedule }),
        1,
        "ny",
    )
    .await;
    assert_eq!(crate::sending::pass(&app).await, 1);
    let rows = crate::sending::enrolments(&app, &c).await;
    assert_eq!(
        rows[0]["nextSendAt"], "2026-03-08T14:00:00Z",
        "10:00 in New York on Sunday"
    );
}

/// A pause stops every lane at its next email: what a worker had claimed but not started goes
/// back to due, and is sent once the campaign runs again.
#[tokio::test]
async fn a_pause_stops_claimed_emails_before_their_smtp_transaction() {
    let (app, smtp, c, _) = one_step_campaign(3, "pause").await;
    let policy = api::service::sending::Policy::default();
    let tracker = api::service::tracking::Tracker::new("any", "http://x");
    let jobs = api::service::sending::claim(&app.db, &tracker, &policy, app.clock.now(), 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 3);
    let begin = |job| api::service::sending::begin(&app.db, &policy, job, app.clock.now());
    assert_eq!(
        begin(&jobs[0]).await.unwrap(),
        api::service::sending::Begun::Started
    );
    let r = app
        .post(&format!("/v1/campaigns/{}/pause", id_of(&c)), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The lane's next emails are not started: they go back to due.
    for job in &jobs[1..] {
        assert_eq!(
            begin(job).await.unwrap(),
            api::service::sending::Begun::Returned
        );
    }
    finish_all(&app, jobs[..1].to_vec()).await;
    assert_eq!(
        crate::sending::pass(&app).await,
        0,
        "paused: nothing is claimed"
    );
    let r = app
        .post(&format!("/v1/campaigns/{}/start", id_of(&c)), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(crate::sending::pass(&app).await, 2);
    let got = smtp.received();
    assert_eq!(got.len(), 2, "the two returned emails, each once");
    let stats = crate::sending::stats(&app, &c).await;
    assert_eq!(stats["sent"], 3);
}

/// A worker that dies after the server accepted an email but before recording it leaves that
/// email known as sent (its 2xx reply was saved first), not in doubt.
#[tokio::test]
async fn an_accepted_email_whose_worker_died_before_recording_is_sent_not_unknown() {
    let (app, smtp) = crate::sending::app_with_lease(MONDAY_10).await;
    let policy = crate::sending::app_policy(&app);
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, _) = crate::sending::launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({}),
        2,
        "acc",
    )
    .await;
    let tracker = api::service::tracking::Tracker::new("any", "http://x");
    let jobs = api::service::sending::claim(&app.db, &tracker, &policy, app.clock.now(), 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 2);
    for job in &jobs {
        let begun = api::service::sending::begin(&app.db, &policy, job, app.clock.now()).await;
        assert_eq!(begun.unwrap(), api::service::sending::Begun::Started);
    }
    // The first was accepted (250) and its worker died before recording it; the second died
    // mid-transaction.
    api::service::sending::accepted(&app.db, &jobs[0], "250 2.0.0 queued as 42")
        .await
        .unwrap();
    tokio::time::sleep(StdDuration::from_millis(450)).await;
    assert_eq!(
        app.sender.sweep().await.unwrap(),
        1,
        "only the second is in doubt"
    );
    let rows = crate::sending::messages(&app).await;
    let first = rows.iter().find(|m| m.id == jobs[0].message.id).unwrap();
    assert_eq!(first.state.as_str(), "sent");
    assert_eq!(first.last_reply.as_deref(), Some("250 2.0.0 queued as 42"));
    let second = rows.iter().find(|m| m.id == jobs[1].message.id).unwrap();
    assert_eq!(second.state.as_str(), "unknown");
    assert_eq!(crate::sending::stats(&app, &c).await["sent"], 1);
}

/// A first step already placed on an account that cannot send now waits for it without taking
/// the claim's room: a newcomer due after it goes out through the account that is ready.
#[tokio::test]
async fn first_steps_placed_on_an_account_that_is_not_ready_do_not_hold_the_others() {
    use sea_orm::{ConnectionTrait, Statement};
    let (app, smtp) = manual_app().await;
    let broken = smtp_account(&app, &smtp, json!({ "email": "broken@acme.test" })).await;
    // One email per pass from the ready account (its send gap), so one slot is all there is.
    let ready = smtp_account(
        &app,
        &smtp,
        json!({ "email": "ready@acme.test", "sendGapSeconds": 60 }),
    )
    .await;
    let c = app
        .campaign(json!({ "name": "Rotation", "emailAccountIds": [broken["id"], ready["id"]], "steps": [{ "subject": "Hi", "body": "Hello" }] }))
        .await;
    let placed = crate::sending::people(&app, 1, "placed").await;
    let newcomer = crate::sending::people(&app, 1, "newcomer").await;
    crate::sending::enrol(&app, &c, &placed).await;
    crate::sending::enrol(&app, &c, &newcomer).await;
    crate::sending::start(&app, &c).await;
    // The first contact was placed on the broken account (as a deferral there does), due
    // before the newcomer; that account then fails its login.
    let backend = app.db.get_database_backend();
    let p = |n: usize| match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE campaign_contacts SET email_account_id = {}, next_send_at = {} WHERE contact_id = {}",
                p(1),
                p(2),
                p(3)
            ),
            [
                id_of(&broken).into(),
                (app.clock.now() - chrono::Duration::minutes(1)).into(),
                placed[0].clone().into(),
            ],
        ))
        .await
        .unwrap();
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE email_accounts SET status = 'error' WHERE id = {}",
                p(1)
            ),
            [id_of(&broken).into()],
        ))
        .await
        .unwrap();
    assert_eq!(crate::sending::pass(&app).await, 1);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["newcomer0@example.com".to_owned()]);
    assert_eq!(got[0].from, "ready@acme.test");
}
