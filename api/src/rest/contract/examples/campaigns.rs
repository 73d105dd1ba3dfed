//! The examples of the calls on campaigns.

use serde_json::{Value, json};

use super::Example;
use super::objects::{
    ACCOUNT, CAMPAIGN, CHANGED, CONTACT, CONTACT_BRUNO, GROUP, MESSAGE, PAUSED, STARTED, VARIANT_A,
    VARIANT_B, VARIANT_FOLLOW_UP, campaign, campaign_changed, contact_bruno, deleted, schedule,
    steps, with,
};

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    vec![
        (
            "listCampaigns",
            Example::page(vec![campaign()], 20).query("status", json!("draft")),
        ),
        ("getCampaign", Example::answer(campaign()).id(CAMPAIGN)),
        (
            "createCampaign",
            Example::answer(with(campaign(), json!({ "warnings": [] }))).body(json!({
                "name": "Lisbon leads, November",
                "emailAccountId": ACCOUNT,
                "steps": steps(),
                "schedule": schedule(),
                "dailyLimit": 50,
                "trackOpens": true,
                "trackClicks": true,
                "stopOnReply": true,
                "autoWinner": { "metric": "reply", "minSentPerVariant": 150 },
            })),
        ),
        (
            "updateCampaign",
            Example::answer(campaign_changed(json!({ "warnings": [] })))
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
                "warnings": [{
                    "code": "domain_fails",
                    "message": "example.com fails Gmail's and Yahoo's bulk-sender rules (dkim_missing, dmarc_missing): its email is likely to be refused or filed as spam.",
                    "fix": "Create a key for example.com (the Domains page, or POST /v1/domains/example.com/dkim) and publish the TXT record it shows; or publish the key your mail provider gives you.",
                    "step": null,
                    "domain": "example.com",
                }],
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
                    "heldUntil": null,
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
                    "limitToday": 60,
                    "replyTracking": "on",
                }],
                "notes": [{
                    "code": "ramp_limit",
                    "message": "marta@example.com is warming up: day 5 of its ramp allows 60 of its 300 emails a day",
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
            "getContactPlan",
            Example::answer(json!({
                "contactId": CONTACT_BRUNO,
                "state": "active",
                "reason": null,
                "timezone": "Europe/Lisbon",
                "steps": [{
                    "step": 2,
                    "plannedAt": "2026-11-06T14:15:02Z",
                    "emailAccountId": ACCOUNT,
                    "reasons": [
                        { "code": "contact_zone", "message": "the contact has no zone: sent in the fallback, Europe/Lisbon" },
                        { "code": "delay", "message": "3 calendar days after step 1 in Europe/Lisbon" },
                        { "code": "condition", "message": "sent only if not opened: decided when it comes due, else skipped" },
                    ],
                }],
            }))
            .id(CAMPAIGN)
            .path("contactId", CONTACT_BRUNO),
        ),
        (
            "previewCampaignEmail",
            Example::answer(preview())
                .id(CAMPAIGN)
                .body(json!({ "contactId": CONTACT_BRUNO, "step": 1, "variantId": VARIANT_B })),
        ),
        (
            "sendCampaignTestEmail",
            Example::answer(json!({
                "sent": true,
                "outcome": "sent",
                "smtpReply": "250 2.0.0 Ok: queued as 7QbV1Tz",
                "email": with(preview(), json!({ "to": "marta@example.com", "headers": headers("marta@example.com") })),
            }))
            .id(CAMPAIGN)
            .body(json!({ "to": "marta@example.com", "contactId": CONTACT_BRUNO, "step": 1, "variantId": VARIANT_B })),
        ),
        (
            "getCampaignStats",
            Example::answer(stats())
                .id(CAMPAIGN)
                .query("from", json!("2026-11-02"))
                .query("to", json!("2026-11-04")),
        ),
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
        // A link scanner that clicked within seconds is in the raw totals only.
        "openedRaw": opened,
        "clickedRaw": clicked + u32::from(sent > clicked),
        "openRate": rate(opened),
        "clickRate": rate(clicked),
        "replyRate": rate(replied),
        "bounceRate": 0.0,
        "unsubscribeRate": 0.0,
    })
}

/// The headers of variant B's first email to `to`.
fn headers(to: &str) -> Value {
    json!([
        { "name": "From", "value": "\"Marta from Example\" <marta@example.com>" },
        { "name": "To", "value": to },
        { "name": "Subject", "value": "A thought for Globex" },
        { "name": "Message-ID", "value": "<msg_01m6e0f3h8z2q7w5x9c4v6b1n3@example.com>" },
        { "name": "List-Unsubscribe", "value": "<https://fluenzr.example.com/u/bXNnXzAxbTZlMGYzaDh6MnE3dzV4OWM0djZiMW4z.kP2vQ9>" },
        { "name": "List-Unsubscribe-Post", "value": "List-Unsubscribe=One-Click" },
        { "name": "Content-Type", "value": "text/plain; charset=utf-8" },
        { "name": "Content-Transfer-Encoding", "value": "7bit" },
        { "name": "Date", "value": "Tue, 03 Nov 2026 14:20:11 +0000" },
    ])
}

/// Variant B of the first step for Bruno, as it would go out.
fn preview() -> Value {
    json!({
        "step": 1,
        "variantId": VARIANT_B,
        "seed": "555c0e3f9a1b2d4e",
        "subject": "A thought for Globex",
        "body": "Hello Bruno,\r\n\r\nTeams like Globex book a third more meetings from cold email with us. Could I show you how in 15 minutes next week?\r\n\r\nMarta",
        "bodyText": null,
        "from": "marta@example.com",
        "to": "bruno@example.com",
        "emailAccountId": ACCOUNT,
        "headers": headers("bruno@example.com"),
    })
}

/// One variant's figures: its emails `sent`, and of those opened, clicked, replied.
fn variant(id: &str, sent: u32, opened: u32, clicked: u32, replied: u32) -> Value {
    let all = figures(sent, opened, clicked, replied);
    json!({
        "variantId": id,
        "sent": sent,
        "opened": opened,
        "clicked": clicked,
        "replied": replied,
        "openRate": all["openRate"],
        "clickRate": all["clickRate"],
        "replyRate": all["replyRate"],
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
        "openedRaw": opened,
        "clickedRaw": clicked + u32::from(sent > clicked),
    })
}

/// Ana (variant A) and Bruno (variant B) got the first step on 3 November; Ana opened it that
/// day, Bruno the next, and Ana clicked and replied.
fn stats() -> Value {
    let mut stats = json!({ "campaignId": CAMPAIGN, "contacts": 2 });
    stats = with(stats, figures(2, 2, 1, 1));
    with(
        stats,
        json!({
            "steps": [
                with(
                    json!({ "step": 1, "winnerId": null, "variants": [variant(VARIANT_A, 1, 1, 1, 1), variant(VARIANT_B, 1, 1, 0, 0)] }),
                    figures(2, 2, 1, 1),
                ),
                with(
                    json!({ "step": 2, "winnerId": null, "variants": [variant(VARIANT_FOLLOW_UP, 0, 0, 0, 0)] }),
                    figures(0, 0, 0, 0),
                ),
            ],
            "timeline": [
                day("2026-11-02", 0, 0, 0, 0),
                day("2026-11-03", 2, 1, 0, 0),
                day("2026-11-04", 0, 1, 1, 1),
            ],
        }),
    )
}
