//! Suppressions: the addresses and domains a workspace never emails. Every unsubscribe and hard
//! bounce writes one; contacts created or imported at a suppressed address land unsubscribed or
//! bounced, enrolment skips them, the sender refuses them, and a suppressed contact cannot be
//! made active until its suppression is deleted. A domain entry covers every address at it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{contact, suppression};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::{Value, json};

use super::addresses;
use super::contacts::ContactStatus;
use super::{Page, PageRequest, SortOrder, clean_text, events, filter_text, like_contains};
use crate::error::{AppError, AppResult};
use crate::ids;

/// Most suppressions one call adds.
pub const MAX_ITEMS: usize = 10_000;
/// Longest reason given for deleting a suppression.
pub const MAX_REASON: usize = 500;
/// Values per lookup or insert statement.
const CHUNK: usize = 1000;
/// Invalid items named in an error's details.
const MAX_REPORTED: usize = 100;

pub const SORT_FIELDS: &[(&str, suppression::Column)] = &[
    ("createdAt", suppression::Column::CreatedAt),
    ("value", suppression::Column::Value),
];

pub use entity::states::{SuppressionKind as Kind, SuppressionSource as Source};

/// The status a contact at an address suppressed for `source` has: bounced for a bounce,
/// otherwise unsubscribed.
pub fn contact_status(source: Source) -> ContactStatus {
    match source {
        Source::Bounce => ContactStatus::Bounced,
        _ => ContactStatus::Unsubscribed,
    }
}

/// One suppression to add; `kind` and `value` are required, `source` defaults to `manual`.
#[derive(Clone, Debug, Default)]
pub struct NewSuppression {
    pub kind: Option<Kind>,
    pub value: Option<String>,
    pub source: Option<Source>,
}

/// What `add` was given: one suppression, or `items`.
#[derive(Clone, Debug, Default)]
pub struct AddInput {
    pub one: NewSuppression,
    pub items: Option<Vec<NewSuppression>>,
}

/// The answer to `add`: every item's suppression in the request's order (one already there
/// is answered as stored), and how many were new.
#[derive(Clone, Debug)]
pub struct Added {
    pub items: Vec<suppression::Model>,
    pub created: usize,
    pub existing: usize,
}

#[derive(Clone, Debug, Default)]
pub struct SuppressionFilter {
    pub kind: Option<Kind>,
    pub source: Option<Source>,
    /// Case-insensitive substring of the value.
    pub value: Option<String>,
}

/// The checked, normalised value of one item.
fn check(
    item: NewSuppression,
    field: impl Fn(&str) -> String,
) -> AppResult<(Kind, String, Source)> {
    let kind = item
        .kind
        .ok_or_else(|| AppError::invalid_field(&field("kind"), "kind is required"))?;
    let value = item.value.unwrap_or_default();
    let value = match kind {
        Kind::Email => addresses::parse(&field("value"), &value)?.normalized,
        Kind::Domain => addresses::parse_domain(&field("value"), &value)?,
    };
    Ok((kind, value, item.source.unwrap_or(Source::Manual)))
}

/// Checks every item: the first invalid one is the error, with the indexes of (up to 100)
/// invalid items in `details.invalidIndexes`.
fn check_items(input: AddInput) -> AppResult<Vec<(Kind, String, Source)>> {
    let AddInput { one, items } = input;
    let given_one = one.kind.is_some() || one.value.is_some() || one.source.is_some();
    let Some(items) = items else {
        return Ok(vec![check(one, str::to_owned)?]);
    };
    if given_one {
        return Err(AppError::invalid_field(
            "items",
            "Give kind and value for one suppression, or items, not both",
        ));
    }
    if items.is_empty() {
        return Err(AppError::invalid_field(
            "items",
            "items must hold at least one suppression",
        ));
    }
    if items.len() > MAX_ITEMS {
        return Err(AppError::invalid_field(
            "items",
            format!("At most {MAX_ITEMS} suppressions per call"),
        )
        .with_details(json!({ "field": "items", "max": MAX_ITEMS, "received": items.len() })));
    }
    let mut checked = Vec::with_capacity(items.len());
    let mut first: Option<(usize, AppError)> = None;
    let mut invalid = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match check(item, |part| format!("items[{index}].{part}")) {
            Ok(ok) => checked.push(ok),
            Err(err) => {
                if invalid.len() < MAX_REPORTED {
                    invalid.push(index);
                }
                first.get_or_insert((index, err));
            }
        }
    }
    if let Some((index, err)) = first {
        let field = err
            .details
            .as_ref()
            .and_then(|d| d.get("field"))
            .cloned()
            .unwrap_or(Value::from("items"));
        return Err(
            AppError::validation(format!("Item {index}: {}", err.message))
                .with_details(json!({ "field": field, "index": index, "invalidIndexes": invalid })),
        );
    }
    Ok(checked)
}

