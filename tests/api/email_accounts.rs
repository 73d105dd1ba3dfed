use api::service::workspaces::Plan;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{id_of, spawn_app};

#[tokio::test]
async fn email_account_crud_never_shows_the_password() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/v1/email-accounts",
            json!({ "email": "Sales@Acme.test", "name": "Sales", "smtpHost": "SMTP.acme.test", "smtpPassword": "hunter2-secret", "smtpSecurity": "tls" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a = r.data().clone();
    assert!(a["id"].as_str().unwrap().starts_with("acc_"));
    assert_eq!(a["smtpHost"], "smtp.acme.test");
    assert_eq!(a["smtpPort"], 465, "the port follows the security mode");
    assert_eq!(
        a["smtpUsername"], "Sales@Acme.test",
        "username defaults to the address"
    );
    assert_eq!(a["smtpSecurity"], "tls");
    assert_eq!(a["dailyLimit"], 200);
    assert!(a.get("smtpPassword").is_none());
    let path = format!("/v1/email-accounts/{}", id_of(&a));

    let u = app.put(&path, json!({ "smtpPort": 2525, "smtpPassword": "new-secret-2", "dailyLimit": 50, "name": null })).await;
    assert_eq!(u.status, StatusCode::OK, "{}", u.body);
    assert_eq!(u.data()["smtpPort"], 2525);
    assert_eq!(u.data()["dailyLimit"], 50);
    assert_eq!(u.data()["name"], Value::Null);
    let got = app.get(&path).await;
    let list = app.get("/v1/email-accounts").await;
    assert_eq!(list.body["meta"]["total"], 1);
    for text in [
        r.body.to_string(),
        u.body.to_string(),
        got.body.to_string(),
        list.body.to_string(),
    ] {
        assert!(
            !text.contains("hunter2") && !text.contains("new-secret"),
            "password leaked: {text}"
        );
    }
    let g = app
        .gql(
            "query($id: ID!) { emailAccount(id: $id) { email smtpSecurity } }",
            json!({ "id": a["id"] }),
        )
        .await;
    assert_eq!(
        g.body["data"]["emailAccount"],
        json!({ "email": "Sales@Acme.test", "smtpSecurity": "tls" })
    );

    let d = app.delete(&path).await;
    assert_eq!(d.data(), &json!({ "id": a["id"], "deleted": true }));
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn email_account_validation() {
    let app = spawn_app().await;
    let cases = [
        (json!({ "smtpHost": "h", "smtpPassword": "p" }), "email"),
        (
            json!({ "email": "bad", "smtpHost": "h", "smtpPassword": "p" }),
            "email",
        ),
        (
            json!({ "email": "a@b.co", "smtpPassword": "p" }),
            "smtpHost",
        ),
        (
            json!({ "email": "a@b.co", "smtpHost": "bad host!", "smtpPassword": "p" }),
            "smtpHost",
        ),
        (
            json!({ "email": "a@b.co", "smtpHost": "h" }),
            "smtpPassword",
        ),
        (
            json!({ "email": "a@b.co", "smtpHost": "h", "smtpPassword": "p", "smtpPort": 70000 }),
            "smtpPort",
        ),
        (
            json!({ "email": "a@b.co", "smtpHost": "h", "smtpPassword": "p", "dailyLimit": 0 }),
            "dailyLimit",
        ),
    ];
    for (body, field) in cases {
        let r = app.post("/v1/email-accounts", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.error_code(), "VALIDATION_ERROR", "{body}");
        assert_eq!(r.body["error"]["details"]["field"], field, "{body}");
    }
    let r = app.post("/v1/email-accounts", json!({ "email": "a@b.co", "smtpHost": "h", "smtpPassword": "p", "smtpSecurity": "ssl" })).await;
    assert_eq!(r.error_code(), "BAD_REQUEST");
    assert_eq!(app.get("/v1/email-accounts").await.body["meta"]["total"], 0);
}

#[tokio::test]
async fn accounts_in_use_cannot_be_deleted_and_stay_private() {
    let app = spawn_app().await;
    let a = app.account().await;
    let c = app
        .campaign(json!({ "name": "Uses it", "emailAccountId": a["id"] }))
        .await;
    let path = format!("/v1/email-accounts/{}", id_of(&a));
    let r = app.delete(&path).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["error"]["details"]["campaignIds"], json!([c["id"]]));
    assert_eq!(app.get(&path).await.status, StatusCode::OK);

    let (_, other) = app.new_workspace("Other", Plan::Pro).await;
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(json!({ "dailyLimit": 5 }))),
        (Method::DELETE, None),
    ] {
        let r = app
            .request_as(Some(&other), method.clone(), &path, body)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
    }
    let r = app
        .request_as(Some(&other), Method::GET, "/v1/email-accounts", None)
        .await;
    assert_eq!(r.body["meta"]["total"], 0);
    // Nor can another workspace's campaign point at it.
    let r = app
        .request_as(
            Some(&other),
            Method::POST,
            "/v1/campaigns",
            Some(json!({ "name": "Steal", "emailAccountId": a["id"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["details"]["field"], "emailAccountId");

    app.delete(&format!("/v1/campaigns/{}", id_of(&c))).await;
    assert_eq!(app.delete(&path).await.status, StatusCode::OK);
}
