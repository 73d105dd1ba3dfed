use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn rate_limit_headers_and_429_across_rest_and_graphql() {
    let app = spawn_app_with(|c| c.rate_limit_per_minute = 4).await;
    // A sliding minute: the fifth request within 60 s of the first is refused, whenever the
    // minute started.
    let r1 = app.get("/v1/contacts").await;
    let r2 = app
        .gql("{ contacts { pageInfo { total } } }", json!({}))
        .await;
    let r3 = app.post("/v1/groups", json!({ "name": "G" })).await;
    let r4 = app.get("/v1/groups").await;
    let r5 = app.get("/v1/contacts").await;
    let g6 = app
        .gql("{ contacts { pageInfo { total } } }", json!({}))
        .await;
    let remaining: Vec<_> = [&r1, &r2, &r3, &r4]
        .iter()
        .map(|r| r.header("x-ratelimit-remaining").unwrap().to_owned())
        .collect();
    assert_eq!(remaining, ["3", "2", "1", "0"]);
    assert_eq!(r1.header("x-ratelimit-limit"), Some("4"));
    let now = chrono::Utc::now().timestamp() as u64;
    let reset: u64 = r5.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!(
        reset >= now && reset <= now + 62,
        "the reset is when the oldest counted request leaves the minute"
    );

    assert_eq!(r5.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r5.error_code(), "RATE_LIMITED");
    let retry: u64 = r5.header("retry-after").unwrap().parse().unwrap();
    // The shared budget (PostgreSQL) counts whole seconds: the oldest may leave up to 61 s on.
    assert!((1..=61).contains(&retry), "{retry}");
    assert!(reset.saturating_sub(now) <= retry + 1);
    assert_eq!(r5.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(g6.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(g6.body["errors"][0]["extensions"]["code"], "RATE_LIMITED");

    // Another workspace has its own budget.
    let (_, other) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let r = app
        .request_as(Some(&other), Method::GET, "/v1/contacts", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("3"));
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let app = spawn_app().await;
    let ok = app.get("/v1/contacts").await;
    let err = app.get("/v1/contacts/cnt_missing").await;
    let health = app.request_as(None, Method::GET, "/healthz", None).await;
    let ids: Vec<&str> = [&ok, &err, &health]
        .iter()
        .map(|r| r.header("request-id").unwrap())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("req_")));
    assert_ne!(ids[0], ids[1]);
    assert_eq!(err.body["error"]["details"]["requestId"], ids[1]);
}

#[tokio::test]
async fn wrong_method_is_405_with_allow_and_unknown_routes_404() {
    let app = spawn_app().await;
    let r = app
        .request_as(
            Some(&app.api_key),
            Method::PATCH,
            "/v1/contacts/cnt_x",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.error_code(), "METHOD_NOT_ALLOWED");
    let allow = r.header("allow").unwrap();
    for m in ["GET", "PUT", "DELETE"] {
        assert!(allow.contains(m), "{allow}");
    }
    let r = app
        .request_as(Some(&app.api_key), Method::DELETE, "/v1/contacts", None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.header("allow").unwrap().contains("POST"));

    let r = app.get("/v1/nothing-here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "NOT_FOUND");
    let r = app.get("/v1/contacts?colour=blue").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "BAD_REQUEST");
    assert!(
        r.body["error"]["details"]["allowed"]
            .as_array()
            .unwrap()
            .contains(&json!("perPage"))
    );
}

#[tokio::test]
async fn oversized_bodies_are_413_and_write_nothing() {
    let app = spawn_app_with(|c| c.max_body_bytes = 2048).await;
    let big = "x".repeat(4096);
    let r = app
        .post(
            "/v1/contacts",
            json!({ "email": "big@example.com", "firstName": big }),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.error_code(), "PAYLOAD_TOO_LARGE");
    let g = app
        .gql("mutation($n: String) { createContact(input: { email: \"big@example.com\", firstName: $n }) { id } }", json!({ "n": big }))
        .await;
    assert_eq!(g.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 0);
}

#[tokio::test]
async fn health_openapi_and_graphiql_are_served() {
    let app = spawn_app().await;
    let health = app.request_as(None, Method::GET, "/healthz", None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");

    let spec = app
        .request_as(None, Method::GET, "/v1/openapi.json", None)
        .await;
    assert_eq!(spec.status, StatusCode::OK);
    assert_eq!(spec.body["openapi"], "3.1.0");
    let paths = spec.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/v1/contacts", "get"),
        ("/v1/contacts", "post"),
        ("/v1/contacts/{id}", "put"),
        ("/v1/contacts/batch", "post"),
        ("/v1/groups/{id}/contacts", "delete"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} missing from OpenAPI"
        );
    }
    assert_eq!(
        paths["/v1/contacts"]["post"]["responses"]["201"]["description"],
        "Create a contact"
    );

    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("cdn") && !html.contains("https://"),
        "the playground must not need the internet"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
    ] {
        assert!(html.contains(&format!("/graphiql/{asset}")));
        let r = app
            .client
            .get(format!("{}/graphiql/{asset}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        assert!(
            r.bytes().await.unwrap().len() > 5000,
            "{asset} is the real bundle"
        );
    }
}

