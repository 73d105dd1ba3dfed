//! The mailbox providers' rules a checked domain is judged by, each broken rule a problem
//! written for someone who has never edited DNS: what is wrong and exactly what to publish.

use std::net::IpAddr;

use super::check::Subject;
use super::report::{FAIL, PASS, Problem, Report, Verdict};
use super::spf::LOOKUP_LIMIT;

/// What the check saw besides the report itself.
#[derive(Default)]
pub struct Facts {
    /// SPF records published (more than one is an error).
    pub spf_records: usize,
    /// Why the one SPF record cannot be read.
    pub spf_invalid: Option<String>,
    /// A DNS failure: the findings may be incomplete.
    pub dns_failure: Option<String>,
}

fn problem(code: &str, message: String, fix: String) -> Problem {
    Problem {
        code: code.to_owned(),
        message,
        fix,
    }
}

/// The SPF term that authorises an SMTP host: its provider's include, its address, or its name.
fn spf_term(host: &str) -> String {
    let h = host.to_ascii_lowercase();
    match h.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => format!("ip4:{h}"),
        Ok(IpAddr::V6(_)) => format!("ip6:{h}"),
        Err(_) if h.ends_with("gmail.com") || h.ends_with("google.com") => {
            "include:_spf.google.com".into()
        }
        Err(_)
            if h.ends_with("office365.com")
                || h.ends_with("outlook.com")
                || h.ends_with("hotmail.com") =>
        {
            "include:spf.protection.outlook.com".into()
        }
        Err(_) if h.ends_with("zoho.com") => "include:zoho.com".into(),
        Err(_) => format!("a:{h}"),
    }
}

