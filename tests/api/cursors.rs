//! Lists read by cursor: every row once in every documented order, a cursor bound to its list
//! and order, rows written between pages neither repeated nor skipping others, and totals
//! counted while small and estimated (and said to be) beyond.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app};

/// The ids of a list read page by page from `path` (which has its query started), by cursor,
/// checking the page numbers the cursors lead to.
async fn walk(app: &TestApp, path: &str, per_page: u32) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 1.. {
        let url = match &cursor {
            None => format!("{path}&perPage={per_page}"),
            Some(cursor) => format!("{path}&perPage={per_page}&cursor={cursor}"),
        };
        let reply = app.get(&url).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
        assert_eq!(reply.body["meta"]["page"], page, "{url}");
        let items = reply.data().as_array().unwrap();
        ids.extend(items.iter().map(key));
        match reply.body["meta"]["nextCursor"].as_str() {
            Some(next) => {
                assert_eq!(items.len() as u32, per_page, "only a full page has a next");
                cursor = Some(next.to_owned());
            }
            None => break,
        }
        assert!(page < 1000, "the walk ends");
    }
    ids
}

/// The ids of one page holding the whole list.
async fn whole(app: &TestApp, path: &str) -> Vec<String> {
    let reply = app.get(&format!("{path}&perPage=100")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body["meta"]["nextCursor"].is_null());
    reply.data().as_array().unwrap().iter().map(key).collect()
}

/// A listed row's id (an enrolment's is its contact's).
fn key(item: &Value) -> String {
    match item.get("id") {
        Some(_) => id_of(item),
        None => id_of(&item["contact"]),
    }
}

/// Contacts with repeated and missing names and companies, made in one millisecond or so
/// (so equal creation times are broken by id).
async fn mixed_contacts(app: &TestApp, count: usize) -> Vec<String> {
    let contacts: Vec<Value> = (0..count)
        .map(|i| {
            let mut contact =
                json!({ "email": format!("{:02}.{i}@d{}.test", (i * 7) % 97, i % 3) });
            if i % 4 != 0 {
                contact["firstName"] = json!(["Ana", "Bruno", "Caio"][i % 3]);
            }
            if i % 5 != 0 {
                contact["company"] = json!(["Acme", "acme", "Beta"][i % 3]);
            }
            contact
        })
        .collect();
    let r = app
        .post("/v1/contacts/batch", json!({ "contacts": contacts }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["created"], count);
    r.data()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| id_of(&result["contact"]))
        .collect()
}

#[tokio::test]
async fn a_cursor_walk_shows_every_contact_once_in_every_documented_order() {
    let app = spawn_app().await;
    let made = mixed_contacts(&app, 23).await;
    for sort in [
        "createdAt",
        "updatedAt",
        "email",
        "firstName",
        "lastName",
        "company",
    ] {
        for order in ["asc", "desc"] {
            let path = format!("/v1/contacts?sort={sort}&order={order}");
            let walked = walk(&app, &path, 4).await;
            assert_eq!(walked, whole(&app, &path).await, "{sort} {order}");
            let mut seen = walked.clone();
            seen.sort();
            let mut all = made.clone();
            all.sort();
            assert_eq!(seen, all, "{sort} {order}: each once");
        }
    }
    // Filtered lists walk the same way.
    let path = "/v1/contacts?company=acme&sort=firstName&order=asc";
    let walked = walk(&app, path, 3).await;
    assert_eq!(walked, whole(&app, path).await);
    assert!(!walked.is_empty());
}

#[tokio::test]
async fn a_page_number_and_a_cursor_continue_the_same_list() {
    let app = spawn_app().await;
    mixed_contacts(&app, 12).await;
    let second = app.get("/v1/contacts?page=2&perPage=5").await;
    let third_by_number = app.get("/v1/contacts?page=3&perPage=5").await;
    let cursor = second.body["meta"]["nextCursor"].as_str().unwrap();
    let third = app
        .get(&format!("/v1/contacts?perPage=5&cursor={cursor}"))
        .await;
    assert_eq!(third.data(), third_by_number.data());
    assert_eq!(third.body["meta"], third_by_number.body["meta"]);
    assert_eq!(
        third.body["meta"],
        json!({ "page": 3, "perPage": 5, "total": 12, "totalPages": 3,
                "totalIsEstimate": false, "nextCursor": null })
    );
}

