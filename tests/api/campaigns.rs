use api::service::workspaces::Plan;
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app};

async fn set_status(app: &TestApp, campaign_id: &str, status: &str) {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "UPDATE campaigns SET status = $1 WHERE id = $2",
        _ => "UPDATE campaigns SET status = ? WHERE id = ?",
    };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [status.into(), campaign_id.into()],
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn create_campaign_with_defaults_and_full_fields() {
    let app = spawn_app().await;
    let bare = app.campaign(json!({ "name": "Bare" })).await;
    assert!(bare["id"].as_str().unwrap().starts_with("cmp_"));
    assert_eq!(bare["status"], "draft");
    assert_eq!(bare["emailAccountId"], Value::Null);
    assert_eq!(bare["steps"], json!([]));
    assert_eq!(
        bare["schedule"],
        json!({ "timezone": "UTC", "days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00", "fallbackTimezone": null, "skipDates": [] })
    );
    assert_eq!(bare["dailyLimit"], 100);
    assert_eq!(
        (
            bare["trackOpens"].clone(),
            bare["trackClicks"].clone(),
            bare["stopOnReply"].clone()
        ),
        (json!(true), json!(true), json!(true))
    );
    assert_eq!(bare["contactCount"], 0);
    assert_eq!(bare["startedAt"], Value::Null);
    assert_eq!(bare["completedAt"], Value::Null);

    let account = app.account().await;
    let full = app
        .campaign(json!({
            "name": "Automated Q1 2025",
            "emailAccountId": account["id"],
            "steps": [
                { "subject": "Hi {{ firstName | there }}", "body": "{{company}} + {{plan}}" },
                { "subject": "Following up", "body": "Any news, {{firstName}}?", "delayDays": 3 }
            ],
            "schedule": { "timezone": "America/Sao_Paulo", "days": [5, 1, 1, 3], "startTime": "8:30".replace("8", "08"), "endTime": "18:00" },
            "dailyLimit": 40, "trackOpens": false, "trackClicks": false, "stopOnReply": false,
            "autoWinner": { "metric": "click", "minSentPerVariant": 25 }
        }))
        .await;
    assert_eq!(full["emailAccountId"], account["id"]);
    let variant = full["steps"][0]["variants"][0]["id"].clone();
    assert!(variant.as_str().unwrap().starts_with("var_"), "{full}");
    assert_eq!(
        full["steps"][0],
        json!({ "step": 1, "subject": "Hi {{ firstName | there }}", "body": "{{company}} + {{plan}}", "delayDays": 0, "sendIf": "always",
                "variants": [{ "id": variant, "subject": "Hi {{ firstName | there }}", "body": "{{company}} + {{plan}}", "weight": 1 }] })
    );
    assert_eq!(full["steps"][1]["delayDays"], 3);
    assert_eq!(
        full["schedule"],
        json!({ "timezone": "America/Sao_Paulo", "days": [1, 3, 5], "startTime": "08:30", "endTime": "18:00", "fallbackTimezone": null, "skipDates": [] })
    );
    assert_eq!(full["dailyLimit"], 40);
    assert_eq!(full["trackOpens"], false);
    assert_eq!(
        full["autoWinner"],
        json!({ "metric": "click", "minSentPerVariant": 25 })
    );
    // The create answers its variable warnings (no contact has a `plan` field); a read
    // shows the campaign alone.
    assert_eq!(full["warnings"][0]["variable"], "plan");
    let mut shown = full.clone();
    shown.as_object_mut().unwrap().remove("warnings");
    let got = app.get(&format!("/v1/campaigns/{}", id_of(&full))).await;
    assert_eq!(got.data(), &shown);
}

