//! CSV imports of contacts. The upload is checked (encoding, delimiter, header, size) and kept
//! whole; a worker then imports it in chunks, each committed together with the import's progress,
//! so a restart resumes after the last committed chunk and never imports a row twice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::contact_import;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};

use super::contacts::{self, ContactInput};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ids;

pub const IMPORT: &str = "imp";
/// Most data rows one import takes.
pub const MAX_ROWS: usize = 100_000;
/// Largest file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Rows committed together.
const CHUNK: usize = 500;
/// Row errors kept (the count goes on).
const MAX_ERRORS: usize = 1000;
/// How long a worker's claim on an import lasts without renewal.
const LEASE_SECS: i64 = 60;
/// How long a failed import keeps its file (for a look at what went wrong) before the purge.
pub const FAILED_FILE_RETENTION_HOURS: i64 = 24;
/// The default bound on the bytes of a workspace's pending (queued or running) uploads.
pub const DEFAULT_QUOTA_BYTES: u64 = 100 * 1024 * 1024;

/// The bound on the bytes of a workspace's pending uploads (`FLUENZR_IMPORT_QUOTA_BYTES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportQuota(pub u64);

impl Default for ImportQuota {
    fn default() -> Self {
        ImportQuota(DEFAULT_QUOTA_BYTES)
    }
}

pub use entity::states::{Duplicates, ImportStatus};

/// A new import, as uploaded.
#[derive(Clone, Debug, Default)]
pub struct NewImport {
    pub bytes: Vec<u8>,
    pub group_id: Option<String>,
    pub duplicates: Option<Duplicates>,
    /// CSV header → field (`email`, `firstName`, `lastName`, `company`, `phone`, `timezone`,
    /// `customFields.<key>`, or `ignore`); headers not named go by their name.
    pub mapping: Option<Value>,
}

/// The text of a file: UTF-8 (a byte-order mark dropped), or else Latin-1.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Refuses a file holding a NUL character (the input gate's rule, `crate::gate`), naming its
/// line: no cell may carry one into the database.
pub fn refuse_nul(text: &str) -> AppResult<()> {
    let Some(at) = text.bytes().position(|b| b == 0) else {
        return Ok(());
    };
    let line = text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    Err(AppError::invalid_field(
        "csv",
        format!("the CSV holds a NUL character on line {line}"),
    )
    .with_details(json!({ "field": "csv", "line": line })))
}

/// The delimiter of the header line: `;`, tab or `,` (whichever occurs most outside quotes).
pub fn sniff(text: &str) -> u8 {
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in text.bytes().take_while(|b| *b != b'\n') {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(entry) = counts.iter_mut().find(|(d, _)| *d == b) {
            entry.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .map_or(b',', |(d, _)| *d)
}

/// The contact field a column fills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Email,
    FirstName,
    LastName,
    Company,
    Phone,
    Timezone,
    Custom(String),
}

impl Field {
    fn name(&self) -> String {
        match self {
            Field::Email => "email".into(),
            Field::FirstName => "firstName".into(),
            Field::LastName => "lastName".into(),
            Field::Company => "company".into(),
            Field::Phone => "phone".into(),
            Field::Timezone => "timezone".into(),
            Field::Custom(key) => format!("customFields.{key}"),
        }
    }

    /// What a header means by default: known names in their usual spellings, anything else a
    /// custom field of that name (made a valid key).
    fn by_header(header: &str) -> Field {
        let plain: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        match plain.as_str() {
            "email" | "emailaddress" | "mail" => Field::Email,
            "firstname" | "givenname" | "first" => Field::FirstName,
            "lastname" | "surname" | "familyname" | "last" => Field::LastName,
            "company" | "organization" | "organisation" | "companyname" => Field::Company,
            "phone" | "phonenumber" | "telephone" | "mobile" => Field::Phone,
            "timezone" | "tz" | "zone" => Field::Timezone,
            _ => {
                let mut key: String = header
                    .trim()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .take(64)
                    .collect();
                if !key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    key.insert(0, '_');
                    key.truncate(64);
                }
                Field::Custom(key)
            }
        }
    }

    fn parse(value: &str) -> Option<Option<Field>> {
        Some(match value {
            "ignore" => None,
            "email" => Some(Field::Email),
            "firstName" => Some(Field::FirstName),
            "lastName" => Some(Field::LastName),
            "company" => Some(Field::Company),
            "phone" => Some(Field::Phone),
            "timezone" => Some(Field::Timezone),
            other => Some(Field::Custom(
                other.strip_prefix("customFields.")?.to_owned(),
            )),
        })
    }
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes())
}

