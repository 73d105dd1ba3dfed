//! The examples of the calls on email accounts.

use serde_json::{Value, json};

use super::Example;
use super::objects::{ACCOUNT, REPORT, account, account_changed, deleted, with};

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    vec![
        (
            "listEmailAccounts",
            Example::page(vec![account()], 20)
                .query("sort", json!("email"))
                .query("order", json!("asc")),
        ),
        ("getEmailAccount", Example::answer(account()).id(ACCOUNT)),
        (
            "createEmailAccount",
            Example::answer(account()).body(json!({
                "email": "marta@example.com",
                "name": "Marta from Example",
                "smtpHost": "smtp.example.com",
                "smtpPort": 587,
                "smtpSecurity": "starttls",
                "smtpUsername": "marta@example.com",
                "smtpPassword": "app-password-2026",
                "dailyLimit": 200,
                "ramp": { "startPerDay": 20, "increasePerDay": 10 },
                "providerLimits": { "google": 40, "microsoft": 30 },
                "timezone": "Europe/Lisbon",
                "sendGapSeconds": 90,
                "imapHost": "imap.example.com",
                "imapPort": 993,
                "imapSecurity": "tls",
                "imapPassword": "app-password-2026",
            })),
        ),
        (
            "updateEmailAccount",
            Example::answer(account_changed())
                .id(ACCOUNT)
                .body(json!({ "dailyLimit": 300, "sendGapSeconds": 60 })),
        ),
        (
            "deleteEmailAccount",
            Example::answer(deleted(ACCOUNT)).id(ACCOUNT),
        ),
        (
            "testEmailAccount",
            Example::answer(json!({
                "smtp": check(&[
                    ("connect", "connected to smtp.example.com:587"),
                    ("login", "authenticated"),
                ]),
                "imap": check(&[
                    ("connect", "connected to imap.example.com:993"),
                    ("tls", "TLS established"),
                    ("login", "logged in as marta@example.com"),
                    ("mailbox", "INBOX holds 1284 messages"),
                ]),
                "emailAccount": with(account_changed(), json!({ "imapCheckedAt": "2026-11-03T14:08:02Z" })),
            }))
            .id(ACCOUNT),
        ),
        (
            "listUnmatchedReports",
            Example::page(
                vec![json!({
                    "id": REPORT,
                    "sender": "MAILER-DAEMON@mx.example.com",
                    "subject": "Undelivered Mail Returned to Sender",
                    "recipients": [{
                        "address": "old-lead@example.com",
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnostic": "smtp; 550 5.1.1 <old-lead@example.com>: Recipient address rejected: User unknown",
                    }],
                    "quotedMessageId": "<20261020094512.4f1c@mail.example.com>",
                    "receivedAt": "2026-11-04T07:12:09Z",
                })],
                20,
            )
            .id(ACCOUNT),
        ),
    ]
}

fn check(steps: &[(&str, &str)]) -> Value {
    let steps: Vec<Value> = steps
        .iter()
        .map(|(step, reply)| json!({ "step": step, "ok": true, "reply": reply }))
        .collect();
    json!({ "ok": true, "error": null, "steps": steps })
}
