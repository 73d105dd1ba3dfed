//! DKIM keys FluenzR makes for a domain (RSA-2048 or Ed25519, the private half sealed like a
//! mailbox password) and the signing of outgoing email with the domain's active key
//! (`d=` the From domain).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::{DateTime, Utc};
use entity::dkim_key;
use entity::states::DkimKeyState;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::generate::DkimKeyPair;
use mail_auth::dkim::{DkimSigner, Done};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::{AppError, AppResult};
use crate::secrets::Keyring;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The key types a domain can be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Rsa2048,
    Ed25519,
}

impl Algorithm {
    pub const ALL: [Algorithm; 2] = [Algorithm::Rsa2048, Algorithm::Ed25519];

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rsa2048 => "rsa-2048",
            Algorithm::Ed25519 => "ed25519",
        }
    }

    pub fn parse(value: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.as_str() == value)
    }

    /// The `k=` tag of its record.
    fn key_type(self) -> &'static str {
        match self {
            Algorithm::Rsa2048 => "rsa",
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

/// A new key: the private half's DER and the `p=` value to publish.
pub struct NewKey {
    pub private_der: Vec<u8>,
    pub public: String,
}

/// Makes a key pair.
fn generate(algorithm: Algorithm) -> AppResult<NewKey> {
    let internal = |e: mail_auth::Error| AppError::internal(format!("making a DKIM key: {e}"));
    match algorithm {
        Algorithm::Rsa2048 => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::pkcs8::EncodePublicKey;
            let pair = DkimKeyPair::generate_rsa(2048).map_err(internal)?;
            let (private_der, public_pkcs1) = pair.into_inner();
            // Published as SubjectPublicKeyInfo, the form every verifier reads.
            let spki = rsa::RsaPublicKey::from_pkcs1_der(&public_pkcs1)
                .ok()
                .and_then(|k| k.to_public_key_der().ok())
                .ok_or_else(|| AppError::internal("encoding a DKIM public key"))?;
            Ok(NewKey {
                private_der,
                public: B64.encode(spki.as_bytes()),
            })
        }
        Algorithm::Ed25519 => {
            let pair = DkimKeyPair::generate_ed25519().map_err(internal)?;
            let (private_der, public) = pair.into_inner();
            Ok(NewKey {
                private_der,
                public: B64.encode(public),
            })
        }
    }
}

/// Where a new key goes.
pub struct NewRow {
    pub workspace_id: String,
    pub domain: String,
    pub selector: String,
    pub algorithm: Algorithm,
    pub now: DateTime<Utc>,
}

/// A new key's row, `pending`: made (an RSA-2048 key takes a moment: run it off the async
/// threads), its private half sealed for the row; with its id.
pub fn new_row(keyring: &Keyring, new: NewRow) -> AppResult<(String, dkim_key::ActiveModel)> {
    let made = generate(new.algorithm)?;
    let id = crate::ids::new_id(super::DKIM_KEY);
    let private = B64.encode(&made.private_der);
    let row = dkim_key::ActiveModel {
        private_key: Set(keyring.seal(&private, &sealing_context(&id))),
        id: Set(id.clone()),
        workspace_id: Set(new.workspace_id),
        domain: Set(new.domain),
        selector: Set(new.selector),
        algorithm: Set(new.algorithm.as_str().to_owned()),
        public_key: Set(made.public),
        state: Set(DkimKeyState::Pending),
        published_at: Set(None),
        activated_at: Set(None),
        created_at: Set(new.now),
    };
    Ok((id, row))
}

/// The TXT value to publish at `<selector>._domainkey.<domain>`.
pub fn record_value(key: &dkim_key::Model) -> String {
    let key_type = Algorithm::parse(&key.algorithm)
        .unwrap_or(Algorithm::Rsa2048)
        .key_type();
    format!("v=DKIM1; k={key_type}; p={}", key.public_key)
}

/// Where the record goes.
pub fn record_name(key: &dkim_key::Model) -> String {
    format!("{}._domainkey.{}", key.selector, key.domain)
}

