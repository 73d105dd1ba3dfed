//! Sending domains: the domains a workspace's email accounts send from, each checked against
//! DNS (MX, SPF, DKIM, DMARC) and judged by the mailbox providers' rules, and the DKIM keys
//! FluenzR signs their email with. A check is kept on the domain's row; a daily re-check
//! announces a verdict turning to fail (`domain.check_failed`).

pub mod check;
pub mod dkim;
mod records;
pub mod report;
mod spf;
mod verdicts;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::states::DkimKeyState;
use entity::{dkim_key, domain, email_account};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

pub use check::provider_of;
pub use dkim::{Algorithm, Signers, Signing};
pub use report::{Problem, Report, Verdict};

use super::addresses;
use super::dns::Dns;
use super::events;
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::secrets::Keyring;

pub const DOMAIN: &str = "dom";
pub const DKIM_KEY: &str = "dk";
/// The selector a domain's first key gets when none is given.
pub const DEFAULT_SELECTOR: &str = "fluenzr";
pub const MAX_SELECTOR: usize = 63;
/// Keys one domain may have at once (a rotation needs two).
pub const MAX_KEYS_PER_DOMAIN: usize = 5;
/// How often a domain is checked again by itself.
pub const RECHECK_EVERY: Duration = Duration::hours(24);
/// How often a domain with a key not yet published is checked again, so signing starts soon
/// after the record appears.
pub const PENDING_RECHECK_EVERY: Duration = Duration::minutes(5);

/// A sending domain as answered: its accounts, last check and keys.
#[derive(Clone, Debug)]
pub struct DomainView {
    pub name: String,
    /// The accounts sending from it.
    pub accounts: Vec<email_account::Model>,
    pub checked_at: Option<DateTime<Utc>>,
    pub report: Option<Report>,
    pub keys: Vec<dkim_key::Model>,
}

/// The workspace's accounts, by the domain each sends from.
async fn accounts_by_domain(
    db: &impl ConnectionTrait,
    workspace_id: &str,
) -> AppResult<BTreeMap<String, Vec<email_account::Model>>> {
    let accounts = email_account::Entity::find()
        .filter(email_account::Column::WorkspaceId.eq(workspace_id))
        .order_by_asc(email_account::Column::Id)
        .all(db)
        .await?;
    let mut out: BTreeMap<String, Vec<email_account::Model>> = BTreeMap::new();
    for account in accounts {
        out.entry(domain_of_account(&account))
            .or_default()
            .push(account);
    }
    Ok(out)
}

/// The domain an account sends from (its address's, in the normal form).
pub fn domain_of_account(account: &email_account::Model) -> String {
    match addresses::parse("email", &account.email) {
        Ok(address) => addresses::domain_of(&address.normalized).to_owned(),
        Err(_) => addresses::domain_of(&account.email).to_ascii_lowercase(),
    }
}

fn view(
    name: String,
    accounts: Vec<email_account::Model>,
    row: Option<&domain::Model>,
    keys: Vec<dkim_key::Model>,
) -> DomainView {
    DomainView {
        name,
        accounts,
        checked_at: row.and_then(|r| r.checked_at),
        report: row
            .and_then(|r| r.report.clone())
            .and_then(|r| serde_json::from_value(r).ok()),
        keys,
    }
}

async fn keys_of(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    name: Option<&str>,
) -> AppResult<Vec<dkim_key::Model>> {
    let mut query = dkim_key::Entity::find().filter(dkim_key::Column::WorkspaceId.eq(workspace_id));
    if let Some(name) = name {
        query = query.filter(dkim_key::Column::Domain.eq(name));
    }
    Ok(query
        .order_by_asc(dkim_key::Column::CreatedAt)
        .order_by_asc(dkim_key::Column::Id)
        .all(db)
        .await?)
}

