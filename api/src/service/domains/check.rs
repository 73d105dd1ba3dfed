//! One check of a sending domain against DNS: MX, SPF (includes followed, lookups counted, the
//! accounts' SMTP addresses evaluated), DKIM selectors, DMARC (the organisational domain's
//! when the domain has none), then the verdicts. Lookups run side by side, under one deadline.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use futures_util::future::join_all;

use super::records;
use super::report::{Dkim, Dmarc, HostCheck, Mx, MxRecord, Report, Selector, Spf};
use super::spf;
use super::verdicts;
use crate::service::dns::{Dns, DnsError};

/// The selectors looked for besides FluenzR's own: Google Workspace, Microsoft 365, and the
/// names hosting panels and senders commonly use.
pub const COMMON_SELECTORS: &[&str] = &[
    "google",
    "selector1",
    "selector2",
    "default",
    "dkim",
    "mail",
    "k1",
    "s1",
    "s2",
    "smtp",
];

/// A whole check's deadline: a domain whose DNS stalls costs its own check this long at most.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// What the check is told about the domain.
pub struct Subject<'a> {
    pub name: &'a str,
    /// The SMTP hosts of the accounts sending from the domain.
    pub smtp_hosts: Vec<String>,
    /// FluenzR's selectors for the domain.
    pub managed: Vec<String>,
}

/// The check's findings: the report, and the `p=` value found at each managed selector.
pub struct Checked {
    pub report: Report,
    pub published: HashMap<String, String>,
    /// A lookup that failed for another reason than the name having no record: the report
    /// may call something missing that is not.
    pub dns_failure: Option<String>,
}

/// Who receives mail for a domain, from the host of its first MX record.
pub fn provider_of(mx_host: &str) -> &'static str {
    let host = mx_host.trim_end_matches('.').to_ascii_lowercase();
    let under = |suffix: &str| host == suffix || host.ends_with(&format!(".{suffix}"));
    if under("google.com") || under("googlemail.com") {
        "google"
    } else if under("outlook.com") || under("hotmail.com") || under("office365.us") {
        "microsoft"
    } else if under("yahoodns.net") || under("yahoo.com") {
        "yahoo"
    } else {
        "other"
    }
}

pub async fn run(dns: &Dns, subject: &Subject<'_>) -> Checked {
    match tokio::time::timeout(DEADLINE, check(dns, subject)).await {
        Ok(checked) => checked,
        Err(_) => {
            let mut report = Report::default();
            let why = format!("DNS did not answer within {} s", DEADLINE.as_secs());
            let facts = verdicts::Facts {
                dns_failure: Some(why.clone()),
                ..Default::default()
            };
            verdicts::judge(&mut report, subject, &facts);
            Checked {
                report,
                published: HashMap::new(),
                dns_failure: Some(why),
            }
        }
    }
}

async fn check(dns: &Dns, subject: &Subject<'_>) -> Checked {
    let name = subject.name;
    let mut failure: Option<String> = None;
    fn note(failure: &mut Option<String>, result: &DnsError) {
        if let DnsError::Failed(why) = result {
            failure.get_or_insert_with(|| why.clone());
        }
    }
    let mut selectors: Vec<(String, bool)> =
        subject.managed.iter().map(|s| (s.clone(), true)).collect();
    for common in COMMON_SELECTORS {
        if !selectors.iter().any(|(s, _)| s == common) {
            selectors.push(((*common).to_owned(), false));
        }
    }
    let dkim_names: Vec<String> = selectors
        .iter()
        .map(|(s, _)| format!("{s}._domainkey.{name}"))
        .collect();
    let dmarc_name = format!("_dmarc.{name}");
    let (mx, spf_found, dmarc_here, dkim_found) = tokio::join!(
        dns.mx(name),
        spf::read(dns, name),
        dns.txt(&dmarc_name),
        join_all(dkim_names.iter().map(|n| dns.txt(n))),
    );

    let mut report = Report::default();
    match mx {
        Ok(records) => {
            report.mx = Mx {
                provider: records.first().map(|(_, h)| provider_of(h).to_owned()),
                records: records
                    .into_iter()
                    .map(|(preference, host)| MxRecord {
                        preference: i32::from(preference),
                        host,
                    })
                    .collect(),
            }
        }
        Err(e) => note(&mut failure, &e),
    }

    if let Some(why) = &spf_found.failure {
        failure.get_or_insert_with(|| why.clone());
    }
    let mut hosts = vec![];
    for host in &subject.smtp_hosts {
        if let Ok(ip) = host.parse::<IpAddr>()
            && !hosts.iter().any(|h: &HostCheck| &h.host == host)
        {
            hosts.push(HostCheck {
                host: host.clone(),
                authorised: spf::authorises(dns, name, &spf_found, ip).await,
            });
        }
    }
    report.spf = Spf {
        record: spf_found.records.first().cloned(),
        mechanisms: spf_found
            .parsed
            .as_ref()
            .map(|r| r.text.clone())
            .unwrap_or_default(),
        lookups: i32::try_from(spf_found.lookups).unwrap_or(i32::MAX),
        all: spf_found.all().map(|q| {
            match q {
                spf::Qualifier::Pass => "+all",
                spf::Qualifier::Fail => "-all",
                spf::Qualifier::SoftFail => "~all",
                spf::Qualifier::Neutral => "?all",
            }
            .to_owned()
        }),
        hosts,
    };

    let mut published = HashMap::new();
    let mut found_selectors = vec![];
    for ((selector, managed), found) in selectors.into_iter().zip(dkim_found) {
        let txts = match found {
            Ok(txts) => txts,
            Err(e) => {
                note(&mut failure, &e);
                continue;
            }
        };
        let Some(key) = txts.iter().find_map(|t| records::dkim(t)) else {
            continue;
        };
        if managed {
            published.insert(selector.clone(), key.public_key.clone());
        }
        found_selectors.push(Selector {
            selector,
            key_type: key.key_type,
            bits: key.bits.and_then(|b| i32::try_from(b).ok()),
            managed,
        });
    }
    report.dkim = Dkim {
        selectors: found_selectors,
    };

    let mut dmarc_at = name.to_owned();
    let mut dmarc_txts = match dmarc_here {
        Ok(txts) => txts,
        Err(e) => {
            note(&mut failure, &e);
            vec![]
        }
    };
    let org = records::organisational(name);
    if !dmarc_txts.iter().any(|t| records::is_dmarc(t)) && org != name {
        match dns.txt(&format!("_dmarc.{org}")).await {
            Ok(txts) => dmarc_txts = txts,
            Err(e) => note(&mut failure, &e),
        }
        dmarc_at = org;
    }
    if let Some(record) = dmarc_txts.into_iter().find(|t| records::is_dmarc(t)) {
        let parsed = records::dmarc(&record);
        report.dmarc = Dmarc {
            record: Some(record),
            record_domain: Some(dmarc_at),
            p: parsed.p,
            sp: parsed.sp,
            pct: parsed.pct.map(i32::from),
            adkim: parsed.adkim,
            aspf: parsed.aspf,
            rua: parsed.rua,
        };
    }
    let facts = verdicts::Facts {
        spf_records: spf_found.records.len(),
        spf_invalid: spf_found.invalid.clone(),
        dns_failure: failure.clone(),
    };
    verdicts::judge(&mut report, subject, &facts);
    Checked {
        report,
        published,
        dns_failure: failure,
    }
}
