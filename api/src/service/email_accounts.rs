//! Email accounts: the SMTP mailboxes campaigns send from.

use chrono::{DateTime, Utc};
use entity::{campaign, email_account};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::pacing;
use super::webhooks::UrlPolicy;
use super::{Page, PageRequest, Patch, SortOrder, clean_text, sort_field};
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::secrets::{Keyring, password_context};

pub const DEFAULT_DAILY_LIMIT: i32 = 200;
pub const MAX_DAILY_LIMIT: i32 = 10_000;
pub const DEFAULT_SEND_GAP_SECONDS: i32 = 60;
pub const MAX_SEND_GAP_SECONDS: i32 = 86_400;
pub const MAX_NAME: usize = 200;
/// Longest host name (RFC 1035).
pub const MAX_HOST: usize = 253;
pub const MAX_USERNAME: usize = 320;
pub const MAX_PASSWORD_CHARS: usize = 1024;

pub use entity::states::{AccountStatus, SmtpSecurity};

/// The port an SMTP connection with `security` uses when none is given.
fn default_port(security: SmtpSecurity) -> i32 {
    match security {
        SmtpSecurity::Tls => 465,
        SmtpSecurity::Starttls => 587,
        SmtpSecurity::None => 25,
    }
}

/// The port an IMAP connection with `security` uses when none is given.
fn default_imap_port(security: SmtpSecurity) -> i32 {
    match security {
        SmtpSecurity::Tls => 993,
        SmtpSecurity::Starttls | SmtpSecurity::None => 143,
    }
}

/// Whether replies and bounce reports are read from the account's mailbox.
pub fn reply_tracking(account: &email_account::Model) -> &'static str {
    if account.imap_host.is_some() {
        "on"
    } else {
        "off"
    }
}

#[derive(Clone, Debug, Default)]
pub struct EmailAccountInput {
    pub email: Option<String>,
    pub name: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i32>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_security: Option<SmtpSecurity>,
    pub daily_limit: Option<i32>,
    pub timezone: Option<String>,
    pub send_gap_seconds: Option<i32>,
    pub imap_host: Option<String>,
    pub imap_port: Option<i32>,
    pub imap_username: Option<String>,
    pub imap_password: Option<String>,
    pub imap_security: Option<SmtpSecurity>,
    pub ramp: Option<pacing::RampInput>,
    pub provider_limits: Option<pacing::ProviderLimits>,
}

#[derive(Clone, Debug, Default)]
pub struct EmailAccountPatch {
    pub email: Patch<String>,
    pub name: Patch<String>,
    pub smtp_host: Patch<String>,
    pub smtp_port: Patch<i32>,
    pub smtp_username: Patch<String>,
    pub smtp_password: Patch<String>,
    pub smtp_security: Patch<SmtpSecurity>,
    pub daily_limit: Patch<i32>,
    pub timezone: Patch<String>,
    pub send_gap_seconds: Patch<i32>,
    /// `null` turns reply tracking off (every IMAP setting is removed).
    pub imap_host: Patch<String>,
    pub imap_port: Patch<i32>,
    pub imap_username: Patch<String>,
    pub imap_password: Patch<String>,
    pub imap_security: Patch<SmtpSecurity>,
    /// `null` ends the ramp (the account sends up to its `dailyLimit` at once).
    pub ramp: Patch<pacing::RampInput>,
    /// `null` removes every provider limit.
    pub provider_limits: Patch<pacing::ProviderLimits>,
}

pub const SORT_FIELDS: &[(&str, email_account::Column)] = &[
    ("createdAt", email_account::Column::CreatedAt),
    ("updatedAt", email_account::Column::UpdatedAt),
    ("email", email_account::Column::Email),
];

fn required(field: &str, value: Option<String>, max: usize) -> AppResult<String> {
    clean_text(field, value, max)?
        .ok_or_else(|| AppError::invalid_field(field, format!("{field} is required")))
}

fn email(value: Option<String>) -> AppResult<String> {
    Ok(super::addresses::parse("email", value.as_deref().unwrap_or_default())?.display)
}

