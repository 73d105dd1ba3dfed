//! What is due: the enrolments whose next email may go now, the accounts that may send it,
//! and how many due emails wait unclaimed.

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_contact, email_account};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppResult;
use crate::service::campaigns::CampaignStatus;
use crate::service::email_accounts::AccountStatus;
use crate::service::quotas;

/// An account that may send now, and how many more it may send this pass.
pub(super) struct Ready {
    pub account: email_account::Model,
    pub day: String,
    /// Emails this pass may still take from it.
    pub room: i32,
    /// Emails left in its day.
    pub left: i32,
}

pub(super) async fn ready_accounts(
    db: &impl ConnectionTrait,
    accounts: &[&email_account::Model],
    now: DateTime<Utc>,
) -> AppResult<Vec<Ready>> {
    let mut out = Vec::new();
    for account in accounts {
        if account.status != AccountStatus::Ok || account.next_send_at.is_some_and(|at| at > now) {
            continue;
        }
        // A corrupt row stops its own account only (the error, naming it, is logged).
        let Ok(day) = quotas::account_day(account, now) else {
            continue;
        };
        let limit = crate::service::pacing::daily_limit(account, now);
        let left = limit - quotas::sent_on(db, &account.id, &day).await?;
        if left > 0 {
            // With a send gap, one email per pass; the gap decides when the next may go.
            let room = if account.send_gap_seconds > 0 {
                1
            } else {
                left
            };
            out.push(Ready {
                account: (*account).clone(),
                day,
                room,
                left,
            });
        }
    }
    Ok(out)
}

/// The campaigns with an enrolment due by `now` (whatever their status: the caller keeps the
/// running ones), read from one range of the due index (`ix_campaign_contacts_next_due`): the
/// cost follows what is due, not how many campaigns there are.
pub async fn due_campaigns(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    use sea_orm::{DbBackend, Statement};
    // The due rows are read on their own first (a materialized step), so the planner cannot
    // trade the range for a whole-table scan of another index that would hand it the
    // campaign ids in order.
    let backend = db.get_database_backend();
    let bound = match backend {
        DbBackend::Postgres => "$1",
        _ => "?",
    };
    let sql = format!(
        "WITH due AS MATERIALIZED (SELECT campaign_id FROM campaign_contacts \
         WHERE next_send_at <= {bound}) SELECT DISTINCT campaign_id FROM due"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [now.into()]))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String>("", "campaign_id")?))
        .collect()
}

/// Enrolments of a campaign due at `now` (follow-ups or first steps), earliest first: the
/// read the claim locks. Read-only here, for diagnostics and the benchmark.
pub async fn find_due(
    db: &impl ConnectionTrait,
    campaign_id: &str,
    follow_up: bool,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<campaign_contact::Model>> {
    Ok(due_query(campaign_id, follow_up, now, limit)
        .all(db)
        .await?)
}

pub(super) fn due_query(
    campaign_id: &str,
    follow_up: bool,
    now: DateTime<Utc>,
    limit: u64,
) -> sea_orm::Select<campaign_contact::Entity> {
    campaign_contact::Entity::find()
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(campaign_contact::Column::FollowUp.eq(follow_up))
        .filter(campaign_contact::Column::NextSendAt.lte(now))
        .order_by_asc(campaign_contact::Column::NextSendAt)
        .limit(limit)
}

/// Enrolments of running campaigns whose next email is due by `now` (not yet claimed).
pub async fn due_unsent(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<i64> {
    use sea_orm::{PaginatorTrait, QueryTrait};
    let running = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .filter(campaign::Column::Status.eq(CampaignStatus::Running.as_str()))
        .into_query();
    let due = campaign_contact::Entity::find()
        .filter(campaign_contact::Column::NextSendAt.lte(now))
        .filter(campaign_contact::Column::CampaignId.in_subquery(running))
        .count(db)
        .await?;
    Ok(i64::try_from(due).unwrap_or(i64::MAX))
}