/// An SPF record authorising the subject's SMTP hosts.
fn suggested_spf(subject: &Subject<'_>) -> String {
    let mut terms: Vec<String> = vec![];
    for host in &subject.smtp_hosts {
        let term = spf_term(host);
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    if terms.is_empty() {
        terms.push("mx".into());
    }
    format!("v=spf1 {} ~all", terms.join(" "))
}

/// Fills `report.verdicts` and `report.bimi_eligible` from the findings.
pub fn judge(report: &mut Report, subject: &Subject<'_>, facts: &Facts) {
    let name = subject.name;
    let mut common = vec![];
    if let Some(why) = &facts.dns_failure {
        common.push(problem(
            "dns_unavailable",
            format!("DNS did not fully answer for {name} ({why}): what follows may be incomplete."),
            "Check again in a few minutes. If this lasts, ask your DNS host whether the domain's name servers are working.".into(),
        ));
    }
    let spf = &report.spf;
    if facts.spf_records > 1 {
        common.push(problem(
            "spf_multiple_records",
            format!("{name} publishes {} SPF records; receivers treat more than one as an error and ignore them all.", facts.spf_records),
            format!("At your DNS host, merge the TXT records of {name} that start with v=spf1 into one, and delete the others."),
        ));
    } else if let Some(why) = &facts.spf_invalid {
        common.push(problem(
            "spf_invalid",
            format!("The SPF record of {name} cannot be read: {why}."),
            format!(
                "Replace it at your DNS host with a valid record, for example `{}`.",
                suggested_spf(subject)
            ),
        ));
    } else if spf.record.is_none() && facts.dns_failure.is_none() {
        common.push(problem(
            "spf_missing",
            format!("{name} publishes no SPF record, so receivers cannot tell which servers may send its mail."),
            format!("At your DNS host, add a TXT record for {name} (host `@`) with the value `{}`.", suggested_spf(subject)),
        ));
    } else if spf.record.is_some() {
        if spf.lookups > LOOKUP_LIMIT as i32 {
            common.push(problem(
                "spf_too_many_lookups",
                format!("Evaluating the SPF record of {name} takes {} DNS lookups; receivers stop at {LOOKUP_LIMIT} and treat the record as broken.", spf.lookups),
                format!("Remove the include: entries of services you no longer send with, or replace them with the ip4:/ip6: addresses they stand for, until the count is {LOOKUP_LIMIT} or less."),
            ));
        }
        if spf.all.as_deref() == Some("+all") {
            common.push(problem(
                "spf_allows_all",
                format!("The SPF record of {name} ends with +all, which lets any server in the world send as {name}."),
                "Change +all at the end of the record to ~all.".into(),
            ));
        }
        for host in spf.hosts.iter().filter(|h| !h.authorised) {
            common.push(problem(
                "spf_host_not_authorised",
                format!("The SPF record of {name} does not authorise {}, the SMTP server an account sends from.", host.host),
                format!("Add `{}` to the record, before its all term.", spf_term(&host.host)),
            ));
        }
    }

    let keys: Vec<_> = report
        .dkim
        .selectors
        .iter()
        .filter(|s| s.bits.is_some())
        .collect();
    let unpublished: Vec<&String> = subject
        .managed
        .iter()
        .filter(|m| {
            !report
                .dkim
                .selectors
                .iter()
                .any(|s| &s.selector == *m && s.managed)
        })
        .collect();
    if keys.is_empty() && facts.dns_failure.is_none() {
        if let Some(selector) = unpublished.first() {
            common.push(problem(
                "dkim_not_published",
                format!("The DKIM key FluenzR made for {name} (selector {selector}) is not in DNS yet, so nothing sent from {name} is signed."),
                format!("At your DNS host, add the TXT record named `{selector}._domainkey` shown with the key, then check again (new records can take up to an hour to appear)."),
            ));
        } else {
            common.push(problem(
                "dkim_missing",
                format!("No DKIM key was found for {name}: receivers cannot verify that its mail really comes from it."),
                format!("Create a key for {name} (the Domains page, or POST /v1/domains/{name}/dkim) and publish the TXT record it shows; or publish the key your mail provider gives you."),
            ));
        }
    } else if !keys.is_empty() && keys.iter().all(|k| k.bits.is_some_and(|b| b < 1024)) {
        let weak = keys[0];
        common.push(problem(
            "dkim_weak_key",
            format!("The DKIM key of {name} at selector {} has {} bits; Gmail, Yahoo and Outlook ignore keys under 1024 bits.", weak.selector, weak.bits.unwrap_or(0)),
            format!("Make a new 2048-bit key for {name} (POST /v1/domains/{name}/dkim), publish it, and remove the old record."),
        ));
    }

    let dmarc = &report.dmarc;
    if dmarc.record.is_none() && facts.dns_failure.is_none() {
        common.push(problem(
            "dmarc_missing",
            format!("{name} publishes no DMARC policy; Gmail, Yahoo and Outlook require one from anyone sending in bulk."),
            format!("At your DNS host, add a TXT record named `_dmarc` for {name} with the value `v=DMARC1; p=none; rua=mailto:dmarc@{name}`."),
        ));
    } else if dmarc.record.is_some()
        && !matches!(dmarc.p.as_deref(), Some("none" | "quarantine" | "reject"))
    {
        common.push(problem(
            "dmarc_invalid",
            format!("The DMARC record found for {name} states no valid policy (p=none, p=quarantine or p=reject)."),
            format!("Replace it with `v=DMARC1; p=none; rua=mailto:dmarc@{name}`."),
        ));
    }

    let mut microsoft = common.clone();
    if report.mx.records.is_empty() && facts.dns_failure.is_none() {
        microsoft.push(problem(
            "mx_missing",
            format!("{name} has no MX record, so replies to its addresses cannot be delivered; Outlook expects a From address that can receive mail."),
            format!("Add the MX records your mailbox provider gives for {name} (Google Workspace: `1 smtp.google.com`)."),
        ));
    }
    let verdict = |problems: Vec<Problem>| Verdict {
        status: if problems.is_empty() { PASS } else { FAIL }.to_owned(),
        problems,
    };
    report.verdicts.gmail_yahoo_bulk = verdict(common);
    report.verdicts.microsoft_high_volume = verdict(microsoft);
    report.bimi_eligible = matches!(dmarc.p.as_deref(), Some("quarantine" | "reject"))
        && dmarc.pct.is_none_or(|p| p == 100)
        && dmarc.sp.as_deref() != Some("none")
        && report.verdicts.gmail_yahoo_bulk.passed()
        && report.verdicts.microsoft_high_volume.passed();
}
