//! Suppressions: written by unsubscribes and hard bounces, added and deleted by hand, and
//! enforced wherever a contact could be emailed again (create, batch, import, re-create,
//! status change, enrolment, the sender's claim).

use api::clock::Clock;
use api::service::workspaces;
use api::shutdown::Stopping;
use chrono::{DateTime, Utc};
use entity::event;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, gql_code, id_of, spawn_app, spawn_app_with};
use crate::smtp::SmtpServer;

const USER: &str = "sales@acme.test";
const PASSWORD: &str = "smtp-pw-1";
/// Monday 2026-11-30, 10:00 UTC: inside the default sending window.
const MONDAY_10: &str = "2026-11-30T10:00:00Z";

async fn app_with_smtp() -> (TestApp, SmtpServer, Value) {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(MONDAY_10).unwrap().into();
    let clock = Clock::manual(now);
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let account = app
        .post(
            "/v1/email-accounts",
            json!({
                "email": USER, "smtpHost": smtp.host(), "smtpPort": smtp.port(),
                "smtpSecurity": "none", "smtpUsername": USER, "smtpPassword": PASSWORD,
                "sendGapSeconds": 0,
            }),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    let account = account.data().clone();
    (app, smtp, account)
}

/// A campaign from `account` whose one step carries an unsubscribe link.
async fn campaign(app: &TestApp, account: &Value) -> Value {
    app.campaign(json!({
        "name": "Outreach",
        "emailAccountId": account["id"],
        "steps": [{ "subject": "Hi", "body": "<p>Hello</p><p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>" }],
    }))
    .await
}

/// Enrols `ids`: the answer (`added`, `skipped`, …).
async fn enrol(app: &TestApp, campaign: &Value, ids: &[String]) -> Value {
    let r = app
        .post(
            &format!("/v1/campaigns/{}/contacts", id_of(campaign)),
            json!({ "contactIds": ids }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.data().clone()
}

async fn start(app: &TestApp, campaign: &Value) {
    let r = app
        .post(
            &format!("/v1/campaigns/{}/start", id_of(campaign)),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn send_all(app: &TestApp) -> usize {
    let mut total = 0;
    loop {
        let sent = app.sender.run_once().await.expect("a sending pass");
        if sent == 0 {
            return total;
        }
        total += sent;
    }
}

async fn suppressions(app: &TestApp, query: &str) -> (Vec<Value>, Value) {
    let r = app.get(&format!("/v1/suppressions{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        r.data().as_array().cloned().unwrap_or_default(),
        r.body["meta"].clone(),
    )
}

async fn add(app: &TestApp, body: Value) -> Value {
    let r = app.post("/v1/suppressions", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.data().clone()
}

async fn contact_status(app: &TestApp, email: &str) -> Value {
    let r = app
        .get(&format!("/v1/contacts?email={}", email.replace('+', "%2B")))
        .await;
    let found = r.data().as_array().cloned().unwrap_or_default();
    assert_eq!(found.len(), 1, "{email}: {}", r.body);
    found[0]["status"].clone()
}

async fn events_of(app: &TestApp, kind: &str) -> Vec<Value> {
    event::Entity::find()
        .filter(event::Column::EventType.eq(kind))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str::<Value>(&e.payload).unwrap()["data"].clone())
        .collect()
}

async fn import(app: &TestApp, csv: &'static str) -> Value {
    let r = app
        .client
        .post(format!("{}/v1/contacts/import", app.base))
        .bearer_auth(&app.api_key)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let body: Value = r.json().await.unwrap();
    api::engine::imports::run_once(&app.db, &app.clock, &Stopping::never())
        .await
        .unwrap();
    let id = body["data"]["id"].as_str().unwrap();
    app.get(&format!("/v1/imports/{id}")).await.data().clone()
}

#[tokio::test]
async fn an_unsubscribed_address_stays_suppressed_through_delete_recreate_and_import() {
    let (app, smtp, account) = app_with_smtp().await;
    let first = campaign(&app, &account).await;
    let ana = app.contact(json!({ "email": "Ana@Example.com" })).await;
    enrol(&app, &first, &[id_of(&ana)]).await;
    start(&app, &first).await;
    assert_eq!(send_all(&app).await, 1);

    // One-click unsubscribe (RFC 8058).
    let mail = &smtp.received()[0];
    let link = mail.header("List-Unsubscribe").unwrap();
    let link = link.trim_matches(|c| c == '<' || c == '>');
    let r = app
        .client
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (listed, meta) = suppressions(&app, "").await;
    assert_eq!(meta["total"], 1);
    assert_eq!(listed[0]["kind"], "email");
    assert_eq!(listed[0]["value"], "ana@example.com");
    assert_eq!(listed[0]["source"], "unsubscribe");
    assert!(listed[0]["id"].as_str().unwrap().starts_with("sup_"));

    // Deleted and created again (another spelling): it lands unsubscribed.
    let r = app.delete(&format!("/v1/contacts/{}", id_of(&ana))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = app.contact(json!({ "email": "ANA@example.com" })).await;
    assert_eq!(again["status"], "unsubscribed");
    let r = app.delete(&format!("/v1/contacts/{}", id_of(&again))).await;
    assert_eq!(r.status, StatusCode::OK);

    // Batch-created, then imported: the same.
    let batch = app
        .post(
            "/v1/contacts/batch",
            json!({ "contacts": [{ "email": "ana@example.com" }, { "email": "bo@example.com" }] }),
        )
        .await;
    let results = batch.data()["results"].as_array().unwrap().clone();
    assert_eq!(results[0]["contact"]["status"], "unsubscribed");
    assert_eq!(results[1]["contact"]["status"], "active");
    let r = app
        .delete(&format!(
            "/v1/contacts/{}",
            results[0]["contact"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let done = import(
        &app,
        "email,firstName\nana@example.com,Ana\ncy@example.com,Cy\n",
    )
    .await;
    assert_eq!(done["created"], 2, "{done}");
    assert_eq!(
        contact_status(&app, "ana@example.com").await,
        "unsubscribed"
    );
    assert_eq!(contact_status(&app, "cy@example.com").await, "active");

    // A new campaign to everyone: Ana is skipped and never emailed again.
    let list = app.get("/v1/contacts?perPage=100").await;
    let everyone: Vec<String> = list.data().as_array().unwrap().iter().map(id_of).collect();
    let second = campaign(&app, &account).await;
    let enrolled = enrol(&app, &second, &everyone).await;
    assert_eq!(
        (enrolled["added"].clone(), enrolled["skipped"].clone()),
        (json!(2), json!(1))
    );
    start(&app, &second).await;
    assert_eq!(send_all(&app).await, 2);
    let to: Vec<String> = smtp.received().iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(
        to.iter()
            .filter(|a| a.eq_ignore_ascii_case("ana@example.com"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_hard_bounce_suppresses_the_address_as_a_bounce() {
    let (app, smtp, account) = app_with_smtp().await;
    smtp.reject_rcpt_always("gone@example.com", "550 5.1.1 No such user");
    let c = campaign(&app, &account).await;
    let gone = app.contact(json!({ "email": "gone@example.com" })).await;
    enrol(&app, &c, &[id_of(&gone)]).await;
    start(&app, &c).await;
    send_all(&app).await;
    let (listed, _) = suppressions(&app, "?source=bounce").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["value"], "gone@example.com");
    app.delete(&format!("/v1/contacts/{}", id_of(&gone))).await;
    let again = app.contact(json!({ "email": "gone@example.com" })).await;
    assert_eq!(again["status"], "bounced");
}

#[tokio::test]
async fn active_is_refused_until_the_suppression_is_deleted_with_a_reason() {
    let app = spawn_app().await;
    let added = add(
        &app,
        json!({ "kind": "email", "value": " Ana@Example.COM " }),
    )
    .await;
    assert_eq!(
        (added["created"].clone(), added["existing"].clone()),
        (json!(1), json!(0))
    );
    let sup = added["items"][0].clone();
    assert_eq!(sup["value"], "ana@example.com");
    assert_eq!(sup["source"], "manual");
    // Idempotent: the same entry again is the same row.
    let again = add(
        &app,
        json!({ "kind": "email", "value": "ana@example.com", "source": "complaint" }),
    )
    .await;
    assert_eq!(
        (again["created"].clone(), again["existing"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(again["items"][0]["id"], sup["id"]);
    assert_eq!(again["items"][0]["source"], "manual");

    let ana = app
        .contact(json!({ "email": "ana@example.com", "status": "active" }))
        .await;
    assert_eq!(ana["status"], "unsubscribed");
    let path = format!("/v1/contacts/{}", id_of(&ana));
    let r = app.put(&path, json!({ "status": "active" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.error_code(), "SUPPRESSED");
    // Other changes are fine; an active contact moved to the address takes its status.
    let r = app.put(&path, json!({ "firstName": "Ana" })).await;
    assert_eq!(r.status, StatusCode::OK);
    add(
        &app,
        json!({ "kind": "email", "value": "zed@example.com", "source": "bounce" }),
    )
    .await;
    let bo = app.contact(json!({ "email": "bo@example.com" })).await;
    let r = app
        .put(
            &format!("/v1/contacts/{}", id_of(&bo)),
            json!({ "email": "Zed@example.com" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["status"], "bounced");

    // A reason is required, in the query or the body.
    let sup_path = format!("/v1/suppressions/{}", id_of(&sup));
    let r = app.delete(&sup_path).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    assert_eq!(r.body["error"]["details"]["field"], "reason");
    let r = app.delete_with(&sup_path, json!({ "reason": "   " })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // Given twice, one of the two would go unchecked: refused.
    let r = app
        .delete_with(
            &format!("{sup_path}?reason=%C2%80"),
            json!({ "reason": "a fine reason" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "reason");
    assert_eq!(
        suppressions(&app, "").await.1["total"],
        2,
        "nothing deleted"
    );
    assert!(events_of(&app, "suppression.deleted").await.is_empty());

    let r = app
        .delete(&format!(
            "{sup_path}?reason=Asked%20to%20hear%20from%20us%20again"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data(), &json!({ "id": sup["id"], "deleted": true }));
    let logged = events_of(&app, "suppression.deleted").await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["value"], "ana@example.com");
    assert_eq!(logged[0]["reason"], "Asked to hear from us again");
    assert_eq!(
        app.delete(&format!("{sup_path}?reason=again")).await.status,
        StatusCode::NOT_FOUND
    );

    let r = app.put(&path, json!({ "status": "active" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["status"], "active");

    // The body form of the reason.
    let domain = add(&app, json!({ "kind": "domain", "value": "example.org" })).await;
    let r = app
        .delete_with(
            &format!("/v1/suppressions/{}", id_of(&domain["items"][0])),
            json!({ "reason": "Customer" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(events_of(&app, "suppression.deleted").await.len(), 2);
}

#[tokio::test]
async fn a_domain_entry_blocks_create_enrolment_and_send() {
    let (app, smtp, account) = app_with_smtp().await;
    let c = campaign(&app, &account).await;
    // Enrolled before the domain is suppressed: still active, never emailed.
    let early = app
        .contact(json!({ "email": "early@blocked.example" }))
        .await;
    let fine = app.contact(json!({ "email": "fine@ok.example" })).await;
    assert_eq!(
        enrol(&app, &c, &[id_of(&early), id_of(&fine)]).await["added"],
        2
    );
    let added = add(
        &app,
        json!({ "kind": "domain", "value": "@BLOCKED.Example." }),
    )
    .await;
    assert_eq!(added["items"][0]["value"], "blocked.example");

    let later = app
        .contact(json!({ "email": "Later@blocked.example" }))
        .await;
    assert_eq!(later["status"], "unsubscribed");
    let batch = app
        .post(
            "/v1/contacts/batch",
            json!({ "contacts": [{ "email": "b@blocked.example" }] }),
        )
        .await;
    assert_eq!(
        batch.data()["results"][0]["contact"]["status"],
        "unsubscribed"
    );
    assert_eq!(
        contact_status(&app, "early@blocked.example").await,
        "active"
    );

    // Enrolment skips the suppressed address even though its contact is active.
    let other = campaign(&app, &account).await;
    let enrolled = enrol(&app, &other, &[id_of(&early), id_of(&fine)]).await;
    assert_eq!(
        (enrolled["added"].clone(), enrolled["skipped"].clone()),
        (json!(1), json!(1))
    );

    // The sender refuses it and closes its enrolment.
    start(&app, &c).await;
    assert_eq!(send_all(&app).await, 1);
    let to: Vec<String> = smtp.received().iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(to, vec!["fine@ok.example".to_owned()]);
    let rows = app
        .get(&format!("/v1/campaigns/{}/contacts", id_of(&c)))
        .await;
    let early_row = rows
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["contact"]["id"] == early["id"])
        .cloned()
        .unwrap();
    assert_eq!(early_row["state"], "unsubscribed");

    // A domain suppressed by a bounce makes new contacts there bounced.
    add(
        &app,
        json!({ "kind": "domain", "value": "dead.example", "source": "bounce" }),
    )
    .await;
    let dead = app.contact(json!({ "email": "x@dead.example" })).await;
    assert_eq!(dead["status"], "bounced");
}

#[tokio::test]
async fn ten_thousand_in_one_request_and_a_bad_or_oversized_request_writes_nothing() {
    let app = spawn_app().await;
    let items: Vec<Value> = (0..10_000)
        .map(|i| json!({ "kind": "email", "value": format!("user{i}@example.com"), "source": "bounce" }))
        .collect();
    let added = add(&app, json!({ "items": items })).await;
    assert_eq!(added["created"], 10_000);
    assert_eq!(added["items"].as_array().unwrap().len(), 10_000);
    assert_eq!(added["items"][9_999]["value"], "user9999@example.com");
    let (page, meta) = suppressions(&app, "?perPage=5").await;
    assert_eq!(page.len(), 5);
    assert_eq!(
        meta,
        json!({ "page": 1, "perPage": 5, "total": 10_000, "totalPages": 2_000,
                "totalIsEstimate": false, "nextCursor": meta["nextCursor"].as_str().expect("a next page") })
    );

    let over: Vec<Value> = (0..10_001)
        .map(|i| json!({ "kind": "email", "value": format!("more{i}@example.com") }))
        .collect();
    let r = app.post("/v1/suppressions", json!({ "items": over })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    assert_eq!(r.body["error"]["details"]["field"], "items");

    let r = app
        .post(
            "/v1/suppressions",
            json!({ "items": [
                { "kind": "email", "value": "new@example.com" },
                { "kind": "email", "value": "not an address" },
                { "kind": "domain", "value": "localhost" },
            ] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    assert_eq!(r.body["error"]["details"]["field"], "items[1].value");
    assert_eq!(r.body["error"]["details"]["index"], 1);
    assert_eq!(r.body["error"]["details"]["invalidIndexes"], json!([1, 2]));
    let r = app
        .post(
            "/v1/suppressions",
            json!({ "kind": "email", "value": "a@example.com", "items": [] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        suppressions(&app, "").await.1["total"],
        10_000,
        "nothing written"
    );
    assert!(suppressions(&app, "?value=new@").await.0.is_empty());

    // Filters: a value substring, a kind, a source.
    let (found, meta) = suppressions(&app, "?value=USER123&sort=value&order=asc").await;
    assert_eq!(meta["total"], 11);
    assert!(found.iter().any(|s| s["value"] == "user123@example.com"));
    assert_eq!(suppressions(&app, "?kind=domain").await.1["total"], 0);
    assert_eq!(suppressions(&app, "?source=manual").await.1["total"], 0);
    assert_eq!(
        suppressions(&app, "?source=bounce").await.1["total"],
        10_000
    );
    let r = app.get("/v1/suppressions?kind=phone").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[tokio::test]
async fn another_workspaces_suppressions_are_invisible_and_have_no_effect() {
    let app = spawn_app().await;
    let (_, other_key) = app.new_workspace("Other", workspaces::Plan::Pro).await;
    let theirs = app
        .request_as(
            Some(&other_key),
            Method::POST,
            "/v1/suppressions",
            Some(json!({ "items": [
                { "kind": "email", "value": "ana@example.com" },
                { "kind": "domain", "value": "corp.example" },
            ] })),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    let their_id = id_of(&theirs.data()["items"][0]);

    assert_eq!(suppressions(&app, "").await.1["total"], 0);
    let ana = app.contact(json!({ "email": "ana@example.com" })).await;
    assert_eq!(ana["status"], "active");
    let x = app.contact(json!({ "email": "x@corp.example" })).await;
    assert_eq!(x["status"], "active");
    let r = app
        .put(
            &format!("/v1/contacts/{}", id_of(&ana)),
            json!({ "status": "active" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .delete(&format!("/v1/suppressions/{their_id}?reason=mine"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // Ours is ours alone, and the same value is theirs too.
    let ours = add(&app, json!({ "kind": "email", "value": "ana@example.com" })).await;
    assert_eq!(ours["created"], 1);
    assert_ne!(id_of(&ours["items"][0]), their_id);
    let c = app.campaign(json!({ "name": "c" })).await;
    let enrolled = enrol(&app, &c, &[id_of(&ana), id_of(&x)]).await;
    assert_eq!(
        (enrolled["added"].clone(), enrolled["skipped"].clone()),
        (json!(1), json!(1))
    );
}

#[tokio::test]
async fn graphql_adds_lists_and_deletes_suppressions() {
    let app = spawn_app().await;
    let added = app
        .gql(
            "mutation($items: [SuppressionInput!]) { addSuppressions(items: $items) { created existing items { id kind value source } } }",
            json!({ "items": [
                { "kind": "domain", "value": "München.de", "source": "complaint" },
                { "kind": "email", "value": "bo@example.com" },
            ] }),
        )
        .await;
    let data = &added.body["data"]["addSuppressions"];
    assert_eq!(data["created"], 2, "{}", added.body);
    assert_eq!(data["items"][0]["value"], "xn--mnchen-3ya.de");
    assert_eq!(data["items"][0]["kind"], "domain");
    assert_eq!(data["items"][0]["source"], "complaint");
    let domain_id = data["items"][0]["id"].as_str().unwrap().to_owned();

    let listed = app
        .gql(
            "{ suppressions(filter: { kind: domain }) { items { value } pageInfo { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.body["data"]["suppressions"]["pageInfo"]["total"], 1,
        "{}",
        listed.body
    );

    let created = app
        .gql(
            "mutation { createContact(input: { email: \"ana@münchen.de\" }) { id status } }",
            json!({}),
        )
        .await;
    let contact = &created.body["data"]["createContact"];
    assert_eq!(contact["status"], "unsubscribed", "{}", created.body);
    let set_active =
        "mutation($id: ID!) { updateContact(id: $id, input: { status: active }) { status } }";
    let r = app.gql(set_active, json!({ "id": contact["id"] })).await;
    assert_eq!(gql_code(&r), "SUPPRESSED");

    let delete = "mutation($id: ID!, $reason: String) { deleteSuppression(id: $id, reason: $reason) { id deleted } }";
    let r = app.gql(delete, json!({ "id": domain_id })).await;
    assert_eq!(gql_code(&r), "VALIDATION_ERROR");
    let r = app
        .gql(delete, json!({ "id": domain_id, "reason": "Partner" }))
        .await;
    assert_eq!(
        r.body["data"]["deleteSuppression"]["deleted"], true,
        "{}",
        r.body
    );
    assert_eq!(
        events_of(&app, "suppression.deleted").await[0]["reason"],
        "Partner"
    );
    let r = app.gql(set_active, json!({ "id": contact["id"] })).await;
    assert_eq!(
        r.body["data"]["updateContact"]["status"], "active",
        "{}",
        r.body
    );
    let r = app
        .gql(
            "mutation { addSuppressions(kind: email, value: \"nope\") { created } }",
            json!({}),
        )
        .await;
    assert_eq!(gql_code(&r), "VALIDATION_ERROR");
}

#[tokio::test]
async fn the_migration_copies_unsubscribed_and_bounced_contacts() {
    use migration::{Migrator, MigratorTrait};
    let app = spawn_app().await;
    // Set by hand, these statuses write no suppression; the migration copies them all.
    let una = app
        .contact(json!({ "email": "Una@Example.com", "status": "unsubscribed" }))
        .await;
    app.contact(json!({ "email": "bea@example.com", "status": "bounced" }))
        .await;
    app.contact(json!({ "email": "al@example.com" })).await;
    assert_eq!(suppressions(&app, "").await.1["total"], 0);
    // On one connection of its own: the schema change is not raced by the pool's others.
    let mut options = sea_orm::ConnectOptions::new(app.database_url.clone());
    options.max_connections(1).sqlx_logging(false);
    let db = sea_orm::Database::connect(options).await.unwrap();
    // Down to before the suppressions migration (later ones too), then up again.
    let since = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261207_000014_suppressions")
        .expect("the suppressions migration")
        + 1;
    Migrator::down(&db, Some(since as u32)).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db.close().await.unwrap();
    let (listed, meta) = suppressions(&app, "?sort=value&order=asc").await;
    assert_eq!(meta["total"], 2);
    let seen: Vec<(Value, Value)> = listed
        .iter()
        .map(|s| (s["value"].clone(), s["source"].clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (json!("bea@example.com"), json!("bounce")),
            (json!("una@example.com"), json!("unsubscribe")),
        ]
    );
    assert_eq!(listed[1]["id"], format!("sup_{}", &id_of(&una)[4..]));
    // And they are enforced like any other.
    let r = app
        .put(
            &format!("/v1/contacts/{}", id_of(&una)),
            json!({ "status": "active" }),
        )
        .await;
    assert_eq!(r.error_code(), "SUPPRESSED");
}

#[tokio::test]
async fn an_export_holds_everything_and_an_erased_contact_is_never_emailed_again() {
    let (app, smtp, account) = app_with_smtp().await;
    let first = campaign(&app, &account).await;
    let ana = app
        .contact(json!({ "email": "Ana@Example.com", "firstName": "Ana", "company": "Acme" }))
        .await;
    let bo = app.contact(json!({ "email": "bo@example.com" })).await;
    enrol(&app, &first, &[id_of(&ana), id_of(&bo)]).await;
    start(&app, &first).await;
    assert_eq!(send_all(&app).await, 2);
    let stats_before = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&first)))
        .await
        .data()
        .clone();

    // The export: the contact, its enrolment, the email with its body, the sent event; recorded.
    let r = app
        .get(&format!("/v1/contacts/{}/export", id_of(&ana)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let export = r.data().clone();
    assert_eq!(export["contact"]["email"], "Ana@Example.com");
    assert_eq!(export["contact"]["company"], "Acme");
    assert_eq!(
        export["enrolments"][0]["campaignId"],
        id_of(&first).as_str()
    );
    assert_eq!(export["enrolments"][0]["state"], "completed");
    let sent = &export["messages"][0];
    assert_eq!(sent["subject"], "Hi");
    assert!(sent["body"].as_str().unwrap().contains("Hello"), "{sent}");
    assert_eq!(sent["state"], "sent");
    assert!(
        export["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "sent"),
        "{export}"
    );
    assert_eq!(
        events_of(&app, "contact.exported").await[0]["id"],
        id_of(&ana).as_str()
    );
    // Another workspace's key cannot export it.
    let (_, other) = app.new_workspace("Other", workspaces::Plan::Pro).await;
    let r = app
        .request_as(
            Some(&other),
            Method::GET,
            &format!("/v1/contacts/{}/export", id_of(&ana)),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Erased: the contact, its emails and events go; the figures stay.
    let r = app
        .delete(&format!("/v1/contacts/{}?erase=true", id_of(&ana)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["deleted"], true);
    let r = app.get(&format!("/v1/contacts/{}", id_of(&ana))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let stats_after = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&first)))
        .await
        .data()
        .clone();
    assert_eq!(stats_after["sent"], stats_before["sent"], "figures kept");
    let left = entity::email_event::Entity::find()
        .filter(entity::email_event::Column::ContactId.eq(id_of(&ana)))
        .all(&app.db)
        .await
        .unwrap();
    assert!(left.is_empty(), "its events are erased");
    let messages = entity::message::Entity::find()
        .filter(entity::message::Column::ContactId.eq(id_of(&ana)))
        .all(&app.db)
        .await
        .unwrap();
    assert!(messages.is_empty(), "its emails are erased");
    // No outbox event names it any more, but for the erasure itself (its id only).
    let payloads: Vec<String> = event::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.payload)
        .collect();
    assert!(
        payloads
            .iter()
            .all(|p| !p.to_lowercase().contains("ana@example.com")),
        "{payloads:?}"
    );
    assert_eq!(
        events_of(&app, "contact.erased").await[0]["id"],
        id_of(&ana).as_str()
    );
    // The address is kept only as a digest.
    let (listed, _) = suppressions(&app, "").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let digest = listed[0]["value"].as_str().unwrap();
    assert!(
        digest.starts_with("sha256:") && !digest.contains("ana"),
        "{digest}"
    );
    assert_eq!(listed[0]["source"], "unsubscribe");
    // Bo is untouched.
    assert_eq!(contact_status(&app, "bo@example.com").await, "active");

    // Created again (another spelling), batch-created, imported: never active, never emailed.
    let again = app.contact(json!({ "email": "ANA@example.com" })).await;
    assert_eq!(again["status"], "unsubscribed");
    let r = app
        .put(
            &format!("/v1/contacts/{}", id_of(&again)),
            json!({ "status": "active" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let second = campaign(&app, &account).await;
    let enrolled = enrol(&app, &second, &[id_of(&again), id_of(&bo)]).await;
    assert_eq!(enrolled["added"], 1, "{enrolled}");
    start(&app, &second).await;
    let before = smtp.received().len();
    assert_eq!(send_all(&app).await, 1);
    let to: Vec<String> = smtp.received()[before..]
        .iter()
        .map(|m| m.to[0].to_lowercase())
        .collect();
    assert_eq!(to, ["bo@example.com"]);
    app.delete(&format!("/v1/contacts/{}", id_of(&again))).await;
    let done = import(&app, "email\nana@example.com\n").await;
    assert_eq!(done["created"], 1, "{done}");
    assert_eq!(
        contact_status(&app, "ana@example.com").await,
        "unsubscribed"
    );
    // `erase` takes true or false only.
    let r = app
        .delete(&format!("/v1/contacts/{}?erase=yes", id_of(&bo)))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(contact_status(&app, "bo@example.com").await, "active");
}