/// Each column's field (or `None`: ignored), from the header and the caller's mapping.
fn columns(headers: &csv::StringRecord, mapping: Option<&Value>) -> AppResult<Vec<Option<Field>>> {
    let bad = |message: String| AppError::invalid_field("mapping", message);
    let mapping = match mapping {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(bad("mapping must be an object: CSV header → field".into())),
    };
    for key in mapping.keys() {
        if !headers.iter().any(|h| h.trim() == key) {
            return Err(bad(format!("the CSV has no column '{key}'")));
        }
    }
    let mut out = Vec::with_capacity(headers.len());
    for header in headers {
        let header = header.trim();
        let field = match mapping.get(header) {
            Some(Value::String(target)) => Field::parse(target).ok_or_else(|| {
                bad(format!(
                    "'{target}' is not a field: email, firstName, lastName, company, phone, timezone, customFields.<key> or ignore"
                ))
            })?,
            Some(_) => return Err(bad(format!("the field for '{header}' must be a string"))),
            None if header.is_empty() => None,
            None => Some(Field::by_header(header)),
        };
        out.push(field);
    }
    let emails = out.iter().filter(|f| **f == Some(Field::Email)).count();
    if emails != 1 {
        return Err(AppError::invalid_field(
            "csv",
            "the CSV needs exactly one email column (a header named email, or a mapping to it)",
        ));
    }
    Ok(out)
}

/// The bytes of the files a workspace's pending (queued or running) imports hold.
pub async fn pending_bytes(db: &impl ConnectionTrait, workspace_id: &str) -> AppResult<u64> {
    use sea_orm::QuerySelect;
    let sizes: Vec<i64> = contact_import::Entity::find()
        .select_only()
        .column(contact_import::Column::FileBytes)
        .filter(contact_import::Column::WorkspaceId.eq(workspace_id))
        .filter(contact_import::Column::Status.is_in([
            ImportStatus::Queued.as_str(),
            ImportStatus::Running.as_str(),
        ]))
        .into_tuple()
        .all(db)
        .await?;
    Ok(sizes
        .into_iter()
        .map(|n| u64::try_from(n).unwrap_or(0))
        .sum())
}

/// Refuses an upload of `size` bytes that would take the workspace's pending uploads past
/// `quota`.
async fn check_quota(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    size: usize,
    quota: ImportQuota,
) -> AppResult<()> {
    let pending = pending_bytes(db, workspace_id).await?;
    let size = u64::try_from(size).unwrap_or(u64::MAX);
    if pending.saturating_add(size) > quota.0 {
        return Err(AppError::new(
            ErrorCode::QuotaExceeded,
            format!(
                "This workspace's pending imports may hold at most {} bytes: {pending} are waiting and this file has {size}; retry once they have run",
                quota.0
            ),
        )
        .with_details(json!({ "quota": quota.0, "pending": pending, "size": size })));
    }
    Ok(())
}

