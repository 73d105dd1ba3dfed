//! Email events and the figures derived from them. Every event updates unique-contact counters
//! (per campaign and per step) and a per-day tally in the same transaction, so reading a
//! campaign's stats costs the same at a thousand events or a million.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{campaign_daily_stat, campaign_event_first, campaign_stat, email_event};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoIden, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, ModelTrait, QueryFilter, QueryOrder, Set,
    Statement, TransactionSession, TransactionTrait,
};
use serde_json::Value;

use crate::error::{AppError, AppResult};

pub use entity::states::{Counts, EventKind};

/// An event to record.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub workspace_id: String,
    pub campaign_id: String,
    pub contact_id: String,
    /// 1-based step of the campaign.
    pub step: i32,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub metadata: Value,
}

/// The name of `kind`'s figure in GraphQL and REST: its kind in camel case (`autoReplied`).
pub fn figure_name(kind: EventKind) -> String {
    let mut words = kind.as_str().split('_');
    let first = words.next().unwrap_or_default().to_owned();
    words.fold(first, |name, word| {
        let mut chars = word.chars();
        let head = chars.next().map(|c| c.to_ascii_uppercase());
        name + &head.into_iter().chain(chars).collect::<String>()
    })
}

/// The counts a counter row holds: one column per kind, named as the kind.
fn counts_of<M: ModelTrait>(row: &M) -> AppResult<Counts>
where
    <M::Entity as EntityTrait>::Column: FromStr,
{
    let mut missing = None;
    let counts = Counts::from_fn(|kind| {
        let figure = <M::Entity as EntityTrait>::Column::from_str(kind.as_str())
            .ok()
            .and_then(|column| match row.get(column) {
                sea_orm::Value::BigInt(Some(n)) => Some(n),
                _ => None,
            });
        figure.unwrap_or_else(|| {
            missing = Some(kind);
            0
        })
    });
    match missing {
        None => Ok(counts),
        Some(kind) => Err(AppError::internal(format!(
            "{} has no counter for {kind}",
            sea_orm::EntityName::table_name(&M::Entity::default())
        ))),
    }
}

/// A campaign's figures: totals, and each step's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignStats {
    pub totals: Counts,
    /// `(step, counts)` for steps 1.., zero-filled up to `step_count`.
    pub steps: Vec<(i32, Counts)>,
}

impl CampaignStats {
    pub fn from_rows(rows: &[campaign_stat::Model], step_count: usize) -> AppResult<CampaignStats> {
        let mut stats = CampaignStats::default();
        let mut steps: HashMap<i32, Counts> = HashMap::new();
        for row in rows {
            if row.step == 0 {
                stats.totals = counts_of(row)?;
            } else {
                steps.insert(row.step, counts_of(row)?);
            }
        }
        let last = Ord::max(steps.keys().copied().max().unwrap_or(0), step_count as i32);
        stats.steps = (1..=last)
            .map(|s| (s, steps.get(&s).copied().unwrap_or_default()))
            .collect();
        Ok(stats)
    }
}

/// A campaign's counter rows packed into one text value by the statement that lists it
/// (`step` then one counter per kind, in `EventKind::ALL` order, per row; rows joined by `;`), so a page of campaigns reads its figures without a second statement. `campaign_id`
/// is the listing's column holding the campaign id.
pub fn packed_counters(backend: DbBackend, campaign_id: &str) -> Expr {
    Expr::cust(format!(
        "(SELECT {}({}, ';') FROM campaign_stats fz_cs WHERE fz_cs.campaign_id = {campaign_id})",
        aggregate(backend),
        packed_row("fz_cs", "step"),
    ))
}

