//! Who reads a mailbox, and when: a lease on the account's row (`imap_locked_until_ms`), taken
//! and given back with the database's clock, so several workers read each mailbox once per
//! interval and never at the same time.

use std::time::Duration;

use entity::email_account;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};

use crate::error::AppResult;

/// The database's clock in milliseconds since the epoch, as SQL.
fn now_ms(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// Takes the mailbox of account `id` for `hold` when no reader holds it and its next read is
/// due; the account as it stands then (its `imap_locked_until_ms` is the lease held), or `None`
/// when another reader has it or read it within the interval. One conditional `UPDATE`: of
/// two readers asking at once, one wins.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    id: &str,
    hold: Duration,
) -> AppResult<Option<email_account::Model>> {
    let now = now_ms(db.get_database_backend());
    let taken = email_account::Entity::update_many()
        .col_expr(
            email_account::Column::ImapLockedUntilMs,
            Expr::cust(format!("{now} + {}", millis(hold))),
        )
        .filter(email_account::Column::Id.eq(id))
        .filter(email_account::Column::ImapHost.is_not_null())
        .filter(Expr::cust(format!(
            "(imap_locked_until_ms IS NULL OR imap_locked_until_ms <= {now})"
        )))
        .exec(db)
        .await?
        .rows_affected;
    if taken != 1 {
        return Ok(None);
    }
    Ok(email_account::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?)
}

/// Gives the lease `held` back, keeping the mailbox for `next_in` more (its next read is not
/// due before). No effect when the lease is no longer the one held.
pub async fn release<C: ConnectionTrait>(
    db: &C,
    id: &str,
    held: i64,
    next_in: Duration,
) -> AppResult<()> {
    let now = now_ms(db.get_database_backend());
    email_account::Entity::update_many()
        .col_expr(
            email_account::Column::ImapLockedUntilMs,
            Expr::cust(format!("{now} + {}", millis(next_in))),
        )
        .filter(email_account::Column::Id.eq(id))
        .filter(email_account::Column::ImapLockedUntilMs.eq(held))
        .exec(db)
        .await?;
    Ok(())
}
