//! What a check of a sending domain finds, as kept in `domains.report` and answered by the API.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub mx: Mx,
    pub spf: Spf,
    pub dkim: Dkim,
    pub dmarc: Dmarc,
    /// Whether the domain's DMARC policy lets it show a brand logo (BIMI): enforced
    /// (`quarantine` or `reject`) on every message, subdomains included, with both verdicts
    /// passing.
    pub bimi_eligible: bool,
    pub verdicts: Verdicts,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mx {
    pub records: Vec<MxRecord>,
    /// Who receives the domain's mail: `google`, `microsoft`, `yahoo` or `other`; none without
    /// MX records.
    pub provider: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MxRecord {
    pub preference: i32,
    pub host: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spf {
    /// The SPF record (the first, when several are published).
    pub record: Option<String>,
    /// Its terms, each with its qualifier (`+include:_spf.google.com`, `~all`).
    pub mechanisms: Vec<String>,
    /// DNS lookups evaluating it costs, includes and redirects followed (at most 10 allowed).
    pub lookups: i32,
    /// The `all` term's qualifier (`-all`, `~all`, `?all`, `+all`), none without one.
    pub all: Option<String>,
    /// The accounts' SMTP hosts given as IP addresses, and whether the record authorises each.
    pub hosts: Vec<HostCheck>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostCheck {
    pub host: String,
    pub authorised: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dkim {
    /// The selectors with a key published: FluenzR's own and the common providers'.
    pub selectors: Vec<Selector>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    pub selector: String,
    /// `rsa` or `ed25519` (or what the record names).
    pub key_type: String,
    /// The key's size; none when it cannot be read or is revoked (`p=` empty).
    pub bits: Option<i32>,
    /// Whether it is one of FluenzR's keys.
    pub managed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dmarc {
    pub record: Option<String>,
    /// Where the record was found: the domain itself or, when it has none, its organisational
    /// domain.
    pub record_domain: Option<String>,
    pub p: Option<String>,
    pub sp: Option<String>,
    pub pct: Option<i32>,
    pub adkim: Option<String>,
    pub aspf: Option<String>,
    pub rua: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdicts {
    /// Gmail's and Yahoo's rules for bulk senders (since February 2024).
    pub gmail_yahoo_bulk: Verdict,
    /// Microsoft's rules for high-volume senders to Outlook.com (since May 2025).
    pub microsoft_high_volume: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// `pass` or `fail`.
    pub status: String,
    pub problems: Vec<Problem>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.status == PASS
    }
}

pub const PASS: &str = "pass";
pub const FAIL: &str = "fail";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// Stable, for programs (`spf_missing`, `dkim_weak_key`, …).
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
    /// What to do about it, for someone who has never edited DNS.
    pub fix: String,
}
