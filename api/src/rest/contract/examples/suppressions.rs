//! The examples of the calls on suppressions.

use serde_json::{Value, json};

use super::Example;
use super::objects::{SUPPRESSED, SUPPRESSION, SUPPRESSION_DOMAIN, deleted};

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    vec![
        (
            "listSuppressions",
            Example::page(suppressions(), 20).query("source", json!("manual")),
        ),
        (
            "addSuppressions",
            Example::answer(json!({ "created": 2, "existing": 0, "items": suppressions() })).body(
                json!({
                    "items": [
                        { "kind": "email", "value": "former-client@example.com", "source": "manual" },
                        { "kind": "domain", "value": "competitor.example.net", "source": "manual" },
                    ],
                }),
            ),
        ),
        (
            "deleteSuppression",
            Example::answer(deleted(SUPPRESSION))
                .id(SUPPRESSION)
                .body(json!({ "reason": "Asked on 20 November to hear from us again" })),
        ),
    ]
}

fn suppressions() -> Vec<Value> {
    vec![
        json!({ "id": SUPPRESSION, "kind": "email", "value": "former-client@example.com", "source": "manual", "createdAt": SUPPRESSED }),
        json!({ "id": SUPPRESSION_DOMAIN, "kind": "domain", "value": "competitor.example.net", "source": "manual", "createdAt": SUPPRESSED }),
    ]
}
