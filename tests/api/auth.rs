use api::auth::{AUDIENCE, ISSUER};
use api::service::workspaces::Plan;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, TestApp, gql_code, id_of, spawn_app, spawn_counting_app_with};

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { token expiresAt user { id email } workspace { id plan } } }";

async fn sign_up(app: &TestApp, email: &str) -> (String, String, String) {
    let reply = app
        .gql_as(None, SIGN_UP, json!({ "input": { "email": email, "password": "correct horse battery", "workspaceName": "Mine" } }))
        .await;
    let payload = &reply.body["data"]["signUp"];
    assert!(payload["token"].is_string(), "{}", reply.body);
    (
        payload["token"].as_str().unwrap().to_owned(),
        payload["user"]["id"].as_str().unwrap().to_owned(),
        payload["workspace"]["id"].as_str().unwrap().to_owned(),
    )
}

fn token(claims: Value, alg: Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn claims(user: &str, workspace: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({ "sub": user, "wsp": workspace, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600 })
}

#[tokio::test]
async fn missing_or_malformed_credentials_are_401() {
    let app = spawn_app().await;
    let r = app
        .request_as(None, Method::GET, "/v1/contacts", None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "UNAUTHENTICATED");
    assert!(
        r.header("x-ratelimit-limit").is_none(),
        "anonymous requests are not counted"
    );
    for bad in ["fz_live_doesnotexist", "garbage.token.here", ""] {
        let r = app
            .request_as(Some(bad), Method::GET, "/v1/contacts", None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad:?}");
        assert_eq!(r.error_code(), "UNAUTHENTICATED");
    }
    let raw = app
        .client
        .get(format!("{}/v1/contacts", app.base))
        .header("authorization", format!("Basic {}", app.api_key))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNAUTHORIZED);
    let gql = app
        .gql_as(
            Some("fz_live_nope"),
            "{ contacts { pageInfo { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(gql.status, StatusCode::UNAUTHORIZED);
    assert_eq!(gql_code(&gql), "UNAUTHENTICATED");
    let anonymous = app
        .gql_as(None, "{ contacts { pageInfo { total } } }", json!({}))
        .await;
    assert_eq!(gql_code(&anonymous), "UNAUTHENTICATED");
    assert_eq!(anonymous.body["data"], Value::Null);
}

#[tokio::test]
async fn api_keys_need_the_pro_plan() {
    let app = spawn_app().await;
    for plan in [Plan::Free, Plan::Starter] {
        let (_, key) = app.new_workspace("Small", plan).await;
        let r = app
            .request_as(Some(&key), Method::GET, "/v1/contacts", None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.error_code(), "PLAN_REQUIRED");
        let g = app
            .gql_as(Some(&key), "{ contacts { pageInfo { total } } }", json!({}))
            .await;
        assert_eq!(g.status, StatusCode::FORBIDDEN);
        assert_eq!(gql_code(&g), "PLAN_REQUIRED");
    }
}

#[tokio::test]
async fn sessions_work_on_any_plan_and_manage_keys() {
    let app = spawn_app().await;
    let (session, _, workspace) = sign_up(&app, "Owner@Example.com").await;
    // A free workspace: sessions work, its API keys do not.
    let r = app
        .request_as(
            Some(&session),
            Method::POST,
            "/v1/contacts",
            Some(json!({ "email": "lead@example.com" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let viewer = app
        .gql_as(
            Some(&session),
            "{ viewer { authenticatedWith workspace { id plan } user { email } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer.body["data"]["viewer"],
        json!({ "authenticatedWith": "session", "workspace": { "id": workspace, "plan": "free" }, "user": { "email": "owner@example.com" } })
    );

    let created = app.gql_as(Some(&session), "mutation { createApiKey(name: \"CI\") { secret apiKey { id name prefix revokedAt } } }", json!({})).await;
    let key = created.body["data"]["createApiKey"].clone();
    let secret = key["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("fz_live_"));
    assert!(secret.starts_with(key["apiKey"]["prefix"].as_str().unwrap()));
    let r = app
        .request_as(Some(&secret), Method::GET, "/v1/contacts", None)
        .await;
    assert_eq!(r.error_code(), "PLAN_REQUIRED");

    let listed = app
        .gql_as(Some(&session), "{ apiKeys { id prefix } }", json!({}))
        .await;
    assert_eq!(listed.body["data"]["apiKeys"].as_array().unwrap().len(), 1);
    assert!(
        !listed.body.to_string().contains(&secret),
        "the secret is never shown again"
    );

    // API keys cannot manage keys.
    let by_key = app
        .gql(
            "mutation { createApiKey(name: \"x\") { secret } }",
            json!({}),
        )
        .await;
    assert_eq!(gql_code(&by_key), "FORBIDDEN");
}

#[tokio::test]
async fn revoked_keys_stop_working() {
    let app = spawn_app().await;
    let user = api::service::accounts::create_user(
        &app.db,
        &app.workspace_id,
        "admin@example.com",
        "longenough",
        None,
        app.clock.now(),
    )
    .await
    .unwrap();
    let login = app
        .gql_as(None, "mutation { login(email: \"ADMIN@example.com\", password: \"longenough\") { token user { id } } }", json!({}))
        .await;
    let session = login.body["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(login.body["data"]["login"]["user"]["id"], user.id);
    let (secret, id) = app.create_api_key(&session).await;
    assert_eq!(
        app.request_as(Some(&secret), Method::GET, "/v1/contacts", None)
            .await
            .status,
        StatusCode::OK
    );
    let revoked = app
        .gql_as(
            Some(&session),
            "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked.body["data"]["revokeApiKey"]["revokedAt"].is_string());
    let r = app
        .request_as(Some(&secret), Method::GET, "/v1/contacts", None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/v1/contacts").await.status,
        StatusCode::OK,
        "other keys keep working"
    );
}

#[tokio::test]
async fn login_failures_and_sign_up_validation() {
    let app = spawn_app().await;
    sign_up(&app, "user@example.com").await;
    for (email, password) in [
        ("user@example.com", "wrong password"),
        ("nobody@example.com", "whatever1"),
    ] {
        let r = app
            .gql_as(
                None,
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        assert_eq!(gql_code(&r), "UNAUTHENTICATED");
        assert_eq!(r.body["errors"][0]["message"], "Invalid email or password");
    }
    let dup = app
        .gql_as(
            None,
            SIGN_UP,
            json!({ "input": { "email": "USER@example.com", "password": "long enough" } }),
        )
        .await;
    assert_eq!(gql_code(&dup), "CONFLICT");
    let short = app
        .gql_as(
            None,
            SIGN_UP,
            json!({ "input": { "email": "new@example.com", "password": "short" } }),
        )
        .await;
    assert_eq!(gql_code(&short), "VALIDATION_ERROR");
    let login = app
        .gql_as(
            None,
            "mutation { login(email: \"new@example.com\", password: \"short\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(
        gql_code(&login),
        "UNAUTHENTICATED",
        "the refused sign-up created nothing"
    );
}

#[tokio::test]
async fn forged_or_stale_session_tokens_are_rejected() {
    let app = spawn_app().await;
    let (good, user, workspace) = sign_up(&app, "jwt@example.com").await;
    assert_eq!(
        app.request_as(Some(&good), Method::GET, "/v1/contacts", None)
            .await
            .status,
        StatusCode::OK
    );
    let crafted = token(claims(&user, &workspace), Algorithm::HS256, JWT_SECRET);
    assert_eq!(
        app.request_as(Some(&crafted), Method::GET, "/v1/contacts", None)
            .await
            .status,
        StatusCode::OK
    );

    let mut expired = claims(&user, &workspace);
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 5);
    let mut wrong_aud = claims(&user, &workspace);
    wrong_aud["aud"] = json!("someone-else");
    let mut wrong_iss = claims(&user, &workspace);
    wrong_iss["iss"] = json!("evil");
    let mut no_exp = claims(&user, &workspace);
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut other_workspace = claims(&user, &workspace);
    other_workspace["wsp"] = json!(app.workspace_id);

    let header_none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    let body = good.split('.').nth(1).unwrap();
    let alg_none = format!("{header_none}.{body}.");
    let mut tampered = good.clone();
    tampered.pop();
    tampered.push(if good.ends_with('A') { 'B' } else { 'A' });

    let cases = [
        ("expired", token(expired, Algorithm::HS256, JWT_SECRET)),
        ("wrong aud", token(wrong_aud, Algorithm::HS256, JWT_SECRET)),
        ("wrong iss", token(wrong_iss, Algorithm::HS256, JWT_SECRET)),
        ("no exp", token(no_exp, Algorithm::HS256, JWT_SECRET)),
        (
            "HS384",
            token(claims(&user, &workspace), Algorithm::HS384, JWT_SECRET),
        ),
        (
            "HS512",
            token(claims(&user, &workspace), Algorithm::HS512, JWT_SECRET),
        ),
        (
            "wrong secret",
            token(
                claims(&user, &workspace),
                Algorithm::HS256,
                "another-secret",
            ),
        ),
        (
            "user of another workspace",
            token(other_workspace, Algorithm::HS256, JWT_SECRET),
        ),
        ("alg none", alg_none),
        ("tampered", tampered),
    ];
    for (name, bad) in cases {
        let r = app
            .request_as(Some(&bad), Method::GET, "/v1/contacts", None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(r.error_code(), "UNAUTHENTICATED", "{name}");
        let g = app
            .gql_as(Some(&bad), "{ viewer { workspace { id } } }", json!({}))
            .await;
        assert_eq!(g.status, StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[tokio::test]
async fn workspaces_never_see_each_other() {
    let app = spawn_app().await;
    let group = app.group("Private").await;
    let contact = app
        .contact(json!({ "email": "secret@example.com", "groupIds": [group["id"]] }))
        .await;
    let (cid, gid) = (id_of(&contact), id_of(&group));
    let (_, other) = app.new_workspace("Other", Plan::Pro).await;
    let other_group = app
        .request_as(
            Some(&other),
            Method::POST,
            "/v1/groups",
            Some(json!({ "name": "Mine" })),
        )
        .await
        .data()
        .clone();
    let ogid = id_of(&other_group);

    let as_other = |method: Method, path: String, body: Option<Value>| {
        let app = &app;
        let other = other.clone();
        async move { app.request_as(Some(&other), method, &path, body).await }
    };
    for (method, path, body) in [
        (Method::GET, format!("/v1/contacts/{cid}"), None),
        (
            Method::PUT,
            format!("/v1/contacts/{cid}"),
            Some(json!({ "firstName": "Mallory" })),
        ),
        (Method::DELETE, format!("/v1/contacts/{cid}"), None),
        (Method::GET, format!("/v1/groups/{gid}"), None),
        (
            Method::PUT,
            format!("/v1/groups/{gid}"),
            Some(json!({ "name": "x" })),
        ),
        (Method::DELETE, format!("/v1/groups/{gid}"), None),
        (Method::GET, format!("/v1/groups/{gid}/contacts"), None),
        (
            Method::POST,
            format!("/v1/groups/{gid}/contacts"),
            Some(json!({ "contactIds": [cid] })),
        ),
    ] {
        let r = as_other(method.clone(), path.clone(), body).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            r.body
        );
        assert_eq!(r.error_code(), "NOT_FOUND");
    }
    // Not through references, filters or counts either.
    let r = as_other(
        Method::POST,
        format!("/v1/groups/{ogid}/contacts"),
        Some(json!({ "contactIds": [cid] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["details"]["unknownIds"], json!([cid]));
    let r = as_other(
        Method::POST,
        "/v1/contacts".into(),
        Some(json!({ "email": "m@example.com", "groupIds": [gid] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = as_other(Method::GET, format!("/v1/contacts?group={gid}"), None).await;
    assert_eq!(r.body["meta"]["total"], 0);
    let r = as_other(Method::GET, "/v1/contacts?email=secret".into(), None).await;
    assert_eq!(r.body["meta"]["total"], 0);
    let r = as_other(Method::GET, "/v1/groups".into(), None).await;
    assert_eq!(r.body["meta"]["total"], 1);

    let g = app
        .gql_as(
            Some(&other),
            "query($id: ID!) { contact(id: $id) { email } }",
            json!({ "id": cid }),
        )
        .await;
    assert_eq!(gql_code(&g), "NOT_FOUND");
    let g = app
        .gql_as(
            Some(&other),
            "query($id: ID!) { group(id: $id) { name contactCount } }",
            json!({ "id": gid }),
        )
        .await;
    assert_eq!(gql_code(&g), "NOT_FOUND");

    // The owner's data is untouched.
    let mine = app.get(&format!("/v1/contacts/{cid}")).await;
    assert_eq!(mine.data()["firstName"], Value::Null);
    assert_eq!(
        app.get(&format!("/v1/groups/{gid}")).await.data()["contactCount"],
        1
    );
}

#[tokio::test]
async fn a_verified_key_is_trusted_for_its_cache_period_then_looked_up_again() {
    let ttl = std::time::Duration::from_secs(5);
    let (app, log) = spawn_counting_app_with(|c| {
        c.clock = api::clock::Clock::manual(chrono::Utc::now());
        c.api_key_cache_ttl = ttl;
    })
    .await;
    let key_lookups = |log: &std::sync::Mutex<Vec<String>>| {
        std::mem::take(&mut *log.lock().unwrap())
            .iter()
            .filter(|sql| sql.contains("api_keys"))
            .count()
    };
    assert_eq!(app.get("/v1/contacts").await.status, StatusCode::OK);
    assert!(key_lookups(&log) >= 1, "the first request looks the key up");
    for _ in 0..3 {
        assert_eq!(app.get("/v1/contacts").await.status, StatusCode::OK);
    }
    assert_eq!(
        key_lookups(&log),
        0,
        "later requests trust the verified key"
    );

    // Revoked behind this process's back (as another instance would): trusted until the
    // cache period ends, then refused.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entity::api_key::Entity::update_many()
        .col_expr(
            entity::api_key::Column::RevokedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(entity::api_key::Column::WorkspaceId.eq(&app.workspace_id))
        .exec(&app.db)
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::milliseconds(4_900));
    assert_eq!(
        app.get("/v1/contacts").await.status,
        StatusCode::OK,
        "trusted within the cache period"
    );
    app.clock.advance(chrono::Duration::milliseconds(100));
    let refused = app.get("/v1/contacts").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(refused.error_code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_zero_cache_period_looks_the_key_up_on_every_request() {
    let (app, log) =
        spawn_counting_app_with(|c| c.api_key_cache_ttl = std::time::Duration::ZERO).await;
    app.get("/v1/contacts").await;
    log.lock().unwrap().clear();
    for _ in 0..3 {
        assert_eq!(app.get("/v1/contacts").await.status, StatusCode::OK);
    }
    let lookups = log
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| sql.contains("api_keys"))
        .count();
    assert_eq!(lookups, 3);
}
