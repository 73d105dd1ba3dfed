//! Sending at SaaS scale behind a slow SMTP server (`bench/latency.sh`): `seed-latency` loads
//! many accounts, each with its own running campaign of due contacts, and `bench-sink` is the
//! SMTP server they send to, a separate process that waits before accepting each message. The
//! script then runs one or two `fluenzr worker` processes over the data and times them.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use super::{analyse, fail, sink_account, sink_campaign, sink_contact};
use crate::clock::Clock;
use crate::ids;
use crate::seed::{enrolment_row, insert_chunks};
use crate::service::enrolments::add_to_contact_count;
use crate::service::{campaigns, workspaces};

/// Accounts per workspace: a hosted deployment's tenants each hold a few mailboxes.
const ACCOUNTS_PER_WORKSPACE: usize = 10;

/// Loads `accounts` email accounts (no send gap) on the sink at `port`, ten to a workspace,
/// each with its own running campaign; `emails` contacts spread evenly over the campaigns,
/// every one due now. Returns what it loaded, as JSON.
pub async fn seed_latency(
    db: &sea_orm::DatabaseConnection,
    keyring: &crate::secrets::Keyring,
    accounts: usize,
    emails: usize,
    port: u16,
) -> anyhow::Result<Value> {
    anyhow::ensure!(accounts > 0, "at least one account");
    let now = Clock::system().now();
    let mut campaigns_made = Vec::with_capacity(accounts);
    let mut workspace_id = String::new();
    for a in 0..accounts {
        if a % ACCOUNTS_PER_WORKSPACE == 0 {
            workspace_id = workspaces::create(
                db,
                &format!("Tenant {}", a / ACCOUNTS_PER_WORKSPACE),
                workspaces::Plan::Pro,
                now,
            )
            .await
            .map_err(fail)?
            .id;
        }
        let account = sink_account(
            db,
            keyring,
            &workspace_id,
            &format!("sender{a}@tenant.test"),
            port,
            now,
        )
        .await?;
        let campaign = sink_campaign(
            db,
            &workspace_id,
            &account.id,
            &format!("Outreach {a}"),
            now,
        )
        .await?;
        campaigns_made.push((workspace_id.clone(), campaign.id));
    }
    let due = Some(now - chrono::Duration::minutes(1));
    let (mut people, mut rows) = (Vec::with_capacity(emails), Vec::with_capacity(emails));
    let mut per_campaign = vec![0_i64; accounts];
    for i in 0..emails {
        let c = i % accounts;
        let (workspace_id, campaign_id) = &campaigns_made[c];
        let id = ids::new_id(ids::CONTACT);
        let email = format!("lead{i}@sink.test");
        people.push(sink_contact(workspace_id, &id, email, i, now));
        rows.push(enrolment_row(campaign_id, &id, workspace_id, 0, due, now));
        per_campaign[c] += 1;
    }
    insert_chunks(db, people, 2000).await?;
    insert_chunks(db, rows, 2000).await?;
    for ((workspace_id, campaign_id), n) in campaigns_made.iter().zip(per_campaign) {
        if n == 0 {
            continue;
        }
        add_to_contact_count(db, campaign_id, n)
            .await
            .map_err(fail)?;
        campaigns::start(db, workspace_id, campaign_id, now)
            .await
            .map_err(fail)?;
    }
    analyse(db).await?;
    Ok(json!({
        "accounts": accounts,
        "campaigns": campaigns_made.len(),
        "workspaces": accounts.div_ceil(ACCOUNTS_PER_WORKSPACE),
        "emails": emails,
    }))
}

/// The benchmark's SMTP server as a process of its own: listens on `addr`, prints
/// `{"port": …}`, accepts every message `delay` after its final dot, and on SIGTERM or SIGINT
/// prints `{"received": …}` and returns.
pub async fn sink_process(addr: &str, delay: Duration) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let port = listener.local_addr()?.port();
    let received = super::serve_sink(listener, delay);
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", json!({ "port": port }))?;
    stdout.flush()?;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    writeln!(
        stdout,
        "{}",
        json!({ "received": received.load(Ordering::Relaxed) })
    )?;
    stdout.flush()?;
    Ok(())
}
