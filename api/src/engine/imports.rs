//! The import worker: claims uploaded CSV imports and runs them chunk by chunk (each chunk
//! committed with the progress, so a stopped or crashed worker's import resumes elsewhere).

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

use super::supervise::{self, Supervision};
use crate::clock::Clock;
use crate::error::AppResult;
use crate::service::imports::{self, ImportStatus};
use crate::shutdown::Stopping;

/// Runs every claimable import to its end (or until `stopping`); returns how many it ran.
pub async fn run_once(
    db: &DatabaseConnection,
    clock: &Clock,
    stopping: &Stopping,
) -> AppResult<usize> {
    let mut ran = 0;
    while let Some(mut import) = imports::claim(db, clock.now()).await? {
        ran += 1;
        while import.status == ImportStatus::Running {
            if stopping.is_set() {
                imports::release(db, &import.id).await?;
                return Ok(ran);
            }
            // A chunk that panics ends its import `failed` (internal): it would panic again.
            let chunk = supervise::guard(
                supervise::IMPORTS,
                &import.id,
                imports::run_chunk(db, &import, clock.now()),
            )
            .await;
            import = match chunk {
                Some(next) => next?,
                None => {
                    imports::fail(db, &import.id, "internal", clock.now()).await?;
                    break;
                }
            };
        }
    }
    Ok(ran)
}

/// Waits for uploads (a slow poll as the safety net) until stopping.
pub fn spawn(
    db: DatabaseConnection,
    clock: Clock,
    mut stopping: Stopping,
    watch: Supervision,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let hub = crate::signals::local();
        let poll = Duration::from_secs(2);
        watch
            .health
            .start(supervise::IMPORTS, poll + watch.pass_limit);
        while !stopping.is_set() {
            let pass =
                supervise::guard(supervise::IMPORTS, "pass", run_once(&db, &clock, &stopping))
                    .await;
            watch.health.beat(supervise::IMPORTS);
            if let Some(Err(err)) = pass {
                tracing::warn!(code = err.code.as_str(), message = %err.message, "import worker");
            }
            tokio::select! {
                _ = hub.import(poll) => {}
                _ = stopping.wait() => {}
            }
        }
        watch.health.stop(supervise::IMPORTS);
    })
}
