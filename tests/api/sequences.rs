//! Sequences: A/B variants chosen per contact by weight and kept on the message, spintax drawn
//! per message, follow-ups sent only when their condition holds — and every message keeps
//! exactly the subject and body the SMTP server received.

use std::collections::{BTreeSet, HashMap};

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};
use crate::sending::{MONDAY_10, app_at, events_of, launch, messages, pass, smtp_account, stats};
use crate::smtp::Received;

/// An A/B first step (A in HTML with a tracked link, B plain with spintax, 1:1) and a
/// follow-up two days later only to those who did not open.
fn ab_steps() -> Value {
    json!([
        {
            "variants": [
                {
                    "subject": "Quick question, {{firstName}}",
                    "body": "<p>Hi {{firstName}},</p>\n<p>See <a href=\"https://acme.example/offer\">our offer</a>.</p>",
                    "weight": 1
                },
                {
                    "subject": "{{RANDOM | An idea | A thought}} for {{company}}",
                    "body": "{{RANDOM | Hi | Hello {{firstName}}}},\nteams like {{company}} book more meetings.\nMarta",
                    "weight": 1
                }
            ]
        },
        {
            "subject": "",
            "body": "Following up, {{firstName}}.",
            "delayDays": 2,
            "sendIf": "not_opened"
        }
    ])
}

/// The message as the API shows it.
async fn message(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/v1/messages/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.data().clone()
}

/// The one email `to` received whose Message-ID is `smtp_id`.
fn received<'a>(got: &'a [Received], smtp_id: &str) -> &'a Received {
    got.iter()
        .find(|m| m.header("Message-ID").as_deref() == Some(smtp_id))
        .unwrap_or_else(|| panic!("{smtp_id} was not received"))
}

/// The kept message says exactly what the server received: subject, and the body part (the
/// HTML part and its text alternative, or the plain text; a lone part's body ends with the
/// line ends that close the message).
fn assert_kept_as_received(kept: &Value, mail: &Received) {
    assert_eq!(kept["subject"], json!(mail.subject().unwrap()), "{kept}");
    let body = kept["body"].as_str().unwrap();
    match kept["bodyText"].as_str() {
        Some(text) => {
            assert_eq!(mail.html_body().as_deref(), Some(body));
            assert_eq!(mail.text_body().as_deref(), Some(text));
        }
        None => {
            assert!(mail.html_body().is_none(), "{kept}");
            let sent = mail.text_body().unwrap();
            assert_eq!(sent.trim_end_matches("\r\n"), body.trim_end_matches("\r\n"));
        }
    }
}

#[tokio::test]
async fn a_variant_campaign_with_spintax_and_a_not_opened_follow_up_sends_what_it_keeps() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, ids) = launch(&app, &account, ab_steps(), json!({}), 40, "ab").await;
    let shown = &c["steps"][0]["variants"];
    let (a, b) = (
        shown[0]["id"].as_str().unwrap().to_owned(),
        shown[1]["id"].as_str().unwrap().to_owned(),
    );
    assert!(
        a.starts_with("var_") && b.starts_with("var_") && a != b,
        "{c}"
    );
    assert_eq!(c["steps"][1]["sendIf"], "not_opened");

    assert_eq!(pass(&app).await, 40);
    let got = smtp.received();
    assert_eq!(got.len(), 40);

    // Every email is one of its step's variants, kept on its message exactly as received.
    let mut by_variant: HashMap<String, Vec<Value>> = HashMap::new();
    let mut subjects_b = BTreeSet::new();
    let mut openings_b = BTreeSet::new();
    for m in messages(&app).await {
        let kept = message(&app, &m.id).await;
        assert_eq!(kept["step"], 1);
        assert_eq!(kept["state"], "sent");
        let mail = received(&got, &m.message_id);
        assert_kept_as_received(&kept, mail);
        let variant = kept["variantId"].as_str().unwrap().to_owned();
        let person = app.get(&format!("/v1/contacts/{}", m.contact_id)).await;
        let first = person.data()["firstName"].as_str().unwrap().to_owned();
        if variant == a {
            assert_eq!(kept["subject"], json!(format!("Quick question, {first}")));
            assert!(kept["body"].as_str().unwrap().contains("/t/c/"), "{kept}");
        } else {
            assert_eq!(variant, b);
            assert!(
                kept["bodyText"].is_null(),
                "variant B is plain text: {kept}"
            );
            let subject = kept["subject"].as_str().unwrap();
            assert!(
                ["An idea for Initech", "A thought for Initech"].contains(&subject),
                "{subject}"
            );
            subjects_b.insert(subject.to_owned());
            let opening = kept["body"].as_str().unwrap().split(',').next().unwrap();
            assert!(
                opening == "Hi" || opening == format!("Hello {first}"),
                "{opening}"
            );
            openings_b.insert(opening.starts_with("Hello"));
        }
        by_variant.entry(variant).or_default().push(kept);
    }
    // 1:1 weights over 40 contacts: both variants went, and both spintax options of each.
    assert_eq!(by_variant.len(), 2, "{:?}", by_variant.keys());
    assert_eq!(subjects_b.len(), 2, "{subjects_b:?}");
    assert_eq!(openings_b.len(), 2);

    // Webhooks name the variant.
    let sent_events = events_of(&app, "email.sent").await;
    assert_eq!(sent_events.len(), 40);
    for e in &sent_events {
        let kept = message(&app, e["messageId"].as_str().unwrap()).await;
        assert_eq!(e["variantId"], kept["variantId"], "{e}");
    }

    // Half of variant A's contacts open it (a reader's open: after the first seconds).
    app.clock.advance(Duration::seconds(11));
    let openers: Vec<&Value> = by_variant[&a].iter().step_by(2).collect();
    for kept in &openers {
        let body = kept["body"].as_str().unwrap();
        let from = body.find(&format!("{}/t/o/", app.base)).expect("a pixel");
        let pixel = &body[from..from + body[from..].find('"').unwrap()];
        let r = app.client.get(pixel).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let opened: BTreeSet<String> = openers
        .iter()
        .map(|k| k["contactId"].as_str().unwrap().to_owned())
        .collect();

    // Per-variant figures.
    let figures = stats(&app, &c).await;
    let variants = figures["steps"][0]["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2, "{figures}");
    for v in variants {
        let id = v["variantId"].as_str().unwrap();
        let sent = by_variant[id].len();
        assert_eq!(v["sent"], json!(sent), "{v}");
        let expected_opens = if id == a { openers.len() } else { 0 };
        assert_eq!(v["opened"], json!(expected_opens), "{v}");
        let rate = (expected_opens as f64 * 10_000.0 / sent as f64).round() / 100.0;
        assert_eq!(v["openRate"], json!(rate), "{v}");
    }

    // Two days later the follow-up goes to those who did not open; the others' step is
    // skipped, recorded with its reason, and their sequence is done.
    app.clock.advance(Duration::days(2));
    assert_eq!(pass(&app).await, 40 - opened.len());
    let got = smtp.received();
    assert_eq!(got.len(), 80 - opened.len());
    let mut skipped = BTreeSet::new();
    for m in messages(&app).await.into_iter().filter(|m| m.step == 2) {
        let kept = message(&app, &m.id).await;
        if opened.contains(&m.contact_id) {
            assert_eq!(kept["state"], "skipped", "{kept}");
            assert_eq!(kept["skipReason"], "condition");
            assert!(kept["body"].is_null());
            skipped.insert(m.contact_id.clone());
        } else {
            assert_eq!(kept["state"], "sent", "{kept}");
            assert!(
                kept["subject"].as_str().unwrap().starts_with("Re: "),
                "{kept}"
            );
            assert_kept_as_received(&kept, received(&got, &m.message_id));
        }
    }
    assert_eq!(skipped, opened);
    for e in crate::sending::enrolments(&app, &c).await {
        assert_eq!(e["state"], "completed", "{e}");
    }
    assert_eq!(ids.len(), 40);
    let done = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(done.data()["status"], "completed");
}

#[tokio::test]
async fn weights_share_out_contacts_and_a_zero_weight_sends_to_nobody() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([{ "variants": [
        { "subject": "One", "body": "One body", "weight": 3 },
        { "subject": "Two", "body": "Two body", "weight": 1 },
        { "subject": "Never", "body": "Never body", "weight": 0 }
    ] }]);
    launch(&app, &account, steps, json!({}), 80, "w").await;
    let mut sent = 0;
    for _ in 0..10 {
        sent += pass(&app).await;
    }
    assert_eq!(sent, 80);
    let subjects: Vec<String> = smtp
        .received()
        .iter()
        .map(|m| m.subject().unwrap())
        .collect();
    let count = |s: &str| subjects.iter().filter(|x| x.as_str() == s).count();
    assert_eq!(count("Never"), 0);
    assert_eq!(count("One") + count("Two"), 80);
    // 3:1 over 80 contacts: about 60 and 20 (far outside these bounds only by a broken draw).
    assert!((45..=75).contains(&count("One")), "{}", count("One"));
}

