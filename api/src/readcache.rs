//! The read cache: answers to reads (REST `GET`s and GraphQL queries) kept under the workspace's
//! data version (`service::workspaces::data_version`), which the database moves in the same
//! transaction as every write to what the API shows. A read first reads the version (one indexed
//! statement); an answer kept under that same version is served as it was, anything else runs
//! the read. An answer is never stale: it is kept under the version read *before* the read ran,
//! so a write that lands in between only makes the next request miss.
//!
//! Answers that depend on the time (a campaign's sending status, an account's emails today) are
//! marked `Volatile` by their resolvers and never kept. Entries belong to one UTC day (the day
//! is part of the key), and an answer that depends on the date (a timeline ending "today") is
//! kept only when it was computed for the day it is kept under. Answers with errors are not
//! kept either. Each caller has its own entries (workspace, plan and key or
//! user are part of the key), and the kept bytes are bounded: past the budget the oldest
//! entries go first.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::ConnectionTrait;

use crate::auth::{Principal, PrincipalKind};
use crate::error::AppResult;

/// What an answer's resolvers said about the clock: set when the answer depends on the time
/// (not kept), or on the date (kept only under the date it was read on).
#[derive(Clone, Default)]
pub struct Volatile(Arc<VolatileInner>);

#[derive(Default)]
pub struct VolatileInner {
    time: AtomicBool,
    /// The UTC day the answer was computed for, as days since the Common Era (0: none).
    day: AtomicI32,
}

impl Volatile {
    /// The answer depends on the time of day: it is not kept.
    pub fn mark(&self) {
        self.0.time.store(true, Ordering::Relaxed);
    }

    /// The answer depends on today's UTC date, `day`.
    pub fn uses_day(&self, day: NaiveDate) {
        self.0.day.store(day.num_days_from_ce(), Ordering::Relaxed);
    }

    pub fn is_marked(&self) -> bool {
        self.0.time.load(Ordering::Relaxed)
    }

    /// Whether an answer read under `day` may be kept under it.
    fn keepable_on(&self, day: NaiveDate) -> bool {
        let used = self.0.day.load(Ordering::Relaxed);
        !self.is_marked() && (used == 0 || used == day.num_days_from_ce())
    }
}

/// A kept answer.
#[derive(Clone)]
pub struct Cached {
    pub body: Bytes,
    pub etag: String,
}

