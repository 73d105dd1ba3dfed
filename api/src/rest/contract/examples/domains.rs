//! The examples of the calls on sending domains.

use serde_json::{Value, json};

use super::Example;
use super::objects::{ACCOUNT, CHANGED, DKIM_KEY, with};

const CHECKED: &str = "2026-11-03T14:05:10Z";
const KEY_CREATED: &str = "2026-11-03T14:06:02Z";

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    vec![
        ("listDomains", Example::page(vec![domain()], 20)),
        (
            "getDomain",
            Example::answer(domain()).path("name", "example.com"),
        ),
        (
            "checkDomain",
            Example::answer(domain()).path("name", "example.com"),
        ),
        (
            "createDkimKey",
            Example::answer(json!({
                "key": key("pending", None, None),
                "domain": with(domain(), json!({ "dkimKeys": [key("pending", None, None)] })),
            }))
            .path("name", "example.com")
            .body(json!({ "algorithm": "rsa-2048", "selector": "fluenzr" })),
        ),
        (
            "activateDkimKey",
            Example::answer(with(
                passing(),
                json!({ "dkimKeys": [key("active", Some(CHANGED), Some(CHANGED))] }),
            ))
            .path("name", "example.com")
            .path("selector", "fluenzr"),
        ),
        (
            "deleteDkimKey",
            Example::answer(domain())
                .path("name", "example.com")
                .path("selector", "fluenzr"),
        ),
    ]
}

const PUBLIC_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwJ3uWm0pqB6Yf1qVkxB5cQ1HvZ2pL9n1bX3Qe5rKz3bRzJd0xVx6bq5CqW7l8uS0dPq3kFzA8YV2mN4c7vT9hL0gE1nR5jQ2wC8pZ6sX3yU4oH7tK9iB1aD5fG2eJ0rM6lN8qS4vW3xY7zA1bC5dE9fG3hI7jK1lM5nO9pQ3rS7tU1vW5xY9zA3bC7dE1fG5hI9jK3lM7nO1pQ5rS9tU3vW7xY1zA5bC9dE3fG7hI1jK5lM9nO3pQ7rS1tU5vW9xY3zA7bC1dE5fG9hI3jK7lM1nO5pQ9rS3tU7vW1xY5zA9bC3dE7fG1hI5jK9lM3nO7pQ1rS5tU9vW3xY7zA1bC5dE9fG3hIwIDAQAB";

fn key(state: &str, published: Option<&str>, activated: Option<&str>) -> Value {
    json!({
        "id": DKIM_KEY,
        "selector": "fluenzr",
        "algorithm": "rsa-2048",
        "state": state,
        "record": {
            "type": "TXT",
            "name": "fluenzr._domainkey.example.com",
            "host": "fluenzr._domainkey",
            "value": format!("v=DKIM1; k=rsa; p={PUBLIC_KEY}"),
        },
        "publishedAt": published,
        "activatedAt": activated,
        "createdAt": KEY_CREATED,
    })
}

fn problem(code: &str, message: &str, fix: &str) -> Value {
    json!({ "code": code, "message": message, "fix": fix })
}

/// example.com as first checked: SPF and MX in place, no DKIM key, no DMARC policy.
fn domain() -> Value {
    let problems = vec![
        problem(
            "dkim_missing",
            "No DKIM key was found for example.com: receivers cannot verify that its mail really comes from it.",
            "Create a key for example.com (the Domains page, or POST /v1/domains/example.com/dkim) and publish the TXT record it shows; or publish the key your mail provider gives you.",
        ),
        problem(
            "dmarc_missing",
            "example.com publishes no DMARC policy; Gmail, Yahoo and Outlook require one from anyone sending in bulk.",
            "At your DNS host, add a TXT record named `_dmarc` for example.com with the value `v=DMARC1; p=none; rua=mailto:dmarc@example.com`.",
        ),
    ];
    json!({
        "name": "example.com",
        "emailAccountIds": [ACCOUNT],
        "checkedAt": CHECKED,
        "mx": { "records": [{ "preference": 10, "host": "mx.example.com" }], "provider": "other" },
        "spf": {
            "record": "v=spf1 include:_spf.example.net ip4:192.0.2.25 ~all",
            "mechanisms": ["+include:_spf.example.net", "+ip4:192.0.2.25", "~all"],
            "lookups": 2,
            "all": "~all",
            "hosts": [],
        },
        "dkim": { "selectors": [] },
        "dmarc": { "record": null, "recordDomain": null, "p": null, "sp": null, "pct": null, "adkim": null, "aspf": null, "rua": [] },
        "bimiEligible": false,
        "verdicts": {
            "gmailYahooBulk": { "status": "fail", "problems": problems.clone() },
            "microsoftHighVolume": { "status": "fail", "problems": problems },
        },
        "dkimKeys": [],
    })
}

/// example.com once its key and a DMARC policy are published.
fn passing() -> Value {
    with(
        domain(),
        json!({
            "checkedAt": CHANGED,
            "dkim": { "selectors": [{ "selector": "fluenzr", "keyType": "rsa", "bits": 2048, "managed": true }] },
            "dmarc": {
                "record": "v=DMARC1; p=none; rua=mailto:dmarc@example.com",
                "recordDomain": "example.com",
                "p": "none", "sp": null, "pct": null, "adkim": null, "aspf": null,
                "rua": ["mailto:dmarc@example.com"],
            },
            "verdicts": {
                "gmailYahooBulk": { "status": "pass", "problems": [] },
                "microsoftHighVolume": { "status": "pass", "problems": [] },
            },
        }),
    )
}