/// A host name or IP literal; a literal must be public unless private hosts are allowed (a
/// name is checked where it resolves, at each connection).
fn host(field: &str, value: Option<String>, policy: UrlPolicy) -> AppResult<String> {
    let host = required(field, value, MAX_HOST)?;
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<std::net::IpAddr>()
        && !policy.allow_private
        && !super::network::is_public(ip)
    {
        return Err(AppError::invalid_field(
            field,
            format!("{field} {ip} is not a public address"),
        ));
    }
    let valid = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid {
        return Err(AppError::invalid_field(
            field,
            format!("{field} must be a host name or IP address"),
        ));
    }
    Ok(host.to_ascii_lowercase())
}

fn port(field: &str, value: i32) -> AppResult<i32> {
    if !(1..=65535).contains(&value) {
        return Err(AppError::invalid_field(
            field,
            format!("{field} must be between 1 and 65535"),
        ));
    }
    Ok(value)
}

fn daily_limit(value: i32) -> AppResult<i32> {
    if !(1..=MAX_DAILY_LIMIT).contains(&value) {
        return Err(AppError::invalid_field(
            "dailyLimit",
            format!("dailyLimit must be between 1 and {MAX_DAILY_LIMIT}"),
        ));
    }
    Ok(value)
}

fn timezone(value: String) -> AppResult<String> {
    let tz = value.trim().to_owned();
    tz.parse::<chrono_tz::Tz>().map_err(|_| {
        AppError::invalid_field(
            "timezone",
            format!("'{tz}' is not an IANA time zone such as Europe/Lisbon"),
        )
    })?;
    Ok(tz)
}

fn send_gap(value: i32) -> AppResult<i32> {
    if !(0..=MAX_SEND_GAP_SECONDS).contains(&value) {
        return Err(AppError::invalid_field(
            "sendGapSeconds",
            format!("sendGapSeconds must be between 0 and {MAX_SEND_GAP_SECONDS}"),
        ));
    }
    Ok(value)
}

fn password(field: &str, value: Option<String>) -> AppResult<String> {
    match value {
        Some(p) if !p.is_empty() && p.chars().count() <= MAX_PASSWORD_CHARS => Ok(p),
        Some(p) if !p.is_empty() => Err(AppError::invalid_field(
            field,
            format!("{field} is too long"),
        )),
        _ => Err(AppError::invalid_field(
            field,
            format!("{field} is required"),
        )),
    }
}

/// Checked IMAP settings, the password sealed for the account's row.
struct Imap {
    host: String,
    port: i32,
    username: String,
    password: String,
    security: SmtpSecurity,
}

fn seal_password(keyring: &Keyring, account_id: &str, column: &str, plain: &str) -> String {
    keyring.seal(plain, &password_context(account_id, column))
}

pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    input: EmailAccountInput,
    policy: UrlPolicy,
    keyring: &Keyring,
    now: DateTime<Utc>,
) -> AppResult<email_account::Model> {
    let id = ids::new_id(ids::EMAIL_ACCOUNT);
    let email = email(input.email)?;
    let security = input.smtp_security.unwrap_or(SmtpSecurity::Starttls);
    let username = match clean_text("smtpUsername", input.smtp_username, MAX_USERNAME)? {
        Some(username) => username,
        None => email.clone(),
    };
    let smtp_password = password("smtpPassword", input.smtp_password)?;
    let imap = match input.imap_host {
        None => {
            let stray = [
                ("imapPort", input.imap_port.is_some()),
                ("imapUsername", input.imap_username.is_some()),
                ("imapPassword", input.imap_password.is_some()),
                ("imapSecurity", input.imap_security.is_some()),
            ];
            if let Some((field, _)) = stray.iter().find(|(_, given)| *given) {
                return Err(AppError::invalid_field(
                    field,
                    format!("{field} needs imapHost"),
                ));
            }
            None
        }
        Some(host_name) => {
            let security = input.imap_security.unwrap_or(SmtpSecurity::Tls);
            Some(Imap {
                host: host("imapHost", Some(host_name), policy)?,
                port: port(
                    "imapPort",
                    input.imap_port.unwrap_or(default_imap_port(security)),
                )?,
                username: clean_text("imapUsername", input.imap_username, MAX_USERNAME)?
                    .unwrap_or_else(|| username.clone()),
                password: password("imapPassword", input.imap_password)?,
                security,
            })
        }
    };
    let row = email_account::ActiveModel {
        workspace_id: Set(workspace_id.to_owned()),
        name: Set(clean_text("name", input.name, MAX_NAME)?),
        smtp_host: Set(host("smtpHost", input.smtp_host, policy)?),
        smtp_port: Set(port(
            "smtpPort",
            input.smtp_port.unwrap_or(default_port(security)),
        )?),
        smtp_username: Set(username),
        smtp_password: Set(seal_password(keyring, &id, "smtp_password", &smtp_password)),
        smtp_security: Set(security.as_str().to_owned()),
        daily_limit: Set(daily_limit(
            input.daily_limit.unwrap_or(DEFAULT_DAILY_LIMIT),
        )?),
        timezone: Set(timezone(input.timezone.unwrap_or_else(|| "UTC".into()))?),
        send_gap_seconds: Set(send_gap(
            input.send_gap_seconds.unwrap_or(DEFAULT_SEND_GAP_SECONDS),
        )?),
        status: Set(AccountStatus::Ok),
        last_error: Set(None),
        next_send_at: Set(None),
        imap_port: Set(imap.as_ref().map(|i| i.port)),
        imap_username: Set(imap.as_ref().map(|i| i.username.clone())),
        imap_password: Set(imap
            .as_ref()
            .map(|i| seal_password(keyring, &id, "imap_password", &i.password))),
        imap_security: Set(imap.as_ref().map(|i| i.security.as_str().to_owned())),
        imap_host: Set(imap.map(|i| i.host)),
        imap_uid_validity: Set(None),
        imap_last_uid: Set(None),
        imap_checked_at: Set(None),
        imap_locked_until_ms: Set(None),
        ramp: Set(match input.ramp {
            Some(r) => Some(json!(pacing::ramp(r, now)?)),
            None => None,
        }),
        provider_limits: Set(match input.provider_limits {
            Some(l) => Some(json!(pacing::provider_limits(l)?)),
            None => None,
        }),
        id: Set(id),
        email: Set(email),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let account = row.insert(db).await?;
    // Its domain is checked against DNS soon by itself.
    let domain = super::domains::domain_of_account(&account);
    super::domains::ensure(db, workspace_id, &domain, now).await?;
    Ok(account)
}

/// One account of this workspace; another workspace's id is not found.
pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<email_account::Model> {
    crate::service::owned::<email_account::Entity>(db, workspace_id, id).await
}

impl crate::service::Owned for email_account::Entity {
    const NOUN: &'static str = "Email account";
    fn workspace_column() -> email_account::Column {
        email_account::Column::WorkspaceId
    }
    fn id_column() -> email_account::Column {
        email_account::Column::Id
    }
}

pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
    patch: EmailAccountPatch,
    policy: UrlPolicy,
    keyring: &Keyring,
    now: DateTime<Utc>,
) -> AppResult<email_account::Model> {
    let current = get(db, workspace_id, id).await?;
    let mut row: email_account::ActiveModel = current.clone().into();
    let imap = patch_imap(&patch);
    let cannot_clear =
        |field: &str| AppError::invalid_field(field, format!("{field} cannot be removed"));
    if let Some(v) = patch.email {
        row.email = Set(email(Some(v.ok_or_else(|| cannot_clear("email"))?))?);
    }
    if let Some(v) = patch.name {
        row.name = Set(clean_text("name", v, MAX_NAME)?);
    }
    if let Some(v) = patch.smtp_host {
        row.smtp_host = Set(host(
            "smtpHost",
            Some(v.ok_or_else(|| cannot_clear("smtpHost"))?),
            policy,
        )?);
    }
    if let Some(v) = patch.smtp_security {
        row.smtp_security = Set(v
            .ok_or_else(|| cannot_clear("smtpSecurity"))?
            .as_str()
            .to_owned());
    }
    if let Some(v) = patch.smtp_port {
        row.smtp_port = Set(port(
            "smtpPort",
            v.ok_or_else(|| cannot_clear("smtpPort"))?,
        )?);
    }
    if let Some(v) = patch.smtp_username {
        row.smtp_username = Set(required("smtpUsername", v, MAX_USERNAME)?);
    }
    if let Some(v) = patch.smtp_password {
        let plain = password("smtpPassword", v)?;
        row.smtp_password = Set(seal_password(keyring, id, "smtp_password", &plain));
    }
    if let Some(v) = patch.daily_limit {
        row.daily_limit = Set(daily_limit(v.ok_or_else(|| cannot_clear("dailyLimit"))?)?);
    }
    if let Some(v) = patch.timezone {
        row.timezone = Set(timezone(v.unwrap_or_else(|| "UTC".into()))?);
    }
    if let Some(v) = patch.send_gap_seconds {
        row.send_gap_seconds = Set(send_gap(v.unwrap_or(DEFAULT_SEND_GAP_SECONDS))?);
    }
    if let Some(v) = patch.ramp {
        row.ramp = Set(v
            .map(|r| pacing::ramp(r, now))
            .transpose()?
            .map(|r| json!(r)));
    }
    if let Some(v) = patch.provider_limits {
        row.provider_limits = Set(v
            .map(pacing::provider_limits)
            .transpose()?
            .map(|l| json!(l)));
    }
    apply_imap(&current, &mut row, imap, policy, keyring)?;
    // New connection settings deserve a new try: an authentication error is cleared.
    if row.smtp_host.is_set()
        || row.smtp_port.is_set()
        || row.smtp_username.is_set()
        || row.smtp_password.is_set()
        || row.smtp_security.is_set()
        || row.imap_host.is_set()
        || row.imap_password.is_set()
    {
        row.status = Set(AccountStatus::Ok);
        row.last_error = Set(None);
    }
    row.updated_at = Set(now);
    let account = row.update(db).await?;
    if account.email != current.email {
        let domain = super::domains::domain_of_account(&account);
        super::domains::ensure(db, workspace_id, &domain, now).await?;
    }
    Ok(account)
}

