//! SPF records (RFC 7208): parsed into terms, the DNS lookups they cost counted across
//! includes and redirects (the limit is 10), and whether they authorise an address.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::service::dns::{Dns, DnsError};

/// The limit of DNS-querying terms an SPF evaluation may take (RFC 7208 §4.6.4).
pub const LOOKUP_LIMIT: u32 = 10;

/// How deep includes and redirects are followed.
const MAX_DEPTH: u32 = 10;

/// What a mechanism says when it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    fn sign(self) -> &'static str {
        match self {
            Qualifier::Pass => "+",
            Qualifier::Fail => "-",
            Qualifier::SoftFail => "~",
            Qualifier::Neutral => "?",
        }
    }
}

/// A network: an address and how many of its leading bits count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let bits = u32::from(self.prefix.min(32));
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let bits = u32::from(self.prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// One term of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    All(Qualifier),
    Include(Qualifier, String),
    /// `a` or `a:domain`, with the prefix lengths for v4 and v6.
    A(Qualifier, Option<String>, u8, u8),
    Mx(Qualifier, Option<String>, u8, u8),
    Ptr(Qualifier, Option<String>),
    Ip(Qualifier, Network),
    Exists(Qualifier, String),
    Redirect(String),
    /// `exp=` and modifiers this evaluation has no use for.
    Other(String),
}

impl Term {
    /// Whether evaluating it queries DNS (and so counts against the limit).
    fn costs_lookup(&self) -> bool {
        matches!(
            self,
            Term::Include(..)
                | Term::A(..)
                | Term::Mx(..)
                | Term::Ptr(..)
                | Term::Exists(..)
                | Term::Redirect(_)
        )
    }
}

/// A parsed record: its terms as written (for people) and as understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub text: Vec<String>,
    pub terms: Vec<Term>,
}

/// Why a record is not SPF as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

/// Whether a TXT value is an SPF record at all (`v=spf1` then a space or nothing).
pub fn is_spf(txt: &str) -> bool {
    let t = txt.trim_start();
    t.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
        && t[6..].chars().next().is_none_or(|c| c == ' ')
}

fn prefixes(spec: &str, v4: u8, v6: u8) -> Result<(String, u8, u8), Invalid> {
    let bad = || Invalid(format!("bad prefix length in `{spec}`"));
    let (rest, six) = match spec.split_once("//") {
        Some((rest, six)) => (rest, Some(six.parse::<u8>().map_err(|_| bad())?)),
        None => (spec, None),
    };
    let (domain, four) = match rest.rsplit_once('/') {
        Some((domain, four)) => (domain, Some(four.parse::<u8>().map_err(|_| bad())?)),
        None => (rest, None),
    };
    let (four, six) = (four.unwrap_or(v4), six.unwrap_or(v6));
    if four > 32 || six > 128 {
        return Err(bad());
    }
    Ok((domain.to_owned(), four, six))
}

fn network(spec: &str, v6: bool) -> Result<Network, Invalid> {
    let bad = || Invalid(format!("`{spec}` is not a network"));
    let (addr, prefix) = match spec.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
        None => (spec, None),
    };
    let addr: IpAddr = addr.parse().map_err(|_| bad())?;
    let max = if v6 { 128 } else { 32 };
    if addr.is_ipv6() != v6 || prefix.is_some_and(|p| p > max) {
        return Err(bad());
    }
    Ok(Network {
        addr,
        prefix: prefix.unwrap_or(max),
    })
}

