use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{gql_code, id_of, spawn_app};

#[tokio::test]
async fn contacts_and_groups_round_trip_through_graphql() {
    let app = spawn_app().await;
    let g = app
        .gql("mutation { createGroup(input: { name: \"Founders\", description: \"d\" }) { id name contactCount } }", json!({}))
        .await;
    assert_eq!(g.status, StatusCode::OK);
    let group_id = g.body["data"]["createGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(g.body["data"]["createGroup"]["contactCount"], 0);

    let c = app
        .gql(
            "mutation($input: ContactInput!) { createContact(input: $input) { id email status customFields groupIds } }",
            json!({ "input": { "email": "gq@example.com", "customFields": { "tier": 1 }, "groupIds": [group_id] } }),
        )
        .await;
    let contact = &c.body["data"]["createContact"];
    assert_eq!(contact["status"], "active");
    assert_eq!(contact["customFields"], json!({ "tier": 1 }));
    assert_eq!(contact["groupIds"], json!([group_id]));
    let contact_id = id_of(contact);

    let u = app
        .gql(
            "mutation($id: ID!) { updateContact(id: $id, input: { firstName: \"Gi\", status: unsubscribed }) { firstName status } }",
            json!({ "id": contact_id }),
        )
        .await;
    assert_eq!(
        u.body["data"]["updateContact"],
        json!({ "firstName": "Gi", "status": "unsubscribed" })
    );

    let nested = app
        .gql(
            "query($id: ID!) { group(id: $id) { name contactCount contacts(perPage: 5) { items { email firstName } pageInfo { page perPage total totalPages } } } }",
            json!({ "id": group_id }),
        )
        .await;
    assert_eq!(
        nested.body["data"]["group"],
        json!({ "name": "Founders", "contactCount": 1, "contacts": {
            "items": [{ "email": "gq@example.com", "firstName": "Gi" }],
            "pageInfo": { "page": 1, "perPage": 5, "total": 1, "totalPages": 1 } } })
    );

    let list = app
        .gql(
            "{ contacts(filter: { status: unsubscribed }, sort: \"email\", order: asc) { items { id } pageInfo { total } } groups { items { id } pageInfo { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(list.body["data"]["contacts"]["pageInfo"]["total"], 1);
    assert_eq!(list.body["data"]["groups"]["pageInfo"]["total"], 1);

    let removed = app
        .gql(
            "mutation($g: ID!, $c: [ID!]!) { removeContactsFromGroup(id: $g, contactIds: $c) { removed group { contactCount } } }",
            json!({ "g": group_id, "c": [contact_id] }),
        )
        .await;
    assert_eq!(
        removed.body["data"]["removeContactsFromGroup"],
        json!({ "removed": 1, "group": { "contactCount": 0 } })
    );
    let added = app
        .gql(
            "mutation($g: ID!, $c: [ID!]!) { addContactsToGroup(id: $g, contactIds: $c) { added alreadyMembers } }",
            json!({ "g": group_id, "c": [contact_id] }),
        )
        .await;
    assert_eq!(
        added.body["data"]["addContactsToGroup"],
        json!({ "added": 1, "alreadyMembers": 0 })
    );

    let deleted = app
        .gql(
            "mutation($id: ID!) { deleteContact(id: $id) { id deleted } }",
            json!({ "id": contact_id }),
        )
        .await;
    assert_eq!(deleted.body["data"]["deleteContact"]["deleted"], true);
    let deleted = app
        .gql(
            "mutation($id: ID!) { deleteGroup(id: $id) { deleted } }",
            json!({ "id": group_id }),
        )
        .await;
    assert_eq!(deleted.body["data"]["deleteGroup"]["deleted"], true);
    let gone = app
        .gql(
            "query($id: ID!) { contact(id: $id) { id } }",
            json!({ "id": contact_id }),
        )
        .await;
    assert_eq!(gql_code(&gone), "NOT_FOUND");
}

#[tokio::test]
async fn graphql_errors_carry_the_same_codes() {
    let app = spawn_app().await;
    app.contact(json!({ "email": "dup@example.com" })).await;
    let cases = [
        (
            "mutation { createContact(input: { firstName: \"x\" }) { id } }",
            "VALIDATION_ERROR",
        ),
        (
            "mutation { createContact(input: { email: \"DUP@example.com\" }) { id } }",
            "CONFLICT",
        ),
        (
            "{ contacts(perPage: 0) { pageInfo { total } } }",
            "VALIDATION_ERROR",
        ),
        (
            "{ contacts(sort: \"secret\") { pageInfo { total } } }",
            "VALIDATION_ERROR",
        ),
        ("{ group(id: \"grp_x\") { id } }", "NOT_FOUND"),
        (
            "mutation { updateGroup(id: \"grp_x\", input: { name: \"n\" }) { id } }",
            "NOT_FOUND",
        ),
    ];
    for (query, code) in cases {
        let r = app.gql(query, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{query}");
        assert_eq!(gql_code(&r), code, "{query}: {}", r.body);
    }
    let validation = app
        .gql(
            "mutation { createContact(input: { firstName: \"x\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(validation.body["errors"][0]["message"], "Email is required");
    assert_eq!(
        validation.body["errors"][0]["extensions"]["details"]["field"],
        "email"
    );

    let malformed = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.api_key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    for broken in [
        "{ contacts { nope } }",
        "{ contacts(",
        "mutation { createContact(input: { email: 5 }) { id } }",
    ] {
        let r = app.gql(broken, json!({})).await;
        assert_eq!(gql_code(&r), "BAD_REQUEST", "{broken}");
    }
    assert_eq!(app.get("/v1/contacts").await.body["meta"]["total"], 1);
}

#[tokio::test]
async fn batch_create_and_paging_in_graphql() {
    let app = spawn_app().await;
    let inputs: Vec<Value> = (0..30)
        .map(|i| json!({ "email": format!("g{i:02}@example.com"), "company": "Acme" }))
        .collect();
    let r = app
        .gql(
            "mutation($c: [ContactInput!]!) { createContacts(contacts: $c) { created failed results { index success error { code } } } }",
            json!({ "c": inputs }),
        )
        .await;
    assert_eq!(
        r.body["data"]["createContacts"]["created"], 30,
        "{}",
        r.body
    );
    let page = app
        .gql(
            "{ contacts(page: 2, perPage: 8, sort: \"email\", order: asc, filter: { company: \"acme\" }) { items { email groupIds } pageInfo { page perPage total totalPages } } }",
            json!({}),
        )
        .await;
    let data = &page.body["data"]["contacts"];
    assert_eq!(
        data["pageInfo"],
        json!({ "page": 2, "perPage": 8, "total": 30, "totalPages": 4 })
    );
    assert_eq!(data["items"][0]["email"], "g08@example.com");
    assert_eq!(data["items"][0]["groupIds"], json!([]));
}
