//! Entity tags for `GET` answers: a client that sends an answer's tag back in `If-None-Match`
//! gets `304 Not Modified` without the body while the answer is unchanged. The tag is computed
//! from the answer's bytes, so it saves the transfer, not the read.

/// The entity tag of an answer: a 64-bit hash of its bytes (eight at a time, multiply and
/// rotate; not a MAC, only a fingerprint), quoted.
pub fn of(body: &[u8]) -> String {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut hash = body.len() as u64 ^ 0xcbf2_9ce4_8422_2325;
    let mut chunks = body.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        hash = (hash ^ word).wrapping_mul(K).rotate_left(29);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hash = (hash ^ u64::from_le_bytes(last)).wrapping_mul(K);
    // Final mix, so every input bit reaches every output bit.
    hash ^= hash >> 32;
    hash = hash.wrapping_mul(K);
    hash ^= hash >> 29;
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
        // One changed byte anywhere, or one more byte, changes the tag.
        let body: Vec<u8> = (0..100u8).collect();
        for at in 0..body.len() {
            let mut changed = body.clone();
            changed[at] ^= 1;
            assert_ne!(of(&changed), of(&body), "byte {at}");
        }
        assert_ne!(of(&body[..99]), of(&body));
        assert_ne!(of(b""), of(b"\0"));
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"other\", W/{tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
    }
}
