//! Who is calling: bearer token → `Principal`, the plan gate, sessions (JWT) and the rate limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::accounts;
use crate::service::workspaces::{self, Plan};

pub const ISSUER: &str = "fluenzr";
pub const AUDIENCE: &str = "fluenzr-api";
/// Lifetime of a session token, in seconds.
pub const SESSION_TTL_SECS: i64 = 3600;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    ApiKey { key_id: String },
    User { user_id: String },
}

/// The authenticated caller; every tenant query is scoped by `workspace_id`.
#[derive(Clone, Debug)]
pub struct Principal {
    pub workspace_id: String,
    pub plan: Plan,
    pub kind: PrincipalKind,
}

impl Principal {
    /// The user behind a session; API keys may not do what only people should.
    pub fn user_id(&self) -> AppResult<&str> {
        match &self.kind {
            PrincipalKind::User { user_id } => Ok(user_id),
            PrincipalKind::ApiKey { .. } => Err(AppError::forbidden(
                "This operation needs a user session, not an API key",
            )),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub wsp: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Issues and checks session tokens: HS256 only, with `exp`, `iss` and `aud` enforced.
pub struct Sessions {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    clock: crate::clock::Clock,
}

impl Sessions {
    /// Sessions signed with `secret`, issued and expiring on `clock`.
    pub fn new(secret: &[u8], clock: crate::clock::Clock) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        // The expiry is checked against `clock` below (the library would read the system's).
        validation.validate_exp = false;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Sessions {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            clock,
        }
    }

    pub fn issue(&self, user_id: &str, workspace_id: &str) -> AppResult<(String, DateTime<Utc>)> {
        let now = self.clock.now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            wsp: workspace_id.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + SESSION_TTL_SECS,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        let expires = DateTime::from_timestamp(claims.exp, 0).unwrap_or_default();
        Ok((token, expires))
    }

    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| {
                use jsonwebtoken::errors::ErrorKind;
                let message = match err.kind() {
                    ErrorKind::ExpiredSignature => "Session token has expired",
                    ErrorKind::InvalidAudience => "Session token has the wrong audience",
                    ErrorKind::InvalidIssuer => "Session token has the wrong issuer",
                    ErrorKind::InvalidAlgorithm => "Session token uses a disallowed algorithm",
                    _ => "Invalid session token",
                };
                AppError::unauthenticated(message)
            })?;
        if claims.exp < self.clock.now().timestamp() {
            return Err(AppError::unauthenticated("Session token has expired"));
        }
        Ok(claims)
    }
}

/// API keys this process verified recently, by the hash of their secret, so a burst of
/// requests costs one lookup. An entry is trusted for `ttl`; a key revoked through this process
/// is dropped at once, one revoked elsewhere (another instance) stops working within `ttl`.
/// Unknown or revoked keys are never cached.
pub struct KeyCache {
    ttl: Duration,
    clock: crate::clock::Clock,
    entries: Mutex<HashMap<String, CachedKey>>,
}

#[derive(Clone)]
struct CachedKey {
    key_id: String,
    principal: Principal,
    checked_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
}

/// Most entries kept; past it, expired ones are swept before inserting.
const KEY_CACHE_CAPACITY: usize = 10_000;

impl KeyCache {
    /// A zero `ttl` turns the cache off.
    pub fn new(ttl: Duration, clock: crate::clock::Clock) -> Self {
        KeyCache {
            ttl,
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, hash: &str) -> Option<CachedKey> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(hash)
            .filter(|entry| self.clock.since(entry.checked_at) < self.ttl)
            .cloned()
    }

    fn put(&self, hash: String, entry: CachedKey) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= KEY_CACHE_CAPACITY {
            entries.retain(|_, e| self.clock.since(e.checked_at) < self.ttl);
            if entries.len() >= KEY_CACHE_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(hash, entry);
    }

    /// Forgets a key at once (it was revoked).
    pub fn forget(&self, key_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, e| e.key_id != key_id);
    }

    /// Drops every key of a workspace (its plan changed).
    pub fn forget_workspace(&self, workspace_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, e| e.principal.workspace_id != workspace_id);
    }
}

impl crate::signals::Forgets for KeyCache {
    fn forget_key(&self, key_id: &str) {
        self.forget(key_id);
    }

    fn forget_workspace(&self, workspace_id: &str) {
        KeyCache::forget_workspace(self, workspace_id);
    }
}

/// Resolves an `Authorization` header value. No header is `Ok(None)`: the caller decides
/// whether anonymous access is allowed.
pub async fn authenticate(
    db: &DatabaseConnection,
    sessions: &Sessions,
    keys: &KeyCache,
    header: Option<&str>,
) -> AppResult<Option<Principal>> {
    let Some(header) = header else {
        return Ok(None);
    };
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::unauthenticated("Authorization must be 'Bearer <token>'"))?;

    if token.starts_with(accounts::API_KEY_PREFIX) {
        let hash = accounts::hash_key(token);
        if let Some(cached) = keys.get(&hash) {
            let last_used_at = accounts::touch_api_key(
                db,
                &cached.key_id,
                Some(cached.last_used_at),
                keys.clock.now(),
            )
            .await?;
            if last_used_at != cached.last_used_at {
                keys.put(
                    hash,
                    CachedKey {
                        last_used_at,
                        ..cached.clone()
                    },
                );
            }
            return Ok(Some(cached.principal));
        }
        let (key, workspace) = accounts::find_api_key(db, token)
            .await?
            .ok_or_else(|| AppError::unauthenticated("Invalid or revoked API key"))?;
        let plan = workspace.plan;
        if !workspaces::allows_api_keys(plan) {
            return Err(AppError::new(
                ErrorCode::PlanRequired,
                "API access with API keys needs the Pro plan",
            )
            .with_details(serde_json::json!({ "plan": plan.as_str(), "requiredPlan": "pro" })));
        }
        let last_used_at =
            accounts::touch_api_key(db, &key.id, key.last_used_at, keys.clock.now()).await?;
        let principal = Principal {
            workspace_id: workspace.id,
            plan,
            kind: PrincipalKind::ApiKey {
                key_id: key.id.clone(),
            },
        };
        keys.put(
            hash,
            CachedKey {
                key_id: key.id,
                principal: principal.clone(),
                checked_at: keys.clock.now(),
                last_used_at,
            },
        );
        return Ok(Some(principal));
    }

    let claims = sessions.verify(token)?;
    let (user, workspace) = accounts::get_user_with_workspace(db, &claims.wsp, &claims.sub)
        .await
        .map_err(|e| match e.code {
            ErrorCode::NotFound => AppError::unauthenticated("Invalid session token"),
            _ => e,
        })?;
    let plan = workspace.plan;
    Ok(Some(Principal {
        workspace_id: workspace.id,
        plan,
        kind: PrincipalKind::User { user_id: user.id },
    }))
}
