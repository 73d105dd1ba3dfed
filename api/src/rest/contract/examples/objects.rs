//! The objects the examples share: their fixed ids, when they were made and changed, and
//! what each looks like as the calls that made (or changed) it answered it.

use serde_json::{Value, json};

pub(super) const CONTACT: &str = "cnt_01m6ds09ngm9s346q3d25vt4f5";
pub(super) const CONTACT_BRUNO: &str = "cnt_01m6dsdggrv37e3s3e28jt97kb";
pub(super) const CONTACT_CARLA: &str = "cnt_01m6dstqc06cq643dzvmxxqkfb";
pub(super) const GROUP: &str = "grp_01m6dtn52g4mnpzx45hy43kwjr";
pub(super) const ACCOUNT: &str = "acc_01m6dv2bxrp1xpa7z3dj8fssz5";
pub(super) const CAMPAIGN: &str = "cmp_01m6dvfjs0awsh8vhtpre95b9e";
pub(super) const WEBHOOK: &str = "whk_01m6dvwsm8e0zbgj09tqm83xss";
pub(super) const IMPORT: &str = "imp_01m6dwa0fgss6ys3c4dwa7n360";
pub(super) const SUPPRESSION: &str = "sup_01m6dwq7ar96q14dr9gpqy77zx";
pub(super) const SUPPRESSION_DOMAIN: &str = "sup_01m6dx4e60yyk596ngya1dq91k";
pub(super) const REPORT: &str = "urp_01m6dxhn185gqapenecfseczp1";
pub(super) const MESSAGE: &str = "msg_01m6dxyvwg1hygcpwpq5e6eycn";
pub(super) const THREAD: &str = "thr_01m6e1q4r6s8t0v2w4x6y8z0a2";
pub(super) const INBOX_REPLY: &str = "ibm_01m6e1r5s7t9v1w3x5y7z9a1b3";
pub(super) const INBOX_ANSWER: &str = "ibm_01m6e1s6t8v0w2x4y6z8a0b2c4";
pub(super) const VARIANT_A: &str = "var_01m6dz3r5b7c9d1e3f5g7h9j1k";
pub(super) const VARIANT_B: &str = "var_01m6dz3r5b7c9d1e3f5g7h9j2m";
pub(super) const VARIANT_FOLLOW_UP: &str = "var_01m6dz3r5b7c9d1e3f5g7h9j3n";
pub(super) const DKIM_KEY: &str = "dk_01m6e0b8k2c4d6e8f0g2h4j6k8";
pub(super) const EVENT_TEST: &str = "evt_01m6dyc2qrdy0yp57rcybvn5sx";
pub(super) const EVENT_REPLY: &str = "evt_01m6dys9k0s5aa819x9yp98106";

// When the objects were made and changed.
pub(super) const GROUP_CREATED: &str = "2026-11-02T09:14:05Z";
pub(super) const CONTACT_CREATED: &str = "2026-11-02T09:21:18Z";
pub(super) const BATCH_CREATED: &str = "2026-11-02T09:28:31Z";
pub(super) const IMPORT_CREATED: &str = "2026-11-02T09:35:44Z";
pub(super) const ACCOUNT_CREATED: &str = "2026-11-02T09:57:23Z";
pub(super) const CAMPAIGN_CREATED: &str = "2026-11-02T10:04:36Z";
pub(super) const WEBHOOK_CREATED: &str = "2026-11-02T10:11:49Z";
pub(super) const SUPPRESSED: &str = "2026-11-02T10:26:15Z";
pub(super) const CHANGED: &str = "2026-11-03T14:02:51Z";
pub(super) const STARTED: &str = "2026-11-03T14:12:40Z";
pub(super) const PAUSED: &str = "2026-11-05T16:45:00Z";

/// `base` with `changes`' keys over its own.
pub(super) fn with(mut base: Value, changes: Value) -> Value {
    if let (Value::Object(target), Value::Object(source)) = (&mut base, changes) {
        target.extend(source);
    }
    base
}

