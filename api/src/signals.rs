//! Signals between instances: a revoked API key, new outbox rows, newly due sends. With
//! PostgreSQL they travel by `NOTIFY` on one channel, sent inside the transaction that causes
//! them (so they arrive when it commits, never before); every instance listens and reconnects
//! when its listener drops. On SQLite (one process) they stay in the process.
//!
//! Workers wait for their signal with a slow poll as the safety net, so a lost signal only
//! delays work, never loses it.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use tokio::sync::Notify;

use crate::error::AppResult;

/// The channel every instance listens on.
pub const CHANNEL: &str = "fluenzr";

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    /// This API key was revoked: drop it from every key cache.
    KeyRevoked(String),
    /// This workspace's plan changed: drop its keys from every key cache.
    WorkspaceChanged(String),
    /// Outbox rows were committed: wake the webhook workers.
    Outbox,
    /// Emails became due: wake the senders.
    Sending,
    /// A CSV import was uploaded: wake the import workers.
    Import,
}

impl Signal {
    fn payload(&self) -> String {
        match self {
            Signal::KeyRevoked(id) => format!("key:{id}"),
            Signal::WorkspaceChanged(id) => format!("workspace:{id}"),
            Signal::Outbox => "outbox".into(),
            Signal::Sending => "sending".into(),
            Signal::Import => "import".into(),
        }
    }

    fn parse(payload: &str) -> Option<Signal> {
        match payload.split_once(':') {
            Some(("key", id)) => Some(Signal::KeyRevoked(id.to_owned())),
            Some(("workspace", id)) => Some(Signal::WorkspaceChanged(id.to_owned())),
            _ => match payload {
                "outbox" => Some(Signal::Outbox),
                "sending" => Some(Signal::Sending),
                "import" => Some(Signal::Import),
                _ => None,
            },
        }
    }
}

/// Sends a signal as part of the caller's transaction (or at once, outside one).
pub async fn send(db: &impl ConnectionTrait, signal: Signal) -> AppResult<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), signal.payload().into()],
        ))
        .await?;
    } else if let Signal::KeyRevoked(_) | Signal::WorkspaceChanged(_) = signal {
        local().deliver(&signal);
    } else {
        // One process: the signal stays here, a moment after the caller's transaction has
        // (most likely) committed, and again a little later in case it had not.
        let hub = local();
        tokio::spawn(async move {
            for wait in [5, 50] {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                hub.deliver(&signal);
            }
        });
    }
    Ok(())
}

/// Where signals arrive in this process.
#[derive(Default)]
pub struct Hub {
    outbox: Notify,
    sending: Notify,
    import: Notify,
    keys: std::sync::Mutex<Vec<std::sync::Weak<dyn Forgets>>>,
}

/// What must forget credentials when a key is revoked or a workspace's plan changes anywhere
/// (the verified-key cache).
pub trait Forgets: Send + Sync {
    fn forget_key(&self, key_id: &str);
    fn forget_workspace(&self, workspace_id: &str);
}

/// The process's hub (SQLite signals go straight here; PostgreSQL ones after the listener).
pub fn local() -> Arc<Hub> {
    static HUB: std::sync::OnceLock<Arc<Hub>> = std::sync::OnceLock::new();
    HUB.get_or_init(|| Arc::new(Hub::default())).clone()
}

impl Hub {
    /// Key caches to clear when a key is revoked anywhere.
    pub fn watch_keys<K: Forgets + 'static>(&self, keys: &Arc<K>) {
        let mut all = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|k| k.strong_count() > 0);
        let keys: std::sync::Weak<K> = Arc::downgrade(keys);
        let keys: std::sync::Weak<dyn Forgets> = keys;
        all.push(keys);
    }

    fn deliver(&self, signal: &Signal) {
        match signal {
            Signal::KeyRevoked(id) => {
                let all = self.keys.lock().unwrap_or_else(|e| e.into_inner());
                for keys in all.iter().filter_map(std::sync::Weak::upgrade) {
                    keys.forget_key(id);
                }
            }
            Signal::WorkspaceChanged(id) => {
                let all = self.keys.lock().unwrap_or_else(|e| e.into_inner());
                for keys in all.iter().filter_map(std::sync::Weak::upgrade) {
                    keys.forget_workspace(id);
                }
            }
            Signal::Outbox => self.outbox.notify_waiters(),
            Signal::Sending => self.sending.notify_waiters(),
            Signal::Import => self.import.notify_waiters(),
        }
    }

    /// Waits for new outbox rows, at most `poll`.
    pub async fn outbox(&self, poll: Duration) {
        let _ = tokio::time::timeout(poll, self.outbox.notified()).await;
    }

    /// Waits for newly due sends, at most `poll`.
    pub async fn sending(&self, poll: Duration) {
        let _ = tokio::time::timeout(poll, self.sending.notified()).await;
    }

    /// Waits for an uploaded import, at most `poll`.
    pub async fn import(&self, poll: Duration) {
        let _ = tokio::time::timeout(poll, self.import.notified()).await;
    }

    /// After the listener was away: wakes every waiter, since work signalled meanwhile may have
    /// been missed. (A key revoked during the gap is still dropped when its cache period ends.)
    fn wake_all(&self) {
        self.outbox.notify_waiters();
        self.sending.notify_waiters();
        self.import.notify_waiters();
    }
}

/// On PostgreSQL, listens for signals and hands them to this process's hub, reconnecting
/// (and waking every worker, in case one was missed) when the connection drops.
pub fn listen(db: &DatabaseConnection, database_url: &str) -> Option<tokio::task::JoinHandle<()>> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return None;
    }
    let url = database_url.to_owned();
    Some(tokio::spawn(async move {
        use sea_orm::sqlx::postgres::PgListener;
        let hub = local();
        loop {
            let listener = async {
                let mut listener = PgListener::connect(&url).await?;
                listener.listen(CHANNEL).await?;
                Ok::<_, sea_orm::sqlx::Error>(listener)
            }
            .await;
            let mut listener = match listener {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(%err, "cannot listen for signals; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            hub.wake_all();
            loop {
                match listener.try_recv().await {
                    Ok(Some(note)) => {
                        if let Some(signal) = Signal::parse(note.payload()) {
                            hub.deliver(&signal);
                        }
                    }
                    // The connection dropped: the listener reconnects on the next call, and
                    // whatever was sent meanwhile is caught by waking everyone.
                    Ok(None) => hub.wake_all(),
                    Err(err) => {
                        tracing::warn!(%err, "signal listener failed; reconnecting");
                        break;
                    }
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        for signal in [
            Signal::KeyRevoked("key_01abc".into()),
            Signal::WorkspaceChanged("wsp_01abc".into()),
            Signal::Outbox,
            Signal::Sending,
            Signal::Import,
        ] {
            assert_eq!(Signal::parse(&signal.payload()), Some(signal));
        }
        assert_eq!(Signal::parse("nonsense"), None);
    }
}
