//! How fast an account may send: a new mailbox's warm-up ramp (its daily limit grows from a
//! start by an increase each day, up to `dailyLimit`) and hourly limits per recipient
//! provider (Google, Microsoft, Yahoo, others), the provider known from the recipient
//! domain's MX records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Timelike, Utc};
use entity::email_account;
use serde::{Deserialize, Serialize};

use super::dns::{Dns, DnsError};
use super::window;
use crate::error::{AppError, AppResult};

/// Most sends per hour a provider limit may say.
pub const MAX_PER_HOUR: i32 = 10_000;

/// A warm-up ramp: `start_per_day` on the day it was set, `increase_per_day` more each day
/// after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ramp {
    pub start_per_day: i32,
    pub increase_per_day: i32,
    /// When it was set (its first day); none: the account's creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
}

/// A ramp as given; both parts required.
#[derive(Clone, Copy, Debug, Default)]
pub struct RampInput {
    pub start_per_day: Option<i32>,
    pub increase_per_day: Option<i32>,
}

/// Sends per hour to each recipient provider; none: no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderLimits {
    pub google: Option<i32>,
    pub microsoft: Option<i32>,
    pub yahoo: Option<i32>,
    pub other: Option<i32>,
}

impl ProviderLimits {
    pub fn of(&self, provider: &str) -> Option<i32> {
        match provider {
            "google" => self.google,
            "microsoft" => self.microsoft,
            "yahoo" => self.yahoo,
            _ => self.other,
        }
    }
}

fn within(field: &str, value: Option<i32>, low: i32, high: i32) -> AppResult<i32> {
    match value {
        Some(v) if (low..=high).contains(&v) => Ok(v),
        Some(_) => Err(AppError::invalid_field(
            field,
            format!("{field} must be between {low} and {high}"),
        )),
        None => Err(AppError::invalid_field(
            field,
            format!("{field} is required"),
        )),
    }
}

/// A ramp set at `now`: its first day is `now`'s.
pub fn ramp(input: RampInput, now: DateTime<Utc>) -> AppResult<Ramp> {
    let max = super::email_accounts::MAX_DAILY_LIMIT;
    Ok(Ramp {
        start_per_day: within("ramp.startPerDay", input.start_per_day, 1, max)?,
        increase_per_day: within("ramp.increasePerDay", input.increase_per_day, 1, max)?,
        started_at: Some(now),
    })
}

pub fn provider_limits(input: ProviderLimits) -> AppResult<ProviderLimits> {
    let check = |field: &str, v: Option<i32>| {
        v.map(|v| within(field, Some(v), 1, MAX_PER_HOUR))
            .transpose()
    };
    Ok(ProviderLimits {
        google: check("providerLimits.google", input.google)?,
        microsoft: check("providerLimits.microsoft", input.microsoft)?,
        yahoo: check("providerLimits.yahoo", input.yahoo)?,
        other: check("providerLimits.other", input.other)?,
    })
}

pub fn ramp_of(account: &email_account::Model) -> Option<Ramp> {
    serde_json::from_value(account.ramp.clone()?).ok()
}

pub fn provider_limits_of(account: &email_account::Model) -> Option<ProviderLimits> {
    serde_json::from_value(account.provider_limits.clone()?)
        .ok()
        .filter(|l: &ProviderLimits| *l != ProviderLimits::default())
}

/// The account's day of its ramp at `now` (0 on the day the ramp was set, in the account's
/// zone).
pub fn ramp_day(account: &email_account::Model, now: DateTime<Utc>) -> i64 {
    let Ok(tz) = account.timezone.parse::<chrono_tz::Tz>() else {
        return 0;
    };
    let started = ramp_of(account)
        .and_then(|r| r.started_at)
        .unwrap_or(account.created_at);
    let today = window::local_day(tz, now);
    let first = window::local_day(tz, started);
    (today - first).num_days().max(0)
}

/// What the account may send on `now`'s day: its `dailyLimit`, or less while it ramps up.
pub fn daily_limit(account: &email_account::Model, now: DateTime<Utc>) -> i32 {
    match ramp_of(account) {
        Some(r) => {
            let grown = i64::from(r.start_per_day)
                + i64::from(r.increase_per_day).saturating_mul(ramp_day(account, now));
            i32::try_from(grown.min(i64::from(account.daily_limit))).unwrap_or(account.daily_limit)
        }
        None => account.daily_limit,
    }
}

