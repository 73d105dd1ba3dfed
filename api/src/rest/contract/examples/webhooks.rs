//! The examples of the calls on webhooks.

use serde_json::json;

use super::Example;
use super::objects::{EVENT_REPLY, EVENT_TEST, WEBHOOK, deleted, webhook, webhook_changed, with};

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    vec![
        ("listWebhooks", Example::page(vec![webhook()], 20)),
        ("getWebhook", Example::answer(webhook()).id(WEBHOOK)),
        (
            "createWebhook",
            Example::answer(with(
                webhook(),
                json!({ "secret": "whsec_MfKQ9r4gTGg1kW0b2xYpZ3vN8sLc5dEa7hJu6iOq1Rw=" }),
            ))
            .body(json!({
                "url": "https://hooks.example.com/fluenzr",
                "events": ["email.replied", "email.bounced", "contact.unsubscribed"],
                "description": "Replies and bounces to the CRM",
            })),
        ),
        (
            "updateWebhook",
            Example::answer(webhook_changed()).id(WEBHOOK).body(json!({
                "events": ["email.replied", "email.bounced", "email.unsubscribed", "contact.unsubscribed"],
                "active": true,
            })),
        ),
        ("deleteWebhook", Example::answer(deleted(WEBHOOK)).id(WEBHOOK)),
        (
            "testWebhook",
            Example::answer(json!({ "eventId": EVENT_TEST })).id(WEBHOOK),
        ),
        (
            "rotateWebhookSecret",
            Example::answer(with(
                webhook_changed(),
                json!({ "secret": "whsec_Zp2Lr8TqVx0cN5bHs1mKw7yFd3gJa9eUo4iRt6lCv2E=" }),
            ))
            .id(WEBHOOK),
        ),
        (
            "listWebhookDeliveries",
            Example::page(
                vec![
                    json!({
                        "eventId": EVENT_REPLY,
                        "eventType": "email.replied",
                        "attempt": 1,
                        "success": true,
                        "statusCode": 200,
                        "error": null,
                        "durationMs": 143,
                        "createdAt": "2026-11-04T11:02:20Z",
                    }),
                    json!({
                        "eventId": EVENT_TEST,
                        "eventType": "webhook.test",
                        "attempt": 1,
                        "success": true,
                        "statusCode": 204,
                        "error": null,
                        "durationMs": 97,
                        "createdAt": "2026-11-03T14:21:07Z",
                    }),
                ],
                20,
            )
            .id(WEBHOOK),
        ),
    ]
}
