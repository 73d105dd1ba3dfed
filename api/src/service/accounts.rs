//! Users (password sign-in) and API keys.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use entity::{api_key, user, workspace};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::workspaces::{self, Plan};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::ids;

pub const API_KEY_PREFIX: &str = "fz_live_";
const MIN_PASSWORD: usize = 8;

/// A freshly created API key: the row, and the secret shown this once.
pub struct NewApiKey {
    pub key: api_key::Model,
    pub secret: String,
}

fn normalize_email(field: &str, email: &str) -> AppResult<String> {
    Ok(super::addresses::parse(field, email)?.normalized)
}

fn hash_password(password: &str) -> AppResult<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::invalid_field(
            "password",
            format!("Password must be at least {MIN_PASSWORD} characters"),
        ));
    }
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(AppError::internal)
}

/// Adds a user with a password to an existing workspace.
pub async fn create_user(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    email: &str,
    password: &str,
    name: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let email = normalize_email("email", email)?;
    let name = super::clean_text("name", name, 200)?;
    let password_hash = hash_password(password)?;
    let row = user::ActiveModel {
        id: Set(ids::new_id(ids::USER)),
        workspace_id: Set(workspace_id.to_owned()),
        email: Set(email),
        name: Set(name),
        password_hash: Set(password_hash),
        created_at: Set(now),
    };
    row.insert(db).await.map_err(|err| {
        if is_unique_violation(&err) {
            AppError::conflict("A user with this email already exists")
                .with_details(serde_json::json!({ "field": "email" }))
        } else {
            err.into()
        }
    })
}

/// Creates a workspace on the free plan with its first user, atomically.
pub async fn sign_up(
    db: &impl TransactionTrait,
    email: &str,
    password: &str,
    name: Option<String>,
    workspace_name: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<(user::Model, workspace::Model)> {
    let email = email.to_owned();
    let password = password.to_owned();
    let txn = crate::db::begin_write(db).await?;
    let workspace_name = workspace_name.unwrap_or_else(|| format!("{email}'s workspace"));
    let workspace = workspaces::create(&txn, &workspace_name, Plan::Free, now).await?;
    let user = create_user(&txn, &workspace.id, &email, &password, name, now).await?;
    txn.commit().await?;
    Ok((user, workspace))
}

/// Checks an email and password; the same error whether the user or the password is wrong.
pub async fn login(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> AppResult<user::Model> {
    let wrong = || AppError::unauthenticated("Invalid email or password");
    let Ok(email) = normalize_email("email", email) else {
        return Err(wrong());
    };
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?;
    let Some(user) = user else {
        // Spend the same effort as a real check so timing does not reveal accounts.
        let _ = hash_password("not-a-real-password");
        return Err(wrong());
    };
    let parsed = PasswordHash::new(&user.password_hash).map_err(AppError::internal)?;
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .map_err(|_| wrong())?;
    Ok(user)
}

/// A user of this workspace with the workspace, in one statement.
pub async fn get_user_with_workspace(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<(user::Model, workspace::Model)> {
    user::Entity::find_by_id(id.to_owned())
        .filter(user::Column::WorkspaceId.eq(workspace_id))
        .find_also_related(workspace::Entity)
        .one(db)
        .await?
        .and_then(|(user, workspace)| workspace.map(|w| (user, w)))
        .ok_or_else(|| AppError::not_found("User"))
}

pub async fn get_user(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<user::Model> {
    user::Entity::find_by_id(id.to_owned())
        .filter(user::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("User"))
}

pub fn hash_key(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

/// Creates an API key; the returned secret is never stored and cannot be shown again.
pub async fn create_api_key(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    name: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<NewApiKey> {
    let name = super::clean_text("name", name, 200)?.unwrap_or_else(|| "API key".to_owned());
    let secret = format!("{API_KEY_PREFIX}{}", random_token(40));
    let row = api_key::ActiveModel {
        id: Set(ids::new_id(ids::API_KEY)),
        workspace_id: Set(workspace_id.to_owned()),
        name: Set(name),
        prefix: Set(secret[..API_KEY_PREFIX.len() + 6].to_owned()),
        key_hash: Set(hash_key(&secret)),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    let key = row.insert(db).await?;
    Ok(NewApiKey { key, secret })
}

/// The live key matching `secret`, with its workspace.
pub async fn find_api_key(
    db: &impl ConnectionTrait,
    secret: &str,
) -> AppResult<Option<(api_key::Model, workspace::Model)>> {
    let found = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash_key(secret)))
        .filter(api_key::Column::RevokedAt.is_null())
        .find_also_related(workspace::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(key, workspace)| workspace.map(|w| (key, w))))
}

/// Records use of a key at `now` when it was last used at `last_used_at`, at most once a minute
/// so reads stay cheap; returns the key's last-use time after the call.
pub async fn touch_api_key(
    db: &impl ConnectionTrait,
    key_id: &str,
    last_used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    if let Some(last) = last_used_at
        && now - last < Duration::seconds(60)
    {
        return Ok(last);
    }
    api_key::Entity::update_many()
        .col_expr(
            api_key::Column::LastUsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(api_key::Column::Id.eq(key_id))
        .exec(db)
        .await?;
    Ok(now)
}

pub async fn list_api_keys(
    db: &impl ConnectionTrait,
    workspace_id: &str,
) -> AppResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::WorkspaceId.eq(workspace_id))
        .order_by_desc(api_key::Column::CreatedAt)
        .order_by_desc(api_key::Column::Id)
        .all(db)
        .await?)
}

/// Revokes a key of this workspace; revoking twice is harmless.
pub async fn revoke_api_key(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<api_key::Model> {
    let key = api_key::Entity::find_by_id(id.to_owned())
        .filter(api_key::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("API key"))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut active: api_key::ActiveModel = key.into();
    active.revoked_at = Set(Some(now));
    Ok(active.update(db).await?)
}

/// The installation's session-signing secret, kept sealed with the operator's key in
/// `settings`: read and opened, or generated and stored on first use (safe when several
/// processes start at once: the first insert wins, and every process opens that one).
pub async fn session_secret(
    db: &impl ConnectionTrait,
    keyring: &crate::secrets::Keyring,
) -> AppResult<String> {
    use crate::secrets::{SESSION_SETTING, setting_context};
    use entity::setting;
    let read = || async {
        setting::Entity::find_by_id(SESSION_SETTING.to_owned())
            .one(db)
            .await
            .map(|row| row.map(|r| r.value))
    };
    let context = setting_context(SESSION_SETTING);
    let open = |stored: String| keyring.open(&stored, &context).map_err(AppError::internal);
    if let Some(stored) = read().await? {
        return open(stored);
    }
    setting::Entity::insert(setting::ActiveModel {
        key: Set(SESSION_SETTING.to_owned()),
        value: Set(keyring.seal(&random_token(64), &context)),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    open(
        read()
            .await?
            .ok_or_else(|| AppError::internal("session secret missing after insert"))?,
    )
}
