use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{id_of, spawn_app, spawn_counting_app};

#[tokio::test]
async fn create_returns_201_with_the_full_object() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/v1/contacts",
            json!({
                "email": "  Ana.Silva@Example.com ",
                "firstName": "Ana",
                "lastName": "Silva",
                "company": "Acme",
                "phone": "+55 11 5555-0000",
                "customFields": { "plan": "gold", "seats": 12 }
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let c = reply.data();
    assert!(c["id"].as_str().unwrap().starts_with("cnt_"));
    assert_eq!(c["email"], "Ana.Silva@Example.com");
    assert_eq!(c["firstName"], "Ana");
    assert_eq!(c["lastName"], "Silva");
    assert_eq!(c["company"], "Acme");
    assert_eq!(c["phone"], "+55 11 5555-0000");
    assert_eq!(c["customFields"], json!({ "plan": "gold", "seats": 12 }));
    assert_eq!(c["status"], "active");
    assert_eq!(c["groupIds"], json!([]));
    let created = c["createdAt"].as_str().unwrap();
    assert!(created.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(created).is_ok());
    assert_eq!(c["createdAt"], c["updatedAt"]);

    let fetched = app.get(&format!("/v1/contacts/{}", id_of(c))).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.data(), c);
}

#[tokio::test]
async fn email_is_required_and_must_be_valid() {
    let app = spawn_app().await;
    let missing = app
        .post("/v1/contacts", json!({ "firstName": "Ana" }))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.error_code(), "VALIDATION_ERROR");
    assert_eq!(missing.body["error"]["message"], "Email is required");
    assert_eq!(missing.body["error"]["details"]["field"], "email");

    let invalid = app
        .post("/v1/contacts", json!({ "email": "not-an-email" }))
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.error_code(), "VALIDATION_ERROR");

    let list = app.get("/v1/contacts").await;
    assert_eq!(list.body["meta"]["total"], 0, "nothing was written");
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_regardless_of_case() {
    let app = spawn_app().await;
    app.contact(json!({ "email": "bob@example.com" })).await;
    let dup = app
        .post("/v1/contacts", json!({ "email": "BOB@Example.COM" }))
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.error_code(), "CONFLICT");
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 1);

    // The same address is free in another workspace.
    let (_, other_key) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let reply = app
        .request_as(
            Some(&other_key),
            reqwest::Method::POST,
            "/v1/contacts",
            Some(json!({ "email": "bob@example.com" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_bad_requests() {
    let app = spawn_app().await;
    for body in [
        json!({ "email": 42 }),
        json!({ "email": "a@b.co", "firstName": ["x"] }),
        json!({ "email": "a@b.co", "nickname": "x" }),
        json!({ "email": "a@b.co", "status": "sleeping" }),
    ] {
        let reply = app.post("/v1/contacts", body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), "BAD_REQUEST");
    }
    for body in [
        json!({ "email": "a@b.co", "customFields": ["x"] }),
        json!({ "email": "a@b.co", "customFields": { "nested": { "a": 1 } } }),
        json!({ "email": "a@b.co", "customFields": { "bad key": 1 } }),
    ] {
        let reply = app.post("/v1/contacts", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.error_code(), "VALIDATION_ERROR");
        assert_eq!(reply.body["error"]["details"]["field"], "customFields");
    }
    let malformed = app
        .raw(reqwest::Method::POST, "/v1/contacts", "{\"email\": ")
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error_code(), "BAD_REQUEST");
    let not_object = app
        .raw(reqwest::Method::POST, "/v1/contacts", "[1,2]")
        .await;
    assert_eq!(not_object.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 0);
}

#[tokio::test]
async fn put_replaces_only_the_fields_present() {
    let app = spawn_app().await;
    let c = app
        .contact(json!({ "email": "carla@example.com", "firstName": "Carla", "company": "Acme", "customFields": { "a": 1 } }))
        .await;
    let id = id_of(&c);
    let reply = app
        .put(
            &format!("/v1/contacts/{id}"),
            json!({ "lastName": "Souza", "company": null, "status": "unsubscribed" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let u = reply.data();
    assert_eq!(u["firstName"], "Carla", "absent fields are kept");
    assert_eq!(u["lastName"], "Souza");
    assert_eq!(u["company"], Value::Null, "null clears");
    assert_eq!(u["status"], "unsubscribed");
    assert_eq!(u["customFields"], json!({ "a": 1 }));
    assert_eq!(u["createdAt"], c["createdAt"]);

    let bad = app
        .put(&format!("/v1/contacts/{id}"), json!({ "email": null }))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code(), "VALIDATION_ERROR");
    let bad = app
        .put(&format!("/v1/contacts/{id}"), json!({ "email": "nope" }))
        .await;
    assert_eq!(bad.error_code(), "VALIDATION_ERROR");
    let after = app.get(&format!("/v1/contacts/{id}")).await;
    assert_eq!(
        after.data()["email"],
        "carla@example.com",
        "a refused update changes nothing"
    );
    assert_eq!(after.data()["lastName"], "Souza");
}

#[tokio::test]
async fn changing_email_to_a_taken_one_conflicts_and_changes_nothing() {
    let app = spawn_app().await;
    app.contact(json!({ "email": "one@example.com" })).await;
    let two = app.contact(json!({ "email": "two@example.com" })).await;
    let reply = app
        .put(
            &format!("/v1/contacts/{}", id_of(&two)),
            json!({ "email": "ONE@example.com", "firstName": "X" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let after = app.get(&format!("/v1/contacts/{}", id_of(&two))).await;
    assert_eq!(after.data()["email"], "two@example.com");
    assert_eq!(after.data()["firstName"], Value::Null);
}

#[tokio::test]
async fn delete_removes_the_contact_and_its_memberships() {
    let app = spawn_app().await;
    let group = app.group("Leads").await;
    let c = app
        .contact(json!({ "email": "dan@example.com", "groupIds": [group["id"]] }))
        .await;
    assert_eq!(c["groupIds"], json!([group["id"]]));
    let path = format!("/v1/contacts/{}", id_of(&c));
    let reply = app.delete(&path).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.data(), &json!({ "id": c["id"], "deleted": true }));
    let again = app.get(&path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.error_code(), "NOT_FOUND");
    assert_eq!(app.delete(&path).await.status, StatusCode::NOT_FOUND);
    let g = app.get(&format!("/v1/groups/{}", id_of(&group))).await;
    assert_eq!(g.data()["contactCount"], 0);
}

#[tokio::test]
async fn group_ids_on_create_and_update_set_membership() {
    let app = spawn_app().await;
    let a = app.group("A").await;
    let b = app.group("B").await;
    let c = app
        .contact(json!({ "email": "eve@example.com", "groupIds": [a["id"], a["id"]] }))
        .await;
    assert_eq!(c["groupIds"], json!([a["id"]]));
    let path = format!("/v1/contacts/{}", id_of(&c));
    let u = app.put(&path, json!({ "groupIds": [b["id"]] })).await;
    assert_eq!(u.data()["groupIds"], json!([b["id"]]));
    let bad = app.put(&path, json!({ "groupIds": ["grp_unknown"] })).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code(), "VALIDATION_ERROR");
    assert_eq!(
        bad.body["error"]["details"]["unknownIds"],
        json!(["grp_unknown"])
    );
    assert_eq!(
        app.get(&path).await.data()["groupIds"],
        json!([b["id"]]),
        "unchanged after the refusal"
    );
    let cleared = app.put(&path, json!({ "groupIds": null })).await;
    assert_eq!(cleared.data()["groupIds"], json!([]));
    let unknown = app
        .post(
            "/v1/contacts",
            json!({ "email": "x@example.com", "groupIds": ["grp_nope"] }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/v1/contacts?email=x@example.com").await.body["meta"]["total"],
        0,
        "no half-written contact"
    );
}

#[tokio::test]
async fn list_filters_combine() {
    let app = spawn_app().await;
    let vip = app.group("VIP").await;
    let vip_id = id_of(&vip);
    app.contact(json!({ "email": "ana@example.com", "company": "Acme", "groupIds": [vip_id] }))
        .await;
    app.contact(json!({ "email": "bia@example.com", "company": "ACME" }))
        .await;
    app.contact(json!({ "email": "caio@other.org", "company": "Acme", "groupIds": [vip_id] }))
        .await;
    app.contact(json!({ "email": "duda@example.com", "company": "Globex", "status": "bounced", "groupIds": [vip_id] })).await;
    app.contact(json!({ "email": "100%_real@example.com" }))
        .await;

    let emails = |reply: &crate::helpers::Reply| -> Vec<String> {
        let mut v: Vec<String> = reply
            .data()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["email"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let r = app.get("/v1/contacts?email=EXAMPLE.com").await;
    assert_eq!(r.body["meta"]["total"], 4);
    let r = app.get("/v1/contacts?email=example.com&company=acme").await;
    assert_eq!(emails(&r), ["ana@example.com", "bia@example.com"]);
    let r = app
        .get(&format!("/v1/contacts?group={vip_id}&company=Acme"))
        .await;
    assert_eq!(emails(&r), ["ana@example.com", "caio@other.org"]);
    let r = app
        .get(&format!("/v1/contacts?group={vip_id}&status=bounced"))
        .await;
    assert_eq!(emails(&r), ["duda@example.com"]);
    let r = app
        .get(&format!(
            "/v1/contacts?group={vip_id}&status=active&email=other"
        ))
        .await;
    assert_eq!(emails(&r), ["caio@other.org"]);
    // LIKE wildcards in the needle are literal.
    let r = app.get("/v1/contacts?email=%25_").await;
    assert_eq!(emails(&r), ["100%_real@example.com"]);
    let r = app.get("/v1/contacts?group=grp_doesnotexist").await;
    assert_eq!(r.body["meta"]["total"], 0);
    let bad = app.get("/v1/contacts?status=asleep").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pagination_edges() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.contact(json!({ "email": format!("p{i}@example.com") }))
            .await;
    }
    let r = app.get("/v1/contacts").await;
    assert_eq!(
        r.body["meta"],
        json!({ "page": 1, "perPage": 20, "total": 5, "totalPages": 1, "totalIsEstimate": false, "nextCursor": null })
    );
    let r = app.get("/v1/contacts?page=2&perPage=2").await;
    assert_eq!(r.data().as_array().unwrap().len(), 2);
    assert_eq!(
        r.body["meta"],
        json!({ "page": 2, "perPage": 2, "total": 5, "totalPages": 3, "totalIsEstimate": false,
                "nextCursor": r.body["meta"]["nextCursor"].as_str().expect("a next page") })
    );
    let r = app.get("/v1/contacts?page=3&perPage=2").await;
    assert_eq!(r.data().as_array().unwrap().len(), 1);
    let r = app.get("/v1/contacts?page=9&perPage=2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.data(), &json!([]));
    assert_eq!(r.body["meta"]["total"], 5);
    let r = app.get("/v1/contacts?perPage=500").await;
    assert_eq!(r.body["meta"]["perPage"], 100, "clamped, and meta says so");
    for bad in [
        "page=0",
        "page=-1",
        "perPage=0",
        "perPage=abc",
        "page=1.5",
        "page=",
    ] {
        let r = app.get(&format!("/v1/contacts?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.error_code(), "VALIDATION_ERROR", "{bad}");
    }
}

#[tokio::test]
async fn sorting_is_total_and_pages_never_repeat_or_skip() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..23 {
        // Few distinct companies: many ties, broken by id.
        let company = ["Acme", "Globex", "Initech"][i % 3];
        let c = app
            .contact(json!({ "email": format!("s{i:02}@example.com"), "company": company }))
            .await;
        ids.push(id_of(&c));
    }
    for (sort, order) in [
        ("company", "asc"),
        ("company", "desc"),
        ("createdAt", "desc"),
        ("email", "asc"),
        ("firstName", "asc"),
    ] {
        let mut seen = Vec::new();
        for page in 1..=4 {
            let r = app
                .get(&format!(
                    "/v1/contacts?sort={sort}&order={order}&perPage=7&page={page}"
                ))
                .await;
            assert_eq!(r.status, StatusCode::OK);
            seen.extend(r.data().as_array().unwrap().iter().map(id_of));
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            23,
            "{sort} {order}: pages repeated or skipped"
        );
        let full = app
            .get(&format!(
                "/v1/contacts?sort={sort}&order={order}&perPage=100"
            ))
            .await;
        let all: Vec<String> = full.data().as_array().unwrap().iter().map(id_of).collect();
        assert_eq!(seen, all, "{sort} {order}: pages agree with one big page");
    }
    let asc = app.get("/v1/contacts?sort=email&order=asc&perPage=3").await;
    let emails: Vec<&str> = asc
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["s00@example.com", "s01@example.com", "s02@example.com"]
    );
    let newest = app.get("/v1/contacts?perPage=1").await;
    assert_eq!(
        id_of(&newest.data()[0]),
        ids[22],
        "default order is createdAt desc"
    );

    let bad = app.get("/v1/contacts?sort=password").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code(), "VALIDATION_ERROR");
    assert!(
        bad.body["error"]["details"]["allowed"]
            .as_array()
            .unwrap()
            .contains(&json!("createdAt"))
    );
    let bad = app.get("/v1/contacts?order=sideways").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn batch_create_reports_each_item() {
    let app = spawn_app().await;
    let group = app.group("Imported").await;
    app.contact(json!({ "email": "taken@example.com" })).await;
    let reply = app
        .post(
            "/v1/contacts/batch",
            json!({ "contacts": [
                { "email": "new1@example.com", "groupIds": [group["id"]] },
                { "email": "TAKEN@example.com" },
                { "email": "not-an-email" },
                { "email": "new1@EXAMPLE.com" },
                { "email": "new2@example.com", "customFields": { "x": "y" } },
                { "email": "new3@example.com", "groupIds": ["grp_missing"] }
            ] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let data = reply.data();
    assert_eq!(data["created"], 2);
    assert_eq!(data["failed"], 4);
    let results = data["results"].as_array().unwrap();
    let codes: Vec<Value> = results.iter().map(|r| r["error"]["code"].clone()).collect();
    assert_eq!(
        codes,
        [
            Value::Null,
            json!("CONFLICT"),
            json!("VALIDATION_ERROR"),
            json!("CONFLICT"),
            Value::Null,
            json!("VALIDATION_ERROR")
        ]
    );
    assert_eq!(results[0]["contact"]["groupIds"], json!([group["id"]]));
    assert_eq!(results[4]["contact"]["customFields"], json!({ "x": "y" }));
    assert_eq!(results[3]["error"]["details"]["duplicateOf"], 0);
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 3);
    assert_eq!(
        app.get(&format!("/v1/groups/{}", id_of(&group)))
            .await
            .data()["contactCount"],
        1
    );
}

#[tokio::test]
async fn batch_limits() {
    let app = spawn_app().await;
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({ "email": format!("b{i}@example.com") }))
        .collect();
    let reply = app
        .post("/v1/contacts/batch", json!({ "contacts": many }))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), "VALIDATION_ERROR");
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 0);

    let thousand: Vec<Value> = (0..1000)
        .map(|i| json!({ "email": format!("b{i}@example.com") }))
        .collect();
    let reply = app
        .post("/v1/contacts/batch", json!({ "contacts": thousand }))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.data()["created"], 1000);
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 1000);

    let bad = app.post("/v1/contacts/batch", json!({ "items": [] })).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code(), "BAD_REQUEST");
}

#[tokio::test]
async fn the_unfiltered_total_follows_every_write() {
    let app = spawn_app().await;
    let total = |r: &crate::helpers::Reply| r.body["meta"]["total"].as_i64().unwrap();
    let a = app
        .contact(json!({ "email": "t1@example.com", "company": "Acme" }))
        .await;
    app.contact(json!({ "email": "t2@example.com" })).await;
    let batch: Vec<Value> = (0..5)
        .map(|i| json!({ "email": format!("tb{i}@example.com") }))
        .collect();
    let mut with_dup = batch.clone();
    with_dup.push(json!({ "email": "t1@example.com" }));
    app.post("/v1/contacts/batch", json!({ "contacts": with_dup }))
        .await;
    app.post("/v1/contacts", json!({ "email": "t2@example.com" }))
        .await; // refused: no change
    app.delete(&format!("/v1/contacts/{}", id_of(&a))).await;
    app.delete(&format!("/v1/contacts/{}", id_of(&a))).await; // already gone: no change
    let (_, other) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    app.request_as(
        Some(&other),
        reqwest::Method::POST,
        "/v1/contacts",
        Some(json!({ "email": "o@example.com" })),
    )
    .await;

    let unfiltered = app.get("/v1/contacts").await;
    let counted = app.get("/v1/contacts?email=@").await; // a filter: counted row by row
    assert_eq!(total(&unfiltered), 6);
    assert_eq!(total(&unfiltered), total(&counted));
    assert_eq!(
        total(&app.get("/v1/contacts?company=acme").await),
        0,
        "a company filter is a filter"
    );
    assert_eq!(unfiltered.body["meta"]["totalPages"], 1);
}

/// Statements of one request that are not the caller's authentication.
fn listing_statements(log: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
        .into_iter()
        .filter(|sql| !sql.contains("api_keys"))
        .collect()
}

#[tokio::test]
async fn a_page_brings_group_ids_and_total_in_one_statement() {
    let (app, log) = spawn_counting_app().await;
    let a = app.group("Alpha").await;
    let b = app.group("Beta").await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let groups: Vec<Value> = match i % 3 {
            0 => vec![],
            1 => vec![a["id"].clone()],
            _ => vec![b["id"].clone(), a["id"].clone()],
        };
        let c = app
            .contact(json!({ "email": format!("p{i}@example.com"), "groupIds": groups }))
            .await;
        let mut ids: Vec<String> = groups
            .iter()
            .map(|g| g.as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        expected.push((id_of(&c), ids));
    }
    // Warm up (the key's last-use stamp), then count one listing.
    app.get("/v1/contacts?perPage=3").await;
    log.lock().unwrap().clear();

    let page = app.get("/v1/contacts?perPage=3&page=2").await;
    let statements = listing_statements(&log);
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert_eq!(page.body["meta"]["total"], 5);
    assert_eq!(statements.len(), 1, "{statements:#?}");
    let listed = page.data().as_array().unwrap();
    assert_eq!(listed.len(), 2);
    for c in listed {
        let (_, ids) = expected.iter().find(|(id, _)| *id == id_of(c)).unwrap();
        assert_eq!(c["groupIds"], json!(ids), "{c}");
    }

    // Past the end there is no row to carry the total; it is still right.
    let beyond = app.get("/v1/contacts?perPage=3&page=9").await;
    assert_eq!(beyond.data(), &json!([]));
    assert_eq!(beyond.body["meta"]["total"], 5);
    log.lock().unwrap().clear();

    // A filtered page counts beside the page, and still brings the group ids along.
    let members = app
        .get(&format!("/v1/contacts?group={}&perPage=100", id_of(&a)))
        .await;
    let statements = listing_statements(&log);
    assert_eq!(members.body["meta"]["total"], 3, "{:?}", members.body);
    assert_eq!(statements.len(), 2, "{statements:#?}");
    for c in members.data().as_array().unwrap() {
        let (_, ids) = expected.iter().find(|(id, _)| *id == id_of(c)).unwrap();
        assert_eq!(c["groupIds"], json!(ids));
    }

    // Without groupIds in the selection, no aggregation is asked for.
    app.gql(
        "{ contacts { items { id email } pageInfo { total } } }",
        json!({}),
    )
    .await;
    let statements = listing_statements(&log);
    assert_eq!(statements.len(), 1, "{statements:#?}");
    assert!(
        !statements[0].contains("group_members"),
        "{}",
        statements[0]
    );
}

/// A read whose variables once passed validation is not validated again: it answers as it did,
/// and variables that fail validation are refused every time, before and after.
#[tokio::test]
async fn a_read_validated_once_answers_the_same_and_bad_variables_stay_refused() {
    let app = spawn_app().await;
    app.contact(json!({ "email": "first@example.com" })).await;
    app.contact(json!({ "email": "second@example.com" })).await;
    let refused = app.get("/v1/contacts?order=sideways").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let first = app.get("/v1/contacts?order=asc&perPage=5").await;
    let again = app.get("/v1/contacts?order=asc&perPage=5").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(first.body, again.body);
    assert_eq!(first.data().as_array().map(Vec::len), Some(2));
    for _ in 0..2 {
        let bad = app.get("/v1/contacts?order=sideways").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(bad.error_code(), refused.error_code());
        assert_eq!(
            bad.body["error"]["message"],
            refused.body["error"]["message"]
        );
        let huge = app.get("/v1/contacts?order=asc&perPage=99999999999").await;
        assert_eq!(huge.status, StatusCode::BAD_REQUEST, "{:?}", huge.body);
    }
}
