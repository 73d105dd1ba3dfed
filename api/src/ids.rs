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
pub const INBOX_THREAD: &str = "thr";
pub const INBOX_MESSAGE: &str = "ibm";

/// A new id such as `cnt_01jdz8…`: the prefix, then a lower-case ULID. Ids made by one
/// process sort in the order they were made, also within one millisecond (a batch of rows
/// made together lists in the order it was made).
pub fn new_id(prefix: &str) -> String {
    static MONOTONIC: std::sync::Mutex<ulid::Generator> =
        std::sync::Mutex::new(ulid::Generator::new());
    let made = MONOTONIC
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .generate()
        // 2^80 ids in one millisecond: never, but an id stays unique without the order.
        .unwrap_or_else(|_| ulid::Ulid::generate());
    let ulid = made.to_string().to_ascii_lowercase();
    format!("{prefix}_{ulid}")
}

/// RFC 3339 UTC with a `Z` suffix, to the second.
pub fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_made_one_after_another_sort_in_that_order() {
        let made: Vec<String> = (0..1000).map(|_| super::new_id("msg")).collect();
        let mut sorted = made.clone();
        sorted.sort();
        assert_eq!(made, sorted);
    }
}
