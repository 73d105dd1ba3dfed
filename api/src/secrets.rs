//! The operator's secret and what is derived from it: the key that encrypts mailbox passwords
//! at rest (XChaCha20-Poly1305) and the key that signs tracking links. One place decides where
//! the secret comes from:
//!
//! 1. `FLUENZR_SECRET_KEY` (required with PostgreSQL; every instance must share it);
//! 2. otherwise, for a SQLite file, a key generated on first start into `<database>.key`
//!    beside it (mode 0600);
//! 3. an in-memory SQLite database gets a key for the life of the process.
//!
//! The database keeps a check value of the key (never the key): starting with another key is
//! refused, never a silent fallback. Passwords still in plain text from before are encrypted at
//! start.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::Sha256;

/// Stored values that are encrypted start with this.
const SEALED: &str = "enc:v1:";
/// The `settings` row holding the key's check value.
const CHECK_SETTING: &str = "secret_key_check";
/// The `settings` row where earlier versions kept a generated tracking secret.
const LEGACY_TRACKING_SETTING: &str = "tracking_secret";

/// Why the secret cannot be used.
#[derive(Debug)]
pub struct SecretError(pub String);

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SecretError {}

/// The keys derived from the operator's secret.
#[derive(Clone)]
pub struct Keyring {
    /// The secret itself, which tracking links are signed with (through their own derived key).
    master: Secret,
    cipher: XChaCha20Poly1305,
    check: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(…)")
    }
}

fn derive(master: &str, purpose: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(b"fluenzr/");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Keyring {
    pub fn new(master: &str) -> Keyring {
        let key = derive(master, "credentials/v1");
        let check =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(derive(master, "key-check/v1"));
        Keyring {
            master: Secret::new(master),
            cipher: XChaCha20Poly1305::new(&key.into()),
            check,
        }
    }

    /// The secret tracking links are signed with.
    pub fn tracking_secret(&self) -> &str {
        self.master.expose()
    }

    /// `plain` encrypted, bound to `context` (e.g. the row and column it belongs in, so a
    /// value copied elsewhere does not decrypt).
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message under 256 GiB");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!(
            "{SEALED}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
        )
    }

    /// The plain text of a value `seal` made for `context`.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, SecretError> {
        let broken = || SecretError(format!("the stored {context} cannot be decrypted"));
        let raw = stored.strip_prefix(SEALED).ok_or_else(broken)?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(raw)
            .map_err(|_| broken())?;
        if bytes.len() < 24 {
            return Err(broken());
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| broken())?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| broken())?;
        String::from_utf8(plain).map_err(|_| broken())
    }

    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED)
    }
}

/// Where the secret comes from for `database_url` when the operator gave none.
enum Source {
    File(std::path::PathBuf),
    Ephemeral,
    Missing,
}

fn source_for(database_url: &str) -> Source {
    let Some(rest) = database_url.strip_prefix("sqlite:") else {
        return Source::Missing;
    };
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || database_url.contains("mode=memory") {
        Source::Ephemeral
    } else {
        Source::File(std::path::PathBuf::from(format!("{path}.key")))
    }
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads the key file, or creates it (0600) with `initial`.
fn key_file(
    path: &std::path::Path,
    initial: impl FnOnce() -> String,
) -> Result<String, SecretError> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
        Ok(_) => {
            return Err(SecretError(format!(
                "the key file {} is empty: restore it, or set FLUENZR_SECRET_KEY",
                path.display()
            )));
        }
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(SecretError(format!(
                "cannot read the key file {}: {err}",
                path.display()
            )));
        }
        Err(_) => {}
    }
    let secret = initial();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let written = options
        .open(path)
        .and_then(|mut file| file.write_all(format!("{secret}\n").as_bytes()));
    match written {
        Ok(()) => Ok(secret),
        // Another process created it first: use theirs.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            key_file(path, random_secret)
        }
        Err(err) => Err(SecretError(format!(
            "cannot create the key file {}: {err}",
            path.display()
        ))),
    }
}

