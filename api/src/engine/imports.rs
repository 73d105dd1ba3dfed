//! The import worker: claims uploaded CSV imports and runs them chunk by chunk (each chunk
//! committed with the progress, so a stopped or crashed worker's import resumes elsewhere).

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

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
        while import.status == ImportStatus::Running.as_str() {
            if stopping.is_set() {
                imports::release(db, &import.id).await?;
                return Ok(ran);
            }
            import = imports::run_chunk(db, &import, clock.now()).await?;
        }
    }
    Ok(ran)
}

/// Waits for uploads (a slow poll as the safety net) until stopping.
pub fn spawn(db: DatabaseConnection, clock: Clock, mut stopping: Stopping) -> JoinHandle<()> {
    tokio::spawn(async move {
        let hub = crate::signals::local();
        while !stopping.is_set() {
            if let Err(err) = run_once(&db, &clock, &stopping).await {
                tracing::warn!(code = err.code.as_str(), message = %err.message, "import worker");
            }
            tokio::select! {
                _ = hub.import(Duration::from_secs(2)) => {}
                _ = stopping.wait() => {}
            }
        }
    })
}