#[tokio::test]
async fn variants_and_conditions_are_checked_and_ids_kept_across_edits() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let refused = |steps: Value| {
        let app = &app;
        let account = account.clone();
        async move {
            let r = app
                .post(
                    "/v1/campaigns",
                    json!({ "name": "x", "emailAccountId": account["id"], "steps": steps }),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
            r.body["error"].clone()
        }
    };
    let e = refused(
        json!([{ "subject": "a", "body": "b", "variants": [{ "subject": "c", "body": "d" }] }]),
    )
    .await;
    assert_eq!(e["details"]["part"], "variants", "{e}");
    let e = refused(json!([{ "variants": [] }])).await;
    assert_eq!(e["details"]["part"], "variants", "{e}");
    let e = refused(json!([{ "variants": [{ "subject": "a", "body": "b", "weight": 0 }] }])).await;
    assert_eq!(e["details"]["part"], "variants", "{e}");
    let e = refused(json!([{ "variants": [{ "subject": "a", "body": "b", "weight": -1 }] }])).await;
    assert_eq!(e["details"]["part"], "variants[0].weight", "{e}");
    let e = refused(json!([{ "variants": [{ "subject": "", "body": "b" }] }])).await;
    assert_eq!(e["details"]["part"], "variants[0].subject", "{e}");
    let e = refused(json!([{ "variants": [{ "subject": "a", "body": "{{RANDOM | x" }] }])).await;
    assert_eq!(e["details"]["part"], "variants[0].body", "{e}");
    assert_eq!(e["details"]["position"], 0, "{e}");
    let e = refused(json!([{ "subject": "a", "body": "b", "sendIf": "opened" }])).await;
    assert_eq!(e["details"]["part"], "sendIf", "{e}");
    let e =
        refused(json!([{ "variants": [{ "id": "var_nope", "subject": "a", "body": "b" }] }])).await;
    assert_eq!(e["details"]["part"], "variants[0].id", "{e}");
    let r = app
        .post(
            "/v1/campaigns",
            json!({ "name": "x", "steps": [{ "subject": "a", "body": "b" }, { "body": "c", "sendIf": "sometimes" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    // An edit keeps a variant (and its figures) by id, and makes new ones.
    let c = app
        .campaign(json!({ "name": "keep", "emailAccountId": account["id"], "steps": [{ "subject": "a", "body": "b" }] }))
        .await;
    let kept = c["steps"][0]["variants"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "steps": [{ "variants": [
                { "id": kept, "subject": "a2", "body": "b2", "weight": 2 },
                { "subject": "new", "body": "n" }
            ] }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let variants = &r.data()["steps"][0]["variants"];
    assert_eq!(variants[0]["id"], json!(kept));
    assert_eq!(variants[0]["weight"], 2);
    assert_eq!(r.data()["steps"][0]["subject"], "a2");
    assert!(variants[1]["id"].as_str().unwrap().starts_with("var_"));
    assert_ne!(variants[1]["id"], json!(kept));
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "steps": [{ "variants": [
                { "id": kept, "subject": "a", "body": "b" },
                { "id": kept, "subject": "a", "body": "b" }
            ] }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    drop(smtp);
}

#[tokio::test]
async fn another_workspace_s_message_is_not_found() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    launch(&app, &account, ab_steps(), json!({}), 1, "own").await;
    assert_eq!(pass(&app).await, 1);
    let id = messages(&app).await[0].id.clone();
    let (_, other) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let r = app
        .request_as(
            Some(&other),
            reqwest::Method::GET,
            &format!("/v1/messages/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.get("/v1/messages/msg_nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

async fn sending_status(app: &TestApp, c: &Value) -> Value {
    let r = app
        .get(&format!("/v1/campaigns/{}/sending-status", id_of(c)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.data().clone()
}

async fn contact_in(app: &TestApp, email: &str, zone: Option<&str>) -> String {
    let mut body = json!({ "email": email, "firstName": "Zed" });
    if let Some(zone) = zone {
        body["timezone"] = json!(zone);
    }
    id_of(&app.contact(body).await)
}

fn next_send_of(enrolments: &[Value], contact: &str) -> Value {
    enrolments
        .iter()
        .find(|e| e["contact"]["id"] == contact)
        .map(|e| (e["nextSendAt"].clone(), e["reason"].clone()))
        .map(|(at, reason)| json!({ "at": at, "reason": reason }))
        .unwrap()
}

#[tokio::test]
async fn each_contact_is_emailed_in_its_own_window_and_waits_in_its_own_days() {
    // Sunday 29 Nov 2026, 00:30 UTC: 09:30 Monday in Tokyo, 19:30 Sunday in New York.
    let (app, smtp) = app_at("2026-11-30T00:30:00Z").await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let tokyo = contact_in(&app, "tokyo@example.com", Some("Asia/Tokyo")).await;
    let new_york = contact_in(&app, "ny@example.com", Some("America/New_York")).await;
    let nowhere = contact_in(&app, "utc@example.com", None).await;
    let c = crate::sending::campaign(
        &app,
        &account,
        json!([
            { "subject": "Hi {{firstName}}", "body": "One" },
            { "subject": "", "body": "Two", "delayDays": 2 }
        ]),
        json!({ "schedule": { "timezone": "contact", "fallbackTimezone": "UTC",
            "days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "10:00" } }),
    )
    .await;
    assert_eq!(c["schedule"]["timezone"], "contact");
    assert_eq!(c["schedule"]["fallbackTimezone"], "UTC");
    crate::sending::enrol(
        &app,
        &c,
        &[tokyo.clone(), new_york.clone(), nowhere.clone()],
    )
    .await;
    crate::sending::start(&app, &c).await;

    // Only Tokyo's window is open.
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received()[0].to, vec!["tokyo@example.com".to_owned()]);
    let e = crate::sending::enrolments(&app, &c).await;
    assert_eq!(
        next_send_of(&e, &new_york),
        json!({ "at": "2026-11-30T14:00:00Z", "reason": "outside_window" })
    );
    assert_eq!(
        next_send_of(&e, &nowhere),
        json!({ "at": "2026-11-30T09:00:00Z", "reason": "outside_window" })
    );
    // Tokyo's follow-up: two calendar days later in Tokyo, at the same local time.
    assert_eq!(next_send_of(&e, &tokyo)["at"], "2026-12-02T00:30:00Z");
    let status = app
        .get(&format!("/v1/campaigns/{}/sending-status", id_of(&c)))
        .await;
    assert_eq!(status.data()["state"], "nothing_due", "{}", status.body);

    // 09:30 UTC: the contact without a zone goes (the fallback); New York sleeps.
    app.clock.set(crate::sending::at("2026-11-30T09:30:00Z"));
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received()[1].to, vec!["utc@example.com".to_owned()]);
    // 14:30 UTC is 09:30 in New York.
    app.clock.set(crate::sending::at("2026-11-30T14:30:00Z"));
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received()[2].to, vec!["ny@example.com".to_owned()]);
    let e = crate::sending::enrolments(&app, &c).await;
    assert_eq!(next_send_of(&e, &new_york)["at"], "2026-12-02T14:30:00Z");
    assert_eq!(messages(&app).await.len(), 3);
}

#[tokio::test]
async fn a_night_window_sends_across_midnight_and_skipped_dates_send_nothing() {
    // Monday 30 Nov 2026, 12:00 UTC.
    let (app, smtp) = app_at("2026-11-30T12:00:00Z").await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, _) = launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Night" }]),
        json!({ "schedule": { "timezone": "UTC", "days": [1, 2, 3, 4, 5],
            "startTime": "18:00", "endTime": "09:00", "skipDates": ["2026-12-01", "2026-12-01"] } }),
        2,
        "night",
    )
    .await;
    assert_eq!(c["schedule"]["skipDates"], json!(["2026-12-01"]));
    let s = sending_status(&app, &c).await;
    assert_eq!(s["state"], "outside_window");
    assert_eq!(s["nextWindowAt"], "2026-11-30T18:00:00Z");
    assert_eq!(pass(&app).await, 0);
    // Tuesday 03:00 is inside Monday's night.
    app.clock.set(crate::sending::at("2026-12-01T03:00:00Z"));
    assert_eq!(pass(&app).await, 1 + 1);
    assert_eq!(smtp.received().len(), 2);
    // Tuesday's night is skipped: after Tuesday 09:00 the next opening is Wednesday 18:00.
    app.clock.set(crate::sending::at("2026-12-01T12:00:00Z"));
    let s = sending_status(&app, &c).await;
    assert_eq!(s["nextWindowAt"], "2026-12-02T18:00:00Z");

    // Bad schedules are refused, naming the field.
    for (schedule, field) in [
        (
            json!({ "startTime": "09:00", "endTime": "09:00" }),
            "schedule.endTime",
        ),
        (json!({ "skipDates": ["2026-02-30"] }), "schedule.skipDates"),
        (json!({ "timezone": "Mars/Olympus" }), "schedule.timezone"),
        (
            json!({ "timezone": "contact", "fallbackTimezone": "Nope" }),
            "schedule.fallbackTimezone",
        ),
    ] {
        let r = app
            .post(
                "/v1/campaigns",
                json!({ "name": "x", "schedule": schedule }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], field, "{}", r.body);
    }
    let r = app
        .post(
            "/v1/contacts",
            json!({ "email": "tz@example.com", "timezone": "Moon/Base" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "timezone");
    let r = app
        .post(
            "/v1/contacts",
            json!({ "email": "tz@example.com", "timezone": " asia/tokyo " }),
        )
        .await;
    // IANA names are case-sensitive: a near miss is refused rather than guessed.
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app
        .post(
            "/v1/contacts",
            json!({ "email": "tz@example.com", "timezone": " Asia/Tokyo " }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.data()["timezone"], "Asia/Tokyo");
    let r = app
        .put(
            &format!("/v1/contacts/{}", id_of(r.data())),
            json!({ "timezone": null }),
        )
        .await;
    assert_eq!(r.data()["timezone"], Value::Null);
}

#[tokio::test]
async fn misspelt_variables_are_warned_about_with_the_field_they_likely_meant() {
    let app = crate::helpers::spawn_app().await;
    app.contact(json!({ "email": "p@example.com", "customFields": { "seatCount": 3 } }))
        .await;
    let r = app
        .post(
            "/v1/campaigns",
            json!({ "name": "typos", "steps": [
                { "subject": "Hi {{firstname}}", "body": "{{seatcount}} seats at {{company}}; {{budget | some}} budget" }
            ] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let warnings = r.data()["warnings"].as_array().unwrap().clone();
    let variant = r.data()["steps"][0]["variants"][0]["id"].clone();
    let named: Vec<Value> = warnings
        .iter()
        .map(|w| {
            json!([
                w["step"],
                w["variantId"],
                w["part"],
                w["variable"],
                w["suggestion"]
            ])
        })
        .collect();
    assert_eq!(
        named,
        vec![
            json!([1, variant, "subject", "firstname", "firstName"]),
            json!([1, variant, "body", "seatcount", "seatCount"]),
            json!([1, variant, "body", "budget", null]),
        ]
    );
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean 'firstName'"),
        "{warnings:?}"
    );
    // Fixed, no warnings; a read of the campaign does not carry them.
    let id = id_of(r.data());
    let r = app
        .put(
            &format!("/v1/campaigns/{id}"),
            json!({ "steps": [{ "subject": "Hi {{firstName}}", "body": "{{seatCount}} seats" }] }),
        )
        .await;
    assert_eq!(r.data()["warnings"], json!([]), "{}", r.body);
    assert!(
        app.get(&format!("/v1/campaigns/{id}"))
            .await
            .data()
            .get("warnings")
            .is_none()
    );
    let r = app
        .gql(
            "query($id: ID!) { campaign(id: $id) { warnings { variable } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.body["data"]["campaign"]["warnings"],
        json!([]),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_preview_with_a_message_s_seed_is_that_message_and_a_test_send_records_nothing() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, ids) = launch(&app, &account, ab_steps(), json!({}), 6, "pv").await;
    assert_eq!(pass(&app).await, 6);
    let b = c["steps"][0]["variants"][1]["id"].clone();
    let sent: Vec<Value> = {
        let mut out = Vec::new();
        for m in messages(&app).await {
            out.push(message(&app, &m.id).await);
        }
        out
    };
    let plain = sent
        .iter()
        .find(|m| m["variantId"] == b)
        .expect("one of six got variant B");
    // The seed a message kept draws the same variant and spintax: the preview is the email.
    let r = app
        .post(
            &format!("/v1/campaigns/{}/preview", id_of(&c)),
            json!({ "contactId": plain["contactId"], "step": 1, "seed": plain["seed"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = r.data();
    assert_eq!(p["variantId"], b);
    assert_eq!(p["seed"], plain["seed"]);
    assert_eq!(p["subject"], plain["subject"]);
    assert_eq!(p["body"], plain["body"]);
    let header = |name: &str| {
        p["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == name)
            .map(|h| h["value"].clone())
    };
    assert_eq!(header("Subject"), Some(plain["subject"].clone()));
    assert!(header("List-Unsubscribe").is_some());
    // A follow-up answers the thread the first email started.
    let r = app
        .post(
            &format!("/v1/campaigns/{}/preview", id_of(&c)),
            json!({ "contactId": plain["contactId"], "step": 2 }),
        )
        .await;
    assert_eq!(
        r.data()["subject"],
        json!(format!("Re: {}", plain["subject"].as_str().unwrap()))
    );
    let first_id = messages(&app)
        .await
        .into_iter()
        .find(|m| m.id == plain["id"])
        .unwrap()
        .message_id;
    assert!(
        r.data()["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"] == "In-Reply-To" && h["value"] == first_id),
        "{}",
        r.body
    );
    // Refusals name the field.
    for (body, field) in [
        (json!({ "contactId": ids[0], "step": 3 }), "step"),
        (
            json!({ "contactId": ids[0], "step": 1, "variantId": "var_other" }),
            "variantId",
        ),
        (
            json!({ "contactId": ids[0], "step": 1, "seed": "x" }),
            "seed",
        ),
    ] {
        let r = app
            .post(&format!("/v1/campaigns/{}/preview", id_of(&c)), body)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"]["details"]["field"], field, "{}", r.body);
    }
    let nameless = id_of(
        &app.contact(json!({ "email": "nameless@example.com" }))
            .await,
    );
    let r = app
        .post(
            &format!("/v1/campaigns/{}/preview", id_of(&c)),
            json!({ "contactId": nameless, "step": 1, "variantId": c["steps"][0]["variants"][0]["id"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["variable"], "firstName");

    // A draft's text previews in the step's place (a live preview while editing).
    let r = app
        .post(
            &format!("/v1/campaigns/{}/preview", id_of(&c)),
            json!({ "contactId": plain["contactId"], "step": 1, "subject": "Draft for {{firstName}}", "body": "{{RANDOM | Yo | Yo}} {{company}}" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.data()["subject"]
            .as_str()
            .unwrap()
            .starts_with("Draft for Ana"),
        "{}",
        r.body
    );
    assert_eq!(r.data()["body"], "Yo Initech");
    let r = app
        .post(
            &format!("/v1/campaigns/{}/preview", id_of(&c)),
            json!({ "contactId": plain["contactId"], "step": 1, "body": "Hi {{first name}}" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "body", "{}", r.body);
    assert_eq!(r.body["error"]["details"]["position"], 3, "{}", r.body);

    // A test send goes to the address given, composed for the contact; nothing is recorded.
    let before = (
        messages(&app).await.len(),
        crate::sending::stats(&app, &c).await["sent"].clone(),
    );
    let r = app
        .post(
            &format!("/v1/campaigns/{}/test", id_of(&c)),
            json!({ "to": "qa@example.com", "contactId": plain["contactId"], "step": 1, "variantId": b }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["sent"], true, "{}", r.body);
    let got = smtp.received();
    let test = got.last().unwrap();
    assert_eq!(test.to, vec!["qa@example.com".to_owned()]);
    assert_eq!(json!(test.subject().unwrap()), r.data()["email"]["subject"]);
    let after = (
        messages(&app).await.len(),
        crate::sending::stats(&app, &c).await["sent"].clone(),
    );
    assert_eq!(before, after);
}

fn codes_of(plan: &Value, i: usize) -> Vec<String> {
    plan["steps"][i]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_plan_says_when_each_step_goes_and_why() {
    // Monday 30 Nov 2026, 12:00 UTC: 07:00 in New York.
    let (app, smtp) = app_at("2026-11-30T12:00:00Z").await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let ny = contact_in(&app, "plan@example.com", Some("America/New_York")).await;
    let c = crate::sending::campaign(
        &app,
        &account,
        json!([
            { "subject": "Hi", "body": "One" },
            { "subject": "", "body": "Two", "delayDays": 3 },
            { "subject": "", "body": "Three", "delayDays": 1, "sendIf": "not_clicked" }
        ]),
        json!({ "schedule": { "timezone": "contact", "days": [1, 2, 3, 4, 5],
            "startTime": "09:00", "endTime": "17:00", "skipDates": ["2026-12-03"] } }),
    )
    .await;
    crate::sending::enrol(&app, &c, std::slice::from_ref(&ny)).await;
    let url = format!("/v1/campaigns/{}/contacts/{ny}/plan", id_of(&c));
    let r = app.get(&url).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let plan = r.data();
    assert_eq!(plan["state"], "pending");
    assert_eq!(plan["timezone"], "America/New_York");
    assert!(
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["plannedAt"].is_null())
    );

    crate::sending::start(&app, &c).await;
    let plan = app.get(&url).await.data().clone();
    let codes = |i: usize| -> Vec<String> {
        plan["steps"][i]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(plan["state"], "active");
    // 07:00 in New York: the first step waits for 09:00 there.
    assert_eq!(plan["steps"][0]["plannedAt"], "2026-11-30T14:00:00Z");
    assert_eq!(plan["steps"][0]["emailAccountId"], account["id"]);
    assert_eq!(codes(0), ["contact_zone", "window"]);
    // Three days later is Thursday 3 December, a skipped date: Friday.
    assert_eq!(plan["steps"][1]["plannedAt"], "2026-12-04T14:00:00Z");
    assert_eq!(codes(1), ["contact_zone", "delay", "window", "skip_date"]);
    // One day after Friday is Saturday: Monday; only if nothing was clicked.
    assert_eq!(plan["steps"][2]["plannedAt"], "2026-12-07T14:00:00Z");
    assert_eq!(codes(2), ["contact_zone", "delay", "window", "condition"]);

    // Once the first step is sent, the plan is of what is left.
    app.clock.set(crate::sending::at("2026-11-30T14:30:00Z"));
    assert_eq!(pass(&app).await, 1);
    let plan = app.get(&url).await.data().clone();
    assert_eq!(plan["steps"].as_array().unwrap().len(), 2);
    assert_eq!(plan["steps"][0]["step"], 2);
    assert_eq!(plan["steps"][0]["plannedAt"], "2026-12-04T14:00:00Z");
    assert_eq!(
        codes_of(&plan, 0),
        ["contact_zone", "delay", "window", "skip_date"]
    );

    // Someone not enrolled has no plan.
    let other = contact_in(&app, "other@example.com", None).await;
    let r = app
        .get(&format!(
            "/v1/campaigns/{}/contacts/{other}/plan",
            id_of(&c)
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn a_plan_names_a_change_of_utc_offset() {
    // Friday 26 March 2027, 10:00 UTC (10:00 in Lisbon, still UTC+0); Lisbon moves to UTC+1
    // on Sunday 28 March.
    let (app, smtp) = app_at("2027-03-26T10:00:00Z").await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, ids) = launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "One" }, { "subject": "", "body": "Two", "delayDays": 3 }]),
        json!({ "schedule": { "timezone": "Europe/Lisbon", "days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00" } }),
        1,
        "dst",
    )
    .await;
    assert_eq!(pass(&app).await, 1);
    let plan = app
        .get(&format!(
            "/v1/campaigns/{}/contacts/{}/plan",
            id_of(&c),
            ids[0]
        ))
        .await
        .data()
        .clone();
    // Monday 29 March, 10:00 in Lisbon is 09:00 UTC.
    assert_eq!(plan["steps"][0]["plannedAt"], "2027-03-29T09:00:00Z");
    let dst = plan["steps"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "dst")
        .expect("the offset change is named");
    assert!(
        dst["message"]
            .as_str()
            .unwrap()
            .contains("UTC+00:00 → UTC+01:00"),
        "{dst}"
    );
}

#[tokio::test]
async fn a_completed_campaign_takes_new_contacts_and_runs_again() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, _) = launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "One" }]),
        json!({}),
        1,
        "again",
    )
    .await;
    assert_eq!(pass(&app).await, 1);
    let done = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(done.data()["status"], "completed");
    let late = contact_in(&app, "late@example.com", None).await;
    crate::sending::enrol(&app, &c, std::slice::from_ref(&late)).await;
    let again = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(again.data()["status"], "running", "{}", again.body);
    assert_eq!(again.data()["completedAt"], Value::Null);
    assert_eq!(events_of(&app, "campaign.started").await.len(), 2);
    assert_eq!(pass(&app).await, 1);
    assert_eq!(
        smtp.received().last().unwrap().to,
        vec!["late@example.com".to_owned()]
    );
    let done = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(done.data()["status"], "completed");
    // Enrolling only contacts already in it changes nothing.
    crate::sending::enrol(&app, &c, std::slice::from_ref(&late)).await;
    let still = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(still.data()["status"], "completed");
}

#[tokio::test]
async fn an_automatic_winner_takes_every_send_once_each_variant_has_its_share() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([{ "variants": [
        { "subject": "Alpha", "body": "<p>A <a href=\"https://acme.example/a\">a</a></p>", "weight": 1 },
        { "subject": "Beta", "body": "<p>B <a href=\"https://acme.example/b\">b</a></p>", "weight": 1 }
    ] }]);
    let c = crate::sending::campaign(
        &app,
        &account,
        steps,
        json!({ "autoWinner": { "metric": "click", "minSentPerVariant": 2 }, "dailyLimit": 1000 }),
    )
    .await;
    assert_eq!(
        c["autoWinner"],
        json!({ "metric": "click", "minSentPerVariant": 2 })
    );
    // 20 contacts at 1:1: each variant gets 2 or more but once in 50 000 runs.
    let first = crate::sending::people(&app, 20, "aw").await;
    crate::sending::enrol(&app, &c, &first).await;
    crate::sending::start(&app, &c).await;
    assert_eq!(pass(&app).await, 20);
    app.clock.advance(Duration::seconds(11));
    // Every Beta email is clicked; no Alpha one.
    let mut by_subject: HashMap<String, usize> = HashMap::new();
    for mail in smtp.received() {
        let subject = mail.subject().unwrap();
        *by_subject.entry(subject.clone()).or_default() += 1;
        if subject == "Beta" {
            let html = mail.html_body().unwrap();
            let from = html.find(&format!("{}/t/c/", app.base)).unwrap();
            let link = &html[from..from + html[from..].find('"').unwrap()];
            let no_redirects = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let r = no_redirects.get(link).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FOUND);
        }
    }
    assert!(
        by_subject["Alpha"] >= 2 && by_subject["Beta"] >= 2,
        "{by_subject:?}"
    );
    let beta = c["steps"][0]["variants"][1]["id"].clone();
    let figures = stats(&app, &c).await;
    assert_eq!(figures["steps"][0]["winnerId"], Value::Null);

    // Newcomers: the next claim decides (both have their sends), Beta wins, and gets them all.
    let more = crate::sending::people(&app, 10, "late").await;
    crate::sending::enrol(&app, &c, &more).await;
    assert_eq!(pass(&app).await, 10);
    let late: Vec<String> = smtp.received()[20..]
        .iter()
        .map(|m| m.subject().unwrap())
        .collect();
    assert_eq!(late, vec!["Beta".to_owned(); 10]);
    let won = events_of(&app, "campaign.variant_won").await;
    assert_eq!(won.len(), 1, "{won:?}");
    assert_eq!(won[0]["variantId"], beta);
    assert_eq!(won[0]["metric"], "click");
    assert_eq!(won[0]["step"], 1);
    let figures = stats(&app, &c).await;
    assert_eq!(figures["steps"][0]["winnerId"], beta);
    // The automatic winner is refused when malformed, and can be turned off.
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "autoWinner": { "metric": "reply", "minSentPerVariant": 0 } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        r.body["error"]["details"]["field"],
        "autoWinner.minSentPerVariant"
    );
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "autoWinner": null }),
        )
        .await;
    assert_eq!(r.data()["autoWinner"], Value::Null, "{}", r.body);
}

#[tokio::test]
async fn fixing_a_held_contact_s_field_sends_its_email_at_once() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let held = id_of(&app.contact(json!({ "email": "held@example.com" })).await);
    let c = crate::sending::campaign(
        &app,
        &account,
        json!([{ "subject": "Hi {{firstName}}", "body": "Hello" }]),
        json!({}),
    )
    .await;
    crate::sending::enrol(&app, &c, std::slice::from_ref(&held)).await;
    crate::sending::start(&app, &c).await;
    assert_eq!(pass(&app).await, 0);
    let e = crate::sending::enrolments(&app, &c).await;
    assert_eq!(e[0]["reason"], "missing_field:firstName");
    let r = app
        .put(
            &format!("/v1/contacts/{held}"),
            json!({ "firstName": "Helena" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(pass(&app).await, 1);
    assert_eq!(smtp.received()[0].subject().unwrap(), "Hi Helena");
}

#[tokio::test]
async fn variants_spintax_a_not_opened_follow_up_and_contact_zones_together() {
    // Monday 30 Nov 2026, 10:00 UTC: 19:00 in Tokyo.
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let mut tokyo = Vec::new();
    let mut utc = Vec::new();
    for i in 0..12 {
        let zone = (i % 2 == 0).then_some("Asia/Tokyo");
        let id = contact_in(&app, &format!("z{i}@example.com"), zone).await;
        let r = app
            .put(
                &format!("/v1/contacts/{id}"),
                json!({ "firstName": format!("Zed{i}"), "company": "Initech" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if zone.is_some() {
            tokyo.push(id)
        } else {
            utc.push(id)
        }
    }
    let mut steps = ab_steps();
    steps[1]["delayDays"] = json!(1);
    let c = crate::sending::campaign(
        &app,
        &account,
        steps,
        json!({ "schedule": { "timezone": "contact", "fallbackTimezone": "UTC", "days": [1, 2, 3, 4, 5, 6, 7],
            "startTime": "09:00", "endTime": "17:00" } }),
    )
    .await;
    let everyone: Vec<String> = tokyo.iter().chain(&utc).cloned().collect();
    crate::sending::enrol(&app, &c, &everyone).await;
    crate::sending::start(&app, &c).await;

    // 10:00 UTC: the contacts without a zone (UTC) are in their window; Tokyo's evening is not.
    assert_eq!(pass(&app).await, utc.len());
    // Tuesday 00:30 UTC is 09:30 in Tokyo.
    app.clock.set(crate::sending::at("2026-12-01T00:30:00Z"));
    assert_eq!(pass(&app).await, tokyo.len());
    let got = smtp.received();
    assert_eq!(got.len(), 12);
    app.clock.advance(Duration::seconds(11));
    let mut variants = BTreeSet::new();
    let mut opened = BTreeSet::new();
    for (i, m) in messages(&app).await.iter().enumerate() {
        let kept = message(&app, &m.id).await;
        assert_kept_as_received(&kept, received(&got, &m.message_id));
        variants.insert(kept["variantId"].as_str().unwrap().to_owned());
        // A third of the recipients open (only HTML variant A has a pixel).
        let body = kept["body"].as_str().unwrap();
        if i % 3 == 0
            && let Some(from) = body.find(&format!("{}/t/o/", app.base))
        {
            let pixel = &body[from..from + body[from..].find('"').unwrap()];
            assert!(
                app.client
                    .get(pixel)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .is_success()
            );
            opened.insert(m.contact_id.clone());
        }
    }
    assert_eq!(variants.len(), 2, "both variants went out");
    // The follow-up: one calendar day later in each contact's zone, only to those who did not
    // open; the others' step is skipped with its reason.
    app.clock.set(crate::sending::at("2026-12-01T10:30:00Z"));
    pass(&app).await;
    app.clock.set(crate::sending::at("2026-12-02T00:30:00Z"));
    pass(&app).await;
    let got = smtp.received();
    assert_eq!(got.len(), 12 + 12 - opened.len());
    for m in messages(&app).await.into_iter().filter(|m| m.step == 2) {
        let kept = message(&app, &m.id).await;
        if opened.contains(&m.contact_id) {
            assert_eq!(kept["state"], "skipped");
            assert_eq!(kept["skipReason"], "condition");
        } else {
            assert_eq!(kept["state"], "sent");
            let mail = received(&got, &m.message_id);
            assert_kept_as_received(&kept, mail);
            // Sent in the contact's own window: 09:00–17:00 there.
            // (Tokyo keeps UTC+9 all year.)
            let sent_at = crate::sending::at(kept["sentAt"].as_str().unwrap());
            let hours = if tokyo.contains(&m.contact_id) { 9 } else { 0 };
            let local = (sent_at + Duration::hours(hours)).time();
            let (nine, five) = (
                chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            );
            assert!(local >= nine && local < five, "{local} (+{hours} h)");
        }
    }
    let done = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(done.data()["status"], "completed");
}

#[tokio::test]
async fn a_campaign_saved_before_variants_reads_edits_and_sends_as_one_variant() {
    use sea_orm::{ConnectionTrait, Statement};
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (c, _) = launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({}),
        1,
        "old",
    )
    .await;
    // The steps as a build before variants stored them: no variants, no condition.
    let backend = app.db.get_database_backend();
    let legacy =
        json!([{ "subject": "Hi {{firstName}}", "body": "Hello", "delayDays": 0 }]).to_string();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE campaigns SET steps = $1::jsonb WHERE id = $2",
        _ => "UPDATE campaigns SET steps = $1 WHERE id = $2",
    };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            vec![legacy.into(), id_of(&c).into()],
        ))
        .await
        .unwrap();
    let shown = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    let variant = shown.data()["steps"][0]["variants"][0]["id"].clone();
    assert_eq!(
        variant,
        json!(format!("var_{}_1", id_of(&c).trim_start_matches("cmp_")))
    );
    assert_eq!(shown.data()["steps"][0]["sendIf"], "always");
    // It sends as its one variant, and its figures are that variant's.
    assert_eq!(pass(&app).await, 1);
    let m = &messages(&app).await[0];
    assert_eq!(m.variant_id.as_deref(), variant.as_str());
    let figures = stats(&app, &c).await;
    assert_eq!(figures["steps"][0]["variants"][0]["variantId"], variant);
    assert_eq!(figures["steps"][0]["variants"][0]["sent"], 1);
}

#[tokio::test]
async fn machine_hits_count_nowhere_and_leave_a_not_opened_follow_up_to_go() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([
        { "subject": "Hi", "body": "<p>Hello, see <a href=\"https://acme.example/offer\">the offer</a></p>" },
        { "subject": "", "body": "Following up", "delayDays": 1, "sendIf": "not_opened" }
    ]);
    let (c, _) = launch(&app, &account, steps, json!({}), 1, "mach").await;
    assert_eq!(pass(&app).await, 1);
    let html = smtp.received()[0].html_body().unwrap();
    let link = |prefix: &str| {
        let from = html.find(&format!("{}{prefix}", app.base)).unwrap();
        html[from..from + html[from..].find('"').unwrap()].to_owned()
    };
    let (pixel, click) = (link("/t/o/"), link("/t/c/"));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let hit = |method: reqwest::Method, url: &str, agent: &str| {
        browser
            .request(method, url)
            .header("user-agent", agent)
            .send()
    };
    const READER: &str =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
    // Within seconds of sending: a gateway's scanner.
    assert!(
        hit(reqwest::Method::GET, &pixel, READER)
            .await
            .unwrap()
            .status()
            .is_success()
    );
    app.clock.advance(Duration::seconds(30));
    // Apple's image proxy, a link checker's HEAD, a security scanner's click.
    assert!(
        hit(reqwest::Method::GET, &pixel, "Mozilla/5.0")
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let r = hit(reqwest::Method::HEAD, &click, READER).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FOUND,
        "a link checker still follows the link"
    );
    let r = hit(
        reqwest::Method::GET,
        &click,
        "Mozilla/5.0 (compatible; Barracuda Sentinel)",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);

    let figures = stats(&app, &c).await;
    assert_eq!(
        (figures["opened"].clone(), figures["clicked"].clone()),
        (json!(0), json!(0))
    );
    // The raw totals count every hit's contact, machines included; rates are the readers'.
    assert_eq!(
        (figures["openedRaw"].clone(), figures["clickedRaw"].clone()),
        (json!(1), json!(1)),
        "{figures}"
    );
    assert_eq!(figures["openRate"], 0.0);
    assert_eq!(figures["steps"][0]["openedRaw"], 1);
    let m = &messages(&app).await[0];
    assert!(m.opened_at.is_none() && m.clicked_at.is_none());
    let reasons = |events: Vec<Value>| -> Vec<(Value, Value)> {
        events
            .iter()
            .map(|e| (e["machine"].clone(), e["reason"].clone()))
            .collect()
    };
    assert_eq!(
        reasons(events_of(&app, "email.opened").await),
        vec![
            (json!(true), json!("scanner_fast")),
            (json!(true), json!("apple_mpp"))
        ]
    );
    assert_eq!(
        reasons(events_of(&app, "email.clicked").await),
        vec![
            (json!(true), json!("head_request")),
            (json!(true), json!("known_scanner"))
        ]
    );

    // Nobody opened it: the not_opened follow-up goes the next day.
    app.clock.advance(Duration::days(1));
    assert_eq!(pass(&app).await, 1);
    // A reader's open counts, and says it is a reader's.
    assert!(
        hit(reqwest::Method::GET, &pixel, READER)
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let figures = stats(&app, &c).await;
    assert_eq!(figures["opened"], 1);
    assert_eq!(
        figures["openedRaw"], 1,
        "one contact, counted once in the raw total"
    );
    let opened = events_of(&app, "email.opened").await;
    assert_eq!(opened.last().unwrap()["machine"], false);
}

#[tokio::test]
async fn clicks_on_every_link_at_once_are_a_scanner_s() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([{
        "subject": "Hi",
        "body": "<p>See <a href=\"https://acme.example/offer\">the offer</a> or <a href=\"https://acme.example/pricing\">pricing</a></p>"
    }]);
    let (c, _) = launch(&app, &account, steps, json!({}), 1, "links").await;
    assert_eq!(pass(&app).await, 1);
    let html = smtp.received()[0].html_body().unwrap();
    let links: Vec<String> = html
        .match_indices(&format!("{}/t/c/", app.base))
        .map(|(from, _)| html[from..from + html[from..].find('"').unwrap()].to_owned())
        .collect();
    assert_eq!(links.len(), 2, "{html}");
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    const READER: &str =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
    let click = |url: String| {
        let browser = browser.clone();
        async move {
            let r = browser
                .get(&url)
                .header("user-agent", READER)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FOUND, "the link still redirects");
        }
    };
    // A minute after delivery, a scanner follows both links two seconds apart: the second
    // shows the burst for a scanner's, and the first, counted as a reader's, is taken back.
    app.clock.advance(Duration::seconds(60));
    click(links[0].clone()).await;
    assert_eq!(stats(&app, &c).await["clicked"], 1, "counted at first");
    app.clock.advance(Duration::seconds(2));
    click(links[1].clone()).await;
    let figures = stats(&app, &c).await;
    assert_eq!(
        (figures["clicked"].clone(), figures["clickedRaw"].clone()),
        (json!(0), json!(1)),
        "{figures}"
    );
    assert_eq!(figures["steps"][0]["clicked"], 0);
    assert_eq!(figures["clickRate"], 0.0);
    let clicked_days: i64 = figures["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["clicked"].as_i64().unwrap())
        .sum();
    assert_eq!(clicked_days, 0, "the timeline takes it back too");
    assert!(
        figures["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["sent"] == 1),
        "the timeline holds the day: {figures}"
    );
    assert!(messages(&app).await[0].clicked_at.is_none());
    // Much later a reader follows the second link alone: a reader's.
    app.clock.advance(Duration::seconds(600));
    click(links[1].clone()).await;
    let reasons: Vec<(Value, Value)> = events_of(&app, "email.clicked")
        .await
        .iter()
        .map(|e| (e["machine"].clone(), e["reason"].clone()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (json!(false), Value::Null),
            (json!(true), json!("scanner_all_links")),
            (json!(false), Value::Null),
        ]
    );
    let figures = stats(&app, &c).await;
    assert_eq!(figures["clicked"], 1);
    assert_eq!(figures["clickedRaw"], 1);
    assert!(messages(&app).await[0].clicked_at.is_some());
}
