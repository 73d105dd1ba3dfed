//! Daily limits: emails taken per campaign or email account and local day (`send_counts`),
//! taken and given back atomically in the database so several workers never overshoot.

use chrono::{DateTime, Utc};
use entity::email_account;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use super::window;
use crate::error::{AppError, AppResult};

fn sql(backend: DbBackend, text: &str, values: Vec<sea_orm::Value>) -> Statement {
    let text = match backend {
        DbBackend::Postgres => {
            let mut n = 0;
            text.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => text.to_owned(),
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// Gives an email back to a daily limit (nothing was delivered).
pub(crate) async fn give_back(db: &impl ConnectionTrait, scope: &str, day: &str) -> AppResult<()> {
    let statement = sql(
        db.get_database_backend(),
        "UPDATE send_counts SET sent = sent - 1 WHERE scope = ? AND day = ? AND sent > 0",
        vec![scope.into(), day.into()],
    );
    db.execute_raw(statement).await?;
    Ok(())
}

/// Counts `n` more emails against `scope` on `key`, with no limit.
pub(crate) async fn add(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
    n: i32,
) -> AppResult<()> {
    db.execute_raw(sql(
        db.get_database_backend(),
        "INSERT INTO send_counts (scope, day, sent) VALUES (?, ?, ?) \
         ON CONFLICT (scope, day) DO UPDATE SET sent = send_counts.sent + excluded.sent",
        vec![scope.into(), key.into(), n.into()],
    ))
    .await?;
    Ok(())
}

/// Takes one email from `scope`'s count for `key` (a day or an hour) in a write transaction of
/// its own: whether the limit had room.
pub async fn take_one(
    db: &sea_orm::DatabaseConnection,
    scope: &str,
    key: &str,
    limit: i32,
) -> AppResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    let taken = take_up_to(&txn, scope, key, limit, 1).await?;
    txn.commit().await?;
    Ok(taken == 1)
}

/// Takes up to `n` emails from a daily limit at once, inside the caller's write transaction
/// (which holds the row until it commits, so several workers never overshoot): returns how
/// many it took, none when the limit is reached.
pub(crate) async fn take_up_to(
    db: &impl ConnectionTrait,
    scope: &str,
    day: &str,
    limit: i32,
    n: i32,
) -> AppResult<i32> {
    if n <= 0 {
        return Ok(0);
    }
    let backend = db.get_database_backend();
    let key = || vec![scope.into(), day.into()];
    db.execute_raw(sql(
        backend,
        "INSERT INTO send_counts (scope, day, sent) VALUES (?, ?, 0) \
         ON CONFLICT (scope, day) DO NOTHING",
        key(),
    ))
    .await?;
    // SQLite's write transaction already holds the database; PostgreSQL locks the row.
    let lock = match backend {
        DbBackend::Postgres => " FOR UPDATE",
        _ => "",
    };
    let text = format!("SELECT sent FROM send_counts WHERE scope = ? AND day = ?{lock}");
    let row = db
        .query_one_raw(sql(backend, &text, key()))
        .await?
        .ok_or_else(|| AppError::internal("a daily count vanished inside its transaction"))?;
    let sent: i32 = row.try_get("", "sent")?;
    let taken = n.min(limit - sent).max(0);
    if taken > 0 {
        db.execute_raw(sql(
            backend,
            "UPDATE send_counts SET sent = sent + ? WHERE scope = ? AND day = ?",
            vec![taken.into(), scope.into(), day.into()],
        ))
        .await?;
    }
    Ok(taken)
}

/// Gives `n` emails back to a daily limit at once (never below zero).
pub(crate) async fn give_back_n(
    db: &impl ConnectionTrait,
    scope: &str,
    day: &str,
    n: i32,
) -> AppResult<()> {
    if n <= 0 {
        return Ok(());
    }
    let statement = sql(
        db.get_database_backend(),
        "UPDATE send_counts SET sent = CASE WHEN sent > ? THEN sent - ? ELSE 0 END \
         WHERE scope = ? AND day = ?",
        vec![n.into(), n.into(), scope.into(), day.into()],
    );
    db.execute_raw(statement).await?;
    Ok(())
}

/// Emails counted against `scope` on `day`.
pub async fn sent_on(db: &impl ConnectionTrait, scope: &str, day: &str) -> AppResult<i32> {
    Ok(
        entity::send_count::Entity::find_by_id((scope.to_owned(), day.to_owned()))
            .one(db)
            .await?
            .map_or(0, |row| row.sent),
    )
}

/// The account's time zone; one this code does not know is an error naming the row (counting
/// its limits in UTC instead would count the wrong day).
fn tz_of(account: &email_account::Model) -> AppResult<chrono_tz::Tz> {
    account.timezone.parse().map_err(|_| {
        AppError::corrupt("email_accounts", &account.id, "timezone", &account.timezone)
    })
}

/// The account's local day of `now`, as `send_counts` keys it.
pub fn account_day(account: &email_account::Model, now: DateTime<Utc>) -> AppResult<String> {
    Ok(window::local_day(tz_of(account)?, now).to_string())
}

/// Emails an account sent (or is sending) today, in its own time zone.
pub async fn sent_today(
    db: &impl ConnectionTrait,
    account: &email_account::Model,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    sent_on(db, &account.id, &account_day(account, now)?).await
}

/// Emails counted for many `(scope, day)` pairs, in one statement (absent pairs are 0).
pub async fn sent_on_many(
    db: &impl ConnectionTrait,
    keys: &[(String, String)],
) -> AppResult<HashMap<(String, String), i32>> {
    use entity::send_count;
    let rows = send_count::Entity::find()
        .filter(send_count::Column::Scope.is_in(keys.iter().map(|k| k.0.clone())))
        .filter(send_count::Column::Day.is_in(keys.iter().map(|k| k.1.clone())))
        .all(db)
        .await?;
    let mut out: HashMap<(String, String), i32> = keys.iter().map(|k| (k.clone(), 0)).collect();
    for row in rows {
        if let Some(n) = out.get_mut(&(row.scope, row.day)) {
            *n = row.sent;
        }
    }
    Ok(out)
}