/// The reason on an enrolment waiting for a provider's next hour (then the provider).
pub const PROVIDER_REASON: &str = "provider_limit:";

/// The `send_counts` scope of an account's sends to a provider.
pub fn provider_scope(account_id: &str, provider: &str) -> String {
    format!("{account_id}/{provider}")
}

/// The UTC hour of `now`, as `send_counts` keys a provider's hour.
pub fn hour_of(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H").to_string()
}

/// The start of the hour after `now`.
pub fn next_hour(now: DateTime<Utc>) -> DateTime<Utc> {
    let start = now
        .with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_minute(0))
        .unwrap_or(now);
    start + chrono::Duration::hours(1)
}

/// Free-mail and provider domains known without asking DNS.
fn known_provider(domain: &str) -> Option<&'static str> {
    match domain {
        "gmail.com" | "googlemail.com" => Some("google"),
        "outlook.com" | "hotmail.com" | "live.com" | "msn.com" | "outlook.com.br"
        | "hotmail.com.br" => Some("microsoft"),
        "yahoo.com" | "yahoo.com.br" | "ymail.com" | "rocketmail.com" => Some("yahoo"),
        _ => None,
    }
}

/// How long a domain's provider is remembered.
const PROVIDER_TTL: Duration = Duration::from_secs(6 * 3600);
/// Domains remembered at most (then forgotten all at once).
const PROVIDER_CACHE: usize = 100_000;

/// Recipient domains' providers, looked up once in a while.
#[derive(Clone, Default)]
pub struct Providers {
    known: Arc<Mutex<HashMap<String, (&'static str, Instant)>>>,
}

impl Providers {
    /// The provider receiving mail for `domain`: from its first MX record; `other` when it has
    /// none or DNS does not answer (then asked again next time).
    pub async fn of(&self, dns: &Dns, domain: &str) -> &'static str {
        let domain = domain.to_ascii_lowercase();
        if let Some(p) = known_provider(&domain) {
            return p;
        }
        if let Some((p, at)) = self.lock().get(&domain)
            && at.elapsed() < PROVIDER_TTL
        {
            return p;
        }
        let provider = match dns.mx(&domain).await {
            Ok(mx) => mx
                .first()
                .map_or("other", |(_, host)| super::domains::provider_of(host)),
            Err(DnsError::NotFound) => "other",
            Err(DnsError::Failed(_)) => return "other",
        };
        let mut known = self.lock();
        if known.len() >= PROVIDER_CACHE {
            known.clear();
        }
        known.insert(domain, (provider, Instant::now()));
        provider
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (&'static str, Instant)>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn account(created: DateTime<Utc>, ramp: Option<Ramp>) -> email_account::Model {
        email_account::Model {
            daily_limit: 100,
            timezone: "America/Sao_Paulo".into(),
            created_at: created,
            ramp: ramp.map(|r| serde_json::to_value(r).unwrap()),
            ..Default::default()
        }
    }

    #[test]
    fn a_ramp_grows_by_local_days_up_to_the_daily_limit() {
        let made = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let ramp = Some(Ramp {
            start_per_day: 10,
            increase_per_day: 15,
            started_at: None,
        });
        let a = account(made, ramp);
        assert_eq!(daily_limit(&a, made), 10);
        // 02:00 UTC on the 2nd is still the 1st in São Paulo.
        assert_eq!(
            daily_limit(&a, Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap()),
            10
        );
        assert_eq!(
            daily_limit(&a, Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()),
            25
        );
        assert_eq!(
            daily_limit(&a, Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()),
            85
        );
        assert_eq!(
            daily_limit(&a, Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap()),
            100
        );
        assert_eq!(daily_limit(&account(made, None), made), 100);
    }

    #[test]
    fn hours_key_and_end() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 23, 41, 5).unwrap();
        assert_eq!(hour_of(t), "2026-12-07T23");
        assert_eq!(
            next_hour(t),
            Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_ramp_set_on_an_old_account_starts_on_the_day_it_is_set() {
        let made = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let set = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let input = RampInput {
            start_per_day: Some(10),
            increase_per_day: Some(15),
        };
        let a = account(made, Some(ramp(input, set).unwrap()));
        assert_eq!(daily_limit(&a, set), 10);
        assert_eq!(
            daily_limit(&a, Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()),
            25
        );
    }
}