struct Entry {
    version: i64,
    answer: Cached,
    stamp: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Keys in the order they were kept, with the stamp they were kept with (a key kept again
    /// has a newer stamp; its older place in the queue is skipped).
    order: VecDeque<(String, u64)>,
    bytes: usize,
    stamp: u64,
}

pub struct ReadCache {
    budget: usize,
    inner: Mutex<Inner>,
}

/// What a read should do.
pub enum Lookup {
    /// Serve this.
    Hit(Cached),
    /// Run the read; keep its answer under `version` if it is not volatile.
    Miss {
        key: String,
        version: i64,
        day: NaiveDate,
    },
    /// The cache is off.
    Off,
}

/// The part of an entry's key that names the caller.
fn caller(principal: &Principal) -> String {
    let (kind, id) = match &principal.kind {
        PrincipalKind::ApiKey { key_id } => ("k", key_id),
        PrincipalKind::User { user_id } => ("u", user_id),
    };
    format!(
        "{}\u{1f}{}\u{1f}{kind}:{id}\u{1f}",
        principal.workspace_id,
        principal.plan.as_str()
    )
}

impl ReadCache {
    /// A cache keeping at most `budget` bytes of answers; 0 turns it off.
    pub fn new(budget: usize) -> ReadCache {
        ReadCache {
            budget,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// Reads the workspace's version and looks the read up. `read` names the read itself
    /// (route or query text, with its variables).
    pub async fn lookup(
        &self,
        db: &impl ConnectionTrait,
        principal: &Principal,
        read: &str,
    ) -> AppResult<Lookup> {
        if !self.enabled() {
            return Ok(Lookup::Off);
        }
        let version = crate::service::workspaces::data_version(db, &principal.workspace_id).await?;
        // Entries of one UTC day: an answer ending "today" is not kept past it.
        let day = Utc::now().date_naive();
        let mut key = caller(principal);
        key.push_str(&day.to_string());
        key.push('\u{1f}');
        key.push_str(read);
        let kept = {
            let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            inner
                .entries
                .get(&key)
                .filter(|entry| entry.version == version)
                .map(|entry| entry.answer.clone())
        };
        Ok(match kept {
            Some(answer) => {
                count("hit");
                Lookup::Hit(answer)
            }
            None => Lookup::Miss { key, version, day },
        })
    }

    /// Keeps the answer of a read missed on `day`, unless it was volatile.
    pub fn keep(&self, missed: Lookup, volatile: &Volatile, answer: Cached) {
        let Lookup::Miss { key, version, day } = missed else {
            return;
        };
        if !volatile.keepable_on(day) {
            count("volatile");
            return;
        }
        count("miss");
        let size = key.len() + answer.body.len();
        if size > self.budget / 4 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.stamp += 1;
        let stamp = inner.stamp;
        if let Some(old) = inner.entries.insert(
            key.clone(),
            Entry {
                version,
                answer,
                stamp,
            },
        ) {
            inner.bytes -= key.len() + old.answer.body.len();
        }
        inner.bytes += size;
        inner.order.push_back((key, stamp));
        while inner.bytes > self.budget {
            let Some((oldest, stamp)) = inner.order.pop_front() else {
                break;
            };
            if inner.entries.get(&oldest).is_some_and(|e| e.stamp == stamp)
                && let Some(gone) = inner.entries.remove(&oldest)
            {
                inner.bytes -= oldest.len() + gone.answer.body.len();
            }
        }
        // Keys kept again leave stale places behind; drop them before they outnumber entries.
        if inner.order.len() > 2 * inner.entries.len() + 64 {
            let Inner { entries, order, .. } = &mut *inner;
            order.retain(|(key, stamp)| entries.get(key).is_some_and(|e| e.stamp == *stamp));
        }
    }

    /// Entries and bytes kept (for tests and metrics).
    pub fn size(&self) -> (usize, usize) {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        (inner.entries.len(), inner.bytes)
    }
}

fn count(outcome: &str) {
    crate::metrics::get()
        .read_cache
        .get_or_create(&crate::metrics::outcome(outcome))
        .inc();
}

/// The entity tag of an answer: FNV-1a (64 bits) of its bytes, quoted.
pub fn etag(body: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

/// Whether an `If-None-Match` header value names `etag` (a list, `*`, or weak tags compared
/// weakly, as RFC 9110 asks for `GET`).
pub fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == etag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::workspaces::Plan;

    fn answer(text: &str) -> Cached {
        Cached {
            body: Bytes::from(text.to_owned()),
            etag: etag(text.as_bytes()),
        }
    }

    fn miss(key: impl Into<String>, version: i64) -> Lookup {
        Lookup::Miss {
            key: key.into(),
            version,
            day: Utc::now().date_naive(),
        }
    }

    fn keys(cache: &ReadCache) -> Vec<String> {
        let inner = cache.inner.lock().unwrap();
        let mut keys: Vec<String> = inner.entries.keys().cloned().collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_budget_drops_the_oldest_entries_first() {
        let cache = ReadCache::new(400);
        for i in 0..10 {
            cache.keep(
                miss(format!("k{i}"), 1),
                &Volatile::default(),
                answer(&"x".repeat(48)),
            );
        }
        // 50 bytes an entry: 8 fit.
        assert_eq!(cache.size(), (8, 400));
        assert_eq!(keys(&cache)[0], "k2");
        // Keeping a key again replaces it and counts it once.
        cache.keep(miss("k5", 2), &Volatile::default(), answer(&"y".repeat(18)));
        assert_eq!(cache.size(), (8, 370));
        for i in 10..100 {
            cache.keep(miss(format!("k{i}"), 1), &Volatile::default(), answer(""));
        }
        let inner = cache.inner.lock().unwrap();
        assert!(inner.bytes <= 400);
        assert!(inner.order.len() <= 2 * inner.entries.len() + 64);
    }

    #[test]
    fn volatile_and_oversized_answers_are_not_kept() {
        let cache = ReadCache::new(400);
        let volatile = Volatile::default();
        volatile.mark();
        cache.keep(miss("a", 1), &volatile, answer("now"));
        cache.keep(miss("b", 1), &Volatile::default(), answer(&"z".repeat(200)));
        assert_eq!(cache.size(), (0, 0));
        // An answer for "today" is kept under the day it was read on, and only then.
        let today = Utc::now().date_naive();
        let dated = Volatile::default();
        dated.uses_day(today.pred_opt().unwrap());
        cache.keep(miss("c", 1), &dated, answer("yesterday"));
        assert_eq!(cache.size(), (0, 0));
        dated.uses_day(today);
        cache.keep(miss("c", 1), &dated, answer("today"));
        assert_eq!(cache.size().0, 1);
    }

    #[test]
    fn callers_do_not_share_entries() {
        let key = |kind| Principal {
            workspace_id: "wsp_1".into(),
            plan: Plan::Pro,
            kind,
        };
        let a = caller(&key(PrincipalKind::ApiKey {
            key_id: "key_1".into(),
        }));
        let b = caller(&key(PrincipalKind::User {
            user_id: "key_1".into(),
        }));
        assert_ne!(a, b);
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let tag = etag(b"{\"success\":true}");
        assert_eq!(tag.len(), 18);
        assert_ne!(tag, etag(b"{\"success\":false}"));
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"other\", W/{tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
    }
}
