//! Parked enrolments: due work that waits on its campaign (paused, its window closed, its day
//! full) is moved out of the due range once, so the sending pass does not read it again every
//! second, and brought back when the campaign can send.

use chrono::{DateTime, Utc};
use entity::campaign_contact;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppResult;
use crate::service::enrolments::EnrolmentState;

/// Why an active enrolment's next email waits on its campaign rather than on its own time.
/// Such an enrolment is parked: moved out of the due range (so the sending pass stops reading
/// it every second) until its campaign can send again, with the reason it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parked {
    /// The campaign is paused: no time to wait for, until it is resumed.
    CampaignPaused,
    /// The campaign's day is full: waits for its next day's window.
    DailyLimit,
    /// The campaign's window is closed: waits for its next opening.
    OutsideWindow,
}

impl Parked {
    pub const ALL: [Parked; 3] = [
        Parked::CampaignPaused,
        Parked::DailyLimit,
        Parked::OutsideWindow,
    ];

    /// The enrolment's `reason` while it is parked.
    pub fn reason(self) -> &'static str {
        match self {
            Parked::CampaignPaused => "campaign_paused",
            Parked::DailyLimit => "daily_limit_reached",
            Parked::OutsideWindow => "outside_window",
        }
    }
}

/// Parks a campaign's active enrolments due by `now` until `until` (`None`: until the campaign
/// is resumed), saying why. One statement; returns how many it parked.
pub async fn park_due(
    txn: &impl ConnectionTrait,
    campaign_id: &str,
    why: Parked,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let result = campaign_contact::Entity::update_many()
        .col_expr(campaign_contact::Column::NextSendAt, Expr::value(until))
        .col_expr(campaign_contact::Column::Reason, Expr::value(why.reason()))
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(campaign_contact::Column::State.eq(EnrolmentState::Active.as_str()))
        .filter(campaign_contact::Column::NextSendAt.lte(now))
        .exec(txn)
        .await?;
    Ok(result.rows_affected)
}

/// Brings back a campaign's enrolments parked for one of `why` and not yet due again: due at
/// `due` (the window's next opening, as when they were first scheduled). Those already due are
/// left to the claim that may hold them. Returns how many came back.
pub async fn unpark(
    txn: &impl ConnectionTrait,
    campaign_id: &str,
    why: &[Parked],
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let result = campaign_contact::Entity::update_many()
        .col_expr(campaign_contact::Column::NextSendAt, Expr::value(due))
        .col_expr(
            campaign_contact::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(campaign_contact::Column::UpdatedAt, Expr::value(now))
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(campaign_contact::Column::State.eq(EnrolmentState::Active.as_str()))
        .filter(campaign_contact::Column::Reason.is_in(why.iter().map(|w| w.reason())))
        .filter(
            Condition::any()
                .add(campaign_contact::Column::NextSendAt.is_null())
                .add(campaign_contact::Column::NextSendAt.gt(now)),
        )
        .exec(txn)
        .await?;
    Ok(result.rows_affected)
}
