use api::service::stats::{EventKind, NewEvent, record};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app, spawn_counting_app};

async fn event(app: &TestApp, campaign: &str, contact: &str, step: i32, kind: EventKind, day: u32) {
    record(
        &app.db,
        NewEvent {
            workspace_id: app.workspace_id.clone(),
            campaign_id: campaign.to_owned(),
            contact_id: contact.to_owned(),
            step,
            kind,
            at: Utc.with_ymd_and_hms(2026, 11, day, 10, 0, 0).unwrap(),
            metadata: json!({}),
        },
    )
    .await
    .expect("event recorded");
}

#[tokio::test]
async fn zero_sent_means_zero_rates() {
    let app = spawn_app().await;
    let (c, _) = app.ready_campaign(2).await;
    let s = app.get(&format!("/v1/campaigns/{}/stats", id_of(&c))).await;
    let data = s.data();
    assert_eq!(data["contacts"], 2);
    for field in ["sent", "opened", "replied"] {
        assert_eq!(data[field], 0);
    }
    for field in [
        "openRate",
        "clickRate",
        "replyRate",
        "bounceRate",
        "unsubscribeRate",
    ] {
        assert_eq!(data[field].as_f64(), Some(0.0), "{field}");
    }
    assert_eq!(
        data["steps"].as_array().unwrap().len(),
        2,
        "every step is listed"
    );
}

