//! The one time source: every time the server writes or compares (rows' stamps, outbox events,
//! sessions, rate limits, the engines' due times, leases and retries) is read from a `Clock`,
//! the system's or a manual one that tests move by hand (no sleeping through windows, delays
//! and retry schedules). The database's own clock orders cross-host leases (`db::now_ms`).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, SubsecRound, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stays at `at` until set or advanced.
    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock {
            manual: Some(Arc::new(Mutex::new(at.trunc_subsecs(6)))),
        }
    }

    /// Now, to the microsecond (as stored).
    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            Some(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
            None => Utc::now().trunc_subsecs(6),
        }
    }

    /// Moves a manual clock to `at` (no effect on the system clock).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(current) = &self.manual {
            *current.lock().unwrap_or_else(|e| e.into_inner()) = at.trunc_subsecs(6);
        }
    }

    /// How long ago `then` was on this clock (zero for a time not yet come).
    pub fn since(&self, then: DateTime<Utc>) -> std::time::Duration {
        (self.now() - then).to_std().unwrap_or_default()
    }

    /// Moves a manual clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.set(self.now() + by);
    }
}

/// `d` as a chrono duration; one too long to represent is the longest there is (a setting of
/// "forever" never becomes "at once").
pub fn span(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// `d` after `at`, or the last representable time when that is past it (never a panic).
pub fn after(at: DateTime<Utc>, d: std::time::Duration) -> DateTime<Utc> {
    at.checked_add_signed(span(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_past_what_chrono_holds_saturate() {
        let now = Utc::now();
        let forever = std::time::Duration::from_secs(u64::MAX);
        assert_eq!(span(forever), chrono::Duration::MAX);
        assert_eq!(after(now, forever), DateTime::<Utc>::MAX_UTC);
        let minute = std::time::Duration::from_secs(60);
        assert_eq!(after(now, minute), now + chrono::Duration::minutes(1));
    }
}