#[tokio::test]
async fn a_cursor_is_refused_where_it_does_not_belong() {
    let app = spawn_app().await;
    mixed_contacts(&app, 6).await;
    app.group("One").await;
    app.group("Two").await;
    let first = app.get("/v1/contacts?perPage=2&sort=email").await;
    let cursor = first.body["meta"]["nextCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let groups = app.get("/v1/groups?perPage=1").await;
    let group_cursor = groups.body["meta"]["nextCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    for (path, why) in [
        (
            format!("/v1/contacts?cursor={cursor}&page=2"),
            "with a page",
        ),
        (format!("/v1/contacts?cursor={cursor}"), "another order"),
        (
            format!("/v1/contacts?cursor={cursor}&sort=email&order=asc"),
            "another direction",
        ),
        (
            format!("/v1/contacts?cursor={group_cursor}"),
            "another list",
        ),
        ("/v1/contacts?cursor=not-a-cursor".to_owned(), "not one"),
        (format!("/v1/contacts?cursor={}x", &cursor[..10]), "cut"),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
        assert_eq!(r.error_code(), "VALIDATION_ERROR", "{why}");
        assert_eq!(r.body["error"]["details"]["field"], "cursor", "{why}");
    }
    let r = app
        .get(&format!("/v1/contacts?cursor={cursor}&sort=email"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn rows_written_between_pages_do_not_repeat_or_hide_others() {
    let app = spawn_app().await;
    let made = mixed_contacts(&app, 10).await;
    let first = app.get("/v1/contacts?perPage=4").await;
    let mut seen: Vec<String> = first.data().as_array().unwrap().iter().map(id_of).collect();
    // Newer contacts sort before the cursor (newest first); one not yet shown goes away.
    for i in 0..3 {
        app.contact(json!({ "email": format!("late{i}@example.com") }))
            .await;
    }
    let shown_next = whole(&app, "/v1/contacts?").await;
    let gone = shown_next
        .iter()
        .find(|id| made.contains(id) && !seen.contains(id))
        .unwrap()
        .clone();
    assert_eq!(
        app.delete(&format!("/v1/contacts/{gone}")).await.status,
        StatusCode::OK
    );
    let mut cursor = first.body["meta"]["nextCursor"].as_str().map(str::to_owned);
    while let Some(at) = cursor {
        let r = app
            .get(&format!("/v1/contacts?perPage=4&cursor={at}"))
            .await;
        seen.extend(r.data().as_array().unwrap().iter().map(id_of));
        cursor = r.body["meta"]["nextCursor"].as_str().map(str::to_owned);
    }
    let mut expected: Vec<String> = made.into_iter().filter(|id| *id != gone).collect();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn every_list_walks_by_cursor() {
    let app = spawn_app().await;
    let contacts = mixed_contacts(&app, 7).await;
    let group = app.group("Walkers").await;
    let r = app
        .post(
            &format!("/v1/groups/{}/contacts", id_of(&group)),
            json!({ "contactIds": contacts }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for i in 0..4 {
        app.group(&format!("G{i}")).await;
        let r = app
            .post(
                "/v1/suppressions",
                json!({ "kind": "email", "value": format!("s{i}@example.com") }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(
                "/v1/webhooks",
                json!({ "url": format!("https://hooks{i}.example.com/in"), "events": ["contact.created"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let (campaign, _) = app.ready_campaign(5).await;
    for i in 0..3 {
        app.campaign(json!({ "name": format!("C{i}") })).await;
    }
    let enrolled = format!("/v1/campaigns/{}/contacts?", id_of(&campaign));
    let members = format!("/v1/groups/{}/contacts?", id_of(&group));
    for path in [
        "/v1/groups?sort=name&order=asc",
        "/v1/groups?",
        members.as_str(),
        "/v1/suppressions?sort=value",
        "/v1/webhooks?",
        "/v1/campaigns?sort=name&order=asc",
        "/v1/campaigns?",
        enrolled.as_str(),
        "/v1/email-accounts?",
    ] {
        let walked = walk(&app, path, 2).await;
        let all = whole(&app, path).await;
        assert_eq!(walked, all, "{path}");
        assert!(!all.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn graphql_connections_take_the_cursor_too() {
    let app = spawn_app().await;
    mixed_contacts(&app, 5).await;
    let query = "query($cursor: String) { contacts(perPage: 3, sort: \"email\", order: asc, cursor: $cursor) { items { email } pageInfo { page nextCursor totalIsEstimate } } }";
    let first = app.gql(query, json!({})).await;
    let info = &first.body["data"]["contacts"]["pageInfo"];
    assert_eq!(info["totalIsEstimate"], false);
    let second = app
        .gql(query, json!({ "cursor": info["nextCursor"] }))
        .await;
    let page = &second.body["data"]["contacts"];
    assert_eq!(page["pageInfo"]["page"], 2);
    assert!(page["pageInfo"]["nextCursor"].is_null());
    let emails: Vec<&str> = first.body["data"]["contacts"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page["items"].as_array().unwrap())
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    assert_eq!(emails.len(), 5);
}

/// More matches than are counted: the total is estimated from a sample of the workspace and
/// says so; a small match set is still exact.
#[tokio::test]
async fn a_large_filtered_total_is_estimated_and_says_so() {
    let app = spawn_app().await;
    let total = 24_000;
    for batch in 0..total / 1000 {
        let contacts: Vec<Value> = (0..1000)
            .map(|i| {
                let n = batch * 1000 + i;
                json!({ "email": format!("e{n}@example.com"),
                        "company": if n % 2 == 0 { "Even" } else { "Odd" } })
            })
            .collect();
        let r = app
            .post("/v1/contacts/batch", json!({ "contacts": contacts }))
            .await;
        assert_eq!(r.data()["created"], 1000, "{}", r.body);
    }
    let even = app.get("/v1/contacts?company=even&perPage=1").await;
    assert_eq!(even.body["meta"]["totalIsEstimate"], true, "{}", even.body);
    let estimate = even.body["meta"]["total"].as_u64().unwrap();
    assert!(
        (10_001..=13_200).contains(&estimate),
        "about half of {total}: {estimate}"
    );
    assert_eq!(
        even.body["meta"]["totalPages"], estimate,
        "pages follow the estimate"
    );
    let few = app.get("/v1/contacts?email=e1234").await;
    assert_eq!(few.body["meta"]["totalIsEstimate"], false);
    // e1234 and e12340..e12349
    assert_eq!(few.body["meta"]["total"], 11);
    let all = app.get("/v1/contacts?perPage=1").await;
    assert_eq!(all.body["meta"]["totalIsEstimate"], false);
    assert_eq!(all.body["meta"]["total"], total);
}

/// A campaign's enrolments, unfiltered, take their total from the campaign's kept count: no
/// statement counts the enrolments; filtered by state they are counted.
#[tokio::test]
async fn a_campaigns_enrolments_total_is_its_kept_count() {
    let (app, log) = crate::helpers::spawn_counting_app().await;
    let (campaign, _) = app.ready_campaign(3).await;
    let path = format!("/v1/campaigns/{}/contacts", id_of(&campaign));
    app.get(&path).await;
    log.lock().unwrap().clear();
    let r = app.get(&path).await;
    assert_eq!(r.body["meta"]["total"], 3);
    let counted = |log: &std::sync::Mutex<Vec<String>>| {
        std::mem::take(&mut *log.lock().unwrap())
            .into_iter()
            .filter(|sql| sql.contains("COUNT") && sql.contains("campaign_contacts"))
            .count()
    };
    assert_eq!(counted(&log), 0, "the kept count, not a COUNT");
    let r = app.get(&format!("{path}?state=pending")).await;
    assert_eq!(r.body["meta"]["total"], 3, "{}", r.body);
    assert_eq!(counted(&log), 1);
}

/// Past 10 000 rows any list stops counting: the total is said to be an estimate and is never
/// below the rows counted; up to 10 000 it is exact.
#[tokio::test]
async fn a_long_list_counts_to_ten_thousand_then_estimates() {
    let app = spawn_app().await;
    let add = |from: usize, count: usize| {
        let items: Vec<Value> = (from..from + count)
            .map(|i| json!({ "kind": "email", "value": format!("s{i}@example.com") }))
            .collect();
        json!({ "items": items })
    };
    let r = app.post("/v1/suppressions", add(0, 10_000)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let meta = &app.get("/v1/suppressions?perPage=1").await.body["meta"];
    assert_eq!(
        (meta["total"].as_u64(), meta["totalIsEstimate"].as_bool()),
        (Some(10_000), Some(false))
    );
    let r = app.post("/v1/suppressions", add(10_000, 50)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let meta = &app.get("/v1/suppressions?perPage=1").await.body["meta"];
    assert_eq!(meta["totalIsEstimate"], true, "{meta}");
    assert!(meta["total"].as_u64().unwrap() >= 10_001, "{meta}");
    assert_eq!(meta["totalPages"], meta["total"]);
}
