//! Guessing passwords is slow: sign-in and sign-up attempts are limited per client address,
//! and failed sign-ins per account. An account's limit refuses for at most its window, so an
//! attacker cannot lock its owner out for long.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;

/// The caller's address, attached to GraphQL requests.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

/// Limits, per window.
#[derive(Clone, Debug)]
pub struct Limits {
    pub per_address: usize,
    pub address_window: Duration,
    pub failures_per_account: usize,
    pub account_window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_address: 30,
            address_window: Duration::from_secs(60),
            failures_per_account: 10,
            account_window: Duration::from_secs(300),
        }
    }
}

/// Sliding windows of recent attempts, in this process.
pub struct LoginThrottle {
    limits: Limits,
    clock: Clock,
    addresses: Mutex<HashMap<IpAddr, VecDeque<DateTime<Utc>>>>,
    accounts: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

/// How long before `now` `then` was (zero for a later time).
fn since(now: DateTime<Utc>, then: DateTime<Utc>) -> Duration {
    (now - then).to_std().unwrap_or_default()
}

/// How long to wait before `times` lets one more in, or `None` when it has room.
fn wait(
    times: &mut VecDeque<DateTime<Utc>>,
    limit: usize,
    window: Duration,
    now: DateTime<Utc>,
) -> Option<u64> {
    while times.front().is_some_and(|t| since(now, *t) >= window) {
        times.pop_front();
    }
    if times.len() < limit {
        return None;
    }
    let oldest = *times.front()?;
    let left = window.saturating_sub(since(now, oldest));
    Some(left.as_secs().max(1))
}

fn trim<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, VecDeque<DateTime<Utc>>>,
    window: Duration,
    now: DateTime<Utc>,
) {
    if map.len() > 50_000 {
        map.retain(|_, times| times.back().is_some_and(|t| since(now, *t) < window));
    }
}

impl LoginThrottle {
    pub fn new(limits: Limits, clock: Clock) -> Self {
        LoginThrottle {
            limits,
            clock,
            addresses: Mutex::default(),
            accounts: Mutex::default(),
        }
    }

    /// Counts one attempt from `addr` on `account` (normalised email); `Err(seconds)` when it
    /// must wait.
    pub fn attempt(&self, addr: Option<IpAddr>, account: &str) -> Result<(), u64> {
        let now = self.clock.now();
        let account = account.trim().to_lowercase();
        {
            let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
            trim(&mut accounts, self.limits.account_window, now);
            if let Some(times) = accounts.get_mut(&account)
                && let Some(secs) = wait(
                    times,
                    self.limits.failures_per_account,
                    self.limits.account_window,
                    now,
                )
            {
                return Err(secs);
            }
        }
        if let Some(addr) = addr {
            let mut addresses = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
            trim(&mut addresses, self.limits.address_window, now);
            let times = addresses.entry(addr).or_default();
            if let Some(secs) = wait(
                times,
                self.limits.per_address,
                self.limits.address_window,
                now,
            ) {
                return Err(secs);
            }
            times.push_back(now);
        }
        Ok(())
    }

    /// A wrong password for `account`.
    pub fn failed(&self, account: &str) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        accounts
            .entry(account.trim().to_lowercase())
            .or_default()
            .push_back(self.clock.now());
    }

    /// A right one: the account's failures are forgiven.
    pub fn succeeded(&self, account: &str) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        accounts.remove(&account.trim().to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_its_failures_and_a_success_forgives_them() {
        let clock = Clock::manual(Utc::now());
        let t = LoginThrottle::new(
            Limits {
                failures_per_account: 3,
                ..Limits::default()
            },
            clock.clone(),
        );
        for _ in 0..3 {
            assert!(t.attempt(None, "Ana@x.com").is_ok());
            t.failed("ana@x.com");
        }
        let wait = t.attempt(None, "ana@x.com").unwrap_err();
        assert!((1..=300).contains(&wait));
        assert!(
            t.attempt(None, "bo@x.com").is_ok(),
            "other accounts are not affected"
        );
        t.succeeded("ana@x.com");
        assert!(t.attempt(None, "ana@x.com").is_ok());
        // Locked again, it opens by itself once the window has passed.
        for _ in 0..3 {
            t.failed("ana@x.com");
        }
        assert!(t.attempt(None, "ana@x.com").is_err());
        clock.advance(chrono::Duration::seconds(299));
        assert_eq!(t.attempt(None, "ana@x.com"), Err(1));
        clock.advance(chrono::Duration::seconds(1));
        assert!(t.attempt(None, "ana@x.com").is_ok());
    }

    #[test]
    fn an_address_has_a_budget_per_window() {
        let t = LoginThrottle::new(
            Limits {
                per_address: 2,
                ..Limits::default()
            },
            Clock::manual(Utc::now()),
        );
        let addr: IpAddr = "203.0.113.7".parse().unwrap();
        assert!(t.attempt(Some(addr), "a@x.com").is_ok());
        assert!(t.attempt(Some(addr), "b@x.com").is_ok());
        assert!(t.attempt(Some(addr), "c@x.com").is_err());
        assert!(
            t.attempt(Some("198.51.100.1".parse().unwrap()), "c@x.com")
                .is_ok()
        );
    }
}