/// Joins a listing to each campaign's totals row (`step` 0): one integer per kind, cheaper to
/// read than `packed_counters` when the steps are not wanted. `table` is the listing's alias
/// and `id` its campaign id column; read the row back with `joined_totals`.
pub fn join_totals(
    outer: &mut sea_orm::sea_query::SelectStatement,
    table: Alias,
    id: impl IntoIden,
) {
    let totals = Alias::new("fz_totals");
    outer.join_as(
        sea_orm::sea_query::JoinType::LeftJoin,
        campaign_stat::Entity,
        totals.clone(),
        Expr::col((totals.clone(), campaign_stat::Column::CampaignId))
            .equals((table, id))
            .and(Expr::col((totals.clone(), campaign_stat::Column::Step)).eq(0)),
    );
    for kind in EventKind::ALL {
        outer.expr_as(
            Expr::col((totals.clone(), Alias::new(kind.as_str()))),
            Alias::new(totals_alias(kind)),
        );
    }
}

/// The name `join_totals` reads `kind`'s total as (made once: a page reads one per kind and
/// campaign).
fn totals_alias(kind: EventKind) -> &'static str {
    static ALIASES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        EventKind::ALL
            .iter()
            .map(|kind| format!("fz_{kind}"))
            .collect()
    });
    &ALIASES[kind.index()]
}

/// The totals `join_totals` read (all zero when the campaign has no counters yet).
pub fn joined_totals(row: &sea_orm::QueryResult) -> AppResult<Counts> {
    let mut n = [0i64; EventKind::ALL.len()];
    for kind in EventKind::ALL {
        n[kind.index()] = row
            .try_get::<Option<i64>>("", totals_alias(kind))?
            .unwrap_or(0);
    }
    Ok(Counts::from_fn(|kind| n[kind.index()]))
}

impl CampaignStats {
    /// Unpacks what `packed_counters` read (NULL: no counters yet, all zero).
    pub fn from_packed(packed: Option<&str>, step_count: usize) -> AppResult<CampaignStats> {
        let mut stats = CampaignStats {
            totals: Counts::default(),
            steps: (1..=step_count as i32)
                .map(|s| (s, Counts::default()))
                .collect(),
        };
        for row in unpacked(packed, "campaign counters") {
            let (step, counts) = row?;
            match step.parse::<usize>() {
                Ok(0) => stats.totals = counts,
                Ok(step) => {
                    if step > stats.steps.len() {
                        let from = stats.steps.len() as i32 + 1;
                        stats
                            .steps
                            .extend((from..=step as i32).map(|s| (s, Counts::default())));
                    }
                    stats.steps[step - 1].1 = counts;
                }
                Err(_) => return Err(AppError::internal("unreadable campaign counters")),
            }
        }
        Ok(stats)
    }
}