/// Checks and records a new import; the worker runs it. The workspace's pending uploads,
/// this one included, must fit in `quota`.
pub async fn create<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    workspace_id: &str,
    new: NewImport,
    quota: ImportQuota,
    now: DateTime<Utc>,
) -> AppResult<contact_import::Model> {
    use sea_orm::TransactionSession;
    if new.bytes.len() > MAX_BYTES {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("A CSV import takes at most {MAX_BYTES} bytes"),
        ));
    }
    // Refused before the file is read through, and checked again where it is recorded.
    check_quota(db, workspace_id, new.bytes.len(), quota).await?;
    let file_bytes = new.bytes.len();
    let text = decode(&new.bytes);
    refuse_nul(&text)?;
    if text.trim().is_empty() {
        return Err(AppError::invalid_field("csv", "the CSV is empty"));
    }
    let delimiter = sniff(&text);
    let mut rows = reader(&text, delimiter);
    let headers = rows
        .headers()
        .map_err(|e| AppError::invalid_field("csv", format!("the header row cannot be read: {e}")))?
        .clone();
    let fields = columns(&headers, new.mapping.as_ref())?;
    let mut total = 0usize;
    for record in rows.records() {
        if let Err(err) = record {
            return Err(AppError::invalid_field(
                "csv",
                format!("the CSV cannot be read: {err}"),
            ));
        }
        total += 1;
        if total > MAX_ROWS {
            return Err(AppError::invalid_field(
                "csv",
                format!("A CSV import takes at most {MAX_ROWS} rows"),
            ));
        }
    }
    // The quota is checked and the file recorded under the workspace's lock (PostgreSQL; a
    // SQLite write transaction excludes other writers), so concurrent uploads cannot together
    // exceed it.
    let txn = crate::db::begin_write(db).await?;
    super::workspaces::lock(&txn, workspace_id).await?;
    check_quota(&txn, workspace_id, file_bytes, quota).await?;
    if let Some(group) = &new.group_id {
        super::groups::get(&txn, workspace_id, group).await?;
    }
    let mapping: serde_json::Map<String, Value> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.as_ref().map(|f| (i.to_string(), Value::String(f.name()))))
        .collect();
    let row = contact_import::ActiveModel {
        id: Set(ids::new_id(IMPORT)),
        workspace_id: Set(workspace_id.to_owned()),
        status: Set(ImportStatus::Queued),
        source: Set(if total == 0 { String::new() } else { text }),
        file_bytes: Set(if total == 0 {
            0
        } else {
            i64::try_from(file_bytes).unwrap_or(i64::MAX)
        }),
        delimiter: Set(char::from(delimiter).to_string()),
        mapping: Set(Value::Object(mapping)),
        group_id: Set(new.group_id),
        duplicates: Set(new.duplicates.unwrap_or(Duplicates::Skip)),
        total: Set(i32::try_from(total).unwrap_or(i32::MAX)),
        processed: Set(0),
        position: Set(0),
        created: Set(0),
        updated: Set(0),
        skipped: Set(0),
        failed_rows: Set(0),
        errors: Set(json!([])),
        locked_until: Set(None),
        created_at: Set(now),
        started_at: Set(None),
        completed_at: Set(if total == 0 { Some(now) } else { None }),
    };
    let mut row = row;
    if total == 0 {
        row.status = Set(ImportStatus::Completed);
    }
    let model = row.insert(&txn).await?;
    if total > 0 {
        crate::signals::send(&txn, crate::signals::Signal::Import).await?;
    }
    txn.commit().await?;
    Ok(model)
}

/// One import of this workspace.
pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<contact_import::Model> {
    crate::service::owned::<contact_import::Entity>(db, workspace_id, id).await
}

impl crate::service::Owned for contact_import::Entity {
    const NOUN: &'static str = "Import";
    fn workspace_column() -> contact_import::Column {
        contact_import::Column::WorkspaceId
    }
    fn id_column() -> contact_import::Column {
        contact_import::Column::Id
    }
}

type At = DateTime<Utc>;