async fn post_with_key(
    app: &crate::helpers::TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: serde_json::Value,
) -> (StatusCode, Option<String>, serde_json::Value) {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, replayed, response.json().await.unwrap())
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_answer() {
    let app = spawn_app().await;
    let key = app.api_key.clone();
    let body = json!({ "email": "once@example.com" });
    let (s1, r1, b1) = post_with_key(&app, &key, "/v1/contacts", "k-1", body.clone()).await;
    assert_eq!(s1, StatusCode::CREATED);
    assert_eq!(r1, None);
    let (s2, r2, b2) = post_with_key(&app, &key, "/v1/contacts", "k-1", body.clone()).await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(r2.as_deref(), Some("true"));
    assert_eq!(b1, b2, "the replay is the first answer, same id");
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 1);

    let (s3, _, b3) = post_with_key(
        &app,
        &key,
        "/v1/contacts",
        "k-1",
        json!({ "email": "other@example.com" }),
    )
    .await;
    assert_eq!(s3, StatusCode::BAD_REQUEST);
    assert_eq!(b3["error"]["code"], "BAD_REQUEST");
    let (s4, _, b4) =
        post_with_key(&app, &key, "/v1/contacts", &"k".repeat(256), body.clone()).await;
    assert_eq!(s4, StatusCode::BAD_REQUEST);
    assert_eq!(b4["error"]["code"], "VALIDATION_ERROR");

    // Errors are answers too: the replay of a refused request is the same refusal.
    let (s5, _, _) = post_with_key(
        &app,
        &key,
        "/v1/contacts",
        "k-2",
        json!({ "firstName": "x" }),
    )
    .await;
    let (s6, r6, b6) = post_with_key(
        &app,
        &key,
        "/v1/contacts",
        "k-2",
        json!({ "firstName": "x" }),
    )
    .await;
    assert_eq!((s5, s6), (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST));
    assert_eq!(r6.as_deref(), Some("true"));
    assert_eq!(b6["error"]["code"], "VALIDATION_ERROR");

    // Keys are per workspace.
    let (_, other) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let (s7, r7, b7) = post_with_key(&app, &other, "/v1/contacts", "k-1", body.clone()).await;
    assert_eq!(s7, StatusCode::CREATED);
    assert_eq!(r7, None);
    assert_ne!(b7["data"]["id"], b1["data"]["id"]);

    // GraphQL writes honour the header as well.
    let mutation = json!({ "query": "mutation { createGroup(input: { name: \"Once\" }) { id } }" });
    let (_, _, g1) = post_with_key(&app, &key, "/graphql", "g-1", mutation.clone()).await;
    let (_, gr, g2) = post_with_key(&app, &key, "/graphql", "g-1", mutation).await;
    assert_eq!(gr.as_deref(), Some("true"));
    assert_eq!(g1, g2);
    assert_eq!(app.get("/v1/groups").await.body["meta"]["total"], 1);
}

#[tokio::test]
async fn internal_failures_are_500_and_leak_nothing() {
    let app = spawn_app().await;
    app.db.close_by_ref().await.unwrap();
    let r = app.get("/v1/contacts").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.error_code(), "INTERNAL_ERROR");
    assert_eq!(r.body["error"]["message"], "Internal server error");
    let text = r.body.to_string().to_lowercase();
    for leak in ["sqlx", "pool", "sql", "database"] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    let g = app
        .gql_as(
            None,
            "mutation { login(email: \"a@b.co\", password: \"12345678\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(g.body["errors"][0]["extensions"]["code"], "INTERNAL_ERROR");
    assert_eq!(g.body["errors"][0]["message"], "Internal server error");
    let health = app.request_as(None, Method::GET, "/healthz", None).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL)"]
async fn on_postgres_connections_reuse_generic_plans() {
    let app = spawn_app().await;
    crate::helpers::require_postgres(&app);
    let backend = app.db.get_database_backend();
    use sea_orm::{ConnectionTrait, Statement};
    // Every pooled connection, not only the first one, carries the setting.
    let checks = (0..4).map(|_| {
        app.db
            .query_one_raw(Statement::from_string(backend, "SHOW plan_cache_mode"))
    });
    for row in futures_util::future::join_all(checks).await {
        let mode: String = row
            .unwrap()
            .unwrap()
            .try_get("", "plan_cache_mode")
            .unwrap();
        assert_eq!(mode, "force_generic_plan");
    }
}
