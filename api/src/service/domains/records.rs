//! The tag lists DKIM keys and DMARC policies are published as (`k=v; k=v`), read into what a
//! check reports, and the organisational domain a subdomain's DMARC falls back to.

use base64::Engine;

/// The tags of a record, names lower-cased, values with their spaces removed for DKIM (whose
/// `p=` may be folded) and trimmed otherwise.
pub fn tags(record: &str) -> Vec<(String, String)> {
    record
        .split(';')
        .filter_map(|part| {
            let (name, value) = part.split_once('=')?;
            let name = name.trim().to_ascii_lowercase();
            (!name.is_empty()).then(|| (name, value.trim().to_owned()))
        })
        .collect()
}

fn tag<'a>(tags: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A DKIM key as published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimRecord {
    /// `rsa` or `ed25519` (`k=`, `rsa` when absent).
    pub key_type: String,
    /// The key's size; none when it cannot be read (or is revoked).
    pub bits: Option<u32>,
    /// `p=` without spaces: empty when the key is revoked.
    pub public_key: String,
}

/// Reads a TXT value as a DKIM key record; none when it is not one.
pub fn dkim(record: &str) -> Option<DkimRecord> {
    let tags = tags(record);
    if let Some(v) = tag(&tags, "v")
        && v != "DKIM1"
    {
        return None;
    }
    let p: String = tag(&tags, "p")?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let key_type = tag(&tags, "k").unwrap_or("rsa").to_ascii_lowercase();
    let der = base64::engine::general_purpose::STANDARD.decode(&p).ok();
    let bits = der.and_then(|der| match key_type.as_str() {
        "rsa" => rsa_bits(&der),
        "ed25519" => (der.len() == 32).then_some(256),
        _ => None,
    });
    Some(DkimRecord {
        key_type,
        bits,
        public_key: p,
    })
}

/// The modulus size of an RSA public key given as SubjectPublicKeyInfo or PKCS #1 DER.
fn rsa_bits(der: &[u8]) -> Option<u32> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPublicKey::from_public_key_der(der)
        .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(der))
        .ok()?;
    u32::try_from(key.n().bits()).ok()
}

/// A DMARC policy as published.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DmarcRecord {
    pub p: Option<String>,
    pub sp: Option<String>,
    pub pct: Option<u8>,
    pub adkim: Option<String>,
    pub aspf: Option<String>,
    pub rua: Vec<String>,
}

/// Whether a TXT value is a DMARC record.
pub fn is_dmarc(record: &str) -> bool {
    let t = record.trim_start();
    t.get(..8)
        .is_some_and(|v| v.eq_ignore_ascii_case("v=DMARC1"))
}

pub fn dmarc(record: &str) -> DmarcRecord {
    let tags = tags(record);
    let lower = |name| tag(&tags, name).map(str::to_ascii_lowercase);
    DmarcRecord {
        p: lower("p"),
        sp: lower("sp"),
        pct: tag(&tags, "pct").and_then(|v| v.parse::<u8>().ok()),
        adkim: lower("adkim"),
        aspf: lower("aspf"),
        rua: tag(&tags, "rua")
            .map(|v| {
                v.split(',')
                    .map(|u| u.trim().to_owned())
                    .filter(|u| !u.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Public suffixes of more than one label, the ones this product's users meet most; a full
/// list would be needed to be exact everywhere.
const TWO_LABEL_SUFFIXES: &[&str] = &[
    "com.br", "net.br", "org.br", "gov.br", "edu.br", "co.uk", "org.uk", "ac.uk", "gov.uk",
    "com.au", "net.au", "org.au", "co.nz", "co.jp", "co.za", "com.mx", "com.ar", "com.co",
    "com.pe", "com.pt", "co.in", "com.es", "com.tr", "com.sg", "com.hk", "co.il", "co.kr",
];

/// The organisational domain of `domain`: its registrable part (`mail.example.com.br` →
/// `example.com.br`).
pub fn organisational(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    let n = labels.len();
    if n <= 2 {
        return domain.to_owned();
    }
    let last_two = labels[n - 2..].join(".");
    let keep = if TWO_LABEL_SUFFIXES.contains(&last_two.as_str()) {
        3
    } else {
        2
    };
    labels[n.saturating_sub(keep)..].join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dmarc_tags_read() {
        let d = dmarc(
            "v=DMARC1; p=Quarantine; sp=none; pct=50; adkim=s; rua=mailto:a@example.com, mailto:b@example.com",
        );
        assert_eq!(d.p.as_deref(), Some("quarantine"));
        assert_eq!(d.sp.as_deref(), Some("none"));
        assert_eq!(d.pct, Some(50));
        assert_eq!(d.adkim.as_deref(), Some("s"));
        assert_eq!(d.rua, ["mailto:a@example.com", "mailto:b@example.com"]);
        assert!(is_dmarc("v=DMARC1;p=none"));
        assert!(!is_dmarc("v=spf1 -all"));
    }

    #[test]
    fn organisational_domains() {
        assert_eq!(organisational("mail.acme.com"), "acme.com");
        assert_eq!(organisational("acme.com"), "acme.com");
        assert_eq!(organisational("news.loja.com.br"), "loja.com.br");
        assert_eq!(organisational("a.b.c.example.co.uk"), "example.co.uk");
    }

    #[test]
    fn dkim_keys_read_with_their_size() {
        let ed =
            dkim("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap();
        assert_eq!((ed.key_type.as_str(), ed.bits), ("ed25519", Some(256)));
        let revoked = dkim("v=DKIM1; p=").unwrap();
        assert_eq!(revoked.bits, None);
        assert!(dkim("v=spf1 -all").is_none());
    }

    proptest! {
        #[test]
        fn any_record_reads_without_panicking(txt in ".{0,300}") {
            let _ = dkim(&txt);
            let _ = dmarc(&txt);
            let _ = organisational(&txt);
        }
    }
}
