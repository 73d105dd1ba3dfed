//! A webhook deleted while one of its deliveries is on the wire: the delivery ends cancelled,
//! quietly (no foreign-key error, no internal error).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::engine::webhooks::{self, Ended};
use entity::{webhook_attempt, webhook_delivery};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::helpers::{id_of, keyring, spawn_app_with};
use crate::receiver::{Answer, Receiver};

/// Collects what is logged on this thread (the test's runtime runs every task on it).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn deleting_a_webhook_mid_delivery_cancels_the_delivery_quietly() {
    let app = spawn_app_with(|c| c.webhooks.allow_private = true).await;
    // From here on (the app's start-up notices aside).
    let logs = Captured::default();
    let sink = logs.clone();
    let _capture = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish()
        .set_default();
    let release = Arc::new(tokio::sync::Notify::new());
    let receiver = Receiver::start(vec![Answer::Held(release.clone())]).await;
    let hook = app
        .post(
            "/v1/webhooks",
            json!({ "url": receiver.url, "events": ["contact.created"] }),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let hook = hook.data().clone();
    app.contact(json!({ "email": "inflight@example.com" }))
        .await;

    let settings = webhooks::Settings {
        allow_private: true,
        ..Default::default()
    };
    let client = webhooks::client(&settings).unwrap();
    let claimed = webhooks::claim(&app.db, 10, settings.lease, app.clock.now())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let db = app.db.clone();
    let clock = app.clock.clone();
    let delivery = claimed[0].clone();
    let sending = tokio::spawn(async move {
        webhooks::deliver(&db, &client, &settings, &keyring(), &clock, delivery).await
    });
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let deleted = app.delete(&format!("/v1/webhooks/{}", id_of(&hook))).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    release.notify_one();

    let ended = sending.await.unwrap();
    assert_eq!(ended.as_ref().ok(), Some(&Ended::Cancelled), "{ended:?}");
    assert_eq!(
        webhook_attempt::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0,
        "no attempt is logged for a webhook that is gone"
    );
    assert_eq!(
        webhook_delivery::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0,
        "the delivery went with its webhook"
    );
    let logged = logs.text();
    assert!(
        !logged.contains("WARN") && !logged.contains("ERROR"),
        "nothing was logged as a failure: {logged}"
    );
}