/// The IMAP part of a patch.
struct ImapPatch {
    host: Patch<String>,
    port: Patch<i32>,
    username: Patch<String>,
    password: Patch<String>,
    security: Patch<SmtpSecurity>,
}

fn patch_imap(patch: &EmailAccountPatch) -> ImapPatch {
    ImapPatch {
        host: patch.imap_host.clone(),
        port: patch.imap_port,
        username: patch.imap_username.clone(),
        password: patch.imap_password.clone(),
        security: patch.imap_security,
    }
}

/// Applies IMAP changes: `imapHost: null` turns reply tracking off; otherwise the settings
/// must end complete (a host and a password). Another mailbox starts from its beginning.
fn apply_imap(
    current: &email_account::Model,
    row: &mut email_account::ActiveModel,
    patch: ImapPatch,
    policy: UrlPolicy,
    keyring: &Keyring,
) -> AppResult<()> {
    if matches!(patch.host, Some(None)) {
        row.imap_host = Set(None);
        row.imap_port = Set(None);
        row.imap_username = Set(None);
        row.imap_password = Set(None);
        row.imap_security = Set(None);
        row.imap_uid_validity = Set(None);
        row.imap_last_uid = Set(None);
        return Ok(());
    }
    let touched = patch.host.is_some()
        || patch.port.is_some()
        || patch.username.is_some()
        || patch.password.is_some()
        || patch.security.is_some();
    if !touched {
        return Ok(());
    }
    let new_host = match patch.host {
        Some(Some(h)) => Some(host("imapHost", Some(h), policy)?),
        _ => None,
    };
    let Some(host_name) = new_host.clone().or_else(|| current.imap_host.clone()) else {
        return Err(AppError::invalid_field(
            "imapHost",
            "imapHost is required to read the mailbox",
        ));
    };
    let security = match patch.security {
        Some(v) => v.unwrap_or(SmtpSecurity::Tls),
        None => current
            .imap_security
            .as_deref()
            .and_then(SmtpSecurity::parse)
            .unwrap_or(SmtpSecurity::Tls),
    };
    let port_number = match patch.port {
        Some(v) => v.unwrap_or(default_imap_port(security)),
        None => current.imap_port.unwrap_or(default_imap_port(security)),
    };
    let username = match patch.username {
        Some(v) => clean_text("imapUsername", v, MAX_USERNAME)?
            .unwrap_or_else(|| current.smtp_username.clone()),
        None => current
            .imap_username
            .clone()
            .unwrap_or_else(|| current.smtp_username.clone()),
    };
    match patch.password {
        Some(v) => {
            let plain = password("imapPassword", v)?;
            row.imap_password = Set(Some(seal_password(
                keyring,
                &current.id,
                "imap_password",
                &plain,
            )));
        }
        None if current.imap_password.is_none() => {
            return Err(AppError::invalid_field(
                "imapPassword",
                "imapPassword is required",
            ));
        }
        None => {}
    }
    let mailbox_changed = current.imap_host.as_deref() != Some(host_name.as_str())
        || current.imap_username.as_deref() != Some(username.as_str());
    if mailbox_changed {
        row.imap_uid_validity = Set(None);
        row.imap_last_uid = Set(None);
    }
    row.imap_host = Set(Some(host_name));
    row.imap_port = Set(Some(port("imapPort", port_number)?));
    row.imap_username = Set(Some(username));
    row.imap_security = Set(Some(security.as_str().to_owned()));
    Ok(())
}

