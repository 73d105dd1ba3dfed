//! The sending domains' own checks: every domain is checked again a day after its last check
//! (and every five minutes while a DKIM key waits to be found in DNS), a few side by side, each
//! under the check's deadline — a domain whose DNS stalls holds only its own check.

use std::time::Duration;

use futures_util::StreamExt as _;
use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

use super::supervise::{self, Supervision};
use crate::clock::Clock;
use crate::error::AppResult;
use crate::service::dns::Dns;
use crate::service::domains;
use crate::shutdown::Stopping;

/// Domains checked per pass, and at once.
const PER_PASS: u64 = 32;
const AT_ONCE: usize = 4;

/// One pass: the domains due a check, checked; how many.
pub async fn run_once(db: &DatabaseConnection, dns: &Dns, clock: &Clock) -> AppResult<usize> {
    let due = domains::due(db, clock.now(), PER_PASS).await?;
    let n = due.len();
    futures_util::stream::iter(due)
        .for_each_concurrent(AT_ONCE, |(workspace_id, name)| async move {
            let job = format!("check {name}");
            let checked = domains::check(db, dns, &workspace_id, &name, clock.now());
            if let Some(Err(err)) = supervise::guard(supervise::DOMAINS, &job, checked).await {
                tracing::warn!(domain = %name, code = err.code.as_str(), "a domain check failed");
            }
        })
        .await;
    Ok(n)
}

/// Checks due domains every minute until stopping; the first pass also makes the rows of
/// accounts' domains never seen.
pub fn spawn(
    db: DatabaseConnection,
    dns: Dns,
    clock: Clock,
    mut stopping: Stopping,
    watch: Supervision,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let every = Duration::from_secs(60);
        watch
            .health
            .start(supervise::DOMAINS, every + watch.pass_limit);
        let backfill = domains::backfill(&db, clock.now());
        if let Some(Err(err)) = supervise::guard(supervise::DOMAINS, "backfill", backfill).await {
            tracing::warn!(
                code = err.code.as_str(),
                "could not list the accounts' domains"
            );
        }
        loop {
            let pass = supervise::guard(supervise::DOMAINS, "pass", run_once(&db, &dns, &clock));
            if let Some(Err(err)) = pass.await {
                tracing::warn!(code = err.code.as_str(), message = %err.message, "domain checks");
            }
            watch.health.beat(supervise::DOMAINS);
            if stopping.sleep(every).await {
                watch.health.stop(supervise::DOMAINS);
                return;
            }
        }
    })
}
