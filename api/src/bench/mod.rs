//! The sending benchmark (`fluenzr bench-sending`): one worker sends a campaign to a local SMTP
//! sink with no send gap, and the cost of finding due work is timed with a small and a large
//! enrolment table. `latency` holds the benchmark of many accounts behind a slow SMTP server.

mod latency;

pub use latency::{seed_latency, sink_process};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::contact;
use entity::states::ContactStatus;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Set};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::engine::sender::{Sender, Settings};
use crate::error::AppError;
use crate::ids;
use crate::seed::{enrolment_row, insert_chunks};
use crate::service::campaigns::{self, CampaignInput, ScheduleInput, StepInput};
use crate::service::email_accounts::{self, EmailAccountInput, SmtpSecurity};
use crate::service::enrolments::add_to_contact_count;
use crate::service::tracking::Tracker;
use crate::service::{sending, workspaces};

fn fail(e: AppError) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

/// An SMTP server on loopback that accepts everything and counts the messages.
async fn sink() -> anyhow::Result<(u16, Arc<AtomicU64>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    Ok((port, serve_sink(listener, Duration::ZERO)))
}

/// Serves SMTP on `listener`, accepting every message `delay` after its final dot (a real
/// server's wait: the client sees it as latency); returns the count of accepted messages.
pub fn serve_sink(listener: TcpListener, delay: Duration) -> Arc<AtomicU64> {
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let _ = socket.set_nodelay(true);
            let counted = counted.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 sink ready\r\n").await;
                let mut line = String::new();
                let mut in_data = false;
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    let reply: &[u8] = if in_data {
                        if line.trim_end_matches(['\r', '\n']) != "." {
                            continue;
                        }
                        in_data = false;
                        if !delay.is_zero() {
                            tokio::time::sleep(delay).await;
                        }
                        counted.fetch_add(1, Ordering::Relaxed);
                        b"250 2.0.0 queued\r\n"
                    } else {
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 OK\r\n",
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    count
}

/// Adds `n` contacts enrolled in `campaign_id`, due at `due` (or never, when `None`).
/// An active contact `Lead<i>` at `email` (an address of the sink).
fn sink_contact(
    workspace_id: &str,
    id: &str,
    email: String,
    i: usize,
    now: chrono::DateTime<Utc>,
) -> contact::ActiveModel {
    contact::ActiveModel {
        id: Set(id.to_owned()),
        workspace_id: Set(workspace_id.to_owned()),
        email_normalized: Set(email.clone()),
        email: Set(email),
        first_name: Set(Some(format!("Lead{i}"))),
        last_name: Set(None),
        company: Set(Some("Sink Inc".into())),
        phone: Set(None),
        timezone: Set(None),
        lead_status: Set(None),
        custom_fields: Set(json!({})),
        status: Set(ContactStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// A Pro workspace named `name` and its one email account (`email`, no send gap, 10 000 a
/// day) on the sink at `port` on loopback.
async fn sink_workspace(
    db: &DatabaseConnection,
    keyring: &crate::secrets::Keyring,
    name: &str,
    email: &str,
    port: u16,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<(entity::workspace::Model, entity::email_account::Model)> {
    let workspace = workspaces::create(db, name, workspaces::Plan::Pro, now)
        .await
        .map_err(fail)?;
    let account = sink_account(db, keyring, &workspace.id, email, port, now).await?;
    Ok((workspace, account))
}

/// An email account of `workspace_id` (`email`, no send gap, 10 000 a day) on the sink at
/// `port` on loopback.
async fn sink_account(
    db: &DatabaseConnection,
    keyring: &crate::secrets::Keyring,
    workspace_id: &str,
    email: &str,
    port: u16,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<entity::email_account::Model> {
    email_accounts::create(
        db,
        workspace_id,
        EmailAccountInput {
            email: Some(email.into()),
            smtp_host: Some("127.0.0.1".into()),
            smtp_port: Some(i32::from(port)),
            smtp_security: Some(SmtpSecurity::None),
            smtp_password: Some("unused".into()),
            daily_limit: Some(10_000),
            send_gap_seconds: Some(0),
            ..Default::default()
        },
        // The sink is on loopback: the benchmark allows private hosts, as its operator would.
        crate::service::webhooks::UrlPolicy {
            allow_private: true,
        },
        keyring,
        now,
    )
    .await
    .map_err(fail)
}

/// A draft campaign `name` of `workspace_id` sending from `account_id`: one step (HTML with a
/// tracked link and an open pixel), every day around the clock in UTC, 10 000 a day.
async fn sink_campaign(
    db: &DatabaseConnection,
    workspace_id: &str,
    account_id: &str,
    name: &str,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<entity::campaign::Model> {
    campaigns::create(
        db,
        workspace_id,
        CampaignInput {
            name: Some(name.into()),
            email_account_id: Some(account_id.into()),
            steps: Some(vec![StepInput {
                subject: Some("Hello {{firstName}}".into()),
                body: Some(
                    "<p>Hi {{firstName}}, see <a href=\"https://sink.test/x\">this</a>.</p>".into(),
                ),
                delay_days: None,
                ..Default::default()
            }]),
            schedule: Some(ScheduleInput {
                timezone: Some("UTC".into()),
                days: Some(vec![1, 2, 3, 4, 5, 6, 7]),
                start_time: Some("00:00".into()),
                end_time: Some("23:59".into()),
                ..Default::default()
            }),
            daily_limit: Some(10_000),
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(fail)
}

async fn enrol_many(
    db: &DatabaseConnection,
    workspace_id: &str,
    campaign_id: &str,
    n: usize,
    tag: &str,
    due: Option<chrono::DateTime<Utc>>,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut done = 0;
    while done < n {
        let take = (n - done).min(10_000);
        let mut people = Vec::with_capacity(take);
        let mut rows = Vec::with_capacity(take);
        for i in done..done + take {
            let id = ids::new_id(ids::CONTACT);
            let email = format!("{tag}{i}@sink.test");
            people.push(sink_contact(workspace_id, &id, email, i, now));
            rows.push(enrolment_row(campaign_id, &id, workspace_id, 0, due, now));
        }
        insert_chunks(db, people, 2000).await?;
        insert_chunks(db, rows, 2000).await?;
        done += take;
    }
    add_to_contact_count(db, campaign_id, n as i64)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Statistics for the planner, and on PostgreSQL the visibility map a table in steady state
/// has (autovacuum keeps it): a freshly loaded table without it makes every index-only read
/// visit the heap.
async fn analyse(db: &DatabaseConnection) -> anyhow::Result<()> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => "VACUUM (ANALYZE)",
        _ => "ANALYZE",
    };
    db.execute_unprepared(sql).await?;
    Ok(())
}

/// Microseconds `once` takes: the lowest of five rounds' medians of `rounds` runs (noise on a
/// shared machine only ever adds time).
async fn lowest_median<F, Fut>(rounds: usize, mut once: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut medians = Vec::new();
    for _ in 0..5 {
        let mut samples = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let started = Instant::now();
            once().await?;
            samples.push(started.elapsed().as_secs_f64() * 1e6);
        }
        samples.sort_by(f64::total_cmp);
        medians.push(samples[samples.len() / 2]);
    }
    Ok(medians.into_iter().fold(f64::INFINITY, f64::min))
}

/// Microseconds to find one batch of due work in a campaign.
async fn time_due(
    db: &DatabaseConnection,
    campaign_id: &str,
    rounds: usize,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<f64> {
    lowest_median(rounds, || async {
        let found = sending::find_due(db, campaign_id, false, now, 64)
            .await
            .map_err(fail)?;
        anyhow::ensure!(found.len() == 64, "expected a full batch of due work");
        Ok(())
    })
    .await
}

/// Microseconds to find the campaigns with due work (the pass's first statement).
async fn time_due_campaigns(
    db: &DatabaseConnection,
    rounds: usize,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<f64> {
    lowest_median(rounds, || async {
        let found = sending::due_campaigns(db, now).await.map_err(fail)?;
        anyhow::ensure!(found.len() == 1, "expected the one campaign with due work");
        Ok(())
    })
    .await
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// An active DKIM key for `domain`, as a check that found it published leaves it (the sink's
/// domain has no DNS to publish in).
async fn active_key(
    db: &DatabaseConnection,
    keyring: &crate::secrets::Keyring,
    workspace_id: &str,
    domain: &str,
    algorithm: crate::service::domains::Algorithm,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    use crate::service::domains::dkim;
    use sea_orm::{ActiveModelTrait, Set};
    let new = dkim::NewRow {
        workspace_id: workspace_id.to_owned(),
        domain: domain.to_owned(),
        selector: "bench".to_owned(),
        algorithm,
        now,
    };
    let (_, mut row) = dkim::new_row(keyring, new).map_err(fail)?;
    row.state = Set(entity::states::DkimKeyState::Active);
    row.published_at = Set(Some(now));
    row.activated_at = Set(Some(now));
    row.insert(db).await?;
    Ok(())
}

/// Runs the benchmark on a fresh, migrated database; returns its figures as JSON.
pub async fn sending(
    db: &DatabaseConnection,
    keyring: &crate::secrets::Keyring,
    emails: usize,
    table: usize,
    dkim: Option<crate::service::domains::Algorithm>,
) -> anyhow::Result<Value> {
    let (port, received) = sink().await?;
    // The benchmark runs on the system's clock, as a deployment does.
    let clock = Clock::system();
    let (workspace, account) = sink_workspace(
        db,
        keyring,
        "Sending bench",
        "bench@sink.test",
        port,
        clock.now(),
    )
    .await?;
    let campaign = sink_campaign(db, &workspace.id, &account.id, "Bench", clock.now()).await?;
    if let Some(algorithm) = dkim {
        active_key(
            db,
            keyring,
            &workspace.id,
            "sink.test",
            algorithm,
            clock.now(),
        )
        .await?;
    }
    // The lookups timed with the due enrolments alone, then with the rest of the table (not
    // due for ten years) added to the same campaign.
    let load_and_time = |n: usize, tag: &'static str, due: chrono::DateTime<Utc>| {
        let (workspace_id, campaign_id, now) = (&workspace.id, &campaign.id, clock.now());
        async move {
            if n > 0 {
                enrol_many(db, workspace_id, campaign_id, n, tag, Some(due), now).await?;
                analyse(db).await?;
            }
            let lookup = time_due(db, campaign_id, 200, now).await?;
            let campaigns = time_due_campaigns(db, 20, now).await?;
            anyhow::Ok((lookup, campaigns))
        }
    };
    let due_at = clock.now() - chrono::Duration::minutes(1);
    let (small, small_campaigns) = load_and_time(emails, "due", due_at).await?;
    let background = table.saturating_sub(emails);
    let far = clock.now() + chrono::Duration::days(3650);
    let (large, large_campaigns) = load_and_time(background, "later", far).await?;

    campaigns::start(db, &workspace.id, &campaign.id, clock.now())
        .await
        .map_err(fail)?;
    let tracker = Tracker::new(keyring.tracking_secret(), "http://127.0.0.1:8080");
    // The sink is on loopback: the benchmark allows private hosts, as its operator would.
    let settings = Settings {
        allow_private: true,
        ..Settings::default()
    };
    let sender = Sender::new(db.clone(), keyring.clone(), tracker, clock, settings);
    let rss_before = peak_rss_mb();
    // Resets the peak (VmHWM), so the figure below is the sending's own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = Instant::now();
    let mut sent = 0;
    let mut idle = 0;
    while sent < emails {
        let n = sender.run_once().await.map_err(fail)?;
        if n == 0 {
            idle += 1;
            anyhow::ensure!(
                idle < 100,
                "sending stalled after {sent} emails: {}",
                crate::service::email_accounts::get(db, &workspace.id, &account.id)
                    .await
                    .map_err(fail)?
                    .last_error
                    .unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        sent += n;
    }
    let seconds = started.elapsed().as_secs_f64();
    let delivered = received.load(Ordering::Relaxed);
    anyhow::ensure!(
        delivered as usize == emails,
        "the sink got {delivered} of {emails}"
    );
    Ok(json!({
        "engine": match db.get_database_backend() { DbBackend::Postgres => "postgres", _ => "sqlite" },
        "emails": emails,
        "seconds": (seconds * 100.0).round() / 100.0,
        "emailsPerSecond": (emails as f64 / seconds).round(),
        "dueLookupMicros": { "small": small.round(), "smallRows": emails, "large": large.round(), "largeRows": emails + background, "ratio": ((large / small) * 100.0).round() / 100.0 },
        "dueCampaignsMicros": { "small": small_campaigns.round(), "large": large_campaigns.round(), "ratio": ((large_campaigns / small_campaigns) * 100.0).round() / 100.0 },
        "peakRssMb": { "loading": (rss_before * 10.0).round() / 10.0, "sending": (peak_rss_mb() * 10.0).round() / 10.0 },
    }))
}

/// The per-workspace rate-limit check, timed: one caller after another (latency per check) and
/// `concurrency` callers on distinct workspaces (throughput), in process and, on PostgreSQL,
/// through the shared row.
pub async fn rate_limit(
    db: &DatabaseConnection,
    checks: usize,
    concurrency: usize,
) -> anyhow::Result<Value> {
    use crate::ratelimit::{LocalLimiter, WorkspaceLimiter};
    // A budget no run reaches: every check is counted and admitted, the common case.
    let limit = u32::MAX / 2;
    let local = LocalLimiter::new(limit, Clock::system());
    let started = Instant::now();
    for i in 0..checks {
        local.check(&format!("wsp_{}", i % 64));
    }
    let local_us = started.elapsed().as_secs_f64() * 1e6 / checks as f64;
    let mut out = serde_json::json!({ "local": { "microsPerCheck": local_us } });
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let shared = Arc::new(WorkspaceLimiter::new(db, limit, Clock::system()));
        // A fresh workspace per check: every check asks the database (the cost of one call).
        let started = Instant::now();
        for i in 0..checks {
            shared
                .check(&format!("bench_seq_{i}"))
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
        }
        let single_us = started.elapsed().as_secs_f64() * 1e6 / checks as f64;
        // One busy workspace: grants let most checks be answered without a call.
        let started = Instant::now();
        for _ in 0..checks {
            shared
                .check("bench_busy")
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
        }
        let busy_us = started.elapsed().as_secs_f64() * 1e6 / checks as f64;
        // Callers on distinct workspaces, each asking the database every time.
        let started = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|t| {
                let shared = shared.clone();
                let n = checks / concurrency;
                tokio::spawn(async move {
                    for i in 0..n {
                        shared.check(&format!("bench_par_{t}_{i}")).await?;
                    }
                    Ok::<_, crate::error::AppError>(())
                })
            })
            .collect();
        for task in tasks {
            task.await?.map_err(|e| anyhow::anyhow!(e.message))?;
        }
        let rate = (checks / concurrency * concurrency) as f64 / started.elapsed().as_secs_f64();
        out["shared"] = serde_json::json!({
            "microsPerCall": single_us,
            "microsPerCheckOneBusyWorkspace": busy_us,
            "callsPerSecond": rate,
            "concurrency": concurrency,
        });
    }
    Ok(out)
}

/// Loads the idle benchmark's dataset: `campaigns` running campaigns of one workspace, each
/// with one enrolled contact whose next email is ten days away: nothing is due. Returns what
/// it loaded, as JSON.
pub async fn seed_idle(
    db: &DatabaseConnection,
    keyring: &crate::secrets::Keyring,
    campaigns_n: usize,
    paused: bool,
) -> anyhow::Result<Value> {
    use entity::campaign;
    use entity::states::CampaignStatus;

    let now = Clock::system().now();
    // The account is never used: nothing is due. Port 9 (discard) on loopback.
    let (workspace, account) =
        sink_workspace(db, keyring, "Idle bench", "idle@sink.test", 9, now).await?;
    // One campaign made through the service gives every row its checked steps and schedule.
    let template = campaigns::create(
        db,
        &workspace.id,
        CampaignInput {
            name: Some("Idle".into()),
            email_account_id: Some(account.id.clone()),
            steps: Some(vec![StepInput {
                subject: Some("Hello {{firstName}}".into()),
                body: Some("Hi {{firstName}}".into()),
                delay_days: None,
                ..Default::default()
            }]),
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(fail)?;
    // Running: due ten days from now. Paused: due already, but no pass may send it.
    let (status, due) = match paused {
        false => (CampaignStatus::Running, now + chrono::Duration::days(10)),
        true => (CampaignStatus::Paused, now - chrono::Duration::minutes(1)),
    };
    let later = Some(due);
    let mut done = 0;
    while done < campaigns_n {
        let take = (campaigns_n - done).min(5_000);
        let (mut rows, mut people, mut enrolled) = (Vec::new(), Vec::new(), Vec::new());
        for i in done..done + take {
            let id = ids::new_id(ids::CAMPAIGN);
            let contact_id = ids::new_id(ids::CONTACT);
            let email = format!("idle{i}@sink.test");
            rows.push(campaign::ActiveModel {
                id: Set(id.clone()),
                name: Set(format!("Idle {i}")),
                status: Set(status),
                contact_count: Set(1),
                started_at: Set(Some(now)),
                ..campaign::ActiveModel::from(template.clone())
            });
            people.push(sink_contact(&workspace.id, &contact_id, email, i, now));
            enrolled.push(enrolment_row(
                &id,
                &contact_id,
                &workspace.id,
                1,
                later,
                now,
            ));
        }
        insert_chunks(db, rows, 500).await?;
        insert_chunks(db, people, 2000).await?;
        insert_chunks(db, enrolled, 2000).await?;
        done += take;
    }
    analyse(db).await?;
    let due = sending::due_campaigns(db, now).await.map_err(fail)?;
    if paused {
        anyhow::ensure!(
            due.len() == campaigns_n,
            "the paused dataset's work is not due"
        );
        return Ok(json!({ "workspaceId": workspace.id, "pausedCampaigns": campaigns_n }));
    }
    anyhow::ensure!(due.is_empty(), "the idle dataset has due work");
    Ok(json!({ "workspaceId": workspace.id, "runningCampaigns": campaigns_n }))
}
