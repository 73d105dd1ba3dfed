//! Email addresses, checked and normalised in one place: contacts, users and email accounts.

use crate::error::{AppError, AppResult};

/// Longest address accepted (RFC 5321 path limit).
pub const MAX_ADDRESS: usize = 320;

/// Characters that look like nothing or like something else: never part of an address or a name.
pub fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// A checked address: as given (trimmed), and the form that decides uniqueness — the local part
/// lower-cased and the domain in its ASCII (IDNA) form, so `user@münchen.de` and
/// `user@xn--mnchen-3ya.de` are one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub display: String,
    pub normalized: String,
}

/// Checks `value` as the address in `field`.
pub fn parse(field: &str, value: &str) -> AppResult<Address> {
    let email = value.trim();
    if email.is_empty() {
        return Err(AppError::invalid_field(
            field,
            format!("{} is required", title(field)),
        ));
    }
    let invalid = || {
        AppError::invalid_field(
            field,
            format!(
                "{} '{}' is not a valid address",
                title(field),
                printable(email)
            ),
        )
    };
    if email.len() > MAX_ADDRESS
        || email.chars().any(|c| is_deceptive(c) || c.is_whitespace())
        || !email_address::EmailAddress::is_valid(email)
    {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    // Full-width forms (U+FF01–U+FF5E) mimic ASCII: `ｕｓｅｒ@example.com`.
    if local
        .chars()
        .any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c))
    {
        return Err(invalid());
    }
    let ascii = domain_ascii(domain).ok_or_else(invalid)?;
    Ok(Address {
        display: email.to_owned(),
        normalized: format!("{}@{ascii}", local.to_lowercase()),
    })
}

/// Longest domain name accepted (RFC 1035).
pub const MAX_DOMAIN: usize = 253;

/// A deliverable domain's normal form: lower-case IDNA ASCII, with a dot and a top-level label
/// that is not all digits. `None` for anything else (an IP address, a single label). The domain
/// of every address passes here.
fn domain_ascii(domain: &str) -> Option<String> {
    if domain.chars().any(|c| is_deceptive(c) || c.is_whitespace()) {
        return None;
    }
    let ascii = match url::Host::parse(domain) {
        Ok(url::Host::Domain(d)) => d,
        _ => return None,
    };
    let tld = ascii.rsplit('.').next().unwrap_or_default();
    if !ascii.contains('.') || tld.len() < 2 || tld.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(ascii)
}

/// Checks `value` as a domain in `field` (`München.de`, `@example.com` and `EXAMPLE.com.` are
/// read as `xn--mnchen-3ya.de`, `example.com` and `example.com`): the same normal form as the
/// domain of a parsed address.
pub fn parse_domain(field: &str, value: &str) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::invalid_field(
            field,
            format!("{} is required", title(field)),
        ));
    }
    let bare = trimmed.strip_prefix('@').unwrap_or(trimmed);
    let bare = bare.strip_suffix('.').unwrap_or(bare);
    if bare.len() > MAX_ADDRESS {
        return Err(AppError::invalid_field(
            field,
            format!("{} must be at most {MAX_DOMAIN} characters", title(field)),
        ));
    }
    domain_ascii(bare)
        .filter(|d| d.len() <= MAX_DOMAIN && !d.split('.').any(str::is_empty))
        .ok_or_else(|| {
            AppError::invalid_field(
                field,
                format!(
                    "{} '{}' is not a valid domain",
                    title(field),
                    printable(trimmed)
                ),
            )
        })
}

/// The domain of a normalised address (everything after its last `@`).
pub fn domain_of(normalized: &str) -> &str {
    normalized.rsplit_once('@').map_or("", |(_, d)| d)
}

fn title(field: &str) -> String {
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The text with control and invisible characters shown as `\u{…}` (safe to echo in a message).
fn printable(text: &str) -> String {
    text.chars()
        .take(MAX_ADDRESS)
        .map(|c| {
            if is_deceptive(c) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internationalised_domain_has_one_normal_form() {
        let a = parse("email", "User@München.de").unwrap();
        let b = parse("email", "user@xn--mnchen-3ya.de").unwrap();
        assert_eq!(a.normalized, b.normalized);
        assert_eq!(a.normalized, "user@xn--mnchen-3ya.de");
        assert_eq!(a.display, "User@München.de");
    }

    #[test]
    fn a_domain_has_the_normal_form_of_an_address_domain() {
        for (given, normal) in [
            ("München.de", "xn--mnchen-3ya.de"),
            ("  EXAMPLE.com ", "example.com"),
            ("@example.com", "example.com"),
            ("example.com.", "example.com"),
        ] {
            assert_eq!(parse_domain("value", given).unwrap(), normal);
        }
        for bad in [
            "",
            "localhost",
            "1.2.3.4",
            "[::1]",
            "a..b.com",
            "exa mple.com",
            "ex\u{200B}ample.com",
            "example.123",
            ".example.com",
            "a@b.com",
        ] {
            assert!(parse_domain("value", bad).is_err(), "{bad:?}");
        }
        let address = parse("email", "Ana@München.de").unwrap();
        assert_eq!(domain_of(&address.normalized), "xn--mnchen-3ya.de");
    }

    proptest::proptest! {
        /// Whatever the text, a domain that passes is in normal form: checking it again gives
        /// it back, it is lower-case ASCII, and it is the domain of an address at it.
        #[test]
        fn a_checked_domain_is_a_fixed_point(text in "\\PC{0,40}", domain in "[A-Za-zÀ-ÿ0-9-]{1,20}\\.[A-Za-zé]{2,6}\\.?") {
            for given in [text, domain] {
                if let Ok(normal) = parse_domain("value", &given) {
                    proptest::prop_assert_eq!(parse_domain("value", &normal).ok(), Some(normal.clone()));
                    proptest::prop_assert!(normal.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()));
                    if let Ok(address) = parse("email", &format!("someone@{normal}")) {
                        proptest::prop_assert_eq!(domain_of(&address.normalized), normal.as_str());
                    }
                }
            }
        }
    }

    #[test]
    fn deceptive_and_undeliverable_addresses_are_refused() {
        for bad in [
            "a@b",
            "user@localhost",
            "user@1.2.3.4",
            "us\u{200B}er@example.com",
            "user\u{0}@example.com",
            "ｕｓｅｒ@example.com",
            "user@exa\u{7}mple.com",
            "",
            "   ",
        ] {
            assert!(parse("email", bad).is_err(), "{bad:?}");
        }
        assert!(parse("email", "ana.silva+leads@sub.example.co.uk").is_ok());
    }
}