/// The context a key's private half is sealed for: its row.
pub fn sealing_context(key_id: &str) -> String {
    format!("dkim_keys/{key_id}/private_key")
}

enum Loaded {
    Rsa(DkimSigner<RsaKey<Sha256>, Done>),
    Ed25519(DkimSigner<Ed25519Key, Done>),
}

/// A domain's active key, ready to sign.
pub struct Signing {
    domain: String,
    key: Loaded,
}

/// The headers signed when present: what identifies the email and what a receiver shows,
/// the one-click unsubscribe headers included (Gmail wants them covered).
const SIGNED_HEADERS: [&str; 12] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Reply-To",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
];

impl Signing {
    /// `message` with a `DKIM-Signature` header in front; as it was if signing fails.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signed = match &self.key {
            Loaded::Rsa(signer) => signer.sign(message),
            Loaded::Ed25519(signer) => signer.sign(message),
        };
        match signed {
            Ok(signature) => {
                let header = signature.to_header();
                let mut out = Vec::with_capacity(header.len() + message.len());
                out.extend_from_slice(header.as_bytes());
                out.extend_from_slice(message);
                out
            }
            Err(err) => {
                tracing::warn!(domain = %self.domain, error = %err, "could not sign an email");
                message.to_vec()
            }
        }
    }
}

fn load(key: &dkim_key::Model, keyring: &Keyring) -> Option<Signing> {
    let plain = keyring
        .open(&key.private_key, &sealing_context(&key.id))
        .ok()?;
    let der = B64.decode(plain).ok()?;
    let (domain, selector) = (key.domain.as_str(), key.selector.as_str());
    let loaded = match Algorithm::parse(&key.algorithm)? {
        Algorithm::Rsa2048 => {
            // `from_key_der` wants rustls' key types for the same PKCS #1 bytes.
            #[allow(deprecated)]
            let private = RsaKey::<Sha256>::from_der(&der).ok()?;
            Loaded::Rsa(
                DkimSigner::from_key(private)
                    .domain(domain)
                    .selector(selector)
                    .headers(SIGNED_HEADERS),
            )
        }
        Algorithm::Ed25519 => Loaded::Ed25519(
            DkimSigner::from_key(Ed25519Key::from_pkcs8_der(&der).ok()?)
                .domain(domain)
                .selector(selector)
                .headers(SIGNED_HEADERS),
        ),
    };
    Some(Signing {
        domain: key.domain.clone(),
        key: loaded,
    })
}

/// The signing keys in use, loaded once each (a key's row never changes its key).
#[derive(Clone, Default)]
pub struct Signers {
    loaded: Arc<Mutex<HashMap<String, Arc<Signing>>>>,
}

impl Signers {
    /// The active key of the domain `from` (an address) sends from in the workspace, if any.
    pub async fn for_sender(
        &self,
        db: &impl ConnectionTrait,
        keyring: &Keyring,
        workspace_id: &str,
        from: &str,
    ) -> AppResult<Option<Arc<Signing>>> {
        let domain = crate::service::addresses::domain_of(from).to_ascii_lowercase();
        let active = dkim_key::Entity::find()
            .filter(dkim_key::Column::WorkspaceId.eq(workspace_id))
            .filter(dkim_key::Column::Domain.eq(&domain))
            .filter(dkim_key::Column::State.eq(DkimKeyState::Active))
            .one(db)
            .await?;
        let Some(key) = active else {
            return Ok(None);
        };
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(signing) = loaded.get(&key.id) {
            return Ok(Some(signing.clone()));
        }
        let Some(signing) = load(&key, keyring) else {
            tracing::warn!(key = %key.id, "a DKIM key cannot be opened: email goes unsigned");
            return Ok(None);
        };
        if loaded.len() > 4096 {
            loaded.clear();
        }
        let signing = Arc::new(signing);
        loaded.insert(key.id.clone(), signing.clone());
        Ok(Some(signing))
    }
}
