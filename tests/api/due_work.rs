//! Finding due work costs what is due, not how many campaigns run: a pass over running
//! campaigns with nothing due reads one range of the due index and nothing per campaign.

use api::clock::Clock;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::helpers::spawn_counting_app_with;
use crate::sending::{MONDAY_10, PASSWORD, USER, at, launch, pass, smtp_account};
use crate::smtp::SmtpServer;

#[tokio::test]
async fn a_pass_reads_nothing_per_running_campaign_with_nothing_due() {
    let (app, log, smtp, account) = counted_app().await;
    let steps = json!([
        { "subject": "Hi", "body": "Hello" },
        { "subject": "", "body": "Again", "delayDays": 3 }
    ]);
    let campaigns = 12;
    for i in 0..campaigns {
        let name = json!({ "name": format!("Campaign {i}") });
        launch(&app, &account, steps.clone(), name, 1, &format!("c{i}-")).await;
    }
    // Every first email goes; the follow-ups are three days away.
    while pass(&app).await > 0 {}
    assert_eq!(smtp.received().len(), campaigns);

    log.lock().unwrap().clear();
    assert_eq!(pass(&app).await, 0);
    let statements = log.lock().unwrap().clone();
    assert_eq!(
        statements.len(),
        1,
        "one statement, whatever the number of running campaigns: {statements:#?}"
    );
    assert!(
        statements[0].contains("campaign_contacts"),
        "{statements:#?}"
    );

    // When they come due, every campaign's follow-up is found and sent.
    app.clock.advance(chrono::Duration::days(3));
    while pass(&app).await > 0 {}
    assert_eq!(smtp.received().len(), 2 * campaigns);
}