/// Adds suppressions (one, or up to `MAX_ITEMS`) in one transaction. Any invalid item refuses
/// the whole call; one already there is kept as it is (idempotent).
pub async fn add<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    input: AddInput,
    now: DateTime<Utc>,
) -> AppResult<Added> {
    let checked = check_items(input)?;
    let txn = crate::db::begin_write(db).await?;
    let (items, created) = insert(&txn, workspace_id, &checked, now).await?;
    txn.commit().await?;
    let existing = items.len() - created;
    Ok(Added {
        items,
        created,
        existing,
    })
}

/// Inserts the (checked) suppressions not there yet; answers every item's row in order, and
/// how many distinct ones were new.
async fn insert(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    checked: &[(Kind, String, Source)],
    now: DateTime<Utc>,
) -> AppResult<(Vec<suppression::Model>, usize)> {
    let mut seen = HashSet::new();
    let mut new_ids = HashSet::new();
    let rows: Vec<suppression::ActiveModel> = checked
        .iter()
        .filter(|(kind, value, _)| seen.insert((*kind, value.clone())))
        .map(|(kind, value, source)| {
            let id = ids::new_id(ids::SUPPRESSION);
            new_ids.insert(id.clone());
            suppression::ActiveModel {
                id: Set(id),
                workspace_id: Set(workspace_id.to_owned()),
                kind: Set(*kind),
                value: Set(value.clone()),
                source: Set(*source),
                created_at: Set(now),
            }
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        suppression::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                suppression::Column::WorkspaceId,
                suppression::Column::Kind,
                suppression::Column::Value,
            ])
            .exec_without_returning(txn)
            .await?;
    }
    let mut stored: HashMap<(Kind, String), suppression::Model> = HashMap::new();
    for kind in Kind::ALL {
        let values: Vec<String> = seen
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, v)| v.clone())
            .collect();
        for chunk in values.chunks(CHUNK) {
            let found = suppression::Entity::find()
                .filter(suppression::Column::WorkspaceId.eq(workspace_id))
                .filter(suppression::Column::Kind.eq(kind.as_str()))
                .filter(suppression::Column::Value.is_in(chunk.iter().cloned()))
                .all(txn)
                .await?;
            for row in found {
                stored.insert((row.kind, row.value.clone()), row);
            }
        }
    }
    let created = stored.values().filter(|r| new_ids.contains(&r.id)).count();
    let items = checked
        .iter()
        .map(|(kind, value, _)| {
            stored
                .get(&(*kind, value.clone()))
                .cloned()
                .ok_or_else(|| AppError::internal("a suppression vanished while being added"))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((items, created))
}

/// Suppresses a contact's (normalised) address on the system's behalf (an unsubscribe, a hard
/// bounce), inside the caller's transaction. Idempotent: an existing entry keeps its source.
pub async fn record(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    email_normalized: &str,
    source: Source,
    now: DateTime<Utc>,
) -> AppResult<()> {
    suppression::Entity::insert(suppression::ActiveModel {
        id: Set(ids::new_id(ids::SUPPRESSION)),
        workspace_id: Set(workspace_id.to_owned()),
        kind: Set(Kind::Email),
        value: Set(email_normalized.to_owned()),
        source: Set(source),
        created_at: Set(now),
    })
    .on_conflict_do_nothing_on([
        suppression::Column::WorkspaceId,
        suppression::Column::Kind,
        suppression::Column::Value,
    ])
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The prefix of an erased address's entry: the address itself is gone, only its digest stays.
pub const HASHED: &str = "sha256:";

/// The entry an erased (normalised) address keeps: a SHA-256 of the workspace and the address,
/// so the address stays suppressed without being kept, and one workspace's digests say nothing
/// about another's.
pub fn hashed(workspace_id: &str, email_normalized: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{workspace_id}\n{email_normalized}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{HASHED}{hex}")
}

/// Replaces the entry of an address being erased with its digest (keeping its source), or adds
/// one (source `unsubscribe`: who asks to be forgotten is not emailed again). In the caller's
/// transaction.
pub async fn keep_only_digest(
    txn: &impl ConnectionTrait,
    workspace_id: &str,
    email_normalized: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let existing = suppression::Entity::find()
        .filter(suppression::Column::WorkspaceId.eq(workspace_id))
        .filter(suppression::Column::Kind.eq(Kind::Email.as_str()))
        .filter(suppression::Column::Value.eq(email_normalized))
        .one(txn)
        .await?;
    let source = existing
        .as_ref()
        .map_or(Source::Unsubscribe, |row| row.source);
    if let Some(row) = existing {
        suppression::Entity::delete_by_id(row.id).exec(txn).await?;
    }
    record(
        txn,
        workspace_id,
        &hashed(workspace_id, email_normalized),
        source,
        now,
    )
    .await
}

/// The suppressed addresses among `emails` (normalised), each with the source that suppresses
/// it (its own entry, or its erased digest, before its domain's). One indexed lookup per 1 000
/// addresses.
pub async fn sources_of(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    emails: &[String],
) -> AppResult<HashMap<String, Source>> {
    let mut out = HashMap::new();
    for chunk in emails.chunks(CHUNK) {
        let domains: HashSet<&str> = chunk.iter().map(|e| addresses::domain_of(e)).collect();
        let digests: HashMap<String, &String> =
            chunk.iter().map(|e| (hashed(workspace_id, e), e)).collect();
        let rows = suppression::Entity::find()
            .filter(suppression::Column::WorkspaceId.eq(workspace_id))
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(suppression::Column::Kind.eq(Kind::Email.as_str()))
                            .add(
                                suppression::Column::Value
                                    .is_in(chunk.iter().cloned().chain(digests.keys().cloned())),
                            ),
                    )
                    .add(
                        Condition::all()
                            .add(suppression::Column::Kind.eq(Kind::Domain.as_str()))
                            .add(suppression::Column::Value.is_in(domains)),
                    ),
            )
            .all(db)
            .await?;
        let mut by_email = HashMap::new();
        let mut by_domain = HashMap::new();
        for row in &rows {
            let source = row.source;
            match row.kind {
                Kind::Email => match digests.get(&row.value) {
                    Some(email) => by_email.insert(email.as_str(), source),
                    None => by_email.insert(row.value.as_str(), source),
                },
                Kind::Domain => by_domain.insert(row.value.as_str(), source),
            };
        }
        for email in chunk {
            let source = by_email
                .get(email.as_str())
                .or_else(|| by_domain.get(addresses::domain_of(email)));
            if let Some(source) = source {
                out.insert(email.clone(), *source);
            }
        }
    }
    Ok(out)
}

