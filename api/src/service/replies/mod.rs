//! What a reply does beyond being counted. A person's reply can stop more than the replier's
//! own sequence: with a campaign's `stopOnReplyScope: company`, every open enrolment of the
//! campaign at the replier's email domain (colleagues are not emailed on after one of them
//! answered), except at free-mail domains, where an address says nothing about a company. An
//! out-of-office answer holds the sequence until its writer is back (`ooo` reads the date).
//! What a person's reply says is read by `classify`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::states::EnrolmentState;
use entity::{campaign, campaign_contact, contact};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::addresses;

pub mod classify;
#[cfg(test)]
mod measured;
pub mod ooo;
pub mod text;
use crate::error::AppResult;

/// The reason on a colleague's enrolment a reply stopped.
pub const COMPANY_REPLIED: &str = "company_replied";

/// Free-mail domains: many unrelated people share each.
pub const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.ru",
    "yandex.ru",
    "zoho.com",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "ig.com.br",
    "yahoo.com.br",
    "hotmail.com.br",
    "outlook.com.br",
    "live.com.br",
    "sapo.pt",
    "libero.it",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "qq.com",
    "163.com",
];

pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.contains(&domain)
}

/// Stops every other open enrolment of `campaign` whose contact's address is at `replier`'s
/// domain (failed, reason `company_replied`); none at a free-mail domain. Returns how many.
pub async fn stop_company(
    txn: &impl ConnectionTrait,
    campaign: &campaign::Model,
    replier: &contact::Model,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let domain = addresses::domain_of(&replier.email_normalized).to_ascii_lowercase();
    if domain.is_empty() || is_free_mail(&domain) {
        return Ok(0);
    }
    let escaped: String = domain
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let colleagues = Query::select()
        .column(contact::Column::Id)
        .from(contact::Entity)
        .and_where(contact::Column::WorkspaceId.eq(&campaign.workspace_id))
        .and_where(
            Expr::col(contact::Column::EmailNormalized)
                .like(LikeExpr::new(format!("%@{escaped}")).escape('\\')),
        )
        .to_owned();
    let stopped = campaign_contact::Entity::update_many()
        .col_expr(
            campaign_contact::Column::State,
            Expr::value(EnrolmentState::Failed.as_str()),
        )
        .col_expr(
            campaign_contact::Column::Reason,
            Expr::value(COMPANY_REPLIED),
        )
        .col_expr(
            campaign_contact::Column::NextSendAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
        .filter(campaign_contact::Column::ContactId.ne(&replier.id))
        .filter(campaign_contact::Column::State.is_in(EnrolmentState::OPEN))
        .filter(campaign_contact::Column::ContactId.in_subquery(colleagues))
        .exec(txn)
        .await?;
    Ok(stopped.rows_affected)
}

/// The reason on an enrolment an out-of-office answer holds (its `heldUntil` is its next send).
pub const OUT_OF_OFFICE: &str = "out_of_office";

/// Holds `contact`'s sequence in `campaign` after an out-of-office answer: until the first
/// window opening on or after `return_date` (from the start of that day in the sending zone),
/// or, without a date, for the campaign's `oooPauseDays` from now. A hold only ever moves the
/// next send later, and only for an active enrolment. Returns the time held until, when it
/// held.
pub async fn hold_out_of_office(
    txn: &impl ConnectionTrait,
    campaign: &campaign::Model,
    contact: &contact::Model,
    return_date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let window = super::campaigns::window_for(campaign, contact.timezone.as_deref())?;
    let zone = window.timezone();
    let after = match return_date {
        Some(day) => super::window::resolve_local(zone, day, NaiveTime::MIN),
        None if campaign.ooo_pause_days > 0 => {
            let days = u32::try_from(campaign.ooo_pause_days).unwrap_or(0);
            super::window::add_calendar_days(zone, now, days)
        }
        None => return Ok(None),
    };
    let until = window.next_opening(std::cmp::max(after, now));
    let held = campaign_contact::Entity::update_many()
        .col_expr(campaign_contact::Column::NextSendAt, Expr::value(until))
        .col_expr(campaign_contact::Column::Reason, Expr::value(OUT_OF_OFFICE))
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(&campaign.id))
        .filter(campaign_contact::Column::ContactId.eq(&contact.id))
        .filter(campaign_contact::Column::State.eq(EnrolmentState::Active.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(campaign_contact::Column::NextSendAt.is_null())
                .add(campaign_contact::Column::NextSendAt.lt(until)),
        )
        .exec(txn)
        .await?;
    Ok((held.rows_affected == 1).then_some(until))
}

/// When an enrolment is held by an out-of-office answer: its next send, while its reason says
/// so.
pub fn held_until(enrolment: &campaign_contact::Model) -> Option<DateTime<Utc>> {
    enrolment
        .next_send_at
        .filter(|_| enrolment.reason.as_deref() == Some(OUT_OF_OFFICE))
}
