//! The steps of many lanes done together: emails claimed, started, their acceptances saved and their
//! outcomes recorded for a whole batch in statements that do not grow with it (but one per
//! enrolment moved on), each email with exactly its own reply and counters.

use api::clock::Clock;
use api::service::sending::{self, Begun, Policy};
use api::service::tracking::Tracker;
use entity::message;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::spawn_counting_app_with;
use crate::sending::{MONDAY_10, at, launch, smtp_account, stats};
use crate::smtp::SmtpServer;

#[tokio::test]
async fn a_batch_of_emails_is_started_accepted_and_recorded_in_statements_that_do_not_grow() {
    let clock = Clock::manual(at(MONDAY_10));
    let (app, log) = spawn_counting_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
    })
    .await;
    let smtp = SmtpServer::start(None).await;
    let campaigns = 3;
    let per_campaign = 8;
    let mut launched = Vec::new();
    for i in 0..campaigns {
        let account = smtp_account(
            &app,
            &smtp,
            json!({ "email": format!("sender{i}@acme.test") }),
        )
        .await;
        let steps = json!([{ "subject": "Hi", "body": "Hello" }]);
        let name = json!({ "name": format!("Campaign {i}") });
        launched.push(
            launch(&app, &account, steps, name, per_campaign, &format!("b{i}-"))
                .await
                .0,
        );
    }
    let emails = campaigns * per_campaign;
    let tracker = Tracker::new(app.sender.keyring().tracking_secret(), &app.base);
    let policy = Policy::default();
    let now = app.clock.now();
    let jobs = sending::claim(&app.db, &tracker, &policy, now, 64)
        .await
        .unwrap();
    assert_eq!(jobs.len(), emails);

    let count = |f: &dyn Fn(&str) -> bool| log.lock().unwrap().iter().filter(|s| f(s)).count();
    log.lock().unwrap().clear();
    let begun = sending::begin_many(&app.db, &policy, &jobs, now)
        .await
        .unwrap();
    assert!(begun.iter().all(|b| *b == Begun::Started), "{begun:?}");
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "one statement starts them all"
    );

    // Each email its own reply: the batch writes each row's, never a neighbour's.
    let accepted: Vec<_> = jobs
        .iter()
        .enumerate()
        .map(|(i, job)| (job.clone(), format!("250 2.0.0 queued as Q{i}")))
        .collect();
    log.lock().unwrap().clear();
    sending::accepted_many(&app.db, &accepted).await.unwrap();
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "one statement saves every acceptance"
    );

    log.lock().unwrap().clear();
    sending::finish_sent(&app.db, &accepted, now).await.unwrap();
    let writes_of = |table: &str| {
        let needle = format!("INSERT INTO \"{table}\"");
        count(&|s: &str| s.starts_with(&needle))
    };
    assert_eq!(
        writes_of("email_events"),
        1,
        "one insert of every sent event"
    );
    assert_eq!(
        writes_of("events"),
        1 + campaigns,
        "one insert of every email.sent, one per campaign completed"
    );
    let advanced = count(&|s: &str| s.starts_with("UPDATE \"campaign_contacts\""));
    assert_eq!(advanced, emails, "one statement per enrolment moved on");
    let total = log.lock().unwrap().len();
    // A fixed few, one per enrolment moved on, and a campaign's completion (locked, checked,
    // moved, reread, announced) for each campaign this empties; one by one it was about
    // sixteen per email.
    assert!(
        total <= 12 + emails + 7 * campaigns,
        "{total} statements for {emails} emails: {:#?}",
        log.lock().unwrap()
    );

    for (i, job) in jobs.iter().enumerate() {
        let row = message::Entity::find_by_id(job.message.id.clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state.as_str(), "sent");
        let reply = format!("250 2.0.0 queued as Q{i}");
        assert_eq!(row.last_reply.as_deref(), Some(reply.as_str()));
        assert_eq!(row.accepted_reply.as_deref(), Some(reply.as_str()));
    }
    for campaign in &launched {
        let figures = stats(&app, campaign).await;
        assert_eq!(figures["sent"], json!(per_campaign), "{figures}");
        let status = app
            .get(&format!(
                "/v1/campaigns/{}",
                campaign["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            status.data()["status"],
            json!("completed"),
            "{}",
            status.body
        );
    }
    let outbox = entity::event::Entity::find()
        .filter(entity::event::Column::EventType.eq("email.sent"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(outbox.len(), emails);

    // Recorded twice, a batch changes nothing the second time: the rows are no longer sending.
    sending::finish_sent(&app.db, &accepted, now).await.unwrap();
    for campaign in &launched {
        assert_eq!(stats(&app, campaign).await["sent"], json!(per_campaign));
    }
}
