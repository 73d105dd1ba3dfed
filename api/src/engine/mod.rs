//! Background work that runs beside the HTTP server (or alone, in `fluenzr worker`). Work is
//! claimed through the database, so several processes can share it.

pub mod sender;
pub mod smtp;
pub mod webhooks;

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

use crate::service::idempotency;

/// Starts every background loop; they run until the process ends.
pub fn spawn(
    db: DatabaseConnection,
    settings: webhooks::Settings,
    sender: sender::Sender,
) -> Vec<JoinHandle<()>> {
    let purge_db = db.clone();
    let purge = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(err) = idempotency::purge_expired(&purge_db).await {
                tracing::warn!(code = err.code.as_str(), "idempotency purge failed");
            }
        }
    });
    vec![purge, webhooks::spawn(db, settings), sender.spawn()]
}
