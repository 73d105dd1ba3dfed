//! One time source: what the server stamps, expires and counts follows the app's clock (a
//! manual one here, set years away from the wall clock), never the wall clock.

use api::clock::Clock;
use api::service::workspaces::Plan;
use chrono::Duration;
use entity::{event, webhook_delivery};
use reqwest::{Method, StatusCode};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::sending::at;

/// Far from any wall clock the suite runs under.
const FIXED: &str = "2031-03-04T05:06:07Z";
const A_DAY_LATER: &str = "2031-03-05T05:06:07Z";

async fn app_at_fixed() -> TestApp {
    let clock = Clock::manual(at(FIXED));
    spawn_app_with(move |c| c.clock = clock).await
}

fn stamps(object: &Value) -> (Value, Value) {
    (object["createdAt"].clone(), object["updatedAt"].clone())
}

#[tokio::test]
async fn rows_made_and_changed_over_rest_carry_the_apps_clock() {
    let app = app_at_fixed().await;
    let contact = app.contact(json!({ "email": "fixed@example.com" })).await;
    let group = app.group("Fixed").await;
    let account = app.account().await;
    let campaign = app
        .campaign(json!({ "name": "Fixed", "emailAccountId": account["id"] }))
        .await;
    let suppression = app
        .post(
            "/v1/suppressions",
            json!({ "kind": "email", "value": "barred@example.com" }),
        )
        .await;
    assert_eq!(suppression.status, StatusCode::OK, "{}", suppression.body);
    let suppression = suppression.data()["items"][0].clone();
    let webhook = app
        .post(
            "/v1/webhooks",
            json!({ "url": "https://8.8.8.8/hook", "events": ["*"] }),
        )
        .await;
    assert_eq!(webhook.status, StatusCode::CREATED, "{}", webhook.body);
    let webhook = webhook.data().clone();

    for (what, made) in [
        ("contact", &contact),
        ("group", &group),
        ("email account", &account),
        ("campaign", &campaign),
        ("webhook", &webhook),
    ] {
        assert_eq!(stamps(made), (json!(FIXED), json!(FIXED)), "{what}: {made}");
    }
    assert_eq!(suppression["createdAt"], FIXED, "{suppression}");

    // A day later on the app's clock, each change is stamped then; creation stays put.
    app.clock.advance(Duration::days(1));
    let changes = [
        ("contacts", id_of(&contact), json!({ "firstName": "Later" })),
        ("groups", id_of(&group), json!({ "name": "Later" })),
        (
            "email-accounts",
            id_of(&account),
            json!({ "name": "Later" }),
        ),
        ("campaigns", id_of(&campaign), json!({ "name": "Later" })),
        (
            "webhooks",
            id_of(&webhook),
            json!({ "description": "Later" }),
        ),
    ];
    for (collection, id, body) in changes {
        let r = app.put(&format!("/v1/{collection}/{id}"), body).await;
        assert_eq!(r.status, StatusCode::OK, "{collection}: {}", r.body);
        assert_eq!(
            stamps(r.data()),
            (json!(FIXED), json!(A_DAY_LATER)),
            "{collection}: {}",
            r.body
        );
    }

    // The outbox too: events, their deliveries and the payload's createdAt.
    let at_fixed = at(FIXED);
    let events = event::Entity::find().all(&app.db).await.unwrap();
    assert!(!events.is_empty());
    for e in &events {
        let payload: Value = serde_json::from_str(&e.payload).unwrap();
        let expected = if e.event_type == "contact.created" {
            at_fixed
        } else {
            at(A_DAY_LATER)
        };
        assert_eq!(e.created_at, expected, "{}", e.event_type);
        assert_eq!(payload["createdAt"], api::ids::rfc3339(&expected));
    }
    for d in webhook_delivery::Entity::find().all(&app.db).await.unwrap() {
        assert!(d.created_at == at_fixed || d.created_at == at(A_DAY_LATER));
        assert_eq!(d.next_attempt_at, d.created_at, "due when it happened");
    }
}

#[tokio::test]
async fn users_keys_and_workspaces_carry_the_apps_clock() {
    let app = app_at_fixed().await;
    let session = app.user_session("owner@example.com").await;
    let (_, key_id) = app.create_api_key(&session).await;
    let keys = app
        .gql_as(
            Some(&session),
            "{ apiKeys { id createdAt } viewer { user { createdAt } workspace { createdAt } } }",
            json!({}),
        )
        .await;
    let data = &keys.body["data"];
    let made = data["apiKeys"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", keys.body))
        .iter()
        .find(|k| k["id"] == key_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(made["createdAt"], FIXED, "{}", keys.body);
    assert_eq!(data["viewer"]["user"]["createdAt"], FIXED, "{}", keys.body);
    assert_eq!(
        data["viewer"]["workspace"]["createdAt"], FIXED,
        "{}",
        keys.body
    );
}

#[tokio::test]
async fn sessions_expire_on_the_apps_clock() {
    let app = app_at_fixed().await;
    let session = app.user_session("owner@example.com").await;
    let me = "{ viewer { user { email } } }";
    let ok = app.gql_as(Some(&session), me, json!({})).await;
    assert_eq!(
        ok.body["data"]["viewer"]["user"]["email"],
        "owner@example.com"
    );

    // Still valid at the last second of its hour, expired after it: no waiting.
    app.clock
        .advance(Duration::seconds(api::auth::SESSION_TTL_SECS));
    let ok = app.gql_as(Some(&session), me, json!({})).await;
    assert_eq!(
        ok.body["data"]["viewer"]["user"]["email"],
        "owner@example.com"
    );
    app.clock.advance(Duration::seconds(1));
    let late = app
        .request_as(Some(&session), Method::GET, "/v1/contacts", None)
        .await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED, "{}", late.body);
    assert!(
        late.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{}",
        late.body
    );
}

#[tokio::test]
async fn the_rate_limit_window_slides_on_the_apps_clock() {
    let clock = Clock::manual(at(FIXED));
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.rate_limit_per_minute = 2;
    })
    .await;
    let (_, key) = app.new_workspace("Limited", Plan::Pro).await;
    let get = || app.request_as(Some(&key), Method::GET, "/v1/groups", None);
    assert_eq!(get().await.status, StatusCode::OK);
    assert_eq!(get().await.status, StatusCode::OK);
    let refused = get().await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    // A minute after the first request (a second more for PostgreSQL's per-second counts).
    let reset: i64 = refused
        .header("x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    let first = at(FIXED).timestamp();
    assert!(
        (first + 60..=first + 61).contains(&reset),
        "the reset is a time on the app's clock: {reset}"
    );
    app.clock.advance(Duration::seconds(61));
    assert_eq!(get().await.status, StatusCode::OK, "a minute later");
}
