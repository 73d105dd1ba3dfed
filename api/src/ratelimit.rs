//! Request budgets over a sliding minute: no 60-second span admits more than the limit. In one
//! process the log of admitted requests is kept in memory; with PostgreSQL the workspace budget
//! is shared by every instance through one row per workspace, read and written by a single
//! statement that locks the row, so concurrent instances count exactly.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

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
    /// Whole seconds to wait before a request is admitted (at least 1, at most the window).
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

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A sliding log per key, in this process.
pub struct LocalLimiter {
    limit: u32,
    logs: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl LocalLimiter {
    pub fn new(limit_per_minute: u32) -> Self {
        LocalLimiter {
            limit: limit_per_minute,
            logs: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, key: &str) -> RateDecision {
        self.check_at(key, now_ms())
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
    Shared { db: DatabaseConnection, limit: u32 },
}

/// One statement: drops the hits that left the window, appends this one when there is room,
/// and answers how many are counted, the oldest, and whether this one was admitted. `ON
/// CONFLICT DO UPDATE` locks the workspace's row, so concurrent requests (from any instance)
/// are counted one after another.
const SHARED_CHECK: &str = r#"
INSERT INTO rate_limits AS r (key, hits) VALUES ($1, ARRAY[$2::bigint])
ON CONFLICT (key) DO UPDATE SET hits =
  CASE WHEN cardinality(ARRAY(SELECT h FROM unnest(r.hits) AS h WHERE h > $2 - $3)) < $4
       THEN ARRAY(SELECT h FROM unnest(r.hits) AS h WHERE h > $2 - $3) || $2::bigint
       ELSE ARRAY(SELECT h FROM unnest(r.hits) AS h WHERE h > $2 - $3)
  END
RETURNING cardinality(hits) AS kept, hits[1] AS oldest, hits[cardinality(hits)] = $2 AS admitted
"#;

impl WorkspaceLimiter {
    pub fn new(db: &DatabaseConnection, limit_per_minute: u32) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => WorkspaceLimiter::Shared {
                db: db.clone(),
                limit: limit_per_minute,
            },
            _ => WorkspaceLimiter::Local(LocalLimiter::new(limit_per_minute)),
        }
    }

    pub async fn check(&self, workspace_id: &str) -> AppResult<RateDecision> {
        match self {
            WorkspaceLimiter::Local(local) => Ok(local.check(workspace_id)),
            WorkspaceLimiter::Shared { db, limit } => {
                let now = now_ms();
                // Hits are kept in microseconds with random low digits, so two requests in the
                // same millisecond stay two distinct entries (`admitted` compares the last one).
                let hit = now * 1000 + i64::from(rand::random::<u16>() % 1000);
                let row = db
                    .query_one_raw(Statement::from_sql_and_values(
                        DatabaseBackend::Postgres,
                        SHARED_CHECK,
                        [
                            workspace_id.into(),
                            hit.into(),
                            (WINDOW_MS * 1000).into(),
                            i64::from(*limit).into(),
                        ],
                    ))
                    .await?
                    .ok_or_else(|| {
                        AppError::internal("the rate-limit statement returned nothing")
                    })?;
                let kept: i32 = row.try_get("", "kept")?;
                let oldest: Option<i64> = row.try_get("", "oldest")?;
                let admitted: Option<bool> = row.try_get("", "admitted")?;
                Ok(RateDecision::from_log(
                    *limit,
                    usize::try_from(kept).unwrap_or(0),
                    oldest.map(|us| us.div_euclid(1000)),
                    admitted.unwrap_or(false),
                    now,
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_sixty_second_span_admits_more_than_the_limit() {
        let limiter = LocalLimiter::new(3);
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
        let early = LocalLimiter::new(1);
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
