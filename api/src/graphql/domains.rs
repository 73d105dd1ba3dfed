//! Sending domains and their DKIM keys in GraphQL.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::dkim_key;
use entity::states::DkimKeyState;

use super::types::PageInfo;
use super::{db, now, principal};
use crate::ids::rfc3339;
use crate::secrets::Keyring;
use crate::service::PageRequest;
use crate::service::dns::Dns;
use crate::service::domains::{self as svc, DomainView, dkim, report};

/// A domain the workspace's email accounts send from: how it stands against DNS and the
/// mailbox providers' rules, and the DKIM keys FluenzR signs its email with.
pub struct Domain(DomainView);

#[derive(SimpleObject)]
pub struct MxRecord {
    pub preference: i32,
    pub host: String,
}

#[derive(SimpleObject)]
pub struct Mx {
    pub records: Vec<MxRecord>,
    /// Who receives the domain's mail (`google`, `microsoft`, `yahoo`, `other`); null
    /// without MX records.
    pub provider: Option<String>,
}

/// An SMTP host given as an address, and whether the SPF record authorises it.
#[derive(SimpleObject)]
pub struct SpfHost {
    pub host: String,
    pub authorised: bool,
}

#[derive(SimpleObject)]
pub struct Spf {
    pub record: Option<String>,
    /// Its terms, each with its qualifier (`+include:_spf.google.com`, `~all`).
    pub mechanisms: Vec<String>,
    /// DNS lookups evaluating it costs, includes and redirects followed (the limit is 10).
    pub lookups: i32,
    /// `-all`, `~all`, `?all` or `+all`; null without one.
    pub all: Option<String>,
    /// The accounts' SMTP hosts given as IP addresses, and whether each is authorised.
    pub hosts: Vec<SpfHost>,
}

#[derive(SimpleObject)]
pub struct DkimSelector {
    pub selector: String,
    /// `rsa` or `ed25519`.
    pub key_type: String,
    /// The key's size; null when it cannot be read or is revoked.
    pub bits: Option<i32>,
    /// One of FluenzR's keys.
    pub managed: bool,
}

#[derive(SimpleObject)]
pub struct Dkim {
    /// Selectors with a key published: FluenzR's own and the common providers'.
    pub selectors: Vec<DkimSelector>,
}

#[derive(SimpleObject)]
pub struct Dmarc {
    pub record: Option<String>,
    /// The domain the record was found at: this one or its organisational domain.
    pub record_domain: Option<String>,
    pub p: Option<String>,
    pub sp: Option<String>,
    pub pct: Option<i32>,
    pub adkim: Option<String>,
    pub aspf: Option<String>,
    pub rua: Vec<String>,
}

/// A broken rule: what is wrong and what to publish.
#[derive(SimpleObject)]
pub struct DomainProblem {
    /// Stable code (`spf_missing`, `spf_too_many_lookups`, `dkim_weak_key`, `dmarc_missing`, …).
    pub code: String,
    pub message: String,
    pub fix: String,
}

#[derive(SimpleObject)]
pub struct DomainVerdict {
    /// `pass` or `fail`.
    pub status: String,
    pub problems: Vec<DomainProblem>,
}

#[derive(SimpleObject)]
pub struct DomainVerdicts {
    /// Gmail's and Yahoo's rules for bulk senders.
    pub gmail_yahoo_bulk: DomainVerdict,
    /// Microsoft's rules for high-volume senders to Outlook.com.
    pub microsoft_high_volume: DomainVerdict,
}

/// The DNS record that publishes a key.
#[derive(SimpleObject)]
pub struct DnsRecord {
    /// `TXT`.
    #[graphql(name = "type")]
    pub kind: String,
    /// The full name (`fluenzr._domainkey.example.com`).
    pub name: String,
    /// The name relative to the domain, as most DNS panels ask for it (`fluenzr._domainkey`).
    pub host: String,
    pub value: String,
}

/// A DKIM key FluenzR made for a domain (its private half never leaves the server).
pub struct DkimKey(dkim_key::Model);