/// The idle benchmark's dataset is what it says: running campaigns, nothing due, and a pass
/// over it claims nothing in one statement.
#[tokio::test]
async fn the_idle_benchmark_loads_running_campaigns_with_nothing_due() {
    let (app, log) = spawn_counting_app_with(|_| {}).await;
    let keyring = crate::helpers::keyring();
    let loaded = api::bench::seed_idle(&app.db, &keyring, 30, false)
        .await
        .unwrap();
    assert_eq!(loaded["runningCampaigns"], 30);
    let running = entity::campaign::Entity::find()
        .filter(entity::campaign::Column::Status.eq("running"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(running, 30);
    log.lock().unwrap().clear();
    assert_eq!(pass(&app).await, 0);
    assert_eq!(log.lock().unwrap().len(), 1);
}

type Log = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A window Monday to Friday, 09:00 to 17:00 UTC.
fn office_hours() -> serde_json::Value {
    json!({ "timezone": "UTC", "days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00" })
}

/// An app on a manual clock at Monday 10:00 that counts its statements, with an SMTP server
/// and an account on it.
async fn counted_app() -> (crate::helpers::TestApp, Log, SmtpServer, serde_json::Value) {
    let clock = Clock::manual(at(MONDAY_10));
    let (app, log) = spawn_counting_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    (app, log, smtp, account)
}

/// Each enrolment's reason and next send, in the campaign's listing order.
async fn waiting(
    app: &crate::helpers::TestApp,
    campaign: &serde_json::Value,
) -> Vec<(serde_json::Value, serde_json::Value)> {
    crate::sending::enrolments(app, campaign)
        .await
        .into_iter()
        .filter(|e| e["state"] == "active")
        .map(|e| (e["reason"].clone(), e["nextSendAt"].clone()))
        .collect()
}

/// One pass with nothing due to read: it costs its one statement, however much is parked.
async fn assert_nothing_read(app: &crate::helpers::TestApp, log: &Log) {
    log.lock().unwrap().clear();
    assert_eq!(pass(app).await, 0);
    let statements = log.lock().unwrap().clone();
    assert_eq!(statements.len(), 1, "{statements:#?}");
}

/// A campaign whose day is full leaves its backlog out of the due range until its next day's
/// window (the pass stops reading it every second), and sends it then; raising the limit
/// brings it back the same day.
#[tokio::test]
async fn a_full_day_parks_the_backlog_until_the_next_days_window() {
    let (app, log, smtp, account) = counted_app().await;
    let extra = json!({ "dailyLimit": 2, "schedule": office_hours() });
    let one = json!([{ "subject": "Hi", "body": "Hello" }]);
    let (c, _) = launch(&app, &account, one.clone(), extra.clone(), 6, "full-").await;
    while pass(&app).await > 0 {}
    assert_eq!(smtp.received().len(), 2);
    let parked = waiting(&app, &c).await;
    assert_eq!(parked.len(), 4);
    for (reason, next) in &parked {
        assert_eq!(reason, "daily_limit_reached");
        assert_eq!(next, "2026-12-01T09:00:00Z", "Tuesday's opening");
    }
    assert_nothing_read(&app, &log).await;

    // Tuesday 09:00: two more go, the rest wait for Wednesday.
    app.clock.advance(chrono::Duration::hours(23));
    while pass(&app).await > 0 {}
    assert_eq!(smtp.received().len(), 4);
    let parked = waiting(&app, &c).await;
    assert_eq!(parked.len(), 2);
    assert!(
        parked
            .iter()
            .all(|(_, next)| next == "2026-12-02T09:00:00Z"),
        "{parked:?}"
    );

    // A higher limit brings them back at once.
    let r = app
        .put(
            &format!("/v1/campaigns/{}", crate::helpers::id_of(&c)),
            json!({ "dailyLimit": 10 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    while pass(&app).await > 0 {}
    assert_eq!(smtp.received().len(), 6);
    assert!(waiting(&app, &c).await.is_empty());
}

/// A paused campaign's due work is parked (no next send, reason `campaign_paused`) after one
/// pass, costs nothing per pass after it, and is due again when the campaign resumes.
#[tokio::test]
async fn a_paused_campaigns_due_work_is_parked_until_it_resumes() {
    let (app, log, smtp, account) = counted_app().await;
    let one = json!([{ "subject": "Hi", "body": "Hello" }]);
    let extra = json!({ "schedule": office_hours() });
    let (c, _) = launch(&app, &account, one, extra, 5, "paused-").await;
    let id = crate::helpers::id_of(&c);
    let r = app
        .post(&format!("/v1/campaigns/{id}/pause"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(pass(&app).await, 0);
    let parked = waiting(&app, &c).await;
    assert_eq!(parked.len(), 5);
    for (reason, next) in &parked {
        assert_eq!(reason, "campaign_paused");
        assert!(next.is_null(), "{next}");
    }
    assert_nothing_read(&app, &log).await;

    crate::sending::start(&app, &c).await;
    while pass(&app).await > 0 {}
    assert_eq!(smtp.received().len(), 5);
}

/// Due work left when the window closes waits for the next opening out of the due range.
#[tokio::test]
async fn work_left_when_the_window_closes_waits_for_its_next_opening() {
    let (app, log, smtp, account) = counted_app().await;
    let one = json!([{ "subject": "Hi", "body": "Hello" }]);
    let extra = json!({ "schedule": office_hours() });
    let (c, _) = launch(&app, &account, one, extra, 3, "closed-").await;
    // Nothing was sent before 17:00 (no pass ran): at 18:00 the window is closed.
    app.clock.advance(chrono::Duration::hours(8));
    assert_eq!(pass(&app).await, 0);
    let parked = waiting(&app, &c).await;
    assert_eq!(parked.len(), 3);
    for (reason, next) in &parked {
        assert_eq!(reason, "outside_window");
        assert_eq!(next, "2026-12-01T09:00:00Z");
    }
    assert_nothing_read(&app, &log).await;
    app.clock.advance(chrono::Duration::hours(15));
    while pass(&app).await > 0 {}
    assert_eq!(smtp.received().len(), 3);
}
