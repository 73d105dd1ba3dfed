//! What uploads cost the database: an import's file lives only while it is needed, a
//! workspace's pending uploads are bounded, and a keyed upload may be as large as an unkeyed one.

use api::shutdown::Stopping;
use entity::contact_import;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

async fn upload_as(
    app: &TestApp,
    key: &str,
    body: impl Into<reqwest::Body>,
    idempotency_key: Option<&str>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = app
        .client
        .post(format!("{}/v1/contacts/import", app.base))
        .bearer_auth(key)
        .header("content-type", "text/csv")
        .body(body);
    if let Some(k) = idempotency_key {
        request = request.header("idempotency-key", k);
    }
    let r = request.send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    (status, r.json().await.unwrap(), headers)
}

async fn upload(app: &TestApp, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
    let (status, body, _) = upload_as(app, &app.api_key, body, None).await;
    (status, body)
}

async fn stored(app: &TestApp, id: &str) -> contact_import::Model {
    contact_import::Entity::find_by_id(id.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .expect("the import row")
}

/// A CSV of `rows` contacts.
fn csv(rows: usize, tag: &str) -> String {
    let mut text = String::from("email,firstName\n");
    for i in 0..rows {
        text.push_str(&format!("{tag}{i}@example.com,Person {i}\n"));
    }
    text
}

#[tokio::test]
async fn a_completed_import_keeps_no_file() {
    let app = spawn_app().await;
    let file = csv(700, "done");
    let (status, body) = upload(&app, file.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let waiting = stored(&app, &id).await;
    assert_eq!(
        waiting.source, file,
        "the file is kept while the import waits"
    );
    assert_eq!(waiting.file_bytes, file.len() as i64);

    api::engine::imports::run_once(&app.db, &app.clock, &Stopping::never())
        .await
        .unwrap();
    let done = stored(&app, &id).await;
    assert_eq!(done.status.as_str(), "completed");
    assert_eq!(done.created, 700);
    assert_eq!(
        done.source, "",
        "the file is gone once the import completed"
    );
    assert_eq!(done.file_bytes, 0);
    let r = app.get(&format!("/v1/imports/{id}")).await;
    assert_eq!(r.data()["processed"], 700, "the import's figures stay");
}

#[tokio::test]
async fn a_failed_import_keeps_its_file_for_a_day_then_the_purge_drops_it() {
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let clock = api::clock::Clock::manual(start);
    let app = spawn_app_with(move |c| c.clock = clock).await;
    let file = csv(20, "failed");
    let (_, body) = upload(&app, file.clone()).await;
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let claimed = api::service::imports::claim(&app.db, start)
        .await
        .unwrap()
        .expect("claimed");
    api::service::imports::fail(&app.db, &claimed.id, "internal", start)
        .await
        .unwrap();

    let hours = |h: i64| start + chrono::Duration::hours(h);
    api::engine::purge_once(&app.db, hours(23)).await.unwrap();
    let kept = stored(&app, &id).await;
    assert_eq!(kept.status.as_str(), "failed");
    assert_eq!(kept.source, file, "kept within the retention");

    api::engine::purge_once(&app.db, hours(25)).await.unwrap();
    let purged = stored(&app, &id).await;
    assert_eq!(purged.source, "", "purged after the retention");
    assert_eq!(purged.file_bytes, 0);
    assert_eq!(purged.status.as_str(), "failed", "the import itself stays");
}

#[tokio::test]
async fn pending_uploads_are_bounded_by_the_workspace_quota() {
    let app = spawn_app_with(|c| c.import_quota_bytes = 1_000).await;
    let file = csv(20, "q");
    assert!(file.len() > 500 && file.len() < 1_000, "{}", file.len());
    let (status, body) = upload(&app, file.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // A second file would take the pending bytes past the quota.
    let (status, body, _) = upload_as(&app, &app.api_key, file.clone(), None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "QUOTA_EXCEEDED");
    assert_eq!(body["error"]["details"]["quota"], 1_000);
    assert_eq!(body["error"]["details"]["pending"], file.len());
    assert!(body["error"]["details"]["requestId"].is_string());
    let gql = app
        .gql(
            "mutation($csv: String!) { importContacts(csv: $csv) { id } }",
            json!({ "csv": file }),
        )
        .await;
    assert_eq!(
        gql.body["errors"][0]["extensions"]["code"], "QUOTA_EXCEEDED",
        "{}",
        gql.body
    );

    // Another workspace has a quota of its own.
    let (_, other_key) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let (status, body, _) = upload_as(&app, &other_key, file.clone(), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // Once the pending import ran, its bytes no longer count.
    api::engine::imports::run_once(&app.db, &app.clock, &Stopping::never())
        .await
        .unwrap();
    let (status, body) = upload(&app, file).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test]
async fn a_keyed_upload_of_5_mb_runs_once_and_replays() {
    let app = spawn_app().await;
    // 5 MB and more: above the 2 MB JSON limit, below the import route's 20 MB.
    let mut file = String::from("email,notes\n");
    let notes = "n".repeat(60);
    let mut rows = 0;
    while file.len() < 5 * 1024 * 1024 + 1000 {
        file.push_str(&format!("big{rows}@example.com,{notes}\n"));
        rows += 1;
    }
    let (status, first, _) = upload_as(&app, &app.api_key, file.clone(), Some("upload-5mb")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(first["data"]["total"], rows);
    let (status, again, headers) = upload_as(&app, &app.api_key, file, Some("upload-5mb")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(again, first, "the first answer, replayed");
    let imports = contact_import::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(imports.len(), 1, "the upload ran once");
}