pub(super) fn deleted(id: &str) -> Value {
    json!({ "id": id, "deleted": true })
}

/// Ana, as `createContact` made her.
pub(super) fn contact() -> Value {
    json!({
        "id": CONTACT,
        "email": "ana@example.com",
        "firstName": "Ana",
        "lastName": "Silva",
        "company": "Acme",
        "phone": "+351 912 345 678",
        "timezone": "Europe/Lisbon",
        "customFields": { "plan": "pro", "seats": 12 },
        "status": "active",
        "leadStatus": null,
        "groupIds": [GROUP],
        "createdAt": CONTACT_CREATED,
        "updatedAt": CONTACT_CREATED,
    })
}

pub(super) fn contact_bruno() -> Value {
    json!({
        "id": CONTACT_BRUNO,
        "email": "bruno@example.com",
        "firstName": "Bruno",
        "lastName": "Costa",
        "company": "Globex",
        "phone": null,
        "timezone": null,
        "customFields": {},
        "status": "active",
        "leadStatus": null,
        "groupIds": [],
        "createdAt": BATCH_CREATED,
        "updatedAt": BATCH_CREATED,
    })
}

pub(super) fn contact_carla() -> Value {
    json!({
        "id": CONTACT_CARLA,
        "email": "carla@example.com",
        "firstName": "Carla",
        "lastName": null,
        "company": "Initech",
        "phone": null,
        "timezone": null,
        "customFields": { "plan": "trial" },
        "status": "active",
        "leadStatus": null,
        "groupIds": [],
        "createdAt": BATCH_CREATED,
        "updatedAt": BATCH_CREATED,
    })
}

pub(super) fn group() -> Value {
    json!({
        "id": GROUP,
        "name": "Lisbon leads",
        "description": "People met at Web Summit 2026",
        "contactCount": 1,
        "createdAt": GROUP_CREATED,
        "updatedAt": GROUP_CREATED,
    })
}

pub(super) fn group_changed(contacts: u32) -> Value {
    with(
        group(),
        json!({
            "description": "People met at Web Summit 2026, followed up in November",
            "contactCount": contacts,
            "updatedAt": CHANGED,
        }),
    )
}

