//! What a reply stops beyond the replier's own sequence: with a campaign's
//! `stopOnReplyScope: company`, every open enrolment of the campaign at the replier's email
//! domain (colleagues are not emailed on after one of them answered), except at free-mail
//! domains, where an address says nothing about a company.

use chrono::{DateTime, Utc};
use entity::states::EnrolmentState;
use entity::{campaign, campaign_contact, contact};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::addresses;
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