/// The rows a packed value holds, each as its first field (a step, a day) and its counts;
/// `what` names the value in the error a corrupt row is.
fn unpacked<'a>(
    packed: Option<&'a str>,
    what: &'static str,
) -> impl Iterator<Item = AppResult<(&'a str, Counts)>> + 'a {
    packed
        .unwrap_or_default()
        .split(';')
        .filter(|r| !r.is_empty())
        .map(move |row| {
            let unreadable = || AppError::internal(format!("unreadable {what}"));
            let mut fields = row.split(',');
            let first = fields.next().ok_or_else(unreadable)?;
            let mut n = [0i64; EventKind::ALL.len()];
            for slot in &mut n {
                *slot = fields
                    .next()
                    .and_then(|f| f.parse().ok())
                    .ok_or_else(unreadable)?;
            }
            if fields.next().is_some() {
                return Err(unreadable());
            }
            Ok((first, Counts::from_fn(|kind| n[kind.index()])))
        })
}

/// One row's counters joined by `,` after `first` (a column of `alias`), for a packed value.
fn packed_row(alias: &str, first: &str) -> String {
    std::iter::once(first)
        .chain(EventKind::ALL.map(EventKind::as_str))
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(" || ',' || ")
}

/// A campaign's daily tallies between two days (inclusive) packed into one text value (`day`
/// then one counter per kind, per row; rows joined by `;`), so the statement that reads the
/// campaign reads its timeline too. `campaign_id` is that statement's column holding the id;
/// read the value back with `timeline_from_packed`.
pub fn packed_timeline(
    backend: DbBackend,
    campaign_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Expr {
    let tallies = Alias::new("fz_ds");
    let day = Expr::col((tallies.clone(), campaign_daily_stat::Column::Day));
    let select = Query::select()
        .expr(Expr::cust(format!(
            "{}({}, ';')",
            aggregate(backend),
            packed_row("fz_ds", "day")
        )))
        .from_as(campaign_daily_stat::Entity, tallies.clone())
        .and_where(Expr::cust(format!("fz_ds.campaign_id = {campaign_id}")))
        .and_where(day.clone().gte(day_key(from)))
        .and_where(day.lte(day_key(to)))
        .to_owned();
    Expr::SubQuery(None, Box::new(select.into()))
}

/// Unpacks what `packed_timeline` read for `from..=to`, zero-filled.
pub fn timeline_from_packed(
    packed: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<(NaiveDate, Counts)>> {
    let mut found = HashMap::new();
    for row in unpacked(packed, "daily tallies") {
        let (day, counts) = row?;
        found.insert(day.to_owned(), counts);
    }
    Ok(zero_filled(&found, from, to))
}

/// The string aggregate of `backend`.
fn aggregate(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "string_agg",
        _ => "group_concat",
    }
}

/// A day as the daily tallies key it (`YYYY-MM-DD`).
fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Each day of `from..=to` with its counts in `found` (keyed by `day_key`), zero when absent.
fn zero_filled(
    found: &HashMap<String, Counts>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, Counts)> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|day| (day, found.get(&day_key(day)).copied().unwrap_or_default()))
        .collect()
}

/// `<table>.<column> + excluded.<column>`: an upsert adding the row it would have inserted.
fn add_excluded(table: &str, column: &str) -> Expr {
    Expr::cust(format!("{table}.{column} + excluded.{column}"))
}

/// Records an event and updates every counter it touches. Run it inside the transaction of the
/// change it reports.
pub async fn record(db: &impl ConnectionTrait, event: NewEvent) -> AppResult<()> {
    record_many(db, vec![event]).await
}

