//! Prometheus metrics of this process (`GET /metrics`, text format): requests by route and
//! status with latency histograms, rate-limited requests, webhook attempts and emails by
//! outcome, worker claim latency, and, read from the database at each scrape, the outbox's
//! depth and age and the sends that are due but not yet sent.
//!
//! Every label takes its value from a fixed set the server owns, never from what a client
//! sent: an unknown method is `other`, a path no route matches is `unmatched`, statuses are the
//! ones the server answers with. A client can add no series.

use std::sync::OnceLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// One of [`METHODS`], or `other`.
    pub method: &'static str,
    /// The route template (`/v1/contacts/{id}`), never the raw path; `unmatched` when no
    /// route matched.
    pub route: String,
    pub status: u16,
}

/// The methods counted by name; any other is counted as `other`.
pub const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The route label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// The method label of a request: its name when it is one of [`METHODS`], else `other`.
pub fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other")
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EngineLabels {
    /// A background loop's name (`sender`, `mailbox`, `webhooks`, `imports`, `purge`).
    pub engine: &'static str,
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Histogram>,
    pub rate_limited: Counter,
    pub webhook_attempts: Family<OutcomeLabels, Counter>,
    pub emails: Family<OutcomeLabels, Counter>,
    pub claim_seconds: Histogram,
    pub engine_panics: Family<EngineLabels, Counter>,
    outbox_depth: Gauge,
    outbox_age_seconds: Gauge,
    due_unsent: Gauge,
    /// Connections `db::Reads` holds beside the pool, idle or in use.
    pub dedicated_reads: Gauge,
    /// SMTP connections the sending worker holds open, idle or in use.
    pub smtp_connections: Gauge,
    /// SMTP transactions in flight (bounded by `FLUENZR_SMTP_CONCURRENCY`).
    pub smtp_in_flight: Gauge,
}

fn latency_buckets() -> impl Iterator<Item = f64> {
    [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ]
    .into_iter()
}

/// The metrics of this process.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("fluenzr");
        let requests =
            Family::<RequestLabels, Histogram>::new_with_constructor(|| {
                Histogram::new(latency_buckets())
            });
        registry.register(
            "http_request_duration_seconds",
            "HTTP requests by method, route and status, with their latency",
            requests.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "rate_limited_requests",
            "Requests refused with 429 for their workspace's budget",
            rate_limited.clone(),
        );
        let webhook_attempts = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts by outcome (success, failure)",
            webhook_attempts.clone(),
        );
        let emails = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "emails",
            "Email send outcomes (sent, bounced, deferred, failed, unknown, account_error, released)",
            emails.clone(),
        );
        let claim_seconds = Histogram::new(latency_buckets());
        registry.register(
            "worker_claim_duration_seconds",
            "Time the sending worker takes to claim a batch of due emails",
            claim_seconds.clone(),
        );
        let engine_panics = Family::<EngineLabels, Counter>::default();
        registry.register(
            "engine_panics",
            "Panics caught in a background loop's job (the job ends failed, the loop goes on)",
            engine_panics.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register(
            "outbox_depth",
            "Webhook deliveries waiting (pending or being delivered)",
            outbox_depth.clone(),
        );
        let outbox_age_seconds = Gauge::default();
        registry.register(
            "outbox_age_seconds",
            "Age of the oldest waiting webhook delivery",
            outbox_age_seconds.clone(),
        );
        let due_unsent = Gauge::default();
        registry.register(
            "emails_due_unsent",
            "Enrolments of running campaigns whose next email is due now",
            due_unsent.clone(),
        );
        let dedicated_reads = Gauge::default();
        registry.register(
            "dedicated_read_connections",
            "PostgreSQL connections listing reads hold beside the pool (idle or in use)",
            dedicated_reads.clone(),
        );
        let smtp_connections = Gauge::default();
        registry.register(
            "smtp_connections",
            "SMTP connections the sending worker holds open (idle or in use)",
            smtp_connections.clone(),
        );
        let smtp_in_flight = Gauge::default();
        registry.register(
            "smtp_transactions_in_flight",
            "SMTP transactions in flight (at most FLUENZR_SMTP_CONCURRENCY per worker)",
            smtp_in_flight.clone(),
        );
        Metrics {
            registry,
            requests,
            rate_limited,
            webhook_attempts,
            emails,
            claim_seconds,
            engine_panics,
            outbox_depth,
            outbox_age_seconds,
            due_unsent,
            dedicated_reads,
            smtp_connections,
            smtp_in_flight,
        }
    })
}

/// One unit of a gauge, from its making to its drop (however its holder ends).
pub struct Held(Gauge);

impl Held {
    pub fn new(gauge: &Gauge) -> Held {
        gauge.inc();
        Held(gauge.clone())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.dec();
    }
}

pub fn outcome(name: &'static str) -> OutcomeLabels {
    OutcomeLabels { outcome: name }
}

/// The gauges the database answers, read by the caller at each scrape.
#[derive(Clone, Copy, Debug, Default)]
pub struct DatabaseGauges {
    /// Webhook deliveries waiting (pending or being delivered).
    pub outbox_depth: i64,
    /// Age of the oldest waiting delivery, in seconds.
    pub outbox_age_seconds: i64,
    /// Enrolments of running campaigns whose next email is due now.
    pub due_unsent: i64,
}

impl Metrics {
    /// Renders everything in the text format, with the gauges read from the database.
    pub async fn render(&self, read: DatabaseGauges) -> crate::error::AppResult<String> {
        self.outbox_depth.set(read.outbox_depth);
        self.outbox_age_seconds.set(read.outbox_age_seconds);
        self.due_unsent.set(read.due_unsent);
        self.render_local().await
    }

    /// Renders what this process counted, without reading the database.
    pub async fn render_local(&self) -> crate::error::AppResult<String> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .map_err(crate::error::AppError::internal)?;
        Ok(out)
    }
}
