//! Request budgets over a sliding minute: no 60-second span admits more than the limit. In one
//! process the log of admitted requests is kept in memory; with PostgreSQL the workspace budget
//! is shared by every instance through one row of per-second counts per workspace, read and
//! written under the row's lock, so concurrent instances never admit more than the limit.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};

/// The span a budget covers.
pub const WINDOW_MS: i64 = 60_000;

/// The budget after counting one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateDecision {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when a request is next admitted (the oldest counted one leaves the window);
    /// now when there is room.
    pub reset: u64,
    pub allowed: bool,
    /// Milliseconds until a request is admitted (0 when there is room).
    pub wait_ms: i64,
}

impl RateDecision {
    /// Whole seconds to wait before a request is admitted (at least 1; at most the window, one
    /// second more for the shared budget, which counts whole seconds).
    pub fn retry_after(&self) -> u64 {
        u64::try_from((self.wait_ms + 999) / 1000)
            .unwrap_or(0)
            .max(1)
    }

    fn from_log(limit: u32, kept: usize, oldest: Option<i64>, allowed: bool, now_ms: i64) -> Self {
        let kept = u32::try_from(kept).unwrap_or(u32::MAX);
        let reset_ms = match oldest {
            Some(oldest) if kept >= limit => oldest + WINDOW_MS,
            _ => now_ms,
        };
        RateDecision {
            limit,
            remaining: limit.saturating_sub(kept),
            reset: u64::try_from(reset_ms.div_euclid(1000) + i64::from(reset_ms % 1000 != 0))
                .unwrap_or(0),
            allowed,
            wait_ms: (reset_ms - now_ms).max(0),
        }
    }
}

/// A sliding log per key, in this process.
pub struct LocalLimiter {
    limit: u32,
    clock: Clock,
    logs: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl LocalLimiter {
    pub fn new(limit_per_minute: u32, clock: Clock) -> Self {
        LocalLimiter {
            limit: limit_per_minute,
            clock,
            logs: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, key: &str) -> RateDecision {
        self.check_at(key, self.clock.now().timestamp_millis())
    }

    pub fn check_at(&self, key: &str, now: i64) -> RateDecision {
        let mut logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        if logs.len() > 10_000 {
            logs.retain(|_, log| log.back().is_some_and(|t| *t > now - WINDOW_MS));
        }
        let log = logs.entry(key.to_owned()).or_default();
        while log.front().is_some_and(|t| *t <= now - WINDOW_MS) {
            log.pop_front();
        }
        let allowed = log.len() < self.limit as usize;
        if allowed {
            log.push_back(now);
        }
        RateDecision::from_log(self.limit, log.len(), log.front().copied(), allowed, now)
    }
}

/// The per-workspace budget: in process on SQLite, shared through PostgreSQL otherwise.
pub enum WorkspaceLimiter {
    Local(LocalLimiter),
    Shared(SharedLimiter),
}

impl WorkspaceLimiter {
    pub fn new(db: &DatabaseConnection, limit_per_minute: u32, clock: Clock) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                WorkspaceLimiter::Shared(SharedLimiter::new(db.clone(), limit_per_minute, clock))
            }
            _ => WorkspaceLimiter::Local(LocalLimiter::new(limit_per_minute, clock)),
        }
    }

    pub async fn check(&self, workspace_id: &str) -> AppResult<RateDecision> {
        match self {
            WorkspaceLimiter::Local(local) => Ok(local.check(workspace_id)),
            WorkspaceLimiter::Shared(shared) => shared.check(workspace_id).await,
        }
    }
}

/// The most requests one call to the database grants an instance.
const MAX_GRANT: u32 = 64;

/// The budget shared by every instance through one `rate_limits` row per workspace: counts per
/// second of the last minute (61 numbers at most, whatever the limit), read and written under
/// the row's lock by `fluenzr_rate_take`. A second that can overlap the last 60 s counts whole,
/// so no 60-second span admits more than the limit; a request may wait up to a second longer
/// than an exact log would make it.
///
/// Under load an instance takes several requests of the current second in one call and admits
/// them without asking again, until they are used or the second ends (the unused ones are given
/// back with its next call). A grant doubles while the last one was used within its second, and
/// stays at most a sixteenth of what was left of the budget, so near the limit grants are single
/// requests and no instance holds back what another could admit.
pub struct SharedLimiter {
    db: DatabaseConnection,
    limit: u32,
    clock: Clock,
    grants: Mutex<HashMap<String, Grant>>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Grant {
    /// The second the grant is counted in; it may be used only during that second.
    second: i64,
    /// Requests granted and not admitted yet.
    left: u32,
    /// The size asked for last time.
    size: u32,
    /// The shared count (every instance's) after the last grant, grants included.
    used: u32,
}

impl Grant {
    /// Admits one request from what is left of the grant; `used` is the shared count it was
    /// last seen at, grants included.
    fn admit(&mut self, used: u32, limit: u32, now: i64) -> RateDecision {
        self.left -= 1;
        let admitted = used.saturating_sub(self.left);
        RateDecision::from_log(limit, admitted as usize, None, true, now)
    }
}

const TAKE: &str =
    "SELECT granted, used, oldest_second FROM fluenzr_rate_take($1, $2, $3, $4, $5, $6)";

impl SharedLimiter {
    pub fn new(db: DatabaseConnection, limit: u32, clock: Clock) -> Self {
        SharedLimiter {
            db,
            limit,
            clock,
            grants: Mutex::new(HashMap::new()),
        }
    }