/// Records events and updates every counter they touch, in a number of statements that does
/// not grow with the events (one per kind for each counter table). Run it inside the
/// transaction of the change they report.
pub async fn record_many(db: &impl ConnectionTrait, events: Vec<NewEvent>) -> AppResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    if events.iter().any(|e| e.step < 1) {
        return Err(AppError::invalid_field("step", "step must be 1 or more"));
    }
    let rows: Vec<email_event::ActiveModel> = events
        .iter()
        .map(|event| email_event::ActiveModel {
            workspace_id: Set(event.workspace_id.clone()),
            campaign_id: Set(event.campaign_id.clone()),
            contact_id: Set(event.contact_id.clone()),
            step: Set(event.step),
            kind: Set(event.kind),
            occurred_at: Set(event.at),
            metadata: Set(event.metadata.clone()),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(1000) {
        email_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let firsts = first_of_their_kind(db, &events).await?;
    // The unique-contact counters: per campaign (step 0) and per step.
    let reached = firsts
        .into_iter()
        .map(|((campaign_id, scope, kind), n)| (kind, [campaign_id.into(), scope.into()], n))
        .collect();
    let keys = [
        campaign_stat::Column::CampaignId,
        campaign_stat::Column::Step,
    ];
    add_counts(db, campaign_stat::Entity, keys, reached).await?;
    // The per-day tallies count every event.
    let mut daily: HashMap<(EventKind, &str, String), i64> = HashMap::new();
    for event in &events {
        let day = event.at.date_naive().format("%Y-%m-%d").to_string();
        *daily
            .entry((event.kind, event.campaign_id.as_str(), day))
            .or_default() += 1;
    }
    let tallied = daily
        .into_iter()
        .map(|((kind, campaign_id, day), n)| (kind, [campaign_id.into(), day.into()], n))
        .collect();
    let keys = [
        campaign_daily_stat::Column::CampaignId,
        campaign_daily_stat::Column::Day,
    ];
    add_counts(db, campaign_daily_stat::Entity, keys, tallied).await?;
    Ok(())
}

/// Adds counts to a counters table keyed by two columns, one upsert per kind that has any: a
/// missing row is inserted holding the count, an existing one gets it added.
async fn add_counts<E: EntityTrait>(
    db: &impl ConnectionTrait,
    table: E,
    key: [E::Column; 2],
    counts: Vec<(EventKind, [sea_orm::Value; 2], i64)>,
) -> AppResult<()> {
    let name = table.table_name().to_owned();
    for kind in EventKind::ALL {
        let column = kind.as_str();
        let mut upsert = Query::insert()
            .into_table(table)
            .columns([
                key[0].into_iden(),
                key[1].into_iden(),
                Alias::new(column).into_iden(),
            ])
            .on_conflict(
                OnConflict::columns(key)
                    .value(Alias::new(column), add_excluded(&name, column))
                    .to_owned(),
            )
            .to_owned();
        let mut any = false;
        for (k, [a, b], n) in &counts {
            if *k == kind {
                any = true;
                upsert.values_panic([a.clone().into(), b.clone().into(), (*n).into()]);
            }
        }
        if any {
            db.execute(&upsert).await?;
        }
    }
    Ok(())
}

/// Marks each event's contact as reached for its kind in its campaign (step 0) and in its
/// step; returns, per `(campaign, step, kind)`, how many contacts were reached for the first
/// time (an event of a kind the contact already had there counts on the timeline only).
/// Takes back events found to be a machine's after they were counted as a reader's: their
/// rows go, the per-day tallies lose them, and each unique-contact counter (per step and per
/// campaign) loses the contact when no other event of that kind of it is left there. In the
/// caller's transaction (which holds the campaign's row, as every recording does).
pub async fn take_back(db: &impl ConnectionTrait, taken: &[email_event::Model]) -> AppResult<()> {
    if taken.is_empty() {
        return Ok(());
    }
    email_event::Entity::delete_many()
        .filter(email_event::Column::Id.is_in(taken.iter().map(|e| e.id)))
        .exec(db)
        .await?;
    let mut daily: HashMap<(EventKind, String, String), i64> = HashMap::new();
    for event in taken {
        let day = event
            .occurred_at
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        *daily
            .entry((event.kind, event.campaign_id.clone(), day))
            .or_default() -= 1;
    }
    let tallied = daily
        .into_iter()
        .map(|((kind, campaign_id, day), n)| (kind, [campaign_id.into(), day.into()], n))
        .collect();
    let keys = [
        campaign_daily_stat::Column::CampaignId,
        campaign_daily_stat::Column::Day,
    ];
    add_counts(db, campaign_daily_stat::Entity, keys, tallied).await?;
    let mut marks: Vec<(String, i32, EventKind, String)> = taken
        .iter()
        .flat_map(|e| {
            [0, e.step].map(|scope| (e.campaign_id.clone(), scope, e.kind, e.contact_id.clone()))
        })
        .collect();
    marks.sort_by(|a, b| (&a.0, a.1, a.2.as_str(), &a.3).cmp(&(&b.0, b.1, b.2.as_str(), &b.3)));
    marks.dedup();
    let mut lost = Vec::new();
    for (campaign_id, scope, kind, contact_id) in marks {
        let mut left = email_event::Entity::find()
            .filter(email_event::Column::CampaignId.eq(&campaign_id))
            .filter(email_event::Column::ContactId.eq(&contact_id))
            .filter(email_event::Column::Kind.eq(kind.as_str()));
        if scope > 0 {
            left = left.filter(email_event::Column::Step.eq(scope));
        }
        if left.one(db).await?.is_some() {
            continue;
        }
        let gone = campaign_event_first::Entity::delete_many()
            .filter(campaign_event_first::Column::CampaignId.eq(&campaign_id))
            .filter(campaign_event_first::Column::Step.eq(scope))
            .filter(campaign_event_first::Column::Kind.eq(kind.as_str()))
            .filter(campaign_event_first::Column::ContactId.eq(&contact_id))
            .exec(db)
            .await?;
        if gone.rows_affected > 0 {
            lost.push((kind, [campaign_id.into(), scope.into()], -1));
        }
    }
    let keys = [
        campaign_stat::Column::CampaignId,
        campaign_stat::Column::Step,
    ];
    add_counts(db, campaign_stat::Entity, keys, lost).await
}

async fn first_of_their_kind(
    db: &impl ConnectionTrait,
    events: &[NewEvent],
) -> AppResult<HashMap<(String, i32, EventKind), i64>> {
    let mut marks: Vec<(&str, i32, EventKind, &str)> = events
        .iter()
        .flat_map(|e| {
            [0, e.step].map(|scope| (e.campaign_id.as_str(), scope, e.kind, e.contact_id.as_str()))
        })
        .collect();
    marks.sort_by(|a, b| (a.0, a.1, a.2.as_str(), a.3).cmp(&(b.0, b.1, b.2.as_str(), b.3)));
    marks.dedup();
    let mut firsts: HashMap<(String, i32, EventKind), i64> = HashMap::new();
    for chunk in marks.chunks(500) {
        let mut insert = Query::insert()
            .into_table(campaign_event_first::Entity)
            .columns([
                campaign_event_first::Column::CampaignId,
                campaign_event_first::Column::Step,
                campaign_event_first::Column::Kind,
                campaign_event_first::Column::ContactId,
            ])
            .on_conflict(
                OnConflict::columns([
                    campaign_event_first::Column::CampaignId,
                    campaign_event_first::Column::Step,
                    campaign_event_first::Column::Kind,
                    campaign_event_first::Column::ContactId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .returning(Query::returning().columns([
                campaign_event_first::Column::CampaignId,
                campaign_event_first::Column::Step,
                campaign_event_first::Column::Kind,
            ]))
            .to_owned();
        for (campaign_id, scope, kind, contact_id) in chunk {
            insert.values_panic([
                (*campaign_id).into(),
                (*scope).into(),
                kind.as_str().into(),
                (*contact_id).into(),
            ]);
        }
        for row in db.query_all(&insert).await? {
            let campaign_id: String = row.try_get("", "campaign_id")?;
            let step: i32 = row.try_get("", "step")?;
            let kind: EventKind = row.try_get("", "kind")?;
            *firsts.entry((campaign_id, step, kind)).or_default() += 1;
        }
    }
    Ok(firsts)
}

/// A campaign's unique-contact totals.
pub async fn totals(db: &impl ConnectionTrait, campaign_id: &str) -> AppResult<Counts> {
    Ok(
        campaign_stat::Entity::find_by_id((campaign_id.to_owned(), 0))
            .one(db)
            .await?
            .map(|row| counts_of(&row))
            .transpose()?
            .unwrap_or_default(),
    )
}

/// Counter rows of the given campaigns, in one statement.
pub async fn counters(
    db: &impl ConnectionTrait,
    campaign_ids: &[String],
) -> AppResult<HashMap<String, Vec<campaign_stat::Model>>> {
    let rows = campaign_stat::Entity::find()
        .filter(campaign_stat::Column::CampaignId.is_in(campaign_ids.iter().cloned()))
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<campaign_stat::Model>> = HashMap::new();
    for row in rows {
        out.entry(row.campaign_id.clone()).or_default().push(row);
    }
    Ok(out)
}

/// What one variant of a step came to: emails sent, and of those opened, clicked, replied
/// (each message is one contact's email of that step).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VariantCounts {
    pub sent: i64,
    pub opened: i64,
    pub clicked: i64,
    pub replied: i64,
}

impl VariantCounts {
    /// `n` as a percentage of the variant's sends, rounded to 2 decimals; 0 when none went.
    pub fn rate(&self, n: i64) -> f64 {
        Counts {
            sent: self.sent,
            ..Counts::default()
        }
        .rate(n)
    }
}

/// Each campaign's figures per (step, variant), in one statement for all of them (only `step`'s
/// when given). Messages from before variants (no variant kept) come under `None`.
pub async fn variant_counts(
    db: &impl ConnectionTrait,
    campaign_ids: &[String],
    step: Option<i32>,
) -> AppResult<HashMap<String, Vec<(i32, Option<String>, VariantCounts)>>> {
    use entity::message;
    use sea_orm::QuerySelect;
    let count = |c: message::Column| Expr::col(c).count();
    // (campaign, step, variant, sent, opened, clicked, replied)
    type Row = (String, i32, Option<String>, i64, i64, i64, i64);
    let mut query = message::Entity::find();
    if let Some(step) = step {
        query = query.filter(message::Column::Step.eq(step));
    }
    let rows: Vec<Row> = query
        .select_only()
        .column(message::Column::CampaignId)
        .column(message::Column::Step)
        .column(message::Column::VariantId)
        .expr(count(message::Column::SentAt))
        .expr(count(message::Column::OpenedAt))
        .expr(count(message::Column::ClickedAt))
        .expr(count(message::Column::RepliedAt))
        .filter(message::Column::CampaignId.is_in(campaign_ids.iter().cloned()))
        .group_by(message::Column::CampaignId)
        .group_by(message::Column::Step)
        .group_by(message::Column::VariantId)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<(i32, Option<String>, VariantCounts)>> = HashMap::new();
    for (campaign_id, step, variant, sent, opened, clicked, replied) in rows {
        let counts = VariantCounts {
            sent,
            opened,
            clicked,
            replied,
        };
        out.entry(campaign_id)
            .or_default()
            .push((step, variant, counts));
    }
    Ok(out)
}

/// Longest timeline one request may ask for.
pub const MAX_TIMELINE_DAYS: i64 = 366;

/// Parses and checks a `from`/`to` day range (inclusive); defaults to the 30 days up to today.
pub fn day_range(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let parse = |field: &str, value: &str| {
        NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
            AppError::invalid_field(field, format!("{field} must be a date as YYYY-MM-DD"))
        })
    };
    let to = match to {
        Some(value) => parse("to", value)?,
        None => today,
    };
    let from = match from {
        Some(value) => parse("from", value)?,
        None => to - chrono::Duration::days(29),
    };
    if from > to {
        return Err(AppError::invalid_field("from", "from must not be after to"));
    }
    if (to - from).num_days() >= MAX_TIMELINE_DAYS {
        return Err(AppError::invalid_field(
            "from",
            format!("A timeline covers at most {MAX_TIMELINE_DAYS} days"),
        ));
    }
    Ok((from, to))
}

/// Daily event counts of the given campaigns between two days (inclusive), zero-filled.
pub async fn timelines(
    db: &impl ConnectionTrait,
    campaign_ids: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<HashMap<String, Vec<(NaiveDate, Counts)>>> {
    let rows = campaign_daily_stat::Entity::find()
        .filter(campaign_daily_stat::Column::CampaignId.is_in(campaign_ids.iter().cloned()))
        .filter(campaign_daily_stat::Column::Day.gte(day_key(from)))
        .filter(campaign_daily_stat::Column::Day.lte(day_key(to)))
        .order_by_asc(campaign_daily_stat::Column::Day)
        .all(db)
        .await?;
    let mut found: HashMap<String, HashMap<String, Counts>> = HashMap::new();
    for row in rows {
        let counts = counts_of(&row)?;
        found
            .entry(row.campaign_id)
            .or_default()
            .insert(row.day, counts);
    }
    let none = HashMap::new();
    Ok(campaign_ids
        .iter()
        .map(|id| {
            let days = found.get(id).unwrap_or(&none);
            (id.clone(), zero_filled(days, from, to))
        })
        .collect())
}

/// Recomputes a campaign's counters and daily tallies from its events, set-based. Used to
/// repair figures and to load large datasets; in normal operation `record` keeps them current.
pub async fn rebuild<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    campaign_id: &str,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let backend = txn.get_database_backend();
    let day = match backend {
        DbBackend::Postgres => "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "substr(occurred_at, 1, 10)",
    };
    let p = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let sums = EventKind::ALL
        .iter()
        .map(|k| format!("SUM(CASE WHEN kind = '{0}' THEN 1 ELSE 0 END)", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let columns = EventKind::ALL.map(|k| k.as_str()).join(", ");
    let statements = [
        "DELETE FROM campaign_event_firsts WHERE campaign_id = {1}".to_owned(),
        "DELETE FROM campaign_stats WHERE campaign_id = {1}".to_owned(),
        "DELETE FROM campaign_daily_stats WHERE campaign_id = {1}".to_owned(),
        "INSERT INTO campaign_event_firsts (campaign_id, step, kind, contact_id) \
         SELECT DISTINCT campaign_id, 0, kind, contact_id FROM email_events WHERE campaign_id = {1} \
         UNION SELECT DISTINCT campaign_id, step, kind, contact_id FROM email_events WHERE campaign_id = {2}"
            .to_owned(),
        format!(
            "INSERT INTO campaign_stats (campaign_id, step, {columns}) \
             SELECT campaign_id, step, {sums} FROM campaign_event_firsts WHERE campaign_id = {{1}} GROUP BY campaign_id, step"
        ),
        format!(
            "INSERT INTO campaign_daily_stats (campaign_id, day, {columns}) \
             SELECT campaign_id, {day}, {sums} FROM email_events WHERE campaign_id = {{1}} GROUP BY campaign_id, {day}"
        ),
    ];
    for sql in statements {
        let uses_two = sql.contains("{2}");
        let sql = sql.replace("{1}", &p(1)).replace("{2}", &p(2));
        let mut values: Vec<sea_orm::Value> = vec![campaign_id.into()];
        if uses_two {
            values.push(campaign_id.into());
        }
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_counters_read_as_the_rows_they_pack() {
        let row = |step, n: i64| campaign_stat::Model {
            campaign_id: "cmp_1".into(),
            step,
            sent: n,
            opened: n + 1,
            clicked: n + 2,
            replied: n + 3,
            bounced: n + 4,
            unsubscribed: n + 5,
            auto_replied: n + 6,
            opened_raw: n + 7,
            clicked_raw: n + 8,
        };
        let rows = [row(0, 10), row(2, 20), row(1, 30)];
        let packed = "0,10,11,12,13,14,15,16,17,18;2,20,21,22,23,24,25,26,27,28;\
                      1,30,31,32,33,34,35,36,37,38";
        for steps in [1, 2, 3] {
            assert_eq!(
                CampaignStats::from_packed(Some(packed), steps).unwrap(),
                CampaignStats::from_rows(&rows, steps).unwrap(),
                "{steps} steps"
            );
        }
        assert_eq!(
            CampaignStats::from_packed(None, 2).unwrap(),
            CampaignStats::from_rows(&[], 2).unwrap()
        );
        assert!(CampaignStats::from_packed(Some("0,1,2"), 1).is_err());
        assert!(CampaignStats::from_packed(Some("-1,1,2,3,4,5,6,7"), 1).is_err());
    }
}
