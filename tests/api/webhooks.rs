use std::time::Duration;

use api::clock::Clock;
use api::config::Config;
use api::engine::webhooks::Settings;
use api::service::workspaces::Plan;
use entity::{event, webhook_delivery};
use reqwest::{Method, StatusCode};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::receiver::{Answer, Receiver};
use crate::sending::{MONDAY_10, at};

const SCHEDULE_MS: [u64; 3] = [300, 600, 900];

fn fast(config: &mut Config) {
    config.run_workers = true;
    config.webhooks.allow_private = true;
    config.webhooks.poll_interval = Duration::from_millis(20);
    config.webhooks.retry_schedule = SCHEDULE_MS
        .iter()
        .map(|ms| Duration::from_millis(*ms))
        .collect();
    config.webhooks.timeout = Duration::from_millis(500);
}

async fn subscribe(app: &TestApp, url: &str, events: Value) -> Value {
    let r = app
        .post(
            "/v1/webhooks",
            json!({ "url": url, "events": events, "description": "test" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.data().clone()
}

/// Waits for a condition checked against the database; panics after `limit`.
async fn eventually<F, Fut>(limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An app on a manual clock (Monday 2026-11-30 10:00 UTC) whose deliveries a test makes by
/// hand, pass by pass: no worker, and no waiting through a retry schedule.
async fn app_on_manual_clock() -> TestApp {
    let clock = Clock::manual(at(MONDAY_10));
    spawn_app_with(move |c| {
        c.clock = clock;
        c.webhooks.allow_private = true;
    })
    .await
}

/// Delivery passes made by hand, with the production schedule unless told otherwise.
struct ByHand {
    settings: Settings,
    client: reqwest::Client,
}

impl ByHand {
    fn new(configure: impl FnOnce(&mut Settings)) -> ByHand {
        let mut settings = Settings {
            allow_private: true,
            timeout: Duration::from_millis(500),
            ..Default::default()
        };
        configure(&mut settings);
        let client = api::engine::webhooks::client(&settings).unwrap();
        ByHand { settings, client }
    }

    /// One pass of the engine at the app's time: how many deliveries it handled.
    async fn pass(&self, app: &TestApp) -> usize {
        api::engine::webhooks::run_once(
            &app.db,
            &self.client,
            &self.settings,
            &crate::helpers::keyring(),
            &app.clock,
        )
        .await
        .unwrap()
    }
}

/// The app's one delivery.
async fn the_delivery(app: &TestApp) -> webhook_delivery::Model {
    let mut all = webhook_delivery::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

async fn delivery_states(app: &TestApp) -> Vec<String> {
    webhook_delivery::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.status.as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn deliveries_are_signed_and_carry_the_rest_object() {
    let app = spawn_app_with(fast).await;
    let receiver = Receiver::start(vec![]).await;
    let other = Receiver::start(vec![]).await;
    let hook = subscribe(
        &app,
        &receiver.url,
        json!(["contact.created", "contact.updated"]),
    )
    .await;
    subscribe(&app, &other.url, json!(["contact.deleted"])).await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let raw = base64_decode(secret.trim_start_matches("whsec_"));
    assert!(raw.len() >= 24, "at least 24 random bytes");
    let listed = app.get("/v1/webhooks").await;
    let fetched = app.get(&format!("/v1/webhooks/{}", id_of(&hook))).await;
    assert!(
        !listed.body.to_string().contains(&secret) && !fetched.body.to_string().contains(&secret)
    );
    assert_eq!(
        fetched.data()["events"],
        json!(["contact.created", "contact.updated"])
    );
    assert_eq!(fetched.data()["active"], true);

    let contact = app
        .contact(json!({ "email": "hook@example.com", "firstName": "Hu" }))
        .await;
    let hits = receiver.wait_for(1, Duration::from_secs(10)).await;
    let hit = &hits[0];
    assert_eq!(hit.header("content-type"), "application/json");
    standardwebhooks::Webhook::new(&secret)
        .unwrap()
        .verify(hit.body.as_bytes(), &hit.headers)
        .expect("an independent Standard Webhooks implementation verifies the signature");
    let body = hit.json();
    assert_eq!(hit.header("webhook-id"), body["id"].as_str().unwrap());
    assert!(body["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(body["type"], "contact.created");
    assert_eq!(body["workspaceId"], app.workspace_id.as_str());
    assert!(body["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["data"], contact, "the data is the REST object");
    assert!(hit.body.len() < 20 * 1024);

    // A tampered body does not verify.
    assert!(
        standardwebhooks::Webhook::new(&secret)
            .unwrap()
            .verify(b"{}", &hit.headers)
            .is_err()
    );
    // The other endpoint is not subscribed to contact.created.
    eventually(Duration::from_secs(5), || async {
        delivery_states(&app).await.iter().all(|s| s == "succeeded")
    })
    .await;
    assert!(other.hits().is_empty());

    app.delete(&format!("/v1/contacts/{}", id_of(&contact)))
        .await;
    let deleted = other.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(deleted[0].json()["type"], "contact.deleted");
    assert_eq!(deleted[0].json()["data"]["email"], "hook@example.com");
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        bits = (bits << 6) | ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

#[tokio::test]
async fn retries_follow_the_schedule_with_one_id_and_stop_on_success() {
    let app = app_on_manual_clock().await;
    let hand = ByHand::new(|_| {});
    let receiver = Receiver::start(vec![Answer::Status(500), Answer::Status(503)]).await;
    let hook = subscribe(&app, &receiver.url, json!(["*"])).await;
    app.contact(json!({ "email": "retry@example.com" })).await;
    assert_eq!(hand.pass(&app).await, 1);
    let mut tried_at = vec![app.clock.now()];
    // The production schedule (5 s, then 5 min, …, each ±10 %), on the clock, not waited for.
    for (done, wait) in hand.settings.retry_schedule.iter().take(2).enumerate() {
        let due = the_delivery(&app).await;
        assert_eq!(due.status.as_str(), "pending");
        assert_eq!(due.attempts, done as i32 + 1);
        let gap = (due.next_attempt_at - app.clock.now()).to_std().unwrap();
        assert!(
            gap >= wait.mul_f64(0.9) && gap <= wait.mul_f64(1.1),
            "retry {} after {gap:?}, scheduled {wait:?}",
            done + 1
        );
        app.clock
            .set(due.next_attempt_at - chrono::Duration::milliseconds(1));
        assert_eq!(hand.pass(&app).await, 0, "not a moment early");
        app.clock.set(due.next_attempt_at);
        assert_eq!(hand.pass(&app).await, 1, "tried when due");
        tried_at.push(app.clock.now());
    }
    let hits = receiver.wait_for(3, Duration::from_secs(10)).await;
    let ids: Vec<&str> = hits.iter().map(|h| h.header("webhook-id")).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "the same webhook-id on every retry"
    );
    assert_eq!(delivery_states(&app).await, ["succeeded"]);
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(hand.pass(&app).await, 0);
    assert_eq!(receiver.hits().len(), 3, "no attempt after the success");

    let log = app
        .get(&format!("/v1/webhooks/{}/deliveries", id_of(&hook)))
        .await;
    assert_eq!(log.body["meta"]["total"], 3);
    let attempts: Vec<(i64, Value, bool, Value)> = log
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["attempt"].as_i64().unwrap(),
                a["statusCode"].clone(),
                a["success"].as_bool().unwrap(),
                a["createdAt"].clone(),
            )
        })
        .collect();
    let logged_at = |n: usize| json!(api::ids::rfc3339(&tried_at[n]));
    assert_eq!(
        attempts,
        [
            (3, json!(200), true, logged_at(2)),
            (2, json!(503), false, logged_at(1)),
            (1, json!(500), false, logged_at(0))
        ],
        "each attempt logged when it was made, on the app's clock"
    );
    let first = &log.data()[2];
    assert_eq!(first["eventType"], "contact.created");
    assert_eq!(first["eventId"], ids[0]);
    assert_eq!(first["error"], "HTTP 500");
    assert!(first["durationMs"].as_i64().unwrap() >= 0);
}

#[tokio::test]
async fn retry_after_is_honoured_and_retries_run_out() {
    let app = app_on_manual_clock().await;
    let hand = ByHand::new(|_| {});
    let receiver = Receiver::start(vec![
        Answer::RetryAfter(429, 600),
        Answer::RetryAfter(503, 10 * 24 * 3600),
    ])
    .await;
    subscribe(&app, &receiver.url, json!(["*"])).await;
    app.contact(json!({ "email": "later@example.com" })).await;
    assert_eq!(hand.pass(&app).await, 1);
    let due = the_delivery(&app).await;
    assert_eq!(
        due.next_attempt_at - app.clock.now(),
        chrono::Duration::seconds(600),
        "waited as asked, not the schedule's 5 s"
    );
    app.clock.advance(chrono::Duration::seconds(599));
    assert_eq!(hand.pass(&app).await, 0);
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(hand.pass(&app).await, 1);
    let due = the_delivery(&app).await;
    assert_eq!(
        due.next_attempt_at - app.clock.now(),
        chrono::Duration::hours(24),
        "a day at most, whatever the endpoint asks"
    );
    assert_eq!(receiver.wait_for(2, Duration::from_secs(10)).await.len(), 2);

    let stubborn = Receiver::start(vec![Answer::Status(500); 10]).await;
    let app2 = app_on_manual_clock().await;
    let hook = subscribe(&app2, &stubborn.url, json!(["*"])).await;
    app2.contact(json!({ "email": "never@example.com" })).await;
    // Every retry of the production schedule (about 28 hours of it), in passes.
    for _ in 0..=hand.settings.retry_schedule.len() {
        assert_eq!(hand.pass(&app2).await, 1);
        let delivery = the_delivery(&app2).await;
        if delivery.status.as_str() == "failed" {
            break;
        }
        app2.clock.set(delivery.next_attempt_at);
    }
    assert_eq!(delivery_states(&app2).await, ["failed"]);
    assert_eq!(
        stubborn.hits().len(),
        1 + hand.settings.retry_schedule.len(),
        "the first try and one per scheduled retry"
    );
    let hook = app2.get(&format!("/v1/webhooks/{}", id_of(&hook))).await;
    assert_eq!(
        hook.data()["active"],
        true,
        "retries ran out before the disable period"
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint_at_once() {
    let app = spawn_app_with(fast).await;
    let receiver = Receiver::start(vec![Answer::Status(410)]).await;
    let hook = subscribe(&app, &receiver.url, json!(["*"])).await;
    app.contact(json!({ "email": "gone@example.com" })).await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let path = format!("/v1/webhooks/{}", id_of(&hook));
    eventually(Duration::from_secs(5), || async {
        app.get(&path).await.data()["active"] == false
    })
    .await;
    let hook_now = app.get(&path).await.data().clone();
    assert!(hook_now["disabledReason"].as_str().unwrap().contains("410"));
    let kept = event::Entity::find()
        .filter(event::Column::EventType.eq("webhook.disabled"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(kept, 1, "a webhook.disabled record is kept");

    app.contact(json!({ "email": "after@example.com" })).await;
    assert_eq!(
        webhook_delivery::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        1,
        "nothing queued for a disabled endpoint"
    );
    // Re-enabling works and delivery resumes.
    app.put(&path, json!({ "active": true })).await;
    app.contact(json!({ "email": "back@example.com" })).await;
    let hits = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(hits[1].json()["data"]["email"], "back@example.com");
}

#[tokio::test]
async fn timeouts_are_failures_and_long_failure_disables() {
    let app = app_on_manual_clock().await;
    let disable_after = chrono::Duration::minutes(30);
    let hand = ByHand::new(|s| {
        s.timeout = Duration::from_millis(100);
        s.disable_after = disable_after.to_std().unwrap();
    });
    let receiver = Receiver::start(vec![Answer::Slow(Duration::from_secs(2)); 10]).await;
    let hook = subscribe(&app, &receiver.url, json!(["*"])).await;
    app.contact(json!({ "email": "slow@example.com" })).await;
    let path = format!("/v1/webhooks/{}", id_of(&hook));
    let failing_since = app.clock.now();
    // Tries at 0, 5 s, 5 min and 35 min (±10 %): the first past the 30 minutes disables.
    let mut tries = 0;
    while app.get(&path).await.data()["active"] == true {
        assert!(tries < 10, "never disabled");
        app.clock.set(the_delivery(&app).await.next_attempt_at);
        assert_eq!(hand.pass(&app).await, 1);
        tries += 1;
        let past = app.clock.now() - failing_since >= disable_after;
        assert_eq!(
            app.get(&path).await.data()["active"] == false,
            past,
            "disabled exactly when the failures outlast the period (try {tries})"
        );
    }
    assert_eq!(tries, 4);
    let log = app.get(&format!("{path}/deliveries")).await;
    let errors: Vec<&str> = log
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["error"].as_str().unwrap())
        .collect();
    assert!(
        errors.len() == 4 && errors.iter().all(|e| e.contains("timed out")),
        "{errors:?}"
    );
    let disabled = app.get(&path).await.data().clone();
    assert!(
        disabled["disabledReason"]
            .as_str()
            .unwrap()
            .contains("failed")
    );
    assert_eq!(
        disabled["updatedAt"],
        api::ids::rfc3339(&app.clock.now()),
        "disabled at the app's time"
    );
    assert_eq!(delivery_states(&app).await, ["failed"]);
}

#[tokio::test]
async fn rolled_back_changes_emit_nothing_and_committed_ones_are_delivered() {
    let app = spawn_app_with(fast).await;
    let receiver = Receiver::start(vec![]).await;
    subscribe(&app, &receiver.url, json!(["*"])).await;

    let txn = app.db.begin().await.unwrap();
    api::service::events::emit(
        &txn,
        &app.workspace_id,
        "contact.updated",
        json!({ "id": "cnt_rolled_back" }),
        app.clock.now(),
    )
    .await
    .unwrap();
    txn.rollback().await.unwrap();
    // A refused write emits nothing either.
    app.contact(json!({ "email": "dup@example.com" })).await;
    let dup = app
        .post("/v1/contacts", json!({ "email": "DUP@example.com" }))
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let bad = app
        .put("/v1/contacts/cnt_missing", json!({ "firstName": "x" }))
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);

    eventually(Duration::from_secs(5), || async {
        delivery_states(&app).await.iter().all(|s| s == "succeeded")
    })
    .await;
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1, "only the committed create");
    assert_eq!(hits[0].json()["data"]["email"], "dup@example.com");
    assert_eq!(event::Entity::find().count(&app.db).await.unwrap(), 1);
}

#[tokio::test]
async fn a_worker_that_dies_mid_delivery_loses_nothing() {
    // Events are committed while no worker runs.
    let app = app_on_manual_clock().await;
    let receiver = Receiver::start(vec![]).await;
    subscribe(&app, &receiver.url, json!(["contact.created"])).await;
    for i in 0..12 {
        app.contact(json!({ "email": format!("k{i}@example.com") }))
            .await;
    }
    let expected: std::collections::BTreeSet<String> = event::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(expected.len(), 12);
    // A worker claims five deliveries and dies before sending them.
    let settings = api::engine::webhooks::Settings {
        allow_private: true,
        poll_interval: Duration::from_millis(20),
        ..Default::default()
    };
    let claimed = api::engine::webhooks::claim(&app.db, 5, settings.lease, app.clock.now())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 5);
    let was_claimed = |id: &str| claimed.iter().any(|c| c.event_id == id);
    // A new worker starts: it takes the rest at once, and the five only when their lease
    // has run out on the app's clock.
    let workers = api::engine::spawn(
        app.db.clone(),
        settings.clone(),
        app.sender.clone(),
        app.reader.clone(),
        api::shutdown::Stopping::never(),
        api::engine::supervise::Supervision::unwatched(),
    );
    receiver.wait_for(7, Duration::from_secs(10)).await;
    eventually(Duration::from_secs(5), || async {
        delivery_states(&app)
            .await
            .iter()
            .filter(|s| *s == "succeeded")
            .count()
            == 7
    })
    .await;
    let early = receiver.hits();
    assert_eq!(early.len(), 7);
    assert!(
        early.iter().all(|h| !was_claimed(h.header("webhook-id"))),
        "claimed deliveries wait for their lease"
    );
    app.clock.advance(
        chrono::Duration::from_std(settings.lease).unwrap() + chrono::Duration::seconds(1),
    );
    let hits = receiver.wait_for(12, Duration::from_secs(10)).await;
    let got: std::collections::BTreeSet<String> = hits
        .iter()
        .map(|h| h.header("webhook-id").to_owned())
        .collect();
    assert_eq!(
        got, expected,
        "every committed event arrives, under its own webhook-id"
    );
    eventually(Duration::from_secs(5), || async {
        delivery_states(&app).await.iter().all(|s| s == "succeeded")
    })
    .await;
    assert_eq!(receiver.hits().len(), 12, "nothing was sent twice");
    for w in workers {
        w.abort();
    }
}

#[tokio::test]
async fn two_workers_never_send_one_attempt_twice() {
    let app = spawn_app_with(|c| {
        fast(c);
        c.run_workers = false;
    })
    .await;
    let receiver = Receiver::start(vec![]).await;
    subscribe(&app, &receiver.url, json!(["contact.created"])).await;
    let contacts: Vec<Value> = (0..150)
        .map(|i| json!({ "email": format!("w{i}@example.com") }))
        .collect();
    app.post("/v1/contacts/batch", json!({ "contacts": contacts }))
        .await;
    let mut workers = Vec::new();
    for _ in 0..2 {
        let url = app.database_url.clone();
        let db = api::db::connect(&url).await.unwrap();
        let settings = api::engine::webhooks::Settings {
            allow_private: true,
            poll_interval: Duration::from_millis(5),
            batch: 7,
            ..Default::default()
        };
        workers.extend(api::engine::spawn(
            db,
            settings,
            app.sender.clone(),
            app.reader.clone(),
            api::shutdown::Stopping::never(),
            api::engine::supervise::Supervision::unwatched(),
        ));
    }
    receiver.wait_for(150, Duration::from_secs(20)).await;
    eventually(Duration::from_secs(10), || async {
        delivery_states(&app).await.iter().all(|s| s == "succeeded")
    })
    .await;
    let hits = receiver.hits();
    let unique: std::collections::BTreeSet<&str> =
        hits.iter().map(|h| h.header("webhook-id")).collect();
    assert_eq!(unique.len(), 150);
    assert_eq!(hits.len(), 150, "no attempt was sent twice");
    for w in workers {
        w.abort();
    }
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_for_a_while() {
    let app = spawn_app_with(fast).await;
    let receiver = Receiver::start(vec![]).await;
    let hook = subscribe(&app, &receiver.url, json!(["*"])).await;
    let old = hook["secret"].as_str().unwrap().to_owned();
    let rotated = app
        .post(
            &format!("/v1/webhooks/{}/rotate-secret", id_of(&hook)),
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    let new = rotated.data()["secret"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    app.contact(json!({ "email": "rot@example.com" })).await;
    let hit = &receiver.wait_for(1, Duration::from_secs(10)).await[0];
    assert_eq!(hit.header("webhook-signature").split(' ').count(), 2);
    for secret in [&old, &new] {
        standardwebhooks::Webhook::new(secret)
            .unwrap()
            .verify(hit.body.as_bytes(), &hit.headers)
            .unwrap();
    }
}

#[tokio::test]
async fn test_events_reach_only_that_endpoint() {
    let app = spawn_app_with(fast).await;
    let receiver = Receiver::start(vec![]).await;
    let other = Receiver::start(vec![]).await;
    let hook = subscribe(&app, &receiver.url, json!(["contact.created"])).await;
    subscribe(&app, &other.url, json!(["*"])).await;
    let r = app
        .post(&format!("/v1/webhooks/{}/test", id_of(&hook)), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let hit = &receiver.wait_for(1, Duration::from_secs(10)).await[0];
    assert_eq!(hit.json()["type"], "webhook.test");
    assert_eq!(hit.json()["id"], r.data()["eventId"]);
    eventually(Duration::from_secs(5), || async {
        delivery_states(&app).await.iter().all(|s| s == "succeeded")
    })
    .await;
    assert!(other.hits().is_empty());
}

#[tokio::test]
async fn subscriptions_validate_their_input() {
    let app = spawn_app_with(fast).await;
    let r = app.post("/v1/webhooks", json!({ "url": "https://example.com/h", "events": ["contact.created", "contact.exploded"] })).await;
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    assert_eq!(
        r.body["error"]["details"]["unknown"],
        json!(["contact.exploded"])
    );
    let r = app.post("/v1/webhooks", json!({ "events": ["*"] })).await;
    assert_eq!(r.body["error"]["details"]["field"], "url");
    let r = app
        .post("/v1/webhooks", json!({ "url": "ftp://example.com/h" }))
        .await;
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    let r = app
        .post("/v1/webhooks", json!({ "url": "http://127.0.0.1:9/h" }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "allowed by the operator setting"
    );
    assert_eq!(r.data()["events"], json!(["*"]), "all events by default");
    assert_eq!(app.get("/v1/webhooks").await.body["meta"]["total"], 1);
    let d = app
        .delete(&format!("/v1/webhooks/{}", id_of(r.data())))
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(app.get("/v1/webhooks").await.body["meta"]["total"], 0);
}

#[tokio::test]
async fn private_and_odd_targets_are_refused_without_the_operator_setting() {
    let app = spawn_app_with(|c| c.webhooks.allow_private = false).await;
    for url in [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://100.64.0.1/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://8.8.8.8:8443/hook",
        "https://user:pw@8.8.8.8/hook",
    ] {
        let r = app.post("/v1/webhooks", json!({ "url": url })).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: {}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], "url", "{url}");
    }
    let ok = app
        .post("/v1/webhooks", json!({ "url": "https://8.8.8.8/hook" }))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "a public address is fine");
    assert_eq!(app.get("/v1/webhooks").await.body["meta"]["total"], 1);
}

#[tokio::test]
async fn send_time_checks_refuse_private_targets_after_resolution() {
    let app = spawn_app_with(|c| c.webhooks.allow_private = false).await;
    // Rows written around the create-time check, as if DNS had changed since.
    let now = chrono::Utc::now();
    for (id, url) in [
        ("whk_literal", "https://127.0.0.1/hook"),
        ("whk_dns", "https://localhost/hook"),
    ] {
        entity::webhook::ActiveModel {
            id: sea_orm::Set(id.into()),
            workspace_id: sea_orm::Set(app.workspace_id.clone()),
            url: sea_orm::Set(url.into()),
            events: sea_orm::Set(json!(["*"])),
            description: sea_orm::Set(None),
            active: sea_orm::Set(true),
            secret: sea_orm::Set(crate::helpers::keyring().seal(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                &api::secrets::webhook_secret_context(id),
            )),
            previous_secret: sea_orm::Set(None),
            previous_secret_expires_at: sea_orm::Set(None),
            failing_since: sea_orm::Set(None),
            disabled_reason: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            updated_at: sea_orm::Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    app.contact(json!({ "email": "ssrf@example.com" })).await;
    let settings = api::engine::webhooks::Settings::default();
    let client = api::engine::webhooks::client(&settings).unwrap();
    let handled = api::engine::webhooks::run_once(
        &app.db,
        &client,
        &settings,
        &crate::helpers::keyring(),
        &app.clock,
    )
    .await
    .unwrap();
    assert_eq!(handled, 2);
    for id in ["whk_literal", "whk_dns"] {
        let log = app.get(&format!("/v1/webhooks/{id}/deliveries")).await;
        let error = log.data()[0]["error"].as_str().unwrap().to_owned();
        assert_eq!(log.data()[0]["success"], false);
        assert!(error.contains("public address"), "{id}: {error}");
    }
}

#[tokio::test]
async fn webhooks_and_their_events_stay_in_their_workspace() {
    let app = spawn_app_with(fast).await;
    let mine = Receiver::start(vec![]).await;
    let theirs = Receiver::start(vec![]).await;
    let hook = subscribe(&app, &mine.url, json!(["*"])).await;
    let (_, other) = app.new_workspace("Other", Plan::Pro).await;
    let r = app
        .request_as(
            Some(&other),
            Method::POST,
            "/v1/webhooks",
            Some(json!({ "url": theirs.url, "events": ["*"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = id_of(&hook);
    for (method, path) in [
        (Method::GET, format!("/v1/webhooks/{id}")),
        (Method::PUT, format!("/v1/webhooks/{id}")),
        (Method::DELETE, format!("/v1/webhooks/{id}")),
        (Method::POST, format!("/v1/webhooks/{id}/test")),
        (Method::POST, format!("/v1/webhooks/{id}/rotate-secret")),
        (Method::GET, format!("/v1/webhooks/{id}/deliveries")),
    ] {
        let body = (method == Method::PUT).then(|| json!({ "active": false }));
        let r = app
            .request_as(Some(&other), method.clone(), &path, body)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let r = app
        .request_as(Some(&other), Method::GET, "/v1/webhooks", None)
        .await;
    assert_eq!(r.body["meta"]["total"], 1);

    for i in 0..5 {
        app.contact(json!({ "email": format!("mine{i}@example.com") }))
            .await;
    }
    mine.wait_for(5, Duration::from_secs(10)).await;
    eventually(Duration::from_secs(5), || async {
        delivery_states(&app).await.iter().all(|s| s == "succeeded")
    })
    .await;
    assert!(
        theirs.hits().is_empty(),
        "no event of one workspace reaches another's endpoint"
    );
    assert!(
        mine.hits()
            .iter()
            .all(|h| h.json()["workspaceId"] == app.workspace_id.as_str())
    );
}

#[tokio::test]
async fn campaign_lifecycle_events_are_delivered_once_per_change() {
    let app = spawn_app_with(fast).await;
    let receiver = Receiver::start(vec![]).await;
    subscribe(
        &app,
        &receiver.url,
        json!([
            "campaign.started",
            "campaign.paused",
            "contact.unsubscribed"
        ]),
    )
    .await;
    let (c, people) = app.ready_campaign(1).await;
    let start = format!("/v1/campaigns/{}/start", id_of(&c));
    let replies = futures_util::future::join_all((0..4).map(|_| app.post(&start, json!({})))).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    app.post(&format!("/v1/campaigns/{}/pause", id_of(&c)), json!({}))
        .await;
    app.post(&format!("/v1/campaigns/{}/pause", id_of(&c)), json!({}))
        .await;
    app.put(
        &format!("/v1/contacts/{}", people[0]),
        json!({ "status": "unsubscribed" }),
    )
    .await;
    app.put(
        &format!("/v1/contacts/{}", people[0]),
        json!({ "firstName": "Still out" }),
    )
    .await;
    receiver.wait_for(3, Duration::from_secs(10)).await;
    eventually(Duration::from_secs(5), || async {
        delivery_states(&app).await.iter().all(|s| s == "succeeded")
    })
    .await;
    // Delivery order is not guaranteed (a batch goes out concurrently); each change once is.
    let hits = receiver.hits();
    let mut types: Vec<String> = hits
        .iter()
        .map(|h| h.json()["type"].as_str().unwrap().to_owned())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "campaign.paused",
            "campaign.started",
            "contact.unsubscribed"
        ]
    );
    let started = hits
        .iter()
        .map(|h| h.json())
        .find(|b| b["type"] == "campaign.started")
        .unwrap()["data"]
        .clone();
    let started = &started;
    assert_eq!(started["status"], "running");
    let now = app
        .get(&format!("/v1/campaigns/{}", id_of(&c)))
        .await
        .data()
        .clone();
    // The campaign may have completed since (its only contact unsubscribed): what completion
    // changes is not compared.
    let mut expected = now.clone();
    expected["status"] = json!("running");
    expected["updatedAt"] = started["updatedAt"].clone();
    expected["completedAt"] = started["completedAt"].clone();
    assert_eq!(started["completedAt"], Value::Null);
    assert_eq!(
        started, &expected,
        "the data is the REST object at the time of the change"
    );
}
