//! Catching a panic in one job of a background loop: it is logged with what it was doing,
//! counted in `/metrics`, and the caller goes on. Below the services, so a service can guard
//! a step it runs for an engine (composing an email) without depending on the engines.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;

/// The loops' names, as `/readyz` and the metrics label them.
pub const SENDER: &str = "sender";
pub const MAILBOX: &str = "mailbox";
pub const WEBHOOKS: &str = "webhooks";
pub const IMPORTS: &str = "imports";
pub const PURGE: &str = "purge";
pub const DOMAINS: &str = "domains";

/// The text of a panic's payload.
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Logs and counts a caught panic of `engine` while it did `job`.
pub fn report(engine: &'static str, job: &str, payload: &(dyn Any + Send)) {
    let text = panic_text(payload);
    tracing::error!(engine, job, panic = %text, "a background job panicked; it ends failed (internal) and the loop goes on");
    crate::metrics::get()
        .engine_panics
        .get_or_create(&crate::metrics::EngineLabels { engine })
        .inc();
}

/// Runs `work`, catching a panic: `None` when it panicked (then reported as `engine`'s, while
/// doing `job`).
pub async fn guard<T>(engine: &'static str, job: &str, work: impl Future<Output = T>) -> Option<T> {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(value) => Some(value),
        Err(payload) => {
            report(engine, job, payload.as_ref());
            None
        }
    }
}

/// `guard` for synchronous work.
pub fn guard_sync<T>(engine: &'static str, job: &str, work: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(work)) {
        Ok(value) => Some(value),
        Err(payload) => {
            report(engine, job, payload.as_ref());
            None
        }
    }
}
