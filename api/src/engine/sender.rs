//! The sending worker: claims due emails (committed as `sending` first), sends them over SMTP —
//! one account's emails in order on its pooled connection, accounts side by side — and records
//! each outcome. Also sweeps `sending` rows a dead process left behind.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::task::{JoinHandle, JoinSet};

use super::batch::Batcher;
use super::smtp::{Pool, Timeouts, Trust};
use super::supervise::{self, SENDER, Supervision};
use crate::clock::Clock;
use crate::error::AppResult;
use crate::secrets::Keyring;
use crate::service::dns::Dns;
use crate::service::domains::Signers;
use crate::service::pacing::{self, Providers};
use crate::service::sending::{self, Begun, Job, Outcome, Policy};
use crate::service::tracking::Tracker;
use crate::service::{addresses, email_accounts, quotas};
use crate::shutdown::Stopping;

/// How the worker runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Sleep between passes that found nothing to send.
    pub poll_interval: Duration,
    /// Emails claimed per pass.
    pub batch: usize,
    pub timeouts: Timeouts,
    /// SMTP transactions in flight at once, across every account (`FLUENZR_SMTP_CONCURRENCY`).
    pub smtp_concurrency: usize,
    /// Certificates trusted for SMTP TLS beside the public roots (`FLUENZR_SMTP_CA_FILE`).
    pub trust: Trust,
    /// Let SMTP hosts resolve to loopback and private addresses (set from the operator's one
    /// allow-private setting).
    pub allow_private: bool,
    pub policy: Policy,
    /// How often stale `sending` rows are looked for.
    pub sweep_interval: Duration,
    /// The DNS server recipient domains' MX records are asked of (`FLUENZR_DNS_SERVER`); the
    /// system's when none.
    pub dns_server: Option<std::net::SocketAddr>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // Newly due sends wake the worker at once; this serves what comes due with time.
            poll_interval: Duration::from_secs(1),
            batch: 64,
            timeouts: Timeouts::default(),
            smtp_concurrency: 500,
            trust: Trust::default(),
            allow_private: false,
            policy: Policy::default(),
            sweep_interval: Duration::from_secs(30),
            dns_server: None,
        }
    }
}

/// One sending worker.
#[derive(Clone)]
pub struct Sender {
    db: DatabaseConnection,
    /// Set when the process is stopping: lanes send no further email.
    stopping: Stopping,
    /// Opens the accounts' stored SMTP passwords.
    keyring: Keyring,
    tracker: Tracker,
    clock: Clock,
    settings: Settings,
    pool: Arc<Pool>,
    busy: BusyAccounts,
    /// The steps every lane takes, done for many lanes at once (started on first use; they
    /// end when the last clone of this worker is dropped).
    steps: Arc<OnceLock<Steps>>,
    /// On SQLite (one writer at a time), this worker's claims and batched steps take turns
    /// here instead of in SQLite's busy handler, whose sleeps (1 to 100 ms) leave the
    /// database idle between writers; `None` on PostgreSQL.
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
    dns: Dns,
    /// The domains' DKIM keys, loaded once each.
    signers: Signers,
    /// Recipient domains' providers, for hourly provider limits.
    providers: Providers,
}

/// What lanes hand over to be done together: starting their next email, saving a server's
/// acceptance, recording an accepted email's outcome.
struct Steps {
    starts: Batcher<Job, AppResult<Begun>>,
    acceptances: Batcher<(Job, String), AppResult<()>>,
    records: Batcher<(Job, String), ()>,
}