/// Deletes an account. Refused while a draft, running or paused campaign uses it; completed
/// campaigns keep their history and lose the reference.
pub async fn delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let account = get(&txn, workspace_id, id).await?;
    // In use as the main account or in a rotation of a campaign that may still send.
    let in_use: Vec<String> = campaign::Entity::find()
        .filter(campaign::Column::WorkspaceId.eq(workspace_id))
        .filter(campaign::Column::Status.ne("completed"))
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| {
            Ok((
                super::campaigns::accounts_of(&c)?.contains(&account.id),
                c.id,
            ))
        })
        .filter_map(|used: AppResult<(bool, String)>| match used {
            Ok((true, id)) => Some(Ok(id)),
            Ok((false, _)) => None,
            Err(err) => Some(Err(err)),
        })
        .take(10)
        .collect::<AppResult<_>>()?;
    if !in_use.is_empty() {
        return Err(AppError::conflict(
            "The email account is used by campaigns that are not completed",
        )
        .with_details(json!({ "campaignIds": in_use })));
    }
    campaign::Entity::update_many()
        .col_expr(
            campaign::Column::EmailAccountId,
            Expr::value(Option::<String>::None),
        )
        .filter(campaign::Column::EmailAccountId.eq(&account.id))
        .exec(&txn)
        .await?;
    email_account::Entity::delete_by_id(account.id.clone())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(account.id)
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    page: PageRequest,
    sort: Option<&str>,
    order: SortOrder,
) -> AppResult<Page<email_account::Model>> {
    let column = sort_field(sort, SORT_FIELDS)?;
    let query =
        email_account::Entity::find().filter(email_account::Column::WorkspaceId.eq(workspace_id));
    let ordering = super::Ordering::new(column, email_account::Column::Id, order);
    super::fetch_page(db, query, page, ordering, None).await
}

