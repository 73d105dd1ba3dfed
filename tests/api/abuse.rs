//! The API under abuse: inputs an attacker or a fuzzer sends get a clear 4xx and change nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{gql_code, id_of, spawn_app};

#[tokio::test]
async fn an_overlong_query_is_refused_before_it_is_parsed() {
    let app = spawn_app().await;
    // 6 000 fields: parsing and validating them would cost tens of milliseconds.
    let query = format!("{{ {} }}", "__typename ".repeat(6_000));
    let r = app.gql_as(None, &query, json!({})).await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{}",
        r.body
    );
    assert_eq!(r.body["errors"][0]["extensions"]["details"]["limit"], 5_000);
    // The standard size of a real query passes.
    let query = format!("{{ {} }}", "__typename ".repeat(100));
    let r = app.gql_as(None, &query, json!({})).await;
    assert_eq!(r.body["data"]["__typename"], "Query", "{}", r.body);
}

#[tokio::test]
async fn a_page_past_what_an_offset_can_hold_is_a_400_on_every_list() {
    let app = spawn_app().await;
    let (campaign, _) = app.ready_campaign(1).await;
    let group = app.group("G").await;
    let huge = "9223372036854775807";
    for path in [
        "/v1/contacts".to_owned(),
        "/v1/groups".to_owned(),
        "/v1/campaigns".to_owned(),
        "/v1/email-accounts".to_owned(),
        "/v1/webhooks".to_owned(),
        format!("/v1/groups/{}/contacts", id_of(&group)),
        format!("/v1/campaigns/{}/contacts", id_of(&campaign)),
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = app.get(&format!("{path}{sep}page={huge}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert_eq!(r.error_code(), "VALIDATION_ERROR");
        assert_eq!(r.body["error"]["details"]["field"], "page");
        // The furthest page still answers (empty).
        let r = app.get(&format!("{path}{sep}page=10000000")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn very_long_filters_are_refused_not_a_500() {
    let app = spawn_app().await;
    app.contact(json!({ "email": "a@example.com" })).await;
    let long = "a".repeat(50_000);
    for (path, field) in [
        (format!("/v1/contacts?email={long}"), "email"),
        (format!("/v1/groups?name={long}"), "name"),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "VALIDATION_ERROR");
        assert_eq!(r.body["error"]["details"]["field"], field);
    }
    let r = app
        .gql(
            "query($e: String) { contacts(filter: { email: $e }) { items { id } } }",
            json!({ "e": long }),
        )
        .await;
    assert_eq!(gql_code(&r), "VALIDATION_ERROR");
    // At the limit it is an ordinary filter.
    let r = app
        .get(&format!("/v1/contacts?email={}", "a".repeat(320)))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_missing_required_body_field_is_named_in_the_apis_words() {
    let app = spawn_app().await;
    for body in [json!({}), json!({ "contacts": null })] {
        let r = app.post("/v1/contacts/batch", body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "VALIDATION_ERROR");
        assert_eq!(r.body["error"]["message"], "contacts is required");
        assert_eq!(r.body["error"]["details"]["field"], "contacts");
        assert!(!r.body.to_string().contains("Variable"), "{}", r.body);
    }
}

#[tokio::test]
async fn addresses_and_names_are_checked_for_what_hides_in_them() {
    let app = spawn_app().await;
    let first = app.contact(json!({ "email": "user@münchen.de" })).await;
    assert_eq!(first["email"], "user@münchen.de", "kept as given");
    let r = app
        .post("/v1/contacts", json!({ "email": "USER@xn--mnchen-3ya.de" }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "one address, two spellings: {}",
        r.body
    );

    for email in [
        "a@b",
        "user@localhost",
        "us\u{200B}er@example.com",
        "user\u{0}@example.com",
        "ｕｓｅｒ@example.com",
    ] {
        let r = app.post("/v1/contacts", json!({ "email": email })).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{email:?}: {}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], "email");
    }
    for (field, value) in [
        ("firstName", "Ana\u{0}"),
        ("lastName", "Sil\u{200B}va"),
        ("company", "Acme\u{1b}[31m"),
    ] {
        let r = app
            .post(
                "/v1/contacts",
                json!({ "email": "ok@example.com", field: value }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], field);
    }
    let r = app
        .raw(
            reqwest::Method::POST,
            "/v1/contacts",
            r#"{"email":"big@example.com","customFields":{"n":123456789012345678901234567890}}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "customFields");
    let ok = app
        .raw(
            reqwest::Method::POST,
            "/v1/contacts",
            r#"{"email":"exact@example.com","customFields":{"n":9007199254740991,"x":1.5,"s":"123456789012345678901234567890"}}"#,
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.data()["customFields"]["n"], 9007199254740991_i64);
    assert_eq!(
        ok.data()["customFields"]["s"],
        "123456789012345678901234567890"
    );

    // Nothing of the refused ones was written.
    let all = app.get("/v1/contacts?perPage=100").await;
    assert_eq!(all.body["meta"]["total"], 2);

    let long = format!("https://hooks.example.com/{}", "a".repeat(2100));
    let r = app
        .post("/v1/webhooks", json!({ "url": long, "events": ["*"] }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "url");
}

#[tokio::test]
async fn one_address_policy_guards_webhooks_and_smtp_hosts() {
    let app = spawn_app().await;
    for target in [
        "https://[64:ff9b::7f00:1]/hook",
        "https://[2002:7f00:1::]/hook",
        "https://[::127.0.0.1]/hook",
        "https://198.18.0.1/hook",
        "https://192.0.2.1/hook",
        "https://240.0.0.1/hook",
        "https://169.254.169.254/hook",
    ] {
        let r = app
            .post("/v1/webhooks", json!({ "url": target, "events": ["*"] }))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{target}: {}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], "url");
    }
    // A webhook host that does not resolve now is accepted (DNS may be down; each delivery
    // checks where it resolves); one that resolves to a private address is refused now.
    let r = app
        .post(
            "/v1/webhooks",
            json!({ "url": "https://hooks.no-such-host.invalid/x", "events": ["*"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post(
            "/v1/webhooks",
            json!({ "url": "https://localhost/x", "events": ["*"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for host in [
        "127.0.0.1",
        "169.254.169.254",
        "[::1]",
        "10.0.0.8",
        "::ffff:127.0.0.1",
    ] {
        let r = app
            .post(
                "/v1/email-accounts",
                json!({ "email": "s@acme.test", "smtpHost": host, "smtpPassword": "pw" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{host}: {}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], "smtpHost");
    }
    // A name is accepted at save (DNS may be down then)…
    let account = app
        .post(
            "/v1/email-accounts",
            json!({ "email": "s@acme.test", "smtpHost": "localhost", "smtpPort": 2525, "smtpSecurity": "none", "smtpPassword": "pw" }),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    // …and refused where it resolves, at connect time.
    let r = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(account.data())),
            json!({}),
        )
        .await;
    assert_eq!(r.data()["smtp"]["ok"], false);
    assert_eq!(r.data()["smtp"]["error"], "host_not_allowed", "{}", r.body);
    assert_eq!(r.data()["emailAccount"]["status"], "error");
}

#[tokio::test]
async fn the_sender_never_connects_to_a_private_address_unless_allowed() {
    let clock = api::clock::Clock::manual(
        chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    let app = crate::helpers::spawn_app_with(move |c| c.clock = clock).await;
    let smtp = crate::smtp::SmtpServer::start(None).await;
    let account = app
        .post(
            "/v1/email-accounts",
            json!({ "email": "s@acme.test", "smtpHost": "localhost", "smtpPort": smtp.port(), "smtpSecurity": "none", "smtpPassword": "pw", "sendGapSeconds": 0 }),
        )
        .await;
    let c = app
        .campaign(json!({ "name": "x", "emailAccountId": account.data()["id"], "steps": [{ "subject": "Hi", "body": "Hello" }] }))
        .await;
    let person = app.contact(json!({ "email": "p@example.com" })).await;
    app.post(
        &format!("/v1/campaigns/{}/contacts", id_of(&c)),
        json!({ "contactIds": [person["id"]] }),
    )
    .await;
    app.post(&format!("/v1/campaigns/{}/start", id_of(&c)), json!({}))
        .await;
    assert_eq!(app.sender.run_once().await.unwrap(), 1);
    assert_eq!(smtp.connections(), 0, "no connection was made");
    let acc = app
        .get(&format!("/v1/email-accounts/{}", id_of(account.data())))
        .await;
    assert_eq!(acc.data()["status"], "error");
    assert!(
        acc.data()["lastError"]
            .as_str()
            .unwrap()
            .contains("not a public address")
    );
}

#[tokio::test]
async fn an_idempotency_key_left_by_a_dead_process_is_taken_over_after_its_lease() {
    use entity::idempotency_key;
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let body = json!({ "email": "lease@example.com" });
    let claim = |key: &str, age: i64| idempotency_key::ActiveModel {
        workspace_id: Set(app.workspace_id.clone()),
        key: Set(key.to_owned()),
        request_hash: Set(api::service::idempotency::fingerprint(
            "POST",
            "/v1/contacts",
            body.to_string().as_bytes(),
        )),
        status: Set(None),
        response_body: Set(None),
        created_at: Set(app.clock.now() - chrono::Duration::seconds(age)),
    };
    // A claim a crashed process left two minutes ago, and one a live request holds now.
    claim("abandoned", api::service::idempotency::LEASE_SECONDS + 1)
        .insert(&app.db)
        .await
        .unwrap();
    claim("running", 1).insert(&app.db).await.unwrap();
    let send = |key: &'static str| {
        app.client
            .post(format!("{}/v1/contacts", app.base))
            .bearer_auth(&app.api_key)
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let r = send("running").await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = send("abandoned").await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "the key is usable again");
    let replay = send("abandoned").await.unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
}

/// The query graphql-js' `getIntrospectionQuery()` sends (GraphiQL's docs, code generators).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

#[tokio::test]
async fn the_standard_introspection_query_works_and_an_operator_can_switch_it_off() {
    let app = spawn_app().await;
    for token in [None, Some(app.api_key.as_str())] {
        let r = app.gql_as(token, INTROSPECTION, json!({})).await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
        let types = r.body["data"]["__schema"]["types"].as_array().unwrap();
        assert!(types.iter().any(|t| t["name"] == "Campaign"));
    }
    // Data queries keep their depth limit.
    let deep = "{ groups { items { contacts { items { campaigns { campaign { contacts { items { contact { campaigns { campaign { contacts { items { contact { id } } } } } } } } } } } } } } }";
    let r = app.gql(deep, json!({})).await;
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{}",
        r.body
    );
    // Mixing data into an introspection query does not borrow its depth.
    let mixed = format!(
        "{{ contacts {{ items {{ id }} }} {} }}",
        "__schema { queryType { name } }"
    );
    let r = app.gql(&mixed, json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    let closed = crate::helpers::spawn_app_with(|c| c.graphql_introspection = false).await;
    let r = closed.gql(INTROSPECTION, json!({})).await;
    assert!(
        r.body["data"].is_null() || r.body["errors"].is_array(),
        "{}",
        r.body
    );
    assert!(
        r.body["data"]["__schema"]["types"]
            .as_array()
            .is_none_or(|t| t.is_empty()),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_corrupt_campaign_row_is_an_error_never_a_startable_draft() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app().await;
    let (campaign, _) = app.ready_campaign(1).await;
    let (steps_broken, _) = app.ready_campaign(1).await;
    crate::helpers::drop_check(&app, "campaigns", "status").await;
    let backend = app.db.get_database_backend();
    let set = |sql: &str, id: String| {
        let sql = match backend {
            DbBackend::Postgres => sql.replace('?', "$1"),
            _ => sql.to_owned(),
        };
        Statement::from_sql_and_values(backend, sql, [id.into()])
    };
    app.db
        .execute_raw(set(
            "UPDATE campaigns SET status = 'bogus' WHERE id = ?",
            id_of(&campaign),
        ))
        .await
        .unwrap();
    let steps_sql = match backend {
        DbBackend::Postgres => {
            "UPDATE campaigns SET steps = '{\"not\":\"steps\"}'::jsonb WHERE id = ?"
        }
        _ => "UPDATE campaigns SET steps = '{\"not\":\"steps\"}' WHERE id = ?",
    };
    app.db
        .execute_raw(set(steps_sql, id_of(&steps_broken)))
        .await
        .unwrap();

    let r = app
        .get(&format!("/v1/campaigns/{}", id_of(&campaign)))
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert_eq!(r.error_code(), "INTERNAL_ERROR");
    let r = app
        .post(
            &format!("/v1/campaigns/{}/start", id_of(&campaign)),
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "a corrupt row does not start"
    );
    let r = app
        .post(
            &format!("/v1/campaigns/{}/start", id_of(&steps_broken)),
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "corrupt steps are not 'no steps'"
    );
    assert!(
        !r.body.to_string().contains("corrupt"),
        "no internals leak: {}",
        r.body
    );
}

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { token } }";
const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

#[tokio::test]
async fn guessing_passwords_is_throttled_per_account_and_per_address_but_not_for_long() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.clock = api::clock::Clock::manual(chrono::Utc::now());
        c.login_limits.failures_per_account = 5;
        c.login_limits.account_window = std::time::Duration::from_secs(2);
        c.login_limits.per_address = 1000;
    })
    .await;
    let r = app
        .gql_as(None, SIGN_UP, json!({ "input": { "email": "victim@example.com", "password": "correct horse battery" } }))
        .await;
    assert!(r.body["data"]["signUp"]["token"].is_string(), "{}", r.body);
    for _ in 0..5 {
        let r = app
            .gql_as(
                None,
                LOGIN,
                json!({ "e": "victim@example.com", "p": "wrong" }),
            )
            .await;
        assert_eq!(gql_code(&r), "UNAUTHENTICATED");
    }
    // The sixth guess is refused without checking, the right password too: 429 + Retry-After.
    for password in ["wrong", "correct horse battery"] {
        let r = app
            .gql_as(
                None,
                LOGIN,
                json!({ "e": "Victim@Example.com", "p": password }),
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(gql_code(&r), "RATE_LIMITED");
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=2).contains(&wait));
    }
    // Not for long: once the window has passed, the owner signs in.
    app.clock.advance(chrono::Duration::milliseconds(1900));
    let r = app
        .gql_as(
            None,
            LOGIN,
            json!({ "e": "victim@example.com", "p": "correct horse battery" }),
        )
        .await;
    assert_eq!(gql_code(&r), "RATE_LIMITED", "not before: {}", r.body);
    app.clock.advance(chrono::Duration::milliseconds(100));
    let r = app
        .gql_as(
            None,
            LOGIN,
            json!({ "e": "victim@example.com", "p": "correct horse battery" }),
        )
        .await;
    assert!(r.body["data"]["login"]["token"].is_string(), "{}", r.body);

    let spray = crate::helpers::spawn_app_with(|c| c.login_limits.per_address = 4).await;
    let mut codes = Vec::new();
    for i in 0..6 {
        let r = spray
            .gql_as(
                None,
                LOGIN,
                json!({ "e": format!("u{i}@example.com"), "p": "guess" }),
            )
            .await;
        codes.push(r.status.as_u16());
    }
    assert_eq!(
        codes,
        vec![200, 200, 200, 200, 429, 429],
        "one address, many accounts"
    );
}

#[tokio::test]
async fn slow_header_clients_are_cut_off_and_connections_are_capped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app_with(|c| {
        c.http.header_read_timeout = std::time::Duration::from_millis(400);
        c.http.max_connections = 8;
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let closed_within = |mut stream: tokio::net::TcpStream, limit: u64| async move {
        let mut buf = [0u8; 256];
        let started = std::time::Instant::now();
        let read = tokio::time::timeout(
            std::time::Duration::from_millis(limit),
            stream.read(&mut buf),
        )
        .await;
        (
            matches!(read, Ok(Ok(0)) | Ok(Err(_)) | Ok(Ok(_))),
            started.elapsed(),
        )
    };
    // Partial headers, then silence: the server hangs up after the header deadline.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1")
        .await
        .unwrap();
    let (closed, after) = closed_within(slow, 3000).await;
    assert!(closed, "the slow client was not cut off");
    assert!(after < std::time::Duration::from_millis(2500), "{after:?}");

    // Eight connections hold every slot; the ninth is closed on arrival…
    let mut held = Vec::new();
    for _ in 0..8 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        held.push(s);
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let extra = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (closed, after) = closed_within(extra, 300).await;
    assert!(
        closed && after < std::time::Duration::from_millis(300),
        "{after:?}"
    );
    // …and once the slow ones are cut off, the server answers again.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    drop(held);
}

#[tokio::test]
async fn fragment_fan_out_is_refused_before_any_work_and_anonymous_graphql_is_rate_limited() {
    let app = crate::helpers::spawn_app_with(|c| c.anonymous_rate_per_minute = 5).await;
    let mut query = String::from("fragment F0 on Query { __typename }\n");
    for i in 1..=24 {
        query.push_str(&format!(
            "fragment F{i} on Query {{ ...F{} a: __typename ...F{} }}\n",
            i - 1,
            i - 1
        ));
    }
    query.push_str("query { ...F24 }");
    assert!(query.len() < 2_000);
    let started = std::time::Instant::now();
    let r = app.gql_as(None, &query, json!({})).await;
    assert!(
        started.elapsed() < std::time::Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(gql_code(&r), "BAD_REQUEST");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fragments")
    );
    // A self-referencing fragment is refused too, without expanding it.
    let r = app
        .gql_as(
            None,
            "fragment A on Query { ...A } query { ...A }",
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_array(), "{}", r.body);

    // Five anonymous requests a minute from this address: of twelve more, at least two are
    // refused even if a minute boundary falls among them.
    let mut codes = Vec::new();
    for _ in 0..12 {
        let r = app.gql_as(None, "{ __typename }", json!({})).await;
        codes.push(r.status.as_u16());
    }
    assert_eq!(codes[0], 200);
    assert!(
        codes.iter().filter(|c| **c == 429).count() >= 2,
        "{codes:?}"
    );
    // …while a caller with a key has its workspace's budget.
    let r = app.gql("{ __typename }", json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_query_is_weighed_by_the_page_sizes_that_multiply_it() {
    let app = spawn_app().await;
    let nested = "{ groups(perPage: 100) { items { contacts(perPage: 100) { items { campaigns { campaign { contacts(perPage: 100) { items { state } } } } } } } } }";
    let r = app.gql(nested, json!({})).await;
    assert_eq!(gql_code(&r), "BAD_REQUEST", "{}", r.body);
    let details = &r.body["errors"][0]["extensions"]["details"];
    assert!(details["cost"].as_u64().unwrap() > 1_000_000, "{details}");
    assert_eq!(details["budget"], 25_000);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("costs")
    );
    // A dashboard of 100 campaigns with their stats fits.
    let dashboard = "{ campaigns(perPage: 100) { items { name status emailAccount { email } steps { subject } stats { sent openRate replyRate steps { step sent openRate } } } } }";
    let r = app.gql(dashboard, json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
}