#[tokio::test]
async fn invalid_campaigns_are_refused_with_details() {
    let app = spawn_app().await;
    let step = |subject: &str, body: &str| json!({ "subject": subject, "body": body });
    let r = app
        .post(
            "/v1/campaigns",
            json!({ "name": "T", "steps": [step("ok", "ok"), step("Hi {{first name}}", "x")] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    let d = &r.body["error"]["details"];
    assert_eq!(
        (d["step"].clone(), d["part"].clone(), d["position"].clone()),
        (json!(2), json!("subject"), json!(3))
    );
    let r = app
        .post(
            "/v1/campaigns",
            json!({ "name": "T", "steps": [step("ok", "Olá {{nome")] }),
        )
        .await;
    assert_eq!(
        r.body["error"]["details"]["position"], 4,
        "positions count characters, not bytes"
    );
    assert_eq!(r.body["error"]["details"]["part"], "body");

    let cases = [
        (json!({ "steps": [] }), "name"),
        (
            json!({ "name": "T", "steps": [{ "subject": "a", "body": "b", "delayDays": 2 }] }),
            "steps",
        ),
        (
            json!({ "name": "T", "steps": [step("a", "b"), { "subject": "a", "body": "b", "delayDays": -1 }] }),
            "steps",
        ),
        (json!({ "name": "T", "steps": [{ "body": "b" }] }), "steps"),
        (
            json!({ "name": "T", "schedule": { "timezone": "Mars/Olympus" } }),
            "schedule.timezone",
        ),
        (
            json!({ "name": "T", "schedule": { "days": [0, 8] } }),
            "schedule.days",
        ),
        (
            json!({ "name": "T", "schedule": { "startTime": "25:00" } }),
            "schedule.startTime",
        ),
        (
            json!({ "name": "T", "schedule": { "startTime": "09:00", "endTime": "09:00" } }),
            "schedule.endTime",
        ),
        (json!({ "name": "T", "dailyLimit": 0 }), "dailyLimit"),
    ];
    for (body, field) in cases {
        let r = app.post("/v1/campaigns", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.error_code(), "VALIDATION_ERROR", "{body}");
        assert_eq!(r.body["error"]["details"]["field"], field, "{body}");
    }
    let r = app
        .post(
            "/v1/campaigns",
            json!({ "name": "T", "emailAccountId": "acc_nope" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post("/v1/campaigns", json!({ "name": "T", "steps": "nope" }))
        .await;
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    assert_eq!(r.body["error"]["details"]["field"], "steps");
    assert_eq!(app.get("/v1/campaigns").await.body["meta"]["total"], 0);
}

#[tokio::test]
async fn lifecycle_transitions_legal_and_illegal() {
    let app = spawn_app().await;
    let draft = app.campaign(json!({ "name": "Empty" })).await;
    let path = |c: &Value, action: &str| format!("/v1/campaigns/{}/{action}", id_of(c));

    // start needs an account, a step and a contact, each reported.
    let r = app.post(&path(&draft, "start"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "CONFLICT");
    assert_eq!(r.body["error"]["details"]["status"], "draft");
    assert!(
        r.body["error"]["details"]["reason"]
            .as_str()
            .unwrap()
            .contains("emailAccountId")
    );
    let account = app.account().await;
    app.put(
        &format!("/v1/campaigns/{}", id_of(&draft)),
        json!({ "emailAccountId": account["id"] }),
    )
    .await;
    let r = app.post(&path(&draft, "start"), json!({})).await;
    assert!(
        r.body["error"]["details"]["reason"]
            .as_str()
            .unwrap()
            .contains("step")
    );
    app.put(
        &format!("/v1/campaigns/{}", id_of(&draft)),
        json!({ "steps": [{ "subject": "s", "body": "b" }] }),
    )
    .await;
    let r = app.post(&path(&draft, "start"), json!({})).await;
    assert!(
        r.body["error"]["details"]["reason"]
            .as_str()
            .unwrap()
            .contains("contact")
    );
    let r = app.post(&path(&draft, "pause"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a draft cannot be paused");
    assert_eq!(
        app.get(&format!("/v1/campaigns/{}", id_of(&draft)))
            .await
            .data()["status"],
        "draft"
    );

    let (c, _) = app.ready_campaign(2).await;
    let started = app.post(&path(&c, "start"), json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.data()["status"], "running");
    let started_at = started.data()["startedAt"].clone();
    assert!(started_at.is_string());
    let again = app.post(&path(&c, "start"), json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "start on running is a no-op");
    assert_eq!(again.data()["startedAt"], started_at);

    // Steps and the account change only while draft or paused.
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "steps": [{ "subject": "x", "body": "y" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["error"]["details"]["status"], "running");
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "name": "Renamed", "dailyLimit": 10 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.delete(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a running campaign cannot be deleted"
    );

    let paused = app.post(&path(&c, "pause"), json!({})).await;
    assert_eq!(paused.data()["status"], "paused");
    let paused_again = app.post(&path(&c, "pause"), json!({})).await;
    assert_eq!(paused_again.status, StatusCode::OK);
    assert_eq!(paused_again.data()["status"], "paused");
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "steps": [{ "subject": "x", "body": "y" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "steps change while paused");
    let resumed = app.post(&path(&c, "start"), json!({})).await;
    assert_eq!(resumed.data()["status"], "running");
    assert_eq!(
        resumed.data()["startedAt"],
        started_at,
        "resuming keeps the first start time"
    );

    set_status(&app, &id_of(&c), "completed").await;
    for action in ["start", "pause"] {
        let r = app.post(&path(&c, action), json!({})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{action} on completed");
        assert_eq!(r.body["error"]["details"]["status"], "completed");
    }
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "dailyLimit": 5 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .put(
            &format!("/v1/campaigns/{}", id_of(&c)),
            json!({ "name": "Archive" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a completed campaign can be renamed"
    );
    let r = app
        .post(
            &format!("/v1/campaigns/{}/contacts", id_of(&c)),
            json!({ "contactIds": [] , "groupId": null }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn concurrent_starts_have_exactly_one_winner() {
    let app = spawn_app().await;
    let (c, _) = app.ready_campaign(1).await;
    let id = id_of(&c);
    let starts = (0..8).map(|_| {
        api::service::campaigns::start(&app.db, &app.workspace_id, &id, chrono::Utc::now())
    });
    let outcomes = join_all(starts).await;
    let winners = outcomes
        .iter()
        .filter(|o| matches!(o, Ok((_, true))))
        .count();
    assert_eq!(winners, 1, "exactly one start moved the campaign");
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok((c, _)) if c.status.as_str() == "running"))
    );
    let times: Vec<_> = outcomes
        .iter()
        .map(|o| o.as_ref().unwrap().0.started_at)
        .collect();
    assert!(times.iter().all(|t| *t == times[0]));

    // And over HTTP, concurrent calls all answer 200 with the same campaign.
    let (c2, _) = app.ready_campaign(1).await;
    let url = format!("/v1/campaigns/{}/start", id_of(&c2));
    let replies = join_all((0..6).map(|_| app.post(&url, json!({})))).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    let started: Vec<Value> = replies
        .iter()
        .map(|r| r.data()["startedAt"].clone())
        .collect();
    assert!(started.iter().all(|s| *s == started[0]));
}

#[tokio::test]
async fn enrolment_by_ids_and_group_skips_and_is_idempotent() {
    let app = spawn_app().await;
    let c = app.campaign(json!({ "name": "Enrol" })).await;
    let url = format!("/v1/campaigns/{}/contacts", id_of(&c));
    let group = app.group("Prospects").await;
    let mut ids = Vec::new();
    for (i, status) in ["active", "active", "unsubscribed", "bounced", "active"]
        .iter()
        .enumerate()
    {
        let groups = if i < 4 {
            json!([group["id"]])
        } else {
            json!([])
        };
        let contact = app.contact(json!({ "email": format!("e{i}@example.com"), "status": status, "groupIds": groups })).await;
        ids.push(id_of(&contact));
    }

    let r = app.post(&url, json!({ "groupId": group["id"] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.data()["added"].clone(),
            r.data()["skipped"].clone(),
            r.data()["alreadyEnrolled"].clone()
        ),
        (json!(2), json!(2), json!(0))
    );
    assert_eq!(r.data()["campaign"]["contactCount"], 2);

    let r = app
        .post(
            &url,
            json!({ "groupId": group["id"], "contactIds": [ids[0], ids[4], ids[4]] }),
        )
        .await;
    assert_eq!(
        (
            r.data()["added"].clone(),
            r.data()["skipped"].clone(),
            r.data()["alreadyEnrolled"].clone()
        ),
        (json!(1), json!(2), json!(2))
    );
    assert_eq!(r.data()["campaign"]["contactCount"], 3);
    let r = app.post(&url, json!({ "contactIds": [ids[0]] })).await;
    assert_eq!(r.data()["added"], 0, "idempotent");

    let list = app.get(&url).await;
    assert_eq!(list.body["meta"]["total"], 3);
    let first = &list.data()[0];
    assert_eq!(first["state"], "pending");
    assert_eq!(first["currentStep"], 0);
    assert!(first["contact"]["email"].is_string());
    let enrolled: Vec<&str> = list
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["contact"]["id"].as_str().unwrap())
        .collect();
    assert!(
        !enrolled.contains(&ids[2].as_str()) && !enrolled.contains(&ids[3].as_str()),
        "unsubscribed and bounced are never enrolled"
    );
    assert_eq!(
        app.get(&format!("{url}?state=pending&perPage=2"))
            .await
            .body["meta"]["totalPages"],
        2
    );
    assert_eq!(
        app.get(&format!("{url}?state=replied")).await.body["meta"]["total"],
        0
    );

    let r = app
        .post(&url, json!({ "contactIds": [ids[0], "cnt_ghost"] }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["error"]["details"]["unknownIds"],
        json!(["cnt_ghost"])
    );
    let r = app.post(&url, json!({ "groupId": "grp_ghost" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.post(&url, json!({})).await;
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    let r = app.post(&url, json!({ "groups": ["x"] })).await;
    assert_eq!(r.error_code(), "BAD_REQUEST");

    // Deleting an enrolled contact keeps the count true.
    app.delete(&format!("/v1/contacts/{}", ids[0])).await;
    let after = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(after.data()["contactCount"], 2);
    assert_eq!(app.get(&url).await.body["meta"]["total"], 2);

    // GraphQL: a contact's campaigns.
    let g = app
        .gql("query($id: ID!) { contact(id: $id) { campaigns { state currentStep campaign { name contactCount } } } }", json!({ "id": ids[1] }))
        .await;
    assert_eq!(
        g.body["data"]["contact"]["campaigns"],
        json!([{ "state": "pending", "currentStep": 0, "campaign": { "name": "Enrol", "contactCount": 2 } }])
    );
}

#[tokio::test]
async fn large_group_enrols_in_one_statement() {
    let app = spawn_app().await;
    let group = app.group("Big").await;
    let gid = id_of(&group);
    let mut total = 0;
    for batch in 0..3 {
        let contacts: Vec<Value> = (0..1000)
            .map(|i| json!({ "email": format!("big{batch}-{i}@example.com"), "groupIds": [gid], "status": if i % 10 == 0 { "unsubscribed" } else { "active" } }))
            .collect();
        let r = app
            .post("/v1/contacts/batch", json!({ "contacts": contacts }))
            .await;
        total += r.data()["created"].as_i64().unwrap();
    }
    assert_eq!(total, 3000);
    let c = app.campaign(json!({ "name": "Bulk" })).await;
    let r = app
        .post(
            &format!("/v1/campaigns/{}/contacts", id_of(&c)),
            json!({ "groupId": gid }),
        )
        .await;
    assert_eq!(r.data()["added"], 2700);
    assert_eq!(r.data()["skipped"], 300);
    assert_eq!(r.data()["campaign"]["contactCount"], 2700);
}

#[tokio::test]
async fn campaign_list_filters_and_sorts() {
    let app = spawn_app().await;
    let (running, _) = app.ready_campaign(1).await;
    app.post(
        &format!("/v1/campaigns/{}/start", id_of(&running)),
        json!({}),
    )
    .await;
    app.campaign(json!({ "name": "Beta draft" })).await;
    app.campaign(json!({ "name": "Alpha draft" })).await;
    let r = app
        .get("/v1/campaigns?status=draft&sort=name&order=asc")
        .await;
    let names: Vec<&str> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha draft", "Beta draft"]);
    let r = app.get("/v1/campaigns?status=running").await;
    assert_eq!(r.body["meta"]["total"], 1);
    assert_eq!(r.data()[0]["id"], running["id"]);
    assert_eq!(
        app.get("/v1/campaigns?status=sleeping").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/v1/campaigns?sort=contactCount")
            .await
            .error_code(),
        "VALIDATION_ERROR"
    );
    assert_eq!(
        app.get("/v1/campaigns?perPage=2").await.body["meta"]["totalPages"],
        2
    );
}

#[tokio::test]
async fn campaigns_are_private_to_their_workspace() {
    let app = spawn_app().await;
    let (c, contacts) = app.ready_campaign(1).await;
    let id = id_of(&c);
    let group = app.group("Mine").await;
    let (_, other) = app.new_workspace("Other", Plan::Pro).await;
    for (method, path, body) in [
        (Method::GET, format!("/v1/campaigns/{id}"), None),
        (
            Method::PUT,
            format!("/v1/campaigns/{id}"),
            Some(json!({ "name": "x" })),
        ),
        (Method::DELETE, format!("/v1/campaigns/{id}"), None),
        (Method::POST, format!("/v1/campaigns/{id}/start"), None),
        (Method::POST, format!("/v1/campaigns/{id}/pause"), None),
        (Method::GET, format!("/v1/campaigns/{id}/stats"), None),
        (Method::GET, format!("/v1/campaigns/{id}/contacts"), None),
        (
            Method::POST,
            format!("/v1/campaigns/{id}/contacts"),
            Some(json!({ "contactIds": contacts })),
        ),
    ] {
        let r = app
            .request_as(Some(&other), method.clone(), &path, body)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    // Their own campaign cannot pull in our group or contacts.
    let theirs = app
        .request_as(
            Some(&other),
            Method::POST,
            "/v1/campaigns",
            Some(json!({ "name": "Theirs" })),
        )
        .await
        .data()
        .clone();
    let url = format!("/v1/campaigns/{}/contacts", id_of(&theirs));
    let r = app
        .request_as(
            Some(&other),
            Method::POST,
            &url,
            Some(json!({ "groupId": group["id"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["details"]["field"], "groupId");
    let r = app
        .request_as(
            Some(&other),
            Method::POST,
            &url,
            Some(json!({ "contactIds": contacts })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .request_as(Some(&other), Method::GET, "/v1/campaigns", None)
        .await;
    assert_eq!(r.body["meta"]["total"], 1);
    assert_eq!(
        app.get(&format!("/v1/campaigns/{id}")).await.data()["name"],
        "Ready"
    );
}

#[tokio::test]
async fn the_seed_examples_run_as_written() {
    let app = spawn_app().await;
    let account = app.account().await;
    let group = app.group("Q1 leads").await;
    for i in 0..3 {
        app.contact(json!({ "email": format!("lead{i}@example.com"), "groupIds": [group["id"]] }))
            .await;
    }
    // Automate a campaign: create, add contacts by group, start.
    let campaign = app
        .post(
            "/v1/campaigns",
            json!({ "name": "Automated Q1 2025", "emailAccountId": account["id"], "steps": [{ "subject": "Hi {{firstName}}", "body": "Hello from {{company}}" }] }),
        )
        .await;
    assert_eq!(campaign.status, StatusCode::CREATED);
    let id = id_of(campaign.data());
    let added = app
        .post(
            &format!("/v1/campaigns/{id}/contacts"),
            json!({ "groupId": group["id"] }),
        )
        .await;
    assert_eq!(added.data()["added"], 3);
    let started = app
        .post(&format!("/v1/campaigns/{id}/start"), json!({}))
        .await;
    assert_eq!(started.data()["status"], "running");

    // Export statistics: list campaigns, then each one's stats.
    let campaigns = app.get("/v1/campaigns").await;
    for c in campaigns.data().as_array().unwrap() {
        let stats = app.get(&format!("/v1/campaigns/{}/stats", id_of(c))).await;
        assert_eq!(stats.status, StatusCode::OK);
        let line = format!(
            "{}: {}% aberturas, {}% respostas",
            c["name"],
            stats.data()["openRate"],
            stats.data()["replyRate"]
        );
        assert!(line.contains("0.0% aberturas"), "{line}");
        assert_eq!(stats.data()["contacts"], 3);
    }
}

#[tokio::test]
async fn an_edit_racing_a_start_never_lands_on_a_running_campaign() {
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    for round in 0..16 {
        let (c, _) = app.ready_campaign(1).await;
        let id = id_of(&c);
        // Even rounds change the steps, odd rounds take the email account away.
        let patch = if round % 2 == 0 {
            json!({ "steps": [{ "subject": "Edited", "body": "b" }] })
        } else {
            json!({ "emailAccountId": null })
        };
        let (edit_path, start_path) = (
            format!("/v1/campaigns/{id}"),
            format!("/v1/campaigns/{id}/start"),
        );
        let (put, start) =
            tokio::join!(app.put(&edit_path, patch), app.post(&start_path, json!({})));
        let row = entity::campaign::Entity::find_by_id(id.clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        for reply in [&put, &start] {
            assert!(
                reply.status == StatusCode::OK || reply.status == StatusCode::CONFLICT,
                "{}",
                reply.body
            );
        }
        if start.status == StatusCode::OK {
            // Running: whatever the edit did happened before the start, and the campaign
            // still has what starting needs.
            assert_eq!(row.status.as_str(), "running");
            assert!(row.email_account_id.is_some(), "round {round}: {row:?}");
            assert!(
                row.updated_at <= row.started_at.unwrap(),
                "round {round}: {row:?}"
            );
            if put.status == StatusCode::CONFLICT {
                assert_eq!(put.error_code(), "CONFLICT");
            }
        } else {
            // The start lost: the edit landed first and made the campaign unstartable.
            assert_eq!(
                round % 2,
                1,
                "changing steps never stops a start: {}",
                start.body
            );
            assert_eq!(put.status, StatusCode::OK, "{}", put.body);
            assert_eq!(row.status.as_str(), "draft");
            assert!(row.email_account_id.is_none());
        }
    }
}

/// The named type under a field's list and non-null wrappers, with its kind.
fn named(ty: &Value) -> (&str, &str) {
    let mut ty = ty;
    while ty["name"].is_null() {
        ty = &ty["ofType"];
    }
    (ty["kind"].as_str().unwrap(), ty["name"].as_str().unwrap())
}

/// Every field of `type_name` (those without required arguments) with its full selection,
/// leaving out types already on the path.
fn full_selection(types: &Value, type_name: &str, path: &mut Vec<String>) -> Vec<String> {
    let ty = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == type_name)
        .unwrap_or_else(|| panic!("{type_name} in the schema"));
    path.push(type_name.to_owned());
    let mut out = Vec::new();
    for field in ty["fields"].as_array().unwrap() {
        let required = field["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
        if required {
            continue;
        }
        let name = field["name"].as_str().unwrap();
        match named(&field["type"]) {
            ("SCALAR" | "ENUM", _) => out.push(name.to_owned()),
            ("OBJECT", inner) if !path.iter().any(|p| p == inner) => {
                let inner_fields = full_selection(types, inner, path);
                if !inner_fields.is_empty() {
                    out.push(format!("{name} {{ {} }}", inner_fields.join(" ")));
                }
            }
            _ => {}
        }
    }
    path.pop();
    out
}

#[tokio::test]
async fn a_listing_answers_every_field_as_reading_one_campaign_does() {
    // A listing reads only the columns its selection shows; each field is asked alone (and each
    // child of an object field alone), so a field that needs a column it did not ask for shows.
    let app = spawn_app().await;
    let rich = app
        .post(
            "/v1/email-accounts",
            json!({
                "email": "rich@acme.test", "name": "Rich Sender", "smtpHost": "smtp.acme.test",
                "smtpPort": 2525, "smtpUsername": "rich-user", "smtpPassword": "pw-1",
                "smtpSecurity": "tls", "dailyLimit": 77, "timezone": "Europe/Lisbon",
                "sendGapSeconds": 5, "imapHost": "imap.acme.test", "imapPort": 1993,
                "imapUsername": "rich-imap", "imapPassword": "pw-2", "imapSecurity": "starttls"
            }),
        )
        .await;
    assert_eq!(rich.status, StatusCode::CREATED, "{}", rich.body);
    let rich = rich.data().clone();
    let plain = app.account().await;
    let full = app
        .campaign(json!({
            "name": "Full", "emailAccountId": rich["id"], "emailAccountIds": [plain["id"]],
            "steps": [{ "subject": "One", "body": "b1" }, { "subject": "Two", "body": "b2", "delayDays": 3 }],
            "schedule": { "timezone": "America/New_York", "days": [1, 3], "startTime": "08:30", "endTime": "16:00" },
            "dailyLimit": 9, "trackOpens": false, "trackClicks": false, "stopOnReply": false
        }))
        .await;
    app.campaign(json!({ "name": "Bare" })).await;
    let person = app.contact(json!({ "email": "listed@example.com" })).await;
    let r = app
        .post(
            &format!("/v1/campaigns/{}/contacts", id_of(&full)),
            json!({ "contactIds": [person["id"]] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Columns no request sets: the system's pause and an account's failure and last read.
    let backend = app.db.get_database_backend();
    let at = chrono::Utc::now() - chrono::Duration::hours(1);
    for (sql, values) in [
        (
            "UPDATE campaigns SET status = 'paused', paused_reason = 'bounce_rate', started_at = $1, completed_at = $1 WHERE id = $2",
            vec![at.into(), id_of(&full).into()],
        ),
        (
            "UPDATE email_accounts SET status = 'error', last_error = '535 refused', imap_checked_at = $1 WHERE id = $2",
            vec![at.into(), id_of(&rich).into()],
        ),
    ] {
        app.db
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .unwrap();
    }

    let types = app
        .gql(
            "{ __schema { types { name kind fields { name args { type { kind } defaultValue } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }",
            json!({}),
        )
        .await;
    let types = types.body["data"]["__schema"]["types"].clone();
    let fields = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Campaign")
        .unwrap()["fields"]
        .clone();
    let mut selections = Vec::new();
    for field in fields.as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        // A field that needs an argument (a contact's plan, a preview) is about one contact,
        // not the campaign as listed.
        let required = field["args"].as_array().is_some_and(|args| {
            args.iter()
                .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
        });
        if required {
            continue;
        }
        match named(&field["type"]) {
            ("OBJECT", inner) => {
                for child in full_selection(&types, inner, &mut vec!["Campaign".to_owned()]) {
                    selections.push(format!("{name} {{ {child} }}"));
                }
            }
            _ => selections.push(name.to_owned()),
        }
    }
    assert!(
        selections.len() > 40,
        "every field and child: {selections:?}"
    );
    assert!(selections.iter().any(|s| s == "emailAccount { sentToday }"));
    for selection in &selections {
        let listed = app
            .gql(
                &format!(
                    "{{ campaigns(perPage: 2, sort: \"name\") {{ items {{ id {selection} }} }} }}"
                ),
                json!({}),
            )
            .await;
        let items = listed.body["data"]["campaigns"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{selection}: {}", listed.body))
            .clone();
        assert_eq!(items.len(), 2, "{selection}: {}", listed.body);
        for item in items {
            let id = item["id"].clone();
            let one = app
                .gql(
                    &format!("query($id: ID!) {{ campaign(id: $id) {{ id {selection} }} }}"),
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(
                item, one.body["data"]["campaign"],
                "{selection}: listed vs read alone ({})",
                one.body
            );
        }
    }
}
