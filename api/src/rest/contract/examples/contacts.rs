//! The examples of the calls on contacts, and their CSV imports.

use serde_json::{Value, json};

use super::Example;
use super::objects::{
    CHANGED, CONTACT, GROUP, IMPORT, IMPORT_CREATED, MESSAGE, contact, contact_bruno,
    contact_carla, deleted, message, with,
};

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    vec![
        (
            "listContacts",
            Example::page(vec![contact()], 20)
                .query("status", json!("active"))
                .query("company", json!("Acme"))
                .query("perPage", json!(20)),
        ),
        ("getContact", Example::answer(contact()).id(CONTACT)),
        ("getMessage", Example::answer(message()).id(MESSAGE)),
        (
            "exportContact",
            Example::answer(json!({
                "contact": contact(),
                "enrolments": [],
                "messages": [],
                "events": [],
                "suppressions": [],
                "inbox": [],
                "exportedAt": "2026-11-03T14:20:00Z",
            }))
            .id(CONTACT),
        ),
        (
            "createContact",
            Example::answer(contact()).body(json!({
                "email": "ana@example.com",
                "firstName": "Ana",
                "lastName": "Silva",
                "company": "Acme",
                "phone": "+351 912 345 678",
                "timezone": "Europe/Lisbon",
                "customFields": { "plan": "pro", "seats": 12 },
                "groupIds": [GROUP],
            })),
        ),
        (
            "createContacts",
            Example::answer(json!({
                "created": 2,
                "failed": 0,
                "results": [
                    { "index": 0, "success": true, "contact": contact_bruno(), "error": null },
                    { "index": 1, "success": true, "contact": contact_carla(), "error": null },
                ],
            }))
            .body(json!({
                "contacts": [
                    { "email": "bruno@example.com", "firstName": "Bruno", "lastName": "Costa", "company": "Globex" },
                    { "email": "carla@example.com", "firstName": "Carla", "company": "Initech", "customFields": { "plan": "trial" } },
                ],
            })),
        ),
        (
            "updateContact",
            Example::answer(with(
                contact(),
                json!({
                    "company": "Acme Europe",
                    "customFields": { "plan": "enterprise", "seats": 40 },
                    "updatedAt": CHANGED,
                }),
            ))
            .id(CONTACT)
            .body(json!({
                "company": "Acme Europe",
                "customFields": { "plan": "enterprise", "seats": 40 },
            })),
        ),
        (
            "deleteContact",
            Example::answer(deleted(CONTACT))
                .id(CONTACT)
                .query("erase", json!(true)),
        ),
        (
            "importContacts",
            Example::answer(import())
                .query("groupId", json!(GROUP))
                .query("duplicates", json!("update"))
                .query("mapping", json!(r#"{"First name":"firstName"}"#))
                .body(json!(CSV)),
        ),
        (
            "getContactImport",
            Example::answer(with(
                import(),
                json!({
                    "status": "completed",
                    "processed": 2,
                    "created": 2,
                    "startedAt": "2026-11-02T09:35:45Z",
                    "completedAt": "2026-11-02T09:35:46Z",
                }),
            ))
            .id(IMPORT),
        ),
    ]
}

fn import() -> Value {
    json!({
        "id": IMPORT,
        "status": "queued",
        "total": 2,
        "processed": 0,
        "created": 0,
        "updated": 0,
        "skipped": 0,
        "failedRows": 0,
        "errors": [],
        "groupId": GROUP,
        "duplicates": "update",
        "createdAt": IMPORT_CREATED,
        "startedAt": null,
        "completedAt": null,
    })
}

const CSV: &str = "email,First name,company\ndiana@example.com,Diana,Umbrella\neduardo@example.com,Eduardo,Hooli\n";
