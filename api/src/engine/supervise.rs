//! Supervision of the background loops: a panic in one pass (or one job) is caught, logged
//! with what it was doing, counted in `/metrics`, and the loop goes on; every loop reports
//! each finished pass, so `/readyz` can name a loop that stopped making progress.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use crate::panics::{DOMAINS, IMPORTS, MAILBOX, PURGE, SENDER, WEBHOOKS};
pub use crate::panics::{guard, guard_sync, panic_text, report};

struct Beat {
    last: Instant,
    /// A pass older than this has not finished in time.
    period: Duration,
}

/// When each running loop last finished a pass, shared by the loops and `/readyz`.
#[derive(Clone, Default)]
pub struct Health {
    beats: Arc<Mutex<BTreeMap<&'static str, Beat>>>,
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Health")
            .field("stalled", &self.stalled())
            .finish()
    }
}

impl Health {
    fn beats(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, Beat>> {
        // A panic while holding this lock cannot leave the map half-written: recover it.
        self.beats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A loop starts: it is expected to finish a pass at least every `period`.
    pub fn start(&self, engine: &'static str, period: Duration) {
        self.beats().insert(
            engine,
            Beat {
                last: Instant::now(),
                period,
            },
        );
    }

    /// A loop finished a pass (whatever its outcome: a failed pass is reported by its error).
    pub fn beat(&self, engine: &'static str) {
        if let Some(beat) = self.beats().get_mut(engine) {
            beat.last = Instant::now();
        }
    }

    /// A loop returned (the process is stopping): it is no longer expected.
    pub fn stop(&self, engine: &'static str) {
        self.beats().remove(engine);
    }

    /// The loops that have not finished a pass within their period, by name.
    pub fn stalled(&self) -> Vec<&'static str> {
        self.beats()
            .iter()
            .filter(|(_, beat)| beat.last.elapsed() > beat.period)
            .map(|(name, _)| *name)
            .collect()
    }
}

/// What every loop is given: where to report its passes, and how long one may take.
#[derive(Clone, Debug)]
pub struct Supervision {
    pub health: Health,
    /// Beyond a loop's own poll interval.
    pub pass_limit: Duration,
}

impl Supervision {
    /// Supervision nobody reads (a loop run alone, e.g. by a benchmark).
    pub fn unwatched() -> Supervision {
        Supervision {
            health: Health::default(),
            pass_limit: Duration::from_secs(300),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panics_counted(engine: &str) -> String {
        let text = futures_util::FutureExt::now_or_never(crate::metrics::get().render_local())
            .and_then(Result::ok)
            .unwrap_or_default();
        text.lines()
            .filter(|l| l.starts_with("fluenzr_engine_panics_total") && l.contains(engine))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[tokio::test]
    async fn a_panicking_pass_is_caught_counted_and_the_loop_goes_on() {
        let mut finished = 0;
        for i in 0..3 {
            let pass = guard("test-loop", "pass", async move {
                if i == 1 {
                    panic!("boom in pass {i}");
                }
                i
            })
            .await;
            if pass.is_some() {
                finished += 1;
            }
        }
        assert_eq!(finished, 2);
        assert!(
            panics_counted("test-loop").ends_with(" 1"),
            "{}",
            panics_counted("test-loop")
        );
        let sync = guard_sync("test-sync", "job", || -> u8 {
            panic!("{}", String::from("x"))
        });
        assert!(sync.is_none());
    }

    #[test]
    fn a_loop_that_stops_beating_is_named() {
        let health = Health::default();
        health.start(SENDER, Duration::from_millis(30));
        health.start(WEBHOOKS, Duration::from_secs(60));
        assert!(health.stalled().is_empty());
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(health.stalled(), vec![SENDER]);
        health.beat(SENDER);
        assert!(health.stalled().is_empty());
        health.stop(WEBHOOKS);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(health.stalled(), vec![SENDER]);
    }
}
