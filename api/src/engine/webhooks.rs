//! Webhook delivery: claims due deliveries, signs them (Standard Webhooks), POSTs them, logs
//! every attempt and schedules retries. At-least-once: a claim is a lease, and a worker that
//! dies mid-delivery leaves work another worker picks up when the lease ends.

use crate::shutdown::Stopping;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, SubsecRound, Utc};
use entity::states::DeliveryStatus;
use entity::{event, webhook, webhook_attempt, webhook_delivery};
use futures_util::future::join_all;
use hmac::{Hmac, Mac};
use rand::Rng as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, Set, Statement,
};
use serde_json::json;
use sha2::Sha256;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::error::AppResult;
use crate::secrets::Keyring;
use crate::service::events::{self, DISABLED_EVENT};
use crate::service::network::is_public;
use crate::service::webhooks;

/// How delivery behaves; the defaults are the production schedule.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Waits before each retry (after the first try).
    pub retry_schedule: Vec<Duration>,
    pub timeout: Duration,
    pub poll_interval: Duration,
    /// How long a claim holds before another worker may take the delivery over.
    pub lease: Duration,
    /// An endpoint failing every attempt for this long is disabled.
    pub disable_after: Duration,
    /// Let deliveries reach loopback and private addresses (tests, local development).
    pub allow_private: bool,
    /// Deliveries claimed at once.
    pub batch: u64,
}

impl Default for Settings {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        Settings {
            retry_schedule: vec![
                Duration::from_secs(5),
                minutes(5),
                minutes(30),
                minutes(120),
                minutes(300),
                minutes(600),
                minutes(600),
            ],
            timeout: Duration::from_secs(15),
            // The safety net: new outbox rows wake the worker at once.
            poll_interval: Duration::from_secs(2),
            lease: Duration::from_secs(60),
            disable_after: Duration::from_secs(5 * 24 * 3600),
            allow_private: false,
            batch: 32,
        }
    }
}

/// The Standard Webhooks signature of one message: `v1,` + base64 HMAC-SHA256 of
/// `id.timestamp.body`, keyed with the base64-decoded part of `whsec_…`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

pub use crate::tls::install_tls_provider;

