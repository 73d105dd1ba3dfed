//! Idempotent writes: a key is claimed before the request runs and holds its answer for 24 h.

use chrono::{DateTime, Duration, Utc};
use entity::idempotency_key;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TryInsertResult,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, ErrorCode};

pub const MAX_KEY_LEN: usize = 255;
const RETENTION_HOURS: i64 = 24;
/// How long a claim without an answer holds: longer than any request runs, so an older one
/// belongs to a process that died mid-request, and the key may be claimed again.
pub const LEASE_SECONDS: i64 = 120;

/// What to do with a request carrying an idempotency key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First use: run the request, then `complete` (or `release` on a server error).
    Fresh,
    /// Seen before with the same request: answer with this.
    Replay { status: u16, body: String },
}

/// The fingerprint a replay must match.
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update(b"\n");
    hasher.update(path_and_query.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn invalid_key() -> AppError {
    AppError::invalid_field(
        "Idempotency-Key",
        format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
    )
}

pub async fn claim(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<Claim> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid_key());
    }
    let cutoff = now - Duration::hours(RETENTION_HOURS);
    for _ in 0..2 {
        let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
            workspace_id: Set(workspace_id.to_owned()),
            key: Set(key.to_owned()),
            request_hash: Set(request_hash.to_owned()),
            status: Set(None),
            response_body: Set(None),
            created_at: Set(now),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
        if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            return Ok(Claim::Fresh);
        }
        let Some(existing) =
            idempotency_key::Entity::find_by_id((workspace_id.to_owned(), key.to_owned()))
                .one(db)
                .await?
        else {
            continue;
        };
        if existing.created_at < cutoff {
            // Expired: forget it and claim afresh.
            idempotency_key::Entity::delete_many()
                .filter(idempotency_key::Column::WorkspaceId.eq(workspace_id))
                .filter(idempotency_key::Column::Key.eq(key))
                .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
                .exec(db)
                .await?;
            continue;
        }
        let abandoned = now - Duration::seconds(LEASE_SECONDS);
        if existing.status.is_none() && existing.created_at < abandoned {
            // Its process died before answering: take the key over (one caller wins).
            idempotency_key::Entity::delete_many()
                .filter(idempotency_key::Column::WorkspaceId.eq(workspace_id))
                .filter(idempotency_key::Column::Key.eq(key))
                .filter(idempotency_key::Column::Status.is_null())
                .filter(idempotency_key::Column::CreatedAt.lt(abandoned))
                .exec(db)
                .await?;
            continue;
        }
        if existing.request_hash != request_hash {
            return Err(AppError::new(
                ErrorCode::BadRequest,
                "This Idempotency-Key was already used with a different request",
            )
            .with_details(json!({ "idempotencyKey": key })));
        }
        return match (existing.status, existing.response_body) {
            (Some(status), Some(body)) => Ok(Claim::Replay {
                status: u16::try_from(status).unwrap_or(200),
                body,
            }),
            _ => Err(AppError::conflict(
                "A request with this Idempotency-Key is still being processed",
            )
            .with_details(json!({ "idempotencyKey": key }))),
        };
    }
    Err(AppError::conflict(
        "Could not claim this Idempotency-Key; retry",
    ))
}

/// Stores the answer of a claimed request.
pub async fn complete(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    key: &str,
    status: u16,
    body: String,
) -> AppResult<()> {
    let row = idempotency_key::ActiveModel {
        workspace_id: Set(workspace_id.to_owned()),
        key: Set(key.to_owned()),
        status: Set(Some(i32::from(status))),
        response_body: Set(Some(body)),
        ..Default::default()
    };
    row.update(db).await?;
    Ok(())
}

/// Frees a claim whose request failed on the server side, so a retry runs again.
pub async fn release(db: &impl ConnectionTrait, workspace_id: &str, key: &str) -> AppResult<()> {
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::WorkspaceId.eq(workspace_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes answers older than the retention period at `now`.
pub async fn purge_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    let cutoff = now - Duration::hours(RETENTION_HOURS);
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}
