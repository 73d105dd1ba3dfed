//! Every operation in the OpenAPI document carries an example call and its answer (what `/docs`
//! shows). Sent to a real server in the order a client would make them (creations first,
//! deletions last), every example request succeeds; every example, request and answer, fits the
//! document's own schemas, and so does every real answer.
//!
//! The examples name fixed ids (`cnt_…`, `grp_…`). An id an example answer shows for the first
//! time names the object that call created: the test maps it to the id the server handed out,
//! and sends later examples with their ids mapped so. An example that names an id no earlier
//! example created fails the test.

use std::collections::{BTreeSet, HashMap};

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::helpers::*;
use crate::smtp::SmtpServer;

/// Every operation, in the order the examples build on each other.
const SCENARIO: &[&str] = &[
    // What later examples name.
    "createGroup",
    "createContact",
    "createContacts",
    "importContacts",
    "createEmailAccount",
    "createCampaign",
    "createWebhook",
    "addSuppressions",
    // Reads.
    "listContacts",
    "getContact",
    "getMessage",
    "listInboxThreads",
    "getInboxThread",
    "exportContact",
    "getContactImport",
    "listGroups",
    "getGroup",
    "listGroupContacts",
    "listEmailAccounts",
    "getEmailAccount",
    "listUnmatchedReports",
    "listCampaigns",
    "getCampaign",
    "listCampaignContacts",
    "getCampaignSendingStatus",
    "listUnknownOutcomes",
    "getCampaignStats",
    "listWebhooks",
    "getWebhook",
    "listWebhookDeliveries",
    "listSuppressions",
    "listDomains",
    "getDomain",
    // Changes.
    "updateContact",
    "updateGroup",
    "addGroupContacts",
    "removeGroupContacts",
    "updateEmailAccount",
    "testEmailAccount",
    "markInboxThreadRead",
    "replyToInboxThread",
    "updateCampaign",
    "addCampaignContacts",
    "startCampaign",
    "getContactPlan",
    "previewCampaignEmail",
    "sendCampaignTestEmail",
    "resolveUnknownOutcomes",
    "pauseCampaign",
    "updateWebhook",
    "testWebhook",
    "rotateWebhookSecret",
    "checkDomain",
    "createDkimKey",
    "activateDkimKey",
    // Deletions.
    "deleteDkimKey",
    "deleteSuppression",
    "deleteWebhook",
    "deleteCampaign",
    "deleteEmailAccount",
    "deleteGroup",
    "deleteContact",
];

/// One operation of the document.
struct Operation<'a> {
    method: Method,
    path: &'a str,
    op: &'a Value,
}