/// What the batched steps write with: the worker's database, clock, policy and (on SQLite)
/// its writers' turn.
#[derive(Clone)]
struct Writes {
    db: DatabaseConnection,
    clock: Clock,
    policy: Policy,
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl Writes {
    /// Starts a batch of claimed emails; answers each in order.
    async fn start(&self, jobs: Vec<Job>) -> Vec<AppResult<Begun>> {
        let _turn = take_turn(self.writer.as_deref()).await;
        match sending::begin_many(&self.db, &self.policy, &jobs, self.clock.now()).await {
            Ok(begun) => begun.into_iter().map(Ok).collect(),
            Err(err) => jobs.iter().map(|_| Err(err.clone())).collect(),
        }
    }

    /// Saves a batch of servers' acceptances.
    async fn save_acceptances(&self, accepted: Vec<(Job, String)>) -> Vec<AppResult<()>> {
        let _turn = take_turn(self.writer.as_deref()).await;
        let saved = sending::accepted_many(&self.db, &accepted).await;
        accepted.iter().map(|_| saved.clone()).collect()
    }

    /// Records a batch of accepted emails together; a batch that fails, email by email.
    async fn record_sent(&self, sent: Vec<(Job, String)>) -> Vec<()> {
        let n = sent.len();
        let turn = take_turn(self.writer.as_deref()).await;
        let together = sending::finish_sent(&self.db, &sent, self.clock.now()).await;
        drop(turn);
        if let Err(err) = together {
            tracing::warn!(code = err.code.as_str(), message = %err.message, "recording a batch of sent emails failed; recording each alone");
            for (job, reply) in sent {
                let outcome = Outcome::Sent(reply);
                let alone =
                    sending::finish(&self.db, &self.policy, &job, outcome, self.clock.now());
                if let Some(Err(err)) = supervise::guard(SENDER, &job.message.id, alone).await {
                    // The row stays `sending`; the sweep reports it as unknown.
                    tracing::error!(message = %job.message.id, code = err.code.as_str(), "recording a send outcome failed");
                }
            }
        }
        crate::metrics::get()
            .emails
            .get_or_create(&crate::metrics::outcome(
                Outcome::Sent(String::new()).label(),
            ))
            .inc_by(n as u64);
        vec![(); n]
    }
}

/// Most emails one batched step takes at once.
const STEP_BATCH: usize = 64;

impl Sender {
    pub fn new(
        db: DatabaseConnection,
        keyring: Keyring,
        tracker: Tracker,
        clock: Clock,
        settings: Settings,
    ) -> Sender {
        let pool = Arc::new(Pool::new(
            &settings.timeouts,
            &settings.trust,
            settings.allow_private,
            settings.smtp_concurrency,
        ));
        let writer = (db.get_database_backend() == sea_orm::DbBackend::Sqlite)
            .then(|| Arc::new(tokio::sync::Mutex::new(())));
        let settings_dns = settings.dns_server;
        Sender {
            db,
            stopping: Stopping::never(),
            keyring,
            tracker,
            clock,
            settings,
            pool,
            busy: BusyAccounts::default(),
            steps: Arc::default(),
            writer,
            dns: Dns::new(settings_dns),
            signers: Signers::default(),
            providers: Providers::default(),
        }
    }

    /// The resolver this worker asks DNS with.
    pub fn dns(&self) -> &Dns {
        &self.dns
    }

