//! The closed sets of state, status and kind values: the code's enums and the database's
//! checks agree, and the database refuses anything else — on both engines.

use entity::states::{
    AccountStatus, CampaignStatus, ContactStatus, DeliveryStatus, DkimKeyState, Duplicates,
    EnrolmentState, ImportStatus, LeadStatus, MessageState, Plan, ReplyScope, SmtpSecurity,
    SuppressionKind, SuppressionSource,
};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::json;

use crate::sending::{MONDAY_10, app_at, launch, pass, smtp_account};

/// The values the code writes to `table.column`.
fn written(table: &str, column: &str) -> Vec<&'static str> {
    fn strs<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| name(*v)).collect()
    }
    match (table, column) {
        ("contacts", "status") => strs(&ContactStatus::ALL, ContactStatus::as_str),
        ("campaigns", "status") => strs(&CampaignStatus::ALL, CampaignStatus::as_str),
        ("campaign_contacts", "state") => strs(&EnrolmentState::ALL, EnrolmentState::as_str),
        ("messages", "state") => strs(&MessageState::ALL, MessageState::as_str),
        ("email_accounts", "status") => strs(&AccountStatus::ALL, AccountStatus::as_str),
        ("email_accounts", "smtp_security" | "imap_security") => {
            strs(&SmtpSecurity::ALL, SmtpSecurity::as_str)
        }
        ("contact_imports", "status") => strs(&ImportStatus::ALL, ImportStatus::as_str),
        ("contact_imports", "duplicates") => strs(&Duplicates::ALL, Duplicates::as_str),
        ("workspaces", "plan") => strs(&Plan::ALL, Plan::as_str),
        ("suppressions", "kind") => strs(&SuppressionKind::ALL, SuppressionKind::as_str),
        ("suppressions", "source") => strs(&SuppressionSource::ALL, SuppressionSource::as_str),
        ("dkim_keys", "state") => strs(&DkimKeyState::ALL, DkimKeyState::as_str),
        ("campaigns", "stop_on_reply_scope") => strs(&ReplyScope::ALL, ReplyScope::as_str),
        ("contacts", "lead_status") => strs(&LeadStatus::ALL, LeadStatus::as_str),
        ("webhook_deliveries", "status") => strs(&DeliveryStatus::ALL, DeliveryStatus::as_str),
        ("email_events" | "campaign_event_firsts", "kind") => {
            use api::service::stats::EventKind;
            strs(&EventKind::ALL, EventKind::as_str)
        }
        other => panic!("{other:?} has a check but no enum here"),
    }
}

#[test]
fn the_open_enrolments_index_states_exactly_the_open_states() {
    let listed: Vec<String> = EnrolmentState::OPEN
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    assert_eq!(
        migration::OPEN_ENROLMENT,
        format!("state IN ({})", listed.join(", "))
    );
}

#[test]
fn every_checked_column_allows_exactly_what_the_code_writes() {
    for (table, column, allowed) in migration::current_checks() {
        let mut code = written(table, column);
        let mut database = allowed.to_vec();
        code.sort_unstable();
        database.sort_unstable();
        assert_eq!(code, database, "{table}.{column}");
    }
}

async fn count(app: &crate::helpers::TestApp, table: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn the_database_refuses_a_state_the_code_does_not_know() {
    let (app, smtp) = app_at(MONDAY_10).await;
    // Rows in every checked table: a sent campaign, a suppression, a webhook delivery and an
    // import.
    let account = smtp_account(&app, &smtp, json!({})).await;
    launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({}),
        2,
        "s",
    )
    .await;
    pass(&app).await;
    let r = app
        .post(
            "/v1/webhooks",
            json!({ "url": "https://example.com/h", "events": ["contact.created"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.contact(json!({ "email": "late@example.com" })).await;
    let r = app
        .post(
            "/v1/suppressions",
            json!({ "kind": "domain", "value": "spam.example" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .client
        .post(format!("{}/v1/contacts/import", app.base))
        .bearer_auth(&app.api_key)
        .header("content-type", "text/csv")
        .body("email\nimported@example.com\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = app
        .post(
            "/v1/domains/acme.test/dkim",
            json!({ "algorithm": "ed25519" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let backend = app.db.get_database_backend();
    for (table, column, allowed) in migration::current_checks() {
        let rows = count(&app, table).await;
        assert!(rows > 0, "{table} has a row to test its check on");
        let set = |value: &str| {
            Statement::from_string(backend, format!("UPDATE {table} SET {column} = '{value}'"))
        };
        let refused = app.db.execute_raw(set("bogus")).await;
        let err = refused.expect_err(&format!("{table}.{column} = 'bogus' was stored"));
        assert!(
            err.to_string().contains(&format!("{table}_{column}_check")),
            "{table}.{column}: {err}"
        );
        let bogus = app
            .db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = 'bogus'"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(bogus, 0, "{table}.{column}");
        // A known value passes (inside a transaction rolled back, so nothing changes).
        let txn = app.db.begin().await.unwrap();
        txn.execute_raw(set(allowed[0])).await.unwrap();
        txn.rollback().await.unwrap();
    }
}