/// A fixed example id: a prefix, `_`, and a lower-case ULID.
fn is_example_id(text: &str) -> bool {
    let Some((prefix, rest)) = text.split_once('_') else {
        return false;
    };
    prefix.len() == 3
        && prefix.chars().all(|c| c.is_ascii_lowercase())
        && rest.len() == 26
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

/// The examples' ids, mapped to the server's.
#[derive(Default)]
struct Ids(HashMap<String, String>);

impl Ids {
    /// `value` with every example id replaced by the server's.
    fn resolve(&self, value: &Value, operation: &str) -> Value {
        match value {
            Value::String(text) if is_example_id(text) => {
                Value::String(self.0.get(text).cloned().unwrap_or_else(|| {
                    panic!("{operation}'s example names {text}, which no earlier example created")
                }))
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.resolve(item, operation))
                    .collect(),
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v, operation)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Learns the ids an answer shows for the first time: the objects the call created.
    fn learn(&mut self, example: &Value, real: &Value) {
        match (example, real) {
            (Value::Object(example), Value::Object(real)) => {
                for (key, inner) in example {
                    let Some(real_inner) = real.get(key) else {
                        continue;
                    };
                    if key == "id"
                        && let (Some(id), Some(real_id)) = (inner.as_str(), real_inner.as_str())
                    {
                        self.0
                            .entry(id.to_owned())
                            .or_insert_with(|| real_id.to_owned());
                    } else {
                        self.learn(inner, real_inner);
                    }
                }
            }
            (Value::Array(example), Value::Array(real)) => {
                for (inner, real_inner) in example.iter().zip(real) {
                    self.learn(inner, real_inner);
                }
            }
            _ => {}
        }
    }
}

/// A query-string value.
fn query_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn every_example_request_succeeds_and_every_example_fits_its_schema() {
    // The examples name public hosts; nothing here leaves loopback (webhook URLs are not
    // resolved when private targets are allowed, and the connection test is pointed at a
    // local SMTP server).
    let app = spawn_app_with(|c| c.allow_private_hosts(true)).await;
    let doc = app
        .request_as(None, Method::GET, "/v1/openapi.json", None)
        .await
        .body;
    let mut operations: HashMap<&str, Operation> = HashMap::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let name = op["operationId"].as_str().unwrap();
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            assert!(
                operations
                    .insert(name, Operation { method, path, op })
                    .is_none(),
                "two operations are named {name}"
            );
        }
    }
    let documented: BTreeSet<&str> = operations.keys().copied().collect();
    let scenario: BTreeSet<&str> = SCENARIO.iter().copied().collect();
    assert_eq!(
        scenario.len(),
        SCENARIO.len(),
        "the scenario repeats itself"
    );
    assert_eq!(
        documented, scenario,
        "the scenario runs every documented operation"
    );

    let mut ids = Ids::default();
    let mut smtp = None;
    let mut exercised = 0;
    for &name in SCENARIO {
        let Operation { method, path, op } = &operations[name];
        let mut problems = Vec::new();
        if name == "getMessage" {
            // No example sends an email: the one this example reads is written as a sender
            // would have, to the contact and campaign the earlier examples made.
            let shown = &op["responses"]["200"]["content"]["application/json"]["example"]["data"];
            sent_message(&app, shown, &ids).await;
            let id = shown["id"].as_str().unwrap().to_owned();
            ids.0.insert(id.clone(), id);
        }

        if name == "listInboxThreads" {
            // No example reads a mailbox: the reply the inbox examples show is kept as the
            // mailbox reader would have, in answer to the email `getMessage` reads.
            let shown =
                &op["responses"]["200"]["content"]["application/json"]["example"]["data"][0];
            let thread = shown["id"].as_str().unwrap().to_owned();
            replied_thread(&app, &thread).await;
            ids.0.insert(thread.clone(), thread);
        }

        if name == "activateDkimKey" {
            // No example publishes DNS records: the key is marked found, as a check that
            // found it would.
            use sea_orm::{ActiveModelTrait, EntityTrait, Set};
            let key = entity::dkim_key::Entity::find()
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            entity::dkim_key::ActiveModel {
                id: Set(key.id),
                state: Set(entity::states::DkimKeyState::Published),
                ..Default::default()
            }
            .update(&app.db)
            .await
            .unwrap();
        }

        // The request, from the examples.
        let mut url = format!("{}{}", app.base, path);
        let mut path_values = HashMap::new();
        let mut query = Vec::new();
        for parameter in op["parameters"].as_array().unwrap() {
            let parameter = resolve_ref(&doc, parameter);
            let Some(example) = parameter.get("example") else {
                assert_ne!(
                    parameter["in"], "path",
                    "{name}: path parameter {} has no example",
                    parameter["name"]
                );
                continue;
            };
            let at = format!("{name} parameter {}", parameter["name"]);
            check(&doc, &parameter["schema"], example, &at, &mut problems);
            let value = query_text(&ids.resolve(example, name));
            let key = parameter["name"].as_str().unwrap();
            match parameter["in"].as_str().unwrap() {
                "path" => {
                    url = url.replace(&format!("{{{key}}}"), &value);
                    path_values.insert(key, value);
                }
                "query" => query.push((key.to_owned(), value)),
                other => panic!("{name}: an example for a {other} parameter"),
            }
        }
        let mut url = reqwest::Url::parse(&url).unwrap();
        for (key, value) in &query {
            url.query_pairs_mut().append_pair(key, value);
        }
        let mut request = app
            .client
            .request(method.clone(), url)
            .bearer_auth(&app.api_key);
        if let Some(body) = op.get("requestBody") {
            let (media, content) = body["content"].as_object().unwrap().iter().next().unwrap();
            let example = content
                .get("example")
                .unwrap_or_else(|| panic!("{name}: the request body has no example"));
            check(
                &doc,
                &content["schema"],
                example,
                &format!("{name} request"),
                &mut problems,
            );
            let example = ids.resolve(example, name);
            request = match example {
                Value::String(text) => request.header("content-type", media.as_str()).body(text),
                other => request.json(&other),
            };
        }

        // The examples name smtp.example.com: the connection test logs in to a local server
        // instead, with the example's credentials.
        if name == "testEmailAccount" {
            let created = &operations["createEmailAccount"].op["requestBody"]["content"]["application/json"]
                ["example"];
            let server = SmtpServer::start(Some((
                created["smtpUsername"].as_str().unwrap(),
                created["smtpPassword"].as_str().unwrap(),
            )))
            .await;
            let r = app
                .put(
                    &format!("/v1/email-accounts/{}", path_values["id"]),
                    json!({ "smtpHost": server.host(), "smtpPort": server.port(), "smtpSecurity": "none", "imapHost": null }),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            smtp = Some(server);
        }

        // The answer.
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let real: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let (documented_status, success) = op["responses"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(status, _)| status.starts_with('2'))
            .unwrap_or_else(|| panic!("{name} documents no success"));
        assert_eq!(
            status.as_str(),
            documented_status,
            "{name}: the example request is refused: {text}"
        );
        let content = &success["content"]["application/json"];
        let example = content
            .get("example")
            .unwrap_or_else(|| panic!("{name}: the answer has no example"));
        check(
            &doc,
            &content["schema"],
            example,
            &format!("{name} example answer"),
            &mut problems,
        );
        check(
            &doc,
            &content["schema"],
            &real,
            &format!("{name} real answer"),
            &mut problems,
        );
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // The object an example reads or changes is the one the server answers with.
        if let Some(id) = example["data"]["id"].as_str()
            && let Some(mapped) = ids.0.get(id)
        {
            assert_eq!(real["data"]["id"], json!(mapped), "{name}");
        }
        if *method == Method::POST {
            ids.learn(&example["data"], &real["data"]);
        }
        if name == "testEmailAccount" {
            assert_eq!(real["data"]["smtp"]["ok"], true, "{text}");
        }
        exercised += 1;
    }
    drop(smtp);
    assert_eq!(exercised, operations.len());
}

/// A sent message as `shown` (an example answer) describes it, its ids mapped to the server's.
async fn sent_message(app: &TestApp, shown: &Value, ids: &Ids) {
    use sea_orm::{ActiveModelTrait, Set};
    let text = |key: &str| shown[key].as_str().map(str::to_owned);
    let mapped = |key: &str| {
        ids.resolve(&shown[key], "getMessage")
            .as_str()
            .unwrap()
            .to_owned()
    };
    let at =
        |key: &str| text(key).map(|t| chrono::DateTime::parse_from_rfc3339(&t).unwrap().to_utc());
    entity::message::ActiveModel {
        id: Set(text("id").unwrap()),
        workspace_id: Set(app.workspace_id.clone()),
        campaign_id: Set(mapped("campaignId")),
        contact_id: Set(mapped("contactId")),
        step: Set(shown["step"].as_i64().unwrap() as i32),
        email_account_id: Set(mapped("emailAccountId")),
        message_id: Set(text("messageId").unwrap()),
        subject: Set(text("subject").unwrap()),
        state: Set(entity::states::MessageState::Sent),
        attempts: Set(1),
        last_reply: Set(text("lastReply")),
        created_at: Set(at("createdAt").unwrap()),
        updated_at: Set(at("sentAt").unwrap()),
        sent_at: Set(at("sentAt")),
        opened_at: Set(None),
        clicked_at: Set(None),
        replied_at: Set(None),
        lease_until_ms: Set(None),
        claim_token: Set(None),
        campaign_day: Set(None),
        account_day: Set(None),
        accepted_reply: Set(None),
        variant_id: Set(text("variantId")),
        seed: Set(text("seed").map(|s| api::service::campaigns::seed_of_text(&s).unwrap())),
        body: Set(text("body")),
        body_text: Set(text("bodyText")),
        skip_reason: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// The thread `thread` (that example's id) of the one email sent, with Bruno's reply in it.
async fn replied_thread(app: &TestApp, thread: &str) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let sent = entity::message::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-04T09:12:30Z")
        .unwrap()
        .to_utc();
    entity::inbox_thread::ActiveModel {
        id: Set(thread.to_owned()),
        workspace_id: Set(app.workspace_id.clone()),
        campaign_id: Set(sent.campaign_id.clone()),
        contact_id: Set(sent.contact_id.clone()),
        email_account_id: Set(sent.email_account_id.clone()),
        unread: Set(true),
        last_message_at: Set(at),
        created_at: Set(at),
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::inbox_message::ActiveModel {
        id: Set(api::ids::new_id(api::ids::INBOX_MESSAGE)),
        workspace_id: Set(app.workspace_id.clone()),
        thread_id: Set(thread.to_owned()),
        outbound: Set(false),
        message_id: Set("<reply-1@example.com>".to_owned()),
        from_address: Set("bruno@example.com".to_owned()),
        subject: Set("Re: A thought for Globex".to_owned()),
        body_text: Set("Sounds interesting. Could we talk on Thursday afternoon?".to_owned()),
        body_html: Set(Some(
            "<p onclick=\"x()\">Sounds interesting.</p><script>alert(1)</script>".to_owned(),
        )),
        created_at: Set(at),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

fn resolve_ref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(pointer) => doc
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("no {pointer} in the document")),
        None => value,
    }
}

/// The JSON type names `value` has (an integer is also a number).
fn types_of(value: &Value) -> &'static [&'static str] {
    match value {
        Value::Null => &["null"],
        Value::Bool(_) => &["boolean"],
        Value::Number(n) if n.is_i64() || n.is_u64() => &["integer", "number"],
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => &["integer", "number"],
        Value::Number(_) => &["number"],
        Value::String(_) => &["string"],
        Value::Array(_) => &["array"],
        Value::Object(_) => &["object"],
    }
}

/// Checks `value` against `schema`: the keywords the document uses (types, required and
/// closed objects, enums, bounds, lengths and sizes, formats of dates), `$ref` and `anyOf`.
/// Patterns are not checked. Each problem is pushed, named by where it is.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let schema = resolve_ref(doc, schema);
    let Some(keywords) = schema.as_object() else {
        return;
    };
    let mut fail = |message: String| problems.push(format!("{at}: {message}"));
    if let Some(any) = keywords.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|option| {
            let mut inner = Vec::new();
            check(doc, option, value, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            fail(format!(
                "{value} fits none of {}",
                Value::Array(any.clone())
            ));
        }
    }
    if let Some(ty) = keywords.get("type") {
        let allowed: Vec<&str> = match ty {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types_of(value).iter().any(|t| allowed.contains(t)) {
            fail(format!("{value} is not of type {ty}"));
            return;
        }
    }
    if let Some(constant) = keywords.get("const")
        && constant != value
    {
        fail(format!("{value} is not {constant}"));
    }
    if let Some(values) = keywords.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        fail(format!(
            "{value} is not one of {}",
            Value::Array(values.clone())
        ));
    }
    match value {
        Value::Number(n) => {
            let n = n.as_f64().unwrap();
            if let Some(min) = keywords.get("minimum").and_then(Value::as_f64)
                && n < min
            {
                fail(format!("{n} is below {min}"));
            }
            if let Some(max) = keywords.get("maximum").and_then(Value::as_f64)
                && n > max
            {
                fail(format!("{n} is above {max}"));
            }
        }
        Value::String(text) => {
            let length = text.chars().count() as u64;
            if let Some(min) = keywords.get("minLength").and_then(Value::as_u64)
                && length < min
            {
                fail(format!("{text:?} is shorter than {min}"));
            }
            if let Some(max) = keywords.get("maxLength").and_then(Value::as_u64)
                && length > max
            {
                fail(format!("{text:?} is longer than {max}"));
            }
            match keywords.get("format").and_then(Value::as_str) {
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                    fail(format!("{text:?} is not a date-time"));
                }
                Some("date") if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
                    fail(format!("{text:?} is not a date"));
                }
                Some("email") if !text.contains('@') => {
                    fail(format!("{text:?} is not an email address"));
                }
                _ => {}
            }
        }
        Value::Array(items) => {
            if let Some(min) = keywords.get("minItems").and_then(Value::as_u64)
                && (items.len() as u64) < min
            {
                fail(format!("fewer than {min} items"));
            }
            if let Some(max) = keywords.get("maxItems").and_then(Value::as_u64)
                && (items.len() as u64) > max
            {
                fail(format!("more than {max} items"));
            }
            if let Some(each) = keywords.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(doc, each, item, &format!("{at}/{i}"), problems);
                }
            }
        }
        Value::Object(map) => check_object(doc, keywords, map, at, problems),
        _ => {}
    }
}

fn check_object(
    doc: &Value,
    keywords: &Map<String, Value>,
    map: &Map<String, Value>,
    at: &str,
    problems: &mut Vec<String>,
) {
    for required in keywords
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(required) {
            problems.push(format!("{at}: {required} is missing"));
        }
    }
    if let Some(max) = keywords.get("maxProperties").and_then(Value::as_u64)
        && (map.len() as u64) > max
    {
        problems.push(format!("{at}: more than {max} properties"));
    }
    let properties = keywords.get("properties").and_then(Value::as_object);
    for (key, inner) in map {
        let inner_at = format!("{at}/{key}");
        match (
            properties.and_then(|p| p.get(key)),
            keywords.get("additionalProperties"),
        ) {
            (Some(schema), _) => check(doc, schema, inner, &inner_at, problems),
            (None, Some(Value::Bool(false))) => {
                problems.push(format!("{at}: {key} is not a documented property"))
            }
            (None, Some(schema @ Value::Object(_))) => {
                check(doc, schema, inner, &inner_at, problems)
            }
            (None, _) => {}
        }
    }
}
