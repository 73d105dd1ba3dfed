//! Stopping gracefully. On SIGTERM or SIGINT the HTTP server stops accepting and finishes the
//! requests in flight; workers finish the SMTP transaction or webhook attempt they are in and
//! record it, release what they claimed but did not start, and return. A second signal exits
//! at once.

use std::time::Duration;

use tokio::sync::watch;

/// Seen by everything that must stop.
#[derive(Clone, Debug)]
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// A handle that never says stop (tests driving workers by hand).
    pub fn never() -> Stopping {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive for the life of the process: the receiver then never errs.
        std::mem::forget(tx);
        Stopping(rx)
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once stopping was asked.
    pub async fn wait(&mut self) {
        while !*self.0.borrow_and_update() {
            if self.0.changed().await.is_err() {
                // The trigger is gone without asking: nothing will ever ask.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Sleeps `duration`, or less when stopping is asked; true when it was.
    pub async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => self.is_set(),
            _ = self.wait() => true,
        }
    }
}

/// The trigger.
#[derive(Clone, Debug)]
pub struct Shutdown(std::sync::Arc<watch::Sender<bool>>);

impl Shutdown {
    pub fn new() -> (Shutdown, Stopping) {
        let (tx, rx) = watch::channel(false);
        (Shutdown(std::sync::Arc::new(tx)), Stopping(rx))
    }

    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }

    pub fn stopping(&self) -> Stopping {
        Stopping(self.0.subscribe())
    }
}

/// Starts listening for SIGTERM and SIGINT now (so a signal that arrives at once is not lost
/// to the default action): the first triggers `shutdown`, a second exits the process at once
/// (code 130).
pub fn install(shutdown: Shutdown) {
    let mut signals = Signals::new();
    tokio::spawn(async move {
        signals.next().await;
        tracing::info!("stopping: finishing in-flight work (signal again to exit at once)");
        shutdown.trigger();
        signals.next().await;
        tracing::warn!("second signal: exiting now");
        std::process::exit(130);
    });
}

/// A shutdown trigger with the signals installed; what a process's stopping waits on.
pub fn on_signals() -> Stopping {
    let (shutdown, stopping) = Shutdown::new();
    install(shutdown);
    stopping
}

#[cfg(unix)]
struct Signals(Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>);

#[cfg(unix)]
impl Signals {
    fn new() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        Signals(
            signal(SignalKind::terminate())
                .ok()
                .zip(signal(SignalKind::interrupt()).ok()),
        )
    }

    async fn next(&mut self) {
        match &mut self.0 {
            Some((term, int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Signals {
        Signals
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
