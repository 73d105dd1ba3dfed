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
    let clock = Clock::manual(at(MONDAY_10));
    let (app, log) = spawn_counting_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
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
    let loaded = api::bench::seed_idle(&app.db, &keyring, 30).await.unwrap();
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