async fn row_of(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    name: &str,
) -> AppResult<Option<domain::Model>> {
    Ok(domain::Entity::find()
        .filter(domain::Column::WorkspaceId.eq(workspace_id))
        .filter(domain::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// Every sending domain of the workspace (its accounts' and those it has keys for), by name.
pub async fn list(db: &impl ConnectionTrait, workspace_id: &str) -> AppResult<Vec<DomainView>> {
    let mut accounts = accounts_by_domain(db, workspace_id).await?;
    let rows = domain::Entity::find()
        .filter(domain::Column::WorkspaceId.eq(workspace_id))
        .all(db)
        .await?;
    let mut keys: BTreeMap<String, Vec<dkim_key::Model>> = BTreeMap::new();
    for key in keys_of(db, workspace_id, None).await? {
        keys.entry(key.domain.clone()).or_default().push(key);
    }
    let mut names: Vec<String> = accounts.keys().cloned().collect();
    names.extend(keys.keys().cloned());
    names.sort();
    names.dedup();
    Ok(names
        .into_iter()
        .map(|name| {
            let row = rows.iter().find(|r| r.name == name);
            let found = accounts.remove(&name).unwrap_or_default();
            let own = keys.remove(&name).unwrap_or_default();
            view(name, found, row, own)
        })
        .collect())
}

/// The domain `name` in the normal form, if the workspace sends from it or has keys for it.
async fn known(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    name: &str,
) -> AppResult<(String, Vec<email_account::Model>)> {
    let not_found = || AppError::not_found("Domain");
    let name = addresses::parse_domain("name", name).map_err(|_| not_found())?;
    let accounts = accounts_by_domain(db, workspace_id)
        .await?
        .remove(&name)
        .unwrap_or_default();
    if accounts.is_empty() && keys_of(db, workspace_id, Some(&name)).await?.is_empty() {
        return Err(AppError::not_found("Domain").with_details(json!({
            "reason": "no email account of this workspace sends from this domain",
        })));
    }
    Ok((name, accounts))
}

/// One sending domain; checked now if it never was.
pub async fn get(
    db: &DatabaseConnection,
    dns: &Dns,
    workspace_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<DomainView> {
    let (name, accounts) = known(db, workspace_id, name).await?;
    let row = row_of(db, workspace_id, &name).await?;
    if row.as_ref().is_none_or(|r| r.checked_at.is_none()) {
        return check(db, dns, workspace_id, &name, now).await;
    }
    let keys = keys_of(db, workspace_id, Some(&name)).await?;
    Ok(view(name, accounts, row.as_ref(), keys))
}

/// Checks a sending domain against DNS now (no transaction is held while DNS answers), keeps
/// the findings and moves its keys' states (`save`).
pub async fn check(
    db: &DatabaseConnection,
    dns: &Dns,
    workspace_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<DomainView> {
    let (name, accounts) = known(db, workspace_id, name).await?;
    let keys = keys_of(db, workspace_id, Some(&name)).await?;
    let subject = check::Subject {
        name: &name,
        smtp_hosts: accounts.iter().map(|a| a.smtp_host.clone()).collect(),
        managed: keys.iter().map(|k| k.selector.clone()).collect(),
    };
    let checked = check::run(dns, &subject).await;
    save(db, workspace_id, &name, checked, now).await?;
    let row = row_of(db, workspace_id, &name).await?;
    let keys = keys_of(db, workspace_id, Some(&name)).await?;
    Ok(view(name, accounts, row.as_ref(), keys))
}

/// Keeps a check's findings, in one transaction: the report; each key's state (found as made:
/// published; the domain's first published key becomes the one emails are signed with; a
/// published or active key no longer found goes back to pending and stops signing); and
/// `domain.check_failed` when a verdict that passed fails. A check DNS did not fully answer
/// moves no key and announces nothing.
async fn save(
    db: &DatabaseConnection,
    workspace_id: &str,
    name: &str,
    checked: check::Checked,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = db.begin().await?;
    ensure(&txn, workspace_id, name, now).await?;
    let row = domain::Entity::find()
        .filter(domain::Column::WorkspaceId.eq(workspace_id))
        .filter(domain::Column::Name.eq(name))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("a domain row vanished while saving its check"))?;
    let report = &checked.report;
    let (gmail, microsoft) = (
        &report.verdicts.gmail_yahoo_bulk,
        &report.verdicts.microsoft_high_volume,
    );
    let trusted = checked.dns_failure.is_none();
    let mut active = domain::ActiveModel {
        id: Set(row.id.clone()),
        report: Set(Some(
            serde_json::to_value(report).map_err(AppError::internal)?,
        )),
        checked_at: Set(Some(now)),
        ..Default::default()
    };
    if trusted {
        active.gmail_verdict = Set(Some(gmail.status.clone()));
        active.microsoft_verdict = Set(Some(microsoft.status.clone()));
    }
    active.update(&txn).await?;

    if trusted {
        let turned = |before: &Option<String>, now: &Verdict| {
            before.as_deref() == Some(report::PASS) && !now.passed()
        };
        if turned(&row.gmail_verdict, gmail) || turned(&row.microsoft_verdict, microsoft) {
            let mut problems: Vec<&Problem> = gmail.problems.iter().collect();
            for p in &microsoft.problems {
                if !problems.iter().any(|q| q.code == p.code) {
                    problems.push(p);
                }
            }
            let data = json!({
                "domain": name,
                "verdicts": {
                    "gmailYahooBulk": gmail.status,
                    "microsoftHighVolume": microsoft.status,
                },
                "problems": problems,
            });
            events::emit(&txn, workspace_id, "domain.check_failed", data, now).await?;
        }
        let keys = keys_of(&txn, workspace_id, Some(name)).await?;
        for key in &keys {
            let found = checked.published.get(&key.selector) == Some(&key.public_key);
            let state = match (key.state, found) {
                (DkimKeyState::Pending, true) => DkimKeyState::Published,
                (DkimKeyState::Published | DkimKeyState::Active, false) => DkimKeyState::Pending,
                (state, _) => state,
            };
            if state != key.state {
                set_state(&txn, key, state, now).await?;
            }
        }
        promote(&txn, workspace_id, name, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn set_state(
    db: &impl ConnectionTrait,
    key: &dkim_key::Model,
    state: DkimKeyState,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut active = dkim_key::ActiveModel {
        id: Set(key.id.clone()),
        state: Set(state),
        ..Default::default()
    };
    match state {
        DkimKeyState::Published if key.published_at.is_none() => {
            active.published_at = Set(Some(now))
        }
        DkimKeyState::Active => active.activated_at = Set(Some(now)),
        DkimKeyState::Pending => active.published_at = Set(None),
        _ => {}
    }
    active.update(db).await?;
    Ok(())
}

/// With no active key, the domain's earliest published key becomes the one it signs with.
async fn promote(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let keys = keys_of(db, workspace_id, Some(name)).await?;
    if keys.iter().any(|k| k.state == DkimKeyState::Active) {
        return Ok(());
    }
    if let Some(first) = keys.iter().find(|k| k.state == DkimKeyState::Published) {
        set_state(db, first, DkimKeyState::Active, now).await?;
    }
    Ok(())
}

/// A selector as DNS takes it: letters, digits and hyphens (dot-separated labels allowed).
fn selector(value: Option<String>, taken: &[dkim_key::Model]) -> AppResult<String> {
    let Some(value) = value else {
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                DEFAULT_SELECTOR.to_owned()
            } else {
                format!("{DEFAULT_SELECTOR}{n}")
            };
            if !taken.iter().any(|k| k.selector == candidate) {
                return Ok(candidate);
            }
            n += 1;
        }
    };
    let v = value.trim().to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if v.len() > MAX_SELECTOR || !v.split('.').all(label_ok) {
        return Err(AppError::invalid_field(
            "selector",
            format!(
                "selector must be DNS labels of letters, digits and hyphens, at most {MAX_SELECTOR} characters"
            ),
        ));
    }
    if taken.iter().any(|k| k.selector == v) {
        return Err(
            AppError::conflict(format!("The domain already has a key with selector {v}"))
                .with_details(json!({ "field": "selector" })),
        );
    }
    Ok(v)
}

/// What a new key is asked as.
pub struct NewKeyRequest {
    pub algorithm: Option<String>,
    pub selector: Option<String>,
}

/// Makes a DKIM key for a sending domain (`rsa-2048` unless `ed25519` is asked), sealed at
/// rest; answers it with the domain, checked at once (a record published ahead is found).
pub async fn add_key(
    db: &DatabaseConnection,
    dns: &Dns,
    keyring: &Keyring,
    workspace_id: &str,
    name: &str,
    request: NewKeyRequest,
    now: DateTime<Utc>,
) -> AppResult<(DomainView, String)> {
    let NewKeyRequest {
        algorithm,
        selector: wanted_selector,
    } = request;
    let (name, _) = known(db, workspace_id, name).await?;
    let algorithm = match algorithm.as_deref() {
        None => Algorithm::Rsa2048,
        Some(a) => Algorithm::parse(a).ok_or_else(|| {
            AppError::invalid_field("algorithm", "algorithm must be rsa-2048 or ed25519")
        })?,
    };
    let keys = keys_of(db, workspace_id, Some(&name)).await?;
    let selector = selector(wanted_selector, &keys)?;
    if keys.len() >= MAX_KEYS_PER_DOMAIN {
        return Err(AppError::conflict(format!(
            "A domain has at most {MAX_KEYS_PER_DOMAIN} keys: delete one first"
        )));
    }
    let new = dkim::NewRow {
        workspace_id: workspace_id.to_owned(),
        domain: name.clone(),
        selector,
        algorithm,
        now,
    };
    let keyring = keyring.clone();
    let (id, row) = tokio::task::spawn_blocking(move || dkim::new_row(&keyring, new))
        .await
        .map_err(AppError::internal)??;
    match row.insert(db).await {
        Ok(_) => {}
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(
                AppError::conflict("The domain already has a key with this selector")
                    .with_details(json!({ "field": "selector" })),
            );
        }
        Err(e) => return Err(e.into()),
    }
    Ok((check(db, dns, workspace_id, &name, now).await?, id))
}

async fn key_of(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    name: &str,
    selector: &str,
) -> AppResult<dkim_key::Model> {
    dkim_key::Entity::find()
        .filter(dkim_key::Column::WorkspaceId.eq(workspace_id))
        .filter(dkim_key::Column::Domain.eq(name))
        .filter(dkim_key::Column::Selector.eq(selector.to_ascii_lowercase()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("DKIM key"))
}

/// Switches the domain's signing to the key at `selector`, which must be published.
pub async fn activate_key(
    db: &DatabaseConnection,
    workspace_id: &str,
    name: &str,
    selector: &str,
    now: DateTime<Utc>,
) -> AppResult<DomainView> {
    let (name, accounts) = known(db, workspace_id, name).await?;
    let txn = db.begin().await?;
    let key = key_of(&txn, workspace_id, &name, selector).await?;
    match key.state {
        DkimKeyState::Active => {}
        DkimKeyState::Pending => {
            return Err(AppError::conflict(format!(
                "The key {} is not published yet: publish its TXT record and check the domain again",
                key.selector
            )));
        }
        DkimKeyState::Published => {
            dkim_key::Entity::update_many()
                .col_expr(
                    dkim_key::Column::State,
                    Expr::value(DkimKeyState::Published),
                )
                .filter(dkim_key::Column::WorkspaceId.eq(workspace_id))
                .filter(dkim_key::Column::Domain.eq(&name))
                .filter(dkim_key::Column::State.eq(DkimKeyState::Active))
                .exec(&txn)
                .await?;
            set_state(&txn, &key, DkimKeyState::Active, now).await?;
        }
    }
    txn.commit().await?;
    let row = row_of(db, workspace_id, &name).await?;
    let keys = keys_of(db, workspace_id, Some(&name)).await?;
    Ok(view(name, accounts, row.as_ref(), keys))
}

/// Deletes the key at `selector`; when it was the active one, the next published key takes
/// over (or the domain's email goes unsigned).
pub async fn delete_key(
    db: &DatabaseConnection,
    workspace_id: &str,
    name: &str,
    selector: &str,
    now: DateTime<Utc>,
) -> AppResult<DomainView> {
    let (name, accounts) = known(db, workspace_id, name).await?;
    let txn = db.begin().await?;
    let key = key_of(&txn, workspace_id, &name, selector).await?;
    dkim_key::Entity::delete_by_id(key.id).exec(&txn).await?;
    promote(&txn, workspace_id, &name, now).await?;
    txn.commit().await?;
    let row = row_of(db, workspace_id, &name).await?;
    let keys = keys_of(db, workspace_id, Some(&name)).await?;
    Ok(view(name, accounts, row.as_ref(), keys))
}

/// Makes the (unchecked) row of every account's domain that has none: for accounts made
/// before domains were checked, so the daily check finds them.
pub async fn backfill(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<usize> {
    let accounts = email_account::Entity::find()
        .select_only()
        .column(email_account::Column::WorkspaceId)
        .column(email_account::Column::Email)
        .into_tuple::<(String, String)>()
        .all(db)
        .await?;
    let rows = domain::Entity::find()
        .select_only()
        .column(domain::Column::WorkspaceId)
        .column(domain::Column::Name)
        .into_tuple::<(String, String)>()
        .all(db)
        .await?;
    let mut have: std::collections::HashSet<(String, String)> = rows.into_iter().collect();
    let mut made = 0;
    for (workspace_id, email) in accounts {
        let Ok(address) = addresses::parse("email", &email) else {
            continue;
        };
        let name = addresses::domain_of(&address.normalized).to_owned();
        if have.insert((workspace_id.clone(), name.clone())) {
            ensure(db, &workspace_id, &name, now).await?;
            made += 1;
        }
    }
    Ok(made)
}

/// The domain's row, made unchecked if it has none.
pub async fn ensure(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    domain::Entity::insert(domain::ActiveModel {
        id: Set(ids::new_id(DOMAIN)),
        workspace_id: Set(workspace_id.to_owned()),
        name: Set(name.to_owned()),
        report: Set(None),
        gmail_verdict: Set(None),
        microsoft_verdict: Set(None),
        checked_at: Set(None),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([domain::Column::WorkspaceId, domain::Column::Name])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The domains due a check by themselves, least recently checked first: never checked,
/// checked a day ago, or with a key waiting to be found in DNS and not checked for five
/// minutes.
pub async fn due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<(String, String)>> {
    let pending_key = Expr::cust(
        "EXISTS (SELECT 1 FROM dkim_keys k WHERE k.workspace_id = domains.workspace_id \
         AND k.domain = domains.name AND k.state = 'pending')",
    );
    let found = domain::Entity::find()
        .select_only()
        .column(domain::Column::WorkspaceId)
        .column(domain::Column::Name)
        .filter(
            sea_orm::Condition::any()
                .add(domain::Column::CheckedAt.is_null())
                .add(domain::Column::CheckedAt.lte(now - RECHECK_EVERY))
                .add(
                    sea_orm::Condition::all()
                        .add(domain::Column::CheckedAt.lte(now - PENDING_RECHECK_EVERY))
                        .add(pending_key),
                ),
        )
        .order_by_asc(domain::Column::CheckedAt)
        .limit(limit)
        .into_tuple::<(String, String)>()
        .all(db)
        .await?;
    Ok(found)
}