    pub async fn check(&self, workspace_id: &str) -> AppResult<RateDecision> {
        let now = self.clock.now().timestamp_millis();
        let second = now.div_euclid(1000);
        let (want, back) = {
            let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
            match grants.get_mut(workspace_id) {
                Some(g) if g.second == second && g.left > 0 => {
                    return Ok(g.admit(g.used, self.limit, now));
                }
                Some(g) => {
                    // Used up within its second: ask for more; otherwise for what was used.
                    let size = if g.second == second {
                        g.size.saturating_mul(2)
                    } else {
                        g.size.saturating_sub(g.left)
                    };
                    let back = (g.left > 0).then_some((g.second, g.left));
                    g.left = 0;
                    let room = self.limit.saturating_sub(g.used) / 16;
                    (size.min(MAX_GRANT).min(room).max(1), back)
                }
                None => (1, None),
            }
        };
        let (back_second, back_count) = back.unwrap_or((0, 0));
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                TAKE,
                [
                    workspace_id.into(),
                    now.into(),
                    i64::from(self.limit).into(),
                    i64::from(want).into(),
                    back_second.into(),
                    i64::from(back_count).into(),
                ],
            ))
            .await?
            .ok_or_else(|| AppError::internal("the rate-limit function returned nothing"))?;
        let granted: i64 = row.try_get("", "granted")?;
        let used: i64 = row.try_get("", "used")?;
        let oldest: Option<i64> = row.try_get("", "oldest_second")?;
        let granted = u32::try_from(granted).unwrap_or(0);
        let used = u32::try_from(used).unwrap_or(u32::MAX);
        let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        let g = grants.entry(workspace_id.to_owned()).or_default();
        if granted == 0 {
            g.used = used;
            // The budget is spent, but partly on grants this instance holds (taken by calls
            // that ran beside this one in a burst): admit from them rather than leave them
            // unused while refusing.
            if g.second == second && g.left > 0 {
                return Ok(g.admit(used, self.limit, now));
            }
            // A counted second leaves the window 60 s after it ends.
            let leaves = oldest.map(|s| (s + 1) * 1000);
            return Ok(RateDecision::from_log(
                self.limit,
                used as usize,
                leaves,
                false,
                now,
            ));
        }
        // Another request of this instance may have taken a grant meanwhile: keep both.
        let carried = if g.second == second { g.left } else { 0 };
        *g = Grant {
            second,
            left: carried + granted - 1,
            size: want,
            used,
        };
        let admitted = used.saturating_sub(g.left);
        Ok(RateDecision::from_log(
            self.limit,
            admitted as usize,
            oldest.map(|s| (s + 1) * 1000),
            true,
            now,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_sixty_second_span_admits_more_than_the_limit() {
        let limiter = LocalLimiter::new(3, Clock::system());
        let t0 = 1_000_000;
        assert!(limiter.check_at("w", t0).allowed);
        assert!(limiter.check_at("w", t0 + 10_000).allowed);
        assert!(limiter.check_at("w", t0 + 59_000).allowed);
        let refused = limiter.check_at("w", t0 + 59_999);
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        // The oldest leaves the window at t0 + 60 s: the reset says so.
        assert_eq!(refused.reset, (t0 + WINDOW_MS) as u64 / 1000);
        assert_eq!(
            refused.retry_after(),
            1,
            "1 ms to wait rounds up to a second"
        );
        let early = LocalLimiter::new(1, Clock::system());
        early.check_at("w", 500);
        assert_eq!(
            early.check_at("w", 900).retry_after(),
            60,
            "never more than the window"
        );
        // A fixed window would have admitted three more at the minute boundary.
        assert!(limiter.check_at("w", t0 + 60_000).allowed);
        assert!(!limiter.check_at("w", t0 + 60_001).allowed);
        assert!(limiter.check_at("w", t0 + 70_000).allowed);
        // Other keys have their own budget.
        assert!(limiter.check_at("other", t0 + 60_001).allowed);
    }
}
