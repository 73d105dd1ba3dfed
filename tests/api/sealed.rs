//! Secrets at rest: webhook signing secrets and the session-signing secret are sealed with the
//! operator's key, and rows written in clear by earlier versions are sealed at start.

use std::time::Duration;

use api::config::{Config, Secret};
use entity::{setting, webhook};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::helpers::{TEST_SECRET, TestApp, id_of, spawn_app_with};
use crate::receiver::Receiver;

const SEALED: &str = "enc:v1:";

fn fast(config: &mut Config) {
    config.run_workers = true;
    config.webhooks.allow_private = true;
    config.webhooks.poll_interval = Duration::from_millis(20);
}

async fn stored_webhook(app: &TestApp, id: &str) -> webhook::Model {
    webhook::Entity::find_by_id(id.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .expect("the webhook row")
}

/// Another app on `app`'s database (as after a restart); its base URL.
async fn restart(app: &TestApp, jwt_secret: Option<&str>) -> String {
    let mut config = Config::new(app.database_url.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.run_workers = false;
    config.secret_key = Some(Secret::new(TEST_SECRET));
    config.jwt_secret = jwt_secret.map(Secret::new);
    let db = api::db::connect(&app.database_url).await.unwrap();
    let started = api::app::build_with(config, db).await.expect("app builds");
    let base = format!("http://{}", started.addr);
    tokio::spawn(async move {
        let _ = started.serve().await;
    });
    base
}

async fn graphql(app: &TestApp, base: &str, token: Option<&str>, query: &str) -> serde_json::Value {
    let mut request = app
        .client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn webhook_secrets_rest_sealed_and_still_sign() {
    let app = spawn_app_with(fast).await;
    let receiver = Receiver::start(vec![]).await;
    let created = app
        .post(
            "/v1/webhooks",
            json!({ "url": receiver.url, "events": ["*"] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let hook = created.data().clone();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let row = stored_webhook(&app, &id_of(&hook)).await;
    assert!(row.secret.starts_with(SEALED), "{}", row.secret);
    assert!(!row.secret.contains(secret.trim_start_matches("whsec_")));

    app.contact(json!({ "email": "sealed@example.com" })).await;
    let hit = &receiver.wait_for(1, Duration::from_secs(10)).await[0];
    standardwebhooks::Webhook::new(&secret)
        .unwrap()
        .verify(hit.body.as_bytes(), &hit.headers)
        .expect("signed with the secret shown at creation");

    let rotated = app
        .post(
            &format!("/v1/webhooks/{}/rotate-secret", id_of(&hook)),
            json!({}),
        )
        .await;
    let new = rotated.data()["secret"].as_str().unwrap().to_owned();
    let row = stored_webhook(&app, &id_of(&hook)).await;
    for stored in [&row.secret, row.previous_secret.as_ref().unwrap()] {
        assert!(stored.starts_with(SEALED), "{stored}");
        assert!(!stored.contains(&secret) && !stored.contains(&new));
    }
    app.contact(json!({ "email": "rotated@example.com" })).await;
    let hit = &receiver.wait_for(2, Duration::from_secs(10)).await[1];
    for key in [&secret, &new] {
        standardwebhooks::Webhook::new(key)
            .unwrap()
            .verify(hit.body.as_bytes(), &hit.headers)
            .expect("both secrets sign during the overlap");
    }
}

#[tokio::test]
async fn secrets_stored_in_clear_are_sealed_at_start_and_keep_working() {
    let app = spawn_app_with(|c| {
        c.webhooks.allow_private = true;
        c.jwt_secret = None;
    })
    .await;
    // As an earlier version left them: a webhook secret and the session secret in clear.
    let receiver = Receiver::start(vec![]).await;
    let clear_webhook = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let hook = app
        .post(
            "/v1/webhooks",
            json!({ "url": receiver.url, "events": ["*"] }),
        )
        .await
        .data()
        .clone();
    let mut row: webhook::ActiveModel = stored_webhook(&app, &id_of(&hook)).await.into();
    row.secret = Set(clear_webhook.to_owned());
    row.update(&app.db).await.unwrap();
    let clear_session = "clear-session-secret-from-an-earlier-version-0123456789";
    setting::ActiveModel {
        key: Set("session_signing_secret".into()),
        value: Set(clear_session.into()),
    }
    .update(&app.db)
    .await
    .unwrap();

    let base = restart(&app, None).await;
    let stored = stored_webhook(&app, &id_of(&hook)).await;
    assert!(stored.secret.starts_with(SEALED), "{}", stored.secret);
    let session_row = setting::Entity::find_by_id("session_signing_secret".to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        session_row.value.starts_with(SEALED),
        "{}",
        session_row.value
    );
    assert!(!session_row.value.contains(clear_session));
    let keyring = crate::helpers::keyring();
    assert_eq!(
        api::service::accounts::session_secret(&app.db, &keyring)
            .await
            .unwrap(),
        clear_session,
        "the same secret, sealed: sessions signed before still verify"
    );

    // A session signed by the restarted app works, and after one more restart too.
    api::service::accounts::create_user(
        &app.db,
        &app.workspace_id,
        "owner@example.com",
        "longenough",
        None,
        app.clock.now(),
    )
    .await
    .unwrap();
    let login = graphql(
        &app,
        &base,
        None,
        "mutation { login(email: \"owner@example.com\", password: \"longenough\") { token } }",
    )
    .await;
    let token = login["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {login}"))
        .to_owned();
    let again = restart(&app, None).await;
    let viewer = graphql(&app, &again, Some(&token), "{ viewer { user { email } } }").await;
    assert_eq!(
        viewer["data"]["viewer"]["user"]["email"], "owner@example.com",
        "{viewer}"
    );

    // The webhook still signs with the secret it had.
    let settings = api::engine::webhooks::Settings {
        allow_private: true,
        ..Default::default()
    };
    let client = api::engine::webhooks::client(&settings).unwrap();
    app.contact(json!({ "email": "after@example.com" })).await;
    api::engine::webhooks::run_once(&app.db, &client, &settings, &keyring, &app.clock)
        .await
        .unwrap();
    let hit = &receiver.wait_for(1, Duration::from_secs(10)).await[0];
    standardwebhooks::Webhook::new(clear_webhook)
        .unwrap()
        .verify(hit.body.as_bytes(), &hit.headers)
        .expect("signed with the secret it had in clear");
}