#[Object]
impl DkimKey {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn selector(&self) -> &str {
        &self.0.selector
    }
    /// `rsa-2048` or `ed25519`.
    async fn algorithm(&self) -> &str {
        &self.0.algorithm
    }
    /// `pending` (not found in DNS as made), `published` (found), `active` (the domain's
    /// email is signed with it).
    async fn state(&self) -> DkimKeyState {
        self.0.state
    }
    /// What to publish.
    async fn record(&self) -> DnsRecord {
        DnsRecord {
            kind: "TXT".into(),
            name: dkim::record_name(&self.0),
            host: format!("{}._domainkey", self.0.selector),
            value: dkim::record_value(&self.0),
        }
    }
    async fn published_at(&self) -> Option<String> {
        self.0.published_at.as_ref().map(rfc3339)
    }
    async fn activated_at(&self) -> Option<String> {
        self.0.activated_at.as_ref().map(rfc3339)
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
}

fn verdict(v: &report::Verdict) -> DomainVerdict {
    DomainVerdict {
        status: v.status.clone(),
        problems: v
            .problems
            .iter()
            .map(|p| DomainProblem {
                code: p.code.clone(),
                message: p.message.clone(),
                fix: p.fix.clone(),
            })
            .collect(),
    }
}

#[Object]
impl Domain {
    /// The domain, lower-case (IDNA ASCII).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The email accounts sending from it.
    async fn email_account_ids(&self) -> Vec<ID> {
        self.0.accounts.iter().map(|a| ID(a.id.clone())).collect()
    }
    /// When it was last checked against DNS (null: not yet; the check runs soon by itself).
    async fn checked_at(&self) -> Option<String> {
        self.0.checked_at.as_ref().map(rfc3339)
    }
    async fn mx(&self) -> Option<Mx> {
        self.0.report.as_ref().map(|r| Mx {
            records: r
                .mx
                .records
                .iter()
                .map(|m| MxRecord {
                    preference: m.preference,
                    host: m.host.clone(),
                })
                .collect(),
            provider: r.mx.provider.clone(),
        })
    }
    async fn spf(&self) -> Option<Spf> {
        self.0.report.as_ref().map(|r| Spf {
            record: r.spf.record.clone(),
            mechanisms: r.spf.mechanisms.clone(),
            lookups: r.spf.lookups,
            all: r.spf.all.clone(),
            hosts: r
                .spf
                .hosts
                .iter()
                .map(|h| SpfHost {
                    host: h.host.clone(),
                    authorised: h.authorised,
                })
                .collect(),
        })
    }
    async fn dkim(&self) -> Option<Dkim> {
        self.0.report.as_ref().map(|r| Dkim {
            selectors: r
                .dkim
                .selectors
                .iter()
                .map(|s| DkimSelector {
                    selector: s.selector.clone(),
                    key_type: s.key_type.clone(),
                    bits: s.bits,
                    managed: s.managed,
                })
                .collect(),
        })
    }
    async fn dmarc(&self) -> Option<Dmarc> {
        self.0.report.as_ref().map(|r| Dmarc {
            record: r.dmarc.record.clone(),
            record_domain: r.dmarc.record_domain.clone(),
            p: r.dmarc.p.clone(),
            sp: r.dmarc.sp.clone(),
            pct: r.dmarc.pct,
            adkim: r.dmarc.adkim.clone(),
            aspf: r.dmarc.aspf.clone(),
            rua: r.dmarc.rua.clone(),
        })
    }
    /// Whether its DMARC policy lets it show a brand logo (BIMI): enforced on every message,
    /// subdomains included, with both verdicts passing.
    async fn bimi_eligible(&self) -> Option<bool> {
        self.0.report.as_ref().map(|r| r.bimi_eligible)
    }
    async fn verdicts(&self) -> Option<DomainVerdicts> {
        self.0.report.as_ref().map(|r| DomainVerdicts {
            gmail_yahoo_bulk: verdict(&r.verdicts.gmail_yahoo_bulk),
            microsoft_high_volume: verdict(&r.verdicts.microsoft_high_volume),
        })
    }
    /// FluenzR's DKIM keys for it, oldest first.
    async fn dkim_keys(&self) -> Vec<DkimKey> {
        self.0.keys.iter().cloned().map(DkimKey).collect()
    }
}

#[derive(SimpleObject)]
pub struct DomainPage {
    pub items: Vec<Domain>,
    pub page_info: PageInfo,
}

/// A key made, with its domain.
#[derive(SimpleObject)]
pub struct DkimKeyCreated {
    pub key: DkimKey,
    pub domain: Domain,
}

#[derive(Default)]
pub struct DomainQuery;

#[Object]
impl DomainQuery {
    /// The workspace's sending domains (its accounts' and those it has keys for), by name, as
    /// last checked.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn domains(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
    ) -> Result<DomainPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let all = svc::list(db(ctx)?, &who.workspace_id).await?;
        let total = all.len() as u64;
        let skip = usize::try_from((request.page - 1) * request.per_page).unwrap_or(usize::MAX);
        let take = usize::try_from(request.per_page).unwrap_or(usize::MAX);
        let found = crate::service::Page {
            items: all.into_iter().skip(skip).take(take).map(Domain).collect(),
            request,
            total,
            estimated: false,
            next_cursor: None,
        };
        let page_info = PageInfo::of(&found);
        Ok(DomainPage {
            items: found.items,
            page_info,
        })
    }

    /// One sending domain, checked now if it never was.
    async fn domain(&self, ctx: &Context<'_>, name: String) -> Result<Domain> {
        let who = principal(ctx)?;
        let dns = ctx.data::<Dns>()?;
        let found = svc::get(db(ctx)?, dns, &who.workspace_id, &name, now(ctx)?).await?;
        Ok(Domain(found))
    }
}