    /// The batched steps: one task each gathers what this worker's lanes submitted while its
    /// previous batch ran and does it in one statement or transaction (whose statements do
    /// not grow with the batch), so hundreds of lanes in flight cost a few writes per batch
    /// instead of several each. Outcomes are recorded in one transaction per batch; a batch
    /// that fails is recorded email by email.
    fn steps(&self) -> &Steps {
        self.steps.get_or_init(|| {
            // The tasks hold no clone of the worker: they end when it is dropped.
            let writes = Writes {
                db: self.db.clone(),
                clock: self.clock.clone(),
                policy: self.settings.policy.clone(),
                writer: self.writer.clone(),
            };
            let (w, s, r) = (writes.clone(), writes.clone(), writes);
            Steps {
                starts: Batcher::spawn(SENDER, "starting emails", STEP_BATCH, move |jobs| {
                    let w = w.clone();
                    async move { w.start(jobs).await }
                }),
                acceptances: Batcher::spawn(SENDER, "saving acceptances", STEP_BATCH, move |a| {
                    let s = s.clone();
                    async move { s.save_acceptances(a).await }
                }),
                records: Batcher::spawn(SENDER, "recording sent emails", STEP_BATCH, move |a| {
                    let r = r.clone();
                    async move { r.record_sent(a).await }
                }),
            }
        })
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Another worker like this one, on its own database pool and SMTP connections (as a
    /// second process would be).
    pub fn fork(&self, db: DatabaseConnection) -> Sender {
        Sender::new(
            db,
            self.keyring.clone(),
            self.tracker.clone(),
            self.clock.clone(),
            self.settings.clone(),
        )
    }

    /// One pass: claims what is due now and sends it, waiting for every lane; returns how
    /// many emails it handled. (The running worker does not wait: see `spawn`.)
    pub async fn run_once(&self) -> AppResult<usize> {
        let mut lanes = JoinSet::new();
        let n = self.dispatch(&mut lanes).await?;
        while let Some(lane) = lanes.join_next().await {
            if let Err(err) = lane {
                tracing::error!(%err, "a sending lane stopped");
            }
        }
        Ok(n)
    }

    /// Claims what is due now for the accounts that have no lane in flight here, and starts a
    /// lane per account in `lanes` without waiting for it; returns how many emails it claimed.
    /// With `smtp_concurrency` lanes in flight it claims nothing until one ends.
    async fn dispatch(&self, lanes: &mut JoinSet<()>) -> AppResult<usize> {
        let started = Instant::now();
        let busy = self.busy.lock().unwrap_or_else(|e| e.into_inner()).clone();
        // Each lane has one SMTP transaction in flight at most: with as many lanes as may send
        // at once, this worker claims no more (a claimed email would only wait here, holding
        // its composed message, while another worker could send it).
        if busy.len() >= self.settings.smtp_concurrency {
            return Ok(0);
        }
        let turn = take_turn(self.writer.as_deref()).await;
        let jobs = sending::claim_except(
            &self.db,
            &self.tracker,
            &self.settings.policy,
            self.clock.now(),
            self.settings.batch,
            &busy,
        )
        .await;
        drop(turn);
        let jobs = jobs?;
        crate::metrics::get()
            .claim_seconds
            .observe(started.elapsed().as_secs_f64());
        let n = jobs.len();
        let mut by_account: HashMap<String, Vec<Job>> = HashMap::new();
        for job in jobs {
            by_account
                .entry(job.account.id.clone())
                .or_default()
                .push(job);
        }
        for (account, jobs) in by_account {
            let me = self.clone();
            let held = Busy::hold(&self.busy, account);
            lanes.spawn(async move {
                let _held = held;
                // A panic outside a send (recording it, say) ends this lane only; what it had
                // not started returns to due when its lease ends.
                let account = jobs
                    .first()
                    .map(|j| j.account.id.clone())
                    .unwrap_or_default();
                supervise::guard(SENDER, &format!("lane {account}"), me.lane(jobs)).await;
            });
        }
        Ok(n)
    }

    /// Sends one account's claimed emails in order: each is started (committed `sending`, alone)
    /// just before its SMTP transaction, and its outcome recorded while the next one starts;
    /// the claim's lease is renewed while the lane works through it. Stopping, what was not
    /// started goes back to due.
    async fn lane(&self, jobs: Vec<Job>) {
        let policy = &self.settings.policy;
        let mut renewed = Instant::now();
        // Every email of a lane is from one account, so from one domain and one key.
        let signing = match jobs.first() {
            Some(job) => {
                let (workspace, from) = (&job.account.workspace_id, &job.account.email);
                let found = self
                    .signers
                    .for_sender(&self.db, &self.keyring, workspace, from);
                found.await.unwrap_or_else(|err| {
                    tracing::warn!(
                        code = err.code.as_str(),
                        "could not read a domain's DKIM key: sending unsigned"
                    );
                    None
                })
            }
            None => None,
        };
        let limits = jobs
            .first()
            .and_then(|j| pacing::provider_limits_of(&j.account));
        let mut recording: Option<JoinHandle<()>> = None;
        for job in jobs {
            if self.stopping.is_set() {
                if let Err(err) = sending::release(
                    &self.db,
                    &job,
                    "not started: the worker stopped",
                    self.clock.now(),
                )
                .await
                {
                    tracing::warn!(message = %job.message.id, code = err.code.as_str(), "could not hand a claim back; its lease will");
                }
                crate::metrics::get()
                    .emails
                    .get_or_create(&crate::metrics::outcome(Outcome::Released.label()))
                    .inc();
                continue;
            }
            if renewed.elapsed() > policy.lease / 3 {
                renewed = Instant::now();
                if let Err(err) = sending::renew(&self.db, policy, &job.token).await {
                    tracing::warn!(code = err.code.as_str(), "could not renew a claim's lease");
                }
            }
            if let Some(limits) = &limits
                && !self.provider_room(&job, limits).await
            {
                continue;
            }
            let begun = match self.steps().starts.submit(job.clone()).await {
                Some(begun) => begun,
                // Its batch panicked: started (or found lost) alone.
                None => sending::begin(&self.db, policy, &job, self.clock.now()).await,
            };
            match begun {
                Ok(Begun::Started) => {}
                Ok(Begun::Returned | Begun::Lost) => continue,
                Err(err) => {
                    tracing::warn!(message = %job.message.id, code = err.code.as_str(), "could not start a claimed email; its lease will return it");
                    continue;
                }
            }
            let outcome = match email_accounts::with_passwords(&job.account, &self.keyring) {
                Ok(account) => {
                    let unsealed = Job {
                        account,
                        bytes: match &signing {
                            Some(key) => key.sign(&job.bytes),
                            None => job.bytes.clone(),
                        },
                        ..job.clone()
                    };
                    let send = self.pool.send(&unsealed);
                    supervise::guard(SENDER, &job.message.id, send)
                        .await
                        .unwrap_or_else(|| Outcome::Internal("panicked".into()))
                }
                Err(_) => {
                    Outcome::AccountError("the stored SMTP password cannot be decrypted".into())
                }
            };
            // The outcome is recorded while the next email starts (its row and its SMTP
            // transaction are its own): at most one outcome of this lane is being recorded.
            if let Some(previous) = recording.take() {
                let _ = previous.await;
            }
            if let Outcome::Sent(reply) = outcome {
                recording = Some(self.hand_over(job, reply).await);
                continue;
            }
            let me = self.clone();
            let task = tokio::spawn(async move {
                let id = job.message.id.clone();
                supervise::guard(SENDER, &id, me.record(job, outcome)).await;
            });
            if self.overlap() {
                recording = Some(task);
            } else {
                let _ = task.await;
            }
        }
        if let Some(previous) = recording {
            let _ = previous.await;
        }
    }

    /// Takes one email from the account's hour for the recipient's provider; when the hour is
    /// full, hands the email back until the next one (its enrolment says why) and answers
    /// false. The provider is looked up here, on the account's own lane: a recipient domain
    /// whose DNS is slow delays this account only.
    async fn provider_room(&self, job: &Job, limits: &pacing::ProviderLimits) -> bool {
        let domain = addresses::domain_of(&job.to);
        let provider = self.providers.of(&self.dns, domain).await;
        let Some(limit) = limits.of(provider) else {
            return true;
        };
        let now = self.clock.now();
        let scope = pacing::provider_scope(&job.account.id, provider);
        let taken = quotas::take_one(&self.db, &scope, &pacing::hour_of(now), limit).await;
        match taken {
            Ok(true) => true,
            Ok(false) => {
                let reason = format!("{}{provider}", pacing::PROVIDER_REASON);
                let until = pacing::next_hour(now);
                if let Err(err) = sending::release_until(&self.db, job, &reason, until, now).await {
                    tracing::warn!(message = %job.message.id, code = err.code.as_str(), "could not hand back an email past its provider limit; its lease will");
                }
                false
            }
            Err(err) => {
                tracing::warn!(
                    code = err.code.as_str(),
                    "could not count a provider's hour: sending anyway"
                );
                true
            }
        }
    }

    /// Saves an accepted email's reply at once (a worker that dies before its outcome is
    /// recorded leaves it `sent`, not in doubt) and hands it to be recorded; returns what
    /// finishes when it is recorded.
    async fn hand_over(&self, job: Job, reply: String) -> JoinHandle<()> {
        let saved = self
            .steps()
            .acceptances
            .submit((job.clone(), reply.clone()))
            .await;
        if !matches!(saved, Some(Ok(()))) {
            tracing::warn!(message = %job.message.id, "could not save the server's acceptance ahead of recording it");
        }
        let me = self.clone();
        tokio::spawn(async move {
            let id = job.message.id.clone();
            let batched = me.steps().records.submit((job.clone(), reply.clone()));
            if batched.await.is_none() {
                // Its batch panicked: recorded alone.
                supervise::guard(SENDER, &id, me.record(job, Outcome::Sent(reply))).await;
            }
        })
    }

    /// Records how one email's SMTP transaction ended. A 2xx reply is also saved on its own,
    /// beside the outcome's transaction: it commits long before that transaction does (one
    /// statement against many), so a worker that dies in between leaves the email `sent`.
    async fn record(&self, job: Job, outcome: Outcome) {
        let accepted = match &outcome {
            Outcome::Sent(reply) => {
                let (db, job, reply) = (self.db.clone(), job.clone(), reply.clone());
                let task = tokio::spawn(async move { sending::accepted(&db, &job, &reply).await });
                if self.overlap() {
                    Some(task)
                } else {
                    let _ = task.await;
                    None
                }
            }
            _ => None,
        };
        let policy = &self.settings.policy;
        let recorded =
            sending::finish(&self.db, policy, &job, outcome.clone(), self.clock.now()).await;
        if let Some(task) = accepted
            && let Ok(Err(err)) = task.await
        {
            tracing::warn!(message = %job.message.id, code = err.code.as_str(), "could not save the server's acceptance ahead of recording it");
        }
        crate::metrics::get()
            .emails
            .get_or_create(&crate::metrics::outcome(outcome.label()))
            .inc();
        if let Err(err) = recorded {
            // The row stays `sending`; the sweep reports it as unknown.
            tracing::error!(message = %job.message.id, ?outcome, code = err.code.as_str(), "recording a send outcome failed");
        }
    }

    /// Whether this worker's writes may overlap: on PostgreSQL they run side by side; SQLite
    /// takes one writer at a time, and overlapping writes there only wait on each other.
    fn overlap(&self) -> bool {
        self.db.get_database_backend() == sea_orm::DbBackend::Postgres
    }

    /// Ends leases that ran out: unstarted claims return to due, `sending` rows whose worker
    /// died become `unknown`.
    pub async fn sweep(&self) -> AppResult<usize> {
        sending::sweep(&self.db, &self.settings.policy, self.clock.now()).await
    }

    /// Runs until the process ends. Accounts send in independent lanes: the loop claims for
    /// the accounts without a lane in flight and goes on at once, so a slow or stalled SMTP
    /// host holds only its own account's emails. Stopping, it waits for the lanes (which hand
    /// back what they had not started).
    pub fn spawn(mut self, stopping: Stopping, watch: Supervision) -> JoinHandle<()> {
        self.stopping = stopping.clone();
        let mut stopping = stopping;
        tokio::spawn(async move {
            let hub = crate::signals::local();
            let mut last_sweep: Option<Instant> = None;
            let mut lanes = JoinSet::new();
            watch
                .health
                .start(SENDER, self.settings.poll_interval + watch.pass_limit);
            while !stopping.is_set() {
                if last_sweep.is_none_or(|at| at.elapsed() >= self.settings.sweep_interval) {
                    last_sweep = Some(Instant::now());
                    if let Some(Err(err)) = supervise::guard(SENDER, "sweep", self.sweep()).await {
                        tracing::warn!(code = err.code.as_str(), message = %err.message, "sending sweep");
                    }
                }
                let pass = supervise::guard(SENDER, "pass", self.dispatch(&mut lanes)).await;
                self.pool.close_idle();
                watch.health.beat(SENDER);
                while let Some(done) = lanes.try_join_next() {
                    if let Err(err) = done {
                        tracing::error!(%err, "a sending lane stopped");
                    }
                }
                match pass {
                    Some(Ok(n)) if n > 0 => continue,
                    Some(Ok(_)) | None => {}
                    Some(Err(err)) => {
                        tracing::warn!(code = err.code.as_str(), message = %err.message, "sending worker")
                    }
                }
                // Newly due sends, and a lane that finished (its account may take more), wake
                // it at once; the poll serves sends that come due with time.
                tokio::select! {
                    _ = hub.sending(self.settings.poll_interval) => {}
                    Some(_) = lanes.join_next(), if !lanes.is_empty() => {}
                    _ = stopping.wait() => {}
                }
            }
            while lanes.join_next().await.is_some() {}
            watch.health.stop(SENDER);
        })
    }
}

/// This worker's turn to write, where writers take turns (SQLite); nothing to wait for
/// elsewhere.
async fn take_turn(
    writer: Option<&tokio::sync::Mutex<()>>,
) -> Option<tokio::sync::MutexGuard<'_, ()>> {
    match writer {
        Some(writer) => Some(writer.lock().await),
        None => None,
    }
}

/// The accounts this worker has a lane in flight for; an entry leaves when its lane ends,
/// however it ends.
type BusyAccounts = Arc<Mutex<HashSet<String>>>;

struct Busy {
    set: BusyAccounts,
    account: String,
}

impl Busy {
    fn hold(set: &BusyAccounts, account: String) -> Busy {
        set.lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account.clone());
        Busy {
            set: set.clone(),
            account,
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.account);
    }
}
