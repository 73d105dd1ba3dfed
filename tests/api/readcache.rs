//! The read cache: a read is answered again from memory only while its workspace's data version
//! is unchanged, whoever wrote (a request, a worker, another instance, SQL by hand); answers that
//! depend on the clock are never kept; `ETag` and `If-None-Match` spare the body.

use api::config::Config;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{id_of, spawn_counting_app_with};

fn cache_on(config: &mut Config) {
    config.read_cache_bytes = 1 << 20;
}

/// Statements of one request that are not the caller's authentication.
fn taken(log: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
        .into_iter()
        .filter(|sql| !sql.contains("api_keys"))
        .collect()
}

/// Runs SQL on the app's database as another process would, with `?` placeholders.
async fn by_hand(db: &sea_orm::DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) {
    let backend = db.get_database_backend();
    let mut n = 0;
    let text: String = match backend {
        sea_orm::DatabaseBackend::Postgres => sql
            .chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect(),
        _ => sql.to_owned(),
    };
    let done = db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend, text, values,
        ))
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

#[tokio::test]
async fn a_kept_read_costs_one_statement_and_any_write_is_seen_at_once() {
    let (app, log) = spawn_counting_app_with(cache_on).await;
    let c = app
        .contact(json!({ "email": "ada@example.com", "firstName": "Ada" }))
        .await;
    let first = app.get("/v1/contacts").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.data()[0]["firstName"], "Ada");
    taken(&log);

    let again = app.get("/v1/contacts").await;
    let statements = taken(&log);
    assert_eq!(again.body, first.body);
    assert_eq!(statements.len(), 1, "{statements:#?}");
    assert!(statements[0].contains("workspace_versions"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("cache-control"), Some("private, no-cache"));

    // Through the API.
    let r = app
        .put(
            &format!("/v1/contacts/{}", id_of(&c)),
            json!({ "firstName": "Grace" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = app.get("/v1/contacts").await;
    assert_eq!(after.data()[0]["firstName"], "Grace");
    assert_ne!(after.header("etag"), first.header("etag"));

    // Past the API, as another instance or a worker would write.
    app.get("/v1/contacts").await;
    by_hand(
        &app.db,
        "UPDATE contacts SET first_name = ? WHERE id = ?",
        vec!["Hopper".into(), id_of(&c).into()],
    )
    .await;
    let after = app.get("/v1/contacts").await;
    assert_eq!(after.data()[0]["firstName"], "Hopper");

    // A row reached through its campaign (the counters have no workspace column).
    let (campaign, _) = app.ready_campaign(1).await;
    let url = format!("/v1/campaigns/{}/stats", id_of(&campaign));
    let before = app.get(&url).await;
    assert_eq!(before.data()["sent"], 0);
    by_hand(
        &app.db,
        "INSERT INTO campaign_stats (campaign_id, step, sent, opened, clicked, replied, bounced, \
         unsubscribed, auto_replied) VALUES (?, 0, 7, 0, 0, 0, 0, 0, 0)",
        vec![id_of(&campaign).into()],
    )
    .await;
    assert_eq!(app.get(&url).await.data()["sent"], 7);
}

#[tokio::test]
async fn if_none_match_answers_304_until_the_answer_changes() {
    for budget in [0, 1 << 20] {
        let (app, _log) = spawn_counting_app_with(|c| c.read_cache_bytes = budget).await;
        let c = app.contact(json!({ "email": "ada@example.com" })).await;
        let url = format!("/v1/contacts/{}", id_of(&c));
        let first = app.get(&url).await;
        let etag = first.header("etag").expect("an ETag").to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

        let conditional = |tag: String| {
            app.client
                .get(format!("{}{url}", app.base))
                .bearer_auth(&app.api_key)
                .header("if-none-match", tag)
                .send()
        };
        let same = conditional(etag.clone()).await.unwrap();
        assert_eq!(same.status(), StatusCode::NOT_MODIFIED, "budget {budget}");
        assert_eq!(same.headers()["etag"], etag.as_str());
        assert!(same.bytes().await.unwrap().is_empty());
        let listed = conditional(format!("\"nope\", W/{etag}")).await.unwrap();
        assert_eq!(listed.status(), StatusCode::NOT_MODIFIED);
        let other = conditional("\"nope\"".into()).await.unwrap();
        assert_eq!(other.status(), StatusCode::OK);

        let r = app.put(&url, json!({ "company": "Analytical" })).await;
        assert_eq!(r.status, StatusCode::OK);
        // A write answers no ETag of its own; the changed read answers a new one.
        assert!(r.header("etag").is_none());
        let changed = conditional(etag.clone()).await.unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        assert_ne!(changed.headers()["etag"], etag.as_str());
        let body: Value = changed.json().await.unwrap();
        assert_eq!(body["data"]["company"], "Analytical");

        // Errors are never tagged.
        let missing = app.get("/v1/contacts/cnt_missing").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.header("etag").is_none());
    }
}

#[tokio::test]
async fn answers_that_depend_on_the_time_are_never_kept() {
    let (app, log) = spawn_counting_app_with(cache_on).await;
    let (campaign, _) = app.ready_campaign(1).await;
    let url = format!("/v1/campaigns/{}/sending-status", id_of(&campaign));
    assert_eq!(app.get(&url).await.status, StatusCode::OK);
    taken(&log);
    assert_eq!(app.get(&url).await.status, StatusCode::OK);
    assert!(taken(&log).len() > 1, "the sending status ran again");

    let query = "query($id: ID!) { campaign(id: $id) { stats { timeline { date sent } } } }";
    let fixed_query = query.replace("stats {", "stats(to: \"2026-11-27\") {");
    // A timeline ends today by default: it is kept for the day (the unit tests check that an
    // answer computed for another day is not), as is one with an end date.
    let today = app.gql(query, json!({ "id": id_of(&campaign) })).await;
    assert!(today.body["errors"].is_null(), "{}", today.body);
    taken(&log);
    assert_eq!(
        app.gql(query, json!({ "id": id_of(&campaign) })).await.body,
        today.body
    );
    assert_eq!(
        taken(&log).len(),
        1,
        "a timeline ending today is kept for the day"
    );
    let fixed = app
        .gql(&fixed_query, json!({ "id": id_of(&campaign) }))
        .await;
    assert!(fixed.body["errors"].is_null(), "{}", fixed.body);
    taken(&log);
    let again = app
        .gql(&fixed_query, json!({ "id": id_of(&campaign) }))
        .await;
    assert_eq!(again.body, fixed.body);
    assert_eq!(taken(&log).len(), 1, "a fixed timeline is kept");
}

#[tokio::test]
async fn graphql_queries_are_kept_per_workspace_and_mutations_never() {
    let (app, log) = spawn_counting_app_with(cache_on).await;
    app.contact(json!({ "email": "ours@example.com" })).await;
    let (_, other_key) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let query = "{ contacts { items { email } pageInfo { total } } }";
    let ours = app.gql(query, json!({})).await;
    assert_eq!(
        ours.body["data"]["contacts"]["items"][0]["email"],
        "ours@example.com"
    );
    // The same text from another workspace is its own read.
    let theirs = app.gql_as(Some(&other_key), query, json!({})).await;
    assert_eq!(theirs.body["data"]["contacts"]["pageInfo"]["total"], 0);
    taken(&log);
    assert_eq!(app.gql(query, json!({})).await.body, ours.body);
    assert_eq!(taken(&log).len(), 1);

    // A mutation always runs, and what it changes is read next.
    let create = "mutation($e: String!) { createContact(input: { email: $e }) { email } }";
    for email in ["b@example.com", "c@example.com"] {
        let r = app.gql(create, json!({ "e": email })).await;
        assert_eq!(
            r.body["data"]["createContact"]["email"], email,
            "{}",
            r.body
        );
    }
    let after = app.gql(query, json!({})).await;
    assert_eq!(after.body["data"]["contacts"]["pageInfo"]["total"], 3);

    // Unauthenticated queries are not kept, and errors are not kept.
    let anonymous = app.gql_as(None, query, json!({})).await;
    assert!(anonymous.body["errors"].is_array());
    let bad = "query($id: ID!) { contact(id: $id) { email } }";
    for _ in 0..2 {
        taken(&log);
        let r = app.gql(bad, json!({ "id": "cnt_missing" })).await;
        assert!(r.body["errors"].is_array(), "{}", r.body);
        assert!(taken(&log).len() > 1, "an error ran again");
    }
}

#[tokio::test]
async fn a_write_through_another_instance_is_seen_by_this_one_at_once() {
    let (app, _log) = spawn_counting_app_with(cache_on).await;
    let c = app.contact(json!({ "email": "ada@example.com" })).await;
    let (second, stop, task) = crate::instances::second_instance(&app, cache_on).await;
    let url = format!("/v1/contacts/{}", id_of(&c));
    for name in ["One", "Two", "Three"] {
        // Both instances hold the current answer.
        let here = app.get(&url).await;
        let there = app
            .client
            .request(Method::GET, format!("{second}{url}"))
            .bearer_auth(&app.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(there.headers()["etag"], here.header("etag").unwrap());
        // One changes it; the other answers the change.
        let r = app
            .client
            .request(Method::PUT, format!("{second}{url}"))
            .bearer_auth(&app.api_key)
            .json(&json!({ "lastName": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(app.get(&url).await.data()["lastName"], name);
    }
    stop.trigger();
    task.await.unwrap();
}