/// Parses an SPF record (its `v=spf1` included).
pub fn parse(txt: &str) -> Result<Record, Invalid> {
    if !is_spf(txt) {
        return Err(Invalid("the record does not start with v=spf1".into()));
    }
    let mut record = Record {
        text: vec![],
        terms: vec![],
    };
    for word in txt.split_ascii_whitespace().skip(1) {
        let (qualifier, body) = match word.chars().next() {
            Some('+') => (Qualifier::Pass, &word[1..]),
            Some('-') => (Qualifier::Fail, &word[1..]),
            Some('~') => (Qualifier::SoftFail, &word[1..]),
            Some('?') => (Qualifier::Neutral, &word[1..]),
            _ => (Qualifier::Pass, word),
        };
        let (name, value) = match body.find([':', '=', '/']) {
            Some(at) if body[at..].starts_with('=') => {
                let (name, value) = (&body[..at], &body[at + 1..]);
                let term = if name.eq_ignore_ascii_case("redirect") {
                    Term::Redirect(value.to_ascii_lowercase())
                } else {
                    Term::Other(word.to_owned())
                };
                record.text.push(word.to_owned());
                record.terms.push(term);
                continue;
            }
            Some(at) => (&body[..at], Some(&body[at..])),
            None => (body, None),
        };
        let arg = value.map(|v| v.strip_prefix(':').unwrap_or(v));
        let target = |arg: Option<&str>| -> Result<String, Invalid> {
            arg.filter(|a| !a.is_empty())
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| Invalid(format!("`{word}` names no domain")))
        };
        let term = match name.to_ascii_lowercase().as_str() {
            "all" if value.is_none() => Term::All(qualifier),
            "include" => Term::Include(qualifier, target(arg)?),
            "exists" => Term::Exists(qualifier, target(arg)?),
            "ip4" => Term::Ip(qualifier, network(arg.unwrap_or(""), false)?),
            "ip6" => Term::Ip(qualifier, network(arg.unwrap_or(""), true)?),
            "ptr" => Term::Ptr(qualifier, arg.map(str::to_ascii_lowercase)),
            kind @ ("a" | "mx") => {
                let (domain, four, six) = match value {
                    None => (String::new(), 32, 128),
                    Some(v) => prefixes(v.strip_prefix(':').unwrap_or(v), 32, 128)?,
                };
                let domain = (!domain.is_empty()).then(|| domain.to_ascii_lowercase());
                if kind == "a" {
                    Term::A(qualifier, domain, four, six)
                } else {
                    Term::Mx(qualifier, domain, four, six)
                }
            }
            _ => return Err(Invalid(format!("`{word}` is not an SPF mechanism"))),
        };
        record.text.push(format!("{}{}", qualifier.sign(), body));
        record.terms.push(term);
    }
    Ok(record)
}

/// What an SPF check of a domain found: its record and the DNS lookups evaluating it costs.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// The domain's SPF records (more than one is an error).
    pub records: Vec<String>,
    pub parsed: Option<Record>,
    pub invalid: Option<String>,
    /// DNS-querying terms across the record, its includes and redirects.
    pub lookups: u32,
    /// The records of included and redirected-to domains, by domain (none: not found).
    pub others: HashMap<String, Option<Record>>,
    /// A lookup that failed for another reason than the name having no record.
    pub failure: Option<String>,
}

impl Found {
    /// The qualifier of the top record's `all`, or of the redirect's when it has none.
    pub fn all(&self) -> Option<Qualifier> {
        let mut record = self.parsed.as_ref()?;
        for _ in 0..MAX_DEPTH {
            if let Some(q) = record.terms.iter().find_map(|t| match t {
                Term::All(q) => Some(*q),
                _ => None,
            }) {
                return Some(q);
            }
            let next = record.terms.iter().find_map(|t| match t {
                Term::Redirect(d) => Some(d),
                _ => None,
            })?;
            record = self.others.get(next)?.as_ref()?;
        }
        None
    }
}

/// Reads `domain`'s SPF record and every record it includes or redirects to.
pub async fn read(dns: &Dns, domain: &str) -> Found {
    let mut found = Found::default();
    match dns.txt(domain).await {
        Ok(txts) => found.records = txts.into_iter().filter(|t| is_spf(t)).collect(),
        Err(DnsError::NotFound) => {}
        Err(DnsError::Failed(why)) => found.failure = Some(why),
    }
    if found.records.len() != 1 {
        return found;
    }
    match parse(&found.records[0]) {
        Ok(record) => found.parsed = Some(record),
        Err(Invalid(why)) => {
            found.invalid = Some(why);
            return found;
        }
    }
    let mut pending: Vec<(String, u32)> = vec![];
    let top = found.parsed.clone().unwrap_or_else(|| Record {
        text: vec![],
        terms: vec![],
    });
    count(&top, 1, &mut found.lookups, &mut pending);
    while let Some((name, depth)) = pending.pop() {
        if found.others.contains_key(&name) || depth > MAX_DEPTH || found.lookups > 4 * LOOKUP_LIMIT
        {
            continue;
        }
        let record = match dns.txt(&name).await {
            Ok(txts) => {
                let mut spf = txts.into_iter().filter(|t| is_spf(t));
                spf.next().and_then(|t| parse(&t).ok())
            }
            Err(DnsError::NotFound) => None,
            Err(DnsError::Failed(why)) => {
                found.failure.get_or_insert(why);
                None
            }
        };
        if let Some(r) = &record {
            count(r, depth + 1, &mut found.lookups, &mut pending);
        }
        found.others.insert(name, record);
    }
    found
}

fn count(record: &Record, depth: u32, lookups: &mut u32, pending: &mut Vec<(String, u32)>) {
    for term in &record.terms {
        if term.costs_lookup() {
            *lookups += 1;
        }
        if let Term::Include(_, d) | Term::Redirect(d) = term
            && !d.contains('%')
        {
            pending.push((d.clone(), depth));
        }
    }
}