async fn setting(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, SecretError> {
    entity::setting::Entity::find_by_id(key.to_owned())
        .one(db)
        .await
        .map(|row| row.map(|r| r.value))
        .map_err(|e| SecretError(format!("cannot read settings: {e}")))
}

/// The keyring for this deployment: resolves the secret, checks it against the database
/// (recording its check value on first use) and encrypts any password still in plain text.
pub async fn open(
    db: &sea_orm::DatabaseConnection,
    database_url: &str,
    configured: Option<&Secret>,
) -> Result<Keyring, SecretError> {
    let master = match (configured, source_for(database_url)) {
        (Some(secret), _) => secret.expose().to_owned(),
        (None, Source::File(path)) => {
            // Links signed before the key file existed keep working: its first secret is the
            // one earlier versions generated, when there is one.
            let legacy = setting(db, LEGACY_TRACKING_SETTING).await?;
            key_file(&path, || legacy.unwrap_or_else(random_secret))?
        }
        (None, Source::Ephemeral) => random_secret(),
        (None, Source::Missing) => {
            return Err(SecretError(
                "FLUENZR_SECRET_KEY is required with PostgreSQL: it encrypts mailbox passwords and signs tracking links, and every instance must share it".into(),
            ));
        }
    };
    let keyring = Keyring::new(&master);
    match setting(db, CHECK_SETTING).await? {
        Some(check) if check == keyring.check => {}
        Some(_) => {
            return Err(SecretError(
                "the secret key is not the one this database's passwords were encrypted with (FLUENZR_SECRET_KEY, or the .key file beside a SQLite database)".into(),
            ));
        }
        None => {
            entity::setting::Entity::insert(entity::setting::ActiveModel {
                key: Set(CHECK_SETTING.to_owned()),
                value: Set(keyring.check.clone()),
            })
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await
            .map_err(|e| SecretError(format!("cannot record the key check: {e}")))?;
            // A concurrent first start may have recorded another key's check.
            if setting(db, CHECK_SETTING).await?.as_deref() != Some(keyring.check.as_str()) {
                return Err(SecretError(
                    "another process started this database with a different secret key".into(),
                ));
            }
        }
    }
    seal_plaintext(db, &keyring).await?;
    Ok(keyring)
}

/// The context a mailbox password is sealed for: its account and column.
pub fn password_context(account_id: &str, column: &str) -> String {
    format!("email_accounts/{account_id}/{column}")
}

/// The context a webhook's signing secrets are sealed for: its row (the current and the
/// previous secret alike, so a rotation moves the sealed value as it is).
pub fn webhook_secret_context(webhook_id: &str) -> String {
    format!("webhooks/{webhook_id}/secret")
}

/// The context a secret kept in `settings` under `key` is sealed for.
pub fn setting_context(key: &str) -> String {
    format!("settings/{key}")
}

/// The `settings` row holding the session-signing secret.
pub const SESSION_SETTING: &str = "session_signing_secret";

/// Encrypts what earlier versions stored in plain text: mailbox passwords, webhook signing
/// secrets and the session-signing secret.
async fn seal_plaintext(
    db: &sea_orm::DatabaseConnection,
    keyring: &Keyring,
) -> Result<(), SecretError> {
    seal_passwords(db, keyring).await?;
    seal_webhook_secrets(db, keyring).await?;
    seal_session_secret(db, keyring).await
}

async fn seal_webhook_secrets(
    db: &sea_orm::DatabaseConnection,
    keyring: &Keyring,
) -> Result<(), SecretError> {
    use entity::webhook;
    use sea_orm::ColumnTrait;
    let fail = |e: sea_orm::DbErr| SecretError(format!("cannot encrypt webhook secrets: {e}"));
    let rows = webhook::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(webhook::Column::Secret.not_like(format!("{SEALED}%")))
                .add(webhook::Column::PreviousSecret.not_like(format!("{SEALED}%"))),
        )
        .all(db)
        .await
        .map_err(fail)?;
    for row in rows {
        let context = webhook_secret_context(&row.id);
        let mut update = webhook::ActiveModel {
            id: Set(row.id.clone()),
            ..Default::default()
        };
        if !Keyring::is_sealed(&row.secret) {
            update.secret = Set(keyring.seal(&row.secret, &context));
        }
        if let Some(previous) = row.previous_secret.as_deref()
            && !Keyring::is_sealed(previous)
        {
            update.previous_secret = Set(Some(keyring.seal(previous, &context)));
        }
        webhook::Entity::update(update)
            .exec(db)
            .await
            .map_err(fail)?;
    }
    Ok(())
}

