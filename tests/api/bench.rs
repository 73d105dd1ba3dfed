//! Webhook delivery figures (not assertions). Run with `bench/webhooks.sh`.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::receiver::Receiver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run bench/webhooks.sh"]
async fn webhook_delivery_figures() {
    // Commit → first delivery attempt, with the production poll interval.
    let app = spawn_app_with(|c| {
        c.run_workers = true;
        c.webhooks.allow_private = true;
    })
    .await;
    let receiver = Receiver::start(vec![]).await;
    app.post(
        "/v1/webhooks",
        json!({ "url": receiver.url, "events": ["contact.created"] }),
    )
    .await;
    let mut gaps = Vec::new();
    for i in 0..40 {
        app.contact(json!({ "email": format!("lat{i}@example.com") }))
            .await;
        let committed = Instant::now();
        let hits = receiver.wait_for(i + 1, Duration::from_secs(10)).await;
        gaps.push(hits[i].at.saturating_duration_since(committed));
    }
    gaps.sort();
    println!(
        "commit → first attempt over {} events: median {:?}, max {:?}",
        gaps.len(),
        gaps[gaps.len() / 2],
        gaps[gaps.len() - 1]
    );

    // Throughput: a backlog of events drained by one worker.
    let app = spawn_app_with(|c| {
        c.run_workers = false;
        c.webhooks.allow_private = true;
    })
    .await;
    let receiver = Receiver::start(vec![]).await;
    app.post(
        "/v1/webhooks",
        json!({ "url": receiver.url, "events": ["contact.created"] }),
    )
    .await;
    let total = 5000;
    for batch in 0..total / 1000 {
        let contacts: Vec<_> = (0..1000)
            .map(|i| json!({ "email": format!("t{batch}-{i}@example.com") }))
            .collect();
        app.post("/v1/contacts/batch", json!({ "contacts": contacts }))
            .await;
    }
    let settings = api::engine::webhooks::Settings {
        allow_private: true,
        ..Default::default()
    };
    let started = Instant::now();
    let workers = api::engine::spawn(
        app.db.clone(),
        settings,
        app.sender.clone(),
        app.reader.clone(),
        api::shutdown::Stopping::never(),
        api::engine::supervise::Supervision::unwatched(),
    );
    receiver.wait_for(total, Duration::from_secs(300)).await;
    let elapsed = started.elapsed();
    println!(
        "throughput: {total} events delivered in {:.2} s = {:.0} events/s (one worker, batch 32)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    for w in workers {
        w.abort();
    }
}