/// Records the result of a connection check: a success clears an error status; an
/// authentication failure sets it (as a failed send would).
/// Marks an account unable to send as configured (refused credentials, a host that is not
/// allowed): its sends wait until its settings change. The one place this rule is written.
pub async fn set_error(db: &impl ConnectionTrait, id: &str, message: &str) -> AppResult<()> {
    email_account::Entity::update_many()
        .col_expr(
            email_account::Column::Status,
            Expr::value(AccountStatus::Error.as_str()),
        )
        .col_expr(email_account::Column::LastError, Expr::value(message))
        .filter(email_account::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a connection check: a success clears an error status; a failure that is the
/// account's own (`account_error`) sets it, as a failed send would; a network failure changes
/// nothing.
/// The account with its passwords decrypted, to connect with (never stored, never returned).
pub fn with_passwords(
    account: &email_account::Model,
    keyring: &Keyring,
) -> AppResult<email_account::Model> {
    let open = |stored: &str, column: &str| {
        keyring
            .open(stored, &password_context(&account.id, column))
            .map_err(AppError::internal)
    };
    let mut plain = account.clone();
    plain.smtp_password = open(&account.smtp_password, "smtp_password")?;
    if let Some(stored) = &account.imap_password {
        plain.imap_password = Some(open(stored, "imap_password")?);
    }
    Ok(plain)
}

pub async fn record_check(
    db: &impl ConnectionTrait,
    account: &email_account::Model,
    ok: bool,
    account_error: Option<&str>,
) -> AppResult<email_account::Model> {
    match (ok, account_error) {
        (true, _) => {
            email_account::Entity::update_many()
                .col_expr(
                    email_account::Column::Status,
                    Expr::value(AccountStatus::Ok.as_str()),
                )
                .col_expr(
                    email_account::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .filter(email_account::Column::Id.eq(&account.id))
                .exec(db)
                .await?;
        }
        (false, Some(error)) => set_error(db, &account.id, error).await?,
        (false, None) => return Ok(account.clone()),
    }
    get(db, &account.workspace_id, &account.id).await
}

/// Accounts by id (any workspace: callers pass ids they already scoped).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> AppResult<Vec<email_account::Model>> {
    Ok(email_account::Entity::find()
        .filter(email_account::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?)
}

/// Where and how to connect to one of an account's servers, read from its stored row and
/// checked: one definition for SMTP and IMAP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

/// The account's SMTP server. A stored port or security this code does not know is an error
/// naming the row (never port 25 or STARTTLS by default).
pub fn smtp_endpoint(account: &email_account::Model) -> AppResult<Endpoint> {
    let port = u16::try_from(account.smtp_port)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| {
            AppError::corrupt(
                "email_accounts",
                &account.id,
                "smtp_port",
                &account.smtp_port.to_string(),
            )
        })?;
    let security = SmtpSecurity::parse(&account.smtp_security).ok_or_else(|| {
        AppError::corrupt(
            "email_accounts",
            &account.id,
            "smtp_security",
            &account.smtp_security,
        )
    })?;
    Ok(Endpoint {
        host: account.smtp_host.clone(),
        port,
        security,
    })
}

/// The account's IMAP server, `None` when it reads no mailbox. An unset port or security
/// takes the documented default (993, TLS); a stored one this code does not know, or a
/// mailbox without its password, is an error naming the row.
pub fn imap_endpoint(account: &email_account::Model) -> AppResult<Option<Endpoint>> {
    let Some(host) = account.imap_host.clone() else {
        return Ok(None);
    };
    let corrupt =
        |column: &str, value: &str| AppError::corrupt("email_accounts", &account.id, column, value);
    let port = match account.imap_port {
        None => 993,
        Some(p) => u16::try_from(p)
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| corrupt("imap_port", &p.to_string()))?,
    };
    let security = match account.imap_security.as_deref() {
        None => SmtpSecurity::Tls,
        Some(s) => SmtpSecurity::parse(s).ok_or_else(|| corrupt("imap_security", s))?,
    };
    if account.imap_password.is_none() {
        return Err(corrupt("imap_password", "NULL"));
    }
    Ok(Some(Endpoint {
        host,
        port,
        security,
    }))
}