/// Resolves host names, refusing any answer that is not a public address.
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if found.is_empty() || found.iter().any(|a| !is_public(a.ip())) {
                return Err(format!("{} resolves to a non-public address", name.as_str()).into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client deliveries use: no redirects, a timeout, and (unless allowed) no private
/// targets. Failing to build it is an error, never a client without those guards.
pub fn client(settings: &Settings) -> anyhow::Result<reqwest::Client> {
    install_tls_provider();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!("FluenzR-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private {
        builder = builder.dns_resolver(Arc::new(GuardedResolver));
    }
    builder
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build the webhook HTTP client: {e}"))
}

pub fn spawn(
    db: DatabaseConnection,
    settings: Settings,
    keyring: Keyring,
    clock: Clock,
    mut stopping: Stopping,
    watch: super::supervise::Supervision,
) -> JoinHandle<()> {
    use super::supervise::{self, WEBHOOKS};
    tokio::spawn(async move {
        // `app::build` built one already, so this does not fail in practice; if it did, the
        // worker stops loudly rather than deliver without its guards.
        let client = match client(&settings) {
            Ok(client) => client,
            Err(err) => {
                tracing::error!(%err, "webhook worker not started");
                return;
            }
        };
        let hub = crate::signals::local();
        watch
            .health
            .start(WEBHOOKS, settings.poll_interval + watch.pass_limit);
        // A batch in flight is finished (each attempt recorded) before the worker returns.
        while !stopping.is_set() {
            let pass = supervise::guard(
                WEBHOOKS,
                "pass",
                run_once(&db, &client, &settings, &keyring, &clock),
            )
            .await;
            watch.health.beat(WEBHOOKS);
            match pass {
                Some(Ok(n)) if n > 0 => continue,
                Some(Ok(_)) | None => {}
                Some(Err(err)) => {
                    tracing::warn!(code = err.code.as_str(), message = %err.message, "webhook worker")
                }
            }
            // New outbox rows wake it at once; the poll is the safety net (and serves retries
            // that come due).
            tokio::select! {
                _ = hub.outbox(settings.poll_interval) => {}
                _ = stopping.wait() => {}
            }
        }
        watch.health.stop(WEBHOOKS);
    })
}

/// Claims the deliveries due at `now` for this worker: pending ones whose time has come, and
/// ones whose lease ran out. One statement; on PostgreSQL rows locked by another worker are
/// skipped.
pub async fn claim(
    db: &DatabaseConnection,
    limit: u64,
    lease: Duration,
    now: DateTime<Utc>,
) -> AppResult<Vec<webhook_delivery::Model>> {
    let backend = db.get_database_backend();
    let until = crate::clock::after(now, lease);
    let (p, skip_locked) = match backend {
        DbBackend::Postgres => (["$1", "$2", "$3"], "FOR UPDATE SKIP LOCKED"),
        _ => (["?1", "?2", "?3"], ""),
    };
    let sql = format!(
        "UPDATE webhook_deliveries SET status = 'delivering', locked_until = {0}, updated_at = {1} \
         WHERE id IN (SELECT id FROM webhook_deliveries \
           WHERE (status = 'pending' AND next_attempt_at <= {1}) OR (status = 'delivering' AND locked_until < {1}) \
           ORDER BY next_attempt_at LIMIT {2} {skip_locked}) \
         RETURNING id, workspace_id, webhook_id, event_id, status, attempts, next_attempt_at, locked_until, created_at, updated_at",
        p[0], p[1], p[2]
    );
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [until.into(), now.into(), (limit as i64).into()],
    );
    Ok(webhook_delivery::Entity::find()
        .from_raw_sql(statement)
        .all(db)
        .await?)
}

/// Claims and delivers one batch; returns how many deliveries it handled.
pub async fn run_once(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    settings: &Settings,
    keyring: &Keyring,
    clock: &Clock,
) -> AppResult<usize> {
    let claimed = claim(db, settings.batch, settings.lease, clock.now()).await?;
    let n = claimed.len();
    let results = join_all(claimed.into_iter().map(|d| async move {
        // A delivery that panics ends `failed`: tried again it would panic again.
        let id = d.id.to_string();
        match super::supervise::guard(
            super::supervise::WEBHOOKS,
            &id,
            deliver(db, client, settings, keyring, clock, d.clone()),
        )
        .await
        {
            Some(result) => result.map(|_| ()),
            None => finish(db, &d, "failed", None, clock.now()).await,
        }
    }))
    .await;
    for result in results {
        if let Err(err) = result {
            tracing::warn!(code = err.code.as_str(), message = %err.message, "webhook delivery");
        }
    }
    Ok(n)
}

enum Outcome {
    Delivered,
    Gone,
    Failed { retry_after: Option<Duration> },
}

/// How one claimed delivery ended this time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Succeeded,
    Failed,
    /// Tried and scheduled again.
    Retrying,
    /// Its webhook was deleted (before or while it was sent): nothing is recorded, the
    /// delivery went with its webhook.
    Cancelled,
}

fn cancelled(delivery: &webhook_delivery::Model) -> AppResult<Ended> {
    tracing::debug!(
        delivery = delivery.id,
        webhook = %delivery.webhook_id,
        "delivery cancelled: its webhook was deleted"
    );
    Ok(Ended::Cancelled)
}

