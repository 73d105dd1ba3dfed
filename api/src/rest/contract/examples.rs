//! One realistic call of every REST operation, and its success answer: what `/docs` shows as
//! request and response samples, and what the examples test sends to a real server. Each
//! request obeys the rules the services enforce (a campaign's first step goes out at once, a
//! sending window ends after it starts, addresses are at `example.com`), and each answer is
//! what the server says to that request.
//!
//! The ids are fixed: the object an example creates is shown with the id that later examples
//! name (the contact `createContact` answers is the one `getContact` reads).

use serde_json::{Value, json};

const CONTACT: &str = "cnt_01m6ds09ngm9s346q3d25vt4f5";
const CONTACT_BRUNO: &str = "cnt_01m6dsdggrv37e3s3e28jt97kb";
const CONTACT_CARLA: &str = "cnt_01m6dstqc06cq643dzvmxxqkfb";
const GROUP: &str = "grp_01m6dtn52g4mnpzx45hy43kwjr";
const ACCOUNT: &str = "acc_01m6dv2bxrp1xpa7z3dj8fssz5";
const CAMPAIGN: &str = "cmp_01m6dvfjs0awsh8vhtpre95b9e";
const WEBHOOK: &str = "whk_01m6dvwsm8e0zbgj09tqm83xss";
const IMPORT: &str = "imp_01m6dwa0fgss6ys3c4dwa7n360";
const SUPPRESSION: &str = "sup_01m6dwq7ar96q14dr9gpqy77zx";
const SUPPRESSION_DOMAIN: &str = "sup_01m6dx4e60yyk596ngya1dq91k";
const REPORT: &str = "urp_01m6dxhn185gqapenecfseczp1";
const MESSAGE: &str = "msg_01m6dxyvwg1hygcpwpq5e6eycn";
const EVENT_TEST: &str = "evt_01m6dyc2qrdy0yp57rcybvn5sx";
const EVENT_REPLY: &str = "evt_01m6dys9k0s5aa819x9yp98106";

/// One operation's example.
pub struct Example {
    /// Path parameters, by name.
    pub path: Vec<(&'static str, &'static str)>,
    /// Query parameters, by name.
    pub query: Vec<(&'static str, Value)>,
    /// The body: a JSON value, or the text of a CSV file.
    pub body: Option<Value>,
    /// The answer's `data`.
    pub data: Value,
    /// The answer's `meta` (lists).
    pub meta: Option<Value>,
}

impl Example {
    fn answer(data: Value) -> Example {
        Example {
            path: Vec::new(),
            query: Vec::new(),
            body: None,
            data,
            meta: None,
        }
    }

    /// A first page of `items`, `per_page` to a page.
    fn page(items: Vec<Value>, per_page: u32) -> Example {
        let total = items.len();
        let mut example = Example::answer(Value::Array(items));
        example.meta = Some(json!({
            "page": 1,
            "perPage": per_page,
            "total": total,
            "totalPages": if total == 0 { 0 } else { 1 },
        }));
        example
    }

    fn id(mut self, id: &'static str) -> Example {
        self.path.push(("id", id));
        self
    }

    fn query(mut self, name: &'static str, value: Value) -> Example {
        self.query.push((name, value));
        self
    }

    fn body(mut self, body: Value) -> Example {
        self.body = Some(body);
        self
    }