/// Whether the domain's SPF passes mail from `ip`: the first matching term decides, includes
/// and redirects followed as read by `read`; `a` and `mx` are resolved now.
pub async fn authorises(dns: &Dns, domain: &str, found: &Found, ip: IpAddr) -> bool {
    let Some(top) = &found.parsed else {
        return false;
    };
    let mut budget = 2 * LOOKUP_LIMIT;
    matches!(
        Box::pin(evaluate(dns, domain, top, found, ip, 0, &mut budget)).await,
        Some(Qualifier::Pass)
    )
}

async fn evaluate(
    dns: &Dns,
    domain: &str,
    record: &Record,
    found: &Found,
    ip: IpAddr,
    depth: u32,
    budget: &mut u32,
) -> Option<Qualifier> {
    if depth > MAX_DEPTH {
        return None;
    }
    for term in &record.terms {
        let (qualifier, matched) = match term {
            Term::All(q) => (*q, true),
            Term::Ip(q, net) => (*q, net.contains(ip)),
            Term::Include(q, d) => {
                let inner = found.others.get(d).and_then(Option::as_ref);
                let result = match inner {
                    Some(r) => Box::pin(evaluate(dns, d, r, found, ip, depth + 1, budget)).await,
                    None => None,
                };
                (*q, result == Some(Qualifier::Pass))
            }
            Term::A(q, d, four, six) => {
                let name = d.as_deref().unwrap_or(domain);
                (*q, resolves_to(dns, name, ip, *four, *six, budget).await)
            }
            Term::Mx(q, d, four, six) => {
                let name = d.as_deref().unwrap_or(domain);
                let mut matched = false;
                if *budget > 0 {
                    *budget -= 1;
                    for (_, host) in dns.mx(name).await.unwrap_or_default().iter().take(10) {
                        if resolves_to(dns, host, ip, *four, *six, budget).await {
                            matched = true;
                            break;
                        }
                    }
                }
                (*q, matched)
            }
            Term::Ptr(..) | Term::Exists(..) | Term::Other(_) | Term::Redirect(_) => continue,
        };
        if matched {
            return Some(qualifier);
        }
    }
    let redirect = record.terms.iter().find_map(|t| match t {
        Term::Redirect(d) => Some(d),
        _ => None,
    })?;
    let target = found.others.get(redirect)?.as_ref()?;
    Box::pin(evaluate(
        dns,
        redirect,
        target,
        found,
        ip,
        depth + 1,
        budget,
    ))
    .await
}

async fn resolves_to(
    dns: &Dns,
    name: &str,
    ip: IpAddr,
    four: u8,
    six: u8,
    budget: &mut u32,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    dns.ips(name)
        .await
        .unwrap_or_default()
        .into_iter()
        .any(|addr| {
            let prefix = if addr.is_ipv4() { four } else { six };
            Network { addr, prefix }.contains(ip)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_record_parses_into_its_terms() {
        let r =
            parse("v=spf1 ip4:192.0.2.0/24 include:_spf.google.com a mx:mail.example.com/28 ~all")
                .unwrap();
        assert_eq!(
            r.text,
            [
                "+ip4:192.0.2.0/24",
                "+include:_spf.google.com",
                "+a",
                "+mx:mail.example.com/28",
                "~all"
            ]
        );
        assert!(
            matches!(r.terms[3], Term::Mx(Qualifier::Pass, Some(ref d), 28, 128) if d == "mail.example.com")
        );
        assert_eq!(r.terms[4], Term::All(Qualifier::SoftFail));
        assert!(parse("v=spf1 ip4:300.1.1.1 -all").is_err());
        assert!(parse("v=spf10 -all").is_err());
        assert!(parse("v=spf1 foo:bar -all").is_err());
        assert_eq!(
            parse("v=spf1 redirect=_spf.example.com").unwrap().terms,
            [Term::Redirect("_spf.example.com".into())]
        );
    }

    #[test]
    fn networks_hold_their_addresses() {
        let net = network("192.0.2.0/24", false).unwrap();
        assert!(net.contains("192.0.2.77".parse().unwrap()));
        assert!(!net.contains("192.0.3.1".parse().unwrap()));
        assert!(
            network("0.0.0.0/0", false)
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        let six = network("2001:db8::/32", true).unwrap();
        assert!(six.contains("2001:db8:1::1".parse().unwrap()));
        assert!(!six.contains("192.0.2.1".parse().unwrap()));
    }

    proptest! {
        /// Whatever a domain publishes, reading it never panics.
        #[test]
        fn any_text_parses_or_is_refused(txt in "v=spf1( [-+~?]?[a-z0-9:./=%{}_-]{0,30}){0,12}") {
            let _ = parse(&txt);
        }

        #[test]
        fn any_bytes_are_refused_or_parsed(txt in ".{0,200}") {
            let _ = parse(&txt);
        }
    }
}
