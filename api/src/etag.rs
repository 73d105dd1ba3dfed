//! Entity tags for `GET` answers: a client that sends an answer's tag back in `If-None-Match`
//! gets `304 Not Modified` without the body while the answer is unchanged. The tag is computed
//! from the answer's bytes, so it saves the transfer, not the read.

/// The entity tag of an answer: FNV-1a (64 bits) of its bytes, quoted.
pub fn of(body: &[u8]) -> String {
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

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let tag = of(b"{\"success\":true}");
        assert_eq!(tag.len(), 18);
        assert_ne!(tag, of(b"{\"success\":false}"));
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"other\", W/{tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
    }
}
