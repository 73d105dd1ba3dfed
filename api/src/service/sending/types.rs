//! What sending speaks in: how its rules are tuned, an email claimed for sending, and how one
//! SMTP attempt ended.

use std::time::Duration;

use entity::{email_account, message};

/// How the sending rules are tuned; the defaults are production's.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Waits before each retry of a temporarily refused email; past the last, it fails.
    pub retry_schedule: Vec<Duration>,
    /// A `sending` row older than this belongs to a process that died: its outcome is unknown.
    pub stale_after: Duration,
    /// How long a claim holds a `queued` email before it returns to due (renewed while its
    /// worker's lane waits to send it).
    pub lease: Duration,
    /// How soon an enrolment held by a missing field is looked at again.
    pub recheck_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        Policy {
            retry_schedule: vec![minutes(1), minutes(5), minutes(30), minutes(120)],
            stale_after: minutes(10),
            lease: Duration::from_secs(60),
            recheck_after: minutes(60),
        }
    }
}

/// A duration in whole milliseconds, saturating.
pub(super) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// One email claimed for sending: its row is committed as `queued` under the claim's token.
#[derive(Clone, Debug)]
pub struct Job {
    /// The claim that queued it; only this claim may start it.
    pub token: String,
    pub message: message::Model,
    pub account: email_account::Model,
    pub from: String,
    pub to: String,
    pub bytes: Vec<u8>,
    /// The local days whose limits this send took (released if nothing was delivered).
    pub campaign_day: String,
    pub account_day: String,
}

/// How one SMTP attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx after the data.
    Sent(String),
    /// 5xx on RCPT or DATA: the recipient's server refused it for good.
    Bounced(String),
    /// 4xx, or no connection: nothing was delivered; try again later.
    Deferred(String),
    /// The account cannot send as configured (credentials refused, a host that is not
    /// allowed): its sends wait until its settings change. The text is its `lastError`.
    AccountError(String),
    /// Refused before any recipient was tried (e.g. 5xx on MAIL FROM).
    Failed(String),
    /// The connection broke after the data was handed over: maybe delivered.
    Unknown(String),
    /// Claimed but never handed to SMTP (the worker is stopping): due again at once, the
    /// attempt not counted.
    Released,
    /// The engine failed on this email (a bug, caught): it ends `failed` with reason
    /// `internal`, never retried.
    Internal(String),
}

impl Outcome {
    /// Its name in metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Sent(_) => "sent",
            Outcome::Bounced(_) => "bounced",
            Outcome::Deferred(_) => "deferred",
            Outcome::AccountError(_) => "account_error",
            Outcome::Failed(_) => "failed",
            Outcome::Unknown(_) => "unknown",
            Outcome::Released => "released",
            Outcome::Internal(_) => "internal",
        }
    }
}
