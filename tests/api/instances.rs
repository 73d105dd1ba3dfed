//! Several instances on one database: a revoked key is refused by every instance at once, the
//! rate limit is one budget, a stopping instance finishes what it started, and health and
//! metrics endpoints tell an operator what it is doing.

use std::time::{Duration, Instant};

use api::config::{Config, Secret};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TEST_SECRET, TestApp, spawn_app, spawn_app_with};

/// Another instance on `app`'s database: its base URL and its stop trigger.
async fn second_instance(
    app: &TestApp,
    configure: impl FnOnce(&mut Config),
) -> (String, api::shutdown::Shutdown, tokio::task::JoinHandle<()>) {
    let mut config = Config::new(app.database_url.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.run_workers = false;
    config.secret_key = Some(Secret::new(TEST_SECRET));
    config.jwt_secret = Some(Secret::new(crate::helpers::JWT_SECRET));
    configure(&mut config);
    let db = api::db::connect(&app.database_url).await.unwrap();
    let built = api::app::build_with(config, db).await.unwrap();
    let base = format!("http://{}", built.addr);
    let (shutdown, stopping) = api::shutdown::Shutdown::new();
    let task = tokio::spawn(async move {
        built.serve_until(stopping).await.unwrap();
    });
    (base, shutdown, task)
}

/// The status of `GET url` with `key`; owns what it needs, so it can be spawned.
fn status_of(
    client: &reqwest::Client,
    url: String,
    key: &str,
) -> impl std::future::Future<Output = StatusCode> + Send + use<> {
    let request = client.get(url).bearer_auth(key);
    async move { request.send().await.unwrap().status() }
}

#[tokio::test]
async fn a_key_revoked_through_one_instance_is_refused_by_another_at_once() {
    let app = spawn_app().await;
    let (other, _stop, _task) = second_instance(&app, |_| {}).await;
    let session = app.user_session("ops@example.com").await;
    let (secret, id) = app.create_api_key(&session).await;
    let on_other = |key: String| {
        let url = format!("{other}/graphql");
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .bearer_auth(key)
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // The other instance has verified (and cached, for 5 s) the key.
    assert_eq!(on_other(secret.clone()).await, StatusCode::OK);
    let revoked = app
        .gql_as(
            Some(&session),
            "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked.body["data"]["revokeApiKey"]["revokedAt"].is_string());
    let started = Instant::now();
    while on_other(secret.clone()).await != StatusCode::UNAUTHORIZED {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the other instance still accepts a revoked key"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_stopping_instance_finishes_requests_in_flight_then_refuses_new_ones() {
    let app = spawn_app().await;
    let (other, stop, task) = second_instance(&app, |_| {}).await;
    let contacts: Vec<_> = (0..1000)
        .map(|i| json!({ "email": format!("batch{i}@example.com") }))
        .collect();
    let client = app.client.clone();
    let key = app.api_key.clone();
    let url = format!("{other}/v1/contacts/batch");
    let request = tokio::spawn(async move {
        client
            .post(url)
            .bearer_auth(key)
            .json(&json!({ "contacts": contacts }))
            .send()
            .await
    });
    // Stop while the import runs.
    tokio::time::sleep(Duration::from_millis(30)).await;
    stop.trigger();
    let answer = request.await.unwrap();
    let total = app.get("/v1/contacts").await.body["meta"]["total"]
        .as_u64()
        .unwrap();
    match answer {
        // It completed: all of it is there.
        Ok(r) => {
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(total, 1000);
        }
        // It never started: nothing is there.
        Err(_) => assert_eq!(total, 0),
    }
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the instance stops")
        .unwrap();
    assert!(
        app.client
            .get(format!("{other}/healthz"))
            .send()
            .await
            .is_err(),
        "a stopped instance accepts nothing"
    );
}

#[tokio::test]
async fn ready_and_metrics_endpoints() {
    let app = spawn_app_with(|c| c.metrics_token = Some(Secret::new("scrape-me"))).await;
    let ready = app.request_as(None, Method::GET, "/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ready");
    app.get("/v1/contacts").await;
    app.get("/v1/contacts/cnt_nope").await;
    let refused = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth("scrape-me")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        r#"fluenzr_http_request_duration_seconds_count{method="GET",route="/v1/contacts",status="200"}"#,
        r#"fluenzr_http_request_duration_seconds_count{method="GET",route="/v1/contacts/{id}",status="404"}"#,
        "fluenzr_outbox_depth",
        "fluenzr_outbox_age_seconds",
        "fluenzr_emails_due_unsent",
        "fluenzr_rate_limited_requests_total",
        "fluenzr_worker_claim_duration_seconds",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[tokio::test]
async fn the_workspace_budget_is_one_across_instances() {
    let app = spawn_app_with(|c| c.rate_limit_per_minute = 6).await;
    let (other, _stop, _task) = second_instance(&app, |c| c.rate_limit_per_minute = 6).await;
    let mut statuses = Vec::new();
    for i in 0..7 {
        let base = if i % 2 == 0 { &app.base } else { &other };
        let status = status_of(&app.client, format!("{base}/v1/contacts"), &app.api_key).await;
        statuses.push(status.as_u16());
    }
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        // PostgreSQL: one budget for both instances.
        assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429]);
    } else {
        // SQLite runs as one process: each instance here counts its own.
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    }
}

#[tokio::test]
async fn a_shared_budget_holds_under_concurrent_load_and_its_row_stays_small() {
    let limit = 240;
    // The burst below opens hundreds of connections from this one address: no per-address cap.
    let configure = |c: &mut Config| {
        c.rate_limit_per_minute = limit;
        c.http.max_connections_per_address = 0;
    };
    let app = spawn_app_with(configure).await;
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty());
    // SQLite runs as one process (each instance would count its own): one instance there.
    let (other, _instance) = if postgres {
        let (base, stop, task) = second_instance(&app, configure).await;
        (base, Some((stop, task)))
    } else {
        (app.base.clone(), None)
    };
    let get = |base: &str, key: &str| {
        let status = status_of(&app.client, format!("{base}/v1/contacts?perPage=1"), key);
        async move { status.await.as_u16() }
    };
    // One after another over both instances: every request of the budget passes (grants grow
    // under load but shrink to single requests near the limit), the next is refused on each.
    let mut passed = 0;
    for i in 0..limit {
        let base = if i % 2 == 0 { &app.base } else { &other };
        passed += u32::from(get(base, &app.api_key).await == 200);
    }
    assert_eq!(passed, limit);
    assert_eq!(get(&app.base, &app.api_key).await, 429);
    assert_eq!(get(&other, &app.api_key).await, 429);

    // A concurrent burst on a fresh budget never admits more than the limit.
    let (_, key) = app
        .new_workspace("Burst", api::service::workspaces::Plan::Pro)
        .await;
    let burst: Vec<_> = (0..(limit + 60))
        .map(|i| {
            let base = if i % 2 == 0 { &app.base } else { &other };
            tokio::spawn(get(base, &key))
        })
        .collect();
    let mut admitted = 0;
    for task in burst {
        admitted += u32::from(task.await.unwrap() == 200);
    }
    assert!(admitted <= limit, "{admitted} admitted, limit {limit}");
    assert!(admitted >= limit / 2, "only {admitted} admitted");

    if postgres {
        // Counts per second, not one entry per request: the row is at most 61 numbers.
        use sea_orm::{ConnectionTrait, Statement};
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                format!(
                    "SELECT cardinality(counts)::bigint AS n, \
                     (SELECT sum(c) FROM unnest(counts) c)::bigint AS total \
                     FROM rate_limits WHERE key = '{}'",
                    app.workspace_id
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        let n: i64 = row.try_get("", "n").unwrap();
        let total: i64 = row.try_get("", "total").unwrap();
        assert!(n <= 61, "{n} numbers kept");
        assert_eq!(
            total,
            i64::from(limit),
            "every admitted request counted once"
        );
    }
}

#[tokio::test]
async fn a_changed_plan_applies_on_every_instance_at_once() {
    let app = spawn_app().await;
    let (other, _stop, _task) = second_instance(&app, |_| {}).await;
    let on_other = || status_of(&app.client, format!("{other}/v1/contacts"), &app.api_key);
    // Verified, and cached for 5 s, on the other instance.
    assert_eq!(on_other().await, StatusCode::OK);
    api::service::workspaces::set_plan(
        &app.db,
        &app.workspace_id,
        api::service::workspaces::Plan::Free,
    )
    .await
    .unwrap();
    let started = Instant::now();
    while on_other().await != StatusCode::FORBIDDEN {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the other instance still applies the old plan"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// LISTEN/NOTIFY is PostgreSQL's; SQLite signals stay in the process.
#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL)"]
async fn on_postgres_signals_survive_a_dropped_listener_connection() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    crate::helpers::require_postgres(&app);
    let (other, _stop, _task) = second_instance(&app, |_| {}).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Cut every listening connection, as a database restart or a network drop would.
    app.db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE pid <> pg_backend_pid() AND datname = current_database() \
             AND query ILIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // A key revoked after the drop is still refused on the other instance at once.
    let session = app.user_session("ops@example.com").await;
    let (secret, id) = app.create_api_key(&session).await;
    let on_other = || status_of(&app.client, format!("{other}/v1/contacts"), &secret);
    assert_eq!(on_other().await, StatusCode::OK);
    app.gql_as(
        Some(&session),
        "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
        json!({ "id": id }),
    )
    .await;
    let started = Instant::now();
    while on_other().await != StatusCode::UNAUTHORIZED {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the listener did not come back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