async fn seal_session_secret(
    db: &sea_orm::DatabaseConnection,
    keyring: &Keyring,
) -> Result<(), SecretError> {
    use entity::setting;
    use sea_orm::ColumnTrait;
    let Some(plain) = setting(db, SESSION_SETTING).await? else {
        return Ok(());
    };
    if Keyring::is_sealed(&plain) {
        return Ok(());
    }
    let sealed = keyring.seal(&plain, &setting_context(SESSION_SETTING));
    // Only the value read is replaced (another process may have sealed it meanwhile).
    setting::Entity::update_many()
        .col_expr(
            setting::Column::Value,
            sea_orm::sea_query::Expr::value(sealed),
        )
        .filter(setting::Column::Key.eq(SESSION_SETTING))
        .filter(setting::Column::Value.eq(plain))
        .exec(db)
        .await
        .map_err(|e| SecretError(format!("cannot encrypt the session secret: {e}")))?;
    Ok(())
}

/// Encrypts the passwords earlier versions stored in plain text.
async fn seal_passwords(
    db: &sea_orm::DatabaseConnection,
    keyring: &Keyring,
) -> Result<(), SecretError> {
    use entity::email_account;
    use sea_orm::ColumnTrait;
    let fail = |e: sea_orm::DbErr| SecretError(format!("cannot encrypt stored passwords: {e}"));
    let rows = email_account::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(email_account::Column::SmtpPassword.not_like(format!("{SEALED}%")))
                .add(email_account::Column::ImapPassword.not_like(format!("{SEALED}%"))),
        )
        .all(db)
        .await
        .map_err(fail)?;
    for row in rows {
        let mut update = email_account::ActiveModel {
            id: Set(row.id.clone()),
            ..Default::default()
        };
        if !Keyring::is_sealed(&row.smtp_password) {
            update.smtp_password = Set(keyring.seal(
                &row.smtp_password,
                &password_context(&row.id, "smtp_password"),
            ));
        }
        if let Some(imap) = row.imap_password.as_deref()
            && !Keyring::is_sealed(imap)
        {
            update.imap_password = Set(Some(
                keyring.seal(imap, &password_context(&row.id, "imap_password")),
            ));
        }
        email_account::Entity::update(update)
            .exec(db)
            .await
            .map_err(fail)?;
    }
    Ok(())
}

/// A string that never shows up in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let keyring = Keyring::new("one");
        let sealed = keyring.seal("hunter2", "email_accounts/acc_1/smtp_password");
        assert!(Keyring::is_sealed(&sealed));
        assert!(!sealed.contains("hunter2"));
        assert_ne!(
            sealed,
            keyring.seal("hunter2", "email_accounts/acc_1/smtp_password"),
            "a fresh nonce each time"
        );
        assert_eq!(
            keyring
                .open(&sealed, "email_accounts/acc_1/smtp_password")
                .unwrap(),
            "hunter2"
        );
        assert!(
            keyring
                .open(&sealed, "email_accounts/acc_2/smtp_password")
                .is_err()
        );
        assert!(
            Keyring::new("two")
                .open(&sealed, "email_accounts/acc_1/smtp_password")
                .is_err()
        );
        assert!(keyring.open("hunter2", "x").is_err());
    }

    #[test]
    fn where_the_secret_comes_from() {
        assert!(matches!(
            source_for("sqlite:///var/lib/fz/fluenzr.db?mode=rwc"),
            Source::File(p) if p == std::path::Path::new("/var/lib/fz/fluenzr.db.key")
        ));
        assert!(matches!(
            source_for("sqlite://fluenzr.db?mode=rwc"),
            Source::File(p) if p == std::path::Path::new("fluenzr.db.key")
        ));
        assert!(matches!(source_for("sqlite::memory:"), Source::Ephemeral));
        assert!(matches!(source_for("postgres://u@h/db"), Source::Missing));
    }
}