/// The domain of a normalised address held in `column`, in SQL (after its last `@`).
fn domain_sql(backend: DbBackend, column: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!("substring({column} from '[^@]*$')")),
        _ => Expr::cust(format!(
            "substr({column}, length(rtrim({column}, replace({column}, '@', ''))) + 1)"
        )),
    }
}

/// True for the rows of `contacts` whose address is not suppressed in their workspace (for
/// set-based statements over contacts): two lookups of the unique index per contact.
pub fn not_suppressed(backend: DbBackend) -> SimpleExpr {
    let address = r#""contacts"."email_normalized""#;
    let matches = Query::select()
        .expr(Expr::val(1))
        .from(suppression::Entity)
        .and_where(
            Expr::col((suppression::Entity, suppression::Column::WorkspaceId))
                .equals((contact::Entity, contact::Column::WorkspaceId)),
        )
        .cond_where(
            Condition::any()
                .add(
                    Condition::all()
                        .add(
                            Expr::col((suppression::Entity, suppression::Column::Kind))
                                .eq(Kind::Email.as_str()),
                        )
                        .add(
                            Expr::col((suppression::Entity, suppression::Column::Value))
                                .equals((contact::Entity, contact::Column::EmailNormalized)),
                        ),
                )
                .add(
                    Condition::all()
                        .add(
                            Expr::col((suppression::Entity, suppression::Column::Kind))
                                .eq(Kind::Domain.as_str()),
                        )
                        .add(
                            Expr::col((suppression::Entity, suppression::Column::Value))
                                .eq(domain_sql(backend, address)),
                        ),
                ),
        )
        .to_owned();
    Expr::exists(matches).not()
}

