//! The input gate and the weighing of introspection: what no request may carry (a NUL
//! character, a key or parameter given twice), REST type errors in REST words, `__typename`
//! validated like any field, and introspection that costs what it answers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, gql_code, id_of, spawn_app};

/// The query GraphiQL sends (graphql-js' `getIntrospectionQuery` with descriptions, the schema
/// description, `specifiedByURL`, repeatable directives and deprecated input values).
const GRAPHIQL_INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives {
      name description isRepeatable locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) {
    name description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

/// A body sent as is (duplicate keys and all) to `path`, with the app's key.
async fn send_raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let response = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(&app.api_key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

/// The aliased attack: `n` copies of `selection`, each under its own alias.
fn aliased(n: usize, selection: &str) -> String {
    let mut query = String::from("{ ");
    for i in 0..n {
        query.push_str(&format!("a{i}: {selection} "));
    }
    query.push('}');
    query
}

fn assert_introspection_refused(r: &Reply) {
    assert!(r.body["data"].is_null(), "nothing is answered: {}", r.body);
    assert_eq!(gql_code(r), "BAD_REQUEST", "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["details"]["budget"], 12_000,
        "{}",
        r.body
    );
}

#[tokio::test]
async fn aliased_introspection_is_weighed_by_what_it_answers_and_refused_at_once() {
    let app = spawn_app().await;
    // 995 aliases (44 KB): each answers ≈ 480 values; together ≈ 1 s of CPU and 220 MB when run.
    let attack = aliased(995, "__schema { types { fields { name } } }");
    assert!(attack.len() > 40_000);
    let started = std::time::Instant::now();
    let r = app.gql_as(None, &attack, json!({})).await;
    let took = started.elapsed();
    assert_introspection_refused(&r);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("introspection"),
        "{}",
        r.body
    );
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");

    // Beside a data field (the data schema runs it), with or without a key.
    let mixed = aliased(400, "__schema { types { fields { name } } }").replacen(
        "{ ",
        "{ contacts { items { id } } ",
        1,
    );
    for token in [None, Some(app.api_key.as_str())] {
        let r = app.gql_as(token, &mixed, json!({})).await;
        assert_introspection_refused(&r);
    }
    // `__type` lookups weigh what the type holds.
    let r = app
        .gql_as(
            None,
            &aliased(
                300,
                r#"__type(name: "Campaign") { fields { name args { name } type { name } } }"#,
            ),
            json!({}),
        )
        .await;
    assert_introspection_refused(&r);
    // A fragment hides nothing.
    let r = app
        .gql_as(
            None,
            &format!(
                "{} fragment T on __Type {{ fields {{ name type {{ name }} }} }}",
                aliased(200, "__schema { types { ...T } }")
            ),
            json!({}),
        )
        .await;
    assert_introspection_refused(&r);
    // A few aliases of a small selection still answer.
    let r = app
        .gql_as(
            None,
            &aliased(20, "__schema { queryType { name } }"),
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["a19"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn the_standard_introspection_query_answers_as_the_schema_does_from_a_kept_answer() {
    let app = spawn_app().await;
    let expected = async_graphql::Schema::build(
        api::graphql::Query::default(),
        api::graphql::Mutation::default(),
        async_graphql::EmptySubscription,
    )
    .finish()
    .execute(GRAPHIQL_INTROSPECTION)
    .await;
    assert!(expected.errors.is_empty(), "{:?}", expected.errors);
    let expected = serde_json::to_value(&expected).unwrap();

    let first = app.gql_as(None, GRAPHIQL_INTROSPECTION, json!({})).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body["errors"].is_null(), "{}", first.body);
    assert_eq!(first.body, expected, "the same answer as the schema's own");
    // Again (kept), with a key, and with an operation name: the same answer.
    let again = app
        .gql_as(Some(&app.api_key), GRAPHIQL_INTROSPECTION, json!({}))
        .await;
    assert_eq!(again.body, expected);
    let named = app
        .request_as(
            None,
            Method::POST,
            "/graphql",
            Some(json!({ "query": GRAPHIQL_INTROSPECTION, "operationName": "IntrospectionQuery" })),
        )
        .await;
    assert_eq!(named.body, expected);
    assert_eq!(
        first.header("content-type"),
        Some("application/json"),
        "a kept answer is JSON like any other"
    );
}

#[tokio::test]
async fn type_lookups_still_answer() {
    let app = spawn_app().await;
    let r = app
        .gql_as(
            None,
            r#"{ __type(name: "Contact") { name kind fields { name type { kind name ofType { name } } } } }"#,
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["__type"]["name"], "Contact");
    let fields = r.body["data"]["__type"]["fields"].as_array().unwrap();
    assert!(fields.iter().any(|f| f["name"] == "email"));

    let r = app
        .gql_as(
            None,
            "query($n: String!) { __type(name: $n) { name enumValues { name } } }",
            json!({ "n": "ContactStatus" }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let values: Vec<&str> = r.body["data"]["__type"]["enumValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["active", "unsubscribed", "bounced"]);
    let r = app
        .gql_as(None, r#"{ __type(name: "Nothing") { name } }"#, json!({}))
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert!(r.body["data"]["__type"].is_null());
}

#[tokio::test]
async fn typename_is_validated_like_any_other_field() {
    let app = spawn_app().await;
    // An unknown directive on a data field: the error `__typename` must give as well.
    let data = app
        .gql("{ contacts @foo { pageInfo { total } } }", json!({}))
        .await;
    assert!(data.body["data"].is_null(), "{}", data.body);
    assert_eq!(
        data.body["errors"][0]["message"],
        "Unknown directive \"foo\""
    );
    for (query, message) in [
        ("{ __typename @foo }", "Unknown directive \"foo\""),
        (
            "{ contacts { items { __typename @foo } } }",
            "Unknown directive \"foo\"",
        ),
        (
            "{ __typename(x: 1) }",
            "Unknown argument \"x\" on field \"__typename\".",
        ),
        (
            "{ __typename @skip(if: \"no\") }",
            "Invalid value for argument \"if\", expected type \"Boolean\"",
        ),
    ] {
        for token in [None, Some(app.api_key.as_str())] {
            let r = app.gql_as(token, query, json!({})).await;
            assert!(r.body["data"].is_null(), "{query}: {}", r.body);
            assert_eq!(r.body["errors"][0]["message"], message, "{query}");
            assert_eq!(gql_code(&r), "BAD_REQUEST", "{query}");
        }
    }
    // Valid directives still work.
    let r = app
        .gql_as(
            None,
            "{ a: __typename @skip(if: true) b: __typename @include(if: true) }",
            json!({}),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"], json!({ "b": "Query" }));
}

fn assert_nul_refused(r: &Reply, field: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
    assert_eq!(r.error_code(), "VALIDATION_ERROR", "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], field, "{}", r.body);
    assert!(r.body["error"]["details"]["requestId"].is_string());
}

fn assert_gql_nul_refused(r: &Reply, field: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
    assert_eq!(gql_code(r), "VALIDATION_ERROR", "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["extensions"]["classification"], "BAD_USER_INPUT",
        "{}",
        r.body
    );
    assert_eq!(
        r.body["errors"][0]["extensions"]["details"]["field"], field,
        "{}",
        r.body
    );
}

/// On SQLite a NUL matched nothing (an empty 200); on PostgreSQL it was an internal error.
#[tokio::test]
async fn a_nul_character_is_a_400_wherever_it_comes_in() {
    let app = spawn_app().await;
    let contact = app.contact(json!({ "email": "ana@example.com" })).await;
    let id = id_of(&contact);

    // REST: a path segment, a filter, a JSON body (a value, deep inside), a key.
    assert_nul_refused(&app.get("/v1/contacts/cnt_%00").await, "id");
    assert_nul_refused(&app.get(&format!("/v1/contacts/{id}%00")).await, "id");
    assert_nul_refused(&app.get("/v1/contacts?email=ana%00").await, "email");
    assert_nul_refused(&app.get("/v1/groups?name=%00").await, "name");
    assert_nul_refused(
        &app.put(
            &format!("/v1/contacts/{id}"),
            json!({ "customFields": { "plan": "pro\u{0}" } }),
        )
        .await,
        "customFields.plan",
    );
    assert_nul_refused(
        &app.post(
            "/v1/groups",
            json!({ "name": "G", "description": "a\u{0}b" }),
        )
        .await,
        "description",
    );
    assert_nul_refused(
        &app.put(
            &format!("/v1/contacts/{id}"),
            json!({ "customFields": { "pl\u{0}an": "pro" } }),
        )
        .await,
        "customFields",
    );

    // GraphQL: a variable, a literal.
    let r = app
        .gql(
            "query($e: String) { contacts(filter: { email: $e }) { items { id } } }",
            json!({ "e": "ana\u{0}" }),
        )
        .await;
    assert_gql_nul_refused(&r, "variables.e");
    let r = app
        .gql(
            r#"{ contacts(filter: { email: "ana\u0000" }) { items { id } } }"#,
            json!({}),
        )
        .await;
    assert_gql_nul_refused(&r, "filter.email");
    let r = app
        .gql(
            r#"mutation { createGroup(input: { name: "G\u0000" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_gql_nul_refused(&r, "input.name");

    // A CSV cell (through REST and through GraphQL).
    let r = send_raw(
        &app,
        Method::POST,
        "/v1/contacts/import",
        "text/csv",
        b"email,firstName\nbo@example.com,B\0o\n".to_vec(),
    )
    .await;
    assert_nul_refused(&r, "csv");
    assert_eq!(r.body["error"]["details"]["line"], 2, "{}", r.body);
    let r = app
        .gql(
            "mutation($csv: String!) { importContacts(csv: $csv) { id } }",
            json!({ "csv": "email\nbo@example.com" }),
        )
        .await;
    assert!(
        r.body["errors"].is_null(),
        "a clean CSV imports: {}",
        r.body
    );

    // Nothing changed, and a clean request still answers.
    let r = app.get(&format!("/v1/contacts/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.data()["customFields"], json!({}));
    let r = app.get("/v1/groups").await;
    assert_eq!(r.body["meta"]["total"], 0, "{}", r.body);
    let r = app.get("/v1/contacts?email=ana").await;
    assert_eq!(r.body["meta"]["total"], 1, "{}", r.body);
}

#[tokio::test]
async fn a_parameter_or_key_given_twice_is_refused_and_named() {
    let app = spawn_app().await;
    let r = app.get("/v1/contacts?status=active&status=bounced").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.error_code(), "BAD_REQUEST");
    assert_eq!(r.body["error"]["details"]["field"], "status");
    let r = app.get("/v1/contacts?perPage=5&page=1&perPage=100").await;
    assert_eq!(r.body["error"]["details"]["field"], "perPage", "{}", r.body);

    let r = send_raw(
        &app,
        Method::POST,
        "/v1/contacts",
        "application/json",
        br#"{"email":"a@example.com","email":"b@example.com"}"#.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.error_code(), "BAD_REQUEST");
    assert_eq!(r.body["error"]["details"]["field"], "email");
    let r = send_raw(
        &app,
        Method::POST,
        "/v1/contacts/batch",
        "application/json",
        br#"{"contacts":[{"email":"a@example.com"},{"email":"b@example.com","company":"A","company":"B"}]}"#
            .to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "contacts.1.company");
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 0);
    // Inside a JSON query parameter (an import's column mapping).
    let r = send_raw(
        &app,
        Method::POST,
        "/v1/contacts/import?mapping=%7B%22Mail%22%3A%22email%22%2C%22Mail%22%3A%22ignore%22%7D",
        "text/csv",
        b"Mail\na@example.com\n".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "mapping.Mail");

    // The GraphQL body: a top-level key, a variable.
    for (body, field) in [
        (
            r#"{"query":"{ __typename }","query":"{ contacts { items { id } } }"}"#,
            "query",
        ),
        (
            r#"{"query":"query($e: String) { contacts(filter: { email: $e }) { items { id } } }","variables":{"e":"a","e":"b"}}"#,
            "variables.e",
        ),
    ] {
        let r = send_raw(
            &app,
            Method::POST,
            "/graphql",
            "application/json",
            body.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(gql_code(&r), "BAD_REQUEST");
        assert_eq!(r.body["errors"][0]["extensions"]["details"]["field"], field);
    }
    // The same key in two objects is not a repeat.
    let r = send_raw(
        &app,
        Method::POST,
        "/v1/contacts/batch",
        "application/json",
        br#"{"contacts":[{"email":"a@example.com"},{"email":"b@example.com"}]}"#.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn rest_type_errors_speak_rest() {
    let app = spawn_app().await;
    let check = |r: Reply, field: &str, message: &str| {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], field, "{}", r.body);
        assert_eq!(r.body["error"]["message"], message, "{}", r.body);
        assert!(
            !r.body.to_string().contains("argument"),
            "no GraphQL words: {}",
            r.body
        );
        r
    };
    let contact = |body: Value| app.post("/v1/contacts", body);
    let r = check(
        contact(json!({ "email": "a@example.com", "firstName": 5 })).await,
        "firstName",
        "firstName must be a string",
    );
    assert_eq!(
        r.error_code(),
        "BAD_REQUEST",
        "a wrong type, as the contract says"
    );
    check(
        contact(json!({ "email": "a@example.com", "lastName": ["x"] })).await,
        "lastName",
        "lastName must be a string",
    );
    check(
        contact(json!({ "email": "a@example.com", "groupIds": [5] })).await,
        "groupIds.0",
        "groupIds.0 must be a string",
    );
    let r = check(
        contact(json!({ "email": "a@example.com", "status": "gone" })).await,
        "status",
        "status must be one of: active, unsubscribed, bounced",
    );
    assert_eq!(
        r.body["error"]["details"]["allowed"],
        json!(["active", "unsubscribed", "bounced"])
    );
    check(
        contact(json!({ "email": "a@example.com", "status": 1 })).await,
        "status",
        "status must be one of: active, unsubscribed, bounced",
    );
    let r = check(
        contact(json!({ "email": "a@example.com", "bogus": 1 })).await,
        "bogus",
        "Unknown field 'bogus'",
    );
    assert_eq!(r.error_code(), "BAD_REQUEST");
    // A query parameter is named as the query string names it.
    check(
        app.get("/v1/contacts?status=gone").await,
        "status",
        "status must be one of: active, unsubscribed, bounced",
    );
    // Integers, booleans, objects, nested in lists.
    let campaign = |body: Value| app.post("/v1/campaigns", body);
    let step = json!({ "subject": "Hi", "body": "Hello" });
    check(
        campaign(json!({ "name": "C", "steps": [step, { "subject": "S", "body": "B", "delayDays": "2" }] }))
            .await,
        "steps.1.delayDays",
        "steps.1.delayDays must be a whole number",
    );
    check(
        campaign(json!({ "name": "C", "steps": [step], "dailyLimit": 1.5 })).await,
        "dailyLimit",
        "dailyLimit must be a whole number",
    );
    check(
        campaign(json!({ "name": "C", "steps": [step], "trackOpens": "yes" })).await,
        "trackOpens",
        "trackOpens must be true or false",
    );
    check(
        campaign(json!({ "name": "C", "steps": [step], "schedule": "weekdays" })).await,
        "schedule",
        "schedule must be an object",
    );
    check(
        app.post(
            "/v1/contacts/batch",
            json!({ "contacts": ["a@example.com"] }),
        )
        .await,
        "contacts.0",
        "contacts.0 must be an object",
    );
    // Nothing was written.
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 0);
    assert_eq!(app.get("/v1/campaigns").await.body["meta"]["total"], 0);
}

#[tokio::test]
async fn the_document_states_the_nul_rule_on_every_string_a_request_sends() {
    let app = spawn_app().await;
    let document = app.get("/v1/openapi.json").await.body;
    fn strings(schema: &Value, at: &str, out: &mut Vec<(String, Value)>) {
        match schema {
            Value::Object(map) => {
                let string = match map.get("type") {
                    Some(Value::String(t)) => t == "string",
                    Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                    _ => false,
                };
                if string && !map.contains_key("enum") {
                    out.push((at.to_owned(), schema.clone()));
                }
                for (key, value) in map {
                    strings(value, &format!("{at}/{key}"), out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    strings(item, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (path, methods) in document["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            for part in ["parameters", "requestBody"] {
                strings(
                    &operation[part],
                    &format!("{method} {path} {part}"),
                    &mut found,
                );
            }
        }
    }
    assert!(found.len() > 50, "{}", found.len());
    for (at, schema) in found {
        let pattern = schema["pattern"].as_str().unwrap_or(".*");
        assert!(
            !admits_nul(pattern),
            "{at}: a string whose pattern admits NUL: {schema}"
        );
    }
    assert!(admits_nul("^https://"));
    assert!(admits_nul("\\S"));
    assert!(admits_nul("^[^\\r\\n]*$"));
    assert!(!admits_nul("^[^\\r\\n\\u0000]*$"));
    assert!(!admits_nul("^[A-Za-z0-9.-]+$"));
}

/// Whether a pattern can match a text holding a NUL character: it has a negated class that
/// does not name NUL, or `.`, `\S`, `\W`, `\D` outside a class, or it is unanchored.
fn admits_nul(pattern: &str) -> bool {
    if !(pattern.starts_with('^') && pattern.ends_with('$')) {
        return true;
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if matches!(chars.get(i + 1), Some('S' | 'W' | 'D')) {
                    return true;
                }
                i += 2;
            }
            '.' => return true,
            '[' => {
                let start = i + 1;
                i += 1;
                while i < chars.len() && chars[i] != ']' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                let class: String = chars[start..i.min(chars.len())].iter().collect();
                if class.starts_with('^') && !class.contains("\\u0000") {
                    return true;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}
