//! Opaque, prefixed, time-sortable identifiers, and how times are written out.
//! The time itself comes from `crate::clock::Clock`.

use chrono::{DateTime, Utc};

pub const CONTACT: &str = "cnt";
pub const GROUP: &str = "grp";
pub const WORKSPACE: &str = "wsp";
pub const USER: &str = "usr";
pub const API_KEY: &str = "key";
pub const EMAIL_ACCOUNT: &str = "acc";
pub const CAMPAIGN: &str = "cmp";
pub const SUPPRESSION: &str = "sup";

/// A new id such as `cnt_01jdz8…`: the prefix, then a lower-case ULID.
pub fn new_id(prefix: &str) -> String {
    let ulid = ulid::Ulid::generate().to_string().to_ascii_lowercase();
    format!("{prefix}_{ulid}")
}

/// RFC 3339 UTC with a `Z` suffix, to the second.
pub fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