/// The suppression as events carry it.
pub fn to_json(row: &suppression::Model) -> Value {
    json!({
        "id": row.id,
        "kind": row.kind,
        "value": row.value,
        "source": row.source,
        "createdAt": ids::rfc3339(&row.created_at),
    })
}

/// One suppression of this workspace; another workspace's id is not found.
pub async fn get(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<suppression::Model> {
    crate::service::owned::<suppression::Entity>(db, workspace_id, id).await
}

impl crate::service::Owned for suppression::Entity {
    const NOUN: &'static str = "Suppression";
    fn workspace_column() -> suppression::Column {
        suppression::Column::WorkspaceId
    }
    fn id_column() -> suppression::Column {
        suppression::Column::Id
    }
}

/// Deletes a suppression, saying why: emits `suppression.deleted` (with the reason) in the same
/// transaction. The address can be emailed again; contacts keep their status until changed.
pub async fn delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    workspace_id: &str,
    id: &str,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let reason = clean_text("reason", reason, MAX_REASON)?
        .ok_or_else(|| AppError::invalid_field("reason", "reason is required"))?;
    let txn = crate::db::begin_write(db).await?;
    let row = get(&txn, workspace_id, id).await?;
    suppression::Entity::delete_by_id(row.id.clone())
        .exec(&txn)
        .await?;
    let mut data = to_json(&row);
    data["reason"] = Value::String(reason);
    events::emit(&txn, workspace_id, "suppression.deleted", data, now).await?;
    txn.commit().await?;
    Ok(row.id)
}

/// A page of the workspace's suppressions matching `filter`.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    filter: &SuppressionFilter,
    page: PageRequest,
    sort: Option<&str>,
    order: SortOrder,
) -> AppResult<Page<suppression::Model>> {
    let column = super::sort_field(sort, SORT_FIELDS)?;
    let mut query =
        suppression::Entity::find().filter(suppression::Column::WorkspaceId.eq(workspace_id));
    if let Some(kind) = filter.kind {
        query = query.filter(suppression::Column::Kind.eq(kind.as_str()));
    }
    if let Some(source) = filter.source {
        query = query.filter(suppression::Column::Source.eq(source.as_str()));
    }
    if let Some(value) = filter_text("value", filter.value.as_deref())? {
        query = query.filter(
            Expr::col(suppression::Column::Value)
                .like(LikeExpr::new(like_contains(&value.to_lowercase())).escape('\\')),
        );
    }
    let ordering = super::Ordering::new(column, suppression::Column::Id, order);
    super::fetch_page(db, query, page, ordering, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: Kind, value: &str) -> NewSuppression {
        NewSuppression {
            kind: Some(kind),
            value: Some(value.into()),
            source: None,
        }
    }

    #[test]
    fn values_are_normalised_and_bad_items_refuse_the_call() {
        let one = check_items(AddInput {
            one: item(Kind::Email, " Ana@München.DE "),
            items: None,
        })
        .unwrap();
        assert_eq!(
            one,
            vec![(Kind::Email, "ana@xn--mnchen-3ya.de".into(), Source::Manual)]
        );
        let err = check_items(AddInput {
            one: NewSuppression::default(),
            items: Some(vec![
                item(Kind::Domain, "EXAMPLE.com"),
                item(Kind::Domain, "not a domain"),
                item(Kind::Email, "nobody"),
            ]),
        })
        .unwrap_err();
        let details = err.details.unwrap();
        assert_eq!(details["field"], "items[1].value");
        assert_eq!(details["invalidIndexes"], json!([1, 2]));
        assert!(
            check_items(AddInput {
                one: item(Kind::Email, "a@example.com"),
                items: Some(vec![item(Kind::Email, "b@example.com")]),
            })
            .is_err()
        );
    }
}
