//! CSV imports: the upload is checked at once, the worker imports it in committed chunks.

use api::shutdown::Stopping;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app};

async fn upload(app: &TestApp, query: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
    let r = app
        .client
        .post(format!("{}/v1/contacts/import{query}", app.base))
        .bearer_auth(&app.api_key)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn run(app: &TestApp) {
    api::engine::imports::run_once(&app.db, &app.clock, &Stopping::never())
        .await
        .unwrap();
}

async fn import_of(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/v1/imports/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.data().clone()
}

#[tokio::test]
async fn a_csv_is_imported_with_its_mapping_groups_and_custom_fields() {
    let app = spawn_app().await;
    let group = app.group("Leads").await;
    // A byte-order mark, `;` delimiters, a quoted field with a newline and a `;` in it.
    let csv = "\u{feff}E-mail;First Name;last_name;Company;Plan;Notes\n\
               ana@example.com;Ana;Silva;Acme;pro;\"likes; long\nnotes\"\n\
               bo@example.com;Bo;;Initech;free;\n";
    let mapping = urlencode(&json!({ "Notes": "ignore", "Plan": "customFields.plan" }));
    let (status, body) = upload(
        &app,
        &format!("?groupId={}&mapping={mapping}", id_of(&group)),
        csv.to_owned(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("imp_"));
    assert_eq!(body["data"]["status"], "queued");
    assert_eq!(body["data"]["total"], 2);
    run(&app).await;
    let done = import_of(&app, &id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        (
            done["processed"].clone(),
            done["created"].clone(),
            done["failedRows"].clone()
        ),
        (json!(2), json!(2), json!(0))
    );
    let list = app.get("/v1/contacts?sort=email&order=asc").await;
    let ana = &list.body["data"][0];
    assert_eq!(ana["email"], "ana@example.com");
    assert_eq!(ana["firstName"], "Ana");
    assert_eq!(ana["lastName"], "Silva");
    assert_eq!(ana["customFields"], json!({ "plan": "pro" }));
    assert_eq!(ana["groupIds"], json!([id_of(&group)]));
    assert!(list.body["data"][1]["lastName"].is_null());
}

fn urlencode(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[tokio::test]
async fn latin1_files_duplicates_and_bad_rows() {
    let app = spawn_app().await;
    app.contact(json!({ "email": "old@example.com", "firstName": "Old", "company": "Was" }))
        .await;
    // Latin-1 bytes: "José" is J o s 0xE9.
    let mut csv = b"email,firstName,company\n".to_vec();
    csv.extend_from_slice(b"old@example.com,Jos\xE9,Now\n");
    csv.extend_from_slice(b"not-an-email,X,Y\n");
    csv.extend_from_slice(b"new@example.com,New,\n");
    csv.extend_from_slice(b"new@example.com,Twice,\n");
    let (status, skip) = upload(&app, "", csv.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{skip}");
    run(&app).await;
    let skip = import_of(&app, skip["data"]["id"].as_str().unwrap()).await;
    assert_eq!(skip["created"], 1);
    assert_eq!(
        skip["skipped"], 2,
        "the existing email and the second new@ row"
    );
    assert_eq!(skip["failedRows"], 1);
    assert_eq!(skip["errors"][0]["row"], 3, "the line the bad row is on");
    assert_eq!(skip["errors"][0]["column"], "email");
    let old = app.get("/v1/contacts?email=old@").await;
    assert_eq!(
        old.body["data"][0]["firstName"], "Old",
        "skip leaves it alone"
    );

    let (_, update) = upload(&app, "?duplicates=update", csv).await;
    run(&app).await;
    let update = import_of(&app, update["data"]["id"].as_str().unwrap()).await;
    assert_eq!(update["updated"], 3);
    assert_eq!(update["created"], 0);
    let old = app.get("/v1/contacts?email=old@").await;
    assert_eq!(
        old.body["data"][0]["firstName"], "José",
        "decoded from Latin-1"
    );
    assert_eq!(old.body["data"][0]["company"], "Now");
}

#[tokio::test]
async fn an_interrupted_import_resumes_without_importing_a_row_twice() {
    let app = spawn_app().await;
    let mut csv = String::from("email\n");
    for i in 0..1200 {
        csv.push_str(&format!("p{i}@example.com\n"));
    }
    let (_, body) = upload(&app, "", csv).await;
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    // A worker claims it and commits one chunk, then dies holding its lease.
    let now = app.clock.now();
    let claimed = api::service::imports::claim(&app.db, now)
        .await
        .unwrap()
        .unwrap();
    let after_one = api::service::imports::run_chunk(&app.db, &claimed, now)
        .await
        .unwrap();
    assert_eq!(after_one.processed, 500);
    // Nobody takes it while the lease holds; another worker does once it runs out.
    assert!(
        api::service::imports::claim(&app.db, now)
            .await
            .unwrap()
            .is_none()
    );
    let later = now + chrono::Duration::seconds(120);
    let resumed = api::service::imports::claim(&app.db, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        resumed.processed, 500,
        "it resumes after the committed chunk"
    );
    let mut import = resumed;
    while import.status.as_str() == "running" {
        import = api::service::imports::run_chunk(&app.db, &import, later)
            .await
            .unwrap();
    }
    let done = import_of(&app, &id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["created"], 1200);
    assert_eq!(done["skipped"], 0);
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 1200);
}

#[tokio::test]
async fn bad_uploads_are_refused_at_once_and_graphql_imports_too() {
    let app = spawn_app().await;
    for (csv, field) in [
        ("name,company\nAna,Acme\n", "csv"),
        ("", "csv"),
        ("email,email\na@example.com,b@example.com\n", "csv"),
    ] {
        let (status, body) = upload(&app, "", csv.to_owned()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{csv:?}: {body}");
        assert_eq!(body["error"]["details"]["field"], field, "{body}");
    }
    let (status, body) = upload(&app, "?mapping=%7Bnope", "email\na@example.com\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = upload(&app, "?groupId=grp_nope", "email\na@example.com\n").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut huge = String::from("email\n");
    for i in 0..100_001 {
        huge.push_str(&format!("{i}@x.io\n"));
    }
    let (status, body) = upload(&app, "", huge).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("100000")
    );
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 0);

    let r = app
        .gql(
            "mutation($csv: String!) { importContacts(csv: $csv, duplicates: update) { id status total } }",
            json!({ "csv": "email,firstName\ngql@example.com,Gee\n" }),
        )
        .await;
    let id = r.body["data"]["importContacts"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(r.body["data"]["importContacts"]["total"], 1);
    run(&app).await;
    let r = app
        .gql(
            "query($id: ID!) { contactImport(id: $id) { status created duplicates } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.body["data"]["contactImport"],
        json!({ "status": "completed", "created": 1, "duplicates": "update" })
    );
    // Another workspace cannot read it.
    let (_, other) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let r = app
        .request_as(
            Some(&other),
            reqwest::Method::GET,
            &format!("/v1/imports/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A worker that lost its lease while a chunk ran (the import taken over and that chunk
/// committed by another) keeps nothing of its late chunk: no row is counted twice.
#[tokio::test]
async fn a_late_chunk_of_a_lost_lease_is_not_counted_twice() {
    let app = spawn_app().await;
    let mut csv = String::from("email\n");
    for i in 0..700 {
        csv.push_str(&format!("q{i}@example.com\n"));
    }
    let (_, body) = upload(&app, "", csv).await;
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let now = app.clock.now();
    let slow = api::service::imports::claim(&app.db, now)
        .await
        .unwrap()
        .unwrap();
    // Its lease runs out; another worker takes the import and commits the first chunk.
    let later = now + chrono::Duration::seconds(120);
    let other = api::service::imports::claim(&app.db, later)
        .await
        .unwrap()
        .unwrap();
    let after = api::service::imports::run_chunk(&app.db, &other, later)
        .await
        .unwrap();
    assert_eq!(after.processed, 500);
    // The first worker wakes up and commits the same chunk from its stale copy: refused.
    let late = api::service::imports::run_chunk(&app.db, &slow, later).await;
    assert_eq!(
        late.expect_err("a late chunk is refused").code,
        api::error::ErrorCode::Conflict
    );
    let mut import = after;
    while import.status.as_str() == "running" {
        import = api::service::imports::run_chunk(&app.db, &import, later)
            .await
            .unwrap();
    }
    let done = import_of(&app, &id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["processed"], 700);
    assert_eq!(done["created"], 700);
    assert_eq!(done["skipped"], 0, "{done}");
}