#[tokio::test]
async fn stats_count_unique_contacts_per_campaign_and_step() {
    let app = spawn_app().await;
    let (c, people) = app.ready_campaign(4).await;
    let cid = id_of(&c);
    let [a, b, d, e] = [&people[0], &people[1], &people[2], &people[3]];
    // Three contacts emailed at step 1; one of them again at step 2.
    for who in [a, b, d] {
        event(&app, &cid, who, 1, EventKind::Sent, 2).await;
    }
    event(&app, &cid, a, 2, EventKind::Sent, 4).await;
    // a opens three times (one unique open), clicks twice, replies to step 2.
    for _ in 0..3 {
        event(&app, &cid, a, 1, EventKind::Opened, 3).await;
    }
    event(&app, &cid, a, 1, EventKind::Clicked, 3).await;
    event(&app, &cid, a, 2, EventKind::Clicked, 4).await;
    event(&app, &cid, a, 2, EventKind::Replied, 5).await;
    event(&app, &cid, b, 1, EventKind::Opened, 3).await;
    event(&app, &cid, d, 1, EventKind::Bounced, 2).await;
    let _ = e; // enrolled, never emailed: counts in contacts, not in the rates' base.

    let s = app
        .get(&format!(
            "/v1/campaigns/{cid}/stats?from=2026-11-01&to=2026-11-05"
        ))
        .await;
    let d = s.data();
    assert_eq!(
        [
            &d["contacts"],
            &d["sent"],
            &d["opened"],
            &d["clicked"],
            &d["replied"],
            &d["bounced"],
            &d["unsubscribed"]
        ],
        [
            &json!(4),
            &json!(3),
            &json!(2),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(0)
        ]
    );
    assert_eq!(
        d["openRate"].as_f64(),
        Some(66.67),
        "2 of 3, rounded to 2 decimals"
    );
    assert_eq!(d["clickRate"].as_f64(), Some(33.33));
    assert_eq!(d["replyRate"].as_f64(), Some(33.33));
    assert_eq!(d["bounceRate"].as_f64(), Some(33.33));
    assert_eq!(d["unsubscribeRate"].as_f64(), Some(0.0));

    let step1 = &d["steps"][0];
    assert_eq!(
        (
            step1["step"].clone(),
            step1["sent"].clone(),
            step1["opened"].clone(),
            step1["clicked"].clone()
        ),
        (json!(1), json!(3), json!(2), json!(1))
    );
    let step2 = &d["steps"][1];
    assert_eq!(
        (
            step2["sent"].clone(),
            step2["clicked"].clone(),
            step2["replied"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    assert_eq!(step2["replyRate"].as_f64(), Some(100.0));
    assert_eq!(step2["openRate"].as_f64(), Some(0.0));

    // The timeline counts events per day, zero-filled.
    let days: Vec<(String, i64, i64)> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["date"].as_str().unwrap().to_owned(),
                t["sent"].as_i64().unwrap(),
                t["opened"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-01".into(), 0, 0),
            ("2026-11-02".into(), 3, 0),
            ("2026-11-03".into(), 0, 4),
            ("2026-11-04".into(), 1, 0),
            ("2026-11-05".into(), 0, 0)
        ]
    );

    let g = app
        .gql(
            "query($id: ID!) { campaign(id: $id) { stats(from: \"2026-11-04\", to: \"2026-11-04\") { sent openRate steps { step replyRate } timeline { date clicked replied } } } }",
            json!({ "id": cid }),
        )
        .await;
    assert_eq!(
        g.body["data"]["campaign"]["stats"],
        json!({ "sent": 3, "openRate": 66.67, "steps": [{ "step": 1, "replyRate": 0.0 }, { "step": 2, "replyRate": 100.0 }],
                "timeline": [{ "date": "2026-11-04", "clicked": 1, "replied": 0 }] })
    );
    for bad in [
        "from=2026-13-01",
        "from=2026-11-05&to=2026-11-01",
        "from=2024-01-01&to=2026-01-01",
        "to=yesterday",
    ] {
        let r = app.get(&format!("/v1/campaigns/{cid}/stats?{bad}")).await;
        assert_eq!(r.error_code(), "VALIDATION_ERROR", "{bad}");
    }
}

const DASHBOARD: &str = "{ campaigns(perPage: 100) { items { id name status contactCount steps { step subject } emailAccount { id email } stats { contacts sent opened openRate replyRate steps { step sent openRate } } } pageInfo { total } } }";

#[tokio::test]
async fn a_dashboard_page_costs_a_constant_number_of_statements() {
    let (app, log) = spawn_counting_app().await;
    let account = app.account().await;
    let mut count_for = Vec::new();
    let mut sent_today_for = Vec::new();
    let mut made = 0;
    for target in [3, 30] {
        while made < target {
            let c = app
                .campaign(json!({ "name": format!("C{made}"), "emailAccountId": account["id"], "steps": [{ "subject": "s", "body": "b" }, { "subject": "t", "body": "c" }] }))
                .await;
            let people = app
                .contact(json!({ "email": format!("d{made}@example.com") }))
                .await;
            app.post(
                &format!("/v1/campaigns/{}/contacts", id_of(&c)),
                json!({ "contactIds": [people["id"]] }),
            )
            .await;
            event(&app, &id_of(&c), &id_of(&people), 1, EventKind::Sent, 2).await;
            event(&app, &id_of(&c), &id_of(&people), 1, EventKind::Opened, 2).await;
            made += 1;
        }
        // Warm up (the key's last-use stamp), then count one request.
        app.gql(DASHBOARD, json!({})).await;
        log.lock().unwrap().clear();
        let r = app.gql(DASHBOARD, json!({})).await;
        let statements = std::mem::take(&mut *log.lock().unwrap());
        let items = r.body["data"]["campaigns"]["items"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(items.len(), target, "{}", r.body);
        assert!(items.iter().all(|c| c["stats"]["sent"] == 1
            && c["stats"]["openRate"] == 100.0
            && c["emailAccount"]["id"] == account["id"]
            && c["emailAccount"]["email"] == account["email"]));
        // Per-step figures come with the page too, zero-filled for steps not sent yet.
        assert!(items.iter().all(|c| c["stats"]["steps"]
            == json!([{ "step": 1, "sent": 1, "openRate": 100.0 }, { "step": 2, "sent": 0, "openRate": 0.0 }])));
        assert_eq!(r.body["data"]["campaigns"]["pageInfo"]["total"], target);
        assert!(
            statements.iter().all(|s| !s.contains("email_events")),
            "stats never read events: {statements:#?}"
        );
        count_for.push(statements.len());

        // An account's loaded figure (`sentToday`) is batched across the page.
        log.lock().unwrap().clear();
        let r = app
            .gql(
                "{ campaigns(perPage: 50) { items { id emailAccount { id sentToday } } } }",
                json!({}),
            )
            .await;
        let statements = std::mem::take(&mut *log.lock().unwrap());
        let items = r.body["data"]["campaigns"]["items"].as_array().unwrap();
        assert_eq!(items.len(), target, "{}", r.body);
        assert!(
            items
                .iter()
                .all(|c| c["emailAccount"]["sentToday"].is_i64())
        );
        sent_today_for.push(statements.len());
    }
    assert_eq!(
        count_for[0], count_for[1],
        "3 and 30 campaigns cost the same number of statements"
    );
    assert_eq!(
        sent_today_for[0], sent_today_for[1],
        "sentToday is loaded once per page, not once per campaign"
    );
    // The page, its total, every campaign's counters and account: one statement.
    assert_eq!(
        count_for[1], 1,
        "a dashboard page costs {} statements",
        count_for[1]
    );

    // Totals alone (no per-step figures) are joined rather than packed: still one statement.
    log.lock().unwrap().clear();
    let r = app
        .gql(
            "{ campaigns(perPage: 100) { items { id stats { sent opened clicked replied bounced unsubscribed autoReplied openRate clickRate } } } }",
            json!({}),
        )
        .await;
    let statements = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(statements.len(), 1);
    // Nor are the steps and schedule read when not asked for.
    assert!(
        !statements[0].contains("\"campaigns\".\"steps\"")
            && !statements[0].contains("\"campaigns\".\"schedule\""),
        "{statements:#?}"
    );
    let items = r.body["data"]["campaigns"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 30);
    assert!(items.iter().all(|c| c["stats"]
        == json!({ "sent": 1, "opened": 1, "clicked": 0, "replied": 0, "bounced": 0, "unsubscribed": 0, "autoReplied": 0, "openRate": 100.0, "clickRate": 0.0 })));
    // Steps and schedule asked for through a fragment are read.
    let r = app
        .gql(
            "{ campaigns(perPage: 1) { items { ...Content } } } fragment Content on Campaign { steps { subject } schedule { timezone } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["data"]["campaigns"]["items"][0]["steps"],
        json!([{ "subject": "s" }, { "subject": "t" }]),
        "{}",
        r.body
    );
    assert!(r.body["data"]["campaigns"]["items"][0]["schedule"]["timezone"].is_string());

    // A campaign without any counter yet reads zeros.
    let fresh = app.campaign(json!({ "name": "Fresh" })).await;
    let r = app
        .gql(
            "{ campaigns(perPage: 1, sort: \"createdAt\") { items { id stats { sent openRate } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.body["data"]["campaigns"]["items"][0]["id"], fresh["id"]);
    assert_eq!(
        r.body["data"]["campaigns"]["items"][0]["stats"],
        json!({ "sent": 0, "openRate": 0.0 })
    );
    app.delete(&format!("/v1/campaigns/{}", id_of(&fresh)))
        .await;

    // A page past the end has no row to carry the total: one more statement counts.
    log.lock().unwrap().clear();
    let r = app
        .gql(
            "{ campaigns(page: 9, perPage: 10) { items { id stats { sent } emailAccount { id } } pageInfo { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.body["data"]["campaigns"]["items"], json!([]));
    assert_eq!(r.body["data"]["campaigns"]["pageInfo"]["total"], 30);
    assert_eq!(log.lock().unwrap().len(), 2);

    // A filtered page counts only what matches, in the same statement.
    log.lock().unwrap().clear();
    let r = app
        .gql(
            "{ campaigns(filter: { status: running }) { items { id stats { sent } } pageInfo { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.body["data"]["campaigns"]["pageInfo"]["total"], 0);
    let r = app
        .gql(
            "{ campaigns(perPage: 5, filter: { status: draft }) { items { id } pageInfo { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.body["data"]["campaigns"]["items"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(r.body["data"]["campaigns"]["pageInfo"]["total"], 30);
}

#[tokio::test]
async fn one_stats_read_never_scans_events() {
    let (app, log) = spawn_counting_app().await;
    let (c, people) = app.ready_campaign(2).await;
    for who in &people {
        event(&app, &id_of(&c), who, 1, EventKind::Sent, 2).await;
    }
    let url = format!("/v1/campaigns/{}/stats", id_of(&c));
    app.get(&url).await;
    log.lock().unwrap().clear();
    let r = app.get(&url).await;
    assert_eq!(r.data()["sent"], 2);
    let statements = std::mem::take(&mut *log.lock().unwrap());
    assert!(
        statements
            .iter()
            .all(|s| !s.contains("email_events") && !s.contains("campaign_event_firsts")),
        "{statements:#?}"
    );
    // The campaign with its counters and its daily tallies for the timeline: one statement;
    // the steps' per-variant figures (over the campaign's messages) and A/B winners: one each.
    assert_eq!(statements.len(), 3, "{statements:#?}");
    assert!(
        statements.iter().any(|s| s.contains("GROUP BY")),
        "{statements:#?}"
    );
    let _: Value = r.body;
}

/// `n` events of a deterministic but irregular mix over steps 1–3, every kind, days 1–9 of
/// November and `people`, drawn from `seed`.
async fn irregular_events(app: &TestApp, cid: &str, people: &[String], seed: u64, n: usize) {
    let mut seed = seed;
    for _ in 0..n {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let who = &people[(seed >> 33) as usize % people.len()];
        let kind = EventKind::ALL[(seed >> 40) as usize % EventKind::ALL.len()];
        let step = 1 + ((seed >> 50) % 3) as i32;
        let day = 1 + ((seed >> 20) % 9) as u32;
        event(app, cid, who, step, kind, day).await;
    }
}

#[tokio::test]
async fn counters_kept_per_event_equal_a_rebuild_from_events() {
    let app = spawn_app().await;
    let (c, people) = app.ready_campaign(6).await;
    let cid = id_of(&c);
    irregular_events(&app, &cid, &people, 42, 120).await;
    let url = format!("/v1/campaigns/{cid}/stats?from=2026-11-01&to=2026-11-10");
    let incremental = app.get(&url).await.data().clone();
    assert!(incremental["sent"].as_i64().unwrap() > 0);
    api::service::stats::rebuild(&app.db, &cid).await.unwrap();
    let rebuilt = app.get(&url).await.data().clone();
    assert_eq!(incremental, rebuilt);
}

/// Figures read with the campaign (one statement) answer exactly what the loaders answer (the
/// path a selection asking for `stats` twice takes), for the range given inline, by variables
/// or by default; a range that does not parse is still the `stats` field's error.
#[tokio::test]
async fn figures_read_with_the_campaign_equal_the_loaded_ones() {
    let app = spawn_app().await;
    let (c, people) = app.ready_campaign(5).await;
    let cid = id_of(&c);
    irregular_events(&app, &cid, &people, 7, 60).await;
    let figures = "sent opened clicked replied bounced unsubscribed autoReplied openRate replyRate \
                   steps { step sent opened bounceRate } timeline { date sent opened replied }";
    for range in [
        r#"(from: "2026-11-01", to: "2026-11-10")"#,
        r#"(from: $from, to: $to)"#,
        r#"(from: "2026-11-04")"#,
        "",
    ] {
        let variables = json!({ "id": cid, "from": "2026-11-02", "to": "2026-11-06" });
        let declared = if range.contains('$') {
            "$id: ID!, $from: String, $to: String"
        } else {
            "$id: ID!"
        };
        let one = app
            .gql(
                &format!(
                    "query({declared}) {{ campaign(id: $id) {{ stats{range} {{ {figures} }} }} }}"
                ),
                variables.clone(),
            )
            .await;
        let twice = app
            .gql(
                &format!(
                    "query({declared}) {{ campaign(id: $id) {{ a: stats{range} {{ {figures} }} b: stats {{ sent }} }} }}"
                ),
                variables,
            )
            .await;
        let read = &one.body["data"]["campaign"]["stats"];
        assert!(read["timeline"].is_array(), "{}", one.body);
        assert_eq!(read, &twice.body["data"]["campaign"]["a"], "{range}");
    }
    let read = app
        .gql(
            &format!("query($id: ID!) {{ campaign(id: $id) {{ stats(from: \"2026-11-01\", to: \"2026-11-10\") {{ {figures} }} }} }}"),
            json!({ "id": cid }),
        )
        .await;
    assert_eq!(
        read.body["data"]["campaign"]["stats"]["timeline"]
            .as_array()
            .map(Vec::len),
        Some(10)
    );
    let bad = app
        .gql(
            r#"query($id: ID!) { campaign(id: $id) { stats(from: "yesterday") { sent timeline { date } } } }"#,
            json!({ "id": cid }),
        )
        .await;
    assert_eq!(
        bad.body["errors"][0]["extensions"]["code"], "VALIDATION_ERROR",
        "{}",
        bad.body
    );
    let missing = app
        .gql(
            "query($id: ID!) { campaign(id: $id) { stats { sent timeline { date } } } }",
            json!({ "id": "cmp_missing" }),
        )
        .await;
    assert_eq!(
        missing.body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{}",
        missing.body
    );
}

/// The default timeline ends on the app's own today (its clock), not the host's.
#[tokio::test]
async fn the_default_timeline_ends_on_the_clocks_today() {
    let clock = api::clock::Clock::manual(Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap());
    let app = crate::helpers::spawn_app_with(move |c| c.clock = clock).await;
    let c = app
        .campaign(json!({ "name": "Spring", "steps": [{ "subject": "Hi", "body": "Hello" }] }))
        .await;
    let r = app
        .gql(
            "query($id: ID!) { campaign(id: $id) { stats { timeline { date } } } }",
            json!({ "id": id_of(&c) }),
        )
        .await;
    let days = r.body["data"]["campaign"]["stats"]["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body))
        .clone();
    assert_eq!(days.len(), 30);
    assert_eq!(days[0]["date"], "2026-02-14");
    assert_eq!(days[29]["date"], "2026-03-15");
}
