use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{id_of, spawn_app};

#[tokio::test]
async fn group_crud() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/v1/groups",
            json!({ "name": " Leads 2026 ", "description": "From the fair" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let g = reply.data().clone();
    assert!(g["id"].as_str().unwrap().starts_with("grp_"));
    assert_eq!(g["name"], "Leads 2026");
    assert_eq!(g["description"], "From the fair");
    assert_eq!(g["contactCount"], 0);
    let path = format!("/v1/groups/{}", id_of(&g));
    assert_eq!(app.get(&path).await.data(), &g);

    let u = app.put(&path, json!({ "description": null })).await;
    assert_eq!(u.status, StatusCode::OK);
    assert_eq!(u.data()["name"], "Leads 2026");
    assert_eq!(u.data()["description"], Value::Null);
    let u = app.put(&path, json!({ "name": "Hot leads" })).await;
    assert_eq!(u.data()["name"], "Hot leads");

    let bad = app.put(&path, json!({ "name": "   " })).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code(), "VALIDATION_ERROR");
    let bad = app
        .post("/v1/groups", json!({ "description": "no name" }))
        .await;
    assert_eq!(bad.error_code(), "VALIDATION_ERROR");
    assert_eq!(bad.body["error"]["details"]["field"], "name");
    let bad = app.post("/v1/groups", json!({ "name": 7 })).await;
    assert_eq!(bad.error_code(), "BAD_REQUEST");

    let d = app.delete(&path).await;
    assert_eq!(d.data(), &json!({ "id": g["id"], "deleted": true }));
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.put(&path, json!({ "name": "x" })).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adding_contacts_is_idempotent_and_counts() {
    let app = spawn_app().await;
    let g = app.group("Customers").await;
    let path = format!("/v1/groups/{}/contacts", id_of(&g));
    let a = id_of(&app.contact(json!({ "email": "a@example.com" })).await);
    let b = id_of(&app.contact(json!({ "email": "b@example.com" })).await);
    let c = id_of(&app.contact(json!({ "email": "c@example.com" })).await);

    let r = app.post(&path, json!({ "contactIds": [a, b, a] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["added"], 2);
    assert_eq!(r.data()["alreadyMembers"], 0);
    assert_eq!(r.data()["group"]["contactCount"], 2);
    let r = app.post(&path, json!({ "contactIds": [a, b, c] })).await;
    assert_eq!(r.data()["added"], 1);
    assert_eq!(r.data()["alreadyMembers"], 2);
    assert_eq!(r.data()["group"]["contactCount"], 3);

    let contact = app.get(&format!("/v1/contacts/{a}")).await;
    assert_eq!(contact.data()["groupIds"], json!([g["id"]]));

    let r = app.get(&path).await;
    assert_eq!(r.body["meta"]["total"], 3);
    let r = app.get(&format!("{path}?email=b@&perPage=1")).await;
    assert_eq!(r.body["meta"]["total"], 1);
    assert_eq!(r.data()[0]["id"], b);

    let r = app
        .delete_with(&path, json!({ "contactIds": [a, a] }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["removed"], 1);
    assert_eq!(r.data()["group"]["contactCount"], 2);
    let r = app.delete_with(&path, json!({ "contactIds": [a] })).await;
    assert_eq!(r.data()["removed"], 0);
    assert_eq!(r.data()["notMembers"], 1);
    // Deleting a group keeps its contacts.
    app.delete(&format!("/v1/groups/{}", id_of(&g))).await;
    assert_eq!(
        app.get(&format!("/v1/contacts/{b}")).await.data()["groupIds"],
        json!([])
    );
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 3);
}

#[tokio::test]
async fn unknown_contact_ids_are_listed_and_nothing_is_added() {
    let app = spawn_app().await;
    let g = app.group("G").await;
    let path = format!("/v1/groups/{}/contacts", id_of(&g));
    let a = id_of(&app.contact(json!({ "email": "a@example.com" })).await);
    let r = app
        .post(&path, json!({ "contactIds": [a, "cnt_nope", "whatever"] }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    assert_eq!(
        r.body["error"]["details"]["unknownIds"],
        json!(["cnt_nope", "whatever"])
    );
    assert_eq!(
        app.get(&format!("/v1/groups/{}", id_of(&g))).await.data()["contactCount"],
        0
    );

    let r = app.post(&path, json!({})).await;
    assert_eq!(
        r.error_code(),
        "VALIDATION_ERROR",
        "a missing field is a validation error"
    );
    assert_eq!(r.body["error"]["details"]["field"], "contactIds");
    for (body, code) in [
        (json!({ "contactIds": { "a": 1 } }), "VALIDATION_ERROR"),
        (json!({ "contactIds": "cnt_x" }), "VALIDATION_ERROR"),
        (json!({ "contactIds": [a], "extra": 1 }), "BAD_REQUEST"),
    ] {
        let r = app.post(&path, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.error_code(), code, "{body}");
    }
    let r = app.post(&path, json!({ "contactIds": [] })).await;
    assert_eq!(r.error_code(), "VALIDATION_ERROR");
    let r = app
        .post(
            "/v1/groups/grp_missing/contacts",
            json!({ "contactIds": [a] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/v1/groups/grp_missing/contacts").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn group_list_sorts_filters_and_counts_members() {
    let app = spawn_app().await;
    let names = ["Beta", "alpha", "Gamma", "Alpha testers"];
    let mut groups = Vec::new();
    for name in names {
        groups.push(app.group(name).await);
    }
    let member = id_of(&app.contact(json!({ "email": "m@example.com" })).await);
    app.post(
        &format!("/v1/groups/{}/contacts", id_of(&groups[2])),
        json!({ "contactIds": [member] }),
    )
    .await;

    let r = app.get("/v1/groups").await;
    assert_eq!(r.body["meta"]["total"], 4);
    assert_eq!(
        r.data()[0]["name"],
        "Alpha testers",
        "newest first by default"
    );
    let gamma = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Gamma")
        .unwrap()
        .clone();
    assert_eq!(gamma["contactCount"], 1);
    let r = app
        .get("/v1/groups?name=ALPHA&sort=createdAt&order=asc")
        .await;
    let got: Vec<&str> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["alpha", "Alpha testers"]);
    let r = app
        .get("/v1/groups?sort=name&order=asc&perPage=2&page=2")
        .await;
    assert_eq!(r.body["meta"]["totalPages"], 2);
    assert_eq!(r.data().as_array().unwrap().len(), 2);
    let bad = app.get("/v1/groups?sort=contactCount").await;
    assert_eq!(bad.error_code(), "VALIDATION_ERROR");
    let bad = app.get("/v1/groups?email=x").await;
    assert_eq!(bad.error_code(), "BAD_REQUEST");
}
