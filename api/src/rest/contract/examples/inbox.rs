//! The examples of the calls on the inbox: Bruno answered the campaign's first email.

use serde_json::{Value, json};

use super::Example;
use super::objects::{
    ACCOUNT, CAMPAIGN, CHANGED, INBOX_ANSWER, INBOX_REPLY, MESSAGE, THREAD, contact_bruno, message,
    with,
};

const REPLIED: &str = "2026-11-04T09:12:30Z";
const ANSWERED: &str = "2026-11-04T10:02:00Z";

fn thread(unread: bool, last: &str) -> Value {
    json!({
        "id": THREAD,
        "campaignId": CAMPAIGN,
        "emailAccountId": ACCOUNT,
        "unread": unread,
        "lastMessageAt": last,
        "contact": with(contact_bruno(), json!({ "leadStatus": "interested", "updatedAt": CHANGED })),
    })
}

fn reply() -> Value {
    json!({
        "id": INBOX_REPLY,
        "kind": "reply",
        "step": null,
        "from": "bruno@example.com",
        "subject": "Re: A thought for Globex",
        "text": "Sounds interesting. Could we talk on Thursday afternoon?\n\nBruno",
        "html": "<p>Sounds interesting. Could we talk on Thursday afternoon?</p><p>Bruno</p>",
        "at": REPLIED,
    })
}

fn answer() -> Value {
    json!({
        "id": INBOX_ANSWER,
        "kind": "answer",
        "step": null,
        "from": "marta@example.com",
        "subject": "Re: A thought for Globex",
        "text": "Thursday at 15:00 works. I'll send an invite.\r\n\r\nMarta",
        "html": null,
        "at": ANSWERED,
    })
}

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    let sent = message();
    vec![
        (
            "listInboxThreads",
            Example::page(vec![thread(true, REPLIED)], 20).query("leadStatus", json!("interested")),
        ),
        (
            "getInboxThread",
            Example::answer(with(
                thread(true, REPLIED),
                json!({
                    "messages": [
                        {
                            "id": MESSAGE,
                            "kind": "campaign",
                            "step": 1,
                            "from": "marta@example.com",
                            "subject": sent["subject"],
                            "text": sent["body"],
                            "html": null,
                            "at": sent["sentAt"],
                        },
                        reply(),
                    ],
                }),
            ))
            .id(THREAD),
        ),
        (
            "markInboxThreadRead",
            Example::answer(thread(false, REPLIED)).id(THREAD),
        ),
        (
            "replyToInboxThread",
            Example::answer(json!({
                "thread": thread(false, ANSWERED),
                "message": answer(),
                "savedToSent": false,
            }))
            .id(THREAD)
            .body(json!({ "body": "Thursday at 15:00 works. I'll send an invite.\n\nMarta" })),
        ),
    ]
}