/// Sends one claimed delivery and records how it went.
pub async fn deliver(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    settings: &Settings,
    keyring: &Keyring,
    clock: &Clock,
    delivery: webhook_delivery::Model,
) -> AppResult<Ended> {
    let webhook = webhook::Entity::find_by_id(delivery.webhook_id.clone())
        .one(db)
        .await?;
    let Some(webhook) = webhook else {
        return cancelled(&delivery);
    };
    let event = event::Entity::find_by_id(delivery.event_id.clone())
        .one(db)
        .await?;
    let Some(event) = event else {
        return finish(db, &delivery, "failed", None, clock.now())
            .await
            .map(|_| Ended::Failed);
    };
    if !webhook.active {
        return finish(db, &delivery, "failed", None, clock.now())
            .await
            .map(|_| Ended::Failed);
    }

    let attempt = delivery.attempts + 1;
    // The one time read from the wall clock: the receiver checks `webhook-timestamp` against
    // its own clock (Standard Webhooks refuses one more than 5 minutes off), so it says when
    // the request leaves this host, whatever time the app runs on.
    let timestamp = Utc::now().timestamp();
    let signatures: Vec<String> = webhooks::signing_secrets(&webhook, keyring, clock.now())?
        .iter()
        .filter_map(|secret| sign(secret, &event.id, timestamp, &event.payload))
        .collect();

    let started = Instant::now();
    let (status_code, error, outcome) = match literal_ip_refused(&webhook.url, settings) {
        Some(reason) => (None, Some(reason), Outcome::Failed { retry_after: None }),
        None => {
            let sent = client
                .post(&webhook.url)
                .header("content-type", "application/json")
                .header("webhook-id", &event.id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signatures.join(" "))
                .body(event.payload.clone())
                .send()
                .await;
            match sent {
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let outcome = if status.is_success() {
                        Outcome::Delivered
                    } else if status == reqwest::StatusCode::GONE {
                        Outcome::Gone
                    } else {
                        Outcome::Failed { retry_after }
                    };
                    let error = (!status.is_success()).then(|| format!("HTTP {}", status.as_u16()));
                    (Some(i32::from(status.as_u16())), error, outcome)
                }
                Err(err) => {
                    let reason = if err.is_timeout() {
                        "timed out".to_owned()
                    } else if err.is_connect() {
                        format!("could not connect: {}", root_cause(&err))
                    } else {
                        format!("request failed: {}", root_cause(&err))
                    };
                    (None, Some(reason), Outcome::Failed { retry_after: None })
                }
            }
        }
    };
    let duration_ms = started.elapsed().as_millis() as i64;
    // What the attempt changes is recorded in one transaction, on the webhook's row held
    // (PostgreSQL `FOR SHARE`; a SQLite write transaction excludes other writers): a webhook
    // deleted while its delivery was on the wire took the delivery with it, so there is
    // nothing to record.
    let txn = crate::db::begin_write(db).await?;
    let held = webhook::Entity::find_by_id(webhook.id.clone())
        .lock_shared()
        .one(&txn)
        .await?;
    if held.is_none() {
        drop(txn);
        return cancelled(&delivery);
    }
    let ended = record(
        &txn,
        settings,
        &webhook,
        &event,
        &delivery,
        Attempt {
            number: attempt,
            status_code,
            error,
            duration_ms,
            outcome,
            at: clock.now(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}

/// One finished try of a delivery.
struct Attempt {
    number: i32,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
    outcome: Outcome,
    /// When it ended (on the app's clock).
    at: DateTime<Utc>,
}

/// Logs an attempt and moves its delivery (and webhook) on.
async fn record(
    db: &impl ConnectionTrait,
    settings: &Settings,
    webhook: &webhook::Model,
    event: &event::Model,
    delivery: &webhook_delivery::Model,
    tried: Attempt,
) -> AppResult<Ended> {
    let Attempt {
        number: attempt,
        status_code,
        error,
        duration_ms,
        outcome,
        at: now,
    } = tried;
    webhook_attempt::ActiveModel {
        workspace_id: Set(webhook.workspace_id.clone()),
        webhook_id: Set(webhook.id.clone()),
        event_id: Set(event.id.clone()),
        event_type: Set(event.event_type.clone()),
        attempt: Set(attempt),
        status_code: Set(status_code),
        error: Set(error),
        duration_ms: Set(duration_ms),
        success: Set({
            let delivered = matches!(outcome, Outcome::Delivered);
            crate::metrics::get()
                .webhook_attempts
                .get_or_create(&crate::metrics::outcome(if delivered {
                    "success"
                } else {
                    "failure"
                }))
                .inc();
            delivered
        }),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;

    match outcome {
        Outcome::Delivered => {
            webhook::Entity::update_many()
                .col_expr(
                    webhook::Column::FailingSince,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .filter(webhook::Column::Id.eq(&webhook.id))
                .filter(webhook::Column::FailingSince.is_not_null())
                .exec(db)
                .await?;
            finish(db, delivery, "succeeded", Some(attempt), now).await?;
            Ok(Ended::Succeeded)
        }
        Outcome::Gone => {
            disable(db, webhook, "The endpoint answered 410 Gone", now).await?;
            finish(db, delivery, "failed", Some(attempt), now).await?;
            Ok(Ended::Failed)
        }
        Outcome::Failed { retry_after } => {
            webhook::Entity::update_many()
                .col_expr(webhook::Column::FailingSince, Expr::value(now))
                .filter(webhook::Column::Id.eq(&webhook.id))
                .filter(webhook::Column::FailingSince.is_null())
                .exec(db)
                .await?;
            let failing_since = webhook.failing_since.unwrap_or(now);
            let limit = crate::clock::span(settings.disable_after);
            if now - failing_since >= limit {
                disable(
                    db,
                    webhook,
                    "Every delivery failed for the disable period",
                    now,
                )
                .await?;
                finish(db, delivery, "failed", Some(attempt), now).await?;
                return Ok(Ended::Failed);
            }
            let Some(wait) = settings.retry_schedule.get(delivery.attempts as usize) else {
                finish(db, delivery, "failed", Some(attempt), now).await?;
                return Ok(Ended::Failed);
            };
            let jitter = rand::rng().random_range(0.9..1.1);
            let mut wait = wait.mul_f64(jitter);
            if let Some(asked) = retry_after {
                wait = wait.max(asked.min(Duration::from_secs(24 * 3600)));
            }
            // Stored as the clock keeps time, to the microsecond.
            let next = crate::clock::after(now, wait).trunc_subsecs(6);
            let row = webhook_delivery::ActiveModel {
                id: Set(delivery.id),
                status: Set(DeliveryStatus::Pending),
                attempts: Set(attempt),
                next_attempt_at: Set(next),
                locked_until: Set(None),
                updated_at: Set(now),
                ..Default::default()
            };
            row.update(db).await?;
            Ok(Ended::Retrying)
        }
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Literal IP targets skip DNS, so they are checked here.
fn literal_ip_refused(url: &str, settings: &Settings) -> Option<String> {
    if settings.allow_private {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    let ip = match parsed.host()? {
        url::Host::Ipv4(ip) => std::net::IpAddr::V4(ip),
        url::Host::Ipv6(ip) => std::net::IpAddr::V6(ip),
        url::Host::Domain(_) => return None,
    };
    (!is_public(ip)).then(|| format!("refused: {ip} is not a public address"))
}

/// Ends a delivery; one whose webhook was deleted meanwhile is gone already, and stays gone.
async fn finish(
    db: &impl ConnectionTrait,
    delivery: &webhook_delivery::Model,
    status: &str,
    attempts: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::value(attempts.unwrap_or(delivery.attempts)),
        )
        .col_expr(
            webhook_delivery::Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .exec(db)
        .await?;
    Ok(())
}

async fn disable(
    db: &impl ConnectionTrait,
    webhook: &webhook::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let changed = webhook::Entity::update_many()
        .col_expr(webhook::Column::Active, Expr::value(false))
        .col_expr(webhook::Column::DisabledReason, Expr::value(reason))
        .col_expr(webhook::Column::UpdatedAt, Expr::value(now))
        .filter(webhook::Column::Id.eq(&webhook.id))
        .filter(webhook::Column::Active.eq(true))
        .exec(db)
        .await?;
    if changed.rows_affected == 1 {
        events::record_only(
            db,
            &webhook.workspace_id,
            DISABLED_EVENT,
            json!({ "webhookId": webhook.id, "url": webhook.url, "reason": reason }),
            now,
        )
        .await?;
        tracing::info!(webhook = %webhook.id, reason, "webhook disabled");
    }
    Ok(())
}
