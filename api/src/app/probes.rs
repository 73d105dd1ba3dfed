//! What operators and orchestrators poll: liveness, readiness and the Prometheus metrics.

use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::error::{AppError, ErrorCode};
use crate::request::RequestId;
use crate::rest;

pub(super) async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => rest::json_response(StatusCode::OK, &json!({ "status": "ok" })),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            rest::json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "status": "unavailable" }),
            )
        }
    }
}

/// Ready to serve: the database answers, every migration is applied and every background
/// loop of this process finished a pass within its period.
pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    use migration::MigratorTrait as _;
    let ping = state.db.ping().await;
    let pending = migration::Migrator::get_pending_migrations(&state.db).await;
    match (ping, pending) {
        (Ok(()), Ok(pending)) if pending.is_empty() => {
            let stalled = state.health.stalled();
            if stalled.is_empty() {
                rest::json_response(StatusCode::OK, &json!({ "status": "ready" }))
            } else {
                tracing::warn!(?stalled, "not ready: a background loop stalled");
                rest::json_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &json!({ "status": "engine_stalled", "engines": stalled }),
                )
            }
        }
        (Ok(()), Ok(pending)) => rest::json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "status": "migrations_pending", "pending": pending.len() }),
        ),
        (Err(err), _) | (_, Err(err)) => {
            tracing::warn!(%err, "not ready: database unreachable");
            rest::json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "status": "database_unreachable" }),
            )
        }
    }
}

/// The gauges `/metrics` reads from the database at each scrape, as of `now`.
async fn database_gauges(
    db: &sea_orm::DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::error::AppResult<crate::metrics::DatabaseGauges> {
    let (outbox_depth, outbox_age_seconds) =
        crate::service::webhooks::outbox_backlog(db, now).await?;
    Ok(crate::metrics::DatabaseGauges {
        outbox_depth,
        outbox_age_seconds,
        due_unsent: crate::service::sending::due_unsent(db, now).await?,
    })
}

/// Prometheus metrics; with `FLUENZR_METRICS_TOKEN` set, only for `Authorization: Bearer
/// <token>`.
pub(super) async fn metrics(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let expected = token.expose().as_bytes();
        let matches = given.len() == expected.len()
            && given
                .bytes()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !matches {
            let err = AppError::unauthenticated(
                "A metrics token is required: send 'Authorization: Bearer <token>'",
            );
            return rest::error_response(&err, &request_id);
        }
    }
    let rendered = match database_gauges(&state.db, state.config.clock.now()).await {
        Ok(gauges) => crate::metrics::get().render(gauges).await,
        Err(err) => Err(err),
    };
    match rendered {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(code = err.code.as_str(), "metrics could not be read");
            let body = json!({
                "success": false,
                "error": {
                    "code": ErrorCode::Internal.as_str(),
                    "message": "Metrics could not be read",
                    "details": { "requestId": request_id.0 },
                },
            });
            rest::json_response(StatusCode::SERVICE_UNAVAILABLE, &body)
        }
    }
}
