//! The one DNS resolver: the system's, or the server `FLUENZR_DNS_SERVER` names. Every lookup
//! has a deadline, and a name that does not exist is told apart from a server that did not
//! answer (a check never calls a domain unconfigured because DNS was down).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, TokioResolver};

/// Why a lookup has no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsError {
    /// The name does not exist, or has no record of that type.
    NotFound,
    /// No server answered in time, or it answered with an error: nothing is known.
    Failed(String),
}

/// A shared resolver (cheap to clone).
#[derive(Clone)]
pub struct Dns {
    resolver: Arc<TokioResolver>,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dns")
    }
}

/// One lookup's deadline per attempt.
const TIMEOUT: Duration = Duration::from_secs(3);

fn options() -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.timeout = TIMEOUT;
    opts.attempts = 1;
    opts.cache_size = 1024;
    // Records change while a user fixes them: a fix shows within minutes whatever TTL says.
    opts.positive_max_ttl = Some(Duration::from_secs(300));
    opts.negative_max_ttl = Some(Duration::from_secs(60));
    opts
}

impl Dns {
    /// `server` (`ip:port`, UDP then TCP), or the system's resolvers when none; a system
    /// without a readable configuration gets a resolver whose every lookup fails.
    pub fn new(server: Option<SocketAddr>) -> Dns {
        let provider = TokioConnectionProvider::default();
        let builder = match server {
            Some(addr) => {
                let mut config = ResolverConfig::new();
                config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
                config.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
                TokioResolver::builder_with_config(config, provider)
            }
            None => TokioResolver::builder(provider.clone()).unwrap_or_else(|err| {
                tracing::warn!(error = %err, "no system DNS configuration: lookups will fail");
                TokioResolver::builder_with_config(ResolverConfig::new(), provider)
            }),
        };
        Dns {
            resolver: Arc::new(builder.with_options(options()).build()),
        }
    }

    /// Each TXT record at `name`, its strings joined.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError> {
        let found = self.resolver.txt_lookup(absolute(name)).await;
        let found = found.map_err(classify)?;
        Ok(found
            .iter()
            .map(|txt| {
                txt.txt_data()
                    .iter()
                    .map(|part| String::from_utf8_lossy(part))
                    .collect::<String>()
            })
            .collect())
    }

    /// The MX records at `name`: preference and host (without the final dot), by preference.
    pub async fn mx(&self, name: &str) -> Result<Vec<(u16, String)>, DnsError> {
        let found = self.resolver.mx_lookup(absolute(name)).await;
        let mut out: Vec<(u16, String)> = found
            .map_err(classify)?
            .iter()
            .map(|mx| {
                let host = mx.exchange().to_ascii();
                (mx.preference(), host.trim_end_matches('.').to_owned())
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// The addresses (A and AAAA) of `name`.
    pub async fn ips(&self, name: &str) -> Result<Vec<IpAddr>, DnsError> {
        let found = self.resolver.lookup_ip(absolute(name)).await;
        Ok(found.map_err(classify)?.iter().collect())
    }
}

/// A name as the resolver must take it: absolute, so no search domain is ever appended.
fn absolute(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// An answer saying the name or record does not exist (`NXDOMAIN`, or `NOERROR` with no
/// records) is `NotFound`; anything else — a refusal, a server failure, no answer — is
/// `Failed`: nothing is known.
fn classify(err: ResolveError) -> DnsError {
    use hickory_resolver::proto::ProtoErrorKind;
    use hickory_resolver::proto::op::ResponseCode;
    let said_absent = err.proto().is_some_and(|proto| match proto.kind() {
        ProtoErrorKind::NoRecordsFound { response_code, .. } => {
            matches!(
                *response_code,
                ResponseCode::NXDomain | ResponseCode::NoError
            )
        }
        _ => false,
    });
    if said_absent {
        DnsError::NotFound
    } else {
        DnsError::Failed(err.to_string())
    }
}