pub(super) fn account() -> Value {
    json!({
        "id": ACCOUNT,
        "email": "marta@example.com",
        "name": "Marta from Example",
        "smtpHost": "smtp.example.com",
        "smtpPort": 587,
        "smtpUsername": "marta@example.com",
        "smtpSecurity": "starttls",
        "dailyLimit": 200,
        "dailyLimitToday": 20,
        "ramp": { "startPerDay": 20, "increasePerDay": 10, "startedAt": ACCOUNT_CREATED },
        "providerLimits": { "google": 40, "microsoft": 30, "yahoo": null, "other": null },
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

pub(super) fn account_changed() -> Value {
    with(
        account(),
        json!({ "dailyLimit": 300, "sendGapSeconds": 60, "updatedAt": CHANGED }),
    )
}

/// The campaign as `createCampaign` made it: a draft.
pub(super) fn campaign() -> Value {
    let steps = steps_shown();
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
        "stopOnReplyScope": "contact",
        "oooPauseDays": 7,
        "autoWinner": { "metric": "reply", "minSentPerVariant": 150 },
        "contactCount": 0,
        "createdAt": CAMPAIGN_CREATED,
        "updatedAt": CAMPAIGN_CREATED,
        "startedAt": null,
        "completedAt": null,
    })
}

/// The campaign after `updateCampaign`, with `changes`.
pub(super) fn campaign_changed(changes: Value) -> Value {
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

pub(super) fn webhook() -> Value {
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

pub(super) fn webhook_changed() -> Value {
    with(
        webhook(),
        json!({
            "events": ["contact.unsubscribed", "email.bounced", "email.replied", "email.unsubscribed"],
            "updatedAt": CHANGED,
        }),
    )
}

const FIRST_BODY: &str = "Hi {{firstName | there}},\n\nDo you still handle outbound at {{company | your team}}? We help teams like yours book more meetings from cold email.\n\nWorth a 15-minute call next week?\n\nMarta";
const SECOND_BODY: &str = "{{RANDOM | Hi | Hello}} {{firstName | there}},\n\nTeams like {{company | yours}} book a third more meetings from cold email with us. Could I show you how in 15 minutes next week?\n\nMarta";
const FOLLOW_UP_BODY: &str = "Hi {{firstName | there}}, bringing this back to the top of your inbox. Would next Tuesday or Wednesday suit you?\n\nMarta";

/// The sequence as `createCampaign` is sent it: an A/B first step (the second variant with
/// spintax), a follow-up only to those who did not open.
pub(super) fn steps() -> Value {
    json!([
        {
            "variants": [
                { "subject": "Quick question, {{firstName | there}}", "body": FIRST_BODY, "weight": 1 },
                { "subject": "{{RANDOM | An idea | A thought}} for {{company | your team}}", "body": SECOND_BODY, "weight": 1 },
            ],
            "delayDays": 0,
        },
        {
            "subject": "",
            "body": FOLLOW_UP_BODY,
            "delayDays": 3,
            "sendIf": "not_opened",
        },
    ])
}

/// The sequence as the campaign shows it.
pub(super) fn steps_shown() -> Value {
    json!([
        {
            "step": 1,
            "subject": "Quick question, {{firstName | there}}",
            "body": FIRST_BODY,
            "delayDays": 0,
            "sendIf": "always",
            "variants": [
                { "id": VARIANT_A, "subject": "Quick question, {{firstName | there}}", "body": FIRST_BODY, "weight": 1 },
                { "id": VARIANT_B, "subject": "{{RANDOM | An idea | A thought}} for {{company | your team}}", "body": SECOND_BODY, "weight": 1 },
            ],
        },
        {
            "step": 2,
            "subject": "",
            "body": FOLLOW_UP_BODY,
            "delayDays": 3,
            "sendIf": "not_opened",
            "variants": [
                { "id": VARIANT_FOLLOW_UP, "subject": "", "body": FOLLOW_UP_BODY, "weight": 1 },
            ],
        },
    ])
}

/// The first email to Bruno, as sent (variant B, its spintax drawn).
pub(super) fn message() -> Value {
    json!({
        "id": MESSAGE,
        "campaignId": CAMPAIGN,
        "contactId": CONTACT_BRUNO,
        "step": 1,
        "variantId": VARIANT_B,
        "seed": "555c0e3f9a1b2d4e",
        "emailAccountId": ACCOUNT,
        "messageId": "<msg_01m6dxyvwg1hygcpwpq5e6eycn@example.com>",
        "state": "sent",
        "skipReason": null,
        "subject": "A thought for Globex",
        "body": "Hello Bruno,\r\n\r\nTeams like Globex book a third more meetings from cold email with us. Could I show you how in 15 minutes next week?\r\n\r\nMarta",
        "bodyText": null,
        "attempts": 1,
        "lastReply": "250 2.0.0 Ok: queued as 4XkV2Q1bZ",
        "createdAt": "2026-11-03T14:15:01Z",
        "sentAt": "2026-11-03T14:15:02Z",
        "openedAt": null,
        "clickedAt": null,
        "repliedAt": null,
    })
}

/// Weekdays 09:00–17:00 in each contact's own zone (Lisbon for contacts without one), never
/// on Christmas Eve or Day.
pub(super) fn schedule() -> Value {
    json!({
        "timezone": "contact",
        "days": [1, 2, 3, 4, 5],
        "startTime": "09:00",
        "endTime": "17:00",
        "fallbackTimezone": "Europe/Lisbon",
        "skipDates": ["2026-12-24", "2026-12-25"],
    })
}
