//! A stored value this code does not know (a corrupt or hand-edited row) is a loud internal
//! error naming the row, never a default that acts on it — and it stops only its own tenant's
//! account or campaign, never anyone else's sending.

use entity::{campaign, contact, email_account};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::{TestApp, drop_check, id_of};
use crate::sending::{MONDAY_10, app_at, launch, messages, pass, smtp_account};

fn one_step() -> serde_json::Value {
    json!([{ "subject": "Hi", "body": "Hello" }])
}

async fn set_account(app: &TestApp, id: &str, column: email_account::Column, value: Expr) {
    email_account::Entity::update_many()
        .col_expr(column, value)
        .filter(email_account::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn corrupt_smtp_settings_stop_their_own_account_and_are_never_read_as_defaults() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let broken = smtp_account(&app, &smtp, json!({ "email": "broken@acme.example" })).await;
    let fine = smtp_account(&app, &smtp, json!({ "email": "fine@acme.example" })).await;
    let (_, _) = launch(&app, &broken, one_step(), json!({}), 1, "b").await;
    let (_, _) = launch(&app, &fine, one_step(), json!({}), 1, "f").await;
    // A security this version does not know (it used to read as STARTTLS) on one account, a
    // port out of range (it used to read as 25) tried on the other afterwards. The database
    // refuses the first; a hand-edited one without its check holds it.
    drop_check(&app, "email_accounts", "smtp_security").await;
    set_account(
        &app,
        &id_of(&broken),
        email_account::Column::SmtpSecurity,
        Expr::value("carrier-pigeon"),
    )
    .await;

    pass(&app).await;
    let got = smtp.received();
    assert_eq!(got.len(), 1, "only the sound account sent");
    let row = email_account::Entity::find_by_id(id_of(&broken))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status.as_str(), "error");
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("stored SMTP settings are not valid")),
        "{:?}",
        row.last_error
    );
    let states: Vec<String> = messages(&app)
        .await
        .into_iter()
        .map(|m| m.state.as_str().to_owned())
        .collect();
    assert!(states.contains(&"sent".to_owned()), "{states:?}");
    assert!(
        !states.iter().any(|s| s == "failed" || s == "unknown"),
        "the broken account's email waits for it to be fixed: {states:?}"
    );
    // Read through the API, the corrupt value is an internal error, not a guess.
    let read = app
        .get(&format!("/v1/email-accounts/{}", id_of(&broken)))
        .await;
    assert_eq!(
        read.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        read.body
    );
    assert_eq!(read.error_code(), "INTERNAL_ERROR");

    set_account(
        &app,
        &id_of(&fine),
        email_account::Column::SmtpPort,
        Expr::value(70_000),
    )
    .await;
    let test = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(&fine)),
            json!({}),
        )
        .await;
    assert_eq!(test.status, StatusCode::OK, "{}", test.body);
    let smtp_check = &test.data()["smtp"];
    assert_eq!(smtp_check["ok"], false, "{}", test.body);
    assert_eq!(smtp_check["error"], "invalid_settings", "{}", test.body);
}

#[tokio::test]
async fn an_unknown_time_zone_stops_its_account_not_the_others() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let broken = smtp_account(&app, &smtp, json!({ "email": "tz@acme.example" })).await;
    let fine = smtp_account(&app, &smtp, json!({ "email": "ok@acme.example" })).await;
    launch(&app, &broken, one_step(), json!({}), 1, "tz").await;
    launch(&app, &fine, one_step(), json!({}), 1, "ok").await;
    // Counting its daily limit in UTC instead would count the wrong day.
    set_account(
        &app,
        &id_of(&broken),
        email_account::Column::Timezone,
        Expr::value("Mars/Olympus_Mons"),
    )
    .await;
    pass(&app).await;
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(smtp.received()[0].to, vec!["ok0@example.com".to_owned()]);
    let r = app
        .gql(
            "query($id: ID!) { emailAccount(id: $id) { sentToday } }",
            json!({ "id": id_of(&broken) }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["code"], "INTERNAL_ERROR",
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_corrupt_rotation_skips_its_campaign_and_reads_as_an_error() {
    let (app, smtp) = app_at(MONDAY_10).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let (broken, _) = launch(&app, &account, one_step(), json!({}), 1, "r").await;
    let (_, _) = launch(
        &app,
        &account,
        one_step(),
        json!({ "name": "Sound" }),
        1,
        "s",
    )
    .await;
    // It used to read as "the first account only".
    campaign::Entity::update_many()
        .col_expr(
            campaign::Column::EmailAccountIds,
            Expr::value(json!({ "not": "a list" })),
        )
        .filter(campaign::Column::Id.eq(id_of(&broken)))
        .exec(&app.db)
        .await
        .unwrap();
    pass(&app).await;
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["s0@example.com".to_owned()]);
    let read = app.get(&format!("/v1/campaigns/{}", id_of(&broken))).await;
    assert_eq!(
        read.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        read.body
    );
}

#[tokio::test]
async fn an_unknown_contact_status_is_an_error_never_active() {
    let (app, _smtp) = app_at(MONDAY_10).await;
    let person = app
        .contact(json!({ "email": "odd@example.com", "status": "bounced" }))
        .await;
    drop_check(&app, "contacts", "status").await;
    contact::Entity::update_many()
        .col_expr(contact::Column::Status, Expr::value("zombie"))
        .filter(contact::Column::Id.eq(id_of(&person)))
        .exec(&app.db)
        .await
        .unwrap();
    let read = app.get(&format!("/v1/contacts/{}", id_of(&person))).await;
    assert_eq!(
        read.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        read.body
    );
    let r = app
        .gql(
            "query($id: ID!) { contact(id: $id) { email status } }",
            json!({ "id": id_of(&person) }),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["code"], "INTERNAL_ERROR",
        "{}",
        r.body
    );
    assert_ne!(r.body["data"]["contact"]["status"], "ACTIVE");
}