    /// The whole answer: the success envelope around `data` (and `meta`).
    pub fn envelope(&self) -> Value {
        let mut envelope = json!({ "success": true, "data": self.data });
        if let Some(meta) = &self.meta {
            envelope["meta"] = meta.clone();
        }
        envelope
    }
}

/// `base` with `changes`' keys over its own.
fn with(mut base: Value, changes: Value) -> Value {
    if let (Value::Object(target), Value::Object(source)) = (&mut base, changes) {
        target.extend(source);
    }
    base
}

fn deleted(id: &str) -> Value {
    json!({ "id": id, "deleted": true })
}

// When the objects were made and changed.
const GROUP_CREATED: &str = "2026-11-02T09:14:05Z";
const CONTACT_CREATED: &str = "2026-11-02T09:21:18Z";
const BATCH_CREATED: &str = "2026-11-02T09:28:31Z";
const IMPORT_CREATED: &str = "2026-11-02T09:35:44Z";
const ACCOUNT_CREATED: &str = "2026-11-02T09:57:23Z";
const CAMPAIGN_CREATED: &str = "2026-11-02T10:04:36Z";
const WEBHOOK_CREATED: &str = "2026-11-02T10:11:49Z";
const SUPPRESSED: &str = "2026-11-02T10:26:15Z";
const CHANGED: &str = "2026-11-03T14:02:51Z";
const STARTED: &str = "2026-11-03T14:12:40Z";
const PAUSED: &str = "2026-11-05T16:45:00Z";

/// Ana, as `createContact` made her.
fn contact() -> Value {
    json!({
        "id": CONTACT,
        "email": "ana@example.com",
        "firstName": "Ana",
        "lastName": "Silva",
        "company": "Acme",
        "phone": "+351 912 345 678",
        "customFields": { "plan": "pro", "seats": 12 },
        "status": "active",
        "groupIds": [GROUP],
        "createdAt": CONTACT_CREATED,
        "updatedAt": CONTACT_CREATED,
    })
}

fn contact_bruno() -> Value {
    json!({
        "id": CONTACT_BRUNO,
        "email": "bruno@example.com",
        "firstName": "Bruno",
        "lastName": "Costa",
        "company": "Globex",
        "phone": null,
        "customFields": {},
        "status": "active",
        "groupIds": [],
        "createdAt": BATCH_CREATED,
        "updatedAt": BATCH_CREATED,
    })
}

fn contact_carla() -> Value {
    json!({
        "id": CONTACT_CARLA,
        "email": "carla@example.com",
        "firstName": "Carla",
        "lastName": null,
        "company": "Initech",
        "phone": null,
        "customFields": { "plan": "trial" },
        "status": "active",
        "groupIds": [],
        "createdAt": BATCH_CREATED,
        "updatedAt": BATCH_CREATED,
    })
}

fn group() -> Value {
    json!({
        "id": GROUP,
        "name": "Lisbon leads",
        "description": "People met at Web Summit 2026",
        "contactCount": 1,
        "createdAt": GROUP_CREATED,
        "updatedAt": GROUP_CREATED,
    })
}

fn group_changed(contacts: u32) -> Value {
    with(
        group(),
        json!({
            "description": "People met at Web Summit 2026, followed up in November",
            "contactCount": contacts,
            "updatedAt": CHANGED,
        }),
    )
}

fn account() -> Value {
    json!({
        "id": ACCOUNT,
        "email": "marta@example.com",
        "name": "Marta from Example",
        "smtpHost": "smtp.example.com",
        "smtpPort": 587,
        "smtpUsername": "marta@example.com",
        "smtpSecurity": "starttls",
        "dailyLimit": 200,
        "timezone": "Europe/Lisbon",
        "sendGapSeconds": 90,
        "status": "ok",
        "lastError": null,
        "sentToday": 0,
        "replyTracking": "on",
        "imapHost": "imap.example.com",
        "imapPort": 993,
        "imapUsername": "marta@example.com",
        "imapSecurity": "tls",
        "imapCheckedAt": null,
        "createdAt": ACCOUNT_CREATED,
        "updatedAt": ACCOUNT_CREATED,
    })
}

fn account_changed() -> Value {
    with(
        account(),
        json!({ "dailyLimit": 300, "sendGapSeconds": 60, "updatedAt": CHANGED }),
    )
}

/// The campaign as `createCampaign` made it: a draft.
fn campaign() -> Value {
    let mut steps = steps();
    for (i, step) in steps.as_array_mut().into_iter().flatten().enumerate() {
        step["step"] = json!(i + 1);
    }
    json!({
        "id": CAMPAIGN,
        "name": "Lisbon leads, November",
        "status": "draft",
        "pausedReason": null,
        "emailAccountId": ACCOUNT,
        "emailAccountIds": [ACCOUNT],
        "steps": steps,
        "schedule": schedule(),
        "dailyLimit": 50,
        "trackOpens": true,
        "trackClicks": true,
        "stopOnReply": true,
        "contactCount": 0,
        "createdAt": CAMPAIGN_CREATED,
        "updatedAt": CAMPAIGN_CREATED,
        "startedAt": null,
        "completedAt": null,
    })
}

/// The campaign after `updateCampaign`, with `changes`.
fn campaign_changed(changes: Value) -> Value {
    let changed = with(
        campaign(),
        json!({
            "dailyLimit": 80,
            "schedule": with(schedule(), json!({ "startTime": "08:30", "endTime": "18:00" })),
            "updatedAt": CHANGED,
        }),
    );
    with(changed, changes)
}

fn webhook() -> Value {
    json!({
        "id": WEBHOOK,
        "url": "https://hooks.example.com/fluenzr",
        "events": ["contact.unsubscribed", "email.bounced", "email.replied"],
        "description": "Replies and bounces to the CRM",
        "active": true,
        "disabledReason": null,
        "createdAt": WEBHOOK_CREATED,
        "updatedAt": WEBHOOK_CREATED,
    })
}

fn webhook_changed() -> Value {
    with(
        webhook(),
        json!({
            "events": ["contact.unsubscribed", "email.bounced", "email.replied", "email.unsubscribed"],
            "updatedAt": CHANGED,
        }),
    )
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

fn suppressions() -> Vec<Value> {
    vec![
        json!({ "id": SUPPRESSION, "kind": "email", "value": "former-client@example.com", "source": "manual", "createdAt": SUPPRESSED }),
        json!({ "id": SUPPRESSION_DOMAIN, "kind": "domain", "value": "competitor.example.net", "source": "manual", "createdAt": SUPPRESSED }),
    ]
}

/// A campaign's or a step's figures: contacts `sent` to, and what came of it.
fn figures(sent: u32, opened: u32, clicked: u32, replied: u32) -> Value {
    let rate = |n: u32| {
        if sent == 0 {
            0.0
        } else {
            (f64::from(n) * 10_000.0 / f64::from(sent)).round() / 100.0
        }
    };
    json!({
        "sent": sent,
        "opened": opened,
        "clicked": clicked,
        "replied": replied,
        "bounced": 0,
        "unsubscribed": 0,
        "autoReplied": 0,
        "openRate": rate(opened),
        "clickRate": rate(clicked),
        "replyRate": rate(replied),
        "bounceRate": 0.0,
        "unsubscribeRate": 0.0,
    })
}

fn day(date: &str, sent: u32, opened: u32, clicked: u32, replied: u32) -> Value {
    json!({
        "date": date,
        "sent": sent,
        "opened": opened,
        "clicked": clicked,
        "replied": replied,
        "bounced": 0,
        "unsubscribed": 0,
        "autoReplied": 0,
    })
}

/// Ana and Bruno got the first step on 3 November; Ana opened it that day, Bruno the next,
/// and Ana clicked and replied.
fn stats() -> Value {
    let mut stats = json!({ "campaignId": CAMPAIGN, "contacts": 2 });
    stats = with(stats, figures(2, 2, 1, 1));
    with(
        stats,
        json!({
            "steps": [
                with(json!({ "step": 1 }), figures(2, 2, 1, 1)),
                with(json!({ "step": 2 }), figures(0, 0, 0, 0)),
            ],
            "timeline": [
                day("2026-11-02", 0, 0, 0, 0),
                day("2026-11-03", 2, 1, 0, 0),
                day("2026-11-04", 0, 1, 1, 1),
            ],
        }),
    )
}

fn check(steps: &[(&str, &str)]) -> Value {
    let steps: Vec<Value> = steps
        .iter()
        .map(|(step, reply)| json!({ "step": step, "ok": true, "reply": reply }))
        .collect();
    json!({ "ok": true, "error": null, "steps": steps })
}

const CSV: &str = "email,First name,company\ndiana@example.com,Diana,Umbrella\neduardo@example.com,Eduardo,Hooli\n";

fn steps() -> Value {
    json!([
        {
            "subject": "Quick question, {{firstName | there}}",
            "body": "Hi {{firstName | there}},\n\nDo you still handle outbound at {{company | your team}}? We help teams like yours book more meetings from cold email.\n\nWorth a 15-minute call next week?\n\nMarta",
            "delayDays": 0,
        },
        {
            "subject": "",
            "body": "Hi {{firstName | there}}, bringing this back to the top of your inbox. Would next Tuesday or Wednesday suit you?\n\nMarta",
            "delayDays": 3,
        },
    ])
}

fn schedule() -> Value {
    json!({ "timezone": "Europe/Lisbon", "days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00" })
}

/// The examples, by operation name.
pub fn examples() -> Vec<(&'static str, Example)> {
    vec![
        // Contacts.
        (
            "listContacts",
            Example::page(vec![contact()], 20)
                .query("status", json!("active"))
                .query("company", json!("Acme"))
                .query("perPage", json!(20)),
        ),
        ("getContact", Example::answer(contact()).id(CONTACT)),
        (
            "createContact",
            Example::answer(contact()).body(json!({
                "email": "ana@example.com",
                "firstName": "Ana",
                "lastName": "Silva",
                "company": "Acme",
                "phone": "+351 912 345 678",
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
        ("deleteContact", Example::answer(deleted(CONTACT)).id(CONTACT)),
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
        // Groups.
        (
            "listGroups",
            Example::page(vec![group()], 20).query("name", json!("lisbon")),
        ),
        ("getGroup", Example::answer(group()).id(GROUP)),
        (
            "createGroup",
            Example::answer(with(group(), json!({ "contactCount": 0 }))).body(json!({
                "name": "Lisbon leads",
                "description": "People met at Web Summit 2026",
            })),
        ),
        (
            "updateGroup",
            Example::answer(group_changed(1)).id(GROUP).body(json!({
                "description": "People met at Web Summit 2026, followed up in November",
            })),
        ),
        ("deleteGroup", Example::answer(deleted(GROUP)).id(GROUP)),
        (
            "listGroupContacts",
            Example::page(vec![contact()], 20)
                .id(GROUP)
                .query("status", json!("active")),
        ),
        (
            "addGroupContacts",
            Example::answer(json!({ "added": 2, "alreadyMembers": 0, "group": group_changed(3) }))
                .id(GROUP)
                .body(json!({ "contactIds": [CONTACT_BRUNO, CONTACT_CARLA] })),
        ),
        (
            "removeGroupContacts",
            Example::answer(json!({ "removed": 1, "notMembers": 0, "group": group_changed(2) }))
                .id(GROUP)
                .body(json!({ "contactIds": [CONTACT_CARLA] })),
        ),
        // Email accounts.
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
        // Campaigns.
        (
            "listCampaigns",
            Example::page(vec![campaign()], 20).query("status", json!("draft")),
        ),
        ("getCampaign", Example::answer(campaign()).id(CAMPAIGN)),
        (
            "createCampaign",
            Example::answer(campaign()).body(json!({
                "name": "Lisbon leads, November",
                "emailAccountId": ACCOUNT,
                "steps": steps(),
                "schedule": schedule(),
                "dailyLimit": 50,
                "trackOpens": true,
                "trackClicks": true,
                "stopOnReply": true,
            })),
        ),
        (
            "updateCampaign",
            Example::answer(campaign_changed(json!({})))
                .id(CAMPAIGN)
                .body(json!({
                    "dailyLimit": 80,
                    "schedule": with(schedule(), json!({ "startTime": "08:30", "endTime": "18:00" })),
                })),
        ),
        (
            "deleteCampaign",
            Example::answer(deleted(CAMPAIGN)).id(CAMPAIGN),
        ),
        (
            "startCampaign",
            Example::answer(campaign_changed(json!({
                "status": "running",
                "contactCount": 2,
                "startedAt": STARTED,
                "updatedAt": STARTED,
            })))
            .id(CAMPAIGN),
        ),
        (
            "pauseCampaign",
            Example::answer(campaign_changed(json!({
                "status": "paused",
                "contactCount": 2,
                "startedAt": STARTED,
                "updatedAt": PAUSED,
            })))
            .id(CAMPAIGN),
        ),
        (
            "addCampaignContacts",
            Example::answer(json!({
                "added": 2,
                "skipped": 0,
                "alreadyEnrolled": 0,
                "campaign": campaign_changed(json!({ "contactCount": 2 })),
            }))
            .id(CAMPAIGN)
            .body(json!({ "contactIds": [CONTACT], "groupId": GROUP })),
        ),
        (
            "listCampaignContacts",
            Example::page(
                vec![json!({
                    "state": "active",
                    "reason": null,
                    "currentStep": 1,
                    "emailAccountId": ACCOUNT,
                    "enrolledAt": "2026-11-03T14:11:05Z",
                    "lastSentAt": "2026-11-03T14:15:02Z",
                    "nextSendAt": "2026-11-06T08:30:00Z",
                    "contact": with(contact_bruno(), json!({ "groupIds": [GROUP], "updatedAt": CHANGED })),
                })],
                20,
            )
            .id(CAMPAIGN)
            .query("state", json!("active")),
        ),
        (
            "getCampaignSendingStatus",
            Example::answer(json!({
                "state": "nothing_due",
                "pausedReason": null,
                "nextWindowAt": null,
                "nextDueAt": "2026-11-06T08:30:00Z",
                "sentToday": 0,
                "dailyLimit": 80,
                "dueNow": 0,
                "missingFields": [],
                "unknownOutcomes": 0,
                "failed": 0,
                "accounts": [{
                    "emailAccountId": ACCOUNT,
                    "email": "marta@example.com",
                    "status": "ok",
                    "lastError": null,
                    "sentToday": 0,
                    "dailyLimit": 300,
                    "replyTracking": "on",
                }],
            }))
            .id(CAMPAIGN),
        ),
        (
            "listUnknownOutcomes",
            Example::page(
                vec![json!({
                    "id": MESSAGE,
                    "contactId": CONTACT_BRUNO,
                    "email": "bruno@example.com",
                    "step": 1,
                    "subject": "Quick question, Bruno",
                    "updatedAt": "2026-11-03T14:15:02Z",
                })],
                20,
            )
            .id(CAMPAIGN),
        ),
        (
            "resolveUnknownOutcomes",
            Example::answer(json!({ "resolved": 1 }))
                .id(CAMPAIGN)
                .body(json!({ "all": true, "action": "resend" })),
        ),
        (
            "getCampaignStats",
            Example::answer(stats())
                .id(CAMPAIGN)
                .query("from", json!("2026-11-02"))
                .query("to", json!("2026-11-04")),
        ),
        // Webhooks.
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
        // Suppressions.
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