/// Claims the oldest import that is waiting, or whose worker stopped holding it.
pub async fn claim(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> AppResult<Option<contact_import::Model>> {
    use sea_orm::QuerySelect;
    // Only what deciding needs: the file itself is read once, for the import taken.
    let candidates: Vec<(String, String, Option<At>, Option<At>)> = contact_import::Entity::find()
        .select_only()
        .columns([
            contact_import::Column::Id,
            contact_import::Column::WorkspaceId,
            contact_import::Column::LockedUntil,
            contact_import::Column::StartedAt,
        ])
        .filter(contact_import::Column::Status.is_in([
            ImportStatus::Queued.as_str(),
            ImportStatus::Running.as_str(),
        ]))
        .filter(
            sea_orm::Condition::any()
                .add(contact_import::Column::LockedUntil.is_null())
                .add(contact_import::Column::LockedUntil.lt(now)),
        )
        .order_by_asc(contact_import::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?;
    for (id, workspace_id, locked_until, started_at) in candidates {
        // Taken only if nobody took it meanwhile (the lease is compared as read).
        let mut update = contact_import::Entity::update_many()
            .col_expr(
                contact_import::Column::Status,
                Expr::value(ImportStatus::Running.as_str()),
            )
            .col_expr(
                contact_import::Column::LockedUntil,
                Expr::value(now + chrono::Duration::seconds(LEASE_SECS)),
            )
            .col_expr(
                contact_import::Column::StartedAt,
                Expr::value(started_at.unwrap_or(now)),
            )
            .filter(contact_import::Column::Id.eq(&id));
        update = match locked_until {
            Some(at) => update.filter(contact_import::Column::LockedUntil.eq(at)),
            None => update.filter(contact_import::Column::LockedUntil.is_null()),
        };
        if update.exec(db).await?.rows_affected == 1 {
            return Ok(Some(get(db, &workspace_id, &id).await?));
        }
    }
    Ok(None)
}

/// Ends a claimed import `failed` with `reason` as its last error (its committed chunks stay).
pub async fn fail(
    db: &DatabaseConnection,
    id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(import) = contact_import::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let mut errors = import.errors.as_array().cloned().unwrap_or_default();
    errors.push(json!({ "row": null, "column": null, "message": reason }));
    contact_import::Entity::update_many()
        .col_expr(
            contact_import::Column::Status,
            Expr::value(ImportStatus::Failed.as_str()),
        )
        .col_expr(
            contact_import::Column::Errors,
            Expr::value(Value::Array(errors)),
        )
        .col_expr(
            contact_import::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(contact_import::Column::CompletedAt, Expr::value(now))
        .filter(contact_import::Column::Id.eq(id))
        .filter(contact_import::Column::Status.eq(ImportStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Drops the files of imports that failed more than `FAILED_FILE_RETENTION_HOURS` before
/// `now` (completed imports drop theirs when they complete); returns how many.
pub async fn purge_failed_files(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    let cutoff = now - chrono::Duration::hours(FAILED_FILE_RETENTION_HOURS);
    Ok(contact_import::Entity::update_many()
        .col_expr(contact_import::Column::Source, Expr::value(""))
        .col_expr(contact_import::Column::FileBytes, Expr::value(0i64))
        .filter(contact_import::Column::Status.eq(ImportStatus::Failed.as_str()))
        .filter(contact_import::Column::CompletedAt.lt(cutoff))
        .filter(contact_import::Column::FileBytes.gt(0i64))
        .exec(db)
        .await?
        .rows_affected)
}

/// Gives a claimed import back (the worker is stopping): another picks it up at once.
pub async fn release(db: &DatabaseConnection, id: &str) -> AppResult<()> {
    contact_import::Entity::update_many()
        .col_expr(
            contact_import::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(contact_import::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

fn field_of(mapping: &Value, column: usize) -> Option<Field> {
    mapping
        .get(column.to_string())
        .and_then(Value::as_str)
        .and_then(Field::parse)
        .flatten()
}

/// Imports the next chunk of `import` (claimed by the caller) and commits it with the
/// progress; returns the import as it now stands.
pub async fn run_chunk(
    db: &DatabaseConnection,
    import: &contact_import::Model,
    now: DateTime<Utc>,
) -> AppResult<contact_import::Model> {
    let delimiter = import.delimiter.bytes().next().unwrap_or(b',');
    let mut rows = reader(&import.source, delimiter);
    let headers = rows.headers().cloned().unwrap_or_default();
    // Resume at the byte where the last committed chunk stopped (rows are not parsed again).
    let header_end = rows.position().byte();
    let offset = usize::try_from(import.position)
        .unwrap_or(0)
        .max(usize::try_from(header_end).unwrap_or(0))
        .min(import.source.len());
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(&import.source.as_bytes()[offset..]);
    // Line numbers continue from where the slice starts.
    let first_line = import.source[..offset].matches('\n').count() as u64 + 1;
    let duplicates = import.duplicates;
    // (CSV line, input) for each row of the chunk; unreadable rows fail alone.
    let mut batch: Vec<(u64, ContactInput)> = Vec::with_capacity(CHUNK);
    let mut errors: Vec<Value> = Vec::new();
    let mut read = 0;
    let mut record = csv::StringRecord::new();
    while read < CHUNK {
        match rows.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => {
                read += 1;
                let line = err.position().map_or(0, |p| p.line()) + first_line - 1;
                errors.push(json!({ "row": line, "column": null, "message": err.to_string() }));
                continue;
            }
        }
        read += 1;
        let line = record.position().map_or(0, |p| p.line()) + first_line - 1;
        let mut input = ContactInput {
            group_ids: import.group_id.clone().map(|g| vec![g]),
            ..ContactInput::default()
        };
        let mut custom = serde_json::Map::new();
        for (column, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let Some(field) = field_of(&import.mapping, column) else {
                continue;
            };
            let value = Some(cell.to_owned());
            match field {
                Field::Email => input.email = value,
                Field::FirstName => input.first_name = value,
                Field::LastName => input.last_name = value,
                Field::Company => input.company = value,
                Field::Phone => input.phone = value,
                Field::Timezone => input.timezone = value,
                Field::Custom(key) => {
                    custom.insert(key, Value::String(cell.to_owned()));
                }
            }
        }
        if !custom.is_empty() {
            input.custom_fields = Some(Value::Object(custom));
        }
        batch.push((line, input));
    }
    // Which CSV header a field came from, to name it in a row's error.
    let header_of: HashMap<String, String> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| field_of(&import.mapping, i).map(|f| (f.name(), h.trim().to_owned())))
        .collect();
    let column_of = |err: &AppError| -> Value {
        let field = err
            .details
            .as_ref()
            .and_then(|d| d.get("field"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let key = if field == "customFields" {
            header_of
                .iter()
                .find(|(f, _)| f.starts_with("customFields."))
                .map(|(_, h)| h.clone())
        } else {
            header_of.get(field).cloned()
        };
        key.map_or(Value::Null, Value::String)
    };

    let txn = crate::db::begin_write(db).await?;
    let (lines, inputs): (Vec<u64>, Vec<ContactInput>) = batch.into_iter().unzip();
    let results = contacts::create_many_in(&txn, &import.workspace_id, inputs.clone(), now).await?;
    let (mut created, mut updated, mut skipped) = (0, 0, 0);
    for ((line, input), result) in lines.into_iter().zip(inputs).zip(results) {
        match result {
            Ok(_) => created += 1,
            Err(err) if err.code == ErrorCode::Conflict => match duplicates {
                Duplicates::Skip => skipped += 1,
                Duplicates::Update => match contacts::merge_in(
                    &txn,
                    &import.workspace_id,
                    input,
                    now,
                )
                .await
                {
                    Ok(_) => updated += 1,
                    Err(err) => errors.push(
                        json!({ "row": line, "column": column_of(&err), "message": err.message }),
                    ),
                },
            },
            Err(err) => errors
                .push(json!({ "row": line, "column": column_of(&err), "message": err.message })),
        }
    }
    let processed = import.processed + i32::try_from(read).unwrap_or(i32::MAX);
    let position =
        i64::try_from(offset).unwrap_or(0) + i64::try_from(rows.position().byte()).unwrap_or(0);
    let mut kept = import.errors.as_array().cloned().unwrap_or_default();
    let failed = i32::try_from(errors.len()).unwrap_or(0);
    kept.extend(
        errors
            .into_iter()
            .take(MAX_ERRORS.saturating_sub(kept.len())),
    );
    let done = processed >= import.total || read == 0;
    // Only what changes is written (never the file itself), and only if no other worker
    // committed this chunk meanwhile (fenced by the position it started from): a worker that
    // lost its lease and woke up late rolls its chunk back instead of counting it twice.
    let mut row = contact_import::ActiveModel {
        position: Set(position),
        processed: Set(processed.min(import.total)),
        created: Set(import.created + created),
        updated: Set(import.updated + updated),
        skipped: Set(import.skipped + skipped),
        failed_rows: Set(import.failed_rows + failed),
        ..Default::default()
    };
    let kept_now = kept.clone();
    row.errors = Set(Value::Array(kept));
    if done {
        // Nothing reads a completed import's file again: it is dropped in the same commit.
        row.status = Set(ImportStatus::Completed);
        row.completed_at = Set(Some(now));
        row.locked_until = Set(None);
        row.source = Set(String::new());
        row.file_bytes = Set(0);
    } else {
        row.locked_until = Set(Some(now + chrono::Duration::seconds(LEASE_SECS)));
    }
    let fenced = contact_import::Entity::update_many()
        .set(row)
        .filter(contact_import::Column::Id.eq(&import.id))
        .filter(contact_import::Column::Position.eq(import.position))
        .filter(contact_import::Column::Status.eq(ImportStatus::Running.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    if fenced != 1 {
        // Dropped uncommitted: nothing of this chunk is kept.
        return Err(AppError::new(
            ErrorCode::Conflict,
            "another worker took this import over; this chunk was not kept",
        ));
    }
    txn.commit().await?;
    // The import as it now stands, without reading its file back.
    let mut saved = import.clone();
    saved.position = position;
    saved.processed = processed.min(import.total);
    saved.created = import.created + created;
    saved.updated = import.updated + updated;
    saved.skipped = import.skipped + skipped;
    saved.failed_rows = import.failed_rows + failed;
    saved.errors = Value::Array(kept_now);
    if done {
        saved.status = ImportStatus::Completed;
        saved.completed_at = Some(now);
        saved.locked_until = None;
        saved.source = String::new();
        saved.file_bytes = 0;
    } else {
        saved.locked_until = Some(now + chrono::Duration::seconds(LEASE_SECS));
    }
    Ok(saved)
}

#[cfg(test)]
mod tests;