#[derive(Default)]
pub struct DomainMutation;

#[Object]
impl DomainMutation {
    /// Checks a sending domain against DNS now: MX, SPF, DKIM, DMARC and the providers'
    /// verdicts; a FluenzR key found as made is published (the first one found signs).
    async fn check_domain(&self, ctx: &Context<'_>, name: String) -> Result<Domain> {
        let who = principal(ctx)?;
        let dns = ctx.data::<Dns>()?;
        let found = svc::check(db(ctx)?, dns, &who.workspace_id, &name, now(ctx)?).await?;
        Ok(Domain(found))
    }

    /// Makes a DKIM key for a sending domain (`rsa-2048`, the default, or `ed25519`) under
    /// `selector` (default `fluenzr`, then `fluenzr2`…): publish `key.record`, and once it
    /// is found every email from the domain is signed with it.
    async fn create_dkim_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        algorithm: Option<String>,
        selector: Option<String>,
    ) -> Result<DkimKeyCreated> {
        let who = principal(ctx)?;
        let (dns, keyring) = (ctx.data::<Dns>()?, ctx.data::<Keyring>()?);
        let (domain, id) = svc::add_key(
            db(ctx)?,
            dns,
            keyring,
            &who.workspace_id,
            &name,
            svc::NewKeyRequest {
                algorithm,
                selector,
            },
            now(ctx)?,
        )
        .await?;
        let key = domain
            .keys
            .iter()
            .find(|k| k.id == id)
            .cloned()
            .ok_or_else(|| crate::error::AppError::internal("a key made was not found"))?;
        Ok(DkimKeyCreated {
            key: DkimKey(key),
            domain: Domain(domain),
        })
    }

    /// Signs the domain's email with the key at `selector` from now on (it must be published):
    /// a key rotation.
    async fn activate_dkim_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        selector: String,
    ) -> Result<Domain> {
        let who = principal(ctx)?;
        let found =
            svc::activate_key(db(ctx)?, &who.workspace_id, &name, &selector, now(ctx)?).await?;
        Ok(Domain(found))
    }

    /// Deletes a key; when it was the active one, the domain's next published key signs (or
    /// its email goes unsigned).
    async fn delete_dkim_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        selector: String,
    ) -> Result<Domain> {
        let who = principal(ctx)?;
        let found =
            svc::delete_key(db(ctx)?, &who.workspace_id, &name, &selector, now(ctx)?).await?;
        Ok(Domain(found))
    }
}
